"""torch.compile with its default backend, Inductor: first-call cost, steady state."""

import os

import torch

# The device line of the page's first PyTorch block, so that this file runs alone.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))

# --8<-- [start:jit]
import statistics
import time

import torch

torch.manual_seed(0)


def dense_gelu_torch(x, w):
    return torch.nn.functional.gelu(x @ w)


def seconds(fn, *args):
    """Wall time of one call, waiting for the device to finish."""
    start = time.perf_counter()
    result = fn(*args)
    if result.is_cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - start, result


x_jit = torch.randn(64, 64, device=device) / 8
w_jit = torch.randn(64, 64, device=device) / 8
# The default backend, Inductor, generates C++ on a CPU and Triton kernels on a GPU.
inductor_dense = torch.compile(dense_gelu_torch)

# First call: Dynamo captures the graph, Inductor compiles it, then it runs.
first_s, first_result = seconds(inductor_dense, x_jit, w_jit)
warm_s = statistics.median(seconds(inductor_dense, x_jit, w_jit)[0] for _ in range(20))
eager_s = statistics.median(
    seconds(dense_gelu_torch, x_jit, w_jit)[0] for _ in range(20)
)
timings_torch = {"first call": first_s, "warm call": warm_s, "eager call": eager_s}

eager_result = dense_gelu_torch(x_jit, w_jit)
torch.testing.assert_close(first_result, eager_result, rtol=1e-4, atol=1e-4)
print(f"first call at least 10x a warm call: {first_s > 10 * warm_s}")
#> first call at least 10x a warm call: True
# --8<-- [end:jit]
