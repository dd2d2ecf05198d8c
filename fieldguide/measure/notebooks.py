"""The use-case notebooks, measured: `python -m fieldguide measure notebooks` runs each one as a
plain script and records the metrics it writes and the CPU time it took in
docs/use-cases/metrics.json (render/use_case_metrics.py writes the table from that file;
build/notebooks.py decides whether a build executes them).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fieldguide.measure.output import write_json
from fieldguide.project import ROOT

USE_CASES = ROOT / "docs" / "use-cases"
METRICS_JSON = USE_CASES / "metrics.json"
INDEX = USE_CASES / "index.md"
REGION = "use-case-metrics"
# Page order, and how each metric reads in the table.
NOTEBOOKS = {
    "vision": "Vision",
    "text": "Text",
    "reinforcement-learning": "Reinforcement learning",
    "tabular": "Tabular",
}
ROWS = {
    "vision": [("test accuracy", "torch_test_accuracy", "tf_test_accuracy", None)],
    "text": [("test accuracy", "torch_test_accuracy", "tf_test_accuracy", "baseline_test_accuracy")],
    "reinforcement-learning": [
        ("episodes to a mean return of 195 over 40", "torch_episodes", "tf_episodes", None),
        ("mean return, last 40 episodes", "torch_mean_return_last_40", "tf_mean_return_last_40", None),
    ],
    "tabular": [("test R²", "torch_test_r2", "tf_test_r2", "linear_test_r2")],
}
BASELINES = {"text": "TF-IDF + logistic regression", "tabular": "linear regression"}


def run_notebook(name: str, metrics_path: Path, timeout: int = 600) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run docs/use-cases/<name>.py as a script; the result, its wall seconds and its CPU seconds."""
    env = {**os.environ, "MPLBACKEND": "Agg", "USE_CASE_METRICS": str(metrics_path), "PYTHONHASHSEED": "0"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(USE_CASES / f"{name}.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, wall, cpu


def main() -> int:
    data = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in NOTEBOOKS:
            path = Path(tmp) / f"{name}.json"
            done, wall, cpu = run_notebook(name, path)
            if done.returncode != 0:
                print(f"docs/use-cases/{name}.py failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}", file=sys.stderr)
                return 1
            data[name] = {"metrics": json.loads(path.read_text()), "cpu_seconds": round(cpu, 1)}
            print(f"{name}: {wall:.1f} s wall, {cpu:.1f} s CPU, {data[name]['metrics']}")
    from fieldguide.measure import provenance

    packages = {"torch": "PyTorch", "tensorflow-cpu": "TensorFlow", "keras": "Keras", "gymnasium": "Gymnasium"}
    data["provenance"] = provenance.record(packages)
    # The JSON only, like every measuring script: `make data` writes the table and claim U1.
    write_json(METRICS_JSON, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
