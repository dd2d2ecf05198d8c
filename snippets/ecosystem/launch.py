"""Start worker processes at once, and fail fast, naming the worker, when one dies."""

# --8<-- [start:setup]
import os
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class WorkerFailed(RuntimeError):
    """A worker exited with an error, or the run outlived its time limit."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def last_lines(path: Path, count: int = 6) -> str:
    return "\n".join(path.read_text(errors="replace").strip().splitlines()[-count:])


def run_workers(
    commands: list[list[str]], envs: list[dict], timeout: float
) -> list[str]:
    """Run one process per command, all at once, each with its env added; their stdouts.

    A worker that exits with an error makes the others pointless (they would wait for it
    in the next collective), so they are killed at once and the error names it.
    """
    with tempfile.TemporaryDirectory() as tmp:
        outs = [Path(tmp, f"worker{i}.out") for i in range(len(commands))]
        errs = [Path(tmp, f"worker{i}.err") for i in range(len(commands))]
        procs = []
        for command, env, out, err in zip(commands, envs, outs, errs):
            with out.open("w") as stdout, err.open("w") as stderr:
                env = {**os.environ, **env}
                procs.append(
                    subprocess.Popen(command, env=env, stdout=stdout, stderr=stderr)
                )
        deadline = time.monotonic() + timeout
        try:
            while True:
                codes = [p.poll() for p in procs]
                failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
                if (
                    failed
                ):  # more than one when a peer's collective failed on the same poll
                    raise WorkerFailed(
                        "\n".join(
                            f"worker {i} exited with code {codes[i]}; its last words:\n"
                            + last_lines(errs[i])
                            for i in failed
                        )
                    )
                if all(code == 0 for code in codes):
                    return [out.read_text() for out in outs]
                if time.monotonic() > deadline:
                    running = [i for i, code in enumerate(codes) if code is None]
                    raise WorkerFailed(
                        f"workers {running} still running after {timeout} s: killed"
                    )
                time.sleep(0.05)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait()
    # --8<-- [end:setup]


if __name__ == "__main__":
    import sys

    hello = [
        sys.executable,
        "-c",
        "import os; print('worker', os.environ['RANK'], 'of 2')",
    ]
    printed = run_workers([hello, hello], [{"RANK": "0"}, {"RANK": "1"}], 30)
    print("".join(printed).strip())
    #> worker 0 of 2
    #> worker 1 of 2
    try:
        run_workers([[sys.executable, "-c", "raise SystemExit(3)"]], [{}], 30)
    except WorkerFailed as err:
        print(str(err).splitlines()[0])
    #> worker 0 exited with code 3; its last words:
