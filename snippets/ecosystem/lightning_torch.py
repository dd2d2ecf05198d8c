"""PyTorch's own high-level option: a LightningModule trained by Lightning's Trainer."""

# --8<-- [start:lightning]
import importlib.util
import os

import lightning as L
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

# PyPI's CUDA torch brings Triton, which crashes when it loads after TensorFlow:
# load it first (API equivalence, "Both frameworks in one process").
if importlib.util.find_spec("triton"):
    import triton  # noqa: F401

digits = load_digits()
x = torch.from_numpy((digits.data / 16).astype(np.float32))
x_train, x_test, y_train, y_test = train_test_split(
    x, torch.from_numpy(digits.target), test_size=0.2, random_state=0
)


class DigitClassifier(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))

    def training_step(self, batch, batch_idx):
        xb, yb = batch
        return nn.functional.cross_entropy(self.net(xb), yb)

    def test_step(self, batch, batch_idx):
        xb, yb = batch
        self.log("test_accuracy", (self.net(xb).argmax(dim=1) == yb).float().mean())

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-2)


L.seed_everything(0, verbose=False)
trainer = L.Trainer(
    max_epochs=5,
    # The GPU when DOCS_DEVICE=cuda, as in every example on the site.
    accelerator="gpu" if os.environ.get("DOCS_DEVICE", "cpu") == "cuda" else "cpu",
    deterministic=True,
    logger=False,  # no log directory, nothing to download
    enable_checkpointing=False,
    enable_progress_bar=False,
    enable_model_summary=False,
)
classifier = DigitClassifier()
trainer.fit(
    classifier, DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
)
(result,) = trainer.test(
    classifier, DataLoader(TensorDataset(x_test, y_test), batch_size=360), verbose=False
)
print(f"Lightning: test accuracy above 0.9: {result['test_accuracy'] > 0.9}")
#> Lightning: test accuracy above 0.9: True
assert trainer.current_epoch == 5
# --8<-- [end:lightning]
