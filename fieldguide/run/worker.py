# The reading worker: `python -m fieldguide.run.worker ROOT`, started by run/executor.py in the
# reading's own folder. stdin and stdout carry the protocol (one JSON line each way: run these
# lines of the download, then the reply); the blocks' own fd 1 and 2 go to a log, and `print` is
# captured per block. The blocks run in this module's namespace, which is `__main__`, as a
# script's code does; so everything here sits inside `_serve` and the names it leaves behind
# are removed before the first block runs. (Comments, not a docstring: `__doc__` is the script's.)
#
# A small REPL over a pipe rather than jupyter_client: three commands (run these lines, report,
# stop), no kernel spec, ZeroMQ or message signing; it starts in the time Python does.


def _serve(root):
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
    for name in ("_serve", "_root", "sys", "__cached__"):  # the script starts with none of the worker's names
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
                with contextlib.redirect_stdout(printed):
                    exec(code, namespace)
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


if __name__ == "__main__":
    import sys

    _root = sys.argv[1]
    del sys.argv[1:]
    _serve(_root)
