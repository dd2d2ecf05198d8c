"""Input pipelines in TensorFlow: tf.data map, shuffle, batch, cache, prefetch."""

# --8<-- [start:setup]
import os

import numpy as np
import tensorflow as tf

# Where every example runs: DOCS_DEVICE=cuda for a GPU, the CPU by default.
# DOCS_DEVICE=cuda asks for the GPU; tensorflow-cpu (beside CUDA torch) has none.
gpu_asked = os.environ.get("DOCS_DEVICE", "cpu") == "cuda"
has_gpu = bool(tf.config.list_physical_devices("GPU"))
tf_device = "/GPU:0" if gpu_asked and has_gpu else "/CPU:0"

# 64 examples of 8 features; each one's id is its position, so orders can be read.
rng = np.random.default_rng(0)
features = rng.normal(size=(64, 8)).astype(np.float32)
ids = np.arange(64)
mean, std = features.mean(axis=0), features.std(axis=0)


def transform(x, i):
    """The per-example transform: standardise with the data's statistics."""
    return (x - mean) / std, i


examples = tf.data.Dataset.from_tensor_slices((features, ids))
# --8<-- [end:setup]


# --8<-- [start:loader]
def batches(dataset):
    return list(dataset.as_numpy_iterator())


in_order = batches(examples.map(transform).batch(8))
# The transform on parallel threads, the next batches prepared while one is used.
# The order stays the input's: map keeps it unless told deterministic=False.
pipeline = (
    examples.map(transform, num_parallel_calls=tf.data.AUTOTUNE)
    .cache()  # after a deterministic map: epoch 2 reads memory instead of mapping again
    .batch(8)
    .prefetch(tf.data.AUTOTUNE)
)
parallel = batches(pipeline)
print(f"{len(parallel)} batches of {parallel[0][0].shape}, {parallel[0][0].dtype}")
#> 8 batches of (8, 8), float32
same = all(np.array_equal(a[0], b[0]) for a, b in zip(in_order, parallel))
print(f"parallel map gives the batches of a plain map, in order: {same}")
#> parallel map gives the batches of a plain map, in order: True
# --8<-- [end:loader]


# --8<-- [start:shuffle]
def epoch_order(dataset):
    return np.concatenate([i for _, i in dataset.as_numpy_iterator()])


# A buffer as large as the data is a full shuffle, drawn again for every epoch.
shuffled = examples.shuffle(64, seed=0, reshuffle_each_iteration=True).batch(8)
first, second = epoch_order(shuffled), epoch_order(shuffled)
again = epoch_order(examples.shuffle(64, seed=0).batch(8))
print(f"every example once per epoch: {sorted(first) == list(ids)}")
#> every example once per epoch: True
print(f"epoch 2 in another order: {not np.array_equal(first, second)}")
#> epoch 2 in another order: True
print(f"same seed, same order: {np.array_equal(first, again)}")
#> same seed, same order: True
# --8<-- [end:shuffle]

# --8<-- [start:buffer]
# A buffer of 4 only swaps neighbours: the first batch of 8 holds ids 0 to 10 at most.
small = epoch_order(examples.shuffle(4, seed=0).batch(8))
print(f"buffer 4, first batch from the first 11 examples: {small[:8].max() < 11}")
#> buffer 4, first batch from the first 11 examples: True
print(f"buffer 64, first batch from the first 11 examples: {first[:8].max() < 11}")
#> buffer 64, first batch from the first 11 examples: False
# --8<-- [end:buffer]

# --8<-- [start:cache]
generator = tf.random.Generator.from_seed(0)


def augment(x, i):  # a random transform: new noise for every example, every epoch
    return x + generator.normal([8]), i


def two_epochs(dataset):
    return [np.concatenate([x for x, _ in dataset.as_numpy_iterator()]) for _ in "ab"]


e1, e2 = two_epochs(examples.map(augment).batch(8))
print(f"random map, epochs differ: {not np.array_equal(e1, e2)}")
#> random map, epochs differ: True
e1, e2 = two_epochs(examples.map(augment).cache().batch(8))
print(f"cache() after it, epochs differ: {not np.array_equal(e1, e2)}")
#> cache() after it, epochs differ: False
e1, e2 = two_epochs(examples.map(transform).cache().map(augment).batch(8))
print(f"cache() before it, epochs differ: {not np.array_equal(e1, e2)}")
#> cache() before it, epochs differ: True

# tf.random.normal inside map with a global seed repeats itself: every new iterator
# starts the op's sequence again.
tf.random.set_seed(0)
seeded_op = examples.map(lambda x, i: (x + tf.random.normal([8]), i)).batch(8)
e1, e2 = two_epochs(seeded_op)
print(f"tf.random.normal in map, epochs differ: {not np.array_equal(e1, e2)}")
#> tf.random.normal in map, epochs differ: False
# --8<-- [end:cache]
