"""The one device switch every example on the site goes through.

`DOCS_DEVICE=cpu` (the default) or `DOCS_DEVICE=cuda`. Asking for CUDA on a
machine without a GPU is an error, never a silent fall back to the CPU: a run
that claims to have tested the GPU path must have used a GPU.
"""

import os

CHOICES = ("cpu", "cuda")


def device_name() -> str:
    name = os.environ.get("DOCS_DEVICE", "cpu").strip().lower()
    if name not in CHOICES:
        raise ValueError(f"DOCS_DEVICE={name!r}: expected one of {', '.join(CHOICES)}")
    return name


def torch_device():
    """The `torch.device` every tensor and module of an example goes to."""
    import torch

    name = device_name()
    if name == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("DOCS_DEVICE=cuda, but PyTorch sees no CUDA device")
    return torch.device(name)


def tf_device() -> str:
    """The device string for `with tf.device(...)` around TensorFlow examples."""
    import tensorflow as tf

    name = device_name()
    if name == "cuda":
        if not tf.config.list_physical_devices("GPU"):
            raise RuntimeError("DOCS_DEVICE=cuda, but TensorFlow sees no GPU")
        return "/GPU:0"
    return "/CPU:0"
