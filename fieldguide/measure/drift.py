"""The site against the next releases: `make drift` writes docs/data/drift.json.

    python -m fieldguide drift requirements OUT      # requirements.txt with the next frameworks
    python -m fieldguide drift report JUNIT OUT_JSON  # what held, from the drift run's JUnit XML
    python -m fieldguide drift policy                 # exit 1 when a pin trails too far

The drift looks one step ahead: each framework's newest release on the package index,
pre-releases included (TensorFlow's release candidates, say), asked with this machine's local
wheels and pip configuration switched off, as a reader's pip would see it. Every other pin
stays: the drift is the frameworks' own, not their dependencies'. The policy (README.md,
"Maintaining") is checked against the newest *stable* releases.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from fieldguide import pins as requirements_file
from fieldguide.measure.output import write_json
from fieldguide.pages.outputs import DocsBlockError
from fieldguide.project import ROOT

DATA = ROOT / "docs" / "data" / "drift.json"
HOME = ROOT / "docs" / "index.md"
# The frameworks whose pins the drift moves, and how the home page names each.
NAMES = {"torch": "PyTorch", "tensorflow-cpu": "TensorFlow", "keras": "Keras"}
FRAMEWORKS = tuple(NAMES)


def index_env() -> dict[str, str]:
    """pip's view of the package index alone, without local wheels or a pip.conf."""
    env = {k: v for k, v in os.environ.items() if k != "PIP_FIND_LINKS"}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


# The pins trail the newest stable release by at most this many minor versions.
MAX_MINOR_LAG = 1


def newest(name: str, pre: bool = False) -> str:
    """The newest version the package index offers; with `pre`, pre-releases count too."""
    done = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", "--disable-pip-version-check"]
        + (["--pre"] if pre else [])
        + [name],
        capture_output=True,
        text=True,
        env=index_env(),
        check=False,
    )
    found = re.match(rf"{re.escape(name)} \(([^)]+)\)", done.stdout.strip(), re.IGNORECASE)
    if done.returncode or not found:
        raise SystemExit(f"drift: the package index gave no version of {name}: {done.stderr.strip()[-300:]}")
    return found.group(1)


def with_versions(text: str, versions: dict[str, str]) -> str:
    """requirements.txt with each framework's pin replaced; a framework not pinned there is an error."""
    missing = [name for name in versions if name not in requirements_file.pins(text)]
    if missing:
        raise SystemExit(f"drift: requirements.txt pins none of {missing}")
    out = []
    for line in text.splitlines():
        found = re.match(r"([A-Za-z0-9_.\-]+)==", line)
        name = found.group(1).lower() if found else None
        out.append(f"{name}=={versions[name]}" if name in versions else line)
    return "\n".join(out) + "\n"


def _difference(message: str) -> dict[str, str]:
    """The first differing `#>` line, or the error's last line, from a block's failure message."""
    lines = message.splitlines()
    if "printed output differs" in lines[0]:
        page = [line[4:] for line in lines if line.startswith("  - ")]
        run = [line[4:] for line in lines if line.startswith("  + ")]
        for i in range(max(len(page), len(run))):
            want = page[i] if i < len(page) else "(nothing)"
            got = run[i] if i < len(run) else "(nothing)"
            if want != got:
                return {"kind": "output", "page": want, "run": got}
    if "not run: the" in lines[0]:
        return {"kind": "not run", "error": lines[0].split("not run: ", 1)[1]}
    # The traceback's last line names the exception; the executor's own note follows it.
    text = [line.strip() for line in lines if line.strip() and not line.strip().startswith("(block at")]
    last = (text[-1] if text else lines[0]).removeprefix(f"{DocsBlockError.__module__}.DocsBlockError: ")
    found = re.match(r"(?P<path>[\w./-]+\.(?:py|md)):(?P<line>\d+): (?P<error>.*)", last)
    if found and (ROOT / found["path"]).is_file():
        # A bare `assert` says nothing by itself: the line that failed does.
        source = (ROOT / found["path"]).read_text(encoding="utf-8").splitlines()
        number = int(found["line"])
        code = source[number - 1].strip() if 0 < number <= len(source) else ""
        error = found["error"].strip().rstrip(":")
        return {"kind": "error", "error": error[:300], "at": f"{found['path']}:{number}", "code": code[:200]}
    return {"kind": "error", "error": last[:300]}


def is_prerelease(version: str) -> bool:
    from packaging.version import Version

    return Version(version).is_prerelease


def minor_lag(pinned_version: str, stable: str) -> int:
    """How many minor releases the pin trails the newest stable one (a major release counts as
    more than the policy allows)."""
    from packaging.version import Version

    pin, new = Version(pinned_version), Version(stable)
    if new.major != pin.major:
        return MAX_MINOR_LAG + 1 if new.major > pin.major else 0
    return max(0, new.minor - pin.minor)


def policy(pins: dict[str, str], stable: dict[str, str]) -> list[str]:
    """Each framework whose pin trails its newest stable release by more than the policy allows."""
    return [
        f"{NAMES[name]}: the site pins {pins[name]}, the newest stable release is {stable[name]} "
        f"({minor_lag(pins[name], stable[name])} minor versions behind; the policy allows {MAX_MINOR_LAG})"
        for name in stable
        if minor_lag(pins[name], stable[name]) > MAX_MINOR_LAG
    ]


def report(
    junit: Path,
    blocks: Path,
    versions: dict[str, str],
    pins: dict[str, str],
    day: str,
    stable: dict[str, str] | None = None,
) -> dict:
    """drift.json from the run's JUnit XML (failure messages) and block table (counts per page)."""
    import ast

    if not blocks.exists() or not junit.exists():
        raise SystemExit(f"drift: the run wrote no block table ({blocks}) or no JUnit file: pytest did not finish")
    table = json.loads(blocks.read_text(encoding="utf-8"))
    failures: dict[str, list[dict]] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        failed = case.find("failure")
        if failed is None:
            failed = case.find("error")
        prop = case.find("properties/property[@name='docs_block']")
        if failed is None or prop is None:
            continue
        info = ast.literal_eval(prop.get("value"))
        message = failed.get("message") or failed.text or ""
        failures.setdefault(info["page"], []).append({"line": info["line"], **_difference(message)})
    pages = {}
    for page, row in sorted(table["pages"].items()):
        ran = row["collected"] - row["skipped"]
        pages[page] = {
            "blocks": ran,
            "held": row["executed"],
            "skipped": row["skipped"],
            "differences": sorted(failures.get(page, []), key=lambda d: d["line"]),
        }
    from fieldguide.measure import provenance

    return {
        "checked": day,
        "provenance": provenance.record({}),
        "device": table["device"],
        "newest": versions,
        "stable": stable if stable is not None else dict(versions),
        "pinned": {name: pins[name] for name in versions},
        "pages": pages,
        "problems": table["problems"],
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun} was" if n == 1 else f"{n} {noun}s were"


def render(data: dict) -> str:
    """The home page's line: how much of the site holds on the newest releases."""
    held = sum(p["held"] for p in data["pages"].values())
    blocks = sum(p["blocks"] for p in data["pages"].values())
    skipped = sum(p.get("skipped", 0) for p in data["pages"].values())
    newest = ", ".join(
        f"{NAMES[n]} {v}" + (" (pre-release)" if is_prerelease(v) else "") for n, v in data["newest"].items()
    )
    moved = [f"{NAMES[n]} {data['pinned'][n]}" for n, v in data["newest"].items() if v != data["pinned"][n]]
    pinned = f"the site pins {', '.join(moved)}" if moved else "these are the site's own pins"
    out = [
        f"**On the next releases ({newest}; {pinned}): {held} of {blocks} blocks hold** "
        f"(CPU, run on {data['checked']} by `make drift`; data in `docs/data/drift.json`)"
        + (f"; {_count(skipped, 'GPU-only block')} skipped, not counted as held." if skipped else ".")
    ]
    if data.get("keras_nightly"):
        out[0] += (
            f" TensorFlow {data['newest']['tensorflow-cpu']} asks for keras-nightly; it came in as "
            f"{data['keras_nightly']}, and Keras {data['newest']['keras']} was reinstalled over it."
        )
    stable = data.get("stable", data["newest"])
    late = policy(data["pinned"], stable)
    newest_stable = ", ".join(f"{NAMES[n]} {v}" for n, v in stable.items())
    out.append("")
    out.append(
        f"Newest stable releases that day: {newest_stable}. "
        + (
            "**The pins trail them by more than the policy allows:** " + "; ".join(late) + "."
            if late
            else f"The pins trail them by at most {MAX_MINOR_LAG} minor version, as the policy asks."
        )
    )
    diffs = [(page, d) for page, p in data["pages"].items() for d in p["differences"] if d["kind"] != "not run"]
    if diffs:
        out.append("")
        out.append("| page | line | what differs |")
        out.append("|---|---|---|")
        for page, d in diffs:
            link = page.removeprefix("docs/")
            if d["kind"] == "output":
                what = f"prints `{d['run']}` where the page shows `{d['page']}`"
            elif "code" in d:
                what = f"`{d['error']}` at `{d['code']}` (`{d['at']}`)"
            else:
                what = f"fails: `{d['error']}`"
            cell = what.replace("|", "\\|")
            out.append(f"| [{link}]({link}) | {d['line']} | {cell} |")
        stopped = sum(1 for p in data["pages"].values() for d in p["differences"] if d["kind"] == "not run")
        if stopped:
            out.append("")
            out.append(f"{stopped} more blocks did not run because an earlier block of their reading failed.")
    from fieldguide.measure import provenance

    newest = {NAMES[n]: v for n, v in data["newest"].items()}
    if "provenance" in data:
        meta = data["provenance"]
        caption = provenance.caption({**meta, "versions": {**meta["versions"], **newest}}, "docs/data/drift.json")
    else:
        caption = provenance.unrecorded(data["checked"], provenance.versions(newest), "docs/data/drift.json")
    return "\n".join([*out, "", caption])


def main(argv: list[str]) -> int:
    if argv[:1] == ["requirements"] and len(argv) == 2:
        versions = {name: newest(name, pre=True) for name in FRAMEWORKS}
        text = with_versions((ROOT / "requirements.txt").read_text(encoding="utf-8"), versions)
        Path(argv[1]).write_text(text, encoding="utf-8")
        print("drift:", ", ".join(f"{n} {v}" for n, v in versions.items()))
        return 0
    if argv[:1] == ["report"] and len(argv) == 4:
        import datetime
        from importlib import metadata

        versions = {name: metadata.version(name) for name in FRAMEWORKS}  # what this venv really has
        try:
            nightly = metadata.version("keras-nightly")
        except metadata.PackageNotFoundError:
            nightly = None
        pins = requirements_file.pins()
        day = datetime.datetime.now(datetime.UTC).date().isoformat()
        stable = {name: newest(name) for name in FRAMEWORKS}
        data = report(Path(argv[1]), Path(argv[2]), versions, pins, day, stable)
        if nightly:
            data["keras_nightly"] = nightly
        write_json(Path(argv[3]), data)
        print(render(data))
        return 0
    if argv == ["policy"]:
        pins = requirements_file.pins()
        stable = {name: newest(name) for name in FRAMEWORKS}
        late = policy(pins, stable)
        for line in late or [f"{NAMES[n]}: pinned {pins[n]}, newest stable {v}" for n, v in stable.items()]:
            print(("drift policy broken: " if late else "drift policy holds: ") + line)
        return 1 if late else 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
