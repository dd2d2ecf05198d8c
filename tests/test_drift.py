"""`make drift`: the home page's line on the newest releases is docs/data/drift.json's, and the
file is built from what the drift run really reported (fieldguide/measure/drift.py).

The suite never runs the drift itself (a 7 GB environment): it checks the page against the
committed file, and the report step against failures planted in the executor's own format."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from fieldguide import pins as requirements_file
from fieldguide.measure import drift
from fieldguide.pages.blocks import Line, PythonBlock
from fieldguide.pages.outputs import DocsBlockError, compare_output
from fieldguide.render import regions as generate
from tests_support import ROOT


def test_home_page_line_is_the_committed_files():
    assert generate.stale(["drift"]) == []


def test_a_hand_edited_count_on_the_home_page_is_caught():
    page = ROOT / "docs" / "index.md"
    data = json.loads(drift.DATA.read_text(encoding="utf-8"))
    held = sum(p["held"] for p in data["pages"].values())
    text = page.read_text(encoding="utf-8").replace(f": {held} of ", f": {held + 1} of ", 1)
    assert text != page.read_text(encoding="utf-8")
    messages = generate.stale(["drift"], read=lambda p: text if p == page else generate._read(p))
    assert messages
    assert "docs/index.md is out of date (drift)" in messages[0]


def test_the_committed_file_names_every_page_and_the_versions_run():
    data = json.loads(drift.DATA.read_text(encoding="utf-8"))
    assert set(data["newest"]) == set(drift.FRAMEWORKS)
    pins = requirements_file.pins()
    assert set(data["pinned"]) == set(drift.FRAMEWORKS)
    assert all(pins.get(n) for n in drift.FRAMEWORKS)
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").rglob("*.md") if "```python" in p.read_text()}
    assert pages <= set(data["pages"]), f"pages missing from the drift run: {sorted(pages - set(data['pages']))}"


def _block(expected: list[str]) -> PythonBlock:
    page = ROOT / "docs" / "index.md"
    lines = [Line(text, page, 10 + i) for i, text in enumerate(["print(x)", *[f"#> {e}" for e in expected]])]
    return PythonBlock(page=page, lineno=9, info="python", lines=lines)


def _message(block: PythonBlock, printed: str) -> str:
    with pytest.raises(DocsBlockError) as caught:
        compare_output(block, printed, "PyTorch reading")
    return str(caught.value)


def test_the_first_differing_output_line_is_reported():
    message = _message(_block(["loss 0.12", "acc 0.91"]), "loss 0.12\nacc 0.88\n")
    assert drift._difference(message) == {"kind": "output", "page": "acc 0.91", "run": "acc 0.88"}


def test_a_missing_output_line_is_reported_as_nothing():
    message = _message(_block(["a", "b"]), "a\n")
    assert drift._difference(message) == {"kind": "output", "page": "b", "run": "(nothing)"}


def test_an_error_is_reported_by_its_last_line():
    message = (
        'docs/index.md:9: Traceback (most recent call last):\n  File "x.py", line 3\n'
        "AttributeError: module 'torch' has no attribute 'gone'\n"
        "  (block at docs/index.md:9, PyTorch reading; printed before the error: '')"
    )
    wanted = "AttributeError: module 'torch' has no attribute 'gone'"
    assert drift._difference(message) == {"kind": "error", "error": wanted}


def _junit(tmp_path: Path, failures: dict[int, str]) -> Path:
    cases = []
    for line in (9, 20, 31):
        info = f"{{'page': 'docs/index.md', 'line': {line}, 'gpu_only': None}}"
        prop = f'<properties><property name="docs_block" value="{info}" /></properties>'
        fail = f'<failure message="{failures[line]}">x</failure>' if line in failures else ""
        cases.append(f'<testcase classname="docs.index.md" name="line:{line},column:1">{prop}{fail}</testcase>')
    path = tmp_path / "junit.xml"
    path.write_text(f"<testsuites><testsuite>{''.join(cases)}</testsuite></testsuites>", encoding="utf-8")
    return path


def _block_table(tmp_path: Path, failed: int, skipped: int) -> Path:
    """The executor's block table for one page of three blocks, two of them executed."""
    blocks = tmp_path / "blocks.json"
    table = {"collected": 3, "executed": 2, "failed": failed, "skipped": skipped, "not run": 0, "skips": []}
    blocks.write_text(json.dumps({"device": "cpu", "pages": {"docs/index.md": table}, "problems": []}))
    return blocks


def test_report_counts_what_held_and_names_each_failure(tmp_path):
    from xml.sax.saxutils import escape

    differs = escape(_message(_block(["1.00"]), "1.01\n"), {'"': "&quot;", "\n": "&#10;"})
    junit = _junit(tmp_path, {20: differs})
    blocks = _block_table(tmp_path, failed=1, skipped=0)
    pins = {"torch": "2.13.0", "tensorflow-cpu": "2.21.0", "keras": "3.15.1"}
    newest = {**pins, "torch": "9.9.0"}
    data = drift.report(junit, blocks, newest, pins, "2026-12-02")
    assert data["pages"]["docs/index.md"] == {
        "blocks": 3,
        "held": 2,
        "skipped": 0,
        "differences": [{"line": 20, "kind": "output", "page": "1.00", "run": "1.01"}],
    }
    shown = drift.render(data)
    assert "PyTorch 9.9.0" in shown
    assert "the site pins PyTorch 2.13.0" in shown
    assert "2 of 3 blocks hold" in shown
    assert "| [index.md](index.md) | 20 | prints `1.01` where the page shows `1.00` |" in shown
    # 9.9 is seven major releases on: the policy is broken, and the line says so.
    assert "**The pins trail them by more than the policy allows:** PyTorch: the site pins 2.13.0" in shown


def test_a_release_candidate_is_named_as_one_and_skips_are_not_held(tmp_path):
    blocks = _block_table(tmp_path, failed=0, skipped=1)
    pins = {"torch": "2.15.0", "tensorflow-cpu": "2.21.0", "keras": "3.15.1"}
    data = drift.report(_junit(tmp_path, {}), blocks, {**pins, "tensorflow-cpu": "2.22.0rc0"}, pins, "2026-12-06", pins)
    shown = drift.render(data)
    assert "TensorFlow 2.22.0rc0 (pre-release)" in shown
    assert "the site pins TensorFlow 2.21.0" in shown
    assert "2 of 2 blocks hold" in shown
    assert "1 GPU-only block was skipped, not counted as held" in shown
    assert "The pins trail them by at most 1 minor version, as the policy asks." in shown


@pytest.mark.parametrize(
    ("pin", "stable", "lag"),
    [
        ("2.15.0", "2.15.0", 0),
        ("2.14.1", "2.15.0", 1),
        ("2.13.0", "2.15.0", 2),
        ("2.15.0", "3.0.0", 2),
        ("3.1.0", "3.0.0", 0),
    ],
)
def test_minor_lag(pin, stable, lag):
    assert drift.minor_lag(pin, stable) == lag


def test_the_policy_names_each_pin_that_trails_too_far():
    pins = {"torch": "2.13.0", "tensorflow-cpu": "2.21.0", "keras": "3.15.1"}
    late = drift.policy(pins, {"torch": "2.15.0", "tensorflow-cpu": "2.22.0", "keras": "3.15.1"})
    wanted = "PyTorch: the site pins 2.13.0, the newest stable release is 2.15.0 (2 minor versions behind; "
    assert late == [wanted + "the policy allows 1)"]


def test_the_committed_pins_keep_the_policy_on_the_day_of_the_drift_run():
    data = json.loads(drift.DATA.read_text(encoding="utf-8"))
    pins = requirements_file.pins()
    assert data["pinned"] == {name: pins[name] for name in drift.FRAMEWORKS}, "run `make drift` after a bump"
    assert drift.policy(pins, data["stable"]) == []


def test_a_drift_run_that_wrote_no_block_table_fails_clearly(tmp_path):
    with pytest.raises(SystemExit, match="no block table"):
        drift.report(_junit(tmp_path, {}), tmp_path / "missing.json", {}, {}, "2026-12-02")


def test_requirements_swap_only_the_frameworks_pins():
    text = "numpy==2.4.6\ntorch==2.13.0\nkeras==3.15.1\ntensorflow-cpu==2.21.0\n"
    out = drift.with_versions(text, {"torch": "2.15.0", "keras": "3.16.0", "tensorflow-cpu": "2.21.0"})
    assert out == "numpy==2.4.6\ntorch==2.15.0\nkeras==3.16.0\ntensorflow-cpu==2.21.0\n"
    with pytest.raises(SystemExit, match="pins none of"):
        drift.with_versions("numpy==2.4.6\n", {"torch": "2.15.0"})


def test_the_drift_asks_for_pre_releases_and_the_policy_does_not(monkeypatch):
    asked = []

    def run(args, **kwargs):
        asked.append(args)
        return SimpleNamespace(returncode=0, stdout="torch (2.16.0rc1)\nAvailable versions: 2.16.0rc1", stderr="")

    monkeypatch.setattr(drift.subprocess, "run", run)
    assert drift.newest("torch", pre=True) == "2.16.0rc1"
    drift.newest("torch")
    assert "--pre" in asked[0]
    assert "--pre" not in asked[1]


def test_no_version_from_the_index_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(
        drift.subprocess, "run", lambda *a, **k: SimpleNamespace(returncode=1, stdout="", stderr="no network")
    )
    with pytest.raises(SystemExit, match="gave no version of torch: no network"):
        drift.newest("torch")


def test_a_bare_assert_is_reported_with_the_line_that_failed():
    snippet = ROOT / "snippets" / "interop" / "one_process.py"
    line = next(k for k, text in enumerate(snippet.read_text().splitlines(), 1) if text.strip().startswith("assert"))
    message = (
        # As pytest's junit report writes the executor's exception: its module path, then the message.
        f"fieldguide.pages.outputs.DocsBlockError: snippets/interop/one_process.py:{line}: AssertionError: \n"
        "  (block at docs/interop.md:326, whole-page reading; printed before the error: '')"
    )
    found = drift._difference(message)
    assert found["kind"] == "error"
    assert found["error"] == "AssertionError"
    assert found["at"] == f"snippets/interop/one_process.py:{line}"
    assert found["code"] == snippet.read_text().splitlines()[line - 1].strip()
