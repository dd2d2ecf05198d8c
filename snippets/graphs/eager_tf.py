"""TensorFlow 2 runs operations as they are called; tf.GradientTape records them."""

# --8<-- [start:eager]
import os

import numpy as np
import tensorflow as tf

tf.random.set_seed(0)
# "/GPU:0" with DOCS_DEVICE=cuda; named tf_device so it never replaces PyTorch's device
# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

with tf.device(tf_device):
    a_tf = tf.constant([1.0, 2.0, 3.0])
    b_tf = a_tf * 2  # computed on this line: no session, no graph to build first
print(b_tf.numpy().tolist(), type(b_tf).__name__)
#> [2.0, 4.0, 6.0] EagerTensor
print(f"executing eagerly: {tf.executing_eagerly()}")
#> executing eagerly: True
# --8<-- [end:eager]

# --8<-- [start:autodiff]
with tf.device(tf_device):
    w_tf = tf.Variable([0.5, -1.0, 2.0])
    with tf.GradientTape() as tape:  # records the operations below as they run
        loss_tf = tf.reduce_sum(tf.sin(w_tf * a_tf))
    grad_w_tf = tape.gradient(loss_tf, w_tf)

w_np, a_np = w_tf.numpy(), a_tf.numpy()
np.testing.assert_allclose(grad_w_tf.numpy(), np.cos(w_np * a_np) * a_np, rtol=1e-6)
print([round(v, 3) for v in grad_w_tf.numpy().tolist()])
#> [0.878, -0.832, 2.881]
# --8<-- [end:autodiff]


# --8<-- [start:branch]
def scale_or_shift_tf(x):
    if tf.reduce_sum(x) > 0:  # a Python `if` on a tensor's value
        return x * 2
    return x - 1


for values in ([1.0, 2.0], [-1.0, -2.0]):
    with tf.device(tf_device):
        x_tf = tf.Variable(values)
        with tf.GradientTape() as tape:
            y_tf = scale_or_shift_tf(x_tf)
        grad_x_tf = tape.gradient(y_tf, x_tf)
    print(f"{values}: gradient {grad_x_tf.numpy().tolist()}")
#> [1.0, 2.0]: gradient [2.0, 2.0]
#> [-1.0, -2.0]: gradient [1.0, 1.0]
# --8<-- [end:branch]
