"""One data-dependent function in PyTorch: eager, compiled as one graph, exported."""

import os

import torch

# The device line of the page's first PyTorch block, so that this file runs alone.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))

# --8<-- [start:modes]
import io

import torch
from torch.export import Dim, export


def scale_or_shift_cond(x):
    # torch.cond puts both branches in the graph; the condition picks one when it runs.
    return torch.cond(x.sum() > 0, lambda t: t * 2, lambda t: t - 1, (x,))


class ScaleOrShift(torch.nn.Module):
    def forward(self, x):
        return scale_or_shift_cond(x)


# Compiled with the default backend (Inductor); fullgraph=True raises on any graph
# break, so this is one graph.
compiled_cond = torch.compile(scale_or_shift_cond, fullgraph=True)

# Exported: one graph, for any length from 1 to 1024, saved and loaded back.
length = Dim("length", min=1, max=1024)
example_x = (torch.ones(4, device=device),)
exported = export(ScaleOrShift(), example_x, dynamic_shapes={"x": {0: length}})
buffer = io.BytesIO()
torch.export.save(exported, buffer)
buffer.seek(0)
reloaded = torch.export.load(buffer).module()

modes_torch = {
    "compiled": compiled_cond,
    "exported": exported.module(),
    "saved and loaded": reloaded,
}
for values in ([1.0, 2.0, 3.0], [-1.0, -2.0], [-3.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
    x = torch.tensor(values, device=device)
    eager_result = scale_or_shift_cond(x)
    for mode in modes_torch.values():
        torch.testing.assert_close(mode(x), eager_result)
    print(f"{values} -> {eager_result.tolist()}")
#> [1.0, 2.0, 3.0] -> [2.0, 4.0, 6.0]
#> [-1.0, -2.0] -> [-2.0, -3.0]
#> [-3.0, 1.0, 1.0, 1.0, 1.0, 1.0] -> [-6.0, 2.0, 2.0, 2.0, 2.0, 2.0]

print([node.name for node in exported.graph.nodes if node.op == "call_function"])
#> ['sum_1', 'gt', 'cond', 'getitem']
bounds = next(iter(exported.range_constraints.values()))
print(f"exported for lengths {int(bounds.lower)} to {int(bounds.upper)}")
#> exported for lengths 1 to 1024
try:
    reloaded(torch.ones(2000, device=device))
except AssertionError as err:  # the exported graph checks inputs against the range
    print(err)
#> Guard failed: x.size()[0] <= 1024
# --8<-- [end:modes]
