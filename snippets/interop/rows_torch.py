"""Three rows of the API table, PyTorch side.

The same numbers as rows_tf.py, from the same arrays.
"""

# --8<-- [start:conv]
import importlib.util
import os

import numpy as np
import torch
from torch import nn

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))
torch.backends.cudnn.allow_tf32 = False  # full float32 on GPUs, as TensorFlow's tab
rng = np.random.default_rng(0)
images = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)  # N, C, H, W
# Keras' layout for the kernel: kh, kw, in, out
kernel = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
bias = rng.standard_normal(5).astype(np.float32)

conv = nn.Conv2d(3, 5, 3, padding=1).to(device)
with torch.no_grad():
    # PyTorch's weight is (out, in, kh, kw)
    conv.weight.copy_(torch.tensor(kernel.transpose(3, 2, 0, 1)))
    conv.bias.copy_(torch.tensor(bias))
    features = conv(torch.tensor(images, device=device))
assert features.shape == (2, 5, 8, 8)
# image 0, pixel (0, 0), all 5 channels
print(np.round(features[0, :, 0, 0].cpu().numpy(), 3))
#> [ 2.187  2.903  3.627 -0.664 -6.478]
# --8<-- [end:conv]

# --8<-- [start:loss]
rng = np.random.default_rng(1)
logits = rng.standard_normal((4, 3)).astype(np.float32)
labels = np.array([0, 2, 1, 2])
loss = nn.CrossEntropyLoss()(
    torch.tensor(logits, device=device), torch.tensor(labels, device=device)
)
assert loss.ndim == 0  # the mean over the batch, like Keras' default reduction
print(f"{loss.item():.4f}")
#> 0.9786
# --8<-- [end:loss]

# --8<-- [start:adam]
rng = np.random.default_rng(2)
start = rng.standard_normal(4).astype(np.float32)
grads = [rng.standard_normal(4).astype(np.float32) for _ in range(3)]
weights = nn.Parameter(torch.tensor(start, device=device))
# eps: Keras' default epsilon; PyTorch's default is 1e-8
adam = torch.optim.Adam([weights], lr=0.01, eps=1e-7)
for grad in grads:
    weights.grad = torch.tensor(grad, device=device)
    adam.step()
assert not torch.equal(weights.detach().cpu(), torch.tensor(start))
print(np.round(weights.detach().cpu().numpy(), 4))
#> [ 0.1665 -0.534  -0.4141 -2.4568]
# --8<-- [end:adam]
