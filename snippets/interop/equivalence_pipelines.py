"""API table rows on docs/interop.md: data pipelines.

Each check returns the PyTorch and the TensorFlow result; equivalence_checks.run()
compares them within the row's tolerance.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf
import torch
from equivalence_checks import (
    EXACT,
    check_all,
    registry,
    to_numpy,
)
from torch import nn

ROWS: list = []
row = registry(ROWS)

ITEMS = np.arange(10, dtype=np.float32)


def _torch_batches(**loader):
    dataset = torch.utils.data.TensorDataset(torch.as_tensor(ITEMS))
    return [
        to_numpy(b[0]).tolist() for b in torch.utils.data.DataLoader(dataset, **loader)
    ]


def _tf_batches(dataset):
    return [b.numpy().tolist() for b in dataset]


def _flat(batches):
    return [v for b in batches for v in b] + [len(b) for b in batches]


@row(
    "data",
    "DataLoader(ds, batch_size=4)",
    "Dataset.from_tensor_slices(x).batch(4)",
    EXACT,
    "both keep the short last batch",
)
def batching():
    got = _torch_batches(batch_size=4)
    return _flat(got), _flat(
        _tf_batches(tf.data.Dataset.from_tensor_slices(ITEMS).batch(4))
    )


@row(
    "data",
    "DataLoader(ds, batch_size=4, drop_last=True)",
    "dataset.batch(4, drop_remainder=True)",
    EXACT,
)
def drop_last():
    got = _torch_batches(batch_size=4, drop_last=True)
    return _flat(got), _flat(
        _tf_batches(
            tf.data.Dataset.from_tensor_slices(ITEMS).batch(4, drop_remainder=True)
        )
    )


@row(
    "data",
    "DataLoader(ds, shuffle=True)",
    "dataset.shuffle(len(ds))",
    EXACT,
    "a new order every epoch in both; "
    "a buffer smaller than the data set is not a full shuffle",
)
def shuffling():
    torch.manual_seed(0)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.as_tensor(ITEMS)),
        batch_size=10,
        shuffle=True,
    )
    torch_epochs = [to_numpy(next(iter(loader))[0]) for _ in range(2)]
    dataset = tf.data.Dataset.from_tensor_slices(ITEMS).shuffle(10, seed=0).batch(10)
    tf_epochs = [next(iter(dataset)).numpy() for _ in range(2)]

    def facts(
        epochs,
    ):  # each epoch a permutation of the data, and the two epochs in different orders
        return [sorted(e.tolist()) == ITEMS.tolist() for e in epochs] + [
            not np.array_equal(*epochs)
        ]

    return facts(torch_epochs), facts(tf_epochs)


@row(
    "data",
    "pad_sequence(batch, batch_first=True) in collate_fn",
    "dataset.padded_batch(3)",
    EXACT,
)
def padded_batching():
    seqs = [list(range(1, n + 1)) for n in (2, 4, 1, 3)]

    def collate(batch):
        return nn.utils.rnn.pad_sequence(
            [torch.tensor(s) for s in batch], batch_first=True
        )

    torch_batches = [
        to_numpy(b).tolist()
        for b in torch.utils.data.DataLoader(seqs, batch_size=3, collate_fn=collate)
    ]
    dataset = tf.data.Dataset.from_generator(
        lambda: iter(seqs), output_signature=tf.TensorSpec([None], tf.int32)
    )
    tf_batches = [b.numpy().tolist() for b in dataset.padded_batch(3)]
    return [v for b in torch_batches for r in b for v in r], [
        v for b in tf_batches for r in b for v in r
    ]


if __name__ == "__main__":
    check_all(ROWS, "data-pipeline")
    #> 4 data-pipeline rows, each equal within its tolerance
