"""Port the trained Keras LSTM + GRU model to PyTorch, check the outputs, and show the
naive port failing."""

# As on the page: the CNN's training sets PyTorch's `device`, then the Keras model
# trains; the conversion is shown on the page above.
from cnn_bn_torch import device
from gru_lstm_tf import keras_rnn, labels_test, rnn_logits, rows_test
from port_weights import keras_model_to_torch, largest_gap

# isort: split

# --8<-- [start:twin]
import torch
from torch import nn


class TorchRNN(nn.Module):
    def __init__(self):
        super().__init__()
        # Keras RNNs take (batch, time, features)
        self.lstm = nn.LSTM(8, 16, batch_first=True)
        self.gru = nn.GRU(16, 16, batch_first=True)
        self.head = nn.Linear(16, 10)

    def forward(self, x):
        sequence, _ = self.lstm(x)
        # The last hidden state, which Keras' GRU returns by default
        _, last = self.gru(sequence)
        return self.head(last[0])


def port_rnn(fix_gates: bool = True) -> TorchRNN:
    model = TorchRNN()
    keras_model_to_torch(keras_rnn, model, fix_gates=fix_gates)
    return model.to(device).eval()


def torch_outputs(model: TorchRNN):
    with torch.no_grad():
        return model(torch.tensor(rows_test, device=device)).cpu().numpy()


rnn_gap = largest_gap(torch_outputs(port_rnn()), rnn_logits)
print(f"largest logit difference below 1e-4: {rnn_gap < 1e-4}")
#> largest logit difference below 1e-4: True
# --8<-- [end:twin]

# --8<-- [start:check]
# float32 again: sigmoid, tanh and matmuls of width 16 over 8 steps, in another
# order; differences of about 1e-6 on logits below 20. A swapped gate moves them by
# whole units.
RNN_TOLERANCE = 1e-4
assert rnn_gap < RNN_TOLERANCE, rnn_gap
# --8<-- [end:check]

# --8<-- [start:naive]
# The GRU gates copied in Keras' z, r, h order:
naive_logits = torch_outputs(port_rnn(fix_gates=False))
naive_rnn_gap = largest_gap(naive_logits, rnn_logits)
naive_accuracy = (naive_logits.argmax(axis=1) == labels_test).mean()
far_off = naive_rnn_gap > 100 * RNN_TOLERANCE
print(
    f"over 100x the tolerance off: {far_off}, accuracy >= 75%: {naive_accuracy >= 0.75}"
)
#> over 100x the tolerance off: True, accuracy >= 75%: False
assert naive_rnn_gap > 100 * RNN_TOLERANCE, naive_rnn_gap
# --8<-- [end:naive]
