"""Measure every deployment route and the served model; write docs/data/deployment.json and the page's tables.

    python -m fieldguide measure deployment            # measure (a few minutes), then rewrite the page
    python -m fieldguide generate deployment         # rewrite the page from the committed JSON only

Imports the page's snippet files as plain modules from snippets/deployment/, which it puts
first on the import path (they import each other as `common` and `server`, as the page's reader does).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from fieldguide.measure.output import write_json
from fieldguide.project import ROOT, snippet_folder

PAGE = ROOT / "docs" / "deployment.md"
DATA = ROOT / "docs" / "data" / "deployment.json"
SERVER_DIR = snippet_folder("deployment")

# The tests' server and load generator measure the served model too, and the CPU is described
# by the benchmark's reader: one of each in the project.
from fieldguide.measure.serving import CLIENTS, LOAD_REQUESTS, load_test, running_server

# --- measuring the routes ---


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def routes():
    """(framework, route, artifact format, path, loader) for every route, after the page's checks pass."""
    import export_tf as tfr
    import export_torch as ptr
    import torch

    def load_ts(path):
        module = torch.jit.load(str(path))
        return lambda x: module(torch.from_numpy(x)).detach().numpy()

    f = ptr.folder
    return [
        ("PyTorch", "torch.export", "`.pt2` (ExportedProgram)", f / "digits.pt2", ptr.load_pt2, ptr.torch_logits),
        ("PyTorch", "AOTInductor", "`.pt2` (compiled package)", f / "digits_aoti.pt2", ptr.load_aoti, ptr.torch_logits),
        ("PyTorch", "ONNX Runtime", "`.onnx`", ptr.torch_onnx, ptr.load_onnx, ptr.torch_logits),
        ("PyTorch", "ExecuTorch (XNNPACK)", "`.pte`", f / "digits.pte", ptr.load_pte, ptr.torch_logits),
        ("PyTorch", "TorchScript (legacy)", "`.pt` (TorchScript)", f / "digits.ts", load_ts, ptr.torch_logits),
        ("TensorFlow", "SavedModel", "SavedModel folder", tfr.savedmodel, tfr.load_savedmodel, tfr.keras_logits),
        ("TensorFlow", "LiteRT float", "`.tflite`", tfr.float_tflite, tfr.load_litert, tfr.keras_logits),
        ("TensorFlow", "LiteRT int8 weights", "`.tflite`", tfr.int8_tflite, tfr.load_litert, None),
        ("TensorFlow", "ONNX Runtime", "`.onnx` (tf2onnx)", tfr.tf_onnx, tfr.load_onnx, tfr.keras_logits),
    ], ptr


def measure() -> dict:
    import importlib.util
    import warnings

    # Triton loaded after TensorFlow aborts the process (two LLVMs register the same options:
    # docs/interop.md, "both frameworks in one process"); the pages load it first, and so do we.
    if importlib.util.find_spec("triton"):
        import triton  # noqa: F401

    import onnxruntime
    import tensorflow as tf
    import torch
    from common import assert_parity

    warnings.simplefilter("ignore", DeprecationWarning)
    table, ptr = routes()
    x1, x32 = ptr.x_test[:1], ptr.x_test[:32]
    rows = []
    for framework, route, fmt, path, loader, want in table:
        load_s = _median_time(lambda loader=loader, path=path: loader(path), repeats=3)
        run = loader(path)
        if want is not None:  # the timed artifact is the checked one
            assert_parity(route, run(ptr.x_test), want)
        for _ in range(10):
            run(x1), run(x32)
        rows.append(
            {
                "framework": framework,
                "route": route,
                "format": fmt,
                "size_bytes": _size(Path(path)),
                "load_s": load_s,
                "p50_batch1_s": _median_time(lambda run=run: run(x1), repeats=300),
                "p50_batch32_s": _median_time(lambda run=run: run(x32), repeats=200),
            }
        )
    digits = ptr.torch_logits.argmax(axis=1)
    with running_server(ptr.torch_onnx) as url:
        load_test(url, ptr.x_test, digits, requests=40)  # warm-up
        result = load_test(url, ptr.x_test, digits)
    assert result["wrong"] == 0, result["wrong"]
    assert result["requests"] == LOAD_REQUESTS, result["requests"]
    latencies = np.array(result["latencies_s"])
    load = {
        "model": "PyTorch ONNX (onnxruntime)",
        "server": "FastAPI on uvicorn, 1 worker",
        "clients": CLIENTS,
        "requests": result["requests"],
        "batch": 1,
        "wrong": result["wrong"],
        "throughput_rps": result["requests"] / result["wall_s"],
        "p50_s": float(np.percentile(latencies, 50)),
        "p99_s": float(np.percentile(latencies, 99)),
    }
    from importlib.metadata import version

    import fastapi
    import tf2onnx
    import uvicorn

    from fieldguide.measure import provenance

    return {
        "provenance": provenance.record({}),
        "versions": {
            "torch": torch.__version__,
            "tensorflow": tf.__version__,
            "onnxruntime": onnxruntime.__version__,
            "executorch": version("executorch"),
            "ai-edge-litert": version("ai-edge-litert"),
            "tf2onnx": tf2onnx.__version__,
            "fastapi": fastapi.__version__,
            "uvicorn": uvicorn.__version__,
        },
        "routes": rows,
        "load": load,
    }


# --- rendering ---


def _size_text(n: int) -> str:
    return f"{n / 1024:,.0f} KiB" if n < 1024**2 else f"{n / 1024**2:,.1f} MiB"


def _time_text(s: float) -> str:
    return f"{s * 1e6:,.0f} µs" if s < 1e-3 else f"{s * 1e3:,.1f} ms" if s < 1 else f"{s:,.2f} s"


def render(data: dict) -> dict[str, str]:
    lines = [
        "| framework | route | artifact | size | load | p50, batch 1 | p50, batch 32 |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in data["routes"]:
        lines.append(
            f"| {r['framework']} | {r['route']} | {r['format']} | {_size_text(r['size_bytes'])} | "
            f"{_time_text(r['load_s'])} | {_time_text(r['p50_batch1_s'])} | {_time_text(r['p50_batch32_s'])} |"
        )
    from fieldguide.measure import provenance

    meta = {**data["provenance"], "versions": {**data["provenance"]["versions"], **data["versions"]}}
    caption = provenance.caption(meta, "docs/data/deployment.json")
    lines += [
        "",
        "Load is the median of 3, each latency the median of 200 or 300 calls after 10 warm-up calls, "
        "in one process on a shared machine: expect tens of percent of noise between runs.",
        "",
        caption,
    ]
    load = data["load"]
    load_lines = [
        "| model | server | clients | requests | wrong answers | throughput | p50 latency | p99 latency |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        f"| {load['model']} | {load['server']} | {load['clients']} | {load['requests']} | {load['wrong']} | "
        f"{load['throughput_rps']:,.0f} requests/s | {_time_text(load['p50_s'])} | {_time_text(load['p99_s'])} |",
        "",
        caption,
    ]
    return {"deployment-routes": "\n".join(lines), "deployment-load": "\n".join(load_lines)}


def main(argv: list[str] | None = None) -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args(argv)
    data = measure()
    # The JSON only, like every measuring script: `make data` writes the tables and claim D1.
    write_json(DATA, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
