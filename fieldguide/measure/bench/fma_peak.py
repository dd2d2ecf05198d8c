"""The machine's fp32 FMA peak, measured: a register-bound microkernel compiled at run time.

The computed peak (fieldguide/measure/bench/machine.py) has to assume how many FMA units a core has and
how wide they really are; Zen 4 runs 512-bit FMAs on 256-bit units and many Xeons have one
512-bit unit, so the assumption can be off by half. This kernel keeps 12 independent vector
accumulators in registers (more than FMA latency x units on any current core), so nothing but
the FMA units limits it, and runs one copy per thread at once: the per-core figure on a
machine whose logical CPUs are SMT siblings is then what two siblings share.

`gcc -O2 -march=native` picks the widest unit the CPU has (AVX-512, else AVX2 with FMA, else
scalar); gcc is needed anyway by torch.compile's Inductor.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

ACCUMULATORS = 12

SOURCE = r"""
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#if defined(__AVX512F__)
#include <immintrin.h>
typedef __m512 vec;
#define LANES 16
#define ISA "avx512f"
#define SET1 _mm512_set1_ps
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
static float first(vec v) { return _mm512_cvtss_f32(v); }
#elif defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
typedef __m256 vec;
#define LANES 8
#define ISA "avx2+fma"
#define SET1 _mm256_set1_ps
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
static float first(vec v) { return _mm256_cvtss_f32(v); }
#else
typedef float vec;
#define LANES 1
#define ISA "scalar"
#define SET1(x) (x)
#define FMA(a, b, c) ((a) * (b) + (c))
static float first(vec v) { return v; }
#endif

static long iterations;
static volatile float sink;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + 1e-9 * t.tv_nsec;
}

static void *kernel(void *arg) {
    double *seconds = arg;
    vec m = SET1(0.999999f), c = SET1(1e-7f);
    vec a0 = SET1(1.0f), a1 = SET1(1.1f), a2 = SET1(1.2f), a3 = SET1(1.3f), a4 = SET1(1.4f), a5 = SET1(1.5f);
    vec a6 = SET1(1.6f), a7 = SET1(1.7f), a8 = SET1(1.8f), a9 = SET1(1.9f), a10 = SET1(2.0f), a11 = SET1(2.1f);
    double start = now();
    for (long i = 0; i < iterations; i++) {
        a0 = FMA(a0, m, c); a1 = FMA(a1, m, c); a2 = FMA(a2, m, c); a3 = FMA(a3, m, c);
        a4 = FMA(a4, m, c); a5 = FMA(a5, m, c); a6 = FMA(a6, m, c); a7 = FMA(a7, m, c);
        a8 = FMA(a8, m, c); a9 = FMA(a9, m, c); a10 = FMA(a10, m, c); a11 = FMA(a11, m, c);
    }
    *seconds = now() - start;
    sink = first(a0) + first(a1) + first(a2) + first(a3) + first(a4) + first(a5) + first(a6) + first(a7)
        + first(a8) + first(a9) + first(a10) + first(a11);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = atoi(argv[1]);
    iterations = atol(argv[2]);
    pthread_t tid[256];
    double seconds[256];
    for (int t = 0; t < threads; t++) pthread_create(&tid[t], NULL, kernel, &seconds[t]);
    for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
    double slowest = 0;
    for (int t = 0; t < threads; t++) if (seconds[t] > slowest) slowest = seconds[t];
    double flops = 2.0 * LANES * 12 * (double)iterations * threads;
    printf("%s %d %.6f %.3f\n", ISA, LANES, slowest, flops / slowest / 1e9);
    return 0;
}
"""


def build(workdir: Path) -> Path:
    """Compile the kernel for this CPU; RuntimeError naming gcc's complaint if it fails."""
    gcc = shutil.which("gcc") or shutil.which("cc")
    if gcc is None:
        raise RuntimeError("no gcc or cc on PATH: the FMA peak needs a C compiler")
    src, exe = workdir / "fma_peak.c", workdir / "fma_peak"
    src.write_text(SOURCE)
    done = subprocess.run([gcc, "-O2", "-march=native", "-pthread", str(src), "-o", str(exe)],
                          capture_output=True, text=True, check=False)  # fmt: skip
    if done.returncode:
        raise RuntimeError(f"compiling the FMA kernel failed: {done.stderr.strip()[-500:]}")
    return exe


def run_kernel(exe: Path, threads: int, seconds: float) -> dict:
    """One timed run of `threads` copies lasting about `seconds`."""
    iterations = 1_000_000
    while True:
        isa, lanes, took, gflops = subprocess.run(
            [str(exe), str(threads), str(iterations)], capture_output=True, text=True, check=True
        ).stdout.split()
        if float(took) >= seconds or iterations > 1 << 40:
            return {"isa": isa, "lanes": int(lanes), "seconds": float(took), "gflops": float(gflops)}
        iterations = int(iterations * max(2.0, 1.2 * seconds / max(float(took), 1e-6)))


def measure(threads: int, seconds: float = 0.2, repeats: int = 3, workdir: Path | None = None) -> dict:
    """Best of `repeats` runs on 1 thread and on `threads` threads: the peak is the fastest the
    machine went, as a GEMM's fraction of it is then a lower bound."""
    with tempfile.TemporaryDirectory(prefix="fma-") as tmp:
        exe = build(Path(workdir or tmp))
        one = [run_kernel(exe, 1, seconds) for _ in range(repeats)]
        many = [run_kernel(exe, threads, seconds) for _ in range(repeats)]
    best_one, best_many = max(r["gflops"] for r in one), max(r["gflops"] for r in many)
    return {
        "isa": one[0]["isa"],
        "lanes": one[0]["lanes"],
        "accumulators": ACCUMULATORS,
        "threads": threads,
        "one_thread_gflops": best_one,
        "all_threads_gflops": best_many,
        "runs_one_thread_gflops": [r["gflops"] for r in one],
        "runs_all_threads_gflops": [r["gflops"] for r in many],
    }


def main() -> int:
    """`python -m fieldguide measure fma-peak`: this machine's peak, as JSON on stdout."""
    import json
    import os

    print(json.dumps(measure(len(os.sched_getaffinity(0))), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
