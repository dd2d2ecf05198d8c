"""Mixed precision in PyTorch: autocast to bfloat16 on the CPU, what stays float32."""

# --8<-- [start:data]
import numpy as np
import torch
from sklearn.datasets import load_digits
from torch import nn

digits = load_digits()  # 1797 8x8 images, shipped with scikit-learn
order = np.random.default_rng(0).permutation(len(digits.target))
x_all = torch.tensor(digits.data[order] / 16, dtype=torch.float32)
y_all = torch.tensor(digits.target[order])
x_train, y_train, x_test, y_test = (
    x_all[:1400],
    y_all[:1400],
    x_all[1400:],
    y_all[1400:],
)
# --8<-- [end:data]

# --8<-- [start:dtypes]
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
x, y = x_train[:32], y_train[:32]
with torch.autocast("cpu", dtype=torch.bfloat16):  # CPU tensors only
    logits = model(x)  # matrix products in bfloat16
    probabilities = torch.softmax(logits, dim=1)  # the CPU list keeps it in bfloat16
    loss = nn.functional.cross_entropy(logits, y)  # the loss is on its float32 list
loss.backward()
optimizer.step()
print("logits:", logits.dtype, "softmax:", probabilities.dtype, "loss:", loss.dtype)
#> logits: torch.bfloat16 softmax: torch.bfloat16 loss: torch.float32
print("weights:", model[0].weight.dtype, "gradients:", model[0].weight.grad.dtype)
#> weights: torch.float32 gradients: torch.float32
print("Adam's moments:", optimizer.state[model[0].weight]["exp_avg"].dtype)
#> Adam's moments: torch.float32
# --8<-- [end:dtypes]


# --8<-- [start:accuracy]
def accuracy_after_training(dtype):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    for _ in range(5):
        for start in range(0, 1400, 100):
            xb, yb = x_train[start : start + 100], y_train[start : start + 100]
            with torch.autocast("cpu", dtype=dtype, enabled=dtype != torch.float32):
                loss = nn.functional.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        predicted = model(x_test).argmax(dim=1)
    return (predicted == y_test).float().mean().item()


full, half = (
    accuracy_after_training(torch.float32),
    accuracy_after_training(torch.bfloat16),
)
print(
    f"float32 above 90%: {full > 0.9}, bfloat16 within 2 points of it: "
    f"{abs(full - half) < 0.02}"
)
#> float32 above 90%: True, bfloat16 within 2 points of it: True
# --8<-- [end:accuracy]
