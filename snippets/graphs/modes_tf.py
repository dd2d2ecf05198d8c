"""One data-dependent function in TensorFlow: eager, traced, XLA-compiled, exported."""

import os

# The device line of the page's first TensorFlow block, so that this file runs alone.
import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

# --8<-- [start:modes]
import tempfile

import numpy as np
import tensorflow as tf


def scale_or_shift_tf(x):
    # eager: a Python `if`; traced: AutoGraph turns it into a graph conditional
    if tf.reduce_sum(x) > 0:
        return x * 2
    return x - 1


traced_sos = tf.function(scale_or_shift_tf)
xla_sos = tf.function(scale_or_shift_tf, jit_compile=True)


class ScaleOrShiftModule(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
    def __call__(self, x):
        return scale_or_shift_tf(x)


with tempfile.TemporaryDirectory() as export_dir, tf.device(tf_device):
    # Exported: a SavedModel holds the graph for any length; it loads without this code.
    tf.saved_model.save(ScaleOrShiftModule(), export_dir)
    reloaded_tf = tf.saved_model.load(export_dir)

    modes_tf = {"traced": traced_sos, "XLA": xla_sos, "saved and loaded": reloaded_tf}
    for values in ([1.0, 2.0, 3.0], [-1.0, -2.0], [-3.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        x_tf = tf.constant(values)
        eager_result_tf = scale_or_shift_tf(x_tf)
        for mode in modes_tf.values():
            np.testing.assert_array_equal(mode(x_tf).numpy(), eager_result_tf.numpy())
        print(f"{values} -> {eager_result_tf.numpy().tolist()}")
#> [1.0, 2.0, 3.0] -> [2.0, 4.0, 6.0]
#> [-1.0, -2.0] -> [-2.0, -3.0]
#> [-3.0, 1.0, 1.0, 1.0, 1.0, 1.0] -> [-6.0, 2.0, 2.0, 2.0, 2.0, 2.0]

signature = reloaded_tf.signatures["serving_default"].structured_input_signature[1]["x"]
print(f"exported for shape {signature.shape}, {signature.dtype.name}")
#> exported for shape (None,), float32
any_length = tf.TensorSpec(shape=[None], dtype=tf.float32)
graph = traced_sos.get_concrete_function(any_length).graph
graph_ops = {node.op for node in graph.as_graph_def().node}
print(sorted(graph_ops - {"Const", "Identity", "Placeholder"}))
#> ['Greater', 'StatelessIf', 'Sum']
# --8<-- [end:modes]
