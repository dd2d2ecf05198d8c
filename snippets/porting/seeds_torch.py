"""Two PyTorch training runs that end with bit-identical weights, and what makes them so."""

# --8<-- [start:seeds]
import os

import torch
from torch import nn

from docs_device import torch_device

# cuBLAS needs a fixed workspace to be deterministic; read when CUDA starts, so set it first.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def train_once(seed: int | None) -> list[torch.Tensor]:
    if seed is not None:
        torch.manual_seed(seed)  # the CPU generator and every GPU's
    device = torch_device()
    model = nn.Sequential(nn.Linear(20, 32), nn.Dropout(0.2), nn.ReLU(), nn.Linear(32, 1)).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = torch.randn(256, 20, device=device), torch.randn(256, 1, device=device)
    for batch in torch.randperm(256).split(32):  # shuffling and dropout draw from the seeded generators
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x[batch]), y[batch]).backward()
        optimizer.step()
    return [p.detach().cpu() for p in model.parameters()]


torch.use_deterministic_algorithms(True)  # an error, not a silent difference, for any op without a deterministic kernel
try:
    same_seed = all(torch.equal(a, b) for a, b in zip(train_once(0), train_once(0)))
    unseeded = all(torch.equal(a, b) for a, b in zip(train_once(None), train_once(None)))
finally:
    torch.use_deterministic_algorithms(False)  # a process-wide switch: leave the process as it was
print(f"seeded runs bit-identical: {same_seed}, unseeded runs bit-identical: {unseeded}")
#> seeded runs bit-identical: True, unseeded runs bit-identical: False
assert same_seed
assert not unseeded
# --8<-- [end:seeds]
