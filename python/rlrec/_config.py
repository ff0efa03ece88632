"""Builds the TOML [env] section handed to the library from make()'s keyword arguments."""

import math

from .errors import InvalidArgumentError


def toml_value(key, value):
    """A Python value as a TOML literal (bool, int, float, str, or a list of those)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not -2**63 <= value < 2**63:
            raise InvalidArgumentError(f"{key} = {value} does not fit in a 64-bit integer (TOML "
                                       f"integers are in [-2^63, 2^63))")
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if hasattr(value, "item") and getattr(value, "shape", None) == ():  # numpy scalar
        return toml_value(key, value.item())
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(key, v) for v in value) + "]"
    if hasattr(value, "__fspath__"):
        return toml_value(key, str(value.__fspath__()))
    raise TypeError(f"{key}: value {value!r} of type {type(value).__name__} is not a bool, int, "
                    "float, str or list")


def env_toml(name, env_keys):
    """'[env]\\nname = "..."\\nkey = value ...' for rlrec's config parser."""
    if not isinstance(name, str):
        raise TypeError(f"environment name must be a str, got {type(name).__name__}")
    lines = ["[env]", "name = " + toml_value("name", name)]
    for key, value in env_keys.items():
        if key == "name":
            raise TypeError("pass the environment name as the first argument, not as name=")
        lines.append(f"{key} = {toml_value('env.' + key, value)}")
    return "\n".join(lines) + "\n"
