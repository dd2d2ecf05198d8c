"""One small function's graph, read from PyTorch's own representation: an export graph.

fieldguide/render/graphs.py runs this file and draws `torch_small_nodes` as
docs/assets/graphs/small_torch.svg.
"""

import os

import torch

# The device line of the page's first PyTorch block, so that this file runs alone.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))

# --8<-- [start:picture]
import torch
from torch.export import Dim, export


class SmallTorch(torch.nn.Module):
    def forward(self, x, w, b):
        return torch.relu(x @ w + b)


example = (
    torch.ones(4, 3, device=device),
    torch.ones(3, 2, device=device),
    torch.ones(2, device=device),
)
small_exported = export(
    SmallTorch(), example, dynamic_shapes={"x": {0: Dim("batch")}, "w": None, "b": None}
)


def describe(node):
    """(name, op, inputs, output shape) of one node of the exported graph."""
    op = str(node.target) if node.op == "call_function" else node.op
    value = node.meta.get("val")
    shape = str(list(value.shape)) if isinstance(value, torch.Tensor) else ""
    return node.name, op, [arg.name for arg in node.all_input_nodes], shape


torch_small_nodes = [describe(node) for node in small_exported.graph.nodes]
for name, op, inputs, shape in torch_small_nodes:
    print(f"{name:<7} {op:<19} {shape:<9} <- {', '.join(inputs)}")
#> x       placeholder         [s77, 3]  <-
#> w       placeholder         [3, 2]    <-
#> b       placeholder         [2]       <-
#> matmul  aten.matmul.default [s77, 2]  <- x, w
#> add     aten.add.Tensor     [s77, 2]  <- matmul, b
#> relu    aten.relu.default   [s77, 2]  <- add
#> output  output                        <- relu
# --8<-- [end:picture]
