"""The training loop's knobs in PyTorch: clipping, accumulation, schedules, weight
decay, early stopping, determinism."""

from pipeline_torch import device

# isort: split

# --8<-- [start:setup]
import copy

import numpy as np
import torch
from torch import nn


def make_model():
    model = nn.Sequential(nn.Linear(8, 4), nn.Tanh(), nn.Linear(4, 1))
    with torch.no_grad():
        for p, w in zip(model.parameters(), start_weights):
            p.copy_(torch.from_numpy(w.T.copy() if w.ndim == 2 else w))
    return model.to(device)


def backward(model, rows=slice(None), scale=1.0):  # of the mean squared error
    xb, yb = torch.from_numpy(x[rows]).to(device), torch.from_numpy(y[rows]).to(device)
    (scale * nn.functional.mse_loss(model(xb), yb)).backward()


def grads(model):
    return [p.grad.detach().clone() for p in model.parameters()]


def global_norm(tensors):
    return torch.linalg.vector_norm(torch.stack([t.norm() for t in tensors])).item()


rng = np.random.default_rng(1)
x = rng.normal(size=(32, 8)).astype(np.float32)
# Large targets: large gradients, for the clipping to act on.
y = (10 * x @ rng.normal(size=(8, 1))).astype(np.float32)
# Initial weights in Keras's layout, (inputs, outputs): one start for both frameworks.
start_weights = [
    rng.normal(size=(8, 4)).astype(np.float32),
    np.zeros(4, np.float32),
    rng.normal(size=(4, 1)).astype(np.float32),
    np.zeros(1, np.float32),
]
# --8<-- [end:setup]

# --8<-- [start:clip]
model = make_model()
backward(model)
before = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)  # returns the norm
torch_clipped = [
    g.T.cpu().numpy() if g.ndim == 2 else g.cpu().numpy() for g in grads(model)
]
print(
    f"global norm above 1: {before.item() > 1}, after: {global_norm(grads(model)):.4f}"
)
#> global norm above 1: True, after: 1.0000

model = make_model()
backward(model)
nn.utils.clip_grad_value_(model.parameters(), clip_value=0.5)  # each entry, on its own
print(
    f"largest entry after clipping by value: {max(g.abs().max() for g in grads(model))}"
)
#> largest entry after clipping by value: 0.5
# --8<-- [end:clip]

# --8<-- [start:accumulate]
whole = make_model()
backward(whole)
accumulated = make_model()
for part in range(4):  # 4 micro-batches of 8: backward() adds to .grad
    rows = slice(8 * part, 8 * part + 8)
    backward(accumulated, rows, scale=1 / 4)  # each a mean over 8: / 4
same = all(
    torch.allclose(a, b, atol=1e-5) for a, b in zip(grads(whole), grads(accumulated))
)
print(f"4 accumulated micro-batches == one batch of 32: {same}")
#> 4 accumulated micro-batches == one batch of 32: True
# --8<-- [end:accumulate]

# --8<-- [start:schedule]
optimizer = torch.optim.SGD(make_model().parameters(), lr=0.1)
schedule = torch.optim.lr_scheduler.SequentialLR(
    optimizer,
    [
        torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=0.25, total_iters=4),
        torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=16),
    ],
    milestones=[4],  # 4 warm-up steps from 0.025 to 0.1, then 16 of cosine down to 0
)
torch_lrs = []
for _ in range(20):
    torch_lrs.append(optimizer.param_groups[0]["lr"])
    optimizer.step()
    schedule.step()
print([round(lr, 4) for lr in torch_lrs[:6]], round(torch_lrs[-1], 4))
#> [0.025, 0.0438, 0.0625, 0.0813, 0.1, 0.099] 0.001
# --8<-- [end:schedule]


# --8<-- [start:weight-decay]
def one_step(optimizer_class, **options):
    model = make_model()
    optimizer = optimizer_class(model.parameters(), lr=0.01, **options)
    backward(model)
    optimizer.step()
    return [p.detach().clone() for p in model.parameters()]


plain = one_step(torch.optim.Adam)
coupled = one_step(torch.optim.Adam, weight_decay=0.1)  # 0.1 * w added to the gradient
decoupled = one_step(torch.optim.AdamW, weight_decay=0.1)  # w shrunk by lr * 0.1 * w
torch_adamw = [p.T.cpu().numpy() if p.ndim == 2 else p.cpu().numpy() for p in decoupled]
initial = [p.detach() for p in make_model().parameters()]
shrunk = [p - 0.01 * 0.1 * w for p, w in zip(plain, initial)]
print(
    f"AdamW == Adam's step, then w -= lr * decay * w: "
    f"{all(torch.allclose(a, b, atol=1e-7) for a, b in zip(decoupled, shrunk))}"
)
#> AdamW == Adam's step, then w -= lr * decay * w: True
print(
    f"Adam(weight_decay) is another step: "
    f"{not all(torch.allclose(a, b, atol=1e-7) for a, b in zip(coupled, shrunk))}"
)
#> Adam(weight_decay) is another step: True
# --8<-- [end:weight-decay]


# --8<-- [start:early-stopping]
class EarlyStopping:
    """Stop after `patience` epochs without a new best; keep the best weights."""

    def __init__(self, patience):
        self.patience, self.wait, self.best, self.best_state = (
            patience,
            0,
            float("inf"),
            None,
        )

    def should_stop(self, val_loss, model):
        if val_loss < self.best:
            self.best, self.wait = val_loss, 0
            self.best_state = copy.deepcopy(model.state_dict())
        else:
            self.wait += 1
        return self.wait >= self.patience


val_losses = [1.0, 0.8, 0.7, 0.72, 0.71, 0.75, 0.6]  # the last one is never reached
model, stopper = make_model(), EarlyStopping(patience=2)
for epoch, val_loss in enumerate(val_losses):
    with torch.no_grad():
        model[0].bias.fill_(epoch)  # stands for this epoch's training
    if stopper.should_stop(val_loss, model):
        break
model.load_state_dict(stopper.best_state)
print(f"stopped after epoch {epoch}, weights of epoch {model[0].bias[0].item():.0f}")
#> stopped after epoch 4, weights of epoch 2
# --8<-- [end:early-stopping]

# --8<-- [start:freeze]
model = make_model()
model[0].requires_grad_(False)  # the first layer's weight and bias: frozen
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
total = sum(p.numel() for p in model.parameters())
print(f"trainable parameters: {trainable} of {total}")
#> trainable parameters: 5 of 41
frozen_start = model[0].weight.detach().clone()
head_start = model[2].weight.detach().clone()
# Give the optimizer only what still trains: 3 full-batch SGD steps.
opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.01)
for _ in range(3):
    opt.zero_grad()
    backward(model)
    opt.step()
print(f"frozen layer unchanged: {torch.equal(model[0].weight, frozen_start)}")
#> frozen layer unchanged: True
print(f"head changed: {not torch.equal(model[2].weight, head_start)}")
#> head changed: True
head = model[2]
torch_head = [head.weight.detach().T.cpu().numpy(), head.bias.detach().cpu().numpy()]

# Frozen is not inference mode: in train() a BatchNorm still updates its running mean.
bn = nn.BatchNorm1d(4).to(device).requires_grad_(False)
bn(torch.from_numpy(x[:, :4] + 3).to(device))
moved = bn.running_mean.abs().sum().item() > 0
print(f"frozen BatchNorm's running mean moved: {moved}")
#> frozen BatchNorm's running mean moved: True
bn.eval()  # what stops it
# --8<-- [end:freeze]

# --8<-- [start:determinism]
# Where an op has no deterministic kernel (some CUDA ones), this makes it raise instead.
torch.use_deterministic_algorithms(True)


def seeded_run():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.Dropout(0.2), nn.Linear(32, 1)).to(
        device
    )
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.01)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
        batch_size=8,
        shuffle=True,
        generator=torch.Generator().manual_seed(0),
    )
    for _ in range(3):
        for xb, yb in loader:
            loss = nn.functional.mse_loss(model(xb.to(device)), yb.to(device))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return [p.detach().cpu() for p in model.parameters()]


first_run, second_run = seeded_run(), seeded_run()
print(
    f"two runs bitwise equal: "
    f"{all(torch.equal(a, b) for a, b in zip(first_run, second_run))}"
)
#> two runs bitwise equal: True
# --8<-- [end:determinism]
