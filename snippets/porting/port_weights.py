"""Weight conversion between PyTorch modules and Keras layers: the one implementation.

The page shows these functions, and `python -m fieldguide convert-weights` wraps them
for the command line. Run alone, this file ports a freshly initialised CNN to Keras
and checks the outputs.
"""

# --8<-- [start:torch-to-keras]
import keras
import numpy as np
import torch
from torch import nn


def to_numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


def largest_gap(a, b) -> float:
    """The largest absolute difference between two arrays: what each check bounds."""
    return float(np.abs(np.asarray(a) - np.asarray(b)).max())


def conv_kernel(weight: np.ndarray) -> np.ndarray:
    """nn.Conv2d keeps (out, in, height, width), Conv2D (height, width, in, out)."""
    return weight.transpose(2, 3, 1, 0)


def flatten_order(channels: int, height: int, width: int) -> np.ndarray:
    """For each Keras flattened position (h, w, c), the PyTorch one (c, h, w)."""
    positions = np.arange(channels * height * width).reshape(channels, height, width)
    return positions.transpose(1, 2, 0).ravel()


def torch_cnn_to_keras(
    torch_model: nn.Sequential,
    keras_model: keras.Model,
    *,
    fix_flatten: bool = True,
    check_epsilon: bool = True,
) -> None:
    """Copy every Conv2d, BatchNorm2d and Linear of `torch_model` into the matching
    Keras layer."""
    kinds = {
        nn.Conv2d: keras.layers.Conv2D,
        nn.BatchNorm2d: keras.layers.BatchNormalization,
        nn.Linear: keras.layers.Dense,
    }
    sources = [m for m in torch_model if isinstance(m, tuple(kinds))]
    targets = [layer for layer in keras_model.layers if layer.weights]
    if len(sources) != len(targets):
        raise ValueError(
            f"{len(sources)} PyTorch layers with weights, "
            f"but {len(targets)} Keras layers with weights"
        )
    # (height, width, channels) entering the Keras Flatten, until the next Dense
    flattened_from = None
    for target in keras_model.layers:
        if isinstance(target, keras.layers.Flatten):
            flattened_from = target.input.shape[1:]
        if not target.weights:
            continue
        source = sources.pop(0)
        if not isinstance(target, kinds[type(source)]):
            raise TypeError(
                f"{target.name}: a {type(target).__name__} "
                f"cannot take the weights of {source}"
            )
        if isinstance(source, nn.Conv2d):
            kernel = conv_kernel(to_numpy(source.weight))
            target.set_weights([kernel, to_numpy(source.bias)])
        elif isinstance(source, nn.BatchNorm2d):
            if check_epsilon and not np.isclose(target.epsilon, source.eps):
                raise ValueError(
                    f"{target.name}: Keras epsilon={target.epsilon:g} "
                    f"but PyTorch eps={source.eps:g}; "
                    f"build it with BatchNormalization(epsilon={source.eps:g})"
                )
            # Keras: gamma, beta, moving mean, moving variance; PyTorch calls them
            # weight, bias, running_mean, running_var.
            stats = [
                source.weight,
                source.bias,
                source.running_mean,
                source.running_var,
            ]
            target.set_weights([to_numpy(t) for t in stats])
        else:
            # nn.Linear keeps (out, in); Dense keeps (in, out)
            kernel = to_numpy(source.weight).T
            if flattened_from is not None and fix_flatten:
                height, width, channels = flattened_from
                kernel = kernel[flatten_order(channels, height, width)]
            flattened_from = None
            target.set_weights([kernel, to_numpy(source.bias)])


# Keras reads (c0, c1) at each pixel in turn
assert flatten_order(2, 1, 2).tolist() == [0, 2, 1, 3]
# --8<-- [end:torch-to-keras]


# --8<-- [start:keras-to-torch]
def gates(weight: np.ndarray, order: str, new_order: str) -> np.ndarray:
    """Reorder the gate blocks stacked along the last axis, e.g. Keras GRU "zrh" to
    PyTorch "rzh"."""
    blocks = np.split(weight, len(order), axis=-1)
    return np.concatenate([blocks[order.index(gate)] for gate in new_order], axis=-1)


def keras_rnn_to_torch(
    layer: keras.layers.Layer, module: nn.LSTM | nn.GRU, *, fix_gates: bool = True
) -> None:
    """Copy a Keras LSTM or GRU into a one-layer, batch_first nn.LSTM or nn.GRU."""
    keras_kind, torch_kind = type(layer).__name__, type(module).__name__
    if torch_kind != keras_kind:
        raise TypeError(
            f"{layer.name}: a Keras {keras_kind} cannot fill an nn.{torch_kind}"
        )
    kernel, recurrent, bias = layer.get_weights()
    if isinstance(layer, keras.layers.GRU):
        if not layer.cell.reset_after:
            raise ValueError(
                f"{layer.name}: nn.GRU applies the reset gate after the matmul; "
                "use reset_after=True"
            )
        # Keras stacks the GRU gates as (update z, reset r, candidate h); PyTorch as
        # (r, z, n).
        order, new_order = ("zrh", "rzh") if fix_gates else ("zrh", "zrh")
        kernel, recurrent, bias = (
            gates(w, order, new_order) for w in (kernel, recurrent, bias)
        )
        # reset_after=True keeps two biases, shape (2, 3 * units)
        input_bias, recurrent_bias = bias
    elif isinstance(layer, keras.layers.LSTM):
        # Both stack the LSTM gates as (input, forget, cell, output): no reordering.
        # Keras has one bias, PyTorch two that add up.
        input_bias, recurrent_bias = bias, np.zeros_like(bias)
    else:
        raise TypeError(f"{layer.name}: expected a Keras LSTM or GRU, got {keras_kind}")
    with torch.no_grad():
        for name, value in [
            # PyTorch keeps (gates * units, inputs), Keras the transpose
            ("weight_ih_l0", kernel.T),
            ("weight_hh_l0", recurrent.T),
            ("bias_ih_l0", input_bias),
            ("bias_hh_l0", recurrent_bias),
        ]:
            parameter = getattr(module, name)
            if parameter.shape != value.shape:
                raise ValueError(
                    f"{layer.name} -> {name}: "
                    f"shape {tuple(value.shape)} != {tuple(parameter.shape)}"
                )
            parameter.copy_(torch.from_numpy(np.ascontiguousarray(value)))


def keras_model_to_torch(
    keras_model: keras.Model, torch_model: nn.Module, *, fix_gates: bool = True
) -> None:
    """Copy each Keras LSTM, GRU and Dense, in order, into the next nn.LSTM, nn.GRU or
    nn.Linear."""
    kinds = (nn.LSTM, nn.GRU, nn.Linear)
    sources = [layer for layer in keras_model.layers if layer.weights]
    targets = [m for m in torch_model.children() if isinstance(m, kinds)]
    if len(sources) != len(targets):
        raise ValueError(
            f"{len(sources)} Keras layers with weights, "
            f"but {len(targets)} PyTorch modules to fill"
        )
    for layer, module in zip(sources, targets):
        if isinstance(module, nn.Linear) and isinstance(layer, keras.layers.Dense):
            kernel, bias = layer.get_weights()
            with torch.no_grad():
                module.weight.copy_(torch.from_numpy(kernel.T))
                module.bias.copy_(torch.from_numpy(bias))
        elif isinstance(module, nn.LSTM | nn.GRU) and isinstance(
            layer, keras.layers.LSTM | keras.layers.GRU
        ):
            keras_rnn_to_torch(layer, module, fix_gates=fix_gates)
        else:
            raise TypeError(
                f"{layer.name}: a Keras {type(layer).__name__} cannot fill {module}"
            )


assert gates(np.array([[1, 2, 3]]), "zrh", "rzh").tolist() == [[2, 1, 3]]
# --8<-- [end:keras-to-torch]


if __name__ == "__main__":
    torch.manual_seed(0)
    small = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1), nn.BatchNorm2d(2), nn.Flatten(), nn.Linear(32, 3)
    ).eval()
    twin = keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            keras.layers.Conv2D(2, 3, padding="same"),
            keras.layers.BatchNormalization(epsilon=1e-5),
            keras.layers.Flatten(),
            keras.layers.Dense(3),
        ]
    )
    torch_cnn_to_keras(small, twin)
    x = np.random.default_rng(0).random((5, 4, 4, 1), dtype=np.float32)
    with torch.no_grad():
        expected = to_numpy(small(torch.from_numpy(x.transpose(0, 3, 1, 2))))
    same = largest_gap(twin(x), expected) < 1e-5
    print(f"ported CNN gives the same outputs: {same}")
    #> ported CNN gives the same outputs: True
    assert same
