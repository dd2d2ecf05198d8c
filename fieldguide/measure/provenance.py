"""The line every generated table or chart of measured data carries: which machine measured it,
when, with which versions, and from which data file.

A figure without its machine reads as a fact about every machine. A measuring script stores
`record(...)` beside its data; a renderer prints `caption(...)` under its table. Each region a
measured generator writes must hold that line: fieldguide/render/regions.py --check (`unsourced`) fails
when a renderer drops it or a page is edited by hand.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import re
import shutil
import subprocess

from fieldguide.measure.bench import machine as cpu

PREFIX = "_Measured on "
# What decides which kernels run, in the words a reader knows.
ISA_ORDER = (
    ("amx_bf16", "AVX-512 and AMX"),
    ("avx512_bf16", "AVX-512 with bf16, no AMX"),
    ("avx512f", "AVX-512, no bf16"),
    ("avx2", "AVX2, no AVX-512"),
)


def isa(flags: dict[str, bool]) -> str:
    return next((words for flag, words in ISA_ORDER if flags.get(flag)), "no AVX2")


def machine_name(m: dict) -> str:
    """ "Intel Xeon (AVX-512 and AMX), 2 CPUs" from a machine description (bench/machine.py's
    fields, or the smaller one `record` stores); a GPU, when there was one, comes last."""
    model = re.sub(r"\((?:R|TM)\)", "", m["cpu_model"]).replace(" Processor", "").strip()
    model = re.sub(r"\s+", " ", model)
    name = f"{model} ({isa(m['flags'])}), {m['logical_cpus']} CPUs"
    return name + (f", {m['gpu']}" if m.get("gpu") else "")


def _gpu() -> str | None:
    """The first NVIDIA GPU's name, or None: no nvidia-smi, no GPU."""
    if not shutil.which("nvidia-smi"):
        return None
    done = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True)
    return done.stdout.strip().splitlines()[0] if done.returncode == 0 and done.stdout.strip() else None


# Run in a child: the measuring coordinator never imports a framework itself.
GPU_PROBE = """
import json, torch
out = {"cuda": torch.version.cuda, "cuda_available": torch.cuda.is_available()}
if out["cuda_available"]:
    p = torch.cuda.get_device_properties(0)
    out.update(name=p.name, memory_gib=round(p.total_memory / 2**30, 1),
               capability=f"{p.major}.{p.minor}", cudnn=torch.backends.cudnn.version())
print(json.dumps(out))
"""


def gpu_description() -> dict:
    """The GPU a run used: its name, memory and compute capability, the CUDA and cuDNN torch was
    built with (from torch, in a child process) and the driver (from nvidia-smi)."""
    import json
    import sys

    done = subprocess.run([sys.executable, "-c", GPU_PROBE], capture_output=True, text=True, check=False)
    found = json.loads(done.stdout) if done.returncode == 0 else {"probe_error": done.stderr[-500:]}
    found["driver"] = None
    if shutil.which("nvidia-smi"):
        query = ["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"]
        smi = subprocess.run(query, capture_output=True, text=True, check=False)
        first = smi.stdout.strip().splitlines()[0] if smi.returncode == 0 and smi.stdout.strip() else ""
        if "," in first:
            name, driver = (part.strip() for part in first.split(",", 1))
            found["driver"] = driver
            found.setdefault("name", name)
    return found


def record(packages: dict[str, str]) -> dict:
    """The machine, the date and the installed versions of `packages` (distribution name ->
    the name a reader knows), to store beside measured data."""
    m = cpu.describe()
    versions = {"Python": platform.python_version()}
    for dist, label in packages.items():
        try:
            versions[label] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return {
        "machine": {
            "cpu_model": m["cpu_model"],
            "logical_cpus": m["logical_cpus"],
            "flags": m["flags"],
            "gpu": _gpu(),
        },
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "versions": versions,
    }


def line(machine: str, date: str, versions: str, data: str) -> str:
    """One italic sentence: `_Measured on MACHINE, DATE, with VERSIONS (data: FILE)._`"""
    return f"{PREFIX}{machine}, {date}, with {versions} (data: `{data}`)._"


def versions(v: dict, names: dict[str, str] | None = None) -> str:
    """ "PyTorch 2.15.0, TensorFlow 2.21.0" from a versions mapping, in the order of `names`
    (key -> label), or every entry as it is when no names are given."""
    names = names or {k: k for k in v}
    return ", ".join(f"{label} {v[key]}" for key, label in names.items() if v.get(key))


def caption(meta: dict, data: str) -> str:
    """The line for what `record` stored."""
    return line(machine_name(meta["machine"]), meta["date"], versions(meta["versions"]), data)


def unrecorded(date: str, versions_text: str, data: str) -> str:
    """The line for data measured before its machine was recorded: it says so rather than guess."""
    return line("a machine whose CPU was not recorded", date, versions_text, data)


def missing(regions: dict[str, str]) -> list[str]:
    """The names of the regions that carry no provenance line."""
    return [name for name, body in regions.items() if PREFIX not in body]
