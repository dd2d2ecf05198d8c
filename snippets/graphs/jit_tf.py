"""tf.function(jit_compile=True): XLA's first-call cost against steady state."""

import os

# The device line of the page's first TensorFlow block, so that this file runs alone.
import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

# --8<-- [start:jit]
import statistics
import time

import numpy as np
import tensorflow as tf


def dense_gelu_tf(x, w):
    return tf.nn.gelu(x @ w)


def seconds_tf(fn, *args):
    """Wall time of one call; .numpy() waits for the device to finish."""
    start = time.perf_counter()
    result = fn(*args).numpy()
    return time.perf_counter() - start, result


with tf.device(tf_device):
    x_jit_tf = tf.random.stateless_normal([64, 64], seed=[0, 0]) / 8
    w_jit_tf = tf.random.stateless_normal([64, 64], seed=[0, 1]) / 8
    xla_dense = tf.function(dense_gelu_tf, jit_compile=True)  # XLA compiles the graph
    args_tf = (x_jit_tf, w_jit_tf)

    first_s_tf, first_result_tf = seconds_tf(xla_dense, *args_tf)  # trace, compile, run
    warm_s_tf = statistics.median(seconds_tf(xla_dense, *args_tf)[0] for _ in range(20))
    eager_s_tf = statistics.median(
        seconds_tf(dense_gelu_tf, *args_tf)[0] for _ in range(20)
    )
    timings_tf = {
        "first call": first_s_tf,
        "warm call": warm_s_tf,
        "eager call": eager_s_tf,
    }

    eager_result_tf = dense_gelu_tf(*args_tf).numpy()
    np.testing.assert_allclose(first_result_tf, eager_result_tf, rtol=1e-4, atol=1e-4)
    hlo = xla_dense.experimental_get_compiler_ir(x_jit_tf, w_jit_tf)(stage="hlo")
print(f"compiled by XLA: {hlo.startswith('HloModule')}")
#> compiled by XLA: True
print(f"first call at least 10x a warm call: {first_s_tf > 10 * warm_s_tf}")
#> first call at least 10x a warm call: True
# --8<-- [end:jit]
