"""Run the prepared readings on this machine's GPU and write one JSON report.

    python3 runner.py FOLDER [--device cuda|cpu] [--placement DEVICE|none] [--out FILE] [--budget-s 540]

FOLDER is what `python -m fieldguide gpu-prepare` wrote (this file is a copy of
fieldguide/build/gpu_runner.py). Standard library only: the GPU machine brings Python and its
own CUDA torch, nothing else. Each reading runs as the suite runs it: its download in a fresh
folder, in the suite's worker (worker.py), one block at a time, with DOCS_DEVICE set; every
block's printed lines are compared with its `#>` lines, and its compute must have run on the
device (the worker's placement check) unless its page marks it `cpu:` with the reason. A block
is `ran`, `output differs`, `failed` (with the error and the download's line), `skipped`
(gpu-only, on the CPU) or `not run` (an earlier block of its reading failed, or the time budget
ran out).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

DEVICE_PROBE = """
import json
try:
    import torch
except ImportError:  # the TensorFlow GPU environment has no torch
    import tensorflow as tf
    info = tf.sysconfig.get_build_info()
    gpus = tf.config.list_physical_devices("GPU")
    out = {"tensorflow": tf.__version__, "cuda": info.get("cuda_version"), "cudnn": info.get("cudnn_version"),
           "cuda_available": bool(gpus)}
    if gpus:
        out["name"] = tf.config.experimental.get_device_details(gpus[0]).get("device_name")
else:
    out = {"torch": torch.__version__, "cuda": torch.version.cuda, "cuda_available": torch.cuda.is_available()}
    if torch.cuda.is_available():
        p = torch.cuda.get_device_properties(0)
        out.update(name=p.name, memory_gib=round(p.total_memory / 2**30, 1), capability=f"{p.major}.{p.minor}",
                   cudnn=torch.backends.cudnn.version())
print(json.dumps(out))
"""


def describe(device: str) -> dict:
    done = subprocess.run([sys.executable, "-c", DEVICE_PROBE], capture_output=True, text=True, check=False)
    found = json.loads(done.stdout) if done.returncode == 0 else {"probe_error": done.stderr[-500:]}
    if shutil.which("nvidia-smi"):
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"], capture_output=True, text=True
        )
        found["driver"] = smi.stdout.strip().splitlines()[0] if smi.returncode == 0 and smi.stdout.strip() else None
    found.update(requested=device, python=platform.python_version(), machine=platform.machine())
    return found


def unpack_wheels(folder: Path, wheels: dict) -> tuple[Path | None, list[str]]:
    """The carried wheels this Python lacks, unpacked into a fresh folder outside FOLDER that the
    readings then find on PYTHONPATH, as pip would have installed them (a wheel is a zip of its
    install); the folder and the names unpacked. A distribution this Python already has is left
    alone (so a rehearsal with .venv's Python runs on .venv's packages), and so is a wheel built
    for another Python (`cp312` on 3.11)."""
    lacking = set(missing(sorted(wheels), {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}))
    here = f"cp{sys.version_info.major}{sys.version_info.minor}"
    usable = {n: f for n, f in wheels.items() if n in lacking and f.split("-")[-3] in (here, "py3", "py2.py3")}
    if not usable:
        return None, []
    site = Path(tempfile.mkdtemp(prefix="gpu-site-"))
    for name in usable.values():
        with zipfile.ZipFile(folder / "wheels" / name) as wheel:
            wheel.extractall(site)
    return site, sorted(usable)


MISSING_PROBE = """
import importlib.metadata, json, sys
missing = []
for name in sys.argv[1:]:
    try:
        importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        missing.append(name)
print(json.dumps(missing))
"""


def missing(names: list[str], env: dict) -> list[str]:
    """Which of the distributions a reading needs this machine lacks, with the carried ones."""
    if not names:
        return []
    done = subprocess.run([sys.executable, "-c", MISSING_PROBE, *names], capture_output=True, text=True, env=env)
    return json.loads(done.stdout) if done.returncode == 0 else list(names)


BENCH_COMMAND = "python -m fieldguide measure bench --quick --device {device}"


def run_bench(folder: Path, device: str, site: Path | None, left: float) -> dict:
    """The benchmark's quick rows on this device, from the carried package; PyTorch's fp32 GEMMs
    (GFLOP/s, allocator peak) and the GPU's description go into the report."""
    command = BENCH_COMMAND.format(device=device)
    out = Path(tempfile.mkdtemp(prefix="gpu-bench-")) / "bench.json"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if site:
        env["PYTHONPATH"] = str(site)
    argv = [sys.executable, *command.split()[1:], "--out", str(out)]
    try:
        done = subprocess.run(argv, cwd=folder / "bench", env=env, capture_output=True, text=True, timeout=left)
    except subprocess.TimeoutExpired:
        return {"command": command, "error": f"did not finish in the {left:.0f} s left"}
    if done.returncode:
        return {"command": command, "error": (done.stdout + done.stderr)[-800:]}
    res = json.loads(out.read_text(encoding="utf-8"))
    rows = [
        {"n": r["batch"], "gflops": r["gflops"], "device_peak_mib": r["device_peak_mib"]}
        for r in res["rows"]
        if r["worker"] == "torch:eager" and r["task"] == "matmul" and r["variant"] == "default"
    ]
    return {
        "command": command,
        "rows": sorted(rows, key=lambda r: r["n"]),
        "gpu": res.get("gpu"),
        "device_gemm_peak": res.get("device_gemm_peak"),
        "seconds": round(res["total_s"], 1),
    }


def printed_lines(text: str) -> list[str]:
    # As fieldguide/pages/outputs.printed_lines: trailing spaces and blank last lines do not count.
    return [line.rstrip() for line in text.rstrip("\n").split("\n")] if text.strip() else []


def run_reading(
    folder: Path, reading: dict, device: str, deadline: float, placement: str | None, site: Path | None, carry: str
) -> list[dict]:
    env = {**os.environ, "DOCS_DEVICE": device}
    # `torchrun` and the other console scripts beside this Python, as in an activated venv.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("PYTHONPATH", None)
    if site:
        env["PYTHONPATH"] = str(site)
    lacking = missing(reading.get("needs", []), env)
    if lacking:
        why = f"needs {', '.join(lacking)}: not on this machine, and not carried (the carry holds {carry})"
        return [{"where": b["where"], "status": "not run", "detail": why, "needs": lacking} for b in reading["blocks"]]
    work = Path(tempfile.mkdtemp(prefix=f"gpu-{reading['stem']}-"))
    script = work / reading["script"]
    shutil.copy(folder / "downloads" / reading["script"], script)
    for name in reading["saved"]:
        shutil.copy(folder / "downloads" / f"{reading['stem']}--{name}", work / name)
    # Under a name no block imports, started with -m so the reading's folder heads sys.path.
    shutil.copy(folder / "worker.py", work / "_suite_worker.py")
    log = (work / ".worker.log").open("w+", encoding="utf-8")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "_suite_worker",
            str(folder) + os.sep,
            *(["--placement", placement] if placement else []),
        ],
        cwd=work,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        start_new_session=True,
    )
    results, stopped = [], None
    for block in reading["blocks"]:
        entry = {"where": block["where"]}
        results.append(entry)
        if stopped:
            entry.update(status="not run", detail=stopped)
            continue
        if block["gpu_only"] and device != "cuda":
            entry.update(status="skipped", detail=f"gpu-only: {block['gpu_only']}")
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            stopped = "the run's time budget ran out"
            entry.update(status="not run", detail=stopped)
            continue
        started = time.monotonic()
        request = {"script": str(script), "lines": block["lines"], "placement": not block.get("cpu")}
        worker.stdin.write(json.dumps(request) + "\n")
        worker.stdin.flush()
        ready, _, _ = select.select([worker.stdout], [], [], left)
        line = worker.stdout.readline() if ready else ""
        entry["seconds"] = round(time.monotonic() - started, 2)
        if not line:
            log.flush()
            log.seek(0)
            detail = "timed out" if not ready else f"the worker died: {log.read()[-800:]}"
            entry.update(status="failed", detail=detail)
            stopped = f"the block at {block['where']} failed"
            continue
        reply = json.loads(line)
        if not reply["ok"]:
            frames = [f"{Path(f).name}:{n}" for f, n in reply["frames"] if Path(f).parent == work]
            entry.update(status="failed", detail=reply["error"][-800:], at=frames[-1] if frames else None)
            stopped = f"the block at {block['where']} failed"
        elif printed_lines(reply["printed"]) != block["expected"]:
            entry.update(status="output differs", printed=printed_lines(reply["printed"]), expected=block["expected"])
        else:
            entry["status"] = "ran"
    # End as a script ends (its atexit work included); a reading that hangs there, or that
    # stopped at a block still running, is killed with every process it started.
    try:
        worker.stdin.close()
        worker.wait(timeout=60 if not stopped else 1)
    except (subprocess.TimeoutExpired, BrokenPipeError):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--device", default=os.environ.get("DOCS_DEVICE", "cuda"), choices=["cuda", "cpu"])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--budget-s", type=float, default=540.0)
    # Each block's compute must run on this device (the worker's placement check); "none" turns it off.
    parser.add_argument("--placement", default=None, help="default: the device")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    if not (folder / "manifest.json").is_file():
        print(
            f"{folder}: no manifest.json. Prepare the folder on a machine with the project's .venv "
            "(make gpu-prepare) and carry it here.",
            file=sys.stderr,
        )
        return 2
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    started = time.monotonic()
    deadline = started + args.budget_s
    report = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "reading": manifest["reading"],
        "placement": None if args.placement == "none" else (args.placement or args.device),
        "device": describe(args.device),
        "readings": [],
    }
    if args.device == "cuda" and not report["device"].get("cuda_available"):
        framework = "torch" if "torch" in report["device"] else "TensorFlow"
        print(f"DOCS_DEVICE=cuda, but {framework} sees no CUDA device: {report['device']}", file=sys.stderr)
        return 2
    site, report["unpacked"] = unpack_wheels(folder, manifest.get("wheels", {}))
    report["carried"] = sorted(manifest.get("wheels", {}))
    report["carry_mib"] = manifest["carry_mib"]
    for reading in manifest["readings"]:
        began = time.monotonic()
        placement = None if args.placement == "none" else (args.placement or args.device)
        blocks = run_reading(folder, reading, args.device, deadline, placement, site, f"{report['carry_mib']} MiB")
        report["readings"].append(
            {
                "page": reading["page"],
                "stem": reading["stem"],
                "seconds": round(time.monotonic() - began, 1),
                "blocks": blocks,
            }
        )
        bad = [b for b in blocks if b["status"] not in ("ran", "skipped")]
        print(f"{reading['stem']:<28} {len(blocks) - len(bad):>3}/{len(blocks)} blocks ran as shown", flush=True)
    left = deadline - time.monotonic()
    if (folder / "bench").is_dir():
        # The benchmark last: the readings are what the budget is for.
        report["bench"] = run_bench(folder, args.device, site, left) if left > 60 else {"error": "no time left"}
        print(f"bench: {report['bench'].get('error') or report['bench']['rows']}", flush=True)
    statuses = [b["status"] for r in report["readings"] for b in r["blocks"]]
    report["counts"] = {s: statuses.count(s) for s in sorted(set(statuses))}
    report["seconds"] = round(time.monotonic() - started, 1)
    text = json.dumps(report, indent=1) + "\n"
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(f"{report['counts']} in {report['seconds']} s on {report['device'].get('name', args.device)}")
    return 0 if set(statuses) <= {"ran", "skipped"} and "error" not in report.get("bench", {}) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
