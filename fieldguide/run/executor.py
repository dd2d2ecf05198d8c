"""Run each block the way a reader runs it: in a clean Python process, one per reading.

A reading's process starts in a fresh temporary folder, with nothing of the repository on
the import path (no `PYTHONPATH`, no `.pth`, no `snippets/`), and executes the reading's
download, `<stem>.py`, written into that folder, one block's lines at a time. So the file
a reader downloads is the file that ran, a traceback names a line of it, and the parent
maps that line back to the snippet file it came from.

The worker is fieldguide/run/worker.py, a module started with `python -m` in the reading's
folder: that folder is first on its import path, as a script's folder is for a reader.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from fieldguide.pages.blocks import Line, PythonBlock, relative
from fieldguide.pages.outputs import DocsBlockError, compare_output, update_expected
from fieldguide.pages.readings import Reading, block_spans, page_readings, script
from fieldguide.project import ROOT, tensorflow_cpu_build


def clean_environment() -> dict[str, str]:
    """The test run's environment without what puts the repository on the import path."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME")}
    # `torchrun` and the other console scripts of the environment, as in an activated venv.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.setdefault("PYTHONHASHSEED", "0")
    return env


class ReadingProcess:
    """One reading of one page, running in its own clean process and folder."""

    def __init__(self, reading: Reading) -> None:
        self.reading = reading
        self.folder = Path(tempfile.mkdtemp(prefix=f"docs-{reading.stem}-"))
        self.text = script(reading)
        self.path = self.folder / f"{reading.stem}.py"
        self.path.write_text(self.text, encoding="utf-8")
        self.origins = self._origins()
        self.log = (self.folder / ".worker.log").open("w+", encoding="utf-8")
        self.process: subprocess.Popen | None = None
        self.stopped_at: str | None = None  # the block where this reading failed

    def _origins(self) -> dict[int, Line]:
        """Each line of the download mapped to the line of the page or snippet it came from."""
        self.spans = block_spans(self.reading)
        origins = {}
        for block in self.reading.run_blocks:
            first, last = self.spans[id(block)]
            origins.update(zip(range(first, last + 1), block.lines))
        return origins

    def start(self) -> None:
        for block in self.reading.blocks:
            if block.save_as:
                (self.folder / block.save_as).write_text(block.source, encoding="utf-8")
        check = placement()
        if check and check != "cpu":
            # The stated choice for one environment: CUDA torch, TensorFlow's CPU build beside it.
            # So the whole page checks PyTorch only, and a TensorFlow reading is checked only where
            # its CUDA build is installed (or DOCS_PLACEMENT asks, as the planted test does).
            if self.reading.name == "page":
                check += ":torch"
            elif self.reading.name == "tensorflow" and tensorflow_cpu_build() and not os.environ.get("DOCS_PLACEMENT"):
                check = None
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fieldguide.run.worker",
                str(ROOT) + os.sep,
                *(["--placement", check] if check else []),
            ],
            cwd=self.folder,
            env=clean_environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            start_new_session=True,
        )

    def send(self, block: PythonBlock) -> None:
        if self.process is None:
            self.start()
        first, last = self.spans[id(block)]
        request = {"script": str(self.path), "lines": [first, last], "placement": "cpu" not in block.marks}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()

    def receive(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            return {"ok": False, "printed": "", "frames": [], "died": self.process.returncode}
        return json.loads(line)

    def where(self, frames) -> str | None:
        """`file:line` of the deepest frame in this reading's code (the download or a saved file)."""
        found = None
        for filename, lineno in frames:
            if filename == str(self.path) and lineno in self.origins:
                origin = self.origins[lineno]
                found = f"{relative(origin.path)}:{origin.lineno}"
            elif Path(filename).parent == self.folder:
                found = f"{Path(filename).name}:{lineno}"
        return found

    def hung_at(self) -> str | None:
        """Where the worker is now: faulthandler's dump of its main thread, read from the log."""
        try:
            self.process.send_signal(signal.SIGUSR1)
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass
        self.log.seek(0)
        dump = self.log.read().split("Current thread")[-1]
        frames = []
        for line in dump.splitlines():
            if 'File "' in line and ", line " in line:
                filename = line.split('File "', 1)[1].split('"', 1)[0]
                frames.append((filename, int(line.rsplit(", line ", 1)[1].split()[0])))
        return self.where(reversed(frames))

    def log_tail(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-1500:]

    def stop(self) -> int:
        """End the script as a reader's ends (the interpreter's own exit); its exit code."""
        code = 0
        if self.process and self.process.poll() is None:
            self.process.stdin.close()
            try:
                code = self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()
        return code

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def page_processes(namespace: dict, page: Path) -> dict[str, ReadingProcess]:
    """The page's reading processes, kept in Sybil's namespace for the page's document."""
    if "readings" not in namespace:
        namespace["readings"] = {r.name: ReadingProcess(r) for r in page_readings(page)}
    return namespace["readings"]


def stop_page(namespace: dict) -> None:
    """Sybil's teardown of a page: each reading still running ends as a script does."""
    for process in namespace.pop("readings", {}).values():
        process.stop()


def _fail(block: PythonBlock, reading: ReadingProcess, at: str | None, message: str, printed: str) -> DocsBlockError:
    tail = printed.strip()[-500:]
    where = at or block.where
    return DocsBlockError(
        f"{where}: {message}\n  (block at {block.where}, {reading.reading.label} reading; "
        f"printed before the error: {tail!r})"
    )


def run_block(block: PythonBlock, processes: dict[str, ReadingProcess]) -> None:
    """Send the block to every reading that holds it, in parallel; then check each reply."""
    mine = [p for p in processes.values() if any(b is block for b in p.reading.blocks)]
    if not mine:
        raise DocsBlockError(f"{block.where}: the block is in no reading of its page")
    if block.save_as:
        for process in mine:
            if process.process is None:
                process.start()
        return
    active = []
    for process in mine:
        if process.stopped_at:
            raise DocsBlockError(
                f"{block.where}: not run: the {process.reading.label} reading stopped at the block at "
                f"{process.stopped_at}, as a reader's script would"
            )
        process.send(block)
        active.append(process)
    errors = []
    for process in active:
        try:
            reply = process.receive()
        except pytest.fail.Exception as exc:  # pytest-timeout's "Timeout >Ns" lands here
            at = process.hung_at() or block.where
            process.kill()
            process.stopped_at = block.where
            for other in active:
                other.kill()
                other.stopped_at = block.where
            raise pytest.fail.Exception(
                f"{at}: {exc.msg} (block at {block.where}, {process.reading.label} reading)", pytrace=False
            ) from exc
        if not reply["ok"]:
            process.stopped_at = block.where
            if "died" in reply:
                message = f"the reading's Python process died (exit {reply['died']}):\n" + textwrap.indent(
                    process.log_tail(), "    "
                )
            else:
                message = reply["error"]
            errors.append(_fail(block, process, process.where(reply["frames"]), message, reply["printed"]))
            continue
        try:
            compare_output(block, reply["printed"], f"{process.reading.label} reading")
        except DocsBlockError as exc:
            if os.environ.get("DOCS_UPDATE_EXAMPLES") == "1":
                update_expected(block, reply["printed"])  # `make update`
                continue
            errors.append(exc)
    if errors:
        raise DocsBlockError("\n".join(str(e) for e in errors))
    for process in mine:
        if process.reading.blocks[-1] is block:
            code = process.stop()
            if code:
                raise _fail(
                    block,
                    process,
                    None,
                    f"the reading's script exited with {code} after its last block:\n"
                    + textwrap.indent(process.log_tail(), "    "),
                    "",
                )


def device_name() -> str:
    name = os.environ.get("DOCS_DEVICE", "cpu").strip().lower()
    if name not in ("cpu", "cuda"):
        raise ValueError(f"DOCS_DEVICE={name!r}: expected cpu or cuda")
    return name


def placement() -> str | None:
    """The device each block's compute must run on: DOCS_PLACEMENT, else cuda on a GPU run.
    (DOCS_PLACEMENT=cpu rehearses the check here; a planted cuda on the CPU makes it fail.)"""
    name = os.environ.get("DOCS_PLACEMENT", "").strip().lower()
    if name not in ("", "cpu", "cuda"):
        raise ValueError(f"DOCS_PLACEMENT={name!r}: expected cpu or cuda (or unset: cuda on a GPU run)")
    return name or ("cuda" if device_name() == "cuda" else None)


def evaluate(example) -> None:
    block: PythonBlock = example.parsed
    if block.gpu_only and device_name() != "cuda":
        if block.expected_output:
            # Skipped here, so nothing printed them: they would be output no run showed.
            raise DocsBlockError(
                f"{block.where}: a gpu-only block shows `#>` lines, but no run on this device "
                "printed them: assert the result in code instead"
            )
        pytest.skip(f"gpu-only: {block.gpu_only}")
    run_block(block, page_processes(example.namespace, block.page))


def parse_document(document):
    """Sybil parser: one Region per Python block of the page, in page order."""
    from sybil import Region

    try:
        readings = page_readings(Path(document.path))
    except DocsBlockError as exc:
        # Surface as a collection error that names the page and the line.
        raise pytest.fail.Exception(str(exc), pytrace=False) from None
    blocks = {id(b): b for r in readings for b in r.blocks}
    for block in sorted(blocks.values(), key=lambda b: b.start):
        yield Region(block.start, block.start + 1, parsed=block, evaluator=evaluate)
