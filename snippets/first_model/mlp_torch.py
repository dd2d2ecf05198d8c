"""An MLP digit classifier in PyTorch, and what the articles' extra softmax costs."""

import os

import torch

# As on the page's first PyTorch block, so that this file also runs alone.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))

# --8<-- [start:data]
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()  # 1,797 8x8 images that ship with scikit-learn: no download
x = (digits.data / 16).astype(np.float32)  # pixel values 0..16 scaled to 0..1
x_train, x_test, y_train, y_test = train_test_split(
    x, digits.target, test_size=0.2, random_state=0
)
# --8<-- [end:data]

# --8<-- [start:model]
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_mlp(softmax_output: bool = False) -> nn.Sequential:
    torch.manual_seed(0)  # the same initial weights for every model built here
    layers = [nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)]
    if softmax_output:
        layers.append(nn.Softmax(dim=1))  # the articles' bug: see below
    return nn.Sequential(*layers).to(device)


def train(model: nn.Module, epochs: int = 20) -> float:
    """Adam on mini-batches of 32; returns the last epoch's mean training loss."""
    data = TensorDataset(torch.tensor(x_train), torch.tensor(y_train))
    loader = DataLoader(
        data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(0)
    )
    loss_fn = nn.CrossEntropyLoss()  # takes logits: it applies log-softmax itself
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(epochs):
        total = 0.0
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
    return total / len(data)


@torch.no_grad()
def accuracy(model: nn.Module) -> float:
    logits = model(torch.tensor(x_test, device=device))
    return (logits.argmax(dim=1).cpu().numpy() == y_test).mean()


torch_model = make_mlp()
train(torch_model)
torch_accuracy = accuracy(torch_model)
print(f"test accuracy at least 95%: {torch_accuracy >= 0.95}")
#> test accuracy at least 95%: True
# --8<-- [end:model]

# --8<-- [start:check]
assert torch_accuracy >= 0.95, torch_accuracy
# --8<-- [end:check]

# --8<-- [start:double-softmax]
fixed, buggy = make_mlp(), make_mlp(softmax_output=True)  # same initial weights
fixed_loss, buggy_loss = train(fixed, epochs=5), train(buggy, epochs=5)

# CrossEntropyLoss applies softmax again, so the buggy model feeds it probabilities
# in [0, 1]: even a perfect prediction scores -log(e / (e + 9)), never 0.
floor = -np.log(np.e / (np.e + 9))
print(f"lowest loss the softmax-first model can ever reach: {floor:.3f}")
#> lowest loss the softmax-first model can ever reach: 1.461
print(
    f"after 5 epochs the logits model is already below that floor: {fixed_loss < floor}"
)
#> after 5 epochs the logits model is already below that floor: True
behind = accuracy(buggy) < accuracy(fixed)
print(f"softmax-first model is behind on test accuracy: {behind}")
#> softmax-first model is behind on test accuracy: True
# --8<-- [end:double-softmax]
