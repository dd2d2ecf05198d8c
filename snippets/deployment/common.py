"""Data, a parity check and a compile cache shared by the deployment examples."""

# --8<-- [start:data]
import tempfile
from pathlib import Path

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def digits_split():
    """The 8x8 digits that ship with scikit-learn, scaled to 0..1: no download."""
    digits = load_digits()
    x = (digits.data / 16).astype(np.float32)
    return train_test_split(x, digits.target, test_size=0.2, random_state=0)


def assert_parity(route: str, got, want, atol: float | None = None) -> float:
    """The largest |got - want|; an AssertionError naming the route if over atol."""
    atol = FLOAT_ATOL if atol is None else atol
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{route}: shape {got.shape}, expected {want.shape}"
    gap = float(np.abs(got - want).max())
    assert gap <= atol, f"{route}: outputs differ by {gap:.3g}, more than {atol:g}"
    return gap


def scratch_dir() -> Path:
    """A fresh temporary folder: artifacts land neither here nor in the repository."""
    return Path(tempfile.mkdtemp(prefix="deployment-"))


# A float32 route may sum in another order or fuse kernels: that moves these logits
# (a few units in size) by about 1e-6. A wrong weight or a dropped layer moves them by
# more than 0.1. 1e-4 sits well between the two.
FLOAT_ATOL = 1e-4
# --8<-- [end:data]


# --8<-- [start:cache]
import hashlib
import os
from pathlib import Path


def cache_dir(*key: str) -> Path:
    """A folder for compiled artifacts, which are slow to build.

    The key holds the framework version and a hash of the weights, so a new torch or a
    retrained model gets a new folder.
    """
    digest = hashlib.sha256("/".join(key).encode()).hexdigest()[:16]
    path = CACHE_ROOT / "deployment" / digest
    path.mkdir(parents=True, exist_ok=True)
    return path


def weights_hash(arrays) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()[:16]


# In the home folder, outside the working folder and the repository, so that a run
# from any folder finds it. DOCS_CACHE_DIR moves it; deleting it is always safe.
HOME_CACHE = Path.home() / ".cache" / "tested-field-guide"
CACHE_ROOT = Path(os.environ.get("DOCS_CACHE_DIR", HOME_CACHE))
# --8<-- [end:cache]

if __name__ == "__main__":
    x_train, x_test, y_train, y_test = digits_split()
    print(f"train {x_train.shape}, test {x_test.shape}, dtype {x_train.dtype}")
    #> train (1437, 64), test (360, 64), dtype float32
    assert_parity("identity", x_test, x_test)
    try:
        assert_parity("shifted", x_test + 0.01, x_test)
    except AssertionError as error:
        print(error)
    #> shifted: outputs differ by 0.01, more than 0.0001
    assert cache_dir("test", "key") == cache_dir("test", "key") != cache_dir("other")
