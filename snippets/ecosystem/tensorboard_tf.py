"""TensorFlow writes TensorBoard event files; read back, they hold what was written."""

# --8<-- [start:write]
import tempfile

import tensorflow as tf

tf.random.set_seed(0)
weight = tf.random.normal([4, 8])
log_dir_tf = tempfile.mkdtemp()


@tf.function
def dense_relu(x):
    return tf.nn.relu(x @ weight)


writer = tf.summary.create_file_writer(log_dir_tf)
with writer.as_default():
    for step in range(5):
        tf.summary.scalar("loss", 1.0 / (step + 1), step=step)
    tf.summary.histogram("first_layer/weight", weight, step=4)
    # The graph tf.function traced for this input signature, written as the run's graph.
    tf.summary.graph(dense_relu.get_concrete_function(tf.TensorSpec([None, 4])).graph)
writer.close()
# --8<-- [end:write]

# --8<-- [start:read]
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

events = EventAccumulator(log_dir_tf, size_guidance={"tensors": 0})  # 0: keep all
events.Reload()
# TF 2 writes scalars and histograms as tensor summaries: they are read back as tensors.
print(events.Tags()["tensors"], events.Tags()["graph"])
#> ['loss', 'first_layer/weight'] True
print(
    [
        (e.step, round(float(tf.make_ndarray(e.tensor_proto)), 3))
        for e in events.Tensors("loss")
    ]
)
#> [(0, 1.0), (1, 0.5), (2, 0.333), (3, 0.25), (4, 0.2)]
histogram = events.Tensors("first_layer/weight")[0]
buckets = tf.make_ndarray(histogram.tensor_proto)  # rows: left edge, right edge, count
print(f"histogram counts {buckets[:, 2].sum():.0f} values")
#> histogram counts 32 values
graph_ops = {node.op for node in events.Graph().node}
assert {"MatMul", "Relu"} <= graph_ops, graph_ops
# --8<-- [end:read]
