"""Both frameworks in one process: tensors handed across with DLPack, without a copy.

Run alone: python snippets/interop/dlpack.py
"""

# --8<-- [start:share]
import importlib.util

if importlib.util.find_spec("triton"):  # before TensorFlow: see the section above
    import triton  # noqa: F401

import numpy as np
import tensorflow as tf
import torch

# PyTorch to TensorFlow: TensorFlow takes any object with __dlpack__ (here a torch
# tensor) and wraps the same memory.
t = torch.arange(6, dtype=torch.float32).reshape(2, 3)
x = tf.experimental.dlpack.from_dlpack(t.__dlpack__())
t[0, 0] = 100.0  # written through PyTorch, after the hand-over
print(type(x).__name__, x.dtype.name, x.shape, "sees the write:", x.numpy()[0, 0])
#> EagerTensor float32 (2, 3) sees the write: 100.0

# TensorFlow to PyTorch: torch.from_dlpack takes a TensorFlow tensor directly.
y = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3)) * 2
u = torch.from_dlpack(y)
u.add_(1)  # in place, through PyTorch: the "immutable" TensorFlow tensor changes too
print(y.numpy().tolist())
#> [[1.0, 3.0, 5.0], [7.0, 9.0, 11.0]]
# --8<-- [end:share]

# --8<-- [start:limits]
# A shared buffer has one layout. TensorFlow tensors are always dense and row-major,
# so a strided view (a slice, a transpose) is refused, and .contiguous() is a copy.
view = t.t()
try:
    tf.experimental.dlpack.from_dlpack(view.__dlpack__())
except tf.errors.InvalidArgumentError as err:
    print("a transposed view:", err.message)
#> a transposed view: Invalid strides array from DLPack
copied = tf.experimental.dlpack.from_dlpack(view.contiguous().__dlpack__())
t[0, 0] = -1.0
print("after .contiguous(), a copy:", copied.numpy()[0, 0])
#> after .contiguous(), a copy: 100.0

# The memory is shared, the autograd graph is not: a tensor that needs a gradient has
# to be detached first, and no gradient flows back across the hand-over.
w = torch.ones(3, requires_grad=True)
try:
    w.__dlpack__()
except BufferError as err:
    print("requires_grad:", err)
#> requires_grad: Can't export tensors that require gradient, use tensor.detach()
shared = tf.experimental.dlpack.from_dlpack(w.detach().__dlpack__())
print(shared.numpy().tolist())
#> [1.0, 1.0, 1.0]
# --8<-- [end:limits]
