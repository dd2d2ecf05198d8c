"""Port the trained PyTorch CNN to Keras, check the outputs, and show what a naive port
gets wrong."""

# Trains the PyTorch model, as on the page; the conversion is shown on the page above.
from cnn_bn_torch import cnn, torch_logits, x_test, y_test
from port_weights import largest_gap, torch_cnn_to_keras

# isort: split

# --8<-- [start:twin]
import keras
import tensorflow as tf

# On Ampere and newer GPUs TensorFlow multiplies float32 matrices in TF32 by default;
# PyTorch does not.
tf.config.experimental.enable_tensor_float_32_execution(False)


def keras_cnn(epsilon: float = 1e-5, momentum: float = 0.9) -> keras.Sequential:
    def batch_norm():
        return keras.layers.BatchNormalization(epsilon=epsilon, momentum=momentum)

    return keras.Sequential(
        [
            keras.Input(shape=(8, 8, 1)),  # Keras images are NHWC
            # padding=1 on a 3x3 kernel keeps the size, as "same" does
            keras.layers.Conv2D(8, 3, padding="same"),
            batch_norm(),
            keras.layers.ReLU(),
            keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(16, 3, padding="same"),
            batch_norm(),
            keras.layers.ReLU(),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),  # (2, 2, 16) -> 64 features, channel-minor
            keras.layers.Dense(10),
        ]
    )


keras_twin = keras_cnn()
torch_cnn_to_keras(cnn, keras_twin)
# 360 images fit in one batch: calling the model skips the graph that predict() traces
# for each new model, as the Keras docs advise for inputs of that size.
keras_images = x_test[..., None]  # (N, 8, 8) -> NHWC
keras_logits = keras.ops.convert_to_numpy(keras_twin(keras_images, training=False))
gap = largest_gap(keras_logits, torch_logits)
print(f"largest logit difference below 1e-4: {gap < 1e-4}")
#> largest logit difference below 1e-4: True
same_digit = (keras_logits.argmax(axis=1) == torch_logits.argmax(axis=1)).all()
print(f"same predicted digit for all {len(x_test)} test images: {same_digit}")
#> same predicted digit for all 360 test images: True
# --8<-- [end:twin]

# --8<-- [start:check]
# Each logit is a float32 sum over a few hundred products, computed in another order by
# each framework: that moves it by a few ulps of |logit| < 50, about 1e-5. 1e-4 leaves
# headroom and still catches every fault below, which moves logits by 1e-2 or more.
TOLERANCE = 1e-4
assert gap < TOLERANCE, gap
# --8<-- [end:check]

# --8<-- [start:naive]
naive_gaps = {}
for fault, fix_flatten, epsilon in [
    ("flatten order not permuted", False, 1e-5),
    ("Keras' default epsilon 1e-3", True, 1e-3),
    ("both", False, 1e-3),
]:
    naive = keras_cnn(epsilon=epsilon)
    torch_cnn_to_keras(cnn, naive, fix_flatten=fix_flatten, check_epsilon=False)
    naive_logits = keras.ops.convert_to_numpy(naive(keras_images, training=False))
    naive_gaps[fault] = largest_gap(naive_logits, torch_logits)
    accuracy = (naive_logits.argmax(1) == y_test).mean()
    far_off, still_accurate = naive_gaps[fault] > 100 * TOLERANCE, accuracy >= 0.95
    print(
        f"{fault}: over 100x the tolerance off {far_off}, "
        f"accuracy >= 95% {still_accurate}"
    )
#> flatten order not permuted: over 100x the tolerance off True, accuracy >= 95% False
#> Keras' default epsilon 1e-3: over 100x the tolerance off True, accuracy >= 95% True
#> both: over 100x the tolerance off True, accuracy >= 95% False
assert all(g > 100 * TOLERANCE for g in naive_gaps.values()), naive_gaps
# --8<-- [end:naive]

# --8<-- [start:momentum]
import keras
import numpy as np
import torch
from torch import nn

# One training-mode batch through a fresh batch norm layer in each framework.
bn_rng = np.random.default_rng(0)
batch = bn_rng.normal(2.0, 3.0, size=(4, 8, 3, 3)).astype(np.float32)  # NCHW
torch_bn = nn.BatchNorm2d(8)  # momentum=0.1: the weight of the NEW batch
torch_bn.train()(torch.from_numpy(batch))
updates = {}
# Keras' momentum is the weight of the OLD value; 0.99 is its default.
for momentum in (0.99, 0.9):
    keras_bn = keras.layers.BatchNormalization(epsilon=1e-5, momentum=momentum)
    keras_bn(batch.transpose(0, 2, 3, 1), training=True)  # NHWC
    updates[momentum] = keras_bn.moving_mean.numpy(), keras_bn.moving_variance.numpy()

batch_mean = batch.mean(axis=(0, 2, 3))
torch_mean = torch_bn.running_mean.numpy()
tenth = np.allclose(updates[0.99][0] * 10, torch_mean, atol=1e-5)
print(f"Keras momentum=0.99 moves the mean 10x less: {tenth}")
#> Keras momentum=0.99 moves the mean 10x less: True
matched = np.allclose(updates[0.9][0], torch_mean, atol=1e-6)
print(f"Keras momentum=0.9 matches the mean: {matched}")
#> Keras momentum=0.9 matches the mean: True
# Both start the variance at 1; PyTorch feeds in the unbiased batch variance, Keras the
# biased one.
n = batch.size // batch.shape[1]  # values per channel in the batch: 4 * 3 * 3 = 36
torch_step = torch_bn.running_var.numpy() - 0.9
keras_step = updates[0.9][1] - 0.9
ratio = np.allclose(torch_step / keras_step, n / (n - 1), rtol=1e-5)
print(f"the variance updates differ by n/(n-1): {ratio}")
#> the variance updates differ by n/(n-1): True
# PyTorch: 0.9 * 0 + 0.1 * the batch mean
assert np.allclose(batch_mean * 0.1, torch_mean, atol=1e-6)
assert tenth
assert matched
assert ratio
# --8<-- [end:momentum]
