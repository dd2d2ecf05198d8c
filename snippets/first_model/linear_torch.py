"""Linear regression in PyTorch: recover a known slope from noisy data."""

# --8<-- [start:data]
import numpy as np

rng = np.random.default_rng(0)
size = rng.uniform(500, 3000, 200)  # square feet
price = 0.2 * size + 10 + rng.normal(0, 15, 200)  # $1000s; the true slope is 0.2
# --8<-- [end:data]

# --8<-- [start:fit]
import importlib.util
import os

import torch

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

# Where every example runs: DOCS_DEVICE=cuda for a GPU, the CPU by default.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))
torch.manual_seed(0)

# Standardise the input: plain SGD on raw sizes (about 2000) diverges.
mean, std = size.mean(), size.std()
X = torch.tensor((size - mean) / std, dtype=torch.float32, device=device)[:, None]
Y = torch.tensor(price, dtype=torch.float32, device=device)[:, None]

model = torch.nn.Linear(1, 1).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
# On standardised input each step shrinks the distance to the least-squares answer
# by 1 - 2 * 0.1 = 0.8; after 100 steps 0.8**100 = 2e-10 of it is left, under
# float32's rounding.
for _ in range(100):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X), Y)
    loss.backward()
    optimizer.step()

torch_slope = model.weight.item() / std  # undo the scaling: $1000s per square foot
print(f"learned slope: {torch_slope:.3f}")
#> learned slope: 0.198
# --8<-- [end:fit]

# --8<-- [start:check]
# Least squares has a closed form: gradient descent must land on it.
ols_slope = np.polyfit(size, price, 1)[0]
assert abs(torch_slope - ols_slope) < 1e-4, (torch_slope, ols_slope)
assert abs(torch_slope - 0.2) < 0.005, torch_slope
# --8<-- [end:check]

# --8<-- [start:diverge]
raw = torch.nn.Linear(1, 1).to(device)
optimizer = torch.optim.SGD(raw.parameters(), lr=0.1)
X_raw = torch.tensor(size, dtype=torch.float32, device=device)[:, None]
for _ in range(20):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(raw(X_raw), Y)
    loss.backward()
    optimizer.step()
print(f"loss still finite after 20 steps on raw sizes: {torch.isfinite(loss).item()}")
#> loss still finite after 20 steps on raw sizes: False
# --8<-- [end:diverge]

# --8<-- [start:adam]
# The same raw sizes, learning rate and 100 full-batch steps, with Adam for SGD.
torch.manual_seed(0)
raw = torch.nn.Linear(1, 1).to(device)
optimizer = torch.optim.Adam(raw.parameters(), lr=0.1)
for _ in range(100):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(raw(X_raw), Y)
    loss.backward()
    optimizer.step()
adam_slope, adam_intercept = raw.weight.item(), raw.bias.item()
ols_intercept = np.polyfit(size, price, 1)[1]
print(f"Adam, loss finite after 100 steps: {torch.isfinite(loss).item()}")
#> Adam, loss finite after 100 steps: True
print(f"Adam, slope within 0.01 of 0.2: {abs(adam_slope - 0.2) < 0.01}")
#> Adam, slope within 0.01 of 0.2: True
intercept_close = abs(adam_intercept - ols_intercept) < 5
print(f"Adam, intercept within 5 of least squares: {intercept_close}")
#> Adam, intercept within 5 of least squares: False
assert torch.isfinite(loss).item(), loss
assert abs(adam_slope - 0.2) < 0.01, adam_slope
assert not intercept_close, (adam_intercept, ols_intercept)
# --8<-- [end:adam]
