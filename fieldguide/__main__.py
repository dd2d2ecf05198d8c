"""The one command on top: `python -m fieldguide COMMAND [ARGS]`. Nothing imports this module.

Each command is a module's `main`; `python -m fieldguide` alone lists them. The Makefile's targets
call these, so `make bench` and `python -m fieldguide measure bench` run the same code.
"""

from __future__ import annotations

import importlib
import inspect
import sys

# command words -> (module, what it does)
COMMANDS = {
    ("generate",): ("fieldguide.render.regions", "rewrite (or --check, --list) what the site generates from data"),
    ("readings",): ("fieldguide.run.reader", "run each reading's download as a reader runs it: python FILE.py"),
    ("measure", "bench"): ("fieldguide.measure.bench.run", "a full benchmark run into docs/data/bench-runs/"),
    ("measure", "deployment"): ("fieldguide.measure.deployment", "serve and load-test every route: deployment.json"),
    ("measure", "pipelines"): ("fieldguide.measure.pipelines", "input-pipeline throughput: pipelines.json"),
    ("measure", "notebooks"): ("fieldguide.measure.notebooks", "run the use-case notebooks: metrics.json"),
    ("measure", "triton-order"): ("fieldguide.measure.triton_order", "Triton and TensorFlow import order: JSON"),
    ("measure", "gpu-resolve"): (
        "fieldguide.measure.gpu_resolve",
        "each framework's GPU set, resolved: gpu_resolve.json",
    ),
    ("measure", "fma-peak"): ("fieldguide.measure.bench.fma_peak", "this machine's fp32 FMA peak, measured: JSON"),
    ("measure", "noise"): ("fieldguide.measure.bench.noise", "the timing noise of this machine"),
    ("drift",): ("fieldguide.measure.drift", "the next releases: requirements, then the report from a run"),
    ("compare",): ("fieldguide.measure.bench.compare", "two benchmark runs' headline ratios side by side"),
    ("gpu-prepare",): ("fieldguide.build.gpu_run", "PyTorch readings + runner for a GPU machine"),
    ("driver-check",): ("fieldguide.tools.driver_check", "does this NVIDIA driver run a GPU requirements file's CUDA?"),
    ("convert-weights",): ("fieldguide.tools.convert_weights", "port trained weights between PyTorch and Keras files"),
    ("notebooks-check",): ("fieldguide.tools.notebook_check", "run each reading's .ipynb in a Jupyter kernel"),
    ("api-links",): ("fieldguide.build.api_links", "check docs/data/api_links.yml (--online: fetch every URL)"),
    ("fmt",): ("fieldguide.tools.fmt", "ruff format that keeps the #> output lines"),
    ("shares",): ("fieldguide.tools.suite_shares", "each page's share of a test run's time"),
}


def usage() -> str:
    return "usage: python -m fieldguide COMMAND [ARGS]\n" + "".join(
        f"  {' '.join(words):<24} {about}\n" for words, (_, about) in COMMANDS.items()
    )


def main(argv: list[str]) -> int:
    for words, (module_name, _) in COMMANDS.items():
        if tuple(argv[: len(words)]) == words:
            rest = argv[len(words) :]
            module = importlib.import_module(module_name)
            sys.argv = [f"python -m fieldguide {' '.join(words)}", *rest]
            return module.main(rest) if inspect.signature(module.main).parameters else module.main()
    print(usage(), file=sys.stderr)
    return 0 if not argv or argv[0] in ("-h", "--help") else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
