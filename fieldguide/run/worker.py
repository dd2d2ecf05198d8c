# The reading worker: `python -m fieldguide.run.worker ROOT`, started by run/executor.py in the
# reading's own folder. stdin and stdout carry the protocol (one JSON line each way: run these
# lines of the download, then the reply); the blocks' own fd 1 and 2 go to a log, and `print` is
# captured per block. The blocks run in this module's namespace, which is `__main__`, as a
# script's code does; so everything here sits inside `_serve` and the names it leaves behind
# are removed before the first block runs. (Comments, not a docstring: `__doc__` is the script's.)
#
# A small REPL over a pipe rather than jupyter_client: three commands (run these lines, report,
# stop), no kernel spec, ZeroMQ or message signing; it starts in the time Python does.
#
# `--placement DEVICE` (a GPU run: `cuda`) checks that each block's compute ran on DEVICE: the
# matrix multiplications and convolutions, the work a GPU is bought for (data preparation and
# parameter initialisation on the CPU are normal and not counted). PyTorch's are seen by a
# dispatch mode entered around each block once torch is imported; TensorFlow's from its device
# placement log, which it writes to fd 2, this worker's log file.


def _serve(root, placement=None):
    import contextlib
    import faulthandler
    import io
    import json
    import os
    import signal
    import sys
    import tempfile
    import traceback

    prefix = sys.prefix
    requests = os.fdopen(os.dup(0), "r")
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), line_buffering=True)
    faulthandler.register(signal.SIGUSR1, file=sys.stderr, all_threads=False)
    leaks = [p for p in sys.path if p and p.startswith(root) and not p.startswith(prefix)]
    # The blocks run in __main__ itself, as a script's code does: functions they define
    # pickle, and `if __name__ == "__main__":` holds.
    namespace = sys.modules["__main__"].__dict__
    watch = _watch(placement) if placement else None  # before the worker's names leave __main__
    for name in (
        "_serve",
        "_watch",
        "_root",
        "_placement",
        "sys",
        "__cached__",
    ):  # the script starts with none of the worker's names
        namespace.pop(name, None)
    # As in `python script.py`: no spec or package, so multiprocessing's spawn re-runs the
    # script file in a child (as __mp_main__), never this module.
    namespace.update(__doc__=None, __spec__=None, __package__=None)
    # The package that started this worker is not the reader's: a block importing it must fail
    # the check below, so its modules leave sys.modules (this one runs on as __main__).
    for name in [n for n in sys.modules if n.split(".")[0] == "fieldguide"]:
        del sys.modules[name]
    started = set(sys.modules)

    def repo_modules():
        out = []
        for name, module in list(sys.modules.items()):
            if name in started:
                continue
            path = getattr(module, "__file__", None) or ""
            if path.startswith(root) and not path.startswith(prefix):
                out.append(f"{name} ({os.path.relpath(path, root)})")
        return out

    for request in requests:
        request = json.loads(request)
        script = request["script"]
        namespace["__file__"] = sys.argv[0] = script
        reply = {"ok": True, "printed": "", "frames": []}
        if leaks:
            reply.update(ok=False, error=f"the repository is on sys.path: {leaks}")
            print(json.dumps(reply), file=replies, flush=True)
            continue
        with open(script, encoding="utf-8") as f:
            lines = f.read().split("\n")
        first, last = request["lines"]
        source = "\n" * (first - 1) + "\n".join(lines[first - 1 : last]) + "\n"
        # A real file, not a StringIO: code that hands sys.stdout to a child process needs
        # a file descriptor, as it has in a reader's terminal.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as printed:
            try:
                code = compile(source, script, "exec", dont_inherit=True)
                checked = watch is not None and request.get("placement", True)
                with contextlib.redirect_stdout(printed), watch.block(script) if checked else contextlib.nullcontext():
                    exec(code, namespace)
                if checked and watch.found:
                    line, what = watch.found[0]
                    reply.update(ok=False, frames=[[script, line]] if line else [])
                    reply["error"] = (
                        f"computed on {what} where this run expects {placement} "
                        f"({len(watch.found)} such op(s) in the block); move it to {placement}, "
                        "or say why beside the block with <!-- cpu: reason -->"
                    )
            except BaseException as exc:
                if isinstance(exc, SyntaxError) and exc.filename == script:
                    frames = [[script, exc.lineno or first]]
                else:
                    frames = [[f.filename, f.lineno] for f in traceback.extract_tb(exc.__traceback__)]
                reply.update(ok=False, error=f"{type(exc).__name__}: {exc}", frames=frames)
            sys.stdout.flush()
            printed.flush()
            printed.seek(0)
            reply["printed"] = printed.read()
        leaked = repo_modules()
        if leaked and reply["ok"]:
            reply.update(ok=False, error="imports from the repository: " + ", ".join(leaked))
        print(json.dumps(reply), file=replies, flush=True)


def _watch(expected):
    """The placement check: `block()` wraps one block's exec; `found` lists (line, what) for each
    compute op of that block that ran elsewhere than `expected`."""
    import contextlib
    import importlib.abc
    import importlib.util
    import os
    import re
    import sys
    import traceback

    # `cuda:torch`: only PyTorch's compute is checked (a whole-page reading, TensorFlow's CPU build beside it).
    expected, _, only = expected.partition(":")
    compute = {"mm", "addmm", "bmm", "baddbmm", "matmul", "mv", "addmv", "dot", "linear", "convolution"}
    compute_tf = re.compile(r"(Batch)?MatMul(V\d)?|Conv\d?D.*|Einsum|_FusedMatMul|_FusedConv2D")
    placed = re.compile(r"^\S+: \((\w+)\): /job:[^ ]*/device:(\w+):\d+$", re.M)

    class Watch:
        def __init__(self):
            self.found, self.script, self.mode, self.entered, self.log_at = [], None, None, None, 0
            self.tf_logging = False  # the placement log is read back only once TensorFlow writes one

        def line(self):
            """The deepest line of the reading's own code on the stack (the download or a saved file)."""
            for frame in reversed(traceback.extract_stack()):
                if frame.filename == self.script or os.path.dirname(frame.filename) == os.getcwd():
                    return frame.lineno if frame.filename == self.script else None
            return None

        def torch_loaded(self):
            import torch
            from torch.utils._python_dispatch import TorchDispatchMode
            from torch.utils._pytree import tree_leaves

            watch = self

            class Placement(TorchDispatchMode):
                @classmethod
                def ignore_compile_internals(cls):
                    # Off while torch.compile traces (an ordinary mode stops it compiling at all),
                    # on again for the compiled code's own ops.
                    return True

                # torch.cond and the other higher-order operators pass through too; they run as they are.
                supports_higher_order_operators = True

                def __torch_dispatch__(self, func, types, args=(), kwargs=None):
                    out = func(*args, **(kwargs or {}))
                    name = getattr(getattr(func, "overloadpacket", None), "__name__", "").lstrip("_")
                    if name in compute or name.startswith("convolution") or name.startswith("scaled_dot_product"):
                        devices = {t.device.type for t in tree_leaves((args, kwargs)) if isinstance(t, torch.Tensor)}
                        if devices and expected not in devices:
                            # The stack is read for the first only: a CPU training loop has thousands.
                            line = None if watch.found else watch.line()
                            watch.found.append((line, f"{'/'.join(sorted(devices))} (torch {name})"))
                    return out

            self.mode = Placement
            if self.script:  # torch was imported by the running block: watch the rest of it
                self.entered = Placement()
                self.entered.__enter__()

        def tensorflow_loaded(self):
            import tensorflow as tf

            tf.debugging.set_log_device_placement(True)
            self.tf_logging = True

        @contextlib.contextmanager
        def block(self, script):
            self.found, self.script, self.entered = [], script, None
            try:
                self.log_at = os.lseek(2, 0, os.SEEK_END)
            except OSError:  # fd 2 is a pipe or a terminal: no placement log to read back
                self.log_at = None
            if self.mode:
                self.entered = self.mode()
                self.entered.__enter__()
            try:
                yield
            finally:
                if self.entered is not None:
                    self.entered.__exit__(None, None, None)
                self.script = None
                sys.stderr.flush()
                text = ""
                if self.log_at is not None and self.tf_logging:
                    with open("/proc/self/fd/2", "rb") as log:
                        log.seek(self.log_at)
                        text = log.read().decode("utf-8", "replace")
                for op, device in placed.findall(text):
                    if compute_tf.fullmatch(op) and device.lower() != {"cuda": "gpu"}.get(expected, expected):
                        self.found.append((None, f"{device} (TensorFlow {op})"))

    watch = Watch()

    class OnImport(importlib.abc.MetaPathFinder):
        """Calls the watch once torch or tensorflow has finished importing, whichever block imports it."""

        def __init__(self):
            hooks = {"torch": watch.torch_loaded, "tensorflow": watch.tensorflow_loaded}
            self.hooks = {only: hooks[only]} if only else hooks

        def find_spec(self, name, path=None, target=None):
            if name not in self.hooks:
                return None
            hook = self.hooks.pop(name)
            sys.meta_path.remove(self)
            try:
                spec = importlib.util.find_spec(name)
            finally:
                if self.hooks:
                    sys.meta_path.insert(0, self)
            if spec is None or spec.loader is None:
                return spec
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                hook()

            spec.loader.exec_module = exec_module
            return spec

    sys.meta_path.insert(0, OnImport())
    return watch


if __name__ == "__main__":
    import sys

    _root = sys.argv[1]
    _placement = sys.argv[3] if sys.argv[2:3] == ["--placement"] else None
    del sys.argv[1:]
    _serve(_root, _placement)
