"""requirements.txt, read with packaging's parser: the one reader every script and test uses.

The drift run swaps the frameworks' pins, the downloads print the pins a reading imports, the
setup tests compare the pins with what is installed, and the GPU set is written from the CPU
set; each of them reads the file through `read` and `pins` here.
"""

from __future__ import annotations

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
