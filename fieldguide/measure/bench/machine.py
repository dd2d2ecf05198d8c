"""What the CPU is and what it could do at best: the computed peak the GEMM rows are a fraction of.

Peak fp32 FLOP/s = logical CPUs used x clock x FLOPs per cycle per core, where FLOPs per cycle =
FMA units x fp32 lanes of the widest vector unit x 2 (a fused multiply-add is two FLOPs).
The lanes come from /proc/cpuinfo flags (avx512f: 16, avx/avx2: 8, sse: 4). The FMA unit count is
not in any flag: we assume 2, true of Intel cores since Haswell and AMD since Zen 2; a core with
one unit (or 128-bit halves, Zen 1) has half this peak. The clock is /proc/cpuinfo's "cpu MHz"
(the nominal or current reading, not turbo) unless cpufreq's cpuinfo_max_freq is readable.
Logical CPUs may be SMT siblings sharing one core's FMA units; then the real peak is lower.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

FMA_UNITS = 2
INTERESTING_FLAGS = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_tile"]


def _cpuinfo(text: str | None) -> dict[str, str]:
    info: dict[str, str] = {}
    if text is None:
        try:
            text = Path("/proc/cpuinfo").read_text()
        except OSError:
            return info
    for line in text.splitlines():
        if ":" in line:
            key, value = (part.strip() for part in line.split(":", 1))
            info.setdefault(key, value)
    return info


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def describe(cpuinfo: str | None = None, cpus: int | None = None, sysfs: Path = Path("/sys")) -> dict:
    """The CPU as /proc/cpuinfo (or the given text) describes it, with its computed fp32 peak."""
    info = _cpuinfo(cpuinfo)
    flags = set(info.get("flags", "").split())
    if "avx512f" in flags:
        unit, lanes = "avx512f", 16
    elif "avx" in flags or "avx2" in flags:
        unit, lanes = ("avx2" if "avx2" in flags else "avx"), 8
    else:
        unit, lanes = "sse", 4
    fma = "fma" in flags or unit == "avx512f"
    flops_per_cycle = (FMA_UNITS if fma else 1) * lanes * (2 if fma else 1)
    clock_mhz, clock_source = None, None
    max_freq = sysfs / "devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq"
    if max_freq.exists():
        clock_mhz, clock_source = int(max_freq.read_text()) / 1000, str(max_freq)
    elif "cpu MHz" in info:
        clock_mhz, clock_source = float(info["cpu MHz"]), "/proc/cpuinfo cpu MHz"
    cpus = cpus or usable_cpus()
    peak = cpus * clock_mhz * 1e6 * flops_per_cycle / 1e9 if clock_mhz else None
    return {
        "cpu_model": info.get("model name", platform.processor() or "unknown"),
        "logical_cpus": cpus,
        "flags": {flag: flag in flags for flag in INTERESTING_FLAGS},
        "vector_unit": unit,
        "fp32_lanes": lanes,
        "fma_units_assumed": FMA_UNITS if fma else 0,
        "flops_per_cycle": flops_per_cycle,
        "clock_mhz": clock_mhz,
        "clock_source": clock_source,
        "computed_peak_gflops": peak,
        "bf16_hardware": bool(flags & {"avx512_bf16", "amx_bf16"}),
        "cpu_flags": sorted(flags),
    }
