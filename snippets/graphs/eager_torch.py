"""PyTorch runs operations as they are called; autograd records a graph as they run."""

# --8<-- [start:eager]
import importlib.util
import os

import torch

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

torch.manual_seed(0)
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))  # "cuda" on a GPU

a = torch.tensor([1.0, 2.0, 3.0], device=device)
b = a * 2  # computed on this line: the value exists before the next one runs
print(b.tolist())
#> [2.0, 4.0, 6.0]
print(f"inside torch.compile: {torch.compiler.is_compiling()}")
#> inside torch.compile: False
# --8<-- [end:eager]

# --8<-- [start:autodiff]
w = torch.tensor([0.5, -1.0, 2.0], device=device, requires_grad=True)
loss = torch.sin(w * a).sum()

# Autograd recorded each operation as it ran: walk the chain back from the loss.
node, chain = loss.grad_fn, []
while node is not None:
    chain.append(type(node).__name__)
    node = node.next_functions[0][0] if node.next_functions else None
print(" -> ".join(chain))
#> SumBackward0 -> SinBackward0 -> MulBackward0 -> AccumulateGrad

(grad_w,) = torch.autograd.grad(loss, w)
# d/dw sum(sin(w*a)) = cos(w*a) * a
torch.testing.assert_close(grad_w, torch.cos(w * a) * a)
print([round(v, 3) for v in grad_w.tolist()])
#> [0.878, -0.832, 2.881]
# --8<-- [end:autodiff]


# --8<-- [start:branch]
def scale_or_shift_torch(x):
    if x.sum() > 0:  # a Python `if` on a tensor's value
        return x * 2
    return x - 1


for values in ([1.0, 2.0], [-1.0, -2.0]):
    x = torch.tensor(values, device=device, requires_grad=True)
    y = scale_or_shift_torch(x)
    y.sum().backward()
    recorded = type(y.grad_fn).__name__
    print(f"{values}: recorded {recorded}, gradient {x.grad.tolist()}")
#> [1.0, 2.0]: recorded MulBackward0, gradient [2.0, 2.0]
#> [-1.0, -2.0]: recorded SubBackward0, gradient [1.0, 1.0]
# --8<-- [end:branch]
