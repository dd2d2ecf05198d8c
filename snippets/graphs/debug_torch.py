"""Debugging PyTorch code: print in eager and compiled functions, compilation off."""

import os

import torch

# The device line of the page's first PyTorch block, so that this file runs alone.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))


# --8<-- [start:debug]
def double_then_add_torch(x):
    y = x * 2
    print("print sees", y.cpu())  # .cpu(): the same line on a GPU
    return y + 1


compiled_debug = torch.compile(double_then_add_torch, backend="eager")
double_then_add_torch(torch.tensor([1.0], device=device))  # eager
#> print sees tensor([2.])
for v in (1.0, 2.0, 3.0):
    # compiled: print runs on every call, with values
    compiled_debug(torch.tensor([v], device=device))
#> print sees tensor([2.])
#> print sees tensor([4.])
#> print sees tensor([6.])

# ... because Dynamo cannot put print in a graph: it splits the function there, and
# runs print as Python.
explained = torch._dynamo.explain(double_then_add_torch)(torch.ones(1, device=device))
#> print sees tensor([2.])
reason = explained.break_reasons[0].reason.splitlines()[0]
print(f"graph breaks: {explained.graph_break_count}, reason: {reason}")
#> graph breaks: 1, reason: Failed to trace builtin operator

# The switch for debugging: compiled functions run as plain Python.
with torch.compiler.set_stance("force_eager"):
    compiled_debug(torch.tensor([4.0], device=device))
#> print sees tensor([8.])
# --8<-- [end:debug]

# --8<-- [start:fullgraph]
strict_debug = torch.compile(double_then_add_torch, backend="eager", fullgraph=True)
try:
    strict_debug(torch.tensor([1.0], device=device))
except torch._dynamo.exc.Unsupported as err:
    # one whole graph was demanded, and print cannot be in it
    print(str(err).splitlines()[0])
#> Failed to trace builtin operator
# --8<-- [end:fullgraph]
