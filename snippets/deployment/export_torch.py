"""PyTorch routes: each exports the digit MLP, runs the artifact, checks it on PyTorch.

On the page, the names this file imports from common.py come from that file's blocks,
earlier on the page; server.py is the file the page's serving block saves.
"""

from common import assert_parity, cache_dir, digits_split, scratch_dir, weights_hash  # noqa: I001

# --8<-- [start:model]
import importlib.util

import torch
from torch import nn

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

x_train, x_test, y_train, y_test = digits_split()


def train_torch_mlp() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    inputs, labels = torch.tensor(x_train), torch.tensor(y_train)
    for _ in range(100):  # full batch: deterministic on the CPU
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(inputs), labels).backward()
        optimizer.step()
    return model.eval()  # exported models are for inference


# The artifacts below are CPU artifacts: the model stays on the CPU on every runner.
torch_model = train_torch_mlp()
with torch.no_grad():
    torch_logits = torch_model(
        torch.tensor(x_test)
    ).numpy()  # what every route must reproduce
torch_accuracy = (torch_logits.argmax(axis=1) == y_test).mean()
print(f"test accuracy at least 95%: {torch_accuracy >= 0.95}")
#> test accuracy at least 95%: True
assert torch_accuracy >= 0.95, torch_accuracy
folder = scratch_dir()
# --8<-- [end:model]

# --8<-- [start:export]
from torch.export import Dim


def export_program(model: nn.Module) -> torch.export.ExportedProgram:
    example = torch.zeros(2, 64)
    batch = Dim("batch", max=1024)  # any batch size up to 1024; 64 features, always
    return torch.export.export(model, (example,), dynamic_shapes=({0: batch},))


def save_pt2(model: nn.Module, path):
    torch.export.save(export_program(model), path)
    return path


def load_pt2(path):
    module = torch.export.load(path).module()
    return lambda x: module(torch.from_numpy(x)).detach().numpy()


run_pt2 = load_pt2(save_pt2(torch_model, folder / "digits.pt2"))
assert_parity("torch.export .pt2", run_pt2(x_test), torch_logits)
print(f"{len(x_test)} images through the reloaded program: {run_pt2(x_test).shape}")
#> 360 images through the reloaded program: (360, 10)
# --8<-- [end:export]

# --8<-- [start:aoti]
import shutil


def build_aoti(model: nn.Module, path):
    # Compiling C++ is the slow step of this page: reuse a package built by the same
    # torch from the same weights (cache_dir, above).
    weights = [p.detach().numpy() for p in model.state_dict().values()]
    cached = (
        cache_dir("aoti", torch.__version__, weights_hash(weights)) / "digits_aoti.pt2"
    )
    if not cached.exists():
        torch._inductor.aoti_compile_and_package(
            export_program(model), package_path=str(cached)
        )
    shutil.copy(cached, path)
    return path


def load_aoti(path):
    runner = torch._inductor.aoti_load_package(str(path))
    return lambda x: runner(torch.from_numpy(x)).numpy()


run_aoti = load_aoti(build_aoti(torch_model, folder / "digits_aoti.pt2"))
assert_parity("AOTInductor", run_aoti(x_test), torch_logits)
assert_parity("AOTInductor, batch of 1", run_aoti(x_test[:1]), torch_logits[:1])
# --8<-- [end:aoti]

# --8<-- [start:onnx]
import onnxruntime as ort


def save_onnx(model: nn.Module, path):
    program = torch.onnx.export(
        model,
        (torch.zeros(2, 64),),
        dynamic_shapes=({0: Dim("batch")},),
        dynamo=True,
        verbose=False,
    )
    program.save(str(path))
    return path


def load_onnx(path):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})[0]


torch_onnx = save_onnx(torch_model, folder / "digits_torch.onnx")
run_onnx = load_onnx(torch_onnx)
assert_parity("ONNX Runtime (from PyTorch)", run_onnx(x_test), torch_logits)
first_input = ort.InferenceSession(str(torch_onnx)).get_inputs()[0]
print(first_input.name, first_input.shape, first_input.type)
#> input ['batch', 64] tensor(float)
# --8<-- [end:onnx]


# --8<-- [start:executorch]
def build_pte(model: nn.Module, path):
    weights = [p.detach().numpy() for p in model.state_dict().values()]
    cached = (
        cache_dir("executorch", torch.__version__, weights_hash(weights)) / "digits.pte"
    )
    if not cached.exists():  # lowering is slow too: cached as in build_aoti
        from executorch.backends.xnnpack.partition.xnnpack_partitioner import (
            XnnpackPartitioner,
        )
        from executorch.exir import to_edge_transform_and_lower

        lowered = to_edge_transform_and_lower(
            export_program(model), partitioner=[XnnpackPartitioner()]
        )
        cached.write_bytes(lowered.to_executorch().buffer)
    shutil.copy(cached, path)
    return path


def load_pte(path):
    from executorch.runtime import Runtime

    method = Runtime.get().load_program(str(path)).load_method("forward")
    return lambda x: method.execute([torch.from_numpy(x)])[0].numpy()


run_pte = load_pte(build_pte(torch_model, folder / "digits.pte"))
assert_parity("ExecuTorch", run_pte(x_test), torch_logits)
# --8<-- [end:executorch]

# --8<-- [start:torchscript]
import warnings

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")  # show every warning, however often it repeats
    scripted = torch.jit.script(torch_model)
# torch 2.14 made these FutureWarning, which Python shows by default; up to 2.13
# they were DeprecationWarning, which it hides outside __main__.
deprecations = {
    (w.category.__name__, str(w.message))
    for w in caught
    if issubclass(w.category, (DeprecationWarning, FutureWarning))
}
for category, message in sorted(deprecations):
    print(f"{category}:", message, sep="\n")
#> FutureWarning:
#> `torch.jit.script` is deprecated. Please switch to `torch.compile` or `torch.export`.
assert any("torch.export" in message for _, message in deprecations)

# Deprecated is not removed: a scripted model still saves, loads and matches.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", FutureWarning)
    scripted.save(str(folder / "digits.ts"))
    reloaded = torch.jit.load(str(folder / "digits.ts"))
assert_parity(
    "TorchScript", reloaded(torch.tensor(x_test)).detach().numpy(), torch_logits
)
# --8<-- [end:torchscript]

# --8<-- [start:serve]
from fastapi.testclient import TestClient
from server import create_app  # server.py, saved from the block above

client = TestClient(create_app(str(torch_onnx), max_batch=64))  # no socket, same app
served = client.post("/predict", json={"inputs": x_test[:8].tolist()}).json()
assert_parity("served (PyTorch ONNX)", served["logits"], torch_logits[:8])
print(served["digits"] == torch_logits[:8].argmax(axis=1).tolist())
#> True
refused = client.post("/predict", json={"inputs": [[0.5] * 63]})
print(refused.status_code, refused.json()["error"])
#> 422 inputs.0: List should have at least 64 items after validation, not 63
# --8<-- [end:serve]
