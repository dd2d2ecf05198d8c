"""The use-case notebooks: a build hook that says when outputs are missing, and the metrics table.

MkDocs hook: `DOCS_EXECUTE_NOTEBOOKS` says how the notebooks under docs/use-cases/ are built.
`true` (the published build) executes every one fresh; `cached` (what `make serve` and
`make build` use) executes each once and keeps the executed page in .cache/notebooks/, keyed by
the notebook's source and the pinned requirements, so an unchanged notebook is not run again;
`false` (the default, and the test suite's builds) skips them, and then each notebook page
opens with a note saying its outputs are not shown.

Script: `python scripts/notebook_hooks.py` runs each notebook as a plain script, records the
metrics it writes and the CPU time it took in docs/use-cases/metrics.json, and rewrites the
table in docs/use-cases/index.md from that file.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
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
NOT_EXECUTED = (
    '<div class="admonition warning"><p class="admonition-title">Outputs not shown</p>'
    "<p>This copy of the site was built without executing the notebooks, so this page shows the code "
    "but none of its printed results or charts. The published site is built with "
    "<code>DOCS_EXECUTE_NOTEBOOKS=true</code>, which runs every notebook during the build; "
    "<code>make serve</code> and <code>make build</code> run each once and reuse the result "
    "until the notebook or the pinned versions change.</p></div>"
)


MODES = ("true", "cached", "false")


def notebook_mode() -> str:
    mode = os.environ.get("DOCS_EXECUTE_NOTEBOOKS", "false").strip().lower()
    if mode not in MODES:
        raise ValueError(
            f"DOCS_EXECUTE_NOTEBOOKS={mode!r}: expected true (execute every notebook), cached "
            "(execute once per notebook source and pinned requirements) or false (do not execute)"
        )
    return mode


def cache_dir(root: Path) -> Path:
    """Where executed notebooks are kept: one folder per requirements.txt, so a version bump
    re-executes them. mkdocs-jupyter's own cache key covers the notebook's source and its options."""
    pins = hashlib.sha256((root / "requirements.txt").read_bytes()).hexdigest()[:16]
    return root / ".cache" / "notebooks" / pins


def on_config(config, **_kwargs):
    from mkdocs.exceptions import PluginError

    plugin = config["plugins"].get("mkdocs-jupyter")
    try:
        mode = notebook_mode()
    except ValueError as err:
        raise PluginError(str(err)) from None
    if plugin is not None:
        plugin.config["execute"] = mode != "false"
        plugin.config["cache"] = mode == "cached"  # the published build never reuses an output
        plugin.config["cache_dir"] = str(cache_dir(Path(config["config_file_path"]).parent))
    return config


def _executes(config) -> bool:
    plugin = config["plugins"].get("mkdocs-jupyter")
    return bool(plugin and plugin.config["execute"])


# mkdocs-jupyter's notebook template brings a module script that imports mermaid from a CDN
# when a cell holds a diagram, and an empty MathJax <script src="">. No notebook here draws a
# diagram or typesets maths, and a site that promises no third-party requests ships neither.
CDN_SCRIPT_RE = re.compile(r'<script type="module">(?:(?!</script>).)*?import\("https?://.*?</script>', re.S)
EMPTY_SCRIPT_RE = re.compile(r'<script src="">\s*</script>')


def on_page_content(html: str, page, config, **_kwargs) -> str:
    src = page.file.src_uri
    if src.startswith("use-cases/") and src.endswith(".py"):
        html = EMPTY_SCRIPT_RE.sub("", CDN_SCRIPT_RE.sub("", html))
        if not _executes(config):
            return NOT_EXECUTED + html
    return html


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


def _value(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) and value < 1.5 else f"{value:g}"


def metrics_table(data: dict) -> str:
    lines = [
        "| use case | metric | PyTorch | TensorFlow | baseline | CPU seconds |",
        "|---|---|---|---|---|---|",
    ]
    for name, title in NOTEBOOKS.items():
        entry = data[name]
        metrics = entry["metrics"]
        for i, (label, torch_key, tf_key, base_key) in enumerate(ROWS[name]):
            base = f"{_value(metrics[base_key])} ({BASELINES[name]})" if base_key else "-"
            link = f"[{title}]({name}.py)" if i == 0 else ""
            cpu = f"{entry['cpu_seconds']:.0f}" if i == 0 else ""
            lines.append(
                f"| {link} | {label} | {_value(metrics[torch_key])} | {_value(metrics[tf_key])} | {base} | {cpu} |"
            )
    import provenance

    lines += ["", provenance.caption(data["provenance"], "docs/use-cases/metrics.json")]
    return "\n".join(lines) + "\n"


def main() -> int:
    # Imported here: as a MkDocs hook this file runs without scripts/ on the import path.

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
    import provenance

    packages = {"torch": "PyTorch", "tensorflow-cpu": "TensorFlow", "keras": "Keras", "gymnasium": "Gymnasium"}
    data["provenance"] = provenance.record(packages)
    # The JSON only, like every measuring script: `make data` writes the table and claim U1.
    METRICS_JSON.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
