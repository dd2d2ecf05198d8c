"""The served model for tests and measurements: a uvicorn process on 127.0.0.1 and a load generator.

tests/test_deployment.py drives the page's server with them, and fieldguide/measure/deployment.py
measures the served latency with the same two, so the number on the page and the test that
checks the server exercise one code path.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

from fieldguide.project import ROOT

SERVER_DIR = ROOT / "snippets" / "deployment"
CLIENTS, LOAD_REQUESTS = 8, 400


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_server(model_path, max_batch: int = 64, deadline_s: float = 60.0):
    """A uvicorn process serving `model_path` on 127.0.0.1; yields its base URL and always stops it.

    RuntimeError with the server's stderr if it exits or is not answering within `deadline_s`.
    """
    import httpx

    port = free_port()
    env = {**os.environ, "DEPLOY_MODEL": str(model_path), "DEPLOY_MAX_BATCH": str(max_batch)}
    command = [sys.executable, "-m", "uvicorn", "--app-dir", str(SERVER_DIR), "server:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        url = f"http://127.0.0.1:{port}"
        try:
            give_up = time.monotonic() + deadline_s
            while True:
                if process.poll() is not None:
                    stderr.seek(0)
                    raise RuntimeError(f"server exited with {process.returncode}:\n{stderr.read()[-3000:]}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(f"{url}/healthz", timeout=1.0).status_code == 200:
                        break
                if time.monotonic() > give_up:
                    stderr.seek(0)
                    raise RuntimeError(f"server not answering after {deadline_s:.0f} s:\n{stderr.read()[-3000:]}")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def load_test(url: str, rows: np.ndarray, digits: np.ndarray, requests: int = LOAD_REQUESTS, clients: int = CLIENTS):
    """`requests` one-image requests from `clients` threads; the answers, latencies and wall time."""
    import httpx

    latencies: list[float] = []
    wrong: list[int] = []
    counter = iter(range(requests))
    lock = threading.Lock()

    def client() -> None:
        with httpx.Client(base_url=url, timeout=30.0) as session:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                k = i % len(rows)
                start = time.perf_counter()
                answer = session.post("/predict", json={"inputs": rows[k : k + 1].tolist()})
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    if answer.status_code != 200 or answer.json()["digits"] != [int(digits[k])]:
                        wrong.append(i)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - start
    return {"requests": len(latencies), "wrong": len(wrong), "wall_s": wall, "latencies_s": latencies}
