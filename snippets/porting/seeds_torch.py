"""Two PyTorch training runs that end with bit-identical weights, and what makes them
so."""

# The device, as the page's first PyTorch block (the CNN's training) sets it.
from cnn_bn_torch import device

# isort: split

# --8<-- [start:seeds]
import os

import torch
from torch import nn

# cuBLAS needs a fixed workspace to be deterministic; read when CUDA starts, so set it
# first.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def train_once(seed: int | None) -> list[torch.Tensor]:
    if seed is not None:
        torch.manual_seed(seed)  # the CPU generator and every GPU's
    model = nn.Sequential(
        nn.Linear(20, 32), nn.Dropout(0.2), nn.ReLU(), nn.Linear(32, 1)
    )
    model = model.to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    x, y = torch.randn(256, 20, device=device), torch.randn(256, 1, device=device)
    # Shuffling and dropout draw from the seeded generators.
    for batch in torch.randperm(256).split(32):
        optimizer.zero_grad()
        nn.functional.mse_loss(model(x[batch]), y[batch]).backward()
        optimizer.step()
    return [p.detach().cpu() for p in model.parameters()]


# An error, not a silent difference, for any op without a deterministic kernel:
torch.use_deterministic_algorithms(True)
try:
    same_seed = all(torch.equal(a, b) for a, b in zip(train_once(0), train_once(0)))
    unseeded = all(
        torch.equal(a, b) for a, b in zip(train_once(None), train_once(None))
    )
finally:
    # A process-wide switch: the rest of the program gets the process as it was.
    torch.use_deterministic_algorithms(False)
print(f"seeded runs bit-identical: {same_seed}, unseeded: {unseeded}")
#> seeded runs bit-identical: True, unseeded: False
assert same_seed
assert not unseeded
# --8<-- [end:seeds]
