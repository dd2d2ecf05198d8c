"""The device lines every PyTorch example starts with: DOCS_DEVICE picks cpu or cuda."""

# --8<-- [start:device]
import importlib.util
import os

import torch

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))  # "cuda" on a GPU

x = torch.ones(3, device=device)
assert x.device.type == device.type
print(f"{x.sum().item():.1f}")
#> 3.0
# --8<-- [end:device]
