#!/usr/bin/python3
"""Checks the module graph of src/rlrec against the build (run by ctest as ModuleGraph.Check).

For every module M (one directory src/rlrec/M, one library target rlrec_M):
  1. the rlrec modules M's library links (target_link_libraries(rlrec_M ...) in its CMakeLists.txt)
     are exactly the modules M's non-test sources include ("rlrec/X/..." headers), M itself aside;
  2. the top-level CMakeLists.txt adds the modules in dependency order: M links only modules added
     before it, so the graph has no cycle and the order written there is the real one.
Test sources (*_test.cc and the test-only headers listed below) may include more: test binaries
link what they need beside their module.
Prints one line per violation and exits 1, or prints a summary and exits 0.
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "rlrec"
# Headers compiled only into test binaries (never included by a library source).
TEST_ONLY = {"test_files.h", "test_data.h", "toy_env.h", "test_driver.h", "test_util.h", "testing.h"}


def strip_comments(text):
    return "\n".join(line.split("#", 1)[0] for line in text.splitlines())


def library_links(module):
    """rlrec modules named in target_link_libraries(rlrec_<module> ...) calls."""
    text = strip_comments((SRC / module / "CMakeLists.txt").read_text())
    links = set()
    for m in re.finditer(r"target_link_libraries\(\s*rlrec_" + module + r"\s([^)]*)\)", text):
        links |= set(re.findall(r"\brlrec_([a-z]+)\b", m.group(1)))
    links.discard("flags")
    links.discard(module)
    return links


def includes(module):
    found = {}
    for path in sorted((SRC / module).rglob("*")):
        if path.suffix not in (".h", ".cc") or path.name.endswith("_test.cc") or path.name in TEST_ONLY:
            continue
        for dep in re.findall(r'^\s*#\s*include\s+"rlrec/([a-z]+)/', path.read_text(), re.M):
            if dep != module:
                found.setdefault(dep, path.relative_to(ROOT))
    return found


def build_order():
    """Modules in the order the top-level CMakeLists.txt adds them."""
    text = strip_comments((ROOT / "CMakeLists.txt").read_text())
    order = []
    for m in re.finditer(r"add_subdirectory\(src/rlrec/([a-z]+)\)|foreach\(module ([a-z ]+)\)", text):
        # "foreach(module data index models)": the loop that adds the skippable modules.
        order += [m.group(1)] if m.group(1) else m.group(2).split()
    return order


def check():
    modules = sorted(p.name for p in SRC.iterdir() if (p / "CMakeLists.txt").exists())
    order = build_order()
    errors = []
    missing_from_order = set(modules) - set(order)
    if missing_from_order:
        errors.append(f"CMakeLists.txt: modules never added: {sorted(missing_from_order)}")
    for module in modules:
        links, inc = library_links(module), includes(module)
        for dep in sorted(set(inc) - links):
            errors.append(f"{inc[dep]}: includes rlrec/{dep}/ but rlrec_{module} does not link rlrec_{dep}")
        for dep in sorted(links - set(inc)):
            errors.append(f"src/rlrec/{module}/CMakeLists.txt: links rlrec_{dep} but no source of "
                          f"{module} includes rlrec/{dep}/")
        if module in order:
            for dep in sorted(links):
                if dep in order and order.index(dep) > order.index(module):
                    errors.append(f"CMakeLists.txt: {module} links {dep}, which is added after it "
                                  f"(order: {' '.join(order)})")
    return errors, modules, order


def self_test():
    """The check finds each kind of violation in a small synthetic tree."""
    import tempfile
    global ROOT, SRC
    with tempfile.TemporaryDirectory() as tmp:
        ROOT = pathlib.Path(tmp)
        SRC = ROOT / "src" / "rlrec"
        files = {
            "CMakeLists.txt": "add_subdirectory(src/rlrec/a)\nadd_subdirectory(src/rlrec/b)\n",
            "src/rlrec/a/CMakeLists.txt": "target_link_libraries(rlrec_a PUBLIC rlrec_b rlrec_flags)\n",
            "src/rlrec/a/x.cc": '#include "rlrec/b/y.h"\n',
            "src/rlrec/b/CMakeLists.txt": "target_link_libraries(rlrec_b PUBLIC rlrec_a)  # rlrec_c\n",
            "src/rlrec/b/y.h": '#include "rlrec/c/z.h"\n',
            "src/rlrec/b/y_test.cc": '#include "rlrec/a/x.h"\n',
        }
        for name, text in files.items():
            (ROOT / name).parent.mkdir(parents=True, exist_ok=True)
            (ROOT / name).write_text(text)
        errors = check()[0]
    expected = ["src/rlrec/b/y.h: includes rlrec/c/ but rlrec_b does not link rlrec_c",
                "src/rlrec/b/CMakeLists.txt: links rlrec_a but no source of b includes rlrec/a/",
                "CMakeLists.txt: a links b, which is added after it (order: a b)"]
    if sorted(errors) != sorted(expected):
        print("self-test failed; got:", *errors, sep="\n  ")
        return 1
    print("self-test ok: 3 violations found")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    errors, modules, order = check()
    for e in errors:
        print(e)
    if errors:
        return 1
    print(f"module graph ok: {len(modules)} modules, order {' '.join(order)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
