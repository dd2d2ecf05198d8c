"""Format (or with --check, verify) the project's Python files with ruff.

Snippets show printed output as `#> ...` lines under each print, the convention
pydantic and pytest-examples use. ruff would rewrite `#>` to `# >`, so this
wrapper hides the marker from ruff and puts it back, exactly as pytest-examples
does for black.

Usage: python -m fieldguide fmt [--check] PATH...
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

HIDE = (re.compile(r"^( *)#> ", re.M), r"\1# > ")
SHOW = (re.compile(r"^( *)# > ", re.M), r"\1#> ")


def ruff_format(text: str, filename: str) -> str:
    hidden = HIDE[0].sub(HIDE[1], text)
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", filename, "-"],
        input=hidden,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"ruff format failed on {filename}:\n{done.stderr}")
    return SHOW[0].sub(SHOW[1], done.stdout)


def python_files(paths: list[str]) -> list[Path]:
    files = []
    for path in map(Path, paths):
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def main(argv: list[str]) -> int:
    check = "--check" in argv
    unformatted = []
    for path in python_files([a for a in argv if a != "--check"]):
        text = path.read_text(encoding="utf-8")
        formatted = ruff_format(text, str(path))
        if formatted != text:
            unformatted.append(path)
            if not check:
                path.write_text(formatted, encoding="utf-8")
    verb = "would reformat" if check else "reformatted"
    for path in unformatted:
        print(f"{verb} {path}")
    return 1 if check and unformatted else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
