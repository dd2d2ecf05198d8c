"""Exact resume in PyTorch: the checkpoint script (resume_torch.py) in a new process.

docs/training.md runs these sections as its reader does, in a folder that holds
resume_torch.py. To run the file alone, copy it and resume_torch.py into an empty
folder.
"""

from pipeline_torch import device

# isort: split

# --8<-- [start:prove]
import subprocess
import sys

import numpy as np
import resume_torch  # the script above, saved beside this code

# In this process: 12 steps straight, then 5 steps from a new start and a checkpoint.
resume_torch.straight_and_checkpoint()
# What a reader types in a shell: python resume_torch.py resume
done = subprocess.run(
    [sys.executable, "resume_torch.py", "resume"],
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

# --8<-- [start:state-dicts]
import torch

run = resume_torch.start()
resume_torch.train(run, 2)
print(list(run["model"].state_dict()))
#> ['0.weight', '0.bias', '2.weight', '2.bias']
print(sorted(run["optimizer"].state_dict()["state"][0]))
#> ['exp_avg', 'exp_avg_sq', 'step']
print(
    run["schedule"].state_dict()["last_epoch"],
    round(run["optimizer"].param_groups[0]["lr"], 6),
)
#> 2 0.0375
# --8<-- [end:state-dicts]

# --8<-- [start:map-location]
# Saved from wherever the model ran (DOCS_DEVICE=cuda: the GPU), loaded onto the CPU.
on_device = torch.nn.Linear(8, 1).to(device)
torch.save(on_device.state_dict(), "linear.pt")
loaded = torch.load("linear.pt", map_location="cpu")  # without it: CUDA tensors, or an
print({t.device.type for t in loaded.values()})  # error on a machine with no GPU
#> {'cpu'}
cpu_model = torch.nn.Linear(8, 1)
cpu_model.load_state_dict(loaded)
# --8<-- [end:map-location]
