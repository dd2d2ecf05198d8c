"""The project's pins: requirements.txt, read with packaging's parser (the one reader every
command and test uses), and the `pip install` line they give a program.

The drift run swaps the frameworks' pins, the downloads print the pins a reading imports, the
setup tests compare the pins with what is installed, and the GPU set is written from the CPU
set; each of them reads the file through `read` and `pins` here.
"""

from __future__ import annotations

import ast
import re
import sys
from functools import cache

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from fieldguide.project import ROOT

FILE = ROOT / "requirements.txt"


def read(text: str | None = None) -> list[Requirement]:
    """Every requirement of the file (or of `text`); comments and blank lines are skipped, and a
    line packaging cannot parse is an error naming it."""
    text = FILE.read_text(encoding="utf-8") if text is None else text
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            out.append(Requirement(line))
        except InvalidRequirement as err:
            raise ValueError(f"requirements.txt line {number}: {line!r}: {err}") from None
    return out


def exact(req: Requirement) -> str | None:
    """The version an exact pin (`name==version`) names, or None for anything looser."""
    specs = list(req.specifier)
    return specs[0].version if len(specs) == 1 and specs[0].operator == "==" else None


def applies(req: Requirement) -> bool:
    """Whether the requirement's marker (`; platform_system == "Linux"`) holds on this machine."""
    return req.marker is None or req.marker.evaluate()


def pins(text: str | None = None, here: bool = False) -> dict[str, str]:
    """Canonical distribution name -> pinned version, for every exact pin (with `here`, only
    those whose marker holds on this machine)."""
    return {
        canonicalize_name(r.name): version for r in read(text) if (version := exact(r)) and (not here or applies(r))
    }


# Top-level modules whose distribution name differs, or that a reader must install
# under another name than the one importlib finds (tensorflow-cpu is our CPU build).
DISTRIBUTIONS = {"sklearn": "scikit-learn", "tensorflow": "tensorflow"}
# Imported only where installed (`if importlib.util.find_spec(...)`): Triton comes with
# PyPI's CUDA torch and is never installed on its own.
OPTIONAL = {"triton"}


def imported_modules(source: str) -> set[str]:
    """Top-level names of the modules a program imports (absolute imports only)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names)


@cache
def _module_distributions() -> dict[str, list[str]]:
    from importlib.metadata import packages_distributions

    return packages_distributions()


@cache
def _specs() -> dict[str, str]:
    """Canonical name -> `name==version` as requirements.txt spells it: read once per process, as
    the install lines of every reading need it."""
    return {canonicalize_name(r.name): f"{r.name}=={v}" for r in read() if (v := exact(r))}


# Cached: a build asks for each reading's line several times (the script, the notebook, the box).
@cache
def install_specs(source: str, strict: bool = False, local: frozenset[str] = frozenset()) -> list[str]:
    """The pinned spec (`name==version`) of every package the code imports, `local` modules
    (files saved beside it) left out: what its `pip install` line names.

    A module no pin provides is left out (the program fails on it when it runs), or with
    `strict` raises, naming it.
    """
    pinned = _specs()
    wanted = []
    for module in sorted(imported_modules(source) - local - OPTIONAL):
        names = [DISTRIBUTIONS[module]] if module in DISTRIBUTIONS else _module_distributions().get(module, [module])
        for name in names:
            key = canonicalize_name(name)
            if key == "tensorflow":  # our CPU build is tensorflow-cpu; the reader gets the same version
                version = pinned.get("tensorflow-cpu", pinned.get("tensorflow", "tensorflow")).split("==")[-1]
                spec = f"tensorflow=={version}"
            elif key in pinned:
                spec = pinned[key]
            elif strict:
                raise ValueError(f"imports {module!r}, which no exact pin in requirements.txt provides")
            else:
                continue
            if spec not in wanted:
                wanted.append(spec)
    return wanted


# The oldest Linux driver each CUDA major runs on (minor-version compatibility), from NVIDIA's
# table at https://docs.nvidia.com/deploy/cuda-compatibility/minor-version-compatibility.html
# (checked 2026-12-06): CUDA 13.x needs >= 580, CUDA 12.x >= 525.
MIN_DRIVER = {13: 580, 12: 525}


def cuda_major(text: str) -> int:
    """The CUDA major a requirements file's CUDA runtime wheel is built for: its `-cu12`/`-cu13`
    suffix, or (CUDA 13's unsuffixed names) the wheel's own major version."""
    for req in read(text):
        name = canonicalize_name(req.name)
        if name.startswith("nvidia-cuda-runtime") and (version := exact(req)):
            suffix = re.search(r"-cu(\d+)$", name)
            return int(suffix[1]) if suffix else int(version.split(".")[0])
    raise ValueError("no exact nvidia-cuda-runtime pin: not a GPU requirements file")


def driver_problem(major: int, driver: str | None) -> str:
    """Why this driver cannot run CUDA `major` builds, or "" when it can."""
    need = MIN_DRIVER.get(major)
    if need is None:
        return f"CUDA {major}: no minimum driver known here (MIN_DRIVER in fieldguide/pins.py)"
    if not driver:
        return (
            f"no NVIDIA driver found (nvidia-smi is missing or failed); CUDA {major} builds need driver {need} or newer"
        )
    if int(driver.split(".")[0]) < need:
        return f"NVIDIA driver {driver} is too old for CUDA {major} builds: they need driver {need} or newer"
    return ""
