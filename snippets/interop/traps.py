"""Traps: APIs that look equivalent and are not, each with the naive port and the fix.

Every section computes the gap between PyTorch and Keras for the naive port and for
the fix; GAPS keeps both, and tests/test_interop.py asserts the naive one is
large and the fixed one is within float32 noise. Each section seeds its own
generators, so what it prints does not depend on what ran before it.
"""

# --8<-- [start:setup]
import os

import keras
import numpy as np
import tensorflow as tf
import torch
import torch.nn.functional as F
from torch import nn

device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))
# full float32 on GPUs too
tf.config.experimental.enable_tensor_float_32_execution(False)
torch.backends.cudnn.allow_tf32 = False
GAPS = {}


def max_gap(torch_out, keras_out):
    torch_np = torch_out.detach().cpu().numpy()
    return float(np.abs(torch_np - keras.ops.convert_to_numpy(keras_out)).max())


x_nchw = np.random.default_rng(0).standard_normal((2, 3, 8, 8)).astype(np.float32)
x_nhwc = x_nchw.transpose(0, 2, 3, 1)  # Keras and TensorFlow put channels last
# --8<-- [end:setup]

# --8<-- [start:conv-layout]
torch.manual_seed(0)
conv = nn.Conv2d(3, 5, 3, padding=1).to(device)
weight = conv.weight.detach().cpu().numpy()  # (out, in, kh, kw)
bias = conv.bias.detach().cpu().numpy()
with torch.no_grad():
    # compare in NHWC
    y_torch = conv(torch.tensor(x_nchw, device=device)).permute(0, 2, 3, 1)

naive = keras.layers.Conv2D(5, 3, padding="same")
naive.build(x_nhwc.shape)
# the shape fits; the numbers land in the wrong places
naive.set_weights([weight.reshape(3, 3, 3, 5), bias])

fixed = keras.layers.Conv2D(5, 3, padding="same")
fixed.build(x_nhwc.shape)
fixed.set_weights([weight.transpose(2, 3, 1, 0), bias])  # Keras: (kh, kw, in, out)

GAPS["conv-layout"] = (max_gap(y_torch, naive(x_nhwc)), max_gap(y_torch, fixed(x_nhwc)))
print(f"reshaped kernel: off by more than 0.5: {GAPS['conv-layout'][0] > 0.5}")
#> reshaped kernel: off by more than 0.5: True
print(f"transposed kernel: within 1e-5: {GAPS['conv-layout'][1] < 1e-5}")
#> transposed kernel: within 1e-5: True
assert GAPS["conv-layout"][1] < 1e-5
assert GAPS["conv-layout"][0] > 0.5
# --8<-- [end:conv-layout]

# --8<-- [start:gate-order]
seq = np.random.default_rng(1).standard_normal((2, 7, 5)).astype(np.float32)
torch.manual_seed(1)
gru = nn.GRU(5, 3, batch_first=True).to(device)
with torch.no_grad():
    y_torch = gru(torch.tensor(seq, device=device))[0]
w_ih, w_hh, b_ih, b_hh = (t.detach().cpu().numpy() for t in gru.parameters())


def keras_gru(reorder):
    """A Keras GRU holding PyTorch's weights, gate blocks passed through `reorder`."""
    # reset_after=True by default: the formula PyTorch computes
    layer = keras.layers.GRU(3, return_sequences=True)
    layer.build(seq.shape)
    biases = np.stack([reorder(b_ih), reorder(b_hh)])
    layer.set_weights([reorder(w_ih).T, reorder(w_hh).T, biases])
    return layer(seq)


def r_z_n_to_z_r_n(w):
    r, z, n = np.split(w, 3)  # PyTorch stacks the gates as reset, update, new
    return np.concatenate([z, r, n])  # Keras as update, reset, new


GAPS["gate-order"] = (
    max_gap(y_torch, keras_gru(lambda w: w)),
    max_gap(y_torch, keras_gru(r_z_n_to_z_r_n)),
)
print(f"PyTorch's gate order: off by more than 0.01: {GAPS['gate-order'][0] > 0.01}")
#> PyTorch's gate order: off by more than 0.01: True
print(f"reordered gates: within 1e-5: {GAPS['gate-order'][1] < 1e-5}")
#> reordered gates: within 1e-5: True
assert GAPS["gate-order"][1] < 1e-5
assert GAPS["gate-order"][0] > 0.01
# --8<-- [end:gate-order]

# --8<-- [start:bn-momentum]
rng = np.random.default_rng(2)
batch = rng.normal(3.0, 1.0, (16, 4)).astype(np.float32)  # true mean 3
bn = nn.BatchNorm1d(4).to(device)  # momentum=0.1: the new batch's weight
bn(torch.tensor(batch, device=device))
torch_mean = bn.running_mean.cpu().numpy()


def keras_moving_mean(momentum):
    # momentum: the old average's weight
    layer = keras.layers.BatchNormalization(momentum=momentum)
    layer(batch, training=True)
    return keras.ops.convert_to_numpy(layer.moving_mean)


naive_mean, fixed_mean = keras_moving_mean(0.1), keras_moving_mean(0.9)
GAPS["bn-momentum"] = (
    float(np.abs(naive_mean - torch_mean).max()),
    float(np.abs(fixed_mean - torch_mean).max()),
)
print(f"after one batch: PyTorch {torch_mean.mean():.2f}", end=", ")
print(f"Keras momentum=0.1 {naive_mean.mean():.2f}")
#> after one batch: PyTorch 0.31, Keras momentum=0.1 2.77
print(f"Keras momentum=0.9 {fixed_mean.mean():.2f}")
#> Keras momentum=0.9 0.31
assert GAPS["bn-momentum"][1] < 1e-5
assert GAPS["bn-momentum"][0] > 1
# --8<-- [end:bn-momentum]

# --8<-- [start:bn-variance]
n = len(batch)
layer = keras.layers.BatchNormalization(momentum=0.9)
layer(batch, training=True)
var_keras = keras.ops.convert_to_numpy(layer.moving_variance)
var_torch = bn.running_var.cpu().numpy()
# Both start at 1 and keep 0.9 of it; PyTorch adds 0.1 * the unbiased batch variance
# (divided by n - 1), Keras 0.1 * the biased one (divided by n).
var_keras_unbiased = 0.9 + (var_keras - 0.9) * n / (n - 1)
GAPS["bn-variance"] = (
    float(np.abs(var_keras - var_torch).max()),
    float(np.abs(var_keras_unbiased - var_torch).max()),
)
print(f"running variance differs by more than 1e-3: {GAPS['bn-variance'][0] > 1e-3}")
#> running variance differs by more than 1e-3: True
print(f"after the n / (n - 1) correction, within 1e-5: {GAPS['bn-variance'][1] < 1e-5}")
#> after the n / (n - 1) correction, within 1e-5: True
assert GAPS["bn-variance"][1] < 1e-5
assert GAPS["bn-variance"][0] > 1e-3
# --8<-- [end:bn-variance]

# --8<-- [start:epsilon]
rng = np.random.default_rng(3)
# small activations: variance 1e-4
features = rng.normal(0.0, 0.01, (16, 4)).astype(np.float32)
ln = nn.LayerNorm(4).to(device)  # eps=1e-5
with torch.no_grad():
    y_torch = ln(torch.tensor(features, device=device))
# epsilon=1e-3 by default, larger than the variance
y_naive = keras.layers.LayerNormalization()(features)
y_fixed = keras.layers.LayerNormalization(epsilon=1e-5)(features)
GAPS["epsilon"] = (max_gap(y_torch, y_naive), max_gap(y_torch, y_fixed))
print(f"default epsilons: off by more than 0.5: {GAPS['epsilon'][0] > 0.5}")
#> default epsilons: off by more than 0.5: True
print(f"epsilon=1e-5 in both: within 1e-4: {GAPS['epsilon'][1] < 1e-4}")
#> epsilon=1e-5 in both: within 1e-4: True
assert GAPS["epsilon"][1] < 1e-4
assert GAPS["epsilon"][0] > 0.5
# --8<-- [end:epsilon]

# --8<-- [start:padding]
torch.manual_seed(4)
# the usual PyTorch spelling of "same"
strided = nn.Conv2d(3, 5, 3, stride=2, padding=1).to(device)
kernel = strided.weight.detach().cpu().numpy().transpose(2, 3, 1, 0)
same = keras.layers.Conv2D(5, 3, strides=2, padding="same")
same.build(x_nhwc.shape)
same.set_weights([kernel, strided.bias.detach().cpu().numpy()])
y_keras = same(x_nhwc)
x_t = torch.tensor(x_nchw, device=device)
with torch.no_grad():
    y_naive = strided(x_t).permute(0, 2, 3, 1)
    # TensorFlow pads 8 -> 9 with one row and column, at the bottom and right only.
    x_padded = F.pad(x_t, (0, 1, 0, 1))
    y_fixed = F.conv2d(x_padded, strided.weight, strided.bias, stride=2)
    y_fixed = y_fixed.permute(0, 2, 3, 1)
GAPS["padding"] = (max_gap(y_naive, y_keras), max_gap(y_fixed, y_keras))
same_shape = tuple(y_naive.shape) == tuple(y_keras.shape)
print(same_shape, f"padding=1: off by more than 0.5: {GAPS['padding'][0] > 0.5}")
#> True padding=1: off by more than 0.5: True
print(f"padded (0, 1, 0, 1): within 1e-5: {GAPS['padding'][1] < 1e-5}")
#> padded (0, 1, 0, 1): within 1e-5: True
assert GAPS["padding"][1] < 1e-5
assert GAPS["padding"][0] > 0.5
# --8<-- [end:padding]

# --8<-- [start:init]
torch.manual_seed(5)
linear = nn.Linear(256, 256)
dense = keras.layers.Dense(256)
dense.build((None, 256))
torch_std = linear.weight.std().item()
keras_std = float(np.std(keras.ops.convert_to_numpy(dense.kernel)))
# In units of 1 / sqrt(fan_in): nn.Linear draws uniform in +-1, std 1/sqrt(3) = 0.58;
# Dense draws Glorot uniform, std sqrt(2 / (fan_in + fan_out)), 1 for a square layer.
print(f"weight std * sqrt(fan_in): nn.Linear {torch_std * 16:.1f}", end=", ")
print(f"Dense {keras_std * 16:.1f}")
#> weight std * sqrt(fan_in): nn.Linear 0.6, Dense 1.0
print(f"bias: nn.Linear nonzero {bool(linear.bias.any())}", end=", ")
print(f"Dense nonzero {bool(np.any(dense.bias.numpy()))}")
#> bias: nn.Linear nonzero True, Dense nonzero False
# Ask PyTorch for Keras' default:
nn.init.xavier_uniform_(linear.weight)
nn.init.zeros_(linear.bias)
fixed_std = linear.weight.std().item()
GAPS["init"] = (
    abs(torch_std - keras_std) / keras_std,
    abs(fixed_std - keras_std) / keras_std,
)
print(f"after xavier_uniform_ and zeros_: {fixed_std * 16:.1f}")
#> after xavier_uniform_ and zeros_: 1.0
# 65,536 draws: sample stds agree within 1 % (each is within 0.3 % of its formula,
# 1 standard error).
assert GAPS["init"][1] < 0.01 < 0.3 < GAPS["init"][0]
# --8<-- [end:init]

# --8<-- [start:softmax-loss]
rng = np.random.default_rng(6)
logits = rng.standard_normal((6, 4)).astype(np.float32) * 3
labels = np.array([0, 3, 1, 1, 2, 0])
probabilities = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
reference = float(np.mean(-np.log(probabilities)[range(6), labels]))
logits_t = torch.tensor(logits, device=device)
labels_t = torch.tensor(labels, device=device)

cross_entropy = nn.CrossEntropyLoss()
double_softmax = cross_entropy(logits_t.softmax(dim=1), labels_t).item()  # claim B2
# from_logits=False, the default: the loss takes the logits for probabilities
keras_probabilities = keras.losses.SparseCategoricalCrossentropy()
probabilities_as_logits = float(keras_probabilities(labels, logits))
torch_fixed = cross_entropy(logits_t, labels_t).item()
keras_logits = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
keras_fixed = float(keras_logits(labels, logits))
naive_gap = max(
    abs(double_softmax - reference), abs(probabilities_as_logits - reference)
)
fixed_gap = max(abs(torch_fixed - reference), abs(keras_fixed - reference))
GAPS["softmax-loss"] = (naive_gap, fixed_gap)
print(f"reference {reference:.3f}; softmax then CrossEntropyLoss {double_softmax:.3f}")
#> reference 2.702; softmax then CrossEntropyLoss 1.472
print(f"CrossEntropyLoss(logits) {torch_fixed:.3f}; from_logits=True {keras_fixed:.3f}")
#> CrossEntropyLoss(logits) 2.702; from_logits=True 2.702
print(f"logits into a loss that expects probabilities: {probabilities_as_logits:.3f}")
#> logits into a loss that expects probabilities: 6.178
# float32 log-softmax of 4 values of size < 10: a few ulps of 3, far below the 0.1
# gaps above.
assert GAPS["softmax-loss"][1] < 1e-5
assert GAPS["softmax-loss"][0] > 0.1
# --8<-- [end:softmax-loss]
