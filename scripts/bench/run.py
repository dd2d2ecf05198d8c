"""The benchmark driver: `python scripts/bench/run.py [--quick] [--out FILE] [--device cpu|cuda]`.

Spawns one worker process per framework, mode and cookbook change (the workload groups of a mode
share it), interleaving the frameworks and reversing the order every other round so slow drift of
the machine falls on both alike; inside a worker, samples are taken in several sweeps over its rows.
Every worker gets the same intra-op thread count and one inter-op thread.
Writes the results JSON, then (unless --no-report) the page tables and charts from it.
--quick (under a minute) packs configurations into one process per framework and environment,
runs them concurrently, uses tiny GEMMs and few iterations: it checks that everything runs and
the output's structure, never speed.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime
import importlib.metadata
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))

from bench import machine, schema, timing

ROOT = SCRIPTS.parent
DEFAULT_OUT = ROOT / "docs" / "data" / "bench.json"
PREVIOUS_OUT = ROOT / "docs" / "data" / "bench-previous.json"
HARNESS_VERSION = "2"
WORKER_TIMEOUT_S = 420
COOKBOOK_KEYS = ["mlp_wide/train/b256", "mlp_wide/infer/b256", "mlp_wide/train/b4", "mlp_wide/infer/b4"]


class BenchError(RuntimeError):
    """A worker failed; the message names its configuration."""


def config(framework, group, mode, threads, name_suffix="", env=None, **options) -> dict:
    name = f"{framework}:{group}:{mode}" + (f":{name_suffix}" if name_suffix else "")
    return {
        "name": name,
        "framework": framework,
        "group": group,
        "mode": mode,
        "threads": threads,
        "env": env or {},
        "options": options,
    }


def plan(threads: int) -> list[dict]:
    """Every configuration, in ABAB order: torch and TensorFlow alternate through the list."""
    torch_side = [config("numpy", "G0", "eager", threads), config("torch", "G0", "eager", threads)]
    tf_side = [config("tf", "G0", "eager", threads)]
    for group in ("M1", "C1", "T1", "L1"):
        for mode in ("eager", "compile"):
            extra = {}
            if (group, mode) == ("M1", "eager"):  # cookbook variants on the small MLP: emulated bf16 is slow
                extra = {"variants": ["default", "inference_mode", "bf16_autocast"], "variant_models": ["mlp_small"]}
            torch_side.append(config("torch", group, mode, threads, **extra))
        tf_side += [config("tf", group, mode, threads) for mode in ("eager", "function", "xla")]
    tf_side += [config("tf", "API", mode, threads) for mode in ("fit_jit_auto", "fit_jit_false", "loop")]
    # Cookbook: one change against the default configuration, measured in the same run.
    torch_side.append(config("torch", "M1", "eager", 1, "threads1", only=COOKBOOK_KEYS))
    tf_side.append(config("tf", "M1", "function", 1, "threads1", only=COOKBOOK_KEYS))
    for flag in ("0", "1"):
        tf_side.append(
            config(
                "tf", "M1", "function", threads, f"onednn{flag}", {"TF_ENABLE_ONEDNN_OPTS": flag}, only=COOKBOOK_KEYS
            )
        )
    pairs = itertools.zip_longest(torch_side, tf_side)
    return [c for pair in pairs for c in pair if c is not None]


def processes(plan_: list[dict], quick: bool) -> list[list[dict]]:
    """The configurations each worker process runs, in plan order.

    A full run gives each framework, mode, thread count and environment its own process: the
    workload groups of one mode share it (an import and a compiler cache, not a model). --quick
    packs every mode of a framework and environment into one process, to run them side by side.
    """

    def key(c: dict) -> tuple:
        family = "" if quick else ("API" if c["group"] == "API" else c["mode"])
        return c["framework"], family, c["threads"], json.dumps(c["env"], sort_keys=True)

    batches: dict[tuple, list[dict]] = {}
    for c in plan_:
        batches.setdefault(key(c), []).append(c)
    return list(batches.values())


def worker_env(threads: int, extra: dict, cache_dir: str) -> dict:
    env = {**os.environ, **extra}
    env["PYTHONPATH"] = os.pathsep.join([str(SCRIPTS), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # BLAS pools read these at load time: NumPy's OpenBLAS has no other switch.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["KERAS_BACKEND"] = "tensorflow"
    env["TORCHINDUCTOR_CACHE_DIR"] = cache_dir
    return env


def run_worker(configs: list[dict], settings: dict, workdir: Path, tag: str) -> dict:
    spec, out = workdir / f"{tag}.spec.json", workdir / f"{tag}.out.json"
    spec.write_text(json.dumps({"configs": configs, "settings": settings}))
    env = worker_env(configs[0]["threads"], configs[0]["env"], str(workdir / "inductor-cache"))
    names = ", ".join(c["name"] for c in configs)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "bench.worker", str(spec), str(out)],
            env=env,
            capture_output=True,
            text=True,
            timeout=settings["worker_timeout_s"],
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BenchError(f"worker for {names} ran past {settings['worker_timeout_s']} s") from exc
    if done.returncode != 0 or not out.exists():
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BenchError(f"worker for {names} failed with exit status {done.returncode}:\n{tail}")
    return json.loads(out.read_text())


def merge(plan_: list[dict], rounds: list[list[dict]], settings: dict) -> list[dict]:
    """One row per (configuration, model, task, batch, variant): samples of every round pooled."""
    configs = {c["name"]: c for c in plan_}
    merged: dict[str, dict] = {}
    for round_rows in rounds:
        for raw in round_rows:
            c = configs[raw["config"]]
            rid = f"{c['name']}/{raw['model']}/{raw['task']}/b{raw['batch']}/{raw['variant']}"
            row = merged.get(rid)
            if row is None:
                merged[rid] = {
                    "id": rid,
                    "config": c["name"],
                    "framework": c["framework"],
                    "group": c["group"],
                    "mode": c["mode"],
                    "threads": c["threads"],
                    "env": c["env"],
                    **{k: raw[k] for k in ("model", "task", "batch", "variant", "flops", "iterations")},
                    "samples_s": list(raw["samples_s"]),
                    "first_call_s": raw["first_call_s"],  # round one: a cold compile cache
                    "first_call_later_rounds_s": [],
                    "rss_growth_mib": raw["rss_growth_mib"],
                    "device_peak_mib": raw["device_peak_mib"],
                }
            else:
                row["samples_s"] += raw["samples_s"]
                row["first_call_later_rounds_s"].append(raw["first_call_s"])
                for key in ("rss_growth_mib", "device_peak_mib"):
                    if raw[key] is not None:
                        row[key] = max(row[key] or 0.0, raw[key])
    rows = list(merged.values())
    for row in rows:
        row.update(timing.summarize(row["samples_s"]))
        if row["flops"]:
            row["gflops"] = row["flops"] / row["median"] / 1e9
    return rows


def versions() -> dict:
    out = {"python": platform.python_version()}
    for dist, key in (("torch", "torch"), ("tensorflow-cpu", "tensorflow"), ("keras", "keras"), ("numpy", "numpy")):
        try:
            out[key] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            out[key] = importlib.metadata.version("tensorflow") if key == "tensorflow" else None
    return out


def run(quick: bool, device: str, threads: int, jobs: int, plan_: list[dict] | None = None) -> dict:
    cpu = machine.describe()
    settings = {
        "device": device,
        "threads": threads,
        "interop_threads": 1,
        "rounds": 1 if quick else 2,
        "samples": 5 if quick else 12,  # per round, G0 and M1 rows: the ones held to 5% between runs
        "samples_other": 5 if quick else 4,
        "passes": 1 if quick else 4,
        "warmup": 1 if quick else 2,
        "target_sample_s": 0.002 if quick else 0.1,
        "gemm_sizes": [64, 128] if quick else [1024, 2048],
        "bf16_gemm": cpu["bf16_hardware"],
        "torch_compile_backend": "aot_eager" if quick else "inductor",
        "quick": quick,
        "tf32": "off in both (set explicitly)" if device == "cuda" else "not applicable on CPU",
        "worker_timeout_s": WORKER_TIMEOUT_S,
    }
    plan_ = plan_ if plan_ is not None else plan(threads)
    batches = processes(plan_, quick)
    start = time.perf_counter()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        for r in range(settings["rounds"]):
            order = batches if r % 2 == 0 else batches[::-1]
            outs: list[dict] = []
            with concurrent.futures.ThreadPoolExecutor(max_workers=jobs if quick else 1) as pool:
                futures = [pool.submit(run_worker, b, settings, Path(tmp), f"r{r}-{i}") for i, b in enumerate(order)]
                for i, fut in enumerate(futures):
                    result = fut.result()
                    outs.extend(result["rows"])
                    names = ", ".join(c["name"] for c in order[i])
                    print(f"round {r + 1}/{settings['rounds']} [{i + 1}/{len(order)}] {names} "
                          f"({time.perf_counter() - start:.0f} s)", flush=True)  # fmt: skip
            rounds.append(outs)
    rows = merge(plan_, rounds, settings)
    fp32 = [r["gflops"] for r in rows if r["group"] == "G0" and r["variant"] == "default"]
    results = {
        "harness_version": HARNESS_VERSION,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "quick": quick,
        "device": device,
        "machine": {**cpu, "measured_peak_gflops": max(fp32) if fp32 else None, "platform": platform.platform()},
        "versions": versions(),
        "settings": settings,
        "plan": plan_,
        "total_s": time.perf_counter() - start,
        "rows": rows,
    }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="under a minute; checks structure, not speed")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--threads", type=int, help="intra-op threads per worker (default: all CPUs; 1 with --quick)")
    parser.add_argument("--jobs", type=int, default=machine.usable_cpus(), help="concurrent workers, --quick only")
    parser.add_argument("--no-report", action="store_true", help="write the JSON only")
    args = parser.parse_args(argv)
    try:
        # --quick runs workers side by side: one thread each keeps them from fighting over the cores
        threads = args.threads or (1 if args.quick else machine.usable_cpus())
        results = run(args.quick, args.device, threads, args.jobs)
        schema.validate(results)
    except (BenchError, ValueError) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.out.resolve() == DEFAULT_OUT.resolve() and DEFAULT_OUT.exists():
        # The page compares each run with the one before it: two `make bench` in a row give the pair.
        DEFAULT_OUT.replace(PREVIOUS_OUT)
    args.out.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"wrote {args.out} in {results['total_s']:.0f} s")
    if args.no_report:
        return 0
    if args.out.resolve() != DEFAULT_OUT.resolve():
        print(f"page and charts not updated: they show {DEFAULT_OUT.relative_to(ROOT)} only")
        return 0
    import generate

    # Everything written from the results: the page's tables and charts, and the verdicts
    # (claims P1 to P3, the decision guide's speed finding) computed from them.
    return generate.main([])


if __name__ == "__main__":
    sys.exit(main())
