"""Keras 3 as the bridge: the same model code and weights file on both backends.

bridge_keras.py, beside this file, is the file the page has its reader save.
"""

# --8<-- [start:bridge]
import concurrent.futures
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import keras
import numpy as np

# isort: split
# The file saved above, beside this one: this process runs it on its own backend.
import bridge_keras
from bridge_keras import LIMITS, backend_report, build_bridge_model


def report_on(backend: str, weights_path: str) -> dict:
    if backend == keras.backend.backend():
        return backend_report(weights_path)
    try:
        done = subprocess.run(
            [sys.executable, "bridge_keras.py", "--worker", weights_path],
            cwd=Path(bridge_keras.__file__).parent,  # the folder it was saved in
            # Both backends on the CPU, as TensorFlow's build beside CUDA torch is: one
            # device keeps the comparison to rounding, and the errors below the same.
            env={**os.environ, "KERAS_BACKEND": backend, "KERAS_TORCH_DEVICE": "cpu"},
            capture_output=True,
            text=True,
            timeout=170,  # a child that hangs fails the block instead of the whole run
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(
            f"the {backend} backend did not answer within 170 s"
        ) from None
    if done.returncode != 0:
        raise RuntimeError(f"the {backend} backend failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


keras.utils.set_random_seed(0)
with tempfile.TemporaryDirectory() as folder:
    # Keras 3's weights format, backend-neutral
    weights_file = str(Path(folder) / "bridge.weights.h5")
    build_bridge_model().save_weights(weights_file)
    # The other backend's process starts first, so that it imports and trains while
    # this one does.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        here = keras.backend.backend()
        other = "torch" if here == "tensorflow" else "tensorflow"
        elsewhere = pool.submit(report_on, other, weights_file)
        reports = {here: report_on(here, weights_file), other: elsewhere.result()}

tf_report, torch_report = reports["tensorflow"], reports["torch"]
print(f"backends: {tf_report['backend']} and {torch_report['backend']}")
#> backends: tensorflow and torch
output_gap = np.abs(
    np.array(tf_report["outputs"]) - np.array(torch_report["outputs"])
).max()
trained_gap = np.abs(
    np.array(tf_report["trained"]) - np.array(torch_report["trained"])
).max()
print(f"same outputs from the same file: {output_gap < 1e-5}")
#> same outputs from the same file: True
print(f"same weights after 8 SGD steps: {trained_gap < 1e-4}")
#> same weights after 8 SGD steps: True
# Outputs: float32 sums of 256 products, |output| < 5: a few 1e-7. Training: 8 steps
# whose gradients differ by about as much, amplified by lr=0.1 and the batch norm: 1e-4
# leaves headroom.
assert output_gap < 1e-5, output_gap
assert trained_gap < 1e-4, trained_gap
assert tf_report["losses"][-1] < tf_report["losses"][0]  # it did train
# --8<-- [end:bridge]

# --8<-- [start:limits]
for case in LIMITS:
    seen = {
        name: report["limits"][case].split(":")[0] for name, report in reports.items()
    }
    print(f"{case}: {', '.join(f'{name} {result}' for name, result in seen.items())}")
#> custom layer with keras.ops: tensorflow works, torch works
#> custom layer with tf ops: tensorflow works, torch RuntimeError
#> custom layer with torch ops: tensorflow TypeError, torch works
#> keras.layers.TorchModuleWrapper: tensorflow RuntimeError, torch works
#> fit on a tf.data.Dataset: tensorflow works, torch works
torch_tf_ops = reports["torch"]["limits"]["custom layer with tf ops"]
assert torch_tf_ops.startswith("RuntimeError: Can't call numpy()"), torch_tf_ops
# --8<-- [end:limits]
