"""tf.function: tracing Python into graphs, retracing, and what AutoGraph rewrites."""

import os

import tensorflow as tf

# The device lines of the page's first TensorFlow block, so that this file runs alone.
# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"


# --8<-- [start:retrace]
@tf.function
def double_tf(x):
    return x * 2


calls = [
    ("float32, shape [2]", tf.constant([1.0, 2.0])),
    ("float32, shape [2], new values", tf.constant([5.0, 6.0])),
    ("float32, shape [3]", tf.constant([1.0, 2.0, 3.0])),
    ("int32, shape [2]", tf.constant([1, 2])),
    ("Python int 2", 2),
    ("Python int 3", 3),
    ("Python int 3 again", 3),
]
with tf.device(tf_device):
    for label, arg in calls:
        double_tf(arg)
        traces = double_tf.experimental_get_tracing_count()
        print(f"{label:<31} traces so far: {traces}")
#> float32, shape [2]              traces so far: 1
#> float32, shape [2], new values  traces so far: 1
#> float32, shape [3]              traces so far: 2
#> int32, shape [2]                traces so far: 3
#> Python int 2                    traces so far: 4
#> Python int 3                    traces so far: 5
#> Python int 3 again              traces so far: 5
# --8<-- [end:retrace]


# --8<-- [start:signature]
@tf.function(input_signature=[tf.TensorSpec(shape=[None], dtype=tf.float32)])
def double_any_length(x):
    return x * 2


@tf.function(reduce_retracing=True)
def double_relaxed(x):
    return x * 2


with tf.device(tf_device):
    for n in (2, 3, 4, 5):
        double_any_length(tf.ones([n]))
        double_relaxed(tf.ones([n]))
    # The second trace of double_relaxed was already for shape [None]:
    # asking for that signature traces nothing.
    double_relaxed.get_concrete_function(tf.TensorSpec(shape=[None], dtype=tf.float32))
print(f"input_signature: {double_any_length.experimental_get_tracing_count()} trace")
#> input_signature: 1 trace
print(f"reduce_retracing: {double_relaxed.experimental_get_tracing_count()} traces")
#> reduce_retracing: 2 traces

try:
    double_any_length(tf.constant([1, 2]))  # int32 does not fit the signature
except TypeError as err:
    print(f"int32 refused: {'Can not cast' in str(err)}")
#> int32 refused: True
# --8<-- [end:signature]

# --8<-- [start:side-effects]
python_runs = []  # a Python side effect: appended to while the body runs as Python


@tf.function
def count_and_double(x):
    eagerly = tf.executing_eagerly()
    python_runs.append(f"{type(x).__name__}, executing eagerly: {eagerly}")
    return x * 2


with tf.device(tf_device):
    results = [float(count_and_double(tf.constant(v))) for v in (1.0, 2.0, 3.0)]
print(results)
#> [2.0, 4.0, 6.0]
print(python_runs)  # three calls, one trace: the Python ran once, on a symbolic tensor
#> ['SymbolicTensor, executing eagerly: False']
# --8<-- [end:side-effects]

# --8<-- [start:autograph]
import re


def positive_sum_tf(x):
    total = tf.constant(0.0)
    for v in x:  # Python `for` over a tensor
        if v > 0:  # Python `if` on a tensor's value
            total += v
    return total


code = tf.autograph.to_code(positive_sum_tf)  # the Python AutoGraph generates
print(sorted(set(re.findall(r"ag__\.(\w+_stmt)\(", code))))
#> ['for_stmt', 'if_stmt']
defined = re.findall(r"def (\w+)\(", code)  # the function, then the ones inside it
print(defined[0])
#> tf__positive_sum_tf
print(" ".join(defined[1:]))
#> get_state_1 set_state_1 loop_body get_state set_state if_body else_body

traced_positive_sum = tf.function(positive_sum_tf)
with tf.device(tf_device):
    any_length = tf.TensorSpec(shape=[None], dtype=tf.float32)
    concrete = traced_positive_sum.get_concrete_function(any_length)
    graph_def = concrete.graph.as_graph_def()
    # Loop and branch bodies are functions in the graph's library, called by While/If.
    ops = {node.op for node in graph_def.node}
    ops |= {n.op for f in graph_def.library.function for n in f.node_def}
    print(sorted(op for op in ops if op.endswith(("If", "While"))))
    #> ['StatelessIf', 'StatelessWhile']
    x_values = tf.constant([1.0, -2.0, 3.0, -4.0])
    assert float(traced_positive_sum(x_values)) == float(positive_sum_tf(x_values)) == 4
# --8<-- [end:autograph]

# --8<-- [start:no-autograph]
# Gradients do not come from AutoGraph: switch it off, and GradientTape still
# differentiates the graph.
cube_tf = tf.function(lambda x: x**3, autograph=False)
with tf.device(tf_device):
    x_cube = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y_cube = cube_tf(x_cube)
print(f"d(x^3)/dx at 2: {float(tape.gradient(y_cube, x_cube))}")
#> d(x^3)/dx at 2: 12.0
# --8<-- [end:no-autograph]
