"""PyTorch writes TensorBoard event files; read them back and check what is in them."""

# --8<-- [start:write]
import tempfile

import torch
from torch import nn
from torch.utils.tensorboard import SummaryWriter

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
log_dir_torch = tempfile.mkdtemp()
with SummaryWriter(log_dir_torch) as writer:
    for step in range(5):
        writer.add_scalar("loss", 1.0 / (step + 1), step)
    writer.add_histogram("first_layer/weight", model[0].weight, global_step=4)
    writer.add_graph(model, torch.zeros(1, 4))  # traced with torch.jit.trace
# --8<-- [end:write]

# --8<-- [start:read]
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

keep_all = {"scalars": 0, "histograms": 0}  # 0: no limit on the events read
events = EventAccumulator(log_dir_torch, size_guidance=keep_all)
events.Reload()
print(events.Tags()["scalars"], events.Tags()["histograms"], events.Tags()["graph"])
#> ['loss'] ['first_layer/weight'] True
print([(e.step, round(e.value, 3)) for e in events.Scalars("loss")])
#> [(0, 1.0), (1, 0.5), (2, 0.333), (3, 0.25), (4, 0.2)]
histogram = events.Histograms("first_layer/weight")[0].histogram_value
print(f"histogram counts {histogram.num:.0f} values")
#> histogram counts 32 values
graph_ops = {node.op for node in events.Graph().node}
assert {"aten::linear", "aten::relu"} <= graph_ops, graph_ops
assert abs(histogram.sum - model[0].weight.sum().item()) < 1e-5
# --8<-- [end:read]

# --8<-- [start:dependency]
import re
import subprocess
import sys
from importlib.metadata import requires

names = {re.match(r"[\w.-]+", r)[0].lower() for r in requires("torch")}
print("torch requires tensorboard:", "tensorboard" in names)
#> torch requires tensorboard: False
# A child in which the tensorboard package cannot be imported, as if not installed.
WITHOUT_TENSORBOARD = """
import sys
sys.modules["tensorboard"] = None
from torch.utils.tensorboard import SummaryWriter
"""
child = subprocess.run(
    [sys.executable, "-c", WITHOUT_TENSORBOARD], capture_output=True, text=True
)
print(child.stderr.strip().splitlines()[-1])
#> ModuleNotFoundError: import of tensorboard halted; None in sys.modules
# --8<-- [end:dependency]
