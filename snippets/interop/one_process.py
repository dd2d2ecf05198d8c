"""Both frameworks in one process: why TensorFlow, then Triton, crashes; and the fix.

Run alone: python snippets/interop/one_process.py
"""

# --8<-- [start:cause]
import subprocess
import sys

# llvm::DebugCounter::shouldExecuteImpl, one of the LLVM functions TensorFlow and
# Triton each carry a copy of.
SYMBOL = "_ZN4llvm12DebugCounter17shouldExecuteImplERNS0_11CounterInfoE"
PROBE = f"""
import ctypes
everyone = ctypes.CDLL(None)  # what any library loaded later resolves its names against
before = hasattr(everyone, {SYMBOL!r})
import tensorflow
print(before, hasattr(everyone, {SYMBOL!r}))
"""
done = subprocess.run(
    [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True
)
before, after = done.stdout.split()
print(f"TensorFlow's LLVM visible to later libraries: before {before}, after {after}")
#> TensorFlow's LLVM visible to later libraries: before False, after True
# --8<-- [end:cause]

# --8<-- [start:crash]
import importlib.util


def exit_code(code: str) -> int:
    """Run `code` in a fresh interpreter; a crash shows as minus the signal number."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True).returncode


# torch loads Triton lazily: creating an optimizer is enough.
OPTIMIZER = (
    "import torch; torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)"
)
# The fix every page here uses: Triton, where it is installed, before TensorFlow.
TRITON_FIRST = """
import importlib.util
if importlib.util.find_spec("triton"):
    import triton
"""
tf_first = exit_code(f"import tensorflow; {OPTIMIZER}")
fixed = exit_code(f"{TRITON_FIRST}\nimport tensorflow\n{OPTIMIZER}")
if importlib.util.find_spec("triton"):  # PyPI's torch for Linux brings it
    # Killed by a signal: SIGSEGV with the Triton of torch 2.13 and 2.14, SIGABRT
    # ("LLVM ERROR: inconsistency in registered CommandLine options") with 2.15's.
    assert exit_code("import tensorflow; import triton") < 0
    assert tf_first < 0, tf_first
else:  # a CPU build of torch ships no Triton, so nothing can collide
    assert tf_first == 0, tf_first
print("an optimizer after TensorFlow:", "crashes" if tf_first < 0 else "runs")
#> an optimizer after TensorFlow: crashes
print("an optimizer after TensorFlow, with Triton loaded first, works:", fixed == 0)
#> an optimizer after TensorFlow, with Triton loaded first, works: True
# --8<-- [end:crash]
