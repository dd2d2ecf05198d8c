"""One benchmark process: `python -m bench.worker SPEC.json OUT.json` (PYTHONPATH=scripts).

SPEC holds a list of configurations that share a framework, a thread count and an environment.
The driver gives each configuration its own process in a full run; --quick packs them together.
Threads are set before the framework runs any op; every row is warmed up, its first call timed
on its own, then timed in blocks.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
from pathlib import Path

from bench import timing

MODULES = {"numpy": "bench.workloads_numpy", "torch": "bench.workloads_torch", "tf": "bench.workloads_tf"}


def run_task(module, task, settings: dict) -> dict:
    sync = module.sync
    timing.reset_peak_rss()
    reset_device = getattr(module, "reset_device_peak", None)
    if reset_device:
        reset_device()
    rss_before = timing.rss_mib()
    fn = task.make()
    start = time.perf_counter()
    fn()  # traces or compiles in graph modes; allocates and picks kernels in eager ones
    sync()
    first_call = time.perf_counter() - start
    for _ in range(settings["warmup"]):
        fn()
    sync()
    iterations = timing.iterations_for(fn, sync, settings["target_sample_s"])
    samples = timing.blocked_samples(fn, sync, iterations, settings["samples"])
    peak = timing.peak_rss_mib()
    device_peak = getattr(module, "device_peak_mib", lambda: None)()
    return {
        "model": task.model,
        "task": task.task,
        "batch": task.batch,
        "variant": task.variant,
        "flops": task.flops,
        "iterations": iterations * task.steps_per_call,
        "samples_s": [s / task.steps_per_call for s in samples],
        "first_call_s": first_call,
        "rss_growth_mib": None if peak is None or rss_before is None else max(peak - rss_before, 0.0),
        "device_peak_mib": device_peak,
    }


def exit_with_parent() -> None:
    """A killed driver (a test's timeout, Ctrl-C) must not leave workers burning the cores."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def main(spec_path: str, out_path: str) -> None:
    exit_with_parent()
    spec = json.loads(Path(spec_path).read_text())
    configs, settings = spec["configs"], spec["settings"]
    frameworks = {c["framework"] for c in configs}
    if len(frameworks) != 1:
        raise ValueError(f"one framework per process, got {sorted(frameworks)}")
    import_start = time.perf_counter()
    module = importlib.import_module(MODULES[frameworks.pop()])
    import_s = time.perf_counter() - import_start
    if hasattr(module, "configure"):
        module.configure(configs[0]["threads"], settings["device"])
    results = []
    for config in configs:
        options = {**settings, **config.get("options", {})}
        for task in module.tasks(config["group"], config["mode"], options):
            row = run_task(module, task, settings)
            results.append({"config": config["name"], **row})
            print(f"  {config['name']} {task.key()} {task.variant}: {row['first_call_s']:.2f} s first call", flush=True)
    Path(out_path).write_text(json.dumps({"import_s": import_s, "rows": results}))


if __name__ == "__main__":
    main(*sys.argv[1:])
