"""Input-pipeline throughput: tf.data and DataLoader on the training page's data and transform.

    python -m fieldguide measure pipelines     # measure, write docs/data/pipelines.json, then make data
    python -m fieldguide generate pipelines  # the table in docs/training.md from the committed JSON

The data are docs/training.md's (64 examples of 8 features, standardised one example at a
time), tiled to EXAMPLES per epoch so that an epoch lasts long enough to time. Each setting
runs one epoch to warm up, then REPEATS timed epochs; the JSON keeps the median and the
quartiles of examples per second. A DataLoader's epoch includes starting its workers
(persistent_workers off, as on the page). PyTorch is measured first, before TensorFlow is
imported, so that its worker processes fork from a process without TensorFlow's threads.

render() turns the JSON into the page's table and verdicts: a difference inside the measured
spread (overlapping quartile ranges) counts as a tie, so no verdict is typed by hand.
"""

from __future__ import annotations

import platform
import sys
import time

from fieldguide.measure.output import write_json
from fieldguide.project import ROOT

DATA = ROOT / "docs" / "data" / "pipelines.json"
PAGE = ROOT / "docs" / "training.md"
REGION = "pipelines"
EXAMPLES, BATCH, REPEATS = 8192, 64, 7


def page_setup(snippet: str) -> dict:
    """The namespace of the page's own `setup` section (its data, Dataset and transform), run
    as the page runs it, so the benchmark times the reader's code and not a copy of it."""
    from fieldguide.measure import line_counts

    path = ROOT / "snippets" / "training" / snippet
    text = path.read_text(encoding="utf-8")
    code = "\n".join(line_counts.section(text, "setup", str(path)))
    # At its own line numbers in the file, so that tracebacks and AutoGraph (which reads a
    # function's source to convert it) find the page's lines.
    before = text[: text.index("# --8<-- [start:setup]")].count("\n") + 1
    code = "\n" * before + code
    namespace: dict = {"__name__": "page_setup"}
    exec(compile(code, str(path), "exec"), namespace)
    return namespace


def tiled(namespace: dict) -> tuple:
    """The page's 64 examples tiled to EXAMPLES an epoch; the statistics stay the page's."""
    import numpy as np

    features = np.tile(namespace["features"], (EXAMPLES // len(namespace["features"]), 1))
    return features, np.arange(EXAMPLES)


def _epochs(one_epoch) -> list[float]:
    one_epoch()  # warm-up: thread pools, first traces
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        seen = one_epoch()
        rates.append(seen / (time.perf_counter() - start))
    assert seen == EXAMPLES, seen
    return rates


def measure_torch() -> list[dict]:
    from torch.utils.data import DataLoader

    page = page_setup("pipeline_torch.py")
    # The page's Dataset reads its module's arrays when it is built: give it the tiled ones.
    page["features"], page["ids"] = tiled(page)
    dataset = page["Examples"]()
    rows = []
    for workers in (0, 1, 2):
        loader = DataLoader(dataset, batch_size=BATCH, num_workers=workers)
        rates = _epochs(lambda loader=loader: sum(len(i) for _, i in loader))
        rows.append(_row("PyTorch", "DataLoader", f"num_workers={workers}", rates))
    return rows


def measure_tf() -> list[dict]:
    import tensorflow as tf

    page = page_setup("pipeline_tf.py")
    transform = page["transform"]  # the page's per-example transform, with the page's statistics
    examples = tf.data.Dataset.from_tensor_slices(tiled(page))
    rows = []
    for calls, label in ((1, "1"), (2, "2"), (tf.data.AUTOTUNE, "AUTOTUNE")):
        pipeline = examples.map(transform, num_parallel_calls=calls).batch(BATCH).prefetch(tf.data.AUTOTUNE)
        rates = _epochs(lambda p=pipeline: sum(len(i) for _, i in p.as_numpy_iterator()))
        rows.append(_row("TensorFlow", "tf.data", f"num_parallel_calls={label}", rates))
    return rows


def _row(framework: str, pipeline: str, setting: str, rates: list[float]) -> dict:
    from fieldguide.measure.bench import timing

    summary = timing.summarize(rates)
    return {
        "framework": framework,
        "pipeline": pipeline,
        "setting": setting,
        "median": summary["median"],
        "q1": summary["q1"],
        "q3": summary["q3"],
        "samples": rates,
    }


def measure() -> dict:
    from fieldguide.measure.bench import machine

    rows = measure_torch()  # before TensorFlow is imported (see the docstring)
    rows += measure_tf()
    import numpy
    import tensorflow
    import torch

    from fieldguide.measure import provenance

    return {
        "provenance": provenance.record({"numpy": "NumPy", "torch": "PyTorch", "tensorflow-cpu": "TensorFlow"}),
        "machine": machine.describe(),
        "versions": {
            "python": platform.python_version(),
            "numpy": numpy.__version__,
            "torch": torch.__version__,
            "tensorflow": tensorflow.__version__,
        },
        "examples_per_epoch": EXAMPLES,
        "batch_size": BATCH,
        "repeats": REPEATS,
        "rows": rows,
    }


def _tie(a: dict, b: dict) -> bool:
    """Overlapping quartile ranges: the difference is inside the measured spread."""
    return a["q1"] <= b["q3"] and b["q1"] <= a["q3"]


def _rate(x: float) -> str:
    return f"{x:,.0f}"


def verdicts(data: dict) -> list[str]:
    rows = data["rows"]
    out = []
    for pipeline in dict.fromkeys(r["pipeline"] for r in rows):
        mine = sorted((r for r in rows if r["pipeline"] == pipeline), key=lambda r: -r["median"])
        best = mine[0]
        ties = [r["setting"] for r in mine[1:] if _tie(best, r)]
        slower = [r["setting"] for r in mine[1:] if not _tie(best, r)]
        text = f"`{pipeline}`: `{best['setting']}` has the highest median"
        if ties:
            text += "; " + ", ".join(f"`{s}`" for s in ties) + " within its spread (a tie)"
        if slower:
            text += "; " + ", ".join(f"`{s}`" for s in slower) + " slower beyond the spread"
        out.append(text + ".")
    best = {}
    for r in rows:
        if r["pipeline"] not in best or r["median"] > best[r["pipeline"]]["median"]:
            best[r["pipeline"]] = r
    if len(best) == 2:
        a, b = sorted(best.values(), key=lambda r: -r["median"])
        if _tie(a, b):
            out.append(f"Best against best, `{a['pipeline']}` and `{b['pipeline']}` are a tie.")
        else:
            out.append(
                f"Best against best, `{a['pipeline']}` (`{a['setting']}`) is "
                f"{a['median'] / b['median']:.1f}x `{b['pipeline']}` (`{b['setting']}`)."
            )
    return out


def render(data: dict) -> str:
    from fieldguide.measure import provenance

    lines = [
        provenance.caption(data["provenance"], "docs/data/pipelines.json"),
        "",
        f"Measured by `fieldguide/measure/pipelines.py`: {data['examples_per_epoch']:,} examples an epoch in batches "
        f"of {data['batch_size']}, median and quartiles of {data['repeats']} epochs after one to warm up.",
        "",
        "| pipeline | setting | examples/s, median | spread (q1 to q3) |",
        "|---|---|---:|---:|",
    ]
    for r in data["rows"]:
        lines.append(
            f"| {r['pipeline']} | `{r['setting']}` | {_rate(r['median'])} | {_rate(r['q1'])} to {_rate(r['q3'])} |"
        )
    lines += ["", *(f"- {t}" for t in verdicts(data))]
    return "\n".join(lines) + "\n"


def main() -> int:
    data = measure()
    # The JSON only, like every measuring script: `make data` writes the page from it.
    print(f"{write_json(DATA, data)} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
