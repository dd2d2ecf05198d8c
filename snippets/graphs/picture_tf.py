"""One small function's graph, read from TensorFlow's own representation: a GraphDef.

fieldguide/render/graphs.py runs this file and draws `tf_small_nodes` as
docs/assets/graphs/small_tf.svg.
"""

import os

# The device line of the page's first TensorFlow block, so that this file runs alone.
import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

# --8<-- [start:picture]
import tensorflow as tf


@tf.function
def small_tf(x, w, b):
    return tf.nn.relu(x @ w + b)


with tf.device(tf_device):
    small_concrete = small_tf.get_concrete_function(
        tf.TensorSpec([None, 3], tf.float32),
        tf.TensorSpec([3, 2], tf.float32),
        tf.TensorSpec([2], tf.float32),
    )
small_graph = small_concrete.graph
tf_small_nodes = [  # (name, op, inputs, output shape) for every node of the GraphDef
    (
        node.name,
        node.op,
        list(node.input),
        str(small_graph.get_operation_by_name(node.name).outputs[0].shape),
    )
    for node in small_graph.as_graph_def().node
]
for name, op, inputs, shape in tf_small_nodes:
    print(f"{name:<9} {op:<12} {shape:<10} <- {', '.join(inputs)}")
#> x         Placeholder  (None, 3)  <-
#> w         Placeholder  (3, 2)     <-
#> b         Placeholder  (2,)       <-
#> matmul    MatMul       (None, 2)  <- x, w
#> add       AddV2        (None, 2)  <- matmul, b
#> Relu      Relu         (None, 2)  <- add
#> Identity  Identity     (None, 2)  <- Relu
# --8<-- [end:picture]
