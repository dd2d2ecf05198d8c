"""One persistent benchmark process: `python -m fieldguide.measure.bench.worker SPEC.json`.

SPEC names one framework, mode, thread count and environment, and the rows this process holds.
The process imports its framework, sets the threads before any op runs, and then obeys the
coordinator (fieldguide/measure/bench/run.py) one JSON line at a time on stdin, answering on its own copy
of stdout (the real fd 1 is pointed at stderr, so nothing a library prints can garble a reply):

    {"op": "prepare"}                      build every row, time its first call, warm it up,
                                           estimate one call: {"rows": {row: {...}}}
    {"op": "calibrate", "row": R, "seconds": S}
                                           time calls back to back for at least S:
                                           {"call_s": seconds per call}
    {"op": "block", "row": R, "steps": N}  time N calls back to back: {"s": seconds per step,
                                           "faults": minor page faults per step}
    {"op": "exit"}

Between blocks the coordinator stops the process (SIGSTOP): none of its threads runs while
another worker's block does.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import signal
import sys
import threading
import time
from pathlib import Path

from fieldguide.measure.bench import timing

MODULES = {name: f"fieldguide.measure.bench.workloads_{name}" for name in ("numpy", "torch", "tf")}
WARM_CALL_BELOW_S = 0.05  # a block of cheap calls starts with one untimed call: the caches held another row


def row_key(row: dict) -> str:
    return f"{row['model']}/{row['task']}/b{row['batch']}/{row['variant']}"


def prepare(module, spec: dict, settings: dict) -> tuple[dict, dict]:
    """Every row built, first-called and warmed up; the calls to time, and what to report."""
    calls, report = {}, {}
    for row in spec["rows"]:
        task = module.task_for(row, spec["mode"], settings)
        timing.reset_peak_rss()
        rss_before = timing.rss_mib()
        fn = task.make()
        start = time.perf_counter()
        fn()  # traces or compiles in graph modes; allocates and picks kernels in eager ones
        module.sync()
        first = time.perf_counter() - start
        for _ in range(settings["warmup"]):
            fn()
        module.sync()
        start, n = time.perf_counter(), 0
        while n < 2 or time.perf_counter() - start < settings["block_s"] / 4:
            fn()
            module.sync()
            n += 1
        one = (time.perf_counter() - start) / n
        peak = timing.peak_rss_mib()
        key = row_key(row)
        calls[key] = (fn, task.steps_per_call, one)
        report[key] = {
            "first_call_s": first,
            "steps_per_call": task.steps_per_call,
            "flops": task.flops,
            # Rows built earlier stay alive, but memory their calls freed may be reused here: a lower bound.
            "rss_growth_mib": None if peak is None or rss_before is None else max(peak - rss_before, 0.0),
            "device_peak_mib": getattr(module, "device_peak_mib", lambda: None)(),
        }
        print(f"  {spec['name']} {key}: {first:.2f} s first call", file=sys.stderr, flush=True)
    # Every row once more, now that every other row has been built and run: the heap has grown
    # to what all of them need, so a block does not page-fault on memory a later row moved.
    for fn, _, _ in calls.values():
        for _ in range(settings["warmup"]):
            fn()
        module.sync()
    return calls, report


def block(module, fn, steps_per_call: int, one_call_s: float, steps: int) -> dict:
    """Seconds and minor page faults per step over `steps` calls back to back."""
    if one_call_s < WARM_CALL_BELOW_S:
        fn()
        module.sync()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    start = time.perf_counter()
    for _ in range(steps):
        fn()
    module.sync()  # queued device work must finish before the clock is read
    seconds = time.perf_counter() - start
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return {"s": seconds / steps / steps_per_call, "faults": faults / steps / steps_per_call}


def calibrate(module, fn, target_s: float) -> float:
    """Seconds per call from calls back to back that last at least `target_s`, the count
    doubled until they do; the first call is untimed. The coordinator runs this with every
    other worker stopped, so the count it sets is not skewed by another process's work."""
    fn()
    module.sync()
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        module.sync()
        elapsed = time.perf_counter() - start
        if elapsed >= target_s:
            return elapsed / n
        n *= 2


def exit_with_parent() -> None:
    """A killed coordinator (a test's timeout, Ctrl-C) must not leave workers holding memory.
    The coordinator keeps idle workers stopped (SIGSTOP), and a stopped process runs no
    watcher thread: on Linux the kernel sends SIGKILL, which a stopped process still obeys."""
    parent = os.getppid()
    if sys.platform == "linux":
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(3)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(3)

    threading.Thread(target=watch, daemon=True).start()


def main(spec_path: str) -> None:
    exit_with_parent()
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    payload = json.loads(Path(spec_path).read_text())
    spec, settings = payload["worker"], payload["settings"]

    def reply(obj: dict) -> None:
        replies.write(json.dumps(obj) + "\n")
        replies.flush()

    start = time.perf_counter()
    module = importlib.import_module(MODULES[spec["framework"]])
    if hasattr(module, "configure"):
        module.configure(spec["threads"], settings["device"])
    reply({"ready": True, "import_s": time.perf_counter() - start, "pid": os.getpid()})
    calls: dict = {}
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["op"] == "prepare":
                calls, report = prepare(module, spec, settings)
                reply({"rows": report})
            elif msg["op"] == "calibrate":
                fn, per_call, _ = calls[msg["row"]]
                one = calibrate(module, fn, msg["seconds"])
                calls[msg["row"]] = (fn, per_call, one)
                reply({"call_s": one})
            elif msg["op"] == "block":
                fn, per_call, one = calls[msg["row"]]
                reply(block(module, fn, per_call, one, msg["steps"]))
            elif msg["op"] == "exit":
                break
        except Exception as exc:  # the coordinator names the worker and stops the run
            reply({"error": f"{type(exc).__name__}: {exc}"})
            break


if __name__ == "__main__":
    main(*sys.argv[1:])
    # Leaving without the interpreter's teardown, about 2 s of CPU once TensorFlow is loaded.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
