"""Data-parallel training in PyTorch: DDP over gloo, two processes on one CPU machine."""

# --8<-- [start:setup]
import os
import sys

import numpy as np
import torch
from torch import nn

GLOBAL_BATCH, STEPS, LR = 64, 20, 0.1


def make_data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(STEPS, GLOBAL_BATCH, 8)).astype(np.float32)  # one global batch per step
    y = (x @ rng.normal(size=(8, 1)) + 0.1 * rng.normal(size=(STEPS, GLOBAL_BATCH, 1))).astype(np.float32)
    return x, y


def make_torch_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))


def train_torch(model, x, y, before_step=lambda step: None):
    optimizer = torch.optim.SGD(model.parameters(), lr=LR)
    for step, (xb, yb) in enumerate(zip(x, y)):
        before_step(step)
        optimizer.zero_grad()
        nn.functional.mse_loss(model(torch.from_numpy(xb)), torch.from_numpy(yb)).backward()
        optimizer.step()
    return model
    # --8<-- [end:setup]


# --8<-- [start:worker]
import datetime

import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel


def worker(rank: int, ports: list[int], out: str):
    torch.set_num_threads(1)  # two processes share two cores
    world_size = len(ports)
    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{ports[0]}",  # rank 0 listens here; the others connect
        rank=rank,
        world_size=world_size,
        timeout=datetime.timedelta(seconds=30),  # a lost peer fails a collective instead of hanging it
    )
    model = DistributedDataParallel(make_torch_model())  # broadcasts rank 0's weights; averages gradients
    x, y = make_data()
    share = GLOBAL_BATCH // world_size
    mine = slice(rank * share, (rank + 1) * share)  # this rank's part of every global batch

    def planted_fault(step):  # tests/test_distributed.py sets this to kill a worker mid-run
        if os.environ.get("ECOSYSTEM_KILL_RANK") == str(rank) and step == STEPS // 2:
            os._exit(3)

    train_torch(model, x[:, mine], y[:, mine], before_step=planted_fault)
    if rank == 0:
        np.savez(out, *[p.detach().numpy() for p in model.module.parameters()])
    dist.destroy_process_group()
    # --8<-- [end:worker]


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    rank, ports, out = sys.argv[2:]
    worker(int(rank), [int(p) for p in ports.split(",")], out)
    from child_exit import exit_now

    exit_now(0)  # the weights are saved; the launcher waits for this exit code, not for the teardown

# --8<-- [start:launch]
from ecosystem.launch import train_on_workers

ddp_weights = train_on_workers("ecosystem.ddp_torch", workers=2)
single_model = train_torch(make_torch_model(), *make_data())  # one process, the whole global batch per step
single_torch = [p.detach().numpy() for p in single_model.parameters()]
initial_torch = [p.detach().numpy() for p in make_torch_model().parameters()]

gap_torch = max(np.abs(d - s).max() for d, s in zip(ddp_weights, single_torch))
moved_torch = max(np.abs(s - i).max() for s, i in zip(single_torch, initial_torch))
print(f"weights moved in training by more than 0.1: {moved_torch > 0.1}")
#> weights moved in training by more than 0.1: True
print(f"2 DDP processes end within 1e-5 of one process: {gap_torch < 1e-5}")
#> 2 DDP processes end within 1e-5 of one process: True
# --8<-- [end:launch]

# --8<-- [start:check]
# DDP sums the two ranks' gradients (each a mean over 32 examples) and divides by 2; one process
# takes the mean over 64 at once. The same sum in another order: float32 rounding of about 1e-7
# per step, compounded over 20 steps, stays far below 1e-5, while a missed or doubled gradient
# would move the weights by about as much as training does (more than 0.1).
assert gap_torch < 1e-5, gap_torch
assert moved_torch > 0.1, moved_torch
# --8<-- [end:check]
