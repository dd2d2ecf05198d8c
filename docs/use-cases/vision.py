# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Vision: a CNN on handwritten digits
#
# The folklore says TensorFlow is the vision framework. Here the same small convolutional
# network is trained in both frameworks on the same images, and both have to reach 97% test
# accuracy or better.
#
# **Data.** scikit-learn's `load_digits`: 1,797 grey-scale 8x8 images of the digits 0-9,
# taken from the UCI handwritten digits set. The file ships inside scikit-learn, so nothing
# is downloaded. One stratified split (80% train, 20% test) is shared by both frameworks.

# %%
import json
import os
import random
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

SEED = 0
EPOCHS = 15
BATCH = 32
random.seed(SEED)

digits = load_digits()
# Pixels are integers 0-16; scaling to [0, 1] keeps the first steps of Adam well-behaved.
images = (digits.images / 16.0).astype(np.float32)
labels = digits.target.astype(np.int64)
x_train, x_test, y_train, y_test = train_test_split(images, labels, test_size=0.2, stratify=labels, random_state=SEED)
print(f"train {len(x_train)} images, test {len(x_test)} images")

# %%
fig, axes = plt.subplots(2, 8, figsize=(8, 2.4))
for ax, image, label in zip(axes.flat, x_train, y_train):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(str(label))
    ax.axis("off")
fig.suptitle("Training images and their labels")
plt.show()

# %% [markdown]
# ## PyTorch
#
# A `TensorDataset` in a `DataLoader` shuffles and batches; the network is two 3x3
# convolutions, one 2x2 max-pool, dropout and a linear classifier.

# %%
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(SEED)
# One thread: the result then does not depend on how many cores the machine has.
torch.set_num_threads(1)
# The GPU when DOCS_DEVICE=cuda, as on every page of the site; the CPU by default.
device = torch.device(os.environ.get("DOCS_DEVICE", "cpu"))

# Channels first: (N, 1, 8, 8).
train_loader = DataLoader(
    TensorDataset(torch.from_numpy(x_train[:, None]), torch.from_numpy(y_train)),
    batch_size=BATCH,
    shuffle=True,
    generator=torch.Generator().manual_seed(SEED),
)
test_x_torch = torch.from_numpy(x_test[:, None]).to(device)
test_y_torch = torch.from_numpy(y_test).to(device)

torch_model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1),
    nn.ReLU(),
    nn.Conv2d(32, 64, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Dropout(0.3),
    nn.Linear(64 * 4 * 4, 10),
).to(device)
optimizer = torch.optim.Adam(torch_model.parameters(), lr=2e-3)
loss_fn = nn.CrossEntropyLoss()

torch_history = {"loss": [], "test_accuracy": []}
for _epoch in range(EPOCHS):
    torch_model.train()
    total, count = 0.0, 0
    for xb, yb in train_loader:
        xb, yb = xb.to(device), yb.to(device)
        optimizer.zero_grad()
        loss = loss_fn(torch_model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    torch_model.eval()
    with torch.no_grad():
        torch_pred = torch_model(test_x_torch).argmax(dim=1)
    torch_history["loss"].append(total / count)
    torch_history["test_accuracy"].append((torch_pred == test_y_torch).float().mean().item())
torch_pred = torch_pred.cpu().numpy()
print(f"PyTorch test accuracy after {EPOCHS} epochs: {torch_history['test_accuracy'][-1]:.3f}")

# %% [markdown]
# ## TensorFlow
#
# The same split goes through `tf.data` (shuffle, batch, prefetch) into the same
# architecture written with Keras layers, with the same optimiser and learning rate.

# %%
import tensorflow as tf

tf.keras.utils.set_random_seed(SEED)
tf.config.experimental.enable_op_determinism()

# Channels last: (N, 8, 8, 1).
train_ds = (
    tf.data.Dataset.from_tensor_slices((x_train[..., None], y_train))
    .shuffle(len(x_train), seed=SEED)
    .batch(BATCH)
    .prefetch(tf.data.AUTOTUNE)
)
test_ds = tf.data.Dataset.from_tensor_slices((x_test[..., None], y_test)).batch(256)

tf_model = tf.keras.Sequential(
    [
        tf.keras.Input(shape=(8, 8, 1)),
        tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        tf.keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
        tf.keras.layers.MaxPooling2D(2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dropout(0.3),
        tf.keras.layers.Dense(10),
    ]
)
tf_model.compile(
    optimizer=tf.keras.optimizers.Adam(2e-3),
    loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
fit = tf_model.fit(train_ds, validation_data=test_ds, epochs=EPOCHS, shuffle=False, verbose=0)
tf_history = {"loss": fit.history["loss"], "test_accuracy": fit.history["val_accuracy"]}
tf_pred = tf_model.predict(test_ds, verbose=0).argmax(axis=1)
print(f"TensorFlow test accuracy after {EPOCHS} epochs: {tf_history['test_accuracy'][-1]:.3f}")

# %% [markdown]
# ## Training curves
#
# Both frameworks on one chart: training loss per epoch, and accuracy on the held-out
# test images after each epoch.

# %%
epochs = np.arange(1, EPOCHS + 1)
fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.5))
for name, history in [("PyTorch", torch_history), ("TensorFlow", tf_history)]:
    ax_loss.plot(epochs, history["loss"], marker="o", label=name)
    ax_acc.plot(epochs, history["test_accuracy"], marker="o", label=name)
ax_loss.set(xlabel="epoch", ylabel="training loss", title="Training loss")
ax_acc.axhline(0.97, color="grey", linestyle="--", label="97% target")
ax_acc.set(xlabel="epoch", ylabel="test accuracy", title="Test accuracy", ylim=(0.8, 1.0))
for ax in (ax_loss, ax_acc):
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Result: accuracy per digit
#
# Which digits each model gets wrong on the test set.

# %%
classes = np.arange(10)
per_class = {
    name: [(pred[y_test == c] == c).mean() for c in classes]
    for name, pred in [("PyTorch", torch_pred), ("TensorFlow", tf_pred)]
}
fig, ax = plt.subplots(figsize=(10, 3.5))
width = 0.4
for offset, (name, values) in zip([-width / 2, width / 2], per_class.items()):
    ax.bar(classes + offset, values, width, label=name)
ax.set(xticks=classes, xlabel="digit", ylabel="test accuracy", ylim=(0.8, 1.01), title="Test accuracy per digit")
ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# ## Metrics
#
# The test suite runs this notebook and reads the JSON line printed here; the cell itself
# fails if either framework misses the target.

# %%
metrics = {
    "torch_test_accuracy": round(torch_history["test_accuracy"][-1], 4),
    "tf_test_accuracy": round(float(tf_history["test_accuracy"][-1]), 4),
}
print(json.dumps(metrics))
if os.environ.get("USE_CASE_METRICS"):
    Path(os.environ["USE_CASE_METRICS"]).write_text(json.dumps(metrics))
assert metrics["torch_test_accuracy"] >= 0.97, metrics
assert metrics["tf_test_accuracy"] >= 0.97, metrics
