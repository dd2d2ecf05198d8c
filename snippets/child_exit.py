"""End a child process as soon as its work is written, skipping the interpreter's teardown.

A process that has imported TensorFlow spends about 2 s of CPU on the way out (Python clearing
thousands of modules, then the framework's native libraries unloading), and one with Keras on
PyTorch about 1.5 s, while the parent waits for its exit code. The children on this site have
written everything they produce by then, so that teardown buys nothing.
"""

import os
import sys


def exit_now(code: int = 0) -> None:
    """Flush stdout and stderr, then leave with `code` at once: os._exit skips atexit and buffered files."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
