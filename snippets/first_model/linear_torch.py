"""Linear regression in PyTorch: recover a known slope from noisy data."""

# --8<-- [start:data]
import numpy as np

rng = np.random.default_rng(0)
size = rng.uniform(500, 3000, 200)  # square feet
price = 0.2 * size + 10 + rng.normal(0, 15, 200)  # $1000s; the true slope is 0.2
# --8<-- [end:data]

# --8<-- [start:fit]
import torch

from docs_device import torch_device

torch.manual_seed(0)
device = torch_device()

# Standardise the input: plain SGD on raw sizes (about 2000) diverges.
mean, std = size.mean(), size.std()
X = torch.tensor((size - mean) / std, dtype=torch.float32, device=device)[:, None]
Y = torch.tensor(price, dtype=torch.float32, device=device)[:, None]

model = torch.nn.Linear(1, 1).to(device)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(200):
    optimizer.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X), Y)
    loss.backward()
    optimizer.step()

slope = model.weight.item() / std  # undo the scaling: $1000s per square foot
print(f"learned slope: {slope:.3f}")
#> learned slope: 0.198
# --8<-- [end:fit]

# --8<-- [start:check]
# Least squares has a closed form: gradient descent must land on it.
ols_slope = np.polyfit(size, price, 1)[0]
assert abs(slope - ols_slope) < 1e-4, (slope, ols_slope)
assert abs(slope - 0.2) < 0.005, slope
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
