"""The package's layers (ARCHITECTURE.md): each module imports only its own layer and those before it,
no import circle, nothing of tests/ in the package, and no sys.path edit but fieldguide/project.py's."""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path

from fieldguide.project import ROOT

LAYERS = ["project", "pages", "run", "measure", "render", "build", "tools", "__main__"]
TEST_HELPERS = {"tests_support", "browser_support", "page_coverage", "conftest"}
SYS_PATH_EDIT = re.compile(r"sys\.path\s*(\.(insert|append|extend)\b|\[[^\]]*\]\s*=|\+=|=)")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


# The modules at the package's top, beside project.py, form its first layer: the checkout and its pins.
BASE = {"project", "pins"}


def layer(name: str) -> str:
    part = name.split(".")[1] if name.count(".") else "project"
    return "project" if part in BASE else part


def imports(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules = (
                f"{node.module}.{alias.name}" if node.module == "fieldguide" else node.module for alias in node.names
            )
            found.update(modules)
    return found


def problems(name: str, source: str) -> list[str]:
    """What is wrong with the imports of module `name`, one line each."""
    out = []
    own = LAYERS.index(layer(name))
    for target in sorted(imports(source)):
        top = target.split(".")[0]
        if top in TEST_HELPERS or top.startswith("test_"):
            out.append(f"{name} imports {target} from tests/: the package never needs test code")
        elif top == "fieldguide" and target != "fieldguide" and LAYERS.index(layer(target)) > own:
            out.append(f"{name} ({layer(name)}) imports {target} ({layer(target)}), a later layer")
    return out


def package_modules() -> dict[str, str]:
    return {module_name(p): p.read_text(encoding="utf-8") for p in sorted((ROOT / "fieldguide").rglob("*.py"))}


def test_each_module_imports_only_earlier_layers_and_no_test_code():
    found = [p for name, source in package_modules().items() for p in problems(name, source)]
    assert found == []


def test_a_planted_upward_import_is_named():
    assert problems("fieldguide.pages.blocks", "from fieldguide.render import regions\nimport tests_support\n") == [
        "fieldguide.pages.blocks (pages) imports fieldguide.render (render), a later layer",
        "fieldguide.pages.blocks imports tests_support from tests/: the package never needs test code",
    ]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found, state = [], {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                found.append([*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_no_import_circle():
    modules = package_modules()
    graph = {}
    for name, source in modules.items():
        graph[name] = {t for t in imports(source) if t in modules and t != name}
    assert cycles(graph) == []
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]


def test_no_sys_path_edit_outside_the_one_place():
    files = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    edits = []
    for name in files.stdout.split():
        if name == "fieldguide/project.py" or not (ROOT / name).is_file():
            continue
        for k, line in enumerate((ROOT / name).read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            if SYS_PATH_EDIT.search(code):
                edits.append(f"{name}:{k}: {line.strip()}")
    assert edits == []
    edit = "sys." + "path"  # spelled apart so that this file holds no edit itself
    assert SYS_PATH_EDIT.search(f'{edit}.insert(0, "x")')
    assert SYS_PATH_EDIT.search(f"{edit}[:0] = [x]")
    assert not SYS_PATH_EDIT.search(f"leaks = [p for p in {edit} if p]")


def test_nothing_imports_the_command_and_scripts_is_gone():
    assert not any("fieldguide.__main__" in imports(s) for s in package_modules().values())
    assert not (ROOT / "scripts").exists()


def test_every_command_the_pages_and_readme_name_exists():
    """A `python -m fieldguide ...` line a reader copies from a page, the README or ARCHITECTURE.md runs a real command
    (`measure fma-peak` was once named on the performance page and in the README, and answered with the usage)."""
    from fieldguide.__main__ import COMMANDS

    known = {" ".join(words) for words in COMMANDS}
    texts = {p: p.read_text(encoding="utf-8") for p in [ROOT / "README.md", ROOT / "ARCHITECTURE.md"]}
    texts.update({p: p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))})
    missing = []
    for path, text in texts.items():
        # The words may wrap onto the next line; `measure NAME` stands for any of the group.
        for match in re.finditer(r"python -m fieldguide\s+([a-z][a-z-]*)(?:\s+([a-z][a-z-]*|[A-Z]+\b))?", text):
            first, second = match.group(1), match.group(2) or ""
            group = second.isupper() and any(k.startswith(f"{first} ") for k in known)
            if first not in known and f"{first} {second}" not in known and not group:
                missing.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not missing, missing
