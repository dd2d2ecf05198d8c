"""Which Triton releases crash when loaded after TensorFlow: docs/data/triton_order.json.

    python -m fieldguide measure triton-order    # measure (a scratch environment, a few minutes), then render

For the last few torch minor releases (the pinned one and those before it), the package index
says which Triton each one requires on Linux (read from its metadata; no torch is installed).
A scratch environment gets the pinned tensorflow-cpu, from the package index alone, and then
each of those Triton releases in turn; `import tensorflow; import triton` runs in a fresh
interpreter for each, and its exit status is recorded (minus the signal number for a crash).
The interop page's table is written from the file (`python -m fieldguide generate triton-order`).
"""

from __future__ import annotations

import datetime
import json
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# The package index as a reader's pip sees it, and the pins, read as the drift reads them.
from fieldguide import pins as requirements_file
from fieldguide.measure import provenance
from fieldguide.measure.drift import index_env
from fieldguide.measure.output import write_json
from fieldguide.project import ROOT

DATA = ROOT / "docs" / "data" / "triton_order.json"
PAGE = ROOT / "docs" / "interop.md"
REGION = "triton-order"
# How many torch minor releases back from the pin: the pin and the one the policy still allows
# (README.md, "Maintaining"), and one more for the reader who has not moved yet.
MINORS_BACK = 2
PROBE = "import tensorflow; import triton"


def pip(python: str, *args: str) -> subprocess.CompletedProcess:
    command = [python, "-m", "pip", "--disable-pip-version-check", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=index_env(), check=False)
    if done.returncode:
        raise SystemExit(f"triton_order: `pip {' '.join(args)}` failed:\n{done.stderr[-1500:]}")
    return done


def torch_releases(pinned: str) -> list[str]:
    """The newest patch release of the pinned torch minor and of the MINORS_BACK before it."""
    from packaging.version import Version

    listed = pip(sys.executable, "index", "versions", "torch").stdout
    versions = [Version(v) for v in re.search(r"Available versions: (.*)", listed)[1].split(", ")]
    pin = Version(pinned)
    wanted = []
    for minor in range(pin.minor - MINORS_BACK, pin.minor + 1):
        same = [v for v in versions if (v.major, v.minor) == (pin.major, minor) and not v.is_prerelease]
        if same:
            wanted.append(str(max(same)))
    return wanted


def triton_of(torch_version: str) -> str:
    """The Triton release a torch release asks for on Linux, from its metadata alone."""
    # pip reads the wheel's metadata file alone (PEP 658), not the wheel.
    args = ["install", "--dry-run", "--no-deps", "--ignore-installed", "-q", "--report", "-", f"torch=={torch_version}"]
    done = pip(sys.executable, *args)
    requires = json.loads(done.stdout)["install"][0]["metadata"].get("requires_dist", [])
    for line in requires:
        found = re.match(r"triton\s*(?:==|~=)\s*([\d.]+)", line)
        if found and "extra ==" not in line:
            return found[1]
    raise SystemExit(f"triton_order: torch {torch_version}'s metadata asks for no Triton on Linux: {requires}")


def measure() -> dict:
    pins = requirements_file.pins()
    tensorflow = pins["tensorflow-cpu"]
    rows = [{"torch": t, "triton": triton_of(t)} for t in torch_releases(pins["torch"])]
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run([sys.executable, "-m", "venv", scratch], check=True)
        python = str(Path(scratch) / "bin" / "python")
        pip(python, "install", "-q", f"tensorflow-cpu=={tensorflow}")
        for row in rows:
            # --no-deps: Triton alone, over the previous one, so only Triton changes between rows.
            pip(python, "install", "-q", "--no-deps", "--force-reinstall", f"triton=={row['triton']}")
            done = subprocess.run([python, "-c", PROBE], capture_output=True, text=True, cwd=scratch, check=False)
            row["exit_code"] = done.returncode
    return {
        "checked": datetime.datetime.now(datetime.UTC).date().isoformat(),
        "machine": f"{platform.machine()}, {' '.join(platform.libc_ver())}, Python {platform.python_version()}",
        "provenance": provenance.record({}),
        "tensorflow-cpu": tensorflow,
        "probe": PROBE,
        "rows": rows,
    }


def crashed(row: dict) -> bool:
    return row["exit_code"] < 0


def render(data: dict) -> str:
    out = [
        "| torch (Linux, PyPI) | the Triton it brings | `" + data["probe"] + "` |",
        "|---|---|---|",
    ]
    for row in data["rows"]:
        code = row["exit_code"]
        what = f"**crashes** (signal {-code})" if code < 0 else ("runs" if code == 0 else f"fails (exit {code})")
        out.append(f"| {row['torch']} | {row['triton']} | {what} |")
    out.append("")
    out.append(
        f"Measured by `fieldguide/measure/triton_order.py` with tensorflow-cpu {data['tensorflow-cpu']} "
        f"({data['machine']}): "
        "each Triton release installed in turn beside the same TensorFlow, the probe run in a fresh interpreter."
    )
    data_file = "docs/data/triton_order.json"
    if "provenance" in data:
        meta = data["provenance"]
        out += [
            "",
            provenance.caption(
                {**meta, "versions": {**meta["versions"], "tensorflow-cpu": data["tensorflow-cpu"]}}, data_file
            ),
        ]
    else:
        out += ["", provenance.unrecorded(data["checked"], f"tensorflow-cpu {data['tensorflow-cpu']}", data_file)]
    return "\n".join(out)


def main() -> int:
    data = measure()
    # The JSON only, like every measuring command: `python -m fieldguide generate triton-order` renders it.
    print(f"{write_json(DATA, data)} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
