"""TensorFlow routes: SavedModel, LiteRT and ONNX, each run and checked against Keras.

On the page, the names this file imports from common.py come from that file's blocks,
earlier on the page; server.py is the file the page's serving block saves.
"""

from common import assert_parity, digits_split, scratch_dir  # noqa: I001

# --8<-- [start:model]
import keras
import numpy as np
import tensorflow as tf

x_train, x_test, y_train, y_test = digits_split()


def train_keras_mlp() -> keras.Sequential:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(
                shape=(64,), name="pixels"
            ),  # the input's name becomes the signature's
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(1e-2),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    model.fit(x_train, y_train, epochs=10, batch_size=128, verbose=0)
    return model


# The artifacts below are CPU artifacts, so the model stays on the CPU on every runner.
with tf.device("/CPU:0"):
    keras_model = train_keras_mlp()
    keras_logits = keras_model.predict(
        x_test, verbose=0
    )  # what every route must reproduce
keras_accuracy = (keras_logits.argmax(axis=1) == y_test).mean()
print(f"test accuracy at least 95%: {keras_accuracy >= 0.95}")
#> test accuracy at least 95%: True
assert keras_accuracy >= 0.95, keras_accuracy
folder = scratch_dir()
# --8<-- [end:model]


# --8<-- [start:savedmodel]
def save_savedmodel(model: keras.Model, path):
    model.export(str(path), verbose=False)  # format="tf_saved_model" is the default
    return path


def load_savedmodel(path):
    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    return lambda x: serve(pixels=tf.constant(x))["output_0"].numpy()


# TensorFlow Serving looks for numbered versions under the model's folder.
savedmodel = save_savedmodel(keras_model, folder / "digits" / "1")
run_savedmodel = load_savedmodel(savedmodel)
assert_parity("SavedModel", run_savedmodel(x_test), keras_logits)
# --8<-- [end:savedmodel]

# --8<-- [start:cli]
import subprocess
import sys

# saved_model_cli comes with TensorFlow: `saved_model_cli show --dir ... --all`.
shown = subprocess.run(
    [
        sys.executable,
        "-m",
        "tensorflow.python.tools.saved_model_cli",
        "show",
        "--dir",
        str(savedmodel),
        "--all",
    ],
    capture_output=True,
    text=True,
    check=True,
).stdout
serving_default = shown.split("signature_def['serving_default']:")[1].split(
    "signature_def["
)[0]
lines = [line.strip() for line in serving_default.splitlines()]
print(
    *[
        line
        for line in lines
        if line.startswith(("inputs[", "outputs[", "dtype", "shape", "Method"))
    ],
    sep="\n",
)
#> inputs['pixels'] tensor_info:
#> dtype: DT_FLOAT
#> shape: (-1, 64)
#> outputs['output_0'] tensor_info:
#> dtype: DT_FLOAT
#> shape: (-1, 10)
#> Method name is: tensorflow/serving/predict
# --8<-- [end:cli]

# --8<-- [start:rest-body]
import json

# The body of a TF Serving REST predict call, in its columnar "inputs" form.
body = json.dumps(
    {"signature_name": "serving_default", "inputs": {"pixels": x_test[:2].tolist()}}
)
request = json.loads(body)
signature = tf.saved_model.load(str(savedmodel)).signatures[request["signature_name"]]
answer = signature(
    **{name: tf.constant(rows) for name, rows in request["inputs"].items()}
)
print(sorted(answer), answer["output_0"].shape)
#> ['output_0'] (2, 10)
assert_parity(
    "REST body through the signature", answer["output_0"].numpy(), keras_logits[:2]
)
# --8<-- [end:rest-body]

# --8<-- [start:litert]
from ai_edge_litert.interpreter import Interpreter


def convert_litert(savedmodel, path, quantize: bool = False):
    converter = tf.lite.TFLiteConverter.from_saved_model(str(savedmodel))
    if quantize:
        converter.optimizations = [
            tf.lite.Optimize.DEFAULT
        ]  # int8 weights, float activations
    path.write_bytes(converter.convert())
    return path


def load_litert(path):
    interpreter = Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    (given,), (wanted,) = (
        interpreter.get_input_details(),
        interpreter.get_output_details(),
    )

    def run(x):
        if tuple(interpreter.get_input_details()[0]["shape"]) != x.shape:
            interpreter.resize_tensor_input(
                given["index"], x.shape
            )  # the batch size is fixed per allocation
            interpreter.allocate_tensors()
        interpreter.set_tensor(given["index"], x)
        interpreter.invoke()
        return interpreter.get_tensor(wanted["index"])

    return run


float_tflite = convert_litert(savedmodel, folder / "digits.tflite")
int8_tflite = convert_litert(savedmodel, folder / "digits_int8.tflite", quantize=True)
float_logits, int8_logits = (
    load_litert(float_tflite)(x_test),
    load_litert(int8_tflite)(x_test),
)
assert_parity("LiteRT float", float_logits, keras_logits)

size_ratio = int8_tflite.stat().st_size / float_tflite.stat().st_size
accuracy_change = (int8_logits.argmax(axis=1) == y_test).mean() - keras_accuracy
agreement = (int8_logits.argmax(axis=1) == keras_logits.argmax(axis=1)).mean()
print(f"int8 file size: {size_ratio:.0%} of the float file")
#> int8 file size: 33% of the float file
print(f"test accuracy change in int8: {100 * accuracy_change:+.0f} points")
#> test accuracy change in int8: +0 points
print(f"same digit as the float model: {agreement:.0%} of test images")
#> same digit as the float model: 100% of test images
assert size_ratio < 0.4, size_ratio
assert abs(accuracy_change) <= 0.01, accuracy_change
assert agreement >= 0.98, agreement
# Quantized weights do change the logits: this route is not a float32 copy.
assert np.abs(int8_logits - keras_logits).max() > 1e-3
# --8<-- [end:litert]

# --8<-- [start:tf-lite-interpreter]
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    tf.lite.Interpreter(model_path=str(float_tflite))
message = " ".join(" ".join(str(w.message).split()) for w in caught)
print("tf.lite.Interpreter is deprecated" in message, "deletion in TF 2.20" in message)
#> True True
# --8<-- [end:tf-lite-interpreter]

# --8<-- [start:tf2onnx]
import re

import onnxruntime as ort
import tf2onnx

spec = [tf.TensorSpec([None, 64], tf.float32, name="pixels")]


def save_tf_onnx(model: keras.Model, path):
    # from_function traces a tf.function; from_keras fails on Keras 3 models (below).
    proto, _ = tf2onnx.convert.from_function(
        tf.function(model), input_signature=spec, opset=17
    )
    path.write_bytes(proto.SerializeToString())
    return path


def load_onnx(path):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})[0]


tf_onnx = save_tf_onnx(keras_model, folder / "digits_tf.onnx")
assert_parity(
    "ONNX Runtime (from TensorFlow)", load_onnx(tf_onnx)(x_test), keras_logits
)

try:
    tf2onnx.convert.from_keras(keras_model, input_signature=spec, opset=17)
except KeyError as error:
    # Keras numbers its tensors per process: the number depends on what ran before.
    print("from_keras with a Keras 3 model: KeyError", re.sub(r"\d+", "N", str(error)))
#> from_keras with a Keras 3 model: KeyError 'keras_tensor_N'
# --8<-- [end:tf2onnx]

# --8<-- [start:keras-onnx]
# Keras 3's own exporter. On the TensorFlow backend it traces the model and calls
# tf2onnx itself; on the PyTorch backend it calls torch.onnx. The model must have
# been called once, so that Keras knows its input signature.
keras_onnx = folder / "digits_keras.onnx"
keras_model.export(str(keras_onnx), format="onnx", verbose=False)
exported_logits = load_onnx(keras_onnx)(x_test)
assert_parity("ONNX Runtime (Keras export)", exported_logits, keras_logits)
same = (exported_logits.argmax(axis=1) == keras_logits.argmax(axis=1)).all()
print("the same digit for every test image:", same)
#> the same digit for every test image: True
# --8<-- [end:keras-onnx]

# --8<-- [start:serve]
from fastapi.testclient import TestClient
from server import create_app  # server.py, saved from the block above

client = TestClient(create_app(str(tf_onnx), max_batch=64))  # no socket, same app
served = client.post("/predict", json={"inputs": x_test[:8].tolist()}).json()
assert_parity("served (TensorFlow ONNX)", served["logits"], keras_logits[:8])
print(served["digits"] == keras_logits[:8].argmax(axis=1).tolist())
#> True
refused = client.post("/predict", json={"inputs": [[0.5] * 63]})
print(refused.status_code, refused.json()["error"])
#> 422 inputs.0: List should have at least 64 items after validation, not 63
# --8<-- [end:serve]
