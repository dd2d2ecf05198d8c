"""The porting page's conversions: both directions must fail when outputs diverge, and bad input must say why."""

from __future__ import annotations

import numpy as np
import pytest

from fieldguide.project import snippet_folder

snippet_folder("porting")


import keras
import port_weights
import torch
from torch import nn

from fieldguide.tools import convert_weights

# float32 outputs of these small models, summed in a different order by each framework:
# ~1e-6. Every planted fault below moves them by more than 1e-2.
TOLERANCE = 1e-4
rng = np.random.default_rng(0)


def make_torch_cnn() -> nn.Sequential:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(12, 4)
    )
    with torch.no_grad():  # running statistics away from 0 and 1, as after training
        model[1].running_mean.uniform_(-1, 1)
        model[1].running_var.uniform_(0.01, 0.1)  # small, so that epsilon matters
        model[1].weight.uniform_(0.5, 2)
        model[1].bias.uniform_(-1, 1)
    return model.eval()


def make_keras_cnn(epsilon: float = 1e-5) -> keras.Sequential:
    return keras.Sequential(
        [
            keras.Input((4, 4, 1)),
            keras.layers.Conv2D(3, 3, padding="same"),
            keras.layers.BatchNormalization(epsilon=epsilon, momentum=0.9),
            keras.layers.ReLU(),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(4),
        ]
    )


IMAGES = rng.random((16, 4, 4, 1), dtype=np.float32)  # NHWC


def cnn_gap(torch_model: nn.Sequential, keras_model: keras.Sequential) -> float:
    with torch.no_grad():
        expected = torch_model(torch.from_numpy(IMAGES.transpose(0, 3, 1, 2))).numpy()
    return port_weights.largest_gap(keras_model(IMAGES), expected)


def ported_cnn_gap(**options) -> float:
    torch_model, keras_model = make_torch_cnn(), make_keras_cnn(options.pop("epsilon", 1e-5))
    port_weights.torch_cnn_to_keras(torch_model, keras_model, **options)
    return cnn_gap(torch_model, keras_model)


def test_torch_to_keras_matches():
    assert ported_cnn_gap() < TOLERANCE


@pytest.mark.parametrize(
    ("name", "wrong"),
    [
        ("conv_kernel", lambda w: w.transpose(3, 2, 1, 0)),  # height and width swapped: same shape, wrong kernel
        ("flatten_order", lambda c, h, w: np.arange(c * h * w)),  # PyTorch's order kept
    ],
)
def test_torch_to_keras_planted_fault_is_caught(monkeypatch, name, wrong):
    monkeypatch.setattr(port_weights, name, wrong)
    assert ported_cnn_gap() > 100 * TOLERANCE


def test_torch_to_keras_naive_options_are_caught():
    assert ported_cnn_gap(fix_flatten=False) > 100 * TOLERANCE
    assert ported_cnn_gap(epsilon=1e-3, check_epsilon=False) > 100 * TOLERANCE


def test_epsilon_mismatch_is_refused():
    with pytest.raises(ValueError, match=r"epsilon=0.001 but PyTorch eps=1e-05; build it with .*epsilon=1e-05"):
        port_weights.torch_cnn_to_keras(make_torch_cnn(), make_keras_cnn(epsilon=1e-3))


def test_layer_count_and_kind_mismatches_are_refused():
    shorter = keras.Sequential([keras.Input((4, 4, 1)), keras.layers.Conv2D(3, 3), keras.layers.Flatten()])
    with pytest.raises(ValueError, match="3 PyTorch layers with weights, but 1 Keras layers with weights"):
        port_weights.torch_cnn_to_keras(make_torch_cnn(), shorter)
    swapped = keras.Sequential(
        [keras.Input((4, 4, 1)), keras.layers.BatchNormalization(), keras.layers.Conv2D(3, 3), keras.layers.Dense(4)]
    )
    with pytest.raises(TypeError, match="cannot take the weights of Conv2d"):
        port_weights.torch_cnn_to_keras(make_torch_cnn(), swapped)


SEQUENCES = rng.random((8, 5, 3), dtype=np.float32)


class TorchRNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 4, batch_first=True)
        self.gru = nn.GRU(4, 4, batch_first=True)
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        sequence, _ = self.lstm(x)
        _, last = self.gru(sequence)
        return self.head(last[0])


def make_keras_rnn(reset_after: bool = True) -> keras.Sequential:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((5, 3)),
            keras.layers.LSTM(4, return_sequences=True),
            keras.layers.GRU(4, reset_after=reset_after),
            keras.layers.Dense(2),
        ]
    )
    # Random biases: freshly built ones are zeros (LSTM's forget gate ones) and would hide a misplaced bias.
    model.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def rnn_gap(**options) -> float:
    keras_model, torch_model = make_keras_rnn(), TorchRNN()
    port_weights.keras_model_to_torch(keras_model, torch_model, **options)
    with torch.no_grad():
        ported = torch_model(torch.from_numpy(SEQUENCES)).numpy()
    return port_weights.largest_gap(keras_model(SEQUENCES), ported)


def test_keras_to_torch_matches():
    assert rnn_gap() < TOLERANCE


def test_keras_to_torch_planted_faults_are_caught(monkeypatch):
    assert rnn_gap(fix_gates=False) > 100 * TOLERANCE
    # One bias for both: the recurrent half of the GRU's bias dropped.
    real = port_weights.gates
    monkeypatch.setattr(port_weights, "gates", lambda w, o, n: np.zeros_like(w) if w.ndim == 2 else real(w, o, n))
    assert rnn_gap() > 100 * TOLERANCE


def test_rnn_mismatches_are_refused():
    with pytest.raises(ValueError, match="use reset_after=True"):
        port_weights.keras_model_to_torch(make_keras_rnn(reset_after=False), TorchRNN())
    with pytest.raises(TypeError, match=r"a Keras LSTM cannot fill an nn\.GRU"):
        port_weights.keras_rnn_to_torch(make_keras_rnn().layers[0], nn.GRU(3, 4, batch_first=True))
    with pytest.raises(ValueError, match=r"shape \(16, 3\) != \(16, 5\)"):
        port_weights.keras_rnn_to_torch(make_keras_rnn().layers[0], nn.LSTM(5, 4, batch_first=True))


@pytest.fixture
def factories(tmp_path, monkeypatch):
    """An importable module of PyTorch architectures, as a user of the script would have."""
    (tmp_path / "porting_factories.py").write_text(
        "from test_porting import TorchRNN, make_torch_cnn\n"
        "def fresh_cnn():\n"
        "    import torch\n"
        "    torch.manual_seed(1)\n"  # different weights from the saved ones, so a no-op conversion fails
        "    from torch import nn\n"
        "    return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.MaxPool2d(2),\n"
        "                         nn.Flatten(), nn.Linear(12, 4))\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    return tmp_path


def run_script(*args) -> None:
    convert_weights.main([str(a) for a in args])


def test_script_torch_to_keras(factories, capsys):
    source = make_torch_cnn()
    torch.save(source.state_dict(), factories / "cnn.pt")
    make_keras_cnn().save(factories / "twin.keras")
    out = factories / "cnn.weights.h5"
    run_script("torch-to-keras", factories / "cnn.pt", "porting_factories:fresh_cnn", factories / "twin.keras", out)
    assert capsys.readouterr().out == f"wrote {out}\n"
    twin = make_keras_cnn()
    twin.load_weights(out)
    assert cnn_gap(source, twin) < TOLERANCE


def test_script_keras_to_torch(factories):
    source = make_keras_rnn()
    source.save(factories / "rnn.keras")
    run_script("keras-to-torch", factories / "rnn.keras", "porting_factories:TorchRNN", factories / "rnn.pt")
    ported = TorchRNN()
    ported.load_state_dict(torch.load(factories / "rnn.pt", weights_only=True))
    with torch.no_grad():
        assert port_weights.largest_gap(source(SEQUENCES), ported(torch.from_numpy(SEQUENCES)).numpy()) < TOLERANCE


def test_script_bad_input(factories):
    with pytest.raises(SystemExit, match=r"missing\.keras: no such file"):
        run_script("keras-to-torch", factories / "missing.keras", "a:b", factories / "x.pt")
    make_keras_rnn().save(factories / "rnn.keras")
    with pytest.raises(SystemExit, match="expected module:function"):
        run_script("keras-to-torch", factories / "rnn.keras", "TorchRNN", factories / "x.pt")
    torch.save(make_torch_cnn().state_dict(), factories / "cnn.pt")
    make_keras_cnn().save(factories / "twin.keras")
    cnn_args = [factories / "cnn.pt", "porting_factories:fresh_cnn", factories / "twin.keras"]
    with pytest.raises(SystemExit, match=r"ending in \.weights\.h5"):
        run_script("torch-to-keras", *cnn_args, factories / "out.h5")


def test_backend_limit_records_the_real_error():
    """On this process's backend (TensorFlow), torch ops in a custom layer fail with Keras' own explanation."""
    import bridge_keras

    assert keras.backend.backend() == "tensorflow"
    assert bridge_keras.outcome(bridge_keras.LIMITS["custom layer with keras.ops"]) == "works"
    recorded = bridge_keras.outcome(bridge_keras.LIMITS["custom layer with torch ops"])
    assert recorded.startswith("TypeError: Could not automatically infer the output shape / dtype"), recorded
