"""The same Keras model file trained on the TensorFlow backend and on the PyTorch backend, each in its own process."""

# --8<-- [start:run]
import concurrent.futures
import json
import sys

import keras
import numpy as np
from ecosystem.keras_train import train
from ecosystem.launch import run_workers

# Keras reads KERAS_BACKEND once, at import: this process trains on the backend it has, and a
# fresh process takes the other one, started first so that the two train at the same time.
here = keras.backend.backend()
other = "torch" if here == "tensorflow" else "tensorflow"
with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
    child = pool.submit(
        run_workers,
        [[sys.executable, "-m", "ecosystem.keras_train", "--json"]],
        [{"KERAS_BACKEND": other, "TF_CPP_MIN_LOG_LEVEL": "2"}],
        timeout=170,
    )
    runs = {here: {"seeded": train(seeded=True), "shared_init": train(seeded=False)}}
    runs[other] = json.loads(child.result()[0].strip().splitlines()[-1])
tf_run, torch_run = runs["tensorflow"], runs["torch"]
print(tf_run["seeded"]["backend"], torch_run["seeded"]["backend"])
#> tensorflow torch
# --8<-- [end:run]

# --8<-- [start:seeded]
same_start = np.allclose(tf_run["seeded"]["initial_kernel"], torch_run["seeded"]["initial_kernel"])
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
same_accuracy = tf_run["shared_init"]["test_accuracy"] == torch_run["shared_init"]["test_accuracy"]
print(f"the same test accuracy, to the last image: {same_accuracy}")
#> the same test accuracy, to the last image: True
# --8<-- [end:shared]

# --8<-- [start:check]
# Same weights, same batches, same float32 arithmetic: only the order of the sums inside the two
# engines' matrix products differs, a few ulps per step. Measured: under 1e-6 after 5 epochs.
assert np.abs(tf_loss - torch_loss).max() < 1e-5
assert same_accuracy
assert not same_start
# --8<-- [end:check]
