# --8<-- [start:script]
"""ddp.py: one worker of a DistributedDataParallel run.

Start two: torchrun --nproc-per-node 2 ddp.py
"""

import datetime
import os

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

GLOBAL_BATCH, STEPS, LR = 64, 20, 0.1


def make_data():
    rng = np.random.default_rng(0)
    # one global batch of 64 examples per step, 8 features each
    x = rng.normal(size=(STEPS, GLOBAL_BATCH, 8)).astype(np.float32)
    noise = 0.1 * rng.normal(size=(STEPS, GLOBAL_BATCH, 1))
    y = (x @ rng.normal(size=(8, 1)) + noise).astype(np.float32)
    return x, y


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))


def train(model, x, y, before_step=lambda step: None):
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    for step, (xb, yb) in enumerate(zip(x, y)):
        before_step(step)
        optimizer.zero_grad()
        loss = nn.functional.mse_loss(model(torch.from_numpy(xb)), torch.from_numpy(yb))
        loss.backward()
        optimizer.step()
    return model


if __name__ == "__main__":
    torch.set_num_threads(1)  # the workers share the machine's cores
    # torchrun gives each worker RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT.
    dist.init_process_group("gloo", timeout=datetime.timedelta(seconds=30))
    rank, world_size = dist.get_rank(), dist.get_world_size()
    # DDP broadcasts rank 0's initial weights, then averages the gradients of every step
    model = DistributedDataParallel(make_model())
    x, y = make_data()
    share = GLOBAL_BATCH // world_size
    mine = slice(rank * share, (rank + 1) * share)  # this rank's part of each batch

    def planted_fault(step):  # KILL_WORKER=1 in the environment: worker 1 dies mid-run
        if os.environ.get("KILL_WORKER") == str(rank) and step == STEPS // 2:
            os._exit(3)

    train(model, x[:, mine], y[:, mine], before_step=planted_fault)
    if rank == 0:
        weights = [p.detach().numpy() for p in model.module.parameters()]
        np.savez("ddp_weights.npz", *weights)
        print(f"worker 0 of {world_size}: {STEPS} steps, weights in ddp_weights.npz")
        #> worker 0 of 2: 20 steps, weights in ddp_weights.npz
    dist.destroy_process_group()
# --8<-- [end:script]
