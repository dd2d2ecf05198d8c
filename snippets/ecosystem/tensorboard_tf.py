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

# --8<-- [start:dependency]
import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, requires


def requirement_names(dist: str) -> set[str]:
    """The names of the packages a wheel requires, without versions or markers."""
    return {re.match(r"[\w.-]+", r)[0].lower() for r in requires(dist) or []}


def tensorflow_requires() -> set[str]:
    for dist in ("tensorflow", "tensorflow-cpu"):  # whichever the reader installed
        try:
            return requirement_names(dist)
        except PackageNotFoundError:
            continue
    raise PackageNotFoundError("tensorflow")


print("TensorFlow requires tensorboard:", "tensorboard" in tensorflow_requires())
#> TensorFlow requires tensorboard: False
print("Keras requires tensorboard:", "tensorboard" in requirement_names("keras"))
#> Keras requires tensorboard: False
# A child in which the tensorboard package cannot be imported, as if not installed.
WITHOUT_TENSORBOARD = """
import sys
sys.modules["tensorboard"] = None
import tensorflow as tf
writer = tf.summary.create_file_writer(sys.argv[1])  # still works: part of TensorFlow
with writer.as_default():
    tf.summary.scalar("loss", 1.0, step=0)
"""
child = subprocess.run(
    [sys.executable, "-c", WITHOUT_TENSORBOARD, tempfile.mkdtemp()],
    capture_output=True,
    text=True,
)
print(child.stderr.strip().splitlines()[-1].split(": ", 1)[1])
#> TensorBoard is not installed, missing implementation for tf.summary.scalar
# --8<-- [end:dependency]
