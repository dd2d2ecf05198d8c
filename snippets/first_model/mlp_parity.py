"""The PyTorch and Keras MLPs are one model: copy the weights, compare the outputs."""

# Run alone, the file trains the PyTorch model first, as the page's earlier blocks do.
from mlp_torch import device, torch_model, x_test

# isort: split

# --8<-- [start:copy]
import keras
import numpy as np
import tensorflow as tf
import torch

# On Ampere and newer GPUs TensorFlow multiplies float32 matrices in TF32 by default
# and PyTorch does not; switch it off so both compute in full float32.
tf.config.experimental.enable_tensor_float_32_execution(False)

keras_twin = keras.Sequential(
    [
        keras.Input(shape=(64,)),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10),
    ]
)
for linear, dense in zip([torch_model[0], torch_model[2]], keras_twin.layers):
    # nn.Linear keeps its weight as (out, in); Dense keeps its kernel as (in, out).
    weight = linear.weight.detach().cpu().numpy()
    dense.set_weights([weight.T, linear.bias.detach().cpu().numpy()])
keras_logits = keras_twin.predict(x_test, verbose=0)

with torch.no_grad():
    torch_logits = torch_model(torch.tensor(x_test, device=device)).cpu().numpy()

largest_gap = np.abs(torch_logits - keras_logits).max()
same_digit = (torch_logits.argmax(axis=1) == keras_logits.argmax(axis=1)).all()
print(f"same predicted digit for all {len(x_test)} test images: {same_digit}")
#> same predicted digit for all 360 test images: True
print(f"largest logit difference below 1e-4: {largest_gap < 1e-4}")
#> largest logit difference below 1e-4: True
# --8<-- [end:copy]

# --8<-- [start:check]
# float32 dot products of length 64 and 128 summed in a different order differ by a
# few ulps of the logits (|logit| < 30): about 1e-5, so 1e-4 leaves headroom and
# still catches a transposed or misplaced weight, which moves logits by whole units.
assert same_digit
assert largest_gap < 1e-4, largest_gap
# --8<-- [end:check]
