"""The benchmark coordinator: `python -m fieldguide measure bench [--quick] [--out FILE] [--device cpu|cuda]`.

Keeps each configuration (framework, mode, threads, environment) warm in its own persistent
worker process (fieldguide/measure/bench/worker.py) and runs short timed blocks in them, one block at a
time. The rows that are compared with each other form a group (one workload in every mode, or
one GEMM size in every library), and a round of a group runs one block of each of its rows and
of a fixed probe (a NumPy GEMM), in a freshly shuffled order: every PyTorch block has the
TensorFlow blocks from the same seconds of the machine's life beside it, and the noise they
share cancels in their ratio (fieldguide/measure/bench/pairs.py). Rounds are added to a group until every
ratio's interval is within 2% or the group's share of the run is spent. All workers are
restarted a few times within the run ("process rounds") so that a process's own luck is
sampled too. Every worker but the active one is stopped (SIGSTOP) while a block runs. The step
count of each block is calibrated once, in the first process round, one row at a time with the
other workers stopped, and then frozen. Writes the results JSON and nothing else: `make bench`
runs fieldguide/render/regions.py after it for the page, the charts and the claims.

--quick (under a minute) uses tiny shapes, short blocks and few rounds: it checks that every
row runs and the output's structure, never speed.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import random
import select
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fieldguide.measure import provenance
from fieldguide.measure.bench import evidence, fma_peak, machine, pairs, schema
from fieldguide.measure.bench.task import (
    GEMM_SIZES,
    GPU_GEMM_SIZES,
    GROUP_OF,
    PROBE_N,
    QUICK_GEMM_SIZES,
    QUICK_PROBE_N,
    QUICK_WORKLOADS,
    WORKLOADS,
    batch_for,
)
from fieldguide.measure.bench.worker import row_key
from fieldguide.project import ROOT, tensorflow_cpu_build

RUNS = ROOT / "docs" / "data" / "bench-runs"  # every committed run; fieldguide/measure/bench/evidence.py reads them
HARNESS_VERSION = "4"
REPLY_TIMEOUT_S = 300  # one prepare (every row's compile) or one block; past it the run fails

# Idle workers must not take the cores the active one needs, and both frameworks get the same
# settings. The coordinator stops every worker but the active one (SIGSTOP, Process.pause), so
# an idle worker's thread pools, housekeeping threads and spinning OpenMP threads cannot run at
# all between its blocks. The wait policies below bound what is left: the spin of the active
# worker's own pools after its block ends, before the coordinator stops it. Not
# OMP_WAIT_POLICY=PASSIVE: it puts PyTorch's OpenMP threads (libgomp) to sleep after every
# parallel region, so each small op of an eager step pays a wake-up and PyTorch's small models
# ran several times slower than with its default, which is not what a reader runs. A bounded
# spin (GOMP_SPINCOUNT, KMP_BLOCKTIME for an Intel OpenMP) keeps the default's speed between
# ops. TensorFlow's Eigen pool parks its threads once its own short spin ends. NumPy's OpenBLAS
# (the probe) spins about 2^n cycles before sleeping: n = 4, its least.
WAIT_ENV = {"GOMP_SPINCOUNT": "100000", "KMP_BLOCKTIME": "1", "OPENBLAS_THREAD_TIMEOUT": "4"}
# glibc's malloc serves large blocks with fresh mmap()s and hands freed heap back to the kernel
# past a threshold that moves with the process's own history of frees. A PyTorch eager step
# that allocates a few MB of activations then page-faults thousands of times a step in one
# process and not at all in the next, and its time depends on which (the rows' page faults
# per step are in the results). Fixed thresholds, the same in every worker of both frameworks,
# keep freed memory in the process: after the warm-up no row faults, whatever ran before it.
# Readers see the same effect; jemalloc or tcmalloc, which some tuning guides preload, avoid it
# too.
MALLOC_ENV = {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=268435456:glibc.malloc.trim_threshold=1073741824"}

AA_WORKLOAD = ("mlp_wide", "train", 256)  # the A/A rows and the thread and oneDNN tips


class BenchError(RuntimeError):
    """A worker failed; the message names it."""


def worker(framework: str, mode: str, threads: int, rows: list[dict], suffix: str = "", env=None) -> dict:
    name = f"{framework}:{mode}" + (f":{suffix}" if suffix else "")
    return {"name": name, "framework": framework, "mode": mode, "threads": threads, "env": env or {}, "rows": rows}


def twin(w: dict, timed: dict, of: str) -> dict:
    """An A/A worker: the configuration `of` again, timing only `timed`."""
    return {**w, "timed": [timed], "twin_of": of}


def row(model: str, task: str, batch: int, variant: str = "default") -> dict:
    return {"model": model, "task": task, "batch": batch, "variant": variant}


def row_id(w: dict, r: dict) -> str:
    return f"{w['name']}/{row_key(r)}"


def workload_key(model: str, task: str, batch: int) -> str:
    return f"{model}/{task}/b{batch}"


def plan(threads: int, quick: bool, bf16: bool, device: str = "cpu", tf_rows: bool = True) -> list[dict]:
    """Every worker and the rows it holds. On a GPU, the frameworks' GEMMs add GPU_GEMM_SIZES
    (NumPy, on the CPU, keeps the CPU sizes), and `tf_rows=False` leaves TensorFlow out (its
    CPU build beside CUDA torch: requirements-gpu-torch.txt)."""
    loads = [row(m, t, batch_for(b, quick)) for m, t, b in (QUICK_WORKLOADS if quick else WORKLOADS)]
    sizes = QUICK_GEMM_SIZES if quick else GEMM_SIZES
    probe_n = QUICK_PROBE_N if quick else PROBE_N
    fp32 = [row(f"gemm_{n}", "matmul", n) for n in sizes]
    on_device = [*sizes, *(GPU_GEMM_SIZES if device == "cuda" else ())]
    gemms = [row(f"gemm_{n}", "matmul", n) for n in on_device]
    gemms += [row(f"gemm_{n}", "matmul", n, "bf16") for n in on_device] if bf16 else []
    small_train = row("mlp_small", "train", batch_for(256, quick))
    small_infer = row("mlp_small", "infer", 1)
    wide_infer = row("mlp_wide", "infer", batch_for(256, quick))
    aa = row(AA_WORKLOAD[0], AA_WORKLOAD[1], batch_for(AA_WORKLOAD[2], quick))
    torch_variants = [
        {**small_infer, "variant": "inference_mode"},
        {**small_train, "variant": "bf16_autocast"},
        {**wide_infer, "variant": "bf16_autocast"},
    ]
    keras = [{**small_train, "variant": v} for v in ("fit_jit_auto", "fit_jit_false", "loop")]
    tips = [
        worker("torch", "eager", 1, [aa], "threads1"),
        worker("tf", "function", 1, [aa], "threads1"),
        worker("tf", "function", threads, [aa, wide_infer], "onednn0", {"TF_ENABLE_ONEDNN_OPTS": "0"}),
    ]
    workers = [
        worker("numpy", "eager", threads, [row("probe", "matmul", probe_n), *fp32]),
        worker("torch", "eager", threads, loads + gemms + torch_variants),
        worker("torch", "compile", threads, loads),
        worker("tf", "eager", threads, loads + gemms),
        worker("tf", "function", threads, loads + keras),
        worker("tf", "xla", threads, loads),
        # A/A: the same configuration holding the same rows (so the same memory and caches), of
        # which only the A/A row is timed, in blocks of the same step count as its configuration's
        twin(worker("torch", "eager", threads, loads + gemms + torch_variants, "twin"), aa, "torch:eager"),
        twin(worker("tf", "function", threads, loads + keras, "twin"), aa, "tf:function"),
        *(tips[:1] if quick else tips),  # --quick: one TensorFlow import fewer per tip
    ]
    return [w for w in workers if tf_rows or w["framework"] != "tf"]


def groups_of(workers: list[dict]) -> list[dict]:
    """The groups of rows measured side by side: one per workload, one per GEMM size."""
    probe = next(row_id(w, r) for w in workers for r in w["rows"] if r["model"] == "probe")
    out: dict[str, dict] = {}
    for w in workers:
        for r in w.get("timed", w["rows"]):
            if r["model"] == "probe":
                continue
            key = workload_key(r["model"], r["task"], r["batch"])
            kind = "gemm" if r["task"] == "matmul" else "workload"
            g = out.setdefault(key, {"name": key, "kind": kind, "model": r["model"], "task": r["task"],
                                     "batch": r["batch"], "rows": [], "probe": probe})  # fmt: skip
            g["rows"].append(row_id(w, r))
    return list(out.values())


def comparisons_of(group: dict, times: dict[str, float] | None = None) -> list[dict]:
    """The ratios a group reports, each t_a / t_b over the same rounds. `times` (a row's
    geometric-mean time so far) picks each framework's fastest mode for the headline ratio."""
    rows, key = set(group["rows"]), group["name"]

    def rid(worker_name: str, variant: str = "default") -> str | None:
        wanted = f"{worker_name}/{key}/{variant}"
        return wanted if wanted in rows else None

    def fastest(*names: str) -> str | None:
        present = [r for r in (rid(n) for n in names) if r]
        if not present:
            return None
        return min(present, key=lambda r: (times or {}).get(r, math.inf)) if times else present[0]

    out = []

    def add(kind: str, cid: str, a: str | None, b: str | None) -> None:
        if a and b:
            out.append({"id": f"{key}/{cid}", "group": key, "kind": kind, "name": cid, "a": a, "b": b,
                        "model": group["model"], "task": group["task"], "batch": group["batch"]})  # fmt: skip

    if group["kind"] == "gemm":
        for dtype in ("default", "bf16"):
            add("gemm", f"torch_vs_tf_{dtype}", rid("torch:eager", dtype), rid("tf:eager", dtype))
        add("gemm", "torch_vs_numpy", rid("torch:eager"), rid("numpy:eager"))
        add("gemm", "tf_vs_numpy", rid("tf:eager"), rid("numpy:eager"))
        add("gemm", "torch_bf16_vs_fp32", rid("torch:eager", "bf16"), rid("torch:eager"))
        return out
    add("headline", "best", fastest("torch:eager", "torch:compile"), fastest("tf:eager", "tf:function", "tf:xla"))
    add("headline", "torch_compiled_vs_eager", rid("torch:compile"), rid("torch:eager"))
    add("headline", "tf_compiled_vs_eager", fastest("tf:function", "tf:xla"), rid("tf:eager"))
    add("aa", "aa_torch", rid("torch:eager:twin"), rid("torch:eager"))
    add("aa", "aa_tf", rid("tf:function:twin"), rid("tf:function"))
    add("tip", "torch_threads", rid("torch:eager"), rid("torch:eager:threads1"))
    add("tip", "tf_threads", rid("tf:function"), rid("tf:function:threads1"))
    add("tip", "tf_onednn", rid("tf:function"), rid("tf:function:onednn0"))
    add("tip", "tf_xla", rid("tf:xla"), rid("tf:function"))
    add("tip", "torch_inference_mode", rid("torch:eager", "inference_mode"), rid("torch:eager"))
    add("tip", "torch_bf16_autocast", rid("torch:eager", "bf16_autocast"), rid("torch:eager"))
    add("tip", "keras_jit_auto", rid("tf:function", "fit_jit_auto"), rid("tf:function", "fit_jit_false"))
    add("tip", "keras_loop", rid("tf:function", "loop"), rid("tf:function", "fit_jit_auto"))
    if group["task"] != "train":  # the XLA tip is about training steps
        out = [c for c in out if c["name"] != "tf_xla"]
    return out


def worker_env(w: dict, cache_dir: str) -> dict:
    env = {**os.environ, **WAIT_ENV, **MALLOC_ENV, **w["env"]}
    # BLAS pools read these at load time: NumPy's OpenBLAS has no other switch.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(w["threads"])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["KERAS_BACKEND"] = "tensorflow"
    env["TORCHINDUCTOR_CACHE_DIR"] = cache_dir
    env["TORCHINDUCTOR_COMPILE_THREADS"] = "1"  # no pool of compile processes left idling beside the blocks
    return env


class Process:
    """One running worker: JSON lines out on stdin, replies read with a timeout."""

    def __init__(self, w: dict, settings: dict, workdir: Path, tag: str):
        self.spec, self.buffer = w, b""
        spec = workdir / f"{tag}.spec.json"
        spec.write_text(json.dumps({"worker": w, "settings": settings}))
        self.log = workdir / f"{tag}.log"
        with self.log.open("w") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "fieldguide.measure.bench.worker", str(spec)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=worker_env(w, str(workdir / "inductor-cache")),
            )

    def fail(self, what: str) -> BenchError:
        tail = "\n".join(self.log.read_text(errors="replace").strip().splitlines()[-15:])
        self.kill()
        return BenchError(f"worker {self.spec['name']} {what}:\n{tail}")

    def send(self, msg: dict) -> None:
        try:
            self.proc.stdin.write((json.dumps(msg) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise self.fail(f"exited with status {self.proc.wait()}") from None

    def recv(self, timeout: float = REPLY_TIMEOUT_S) -> dict:
        fd, end = self.proc.stdout.fileno(), time.monotonic() + timeout
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([fd], [], [], max(0.0, end - time.monotonic()))
            if not ready:
                raise self.fail(f"sent no reply within {timeout:.0f} s")
            chunk = os.read(fd, 65536)
            if not chunk:
                raise self.fail(f"exited with status {self.proc.wait()}")
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        reply = json.loads(line)
        if "error" in reply:
            raise self.fail(f"failed: {reply['error']}")
        return reply

    def ask(self, msg: dict) -> dict:
        self.send(msg)
        return self.recv()

    def pause(self) -> None:
        """Stopped by the kernel: none of its threads runs until resume()."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)

    def close(self) -> None:
        self.resume()
        try:
            self.send({"op": "exit"})
            self.proc.wait(timeout=30)
        except (BenchError, subprocess.TimeoutExpired):
            self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def versions() -> dict:
    """The installed versions; None for one this machine lacks (the GPU check's has no TensorFlow)."""
    out = {"python": platform.python_version()}
    for dists, key in ((("torch",), "torch"), (("tensorflow-cpu", "tensorflow"), "tensorflow"),
                       (("keras",), "keras"), (("numpy",), "numpy")):  # fmt: skip
        out[key] = None
        for dist in dists:
            try:
                out[key] = importlib.metadata.version(dist)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
    return out


def settings_for(quick: bool, device: str, threads: int, bf16: bool) -> dict:
    return {
        "device": device,
        "threads": threads,
        "interop_threads": 1,
        "quick": quick,
        "warmup": 1 if quick else 2,
        "block_s": 0.01 if quick else 0.1,
        "process_rounds": 1 if quick else 3,
        "min_rounds_per_process": 2 if quick else 4,
        "run_budget_s": 25 if quick else 540,  # the whole run, start-ups included
        "startup_guess_s": 10 if quick else 45,  # a later process round's start-up, until one is timed
        "target_half_width": pairs.TARGET_HALF_WIDTH,
        "tie_margin": pairs.TIE_MARGIN,
        "bootstrap": {"reps": pairs.REPS, "seed": pairs.SEED, "resampled": "processes, then rounds within each"},
        "shuffle_seed": 2017,
        "wait_env": WAIT_ENV,
        "malloc_env": MALLOC_ENV,
        "idle_workers": "stopped (SIGSTOP) between their blocks",
        "bf16_gemm": bf16,
        "torch_compile_backend": "aot_eager" if quick else "inductor",
        "tf32": "off in both (set explicitly)" if device == "cuda" else "not applicable on CPU",
    }


def geo_means(groups: list[dict]) -> dict[str, float]:
    """Each row's geometric-mean seconds per step over every round of its group."""
    logs: dict[str, list[float]] = {}
    for g in groups:
        for proc in g["processes"]:
            for rnd in proc:
                for rid, s in rnd.items():
                    if rid != "t":
                        logs.setdefault(rid, []).append(math.log(s))
    return {rid: math.exp(sum(v) / len(v)) for rid, v in logs.items()}


def compare(group: dict, reps: int) -> list[dict]:
    """The group's comparisons with their ratios and intervals, from its rounds so far."""
    times = geo_means([group])
    out = []
    for c in comparisons_of(group, times):
        logs = [pairs.log_ratios(proc, c["a"], c["b"]) for proc in group["processes"]]
        if sum(map(len, logs)) < 2:
            continue
        out.append({**c, **pairs.summarize(logs, reps=reps)})
    return out


STEERING = ("headline", "aa", "gemm")  # the kinds the stopping rule waits for; tips get what they get


def converged(group: dict) -> bool:
    found = [c for c in compare(group, reps=500) if c["kind"] in STEERING]
    return bool(found) and all(c["converged"] for c in found)


def one_round(group: dict, procs: dict[str, Process], steps: dict[str, int], rng: random.Random, t0: float,
              faults: dict[str, list[float]]) -> dict:  # fmt: skip
    """One block of each row and of the probe, in a fresh order; only the active worker runs."""
    order = [*group["rows"], group["probe"]]
    rng.shuffle(order)
    out = {"t": time.perf_counter() - t0}
    for rid in order:
        wname, local = rid.split("/", 1)
        proc = procs[wname]
        proc.resume()
        reply = proc.ask({"op": "block", "row": local, "steps": steps[rid]})
        proc.pause()
        out[rid] = reply["s"]
        faults.setdefault(rid, []).append(reply["faults"])
    return out


def measure(groups, procs, steps, settings, budget_s, rng, t0, log, faults) -> None:
    """Rounds of every group, round-robin in shuffled order, until each is converged or has
    spent its share of `budget_s`; time left over goes to the groups still short of the target."""
    start = time.perf_counter()
    share = budget_s / len(groups)
    for g in groups:
        g["processes"].append([])
    spent = {g["name"]: 0.0 for g in groups}
    state = {g["name"]: "active" for g in groups}
    while time.perf_counter() - start < budget_s or any(
        len(g["processes"][-1]) < settings["min_rounds_per_process"] for g in groups
    ):
        active = [g for g in groups if state[g["name"]] == "active"]
        if not active:
            capped = [g for g in groups if state[g["name"]] == "capped"]
            if not capped:
                break
            for g in capped:  # the time the converged groups left
                state[g["name"]] = "active"
            share = math.inf
            continue
        rng.shuffle(active)
        for g in active:
            begun = time.perf_counter()
            g["processes"][-1].append(one_round(g, procs, steps, rng, t0, faults))
            spent[g["name"]] += time.perf_counter() - begun
            g["spent_s"] += time.perf_counter() - begun
            if len(g["processes"][-1]) < settings["min_rounds_per_process"]:
                continue
            if converged(g):
                state[g["name"]] = "converged"
            elif spent[g["name"]] >= share:
                state[g["name"]] = "capped"
            if time.perf_counter() - start >= budget_s and all(
                len(x["processes"][-1]) >= settings["min_rounds_per_process"] for x in groups
            ):
                break
    done = sum(s == "converged" for s in state.values())
    log(f"  measured {time.perf_counter() - start:.0f} s: {done} of {len(groups)} groups within the target")


def start_processes(workers: list[dict], settings: dict, workdir: Path, r: int) -> dict[str, Process]:
    procs = {}
    try:
        for i, w in enumerate(workers):
            procs[w["name"]] = Process(w, settings, workdir, f"p{r}-{i}")
        for p in procs.values():  # imports run side by side; nothing is timed yet
            p.recv()
    except BaseException:
        for p in procs.values():
            p.kill()
        raise
    return procs


def prepare_all(procs: dict[str, Process], first: bool) -> dict[str, dict]:
    """Every worker builds and warms its rows. In the first process round of a full run the
    first calls are reported, so they run in two lanes, one per core of a 2-core machine:
    torch.compile's (the long cold compiles) beside every other worker's, one at a time.
    Later rounds prepare everything at once."""
    if not first:
        for p in procs.values():
            p.send({"op": "prepare"})
        return {name: p.recv()["rows"] for name, p in procs.items()}
    lane = "torch:compile" if "torch:compile" in procs else None
    if lane:
        procs[lane].send({"op": "prepare"})
    reports = {name: p.ask({"op": "prepare"})["rows"] for name, p in procs.items() if name != lane}
    if lane:
        reports[lane] = procs[lane].recv()["rows"]
    return reports


def calibrate_all(workers: list[dict], procs: dict[str, Process], block_s: float) -> dict[str, float]:
    """Seconds per call of every timed row, one row at a time with every other worker stopped
    (a count set while another process compiled or warmed up made blocks far shorter than
    asked, and a block of a few calls pays the first calls' cost after an idle spell). An A/A
    twin takes the count of the configuration it twins: the two run identical blocks."""
    out: dict[str, float] = {}
    for w in workers:
        if "twin_of" in w:
            continue
        proc = procs[w["name"]]
        proc.resume()
        for r in w.get("timed", w["rows"]):
            out[row_id(w, r)] = proc.ask({"op": "calibrate", "row": row_key(r), "seconds": block_s / 2})["call_s"]
        proc.pause()
    for w in workers:
        if "twin_of" in w:
            twin = next(x for x in workers if x["name"] == w["twin_of"])
            for r in w["timed"]:
                out[row_id(w, r)] = out[row_id(twin, r)]
    return out


def run(quick: bool, device: str, threads: int, workers: list[dict] | None = None, log=print, **overrides) -> dict:
    t0 = time.perf_counter()
    cpu = machine.describe()
    # TensorFlow's rows on a GPU need its CUDA build; tensorflow-cpu (beside CUDA torch) runs none,
    # and a machine without TensorFlow (the GPU check's) none at all.
    has_tf = importlib.util.find_spec("tensorflow") is not None
    tf_rows = has_tf and (device == "cpu" or not tensorflow_cpu_build())
    # bf16 GEMM rows where the CPU has bf16 units; on a GPU, the fp32 rows only.
    bf16 = cpu["bf16_hardware"] and device == "cpu"
    settings = {**settings_for(quick, device, threads, bf16), "tf_rows": tf_rows, **overrides}
    workers = workers if workers is not None else plan(threads, quick, bf16, device, tf_rows)
    gpu = provenance.gpu_description() if device == "cuda" else None
    groups = groups_of(workers)
    for g in groups:
        g.update(processes=[], spent_s=0.0)
    rng = random.Random(settings["shuffle_seed"])
    rows: dict[str, dict] = {}
    steps: dict[str, int] = {}
    fma_runs, phases = [], []
    faults: dict[str, list[float]] = {}  # minor page faults per step, every block of every row
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        workdir = Path(tmp)
        fma = fma_peak.measure(threads, seconds=0.05 if quick else 0.2, workdir=workdir)
        fma_runs.append(fma)
        for r in range(settings["process_rounds"]):
            begun = time.perf_counter()
            procs = start_processes(workers, settings, workdir, r)
            try:
                reports = prepare_all(procs, first=(r == 0 and not quick))
                for p in procs.values():
                    p.pause()
                if r == 0:
                    call_s = calibrate_all(workers, procs, settings["block_s"])
                for w in workers:
                    for r_ in w.get("timed", w["rows"]):
                        rid = row_id(w, r_)
                        rep = reports[w["name"]][row_key(r_)]
                        if r == 0:
                            steps[rid] = max(1, round(settings["block_s"] / call_s[rid]))
                            rows[rid] = {
                                "id": rid,
                                "worker": w["name"],
                                "framework": w["framework"],
                                "mode": w["mode"],
                                "threads": w["threads"],
                                **r_,
                                "group": "probe" if r_["model"] == "probe" else GROUP_OF.get(r_["model"], "G0"),
                                "flops": rep["flops"],
                                "steps_per_block": steps[rid] * rep["steps_per_call"],
                                "first_call_s": rep["first_call_s"],
                                "first_call_later_s": [],
                                "rss_growth_mib": rep["rss_growth_mib"],
                                "device_peak_mib": rep["device_peak_mib"],
                            }
                        else:
                            rows[rid]["first_call_later_s"].append(rep["first_call_s"])
                startup = time.perf_counter() - begun
                if r:
                    fma_runs.append(fma_peak.measure(threads, seconds=0.05 if quick else 0.2, workdir=workdir))
                left = settings["process_rounds"] - r
                later = settings["startup_guess_s"] if r == 0 else startup
                remaining = settings["run_budget_s"] - (time.perf_counter() - t0) - later * (left - 1)
                budget = max(remaining / left, 0.0)
                log(f"process round {r + 1}/{settings['process_rounds']}: started in {startup:.0f} s, "
                    f"measuring for {budget:.0f} s ({time.perf_counter() - t0:.0f} s into the run)")  # fmt: skip
                m0 = time.perf_counter()
                measure(groups, procs, steps, settings, budget, rng, t0, log, faults)
                phases.append({"startup_s": startup, "measure_s": time.perf_counter() - m0})
            finally:
                for p in procs.values():
                    p.close()
    means = geo_means(groups)
    for rid, rr in rows.items():
        rr["geomean_s"] = means[rid]
        rr["page_faults_per_step"] = {"median": statistics.median(faults[rid]), "max": max(faults[rid])}
        if rr["flops"]:
            rr["gflops"] = rr["flops"] / means[rid] / 1e9
    comparisons = [c for g in groups for c in compare(g, pairs.REPS)]
    for c in comparisons:
        c["verdict"] = pairs.verdict(c["lo"], c["hi"])
    best_fma = max(fma_runs, key=lambda f: f["all_threads_gflops"])
    device_peak = None
    if device == "cuda":
        # The GPU's peak for the page's fractions: its fastest fp32 GEMM here, not the CPU's FMA kernel.
        on_gpu = [r for r in rows.values() if r["task"] == "matmul" and r["framework"] != "numpy"
                  and r["variant"] == "default" and r.get("gflops")]  # fmt: skip
        best = max(on_gpu, key=lambda r: r["gflops"])
        device_peak = {"gflops": best["gflops"], "row": best["id"], "source": "the fastest fp32 GEMM row of this run"}
    return {
        "harness_version": HARNESS_VERSION,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": quick,
        "device": device,
        "machine": {
            **cpu,
            "platform": platform.platform(),
            "fma_peak": {
                **best_fma,
                "runs": [f["all_threads_gflops"] for f in fma_runs],
                "runs_one_thread": [f["one_thread_gflops"] for f in fma_runs],
            },
        },
        "gpu": gpu,
        "device_gemm_peak": device_peak,
        "versions": versions(),
        "settings": settings,
        "workers": workers,
        "rows": list(rows.values()),
        "groups": groups,
        "comparisons": comparisons,
        "phases": phases,
        "total_s": time.perf_counter() - t0,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="under a minute; checks structure, not speed")
    parser.add_argument("--out", type=Path, help=f"default: {RUNS.relative_to(ROOT)}/MACHINE-DATE.json")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--threads", type=int, help="intra-op threads per worker (default: all CPUs)")
    parser.add_argument("--budget", type=float, help="seconds for the whole run (a trial; default 540 s)")
    parser.add_argument("--process-rounds", type=int, help="times every worker starts (a trial; default 3)")
    args = parser.parse_args(argv)
    overrides = {k: v for k, v in (("run_budget_s", args.budget), ("process_rounds", args.process_rounds)) if v}
    try:
        # One block runs at a time, so every worker may use every core.
        results = run(args.quick, args.device, args.threads or machine.usable_cpus(), **overrides)
        schema.validate(results)
    except (BenchError, ValueError, RuntimeError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    # A machine's verdicts need its last two runs: two `make bench` in a row give the pair.
    out = args.out or RUNS / f"{evidence.slug(results)}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    # The JSON only: `make bench` then runs the generators (pages, charts, claims P1 to P3).
    print(f"wrote {out} in {results['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
