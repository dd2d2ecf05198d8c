"""A small PyTorch CNN with batch norm, trained briefly on scikit-learn's digits.

The model to port.
"""

# --8<-- [start:train]
import importlib.util
import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))  # "cuda" on a GPU

digits = load_digits()  # 1,797 8x8 images that ship with scikit-learn: no download
images = (digits.images / 16).astype(np.float32)  # (N, 8, 8), pixels scaled to 0..1
x_train, x_test, y_train, y_test = train_test_split(
    images, digits.target, test_size=0.2, random_state=0
)


def make_cnn() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 8, kernel_size=3, padding=1),
        nn.BatchNorm2d(8),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 8x8 -> 4x4
        nn.Conv2d(8, 16, kernel_size=3, padding=1),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        nn.MaxPool2d(2),  # 4x4 -> 2x2
        nn.Flatten(),  # (16, 2, 2) -> 64 features, channel-major
        nn.Linear(64, 10),
    ).to(device)


cnn = make_cnn()
optimizer = torch.optim.Adam(cnn.parameters(), lr=1e-2)
xb_all = torch.tensor(x_train[:, None], device=device)  # PyTorch images are NCHW
yb_all = torch.tensor(y_train, device=device)
order = torch.Generator().manual_seed(0)
for _ in range(5):
    for batch in torch.randperm(len(xb_all), generator=order).split(64):
        optimizer.zero_grad()
        nn.functional.cross_entropy(
            cnn(xb_all[batch]), yb_all[batch.to(device)]
        ).backward()
        optimizer.step()

# Batch norm now uses its running statistics: the state a ported model must reproduce.
cnn.eval()
with torch.no_grad():
    torch_logits = cnn(torch.tensor(x_test[:, None], device=device)).cpu().numpy()
torch_accuracy = (torch_logits.argmax(axis=1) == y_test).mean()
print(f"test accuracy at least 95%: {torch_accuracy >= 0.95}")
#> test accuracy at least 95%: True
assert torch_accuracy >= 0.95, torch_accuracy
# --8<-- [end:train]
