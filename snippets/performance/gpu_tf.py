"""On a GPU with TensorFlow: time with sync_devices(), read the allocator, grow memory.

Each section runs its GPU part only when DOCS_DEVICE=cuda and this TensorFlow has a GPU
(tensorflow-cpu never does): a reader running this file on a CPU sees it pass over them.
"""

# --8<-- [start:timing]
import os
import time

import tensorflow as tf

# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
on_gpu = gpu_asked and bool(tf.config.list_physical_devices("GPU"))

if on_gpu:
    # TensorFlow multiplies float32 in TF32 on Ampere and newer GPUs unless told not to.
    tf.config.experimental.enable_tensor_float_32_execution(False)
    with tf.device("/GPU:0"):
        a = tf.random.normal((8192, 8192), seed=0)
        tf.matmul(a, a)  # the first product loads cuBLAS: keep it out of the timing
        tf.test.experimental.sync_devices()
        began = time.perf_counter()
        for _ in range(10):
            product = tf.matmul(a, a)
        # Eager ops return once their kernel is queued, as PyTorch's calls do.
        queued = time.perf_counter() - began
        tf.test.experimental.sync_devices()  # TensorFlow's torch.cuda.synchronize()
        finished = time.perf_counter() - began
    assert finished > 5 * queued, (queued, finished)
# --8<-- [end:timing]

# --8<-- [start:memory]
if on_gpu:
    tf.config.experimental.reset_memory_stats("GPU:0")
    before = tf.config.experimental.get_memory_info("GPU:0")["current"]
    with tf.device("/GPU:0"):
        block = tf.zeros((256, 1024, 1024))  # 1 GiB of float32
    assert tf.config.experimental.get_memory_info("GPU:0")["peak"] - before >= 2**30
    del block
    # Back to TensorFlow's allocator, which keeps what it took from the driver.
    assert tf.config.experimental.get_memory_info("GPU:0")["current"] < before + 2**20
# --8<-- [end:memory]

# --8<-- [start:growth]
import subprocess
import sys

# By default TensorFlow maps nearly all of a GPU's memory when it first touches it, so a
# second process (another worker, a PyTorch job) finds none. Memory growth must be set
# before that first touch: here in a fresh process, as at the top of a script.
GROWTH = """
import tensorflow as tf
gpu = tf.config.list_physical_devices("GPU")[0]
tf.config.experimental.set_memory_growth(gpu, True)  # or TF_FORCE_GPU_ALLOW_GROWTH=true
tf.zeros(1)  # the first touch: the GPU is initialised now
assert tf.config.experimental.get_memory_growth(gpu)
try:
    tf.config.experimental.set_memory_growth(gpu, False)
except RuntimeError as err:
    print("too late:", err)
"""
if on_gpu:
    child = subprocess.run(
        [sys.executable, "-c", GROWTH], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr[-2000:]
    assert "too late: Physical devices cannot be modified" in child.stdout, child.stdout
# --8<-- [end:growth]
