"""Input pipelines in PyTorch: Dataset, DataLoader with workers, collate_fn, traps."""

# --8<-- [start:setup]
import importlib.util
import os

import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

# Where every example runs: DOCS_DEVICE=cuda for a GPU, the CPU by default.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))
# Deterministic cuBLAS (the determinism section) needs this before CUDA starts.
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

# 64 examples of 8 features; each one's id is its position, so orders can be read.
rng = np.random.default_rng(0)
features = rng.normal(size=(64, 8)).astype(np.float32)
ids = np.arange(64)
mean, std = features.mean(axis=0), features.std(axis=0)


class Examples(Dataset):
    """The per-example transform: standardise with the data's statistics."""

    def __init__(self):
        self.x, self.ids = torch.from_numpy(features), torch.from_numpy(ids)
        self.mean, self.std = torch.from_numpy(mean), torch.from_numpy(std)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return (self.x[i] - self.mean) / self.std, self.ids[i]


def collate(pairs):
    """A list of (x, id) pairs -> one batch: the default collate's work, spelled out."""
    xs, batch_ids = zip(*pairs)
    return torch.stack(xs), torch.stack(batch_ids)


dataset = Examples()
# --8<-- [end:setup]


# --8<-- [start:loader]
def batches(loader):
    return [(x.numpy(), i.numpy()) for x, i in loader]


in_order = batches(DataLoader(dataset, batch_size=8, collate_fn=collate))
# Two worker processes prepare whole batches; pinned memory pays off for GPU copies.
loader = DataLoader(
    dataset,
    batch_size=8,
    num_workers=2,
    pin_memory=device.type == "cuda",
    collate_fn=collate,
)
workers = batches(loader)
print(f"{len(workers)} batches of {workers[0][0].shape}, {workers[0][0].dtype}")
#> 8 batches of (8, 8), float32
same = all(np.array_equal(a[0], b[0]) for a, b in zip(in_order, workers))
print(f"2 workers give the batches of 0 workers, in order: {same}")
#> 2 workers give the batches of 0 workers, in order: True
# --8<-- [end:loader]


# --8<-- [start:shuffle]
def epoch_order(generator):
    loader = DataLoader(dataset, batch_size=8, shuffle=True, generator=generator)
    return np.concatenate([i.numpy() for _, i in loader])


g = torch.Generator().manual_seed(0)
first, second = epoch_order(g), epoch_order(g)
again = epoch_order(torch.Generator().manual_seed(0))
print(f"every example once per epoch: {sorted(first) == list(ids)}")
#> every example once per epoch: True
print(f"epoch 2 in another order: {not np.array_equal(first, second)}")
#> epoch 2 in another order: True
print(f"same seed, same order: {np.array_equal(first, again)}")
#> same seed, same order: True
# --8<-- [end:shuffle]


# --8<-- [start:worker-seed]
class Noisy(Examples):
    """Adds noise from a NumPy generator made once, in the main process: the trap."""

    def __init__(self):
        super().__init__()
        self.rng = np.random.default_rng(0)

    def __getitem__(self, i):
        x, i = super().__getitem__(i)
        return x + torch.from_numpy(self.rng.normal(size=8).astype(np.float32)), i


def noise_of_first_two_batches(**options):
    # Batch 0 comes from worker 0, batch 1 from worker 1.
    loader = DataLoader(Noisy(), batch_size=8, num_workers=2, **options)
    clean = Examples()
    got = [x - (clean.x[i] - clean.mean) / clean.std for x, i in loader]
    return got[0], got[1]


a, b = noise_of_first_two_batches()
print(f"each worker copied the same generator, same noise: {torch.allclose(a, b)}")
#> each worker copied the same generator, same noise: True


def seed_worker(worker_id):
    # info.seed is the loader's base seed + worker_id: new for every worker and epoch.
    info = torch.utils.data.get_worker_info()
    info.dataset.rng = np.random.default_rng(info.seed)


a, b = noise_of_first_two_batches(worker_init_fn=seed_worker)
print(f"a generator per worker, same noise: {torch.allclose(a, b)}")
#> a generator per worker, same noise: False
run_1 = noise_of_first_two_batches(
    worker_init_fn=seed_worker, generator=torch.Generator().manual_seed(0)
)
run_2 = noise_of_first_two_batches(
    worker_init_fn=seed_worker, generator=torch.Generator().manual_seed(0)
)
print(f"and a seeded loader repeats it: {torch.equal(run_1[0], run_2[0])}")
#> and a seeded loader repeats it: True
# --8<-- [end:worker-seed]
