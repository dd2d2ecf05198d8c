"""The device lines every TensorFlow example starts with, read from DOCS_DEVICE."""

# --8<-- [start:device]
import os

import tensorflow as tf

tf_device = "/GPU:0" if os.environ.get("DOCS_DEVICE", "cpu") == "cuda" else "/CPU:0"

with tf.device(tf_device):
    x = tf.ones(3)
assert x.device.endswith(tf_device[1:]), x.device  # ".../device:CPU:0"
print(f"{float(tf.reduce_sum(x)):.1f}")
#> 3.0
# --8<-- [end:device]
