"""Where the site's checkout is: the one `ROOT` of the package, and its one `sys.path` edit.

The root is found from the working directory (the nearest folder up that holds `mkdocs.yml`),
not from this file: MkDocs, pytest and `python -m fieldguide` all run from the checkout, and a
test that copies the project to plant a fault runs them in the copy, with this same package.
"""

from __future__ import annotations

import sys
from pathlib import Path


def find_root(start: Path | None = None) -> Path:
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "mkdocs.yml").is_file():
            return folder
    raise RuntimeError(f"no mkdocs.yml in {start} or any folder above it: run this from the site's checkout")


ROOT = find_root()


def snippet_folder(*parts: str) -> Path:
    """Put `snippets/<parts>` first on `sys.path`, as `python file.py` in that folder does for a reader.

    The snippet files import their siblings by bare name (`import common`), so a generator or a
    test that imports one needs the folder on the path. This is the repository's only `sys.path` edit.
    """
    folder = ROOT.joinpath("snippets", *parts)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return folder


def tensorflow_cpu_build() -> bool:
    """Whether the TensorFlow installed is tensorflow-cpu, which never sees a GPU (the build beside
    CUDA torch in requirements.txt and requirements-gpu-torch.txt). Here, with the standard library
    only, because the benchmark also runs from a bare copy of the package on a GPU machine."""
    from importlib import metadata

    try:
        metadata.version("tensorflow-cpu")
    except metadata.PackageNotFoundError:
        return False
    return True
