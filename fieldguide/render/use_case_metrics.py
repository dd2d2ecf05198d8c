"""The use-case metrics table of docs/use-cases/index.md, from docs/use-cases/metrics.json."""

from __future__ import annotations

from fieldguide.measure import provenance
from fieldguide.measure.notebooks import BASELINES, NOTEBOOKS, ROWS


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
    lines += ["", provenance.caption(data["provenance"], "docs/use-cases/metrics.json")]
    return "\n".join(lines) + "\n"
