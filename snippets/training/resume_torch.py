# --8<-- [start:script]
"""resume_torch.py: 12 training steps, or 5, a checkpoint, and the other 7 elsewhere.

python resume_torch.py resume             finish from ckpt.pt -> resumed.npz
python resume_torch.py resume rng step    the same, then once more for each piece named,
                                          as if the checkpoint had left it out
"""

import sys

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N, K, PER_EPOCH = (
    12,
    5,
    4,
)  # 12 steps in all, the checkpoint after 5; 4 batches an epoch
PIECES = ["optimizer", "schedule", "step", "rng"]


def start():
    """What any process does first: seeds, data, model, optimizer, schedule, loader."""
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.normal(size=(32, 8)).astype(np.float32))
    y = x @ torch.from_numpy(rng.normal(size=(8, 1)).astype(np.float32))
    model = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 1))
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.05)
    warm_up = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1, (s + 1) / 4)
    )
    loader_rng = torch.Generator().manual_seed(0)  # the shuffle's own generator
    data = DataLoader(
        TensorDataset(x, y), batch_size=8, shuffle=True, generator=loader_rng
    )
    return {
        "model": model,
        "optimizer": optimizer,
        "schedule": warm_up,
        "data": data,
        "loader_rng": loader_rng,
        "epoch_rng": loader_rng.get_state(),  # the generator as the epoch began
        "step": 0,
    }


def train(run, stop):
    model, optimizer = run["model"], run["optimizer"]
    while run["step"] < stop:
        done = run["step"] % PER_EPOCH  # batches of this epoch trained before a resume
        if done == 0:
            run["epoch_rng"] = run["loader_rng"].get_state()
        else:  # resumed mid-epoch: draw the epoch's order again, skip what was trained
            run["loader_rng"].set_state(run["epoch_rng"])
        for k, (x, y) in enumerate(run["data"]):
            if k < done:
                continue
            noisy = x + 0.1 * torch.randn_like(x)  # input noise from torch's global RNG
            loss = nn.functional.mse_loss(model(noisy), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            run["schedule"].step()
            run["step"] += 1
            if run["step"] == stop:
                break


def save(run, path="ckpt.pt"):
    torch.save(
        {
            "model": run["model"].state_dict(),
            "optimizer": run["optimizer"].state_dict(),  # Adam's moments, lr, step
            "schedule": run["schedule"].state_dict(),  # where the warm-up is
            "step": run["step"],  # where the loop is, in the data too
            "rng": {"torch": torch.get_rng_state(), "loader": run["epoch_rng"]},
        },
        path,
    )


def load(run, path="ckpt.pt", leave_out=()):
    saved = torch.load(path, map_location="cpu")  # a GPU checkpoint loads on a CPU too
    run["model"].load_state_dict(saved["model"])
    if "optimizer" not in leave_out:
        run["optimizer"].load_state_dict(saved["optimizer"])
    if "schedule" not in leave_out:
        run["schedule"].load_state_dict(saved["schedule"])
    if "step" not in leave_out:
        run["step"] = saved["step"]
    if "rng" not in leave_out:
        torch.set_rng_state(saved["rng"]["torch"])
        run["epoch_rng"] = saved["rng"]["loader"]


def weights(run):
    return [p.detach().numpy() for p in run["model"].parameters()]


def straight_and_checkpoint():
    """N steps in one go -> straight.npz; then, from a new start, K steps -> ckpt.pt."""
    run = start()
    train(run, N)
    np.savez("straight.npz", *weights(run))
    run = start()
    train(run, K)
    save(run)


if __name__ == "__main__" and sys.argv[1:2] == ["resume"]:
    torch.set_num_threads(1)
    for piece in [None, *sys.argv[2:]]:
        assert piece in [None, *PIECES], f"pieces: {PIECES}"
        run = start()  # each variant from what a new process has: the seeds above
        load(run, leave_out=[piece])
        train(run, N)
        np.savez(
            "resumed.npz" if piece is None else f"without-{piece}.npz", *weights(run)
        )
    print(f"resumed from step {K}, trained to step {N} in a new process")
    #> resumed from step 5, trained to step 12 in a new process
# --8<-- [end:script]
