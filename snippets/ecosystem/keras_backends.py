"""One Keras model file, keras_train.py, trained on TensorFlow and on PyTorch.

docs/ecosystem.md runs these sections as its reader does, in a folder that holds
keras_train.py. To run the file alone, do the same: copy it and keras_train.py into an
empty folder, and run `python keras_backends.py` there.
"""

# --8<-- [start:run]
import json
import os
import subprocess
import sys

import numpy as np

# What a reader types in two shells: KERAS_BACKEND=tensorflow python keras_train.py, and
# KERAS_BACKEND=torch python keras_train.py. Started at once, they train side by side.
children = {
    backend: subprocess.Popen(
        [sys.executable, "keras_train.py"],
        env={
            **os.environ,
            "KERAS_BACKEND": backend,
            "OMP_NUM_THREADS": "1",  # the two share the machine's cores
            "TF_NUM_INTRAOP_THREADS": "1",
            "TF_CPP_MIN_LOG_LEVEL": "2",
        },
        stdout=subprocess.PIPE,
        text=True,
    )
    for backend in ("tensorflow", "torch")
}
runs = {}
for backend, child in children.items():
    printed = child.communicate(timeout=170)[0].splitlines()
    assert child.returncode == 0, f"{backend}: exit code {child.returncode}"
    print(f"{backend}: {printed[0]}")
    runs[backend] = json.loads(printed[-1])
#> tensorflow: trained twice; the loss fell both times: True
#> torch: trained twice; the loss fell both times: True
tf_run, torch_run = runs["tensorflow"], runs["torch"]
print(tf_run["seeded"]["backend"], torch_run["seeded"]["backend"])
#> tensorflow torch
# --8<-- [end:run]

# --8<-- [start:seeded]
same_start = np.allclose(
    tf_run["seeded"]["initial_kernel"], torch_run["seeded"]["initial_kernel"]
)
print(f"set_random_seed(0) gives the same initial weights on both: {same_start}")
#> set_random_seed(0) gives the same initial weights on both: False
accuracies = [run["seeded"]["test_accuracy"] for run in (tf_run, torch_run)]
print(f"both reach a test accuracy above 0.85: {min(accuracies) > 0.85}")
#> both reach a test accuracy above 0.85: True
# --8<-- [end:seeded]

# --8<-- [start:shared]
tf_loss = np.array(tf_run["shared_init"]["train_loss"])
torch_loss = np.array(torch_run["shared_init"]["train_loss"])
print(f"loss after 5 epochs: {tf_loss[-1]:.3f} and {torch_loss[-1]:.3f}")
#> loss after 5 epochs: 0.548 and 0.548
print(f"every epoch's loss within 1e-5: {np.abs(tf_loss - torch_loss).max() < 1e-5}")
#> every epoch's loss within 1e-5: True
same_accuracy = (
    tf_run["shared_init"]["test_accuracy"] == torch_run["shared_init"]["test_accuracy"]
)
print(f"the same test accuracy, to the last image: {same_accuracy}")
#> the same test accuracy, to the last image: True
# --8<-- [end:shared]

# --8<-- [start:check]
# Same weights, same batches, same float32 arithmetic: only the order of the sums
# inside the two engines' matrix products differs, a few ulps per step. The bound
# allows about 80 times float32's epsilon (1.2e-7) of drift over the 5 epochs; a real
# difference between the backends (another initialiser, another batch order) misses
# it by orders of magnitude.
assert np.abs(tf_loss - torch_loss).max() < 1e-5
assert same_accuracy
assert not same_start
# --8<-- [end:check]
