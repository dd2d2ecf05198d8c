"""MkDocs hooks: facts the pages state are read from the build machine, not typed."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

MARKER = "<!-- verified-versions -->"
PACKAGES = ["torch", "tensorflow-cpu", "tensorflow", "keras", "numpy", "scikit-learn", "mkdocs-material"]


def installed_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found


def versions_table() -> str:
    rows = "\n".join(f"| {name} | {ver} |" for name, ver in installed_versions().items())
    return f"| package | version |\n|---|---|\n{rows}\n"


def on_page_markdown(markdown: str, **_kwargs) -> str:
    return markdown.replace(MARKER, versions_table()) if MARKER in markdown else markdown
