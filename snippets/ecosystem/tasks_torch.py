"""Everyday tasks in PyTorch, written the way its documentation teaches them.

fieldguide/measure/line_counts.py counts their lines.
"""

# --8<-- [start:data]
import os
import tempfile

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

digits = load_digits()
x = (digits.data / 16).astype(np.float32)
x_train, x_test, y_train, y_test = train_test_split(
    x, digits.target, test_size=0.2, random_state=0
)
save_dir = tempfile.mkdtemp()
# --8<-- [end:data]

# --8<-- [start:define]
import torch
from torch import nn

torch.manual_seed(0)
torch_model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
optimizer = torch.optim.Adam(torch_model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
# --8<-- [end:define]

# --8<-- [start:summary]
# PyTorch has no summary(): printing the model lists its layers, and the counts
# come from its parameters (the torchinfo package draws a Keras-style table).
print(torch_model)
#> Sequential(
#>   (0): Linear(in_features=64, out_features=128, bias=True)
#>   (1): ReLU()
#>   (2): Linear(in_features=128, out_features=10, bias=True)
#> )
for name, parameter in torch_model.named_parameters():
    print(f"{name}: {tuple(parameter.shape)}, {parameter.numel():,}")
#> 0.weight: (128, 64), 8,192
#> 0.bias: (128,), 128
#> 2.weight: (10, 128), 1,280
#> 2.bias: (10,), 10
torch_count = sum(p.numel() for p in torch_model.parameters())
trainable = sum(p.numel() for p in torch_model.parameters() if p.requires_grad)
print(f"parameters: {torch_count:,}, trainable: {trainable:,}")
#> parameters: 9,610, trainable: 9,610
# Each layer holds inputs x outputs weights and one bias per output.
assert torch_count == trainable == (64 * 128 + 128) + (128 * 10 + 10)
# --8<-- [end:summary]

# --8<-- [start:train]
from torch.utils.data import DataLoader, TensorDataset

dataset = TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train))
loader = DataLoader(dataset, batch_size=32, shuffle=True)
torch_model.train()
for _ in range(10):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(torch_model(xb), yb)
        loss.backward()
        optimizer.step()
# --8<-- [end:train]

# --8<-- [start:evaluate]
torch_model.eval()
with torch.no_grad():
    predictions = torch_model(torch.from_numpy(x_test)).argmax(dim=1)
torch_accuracy = (predictions == torch.from_numpy(y_test)).float().mean().item()
# --8<-- [end:evaluate]

# --8<-- [start:save-load]
torch_path = os.path.join(save_dir, "model.pt")
torch.save(torch_model.state_dict(), torch_path)
restored_torch = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
restored_torch.load_state_dict(torch.load(torch_path))
# --8<-- [end:save-load]


# --8<-- [start:custom-layer]
class Scale(nn.Module):
    def __init__(self, features):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(features))

    def forward(self, inputs):
        return inputs * self.scale


scaled_torch = nn.Sequential(nn.Linear(64, 10), Scale(10))
# --8<-- [end:custom-layer]

# --8<-- [start:check]
with torch.no_grad():
    same_torch = torch.equal(
        restored_torch(torch.from_numpy(x_test)), torch_model(torch.from_numpy(x_test))
    )
print(
    f"test accuracy above 0.9: {torch_accuracy > 0.9}; restored identical: {same_torch}"
)
#> test accuracy above 0.9: True; restored identical: True
parameters = sum(p.numel() for p in scaled_torch.parameters())
print(f"custom layer's parameters counted: {parameters}")
#> custom layer's parameters counted: 660
# --8<-- [end:check]
