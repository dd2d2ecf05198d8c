"""The same data and transform through DataLoader and tf.data: the same batches?"""

# Run alone, the file first runs both pipelines' files, as the page's earlier blocks do.
from pipeline_tf import examples, features, ids, transform
from pipeline_torch import Examples, collate

# isort: split

# --8<-- [start:parity]
import numpy as np
import tensorflow as tf
import torch
from torch.utils.data import DataLoader

torch_x = [
    x.numpy() for x, _ in DataLoader(Examples(), batch_size=8, collate_fn=collate)
]
tf_x = [x for x, _ in examples.map(transform).batch(8).as_numpy_iterator()]
same = all(np.array_equal(a, b) for a, b in zip(torch_x, tf_x))
print(f"in order, DataLoader and tf.data batches bitwise equal: {same}")
#> in order, DataLoader and tf.data batches bitwise equal: True

torch_gen = torch.Generator().manual_seed(0)
seeded = DataLoader(Examples(), batch_size=8, shuffle=True, generator=torch_gen)
torch_order = np.concatenate([i.numpy() for _, i in seeded])
tf_seeded = examples.shuffle(64, seed=0).batch(8)
tf_order = np.concatenate([i for _, i in tf_seeded.as_numpy_iterator()])
print(f"seed 0 in both, the same order: {np.array_equal(torch_order, tf_order)}")
#> seed 0 in both, the same order: False

# One order for both: draw it once in NumPy, give it to each pipeline.
order = np.random.default_rng(0).permutation(len(ids))
torch_x = [x.numpy() for x, _ in DataLoader(Examples(), batch_size=8, sampler=order)]
reordered = tf.data.Dataset.from_tensor_slices((features[order], ids[order]))
tf_x = [x for x, _ in reordered.map(transform).batch(8).as_numpy_iterator()]
same = all(np.array_equal(a, b) for a, b in zip(torch_x, tf_x))
print(f"one NumPy permutation, shuffled batches bitwise equal: {same}")
#> one NumPy permutation, shuffled batches bitwise equal: True
# --8<-- [end:parity]
