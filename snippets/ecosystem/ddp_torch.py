"""Data-parallel training in PyTorch: torchrun starts two DDP workers (ddp.py).

docs/ecosystem.md runs these sections as its reader does, in a folder that holds ddp.py.
To run the file alone, do the same: copy it and ddp.py into an empty folder, and run
`python ddp_torch.py` there with this environment's torchrun on PATH.
"""

# --8<-- [start:launch]
import os
import subprocess

import ddp  # the worker script above: its model, data and training loop
import numpy as np

# What a reader types in a shell: torchrun --nproc-per-node 2 ddp.py
done = subprocess.run(
    ["torchrun", "--nproc-per-node", "2", "ddp.py"],
    capture_output=True,
    text=True,
    timeout=150,  # a run that hangs fails here instead of waiting for ever
)
assert done.returncode == 0, done.stderr[-2000:]
print(done.stdout.strip())
#> worker 0 of 2: 20 steps, weights in ddp_weights.npz

saved = np.load("ddp_weights.npz")
ddp_weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
# One process, no DDP: the whole global batch at every step.
single = ddp.train(ddp.make_model(), *ddp.make_data())
single_torch = [p.detach().numpy() for p in single.parameters()]
initial_torch = [p.detach().numpy() for p in ddp.make_model().parameters()]

gap_torch = max(np.abs(d - s).max() for d, s in zip(ddp_weights, single_torch))
moved_torch = max(np.abs(s - i).max() for s, i in zip(single_torch, initial_torch))
print(f"weights moved in training by more than 0.1: {moved_torch > 0.1}")
#> weights moved in training by more than 0.1: True
print(f"2 DDP processes end within 1e-5 of one process: {gap_torch < 1e-5}")
#> 2 DDP processes end within 1e-5 of one process: True
# --8<-- [end:launch]

# --8<-- [start:check]
# DDP sums the two ranks' gradients (each a mean over 32 examples) and divides by 2;
# one process takes the mean over 64 at once. The same sum in another order: float32
# rounding of about 1e-7 per step, compounded over 20 steps, stays far below 1e-5, while
# a missed or doubled gradient would move the weights about as much as training does.
assert gap_torch < 1e-5, gap_torch
assert moved_torch > 0.1, moved_torch
# --8<-- [end:check]

# --8<-- [start:dead-worker]
import re

failed = subprocess.run(
    ["torchrun", "--nproc-per-node", "2", "ddp.py"],
    env={**os.environ, "KILL_WORKER": "1"},  # worker 1 exits with code 3 at step 10
    capture_output=True,
    text=True,
    timeout=150,
)
# torchrun's report lists every worker that failed: its rank, then its exit code.
exit_codes = dict(
    re.findall(r"rank\s*: (\d+).*\n\s*exitcode\s*: (-?\d+)", failed.stderr)
)
print(f"torchrun exit code: {failed.returncode}; worker 1's: {exit_codes.get('1')}")
#> torchrun exit code: 1; worker 1's: 3
# --8<-- [end:dead-worker]
