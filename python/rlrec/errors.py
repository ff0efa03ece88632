"""Exceptions raised by rlrec: one class per library ErrorCode (rlrec/core/error.h).

Every class derives from :class:`rlrec.Error` and from the built-in exception that fits, so
``except ValueError`` and ``except rlrec.Error`` both work. ``str(e)`` is the library's one-line
message, unchanged (no quotes, even for the KeyError subclass).

=================  ==========================  ===================================
ErrorCode          class                       also an instance of
=================  ==========================  ===================================
kInvalidArgument   InvalidArgumentError        ValueError
kNotFound          NotFoundError               KeyError, FileNotFoundError
kIo                IoError                     OSError
kCorrupt           CorruptError                ValueError
kNotSupported      NotSupportedError           NotImplementedError
kInternal          InternalError               RuntimeError
=================  ==========================  ===================================
"""


class Error(Exception):
    """Base class of rlrec's errors; str() is the library's one-line message."""

    def __str__(self):
        return str(self.args[0]) if self.args else ""


class InvalidArgumentError(Error, ValueError):
    """A value breaks a rule (range, type, shape, unknown key)."""


class NotFoundError(Error, KeyError, FileNotFoundError):
    """A named thing does not exist (file, catalogue entry, key)."""

    __str__ = Error.__str__


class IoError(Error, OSError):
    """The OS refused a read or write."""

    __str__ = Error.__str__


class CorruptError(Error, ValueError):
    """A file exists but its content is malformed."""


class NotSupportedError(Error, NotImplementedError):
    """A valid request this build or component cannot serve."""


class InternalError(Error, RuntimeError):
    """A failure that is not the caller's fault (e.g. a numerical blow-up)."""


# error_code_name() of rlrec/core/error.cc -> class; handed to the extension at import.
BY_CODE = {
    "invalid_argument": InvalidArgumentError,
    "not_found": NotFoundError,
    "io": IoError,
    "corrupt": CorruptError,
    "not_supported": NotSupportedError,
    "internal": InternalError,
}
