"""On a GPU with PyTorch: time with synchronize(), read the caching allocator's numbers.

Each section runs its GPU part only when DOCS_DEVICE=cuda and a GPU is there: a reader
who runs this file on a CPU sees it pass over them.
"""

# --8<-- [start:timing]
import importlib.util
import os
import time

import torch

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))  # "cuda" on a GPU

if device.type == "cuda":
    torch.backends.cuda.matmul.allow_tf32 = False  # full float32, as the benchmark
    a = torch.randn(8192, 8192, device=device)
    a @ a  # the first product loads cuBLAS: keep it out of the timing
    torch.cuda.synchronize()
    start, end = (
        torch.cuda.Event(enable_timing=True),
        torch.cuda.Event(enable_timing=True),
    )
    began = time.perf_counter()
    start.record()
    for _ in range(10):
        product = a @ a
    end.record()
    # Each call returned once its kernel was queued: this is the time to queue ten.
    queued = time.perf_counter() - began
    torch.cuda.synchronize()  # wait until the GPU has done them
    finished = time.perf_counter() - began
    on_gpu = start.elapsed_time(end) / 1000  # the events' own clock, in seconds
    # Ten 8192^3 products are 11 TFLOP: tens of milliseconds on any GPU in float32,
    # where queueing ten kernels takes well under one. Without synchronize(), a timer
    # would have read `queued` and called it the products' time.
    assert finished > 5 * queued, (queued, finished)
    assert on_gpu <= finished * 1.05, (
        on_gpu,
        finished,
    )  # the GPU's time fits in the wall
# --8<-- [end:timing]

# --8<-- [start:memory]
if device.type == "cuda":
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    block = torch.empty(256, 1024, 1024, device=device)  # 1 GiB of float32
    assert torch.cuda.max_memory_allocated() - before >= 2**30
    del block
    # Freed to PyTorch's caching allocator, not to the driver: `allocated` falls back,
    # `reserved` (what nvidia-smi counts against this process) stays up until emptied.
    assert torch.cuda.memory_allocated() == before
    held = torch.cuda.memory_reserved()
    assert held - before >= 2**30
    torch.cuda.empty_cache()
    assert torch.cuda.memory_reserved() <= held - 2**30
# --8<-- [end:memory]
