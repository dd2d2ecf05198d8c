"""The performance harness (scripts/bench/): its quick run's structure, the page against the committed
JSON, a failing worker, the repeatability check and the peak formula. Never the speed."""

from __future__ import annotations

import copy
import json
import shutil

import generate
import pytest
from bench import compare, machine, report, run, schema

from tests_support import ROOT, run_python

DATA = ROOT / "docs" / "data" / "bench.json"
PAGE = ROOT / "docs" / "performance.md"
ASSETS = ROOT / "docs" / "assets" / "performance"


@pytest.fixture(scope="module")
def committed():
    return json.loads(DATA.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    done = run_python("scripts/bench/run.py", "--quick", "--out", str(out), "--no-report", timeout=170)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_quick_run_covers_every_workload_and_mode(quick):
    schema.validate(quick)  # raises naming the first missing workload/mode or malformed row
    assert quick["quick"] is True
    covered = {(r["framework"], r["group"], r["mode"]) for r in quick["rows"]}
    assert set(schema.REQUIRED) <= covered
    assert {c["name"] for c in quick["plan"]} == {r["config"] for r in quick["rows"]}
    for key in ("torch", "tensorflow", "keras", "numpy", "python"):
        assert quick["versions"][key]
    assert quick["settings"]["threads"] >= 1
    assert quick["settings"]["interop_threads"] == 1
    for row in quick["rows"]:
        assert row["median"] > 0
        assert row["first_call_s"] > 0
        assert 0 <= row["iqr"] <= row["max"] - row["min"] + 1e-12


def test_quick_results_render_into_every_region_and_chart(quick, tmp_path):
    data, page, assets = tmp_path / "bench.json", tmp_path / "performance.md", tmp_path / "assets"
    data.write_text(json.dumps(quick))
    shutil.copy(PAGE, page)
    assert report.main(["--data", str(data), "--page", str(page), "--assets", str(assets)]) == 0
    text = page.read_text(encoding="utf-8")
    for name in report.regions(quick):
        assert report.page_sections.read(text, name).strip(), name
    assert sorted(p.name for p in assets.glob("*.svg")) == ["cookbook.svg", "g0.svg", "workloads.svg"]


def test_committed_results_are_a_full_valid_run(committed):
    schema.validate(committed)
    assert committed["quick"] is False, "docs/data/bench.json must come from a full run: make bench"
    assert min(len(r["samples_s"]) for r in committed["rows"]) >= 5
    sizes = {r["batch"] for r in committed["rows"] if r["group"] == "G0"}
    assert sizes == {1024, 2048}


def test_page_and_charts_match_the_committed_json():
    assert generate.stale(["bench"]) == []


def test_a_hand_edited_number_or_chart_fails_the_check():
    def planted(path):
        text = path.read_text(encoding="utf-8")
        if path == PAGE:
            body = report.page_sections.read(text, "bench-g0")
            return report.page_sections.replace(text, "bench-g0", body.replace("|", "| 9", 1))
        return text.replace("<svg", "<svg data-typed", 1) if path.name == "workloads.svg" else text

    assert generate.stale(["bench"], read=planted) == [
        "docs/performance.md is out of date (bench): run python scripts/generate.py bench",
        "docs/assets/performance/workloads.svg is out of date (bench): run python scripts/generate.py bench",
    ]


def test_the_page_shows_every_chart():
    text = PAGE.read_text(encoding="utf-8")
    for svg in ASSETS.glob("*.svg"):
        assert f"](assets/performance/{svg.name})" in text


def test_a_failing_worker_fails_the_run_naming_its_configuration():
    bad = run.config("numpy", "M1", "eager", 1)  # NumPy has only the GEMM workload
    with pytest.raises(run.BenchError) as info:
        run.run(quick=True, device="cpu", threads=1, jobs=1, plan_=[bad])
    message = str(info.value)
    assert "numpy:M1:eager" in message
    assert "numpy runs only G0 eager, not M1 eager" in message


def test_the_driver_exits_non_zero_with_the_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "plan", lambda threads: [run.config("numpy", "C1", "eager", threads)])
    assert run.main(["--quick", "--out", str(tmp_path / "x.json"), "--no-report"]) == 2
    assert "bench failed: worker for numpy:C1:eager failed" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


def test_validate_names_what_is_missing_or_wrong(committed):
    dropped = copy.deepcopy(committed)
    dropped["rows"] = [r for r in dropped["rows"] if (r["framework"], r["group"], r["mode"]) != ("tf", "T1", "xla")]
    with pytest.raises(ValueError, match="no rows for: tf T1 xla"):
        schema.validate(dropped)
    skewed = copy.deepcopy(committed)
    skewed["rows"][0]["iqr"] = skewed["rows"][0]["max"] - skewed["rows"][0]["min"] + 1
    with pytest.raises(ValueError, match="IQR"):
        schema.validate(skewed)
    negative = copy.deepcopy(committed)
    negative["rows"][0]["median"] = -1.0
    with pytest.raises(ValueError, match="positive"):
        schema.validate(negative)


def _results(g0: float, m1: float, c1: float) -> dict:
    rows = [{"id": f"x/{g}", "group": g, "median": m} for g, m in (("G0", g0), ("M1", m1), ("C1", c1))]
    return {"rows": rows}


@pytest.mark.parametrize(
    ("b", "code"),
    [
        (_results(1.04, 0.96, 1.0), 0),  # within 5% on G0 and M1
        (_results(1.0, 1.0, 1.5), 0),  # C1 is reported, not gated
        (_results(1.06, 1.0, 1.0), 1),
        (_results(1.0, 0.94, 1.0), 1),
    ],
)
def test_compare_gates_g0_and_m1_at_five_percent(tmp_path, b, code, capsys):
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(_results(1.0, 1.0, 1.0)))
    pb.write_text(json.dumps(b))
    assert compare.main([str(pa), str(pb)]) == code
    if code:
        assert "beyond 5%" in capsys.readouterr().err


def test_compare_fails_when_a_gated_row_is_missing(tmp_path):
    a = _results(1.0, 1.0, 1.0)
    b = {"rows": [r for r in a["rows"] if r["group"] != "M1"]}
    (tmp_path / "a.json").write_text(json.dumps(a))
    (tmp_path / "b.json").write_text(json.dumps(b))
    assert compare.main([str(tmp_path / "a.json"), str(tmp_path / "b.json")]) == 1


@pytest.mark.parametrize(
    ("flags", "per_cycle", "bf16"),
    [
        ("fpu sse4_2 avx avx2 fma", 32, False),  # 2 FMA units x 8 lanes x 2
        ("sse4_2 avx avx2 fma avx512f avx512_bf16", 64, True),  # 2 x 16 x 2
        ("sse4_2", 4, False),  # no FMA: one 4-lane unit, one FLOP per lane
    ],
)
def test_computed_peak_formula(tmp_path, flags, per_cycle, bf16):
    info = f"model name\t: Test CPU\ncpu MHz\t\t: 2000.000\nflags\t\t: {flags}\n"
    cpu = machine.describe(info, cpus=2, sysfs=tmp_path)
    assert cpu["flops_per_cycle"] == per_cycle
    assert cpu["computed_peak_gflops"] == pytest.approx(2 * 2.0 * per_cycle)
    assert cpu["clock_source"] == "/proc/cpuinfo cpu MHz"
    assert cpu["bf16_hardware"] is bf16


def test_repeat_region_lists_every_g0_row_and_each_row_beyond_tolerance(committed):
    earlier = copy.deepcopy(committed)
    m1 = next(r for r in earlier["rows"] if r["group"] == "M1")
    c1 = next(r for r in earlier["rows"] if r["group"] == "C1")
    m1["median"] *= 1.10  # this run is then 9% faster than the earlier one on that row
    c1["median"] *= 2.0  # C1 is not held to the tolerance
    body = report.repeat_region(committed, earlier)
    g0 = [r for r in committed["rows"] if r["group"] == "G0"]
    for row in g0:
        assert f"`{row['id'].removesuffix('/default')}`" in body
    assert f"`{m1['id'].removesuffix('/default')}`" in body
    assert f"`{c1['id'].removesuffix('/default')}`" not in body
    assert "-9.1%" in body
    gated = sum(r["group"] in ("G0", "M1") for r in committed["rows"])
    assert f"| G0 and M1 rows in both runs | {gated} |" in body


def test_repeat_region_refuses_runs_that_cannot_be_compared(committed):
    older = copy.deepcopy(committed)
    older["harness_version"] = "0"
    assert "cannot be compared with this one: their harness version differs" in report.repeat_region(committed, older)
    assert report.repeat_region(committed, None).startswith("No earlier run is committed")


def test_noise_probe_reports_each_window_and_the_spread():
    done = run_python("scripts/bench/noise.py", "--windows", "3", "--seconds", "0.05", "--n", "64", "--threads", "1")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "GEMM n=64, 1 threads, 3 windows of 0.05 s"
    assert len(lines[1].split(": ")[1].split()) == 3
    assert lines[2].startswith("slowest to fastest window: ")
