"""Exact resume in TensorFlow: the checkpoint script (resume_tf.py) in a new process.

docs/training.md runs these sections as its reader does, in a folder that holds
resume_tf.py. To run the file alone, copy it and resume_tf.py into an empty folder.
"""

from pipeline_tf import tf_device

# isort: split

# --8<-- [start:prove]
import subprocess
import sys

import numpy as np
import resume_tf  # the script above, saved beside this code

# In this process: 12 steps straight, then 5 steps from a new start and a checkpoint.
resume_tf.straight_and_checkpoint()
# What a reader types in a shell: python resume_tf.py resume
done = subprocess.run(
    [sys.executable, "resume_tf.py", "resume"],
    capture_output=True,
    text=True,
    timeout=120,
)
assert done.returncode == 0, done.stderr[-2000:]
print(done.stdout.strip())
#> resumed from step 5, trained to step 12 in a new process
straight, resumed = np.load("straight.npz"), np.load("resumed.npz")
bitwise = all(np.array_equal(straight[k], resumed[k]) for k in straight.files)
print(f"12 steps straight == 5, save, load, 7 more: bitwise equal: {bitwise}")
#> 12 steps straight == 5, save, load, 7 more: bitwise equal: True
# --8<-- [end:prove]

# --8<-- [start:keras-format]
import keras

rng = np.random.default_rng(0)
x = rng.normal(size=(32, 8)).astype(np.float32)
y = x.sum(axis=1, keepdims=True)
keras.utils.set_random_seed(0)
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
checkpoint = keras.callbacks.ModelCheckpoint("epoch.weights.h5", save_weights_only=True)
model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[checkpoint])
model.save("model.keras")  # architecture, weights, compile() and the optimizer

whole = keras.models.load_model("model.keras")
print(f"optimizer steps in model.keras: {int(whole.optimizer.iterations)}")
#> optimizer steps in model.keras: 8
moments_kept = all(
    np.array_equal(a, b)
    for a, b in zip(whole.optimizer.variables, model.optimizer.variables)
)
print(f"Adam's moments kept: {moments_kept}")
#> Adam's moments kept: True

import warnings


def from_weights_file(build_optimizer_first):
    fresh = keras.Sequential([keras.Input((8,)), keras.layers.Dense(1)])
    fresh.compile(optimizer="adam", loss="mse")
    if build_optimizer_first:
        fresh.optimizer.build(fresh.trainable_variables)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fresh.load_weights("epoch.weights.h5")
    skipped = any("Skipping variable loading" in str(w.message) for w in caught)
    return int(fresh.optimizer.iterations), skipped


# The .weights.h5 file of ModelCheckpoint(save_weights_only=True) holds the optimizer's
# variables too, but an optimizer not built yet skips them, with a warning only.
print("optimizer steps, skipped with a warning:", from_weights_file(False))
#> optimizer steps, skipped with a warning: (0, True)
print("built first:", from_weights_file(True))
#> built first: (8, False)
# --8<-- [end:keras-format]

# --8<-- [start:device]
import tensorflow as tf

# Saved from wherever the model ran (DOCS_DEVICE=cuda: the GPU). A checkpoint holds
# values, not devices: a restore fills variables where they were created.
with tf.device(tf_device):
    on_device = tf.Variable(tf.ones([8, 1]))
path = tf.train.Checkpoint(w=on_device).write("on_device")
with tf.device("/CPU:0"):
    on_cpu = tf.Variable(tf.zeros([8, 1]))
tf.train.Checkpoint(w=on_cpu).read(path).assert_consumed()
print(on_cpu.device.endswith("CPU:0"), float(tf.reduce_sum(on_cpu)))
#> True 8.0
# --8<-- [end:device]
