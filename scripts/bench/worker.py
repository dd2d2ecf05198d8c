"""One benchmark process: `python -m bench.worker SPEC.json OUT.json` (PYTHONPATH=scripts).

SPEC holds a list of configurations that share a framework, a mode, a thread count and an
environment. Threads are set before the framework runs any op. Every row is built, its first call
timed on its own and warmed up in a first sweep; then the samples are taken in `passes` sweeps over
all the rows, in alternating order, so that each row's samples are spread over the process's whole
life instead of bunched into one second of a machine whose speed wanders.
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
from bench.task import samples_for

MODULES = {"numpy": "bench.workloads_numpy", "torch": "bench.workloads_torch", "tf": "bench.workloads_tf"}


def prepare(module, task, config: dict, settings: dict) -> dict:
    """Build one row, time its first call, warm it up and size its blocks; what the sweeps will time."""
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
    peak = timing.peak_rss_mib()
    device_peak = getattr(module, "device_peak_mib", lambda: None)()
    return {
        "fn": fn,
        "iterations": iterations,
        "wanted": samples_for(config["group"], settings),
        "samples": [],
        "config": config["name"],
        "steps_per_call": task.steps_per_call,
        "row": {
            "model": task.model,
            "task": task.task,
            "batch": task.batch,
            "variant": task.variant,
            "flops": task.flops,
            "iterations": iterations * task.steps_per_call,
            "first_call_s": first_call,
            # Rows built earlier stay alive, but memory their calls freed may be reused here: a lower bound.
            "rss_growth_mib": None if peak is None or rss_before is None else max(peak - rss_before, 0.0),
            "device_peak_mib": device_peak,
        },
    }


def sweep(module, prepared: list[dict], passes: int) -> None:
    for item in prepared:
        item["fn"]()  # one untimed call: the previous row's data has left the caches
        module.sync()
        item["samples"] += timing.blocked_samples(item["fn"], module.sync, item["iterations"], item["wanted"] // passes)


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
    prepared = []
    for config in configs:
        options = {**settings, **config.get("options", {})}
        for task in module.tasks(config["group"], config["mode"], options):
            item = prepare(module, task, config, settings)
            prepared.append(item)
            first = item["row"]["first_call_s"]
            print(f"  {config['name']} {task.key()} {task.variant}: {first:.2f} s first call", flush=True)
    passes = settings.get("passes", 1)
    uneven = sorted({item["wanted"] for item in prepared if item["wanted"] % passes})
    if uneven:
        raise ValueError(f"{uneven} samples do not split into {passes} passes")
    for p in range(passes):
        sweep(module, prepared if p % 2 == 0 else prepared[::-1], passes)
    results = [
        {"config": item["config"], **item["row"], "samples_s": [s / item["steps_per_call"] for s in item["samples"]]}
        for item in prepared
    ]
    Path(out_path).write_text(json.dumps({"import_s": import_s, "rows": results}))


if __name__ == "__main__":
    main(*sys.argv[1:])
    # The rows are written. Leaving without the interpreter's teardown, about 2 s of CPU once
    # TensorFlow is loaded, takes that much off every worker.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
