"""torch.compile with its default backend, Inductor: first-call cost against steady state."""

# --8<-- [start:jit]
import statistics
import time

import torch

from docs_device import torch_device

torch.manual_seed(0)
device = torch_device()


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
inductor_dense = torch.compile(dense_gelu_torch)  # default backend: Inductor generates C++ (CPU) or Triton (GPU)

first_s, first_result = seconds(inductor_dense, x_jit, w_jit)  # Dynamo traces, Inductor compiles, then it runs
warm_s = statistics.median(seconds(inductor_dense, x_jit, w_jit)[0] for _ in range(20))
eager_s = statistics.median(seconds(dense_gelu_torch, x_jit, w_jit)[0] for _ in range(20))
timings_torch = {"first call": first_s, "warm call": warm_s, "eager call": eager_s}

torch.testing.assert_close(first_result, dense_gelu_torch(x_jit, w_jit), rtol=1e-4, atol=1e-4)
print(f"first call at least 10x a warm call: {first_s > 10 * warm_s}")
#> first call at least 10x a warm call: True
# --8<-- [end:jit]
