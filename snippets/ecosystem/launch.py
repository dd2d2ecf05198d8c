"""Start worker processes for a distributed run, and fail fast, naming the worker, when one dies."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SNIPPETS = Path(__file__).resolve().parent.parent


class WorkerFailed(RuntimeError):
    """A worker exited with an error, or the run outlived its time limit."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 6) -> str:
    return "\n".join(path.read_text(errors="replace").strip().splitlines()[-lines:])


# --8<-- [start:run-workers]
def run_workers(commands: list[list[str]], envs: list[dict], timeout: float) -> list[str]:
    """Run one process per command at once; return their stdouts.

    A worker that exits with an error makes the others pointless (they would wait
    for it in the next collective), so they are killed at once and the error names it.
    """
    base_env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SNIPPETS), os.environ.get("PYTHONPATH", "")]),
        # One compute thread per worker: several workers share a small machine, and idle threads
        # spinning for a core another worker holds made a run several times slower.
        "OMP_NUM_THREADS": "1",
        "TF_NUM_INTRAOP_THREADS": "1",
    }
    with tempfile.TemporaryDirectory() as tmp:
        outs = [Path(tmp, f"worker{i}.out") for i in range(len(commands))]
        errs = [Path(tmp, f"worker{i}.err") for i in range(len(commands))]
        procs = []
        for command, env, out, err in zip(commands, envs, outs, errs):
            with out.open("w") as stdout, err.open("w") as stderr:
                procs.append(subprocess.Popen(command, env={**base_env, **env}, stdout=stdout, stderr=stderr))
        deadline = time.monotonic() + timeout
        try:
            while True:
                codes = [p.poll() for p in procs]
                failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
                if failed:  # more than one when a peer's collective failed on the same poll
                    reports = [
                        f"worker {i} exited with code {codes[i]}; its last words:\n{_tail(errs[i])}" for i in failed
                    ]
                    raise WorkerFailed("\n".join(reports))
                if all(code == 0 for code in codes):
                    return [out.read_text() for out in outs]
                if time.monotonic() > deadline:
                    running = [i for i, code in enumerate(codes) if code is None]
                    raise WorkerFailed(f"workers {running} still running after {timeout} s: killed")
                time.sleep(0.05)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait()


def train_on_workers(module: str, workers: int = 2, env: dict | None = None, timeout: float = 150) -> list:
    """Run `python -m module --worker RANK PORTS OUT` once per worker; worker 0's saved weights.

    `timeout` bounds the whole run; the default leaves room for a machine shared with other jobs.
    """
    import numpy as np

    ports = ",".join(str(free_port()) for _ in range(workers))
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp, "weights.npz"))
        commands = [[sys.executable, "-m", module, "--worker", str(rank), ports, out] for rank in range(workers)]
        run_workers(commands, [{"TF_CPP_MIN_LOG_LEVEL": "2", **(env or {})}] * workers, timeout=timeout)
        saved = np.load(out)
        return [saved[f"arr_{i}"] for i in range(len(saved.files))]
    # --8<-- [end:run-workers]


if __name__ == "__main__":
    hello = [sys.executable, "-c", "import os; print('worker', os.environ['RANK'], 'of', os.environ['WORLD_SIZE'])"]
    printed = run_workers([hello, hello], [{"RANK": "0", "WORLD_SIZE": "2"}, {"RANK": "1", "WORLD_SIZE": "2"}], 30)
    print("".join(printed).strip())
    #> worker 0 of 2
    #> worker 1 of 2
    try:
        run_workers([[sys.executable, "-c", "raise SystemExit(3)"]], [{}], 30)
    except WorkerFailed as err:
        print(str(err).splitlines()[0])
    #> worker 0 exited with code 3; its last words:
