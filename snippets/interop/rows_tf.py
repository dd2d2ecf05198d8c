"""Three rows of the API table, TensorFlow side.

The same numbers as rows_torch.py, from the same arrays.
"""

# --8<-- [start:conv]
import os

import keras
import numpy as np
import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"
# full float32 on GPUs, as PyTorch's tab
tf.config.experimental.enable_tensor_float_32_execution(False)
rng = np.random.default_rng(0)
images = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)  # N, C, H, W
# Keras' layout for the kernel: kh, kw, in, out
kernel = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
bias = rng.standard_normal(5).astype(np.float32)

with tf.device(tf_device):
    conv_tf = keras.layers.Conv2D(5, 3, padding="same")
    conv_tf.build((None, 8, 8, 3))
    conv_tf.set_weights([kernel, bias])
    features_tf = conv_tf(images.transpose(0, 2, 3, 1))  # Keras wants N, H, W, C
assert features_tf.shape == (2, 8, 8, 5)
# image 0, pixel (0, 0), all 5 channels
print(np.round(features_tf[0, 0, 0, :].numpy(), 3))
#> [ 2.187  2.903  3.627 -0.664 -6.478]
# --8<-- [end:conv]

# --8<-- [start:loss]
rng = np.random.default_rng(1)
logits = rng.standard_normal((4, 3)).astype(np.float32)
labels = np.array([0, 2, 1, 2])
with tf.device(tf_device):
    cross_entropy = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    loss_tf = cross_entropy(labels, logits)
assert loss_tf.shape == ()  # the mean over the batch, like PyTorch's default reduction
print(f"{float(loss_tf):.4f}")
#> 0.9786
# --8<-- [end:loss]

# --8<-- [start:adam]
rng = np.random.default_rng(2)
start = rng.standard_normal(4).astype(np.float32)
grads = [rng.standard_normal(4).astype(np.float32) for _ in range(3)]
with tf.device(tf_device):
    weights_tf = keras.Variable(start)
    adam_tf = keras.optimizers.Adam(0.01)  # epsilon=1e-7 by default
    for grad in grads:
        adam_tf.apply_gradients([(tf.constant(grad), weights_tf)])
assert not np.array_equal(weights_tf.numpy(), start)
print(np.round(weights_tf.numpy(), 4))
#> [ 0.1665 -0.534  -0.4141 -2.4568]
# --8<-- [end:adam]
