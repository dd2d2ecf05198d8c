"""Debugging TensorFlow code: print and tf.print in eager, traced and XLA functions."""

import os

# The device line of the page's first TensorFlow block, so that this file runs alone.
import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

# --8<-- [start:debug]
import os
import tempfile

import tensorflow as tf

# tf.print inside a graph writes from C++, past Python's sys.stdout: send it to a
# file, to show it here.
tf_print_log = os.path.join(tempfile.mkdtemp(), "tf_print.log")


def double_then_add_tf(x):
    y = x * 2
    print("print sees", type(y).__name__)  # Python: runs whenever the Python body runs
    # an op: runs whenever the graph runs
    tf.print("tf.print sees", y, output_stream=f"file://{tf_print_log}")
    return y + 1


traced_debug = tf.function(double_then_add_tf)
with tf.device(tf_device):
    double_then_add_tf(tf.constant(1.0))  # eager: print sees the value
    #> print sees EagerTensor
    for v in (1.0, 2.0, 3.0):
        # traced: print runs once, at trace time, on a symbolic tensor
        traced_debug(tf.constant(v))
    #> print sees SymbolicTensor

    # The switch for debugging: tf.function bodies run as plain Python.
    tf.config.run_functions_eagerly(True)
    try:
        traced_debug(tf.constant(4.0))
        #> print sees EagerTensor
    finally:
        tf.config.run_functions_eagerly(False)

with open(tf_print_log) as log:
    print(log.read().rstrip())
#> tf.print sees 2
#> tf.print sees 2
#> tf.print sees 4
#> tf.print sees 6
#> tf.print sees 8
# --8<-- [end:debug]

# --8<-- [start:xla]
xla_debug = tf.function(double_then_add_tf, jit_compile=True)
with tf.device(tf_device):
    try:
        xla_debug(tf.constant(1.0))
    except tf.errors.InvalidArgumentError as err:
        # XLA has no kernel for the string ops that tf.print uses
        print(f"XLA refuses tf.print: {'StringFormat' in str(err)}")
#> print sees SymbolicTensor
#> XLA refuses tf.print: True
# --8<-- [end:xla]
