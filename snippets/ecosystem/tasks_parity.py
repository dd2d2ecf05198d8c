"""The custom layers of both task files compute one output from one set of weights."""

# Run alone, the file first runs both task files, as the page's earlier blocks do.
from tasks_tf import scaled_keras, x_test
from tasks_torch import scaled_torch

# isort: split

# --8<-- [start:parity]
import numpy as np
import torch

# One set of weights for both; Keras's Dense kernel is (inputs, outputs), nn.Linear's
# weight its transpose. The scale is drawn too: its initial ones would hide a bug.
rng = np.random.default_rng(0)
kernel = rng.normal(size=(64, 10)).astype(np.float32)
bias = rng.normal(size=10).astype(np.float32)
scale = rng.uniform(0.5, 2.0, size=10).astype(np.float32)
scaled_keras.set_weights([kernel, bias, scale])
with torch.no_grad():
    scaled_torch[0].weight.copy_(torch.from_numpy(kernel.T.copy()))
    scaled_torch[0].bias.copy_(torch.from_numpy(bias))
    scaled_torch[1].scale.copy_(torch.from_numpy(scale))
    torch_out = scaled_torch.cpu()(torch.from_numpy(x_test)).numpy()
keras_out = scaled_keras.predict(x_test, verbose=0)
# float32 dot products of 64 terms, summed in two orders: equal to a relative 1e-5.
same = np.allclose(torch_out, keras_out, rtol=1e-5, atol=1e-5)
print(f"custom layer, one set of weights, outputs equal: {same}")
#> custom layer, one set of weights, outputs equal: True
assert same, float(np.abs(torch_out - keras_out).max())
# --8<-- [end:parity]
