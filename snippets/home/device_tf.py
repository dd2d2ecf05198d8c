"""The device lines every TensorFlow example starts with, read from DOCS_DEVICE."""

# --8<-- [start:device]
import os

import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

with tf.device(tf_device):
    x = tf.ones(3)
assert x.device.endswith(tf_device[1:]), x.device  # ".../device:CPU:0"
print(f"{float(tf.reduce_sum(x)):.1f}")
#> 3.0
# --8<-- [end:device]
