"""The workloads in PyTorch: eager, or with `torch.compile` around the whole step."""

from __future__ import annotations

import itertools

import torch
from torch import nn

from fieldguide.measure.bench.task import D_MODEL, FF, HEADS, MLP_SIZES, TRAIN_BATCH, Task, batch_for, seq_for

MODES = ("eager", "compile")
DEVICE = torch.device("cpu")
BACKEND = "inductor"  # --quick uses "aot_eager": same tracing, no C++ build

QUICK = False


def configure(threads: int, device: str) -> None:
    """Before any op runs: intra-op threads as asked, one inter-op thread, TF32 off on CUDA."""
    global DEVICE
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    DEVICE = torch.device(device)
    if device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False


def sync() -> None:
    if DEVICE.type == "cuda":
        torch.cuda.synchronize()


def device_peak_mib() -> float | None:
    return torch.cuda.max_memory_allocated() / 2**20 if DEVICE.type == "cuda" else None


def reset_device_peak() -> None:
    if DEVICE.type == "cuda":
        torch.cuda.reset_peak_memory_stats()


def build(model: str) -> nn.Module:
    torch.manual_seed(0)
    if model in MLP_SIZES:
        sizes = MLP_SIZES[model]
        layers: list[nn.Module] = []
        for fan_in, fan_out in itertools.pairwise(sizes):
            layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
        return nn.Sequential(*layers[:-1])
    if model == "cnn":
        return nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(64 * 8 * 8, 10),
        )  # fmt: skip
    if model == "transformer":
        layer = nn.TransformerEncoderLayer(D_MODEL, HEADS, FF, dropout=0.0, batch_first=True)
        return nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    if model == "linreg":
        return nn.Linear(1, 1)
    raise ValueError(f"unknown model {model!r}")


def data(model: str, batch: int):
    """Seeded synthetic inputs and targets, made once and kept in memory."""
    gen = torch.Generator().manual_seed(1)
    if model in MLP_SIZES:
        x, y = torch.randn(batch, 784, generator=gen), torch.randint(0, 10, (batch,), generator=gen)
    elif model == "cnn":  # NCHW, PyTorch's native layout
        x, y = torch.randn(batch, 3, 32, 32, generator=gen), torch.randint(0, 10, (batch,), generator=gen)
    elif model == "transformer":
        x, y = (
            torch.randn(batch, seq_for(QUICK), D_MODEL, generator=gen),
            torch.randn(batch, seq_for(QUICK), D_MODEL, generator=gen),
        )
    else:
        x = torch.rand(batch, 1, generator=gen)
        y = 2 * x + 1 + 0.1 * torch.randn(batch, 1, generator=gen)
    return x.to(DEVICE), y.to(DEVICE)


def loss_fn(model: str):
    return nn.functional.cross_entropy if model in MLP_SIZES or model == "cnn" else nn.functional.mse_loss


def train_step(model: str, mode: str, variant: str):
    def make():
        net = build(model).to(DEVICE)
        opt = torch.optim.SGD(net.parameters(), lr=0.01)
        x, y = data(model, batch_for(TRAIN_BATCH[model], QUICK))
        lossf = loss_fn(model)

        def step():
            opt.zero_grad(set_to_none=True)
            if variant == "bf16_autocast":
                with torch.autocast(DEVICE.type, dtype=torch.bfloat16):
                    loss = lossf(net(x), y)
            else:
                loss = lossf(net(x), y)
            loss.backward()
            opt.step()
            return loss

        return torch.compile(step, backend=BACKEND) if mode == "compile" else step

    return make


def infer_call(model: str, batch: int, mode: str, variant: str):
    def make():
        net = build(model).to(DEVICE).eval()
        x, _ = data(model, batch)
        fn = torch.compile(net, backend=BACKEND) if mode == "compile" else net

        def call():
            if variant == "inference_mode":
                with torch.inference_mode():
                    return fn(x)
            if variant == "bf16_autocast":
                with torch.no_grad(), torch.autocast(DEVICE.type, dtype=torch.bfloat16):
                    return fn(x)
            with torch.no_grad():
                return fn(x)

        return call

    return make


def gemm(n: int, dtype):
    def make():
        gen = torch.Generator().manual_seed(0)
        a = torch.randn(n, n, generator=gen).to(DEVICE, dtype)
        b = torch.randn(n, n, generator=gen).to(DEVICE, dtype)
        return lambda: torch.mm(a, b)

    return make


def task_for(row: dict, mode: str, options: dict) -> Task:
    """One row of the plan: {"model", "task", "batch", "variant"} in `mode`."""
    global QUICK, BACKEND
    QUICK = options.get("quick", False)
    BACKEND = options.get("torch_compile_backend", "inductor")
    if mode not in MODES:
        raise ValueError(f"torch mode {mode!r}: expected one of {MODES}")
    model, task, batch, variant = row["model"], row["task"], row["batch"], row["variant"]
    if task == "matmul":
        dtype = torch.bfloat16 if variant == "bf16" else torch.float32
        return Task(model, task, batch, gemm(batch, dtype), variant=variant, flops=2.0 * batch**3)
    if task == "train":
        return Task(model, task, batch, train_step(model, mode, variant), variant=variant)
    if task == "infer":
        return Task(model, task, batch, infer_call(model, batch, mode, variant), variant=variant)
    raise ValueError(f"torch has no task {task!r}")
