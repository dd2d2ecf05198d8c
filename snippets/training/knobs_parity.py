"""The same knobs in both frameworks: clipped gradients, schedules, AdamW steps, a
frozen layer."""

# Run alone, the file first runs both knobs files, as the page's earlier blocks do.
from knobs_tf import keras_adamw, keras_head, keras_lrs, tf_clipped
from knobs_torch import torch_adamw, torch_clipped, torch_head, torch_lrs

# isort: split

# --8<-- [start:parity]
import numpy as np

pairs = zip(torch_clipped, tf_clipped)
print(f"clipped gradients equal: {all(np.allclose(a, b, atol=1e-6) for a, b in pairs)}")
#> clipped gradients equal: True
gap = max(abs(a - b) for a, b in zip(torch_lrs, keras_lrs))
print(f"warm-up + cosine, 20 steps, largest gap: below 1e-7: {gap < 1e-7}")
#> warm-up + cosine, 20 steps, largest gap: below 1e-7: True
pairs = zip(torch_adamw, keras_adamw)
print(f"one AdamW step equal: {all(np.allclose(a, b, atol=1e-6) for a, b in pairs)}")
#> one AdamW step equal: True
pairs = zip(torch_head, keras_head)
# float32 sums in two orders: equal to a relative 1e-5, not bitwise.
same = all(np.allclose(a, b, rtol=1e-5, atol=1e-6) for a, b in pairs)
print(f"head after 3 steps with the first layer frozen, equal: {same}")
#> head after 3 steps with the first layer frozen, equal: True
# --8<-- [end:parity]
