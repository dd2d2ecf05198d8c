"""PyTorch's graph capture: torch.fx, torch.compile's recompiles and breaks, export."""

import os

import torch

# The page defines these in its first PyTorch blocks; repeated so this file runs alone.
torch.manual_seed(0)
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))


def scale_or_shift_torch(x):
    if x.sum() > 0:  # a Python `if` on a tensor's value
        return x * 2
    return x - 1


# --8<-- [start:fx]
import torch.fx


def dense_relu(x, w, b):
    return torch.relu(x @ w + b)


# Runs the function once on proxies, and records each call.
traced = torch.fx.symbolic_trace(dense_relu)
print(traced.code.strip())
#> def forward(self, x, w, b):
#>     matmul = x @ w;  x = w = None
#>     add = matmul + b;  matmul = b = None
#>     relu = torch.relu(add);  add = None
#>     return relu

try:
    torch.fx.symbolic_trace(scale_or_shift_torch)
except torch.fx.proxy.TraceError as err:
    print(f"TraceError: {err}")
#> TraceError: symbolically traced variables cannot be used as inputs to control flow
# --8<-- [end:fx]

# --8<-- [start:recompile]
torch._dynamo.reset()  # empty caches: the counts below do not depend on what ran before
captured = []


def counting_backend(graph_module, example_inputs):
    """A torch.compile backend: keeps each graph Dynamo hands it, runs it unchanged."""
    captured.append(graph_module)
    return graph_module.forward


compiled_sos = torch.compile(scale_or_shift_torch, backend=counting_backend)
calls_torch = [
    ("float32, shape [2]", torch.tensor([1.0, 2.0])),
    ("float32, shape [2], new values", torch.tensor([5.0, 6.0])),
    ("float32, shape [3]", torch.tensor([1.0, 2.0, 3.0])),
    ("float32, shape [4]", torch.tensor([1.0, 2.0, 3.0, 4.0])),
    ("negative sum: the other branch", torch.tensor([-1.0, -2.0, -3.0, -4.0])),
]
for label, arg in calls_torch:
    arg = arg.to(device)
    torch.testing.assert_close(compiled_sos(arg), scale_or_shift_torch(arg))
    print(f"{label:<31} graphs so far: {len(captured)}")
#> float32, shape [2]              graphs so far: 2
#> float32, shape [2], new values  graphs so far: 2
#> float32, shape [3]              graphs so far: 4
#> float32, shape [4]              graphs so far: 4
#> negative sum: the other branch  graphs so far: 5
# The first graph stops at the `if`: it returns the condition.
print(captured[0].code.strip())
#> def forward(self, L_x_ : torch.Tensor):
#>     l_x_ = L_x_
#>     sum_1 = l_x_.sum();  l_x_ = None
#>     gt = sum_1 > 0;  sum_1 = None
#>     return (gt,)
# --8<-- [end:recompile]

# --8<-- [start:explain]
explanation = torch._dynamo.explain(scale_or_shift_torch)(torch.ones(3, device=device))
graphs, breaks = explanation.graph_count, explanation.graph_break_count
print(f"graphs: {graphs}, graph breaks: {breaks}")
#> graphs: 2, graph breaks: 1
print(explanation.break_reasons[0].reason)
#> generic_jump TensorVariable()

# fullgraph=True turns a graph break into an error that says why
strict_sos = torch.compile(scale_or_shift_torch, backend="eager", fullgraph=True)
try:
    strict_sos(torch.ones(3, device=device))
except torch._dynamo.exc.Unsupported as err:
    print(str(err).splitlines()[0])
#> Data-dependent branching
# --8<-- [end:explain]

# --8<-- [start:export-fails]
from torch.export import export


class ScaleOrShiftPython(torch.nn.Module):
    def forward(self, x):
        return scale_or_shift_torch(x)


try:
    export(ScaleOrShiftPython(), (torch.ones(3, device=device),))
except Exception as err:
    # export needs one whole graph, and a value-dependent `if` cannot be in it
    print(type(err).__name__)
#> GuardOnDataDependentSymNode
# --8<-- [end:export-fails]
