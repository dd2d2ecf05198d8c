"""The performance harness (fieldguide/measure/bench/): its quick run's structure, the statistics on synthetic
data, the page against the committed JSON, a failing worker, the repeatability check and the
peaks. Never the speed."""

from __future__ import annotations

import copy
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fieldguide.measure import provenance
from fieldguide.measure.bench import compare, evidence, fma_peak, machine, pairs, run, schema
from fieldguide.render import bench_report as report
from fieldguide.render import regions as generate
from tests_support import ROOT, run_python

PAGE = ROOT / "docs" / "performance.md"
ASSETS = ROOT / "docs" / "assets" / "performance"
CHARTS = ["cookbook.svg", "g0.svg", "headline.svg", "probe.svg"]


@pytest.fixture(scope="module")
def runs():
    return evidence.load()


@pytest.fixture(scope="module")
def committed(runs):
    """The newest run of the newest machine: the one the page's detailed tables show."""
    return evidence.machines(runs)[0]["newest"]


def _pair(newest: dict, earlier: dict | None = None, name: str = "a planted machine") -> dict:
    """One machine's evidence, as evidence.machines gives it."""
    return {"name": name, "runs": [r for r in (earlier, newest) if r], "newest": newest, "earlier": earlier}


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    done = run_python("-m", "fieldguide", "measure", "bench", "--quick", "--out", str(out), timeout=170)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


# The quick run: every kind of row and comparison, in the structure the page reads.


def test_quick_run_has_every_mode_group_and_comparison(quick):
    schema.validate(quick)  # raises naming the first missing mode, round or malformed comparison
    assert quick["quick"] is True
    assert set(schema.REQUIRED) <= {(r["framework"], r["mode"]) for r in quick["rows"]}
    for key in ("torch", "tensorflow", "keras", "numpy", "python"):
        assert quick["versions"][key]
    assert quick["settings"]["interop_threads"] == 1
    assert quick["settings"]["wait_env"] == run.WAIT_ENV
    assert quick["settings"]["malloc_env"] == run.MALLOC_ENV
    for r in quick["rows"]:
        assert 0 <= r["page_faults_per_step"]["median"] <= r["page_faults_per_step"]["max"], r["id"]
    assert quick["machine"]["fma_peak"]["all_threads_gflops"] > 0
    workloads = [g for g in quick["groups"] if g["kind"] == "workload"]
    names = {(c["group"], c["name"]) for c in quick["comparisons"]}
    for g in workloads:
        for name in ("best", "torch_compiled_vs_eager", "tf_compiled_vs_eager"):
            assert (g["name"], name) in names
    assert {c["name"] for c in quick["comparisons"] if c["kind"] == "aa"} == {"aa_torch", "aa_tf"}
    assert len(quick["groups"]) == len({g["name"] for g in quick["groups"]})
    for c in quick["comparisons"]:
        assert c["lo"] <= c["ratio"] <= c["hi"]
        assert c["verdict"] == pairs.verdict(c["lo"], c["hi"])


def test_quick_results_render_into_every_region_and_chart(quick, tmp_path):
    folder, page, assets = tmp_path / "runs", tmp_path / "performance.md", tmp_path / "assets"
    folder.mkdir()
    # Two copies marked full (the page leaves quick runs out of the evidence), an hour apart.
    for hour in ("01", "02"):
        run_ = {**quick, "quick": False, "date": f"2026-01-01 {hour}:00 UTC"}
        (folder / f"{evidence.slug(run_)}.json").write_text(json.dumps(run_))
    shutil.copy(PAGE, page)
    assert report.main(["--runs", str(folder), "--page", str(page), "--assets", str(assets)]) == 0
    text = page.read_text(encoding="utf-8")
    for name in report.regions(evidence.load(folder)):
        body = report.page_sections.read(text, name)
        assert body.strip(), name
        assert provenance.PREFIX + evidence.machine_name(quick) in body, f"{name} does not name its machine"
    assert sorted(p.name for p in assets.glob("*.svg")) == CHARTS
    for name in CHARTS:
        assert f"Measured on {evidence.machine_name(quick)}, 2026-01-01 02:00 UTC" in (assets / name).read_text()


# The statistics, on synthetic rounds whose answer is known.


def _rounds(ratio: float, processes: int = 3, rounds: int = 20, sd: float = 0.03, offsets=None, seed=0):
    rng = np.random.default_rng(seed)
    offsets = offsets or [0.0] * processes
    return [list(math.log(ratio) + off + rng.normal(0, sd, rounds)) for off in offsets]


def test_a_known_ratio_is_recovered_inside_its_interval():
    s = pairs.summarize(_rounds(1.25))
    assert s["ratio"] == pytest.approx(1.25, rel=0.01)
    assert s["lo"] < 1.25 < s["hi"]
    assert s["lo"] > 1.05  # clearly away from parity
    assert pairs.verdict(s["lo"], s["hi"]) == "B faster"
    assert (s["rounds"], s["processes"]) == (60, 3)


def test_an_aa_interval_contains_one():
    for seed in range(5):
        s = pairs.summarize(_rounds(1.0, seed=seed))
        assert s["lo"] <= 1.0 <= s["hi"], (seed, s)


def test_the_interval_resamples_processes_and_is_reproducible():
    logs = _rounds(1.0, offsets=[-0.04, 0.0, 0.04], sd=0.01)
    pooled = [[x for p in logs for x in p]]
    assert pairs.half_width(*pairs.bootstrap(logs)) > 2 * pairs.half_width(*pairs.bootstrap(pooled))
    assert pairs.bootstrap(logs) == pairs.bootstrap(logs)  # the seeded generator: same data, same interval


def test_ratios_pair_rounds_and_skip_a_round_without_both():
    rounds = [{"a": 2.0, "b": 1.0}, {"a": 3.0, "b": 3.0}, {"a": 1.0}]
    assert pairs.log_ratios(rounds, "a", "b") == [math.log(2.0), 0.0]


@pytest.mark.parametrize(
    ("lo", "hi", "verdict"),
    [
        (0.95, 1.05, "tie"),  # both ends on the margin: inside
        (0.96, 1.04, "tie"),
        (1.001, 1.049, "tie"),  # excludes 1 but within +-5%: equivalent, not a win
        (0.949, 1.0, "undecided"),
        (0.99, 1.051, "undecided"),
        (0.80, 0.99, "A faster"),
        (0.90, 0.9499, "A faster"),
        (1.01, 1.06, "B faster"),
        (0.5, 2.0, "undecided"),
    ],
)
def test_verdict_rules_at_the_five_percent_boundaries(lo, hi, verdict):
    assert pairs.verdict(lo, hi) == verdict


# The committed results and the page written from them.


def test_committed_results_are_full_valid_runs(runs):
    for res in runs:
        schema.validate(res)
        assert res["quick"] is False, f"{res['file']} must come from a full run: make bench"
        assert res["settings"]["process_rounds"] >= 2
        assert res["total_s"] < 600, "a full run must fit in 10 minutes"
        sizes = {r["batch"] for r in res["rows"] if r["task"] == "matmul" and r["model"] != "probe"}
        assert sizes == {1024, 2048}
        assert res["file"] == f"{evidence.slug(res)}.json", "a run's file is named after its machine and date"


def test_every_committed_machine_has_two_comparable_runs_and_there_are_several(runs):
    ms = evidence.machines(runs)
    assert len(ms) >= 2, "verdicts across machines need runs from at least two machines"
    for m in ms:
        assert m["earlier"] is not None, f"{m['name']}: one run settles nothing; run make bench again there"


def test_page_and_charts_match_the_committed_json():
    assert generate.stale(["bench"]) == []


def test_a_hand_edited_number_or_chart_fails_the_check():
    def planted(path):
        text = path.read_text(encoding="utf-8")
        if path == PAGE:
            body = report.page_sections.read(text, "bench-answer")
            return report.page_sections.replace(text, "bench-answer", body.replace(" (", " (0.9", 1))
        return text.replace("<svg", "<svg data-typed", 1) if path.name == "headline.svg" else text

    assert generate.stale(["bench"], read=planted) == [
        "docs/performance.md is out of date (bench): run python -m fieldguide generate bench",
        "docs/assets/performance/headline.svg is out of date (bench): run python -m fieldguide generate bench",
    ]


def test_the_page_shows_every_chart():
    text = PAGE.read_text(encoding="utf-8")
    assert sorted(p.name for p in ASSETS.glob("*.svg")) == CHARTS
    for name in CHARTS:
        assert f"](assets/performance/{name})" in text


def test_the_page_opens_with_the_answer():
    text = PAGE.read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings[0] == "## The answer first"
    assert text.index("headline.svg") < text.index("### What to conclude") < text.index("## Methodology")


def test_verdict_counts_follow_the_intervals(committed):
    planted = copy.deepcopy(committed)
    train = [c for c in planted["comparisons"] if c["name"] == "best" and c["task"] == "train"]
    for c in train:
        c["ratio"], c["lo"], c["hi"] = 1.0, 0.97, 1.03
    assert report.speed_counts(_pair(planted, planted))["train"]["tie"] == len(train)
    for c in train:
        c["ratio"], c["lo"], c["hi"] = 1.25, 1.2, 1.3
    assert report.speed_counts(_pair(planted, planted))["train"]["tf"] == len(train)
    train[0]["lo"] = 0.99  # straddles 1 and reaches past the margin
    assert report.speed_counts(_pair(planted, planted))["train"]["undecided"] == 1


def test_a_verdict_the_two_runs_disagree_on_is_unsettled(committed):
    earlier, newest = copy.deepcopy(committed), copy.deepcopy(committed)
    row = next(c for c in newest["comparisons"] if c["name"] == "best" and c["task"] == "train")
    twin = next(c for c in earlier["comparisons"] if c["id"] == row["id"])
    twin["ratio"], twin["lo"], twin["hi"] = 0.93, 0.91, 0.955  # PyTorch faster
    row["ratio"], row["lo"], row["hi"] = 0.96, 0.915, 1.002  # undecided: the margin's cliff
    m = _pair(newest, earlier)
    assert report.settled(m)[(row["model"], "train", row["batch"])]["verdict"] == "unsettled"
    assert report.speed_counts(m)["train"]["unsettled"] >= 1
    line = next(x for x in report.answer_region([m]).splitlines() if x.startswith(f"| {report.label(row)} |"))
    assert "unsettled: PyTorch faster then undecided (0.93, 0.96)" in line
    assert "depends on the CPU" in line
    # one run alone settles nothing
    assert set(v["verdict"] for v in report.settled(_pair(newest)).values()) == {"unsettled"}


def test_the_published_verdicts_are_what_both_committed_runs_give(runs):
    """Recomputed here from the JSON alone (pairs.verdict on each run's interval), not through
    the report's helpers: a page whose verdict one committed run contradicts fails."""
    text = PAGE.read_text(encoding="utf-8")
    answer = report.page_sections.read(text, "bench-answer").splitlines()
    ms = evidence.machines(runs)
    assert answer[0] == "| workload | " + " | ".join(m["name"] for m in ms) + " | every machine |"
    for i, m in enumerate(ms):
        before = {c["id"]: c for c in m["earlier"]["comparisons"] if c["name"] == "best"}
        for c in (c for c in m["newest"]["comparisons"] if c["name"] == "best"):
            side = {"A faster": "PyTorch faster", "B faster": "TensorFlow faster"}
            words = [side.get(v, v) for v in (pairs.verdict(x["lo"], x["hi"]) for x in (before[c["id"]], c))]
            want = words[0] if words[0] == words[1] else f"unsettled: {words[0]} then {words[1]}"
            row = next(x for x in answer if x.startswith(f"| {report.label(c)} |"))
            assert row.split(" | ")[i + 1].startswith(want), (m["name"], row)


def test_the_rule_the_pages_state_is_the_rule_the_code_applies(monkeypatch):
    for page in (PAGE, ROOT / "docs" / "claims.md"):
        assert evidence.rule() in page.read_text(encoding="utf-8"), page.name
    monkeypatch.setattr(pairs, "TIE_MARGIN", 0.03)
    assert "+-3% of 1" in evidence.rule()
    assert any("performance.md is out of date" in m for m in generate.stale(["bench"]))


def test_a_region_without_its_machine_fails_the_check():
    def planted(path):
        text = path.read_text(encoding="utf-8")
        if path != PAGE:
            return text
        body = report.page_sections.read(text, "bench-g0")
        kept = "\n".join(x for x in body.splitlines() if not x.startswith(provenance.PREFIX))
        return report.page_sections.replace(text, "bench-g0", kept)

    messages = generate.unsourced(["bench"], read=planted)
    assert messages == ["docs/performance.md: region bench-g0 (bench) says nowhere which machine measured it"]


# Failures are loud and name the worker.


def _bad_worker():
    return run.worker("numpy", "eager", 1, [run.row("probe", "matmul", 8), run.row("mlp_small", "train", 4)])


def test_a_failing_worker_fails_the_run_naming_it():
    with pytest.raises(run.BenchError) as info:
        run.run(quick=True, device="cpu", threads=1, workers=[_bad_worker()], log=lambda _: None)
    message = str(info.value)
    assert "worker numpy:eager" in message
    assert "numpy runs only matmul eager, not train eager" in message


def test_the_driver_exits_non_zero_with_the_message(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(run, "plan", lambda *args: [_bad_worker()])
    assert run.main(["--quick", "--out", str(tmp_path / "x.json")]) == 2
    assert "bench failed: worker numpy:eager failed" in capsys.readouterr().err
    assert not (tmp_path / "x.json").exists()


# Idle workers are stopped between their blocks; a stopped worker still dies with its coordinator.


def _state(pid: int) -> str:
    """The state letter in /proc/PID/stat (T: stopped, Z: exited, not yet reaped), or "gone"."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def _wait_for_state(pid: int, wanted: set[str], seconds: float = 10.0) -> str:
    end = time.monotonic() + seconds
    while (state := _state(pid)) not in wanted and time.monotonic() < end:
        time.sleep(0.05)
    return state


PROBE_WORKER = run.worker("numpy", "eager", 1, [run.row("probe", "matmul", 8)])


def test_an_idle_worker_is_stopped_and_its_next_block_resumes_it(tmp_path):
    proc = run.Process(PROBE_WORKER, run.settings_for(True, "cpu", 1, False), tmp_path, "idle")
    try:
        proc.recv()
        proc.ask({"op": "prepare"})
        proc.pause()
        assert _wait_for_state(proc.proc.pid, {"T"}) == "T"
        proc.resume()
        reply = proc.ask({"op": "block", "row": "probe/matmul/b8/default", "steps": 5})
        assert reply["s"] > 0
        assert reply["faults"] >= 0
        proc.pause()
    finally:
        proc.close()  # resumes a stopped worker before asking it to exit
    assert proc.proc.returncode == 0


def test_a_stopped_worker_dies_with_a_killed_coordinator(tmp_path):
    coordinator = subprocess.Popen(
        [sys.executable, "-c", (
            "import json, sys; from pathlib import Path; from fieldguide.measure.bench import run; "
            f"p = run.Process(json.loads({json.dumps(PROBE_WORKER)!r}), "
            f"run.settings_for(True, 'cpu', 1, False), Path({str(tmp_path)!r}), 'orphan'); "
            "p.recv(); p.pause(); print(p.proc.pid, flush=True); sys.stdin.read()"
        )],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        pid = int(coordinator.stdout.readline())
        assert _wait_for_state(pid, {"T"}) == "T"
        coordinator.kill()  # SIGKILL: no handler, no cleanup runs in the coordinator
        coordinator.wait()
        assert _wait_for_state(pid, {"gone", "Z"}) in {"gone", "Z"}, "a stopped worker outlived its coordinator"
    finally:
        coordinator.kill()


def test_validate_names_what_is_missing_or_wrong(committed):
    dropped = copy.deepcopy(committed)
    dropped["rows"] = [r for r in dropped["rows"] if (r["framework"], r["mode"]) != ("tf", "xla")]
    with pytest.raises(ValueError, match="no rows for: tf xla"):
        schema.validate(dropped)
    outside = copy.deepcopy(committed)
    outside["comparisons"][0]["ratio"] = outside["comparisons"][0]["hi"] * 1.1
    with pytest.raises(ValueError, match="outside its interval"):
        schema.validate(outside)
    typed = copy.deepcopy(committed)
    c = typed["comparisons"][0]
    c["verdict"] = "tie" if c["verdict"] != "tie" else "undecided"
    with pytest.raises(ValueError, match="does not follow from its interval"):
        schema.validate(typed)
    negative = copy.deepcopy(committed)
    negative["rows"][0]["geomean_s"] = -1.0
    with pytest.raises(ValueError, match="positive"):
        schema.validate(negative)


# Repeatability: ratios, not absolute times.


def _results(best: float, aa: tuple[float, float] = (0.98, 1.02)) -> dict:
    def comp(cid, kind, ratio, lo, hi):
        return {"id": cid, "kind": kind, "ratio": ratio, "lo": lo, "hi": hi}

    return {
        "comparisons": [
            comp("w/best", "headline", best, best * 0.98, best * 1.02),
            comp("w/aa_torch", "aa", 1.0, *aa),
        ]
    }


@pytest.mark.parametrize(
    ("b", "code"),
    [
        (_results(1.04), 0),
        (_results(0.96), 0),
        (_results(1.06), 1),
        (_results(1.0, aa=(1.01, 1.05)), 1),  # an A/A interval without 1.0
    ],
)
def test_compare_gates_headline_ratios_at_five_percent_and_aa_at_one(tmp_path, b, code, capsys):
    pa, pb = tmp_path / "a.json", tmp_path / "b.json"
    pa.write_text(json.dumps(_results(1.0)))
    pb.write_text(json.dumps(b))
    assert compare.main([str(pa), str(pb)]) == code
    if code:
        assert "problems" in capsys.readouterr().err


def test_repeat_region_compares_every_headline_ratio(committed):
    earlier = copy.deepcopy(committed)
    c = next(c for c in earlier["comparisons"] if c["kind"] == "headline")
    c["ratio"] *= 1.10  # this run's ratio is then 9.1% below the earlier one
    body = report.repeat_region(committed, earlier)
    for h in (h for h in committed["comparisons"] if h["kind"] == "headline"):
        assert f"| `{h['id']}` |" in body
    assert "-9.1%" in body
    held = sum(h["kind"] == "headline" for h in committed["comparisons"])
    assert f"| headline ratios in both runs | {held} |" in body


def test_repeat_region_refuses_runs_that_cannot_be_compared(committed):
    older = copy.deepcopy(committed)
    older["harness_version"] = "0"
    assert "cannot be compared with this one: their harness version differs" in report.repeat_region(committed, older)
    assert report.repeat_region(committed, None).startswith("No earlier run of this machine is committed")


# The peaks.


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
    assert cpu["cpu_flags"] == sorted(flags.split())


def test_the_fma_microkernel_compiles_and_reports_its_unit(tmp_path):
    peak = fma_peak.measure(1, seconds=0.01, repeats=1, workdir=tmp_path)
    assert peak["isa"] in ("avx512f", "avx2+fma", "scalar")
    assert peak["lanes"] == {"avx512f": 16, "avx2+fma": 8, "scalar": 1}[peak["isa"]]
    assert peak["one_thread_gflops"] > 0


def test_noise_probe_reports_each_window_and_the_spread():
    done = run_python(
        "-m", "fieldguide", "measure", "noise", "--windows", "3", "--seconds", "0.05", "--n", "64", "--threads", "1"
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "GEMM n=64, 1 threads, 3 windows of 0.05 s"
    assert len(lines[1].split(": ")[1].split()) == 3
    assert lines[2].startswith("slowest to fastest window: ")


def test_a_chart_label_cut_off_at_the_edge_is_refused(committed):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = [("mlp_small train b256", 0.9, 0.85, 0.95, "PyTorch faster")]
    fig = report._ratio_chart(plt, items, "ratio; log scale", "fits", committed)
    plt.close(fig)
    with pytest.raises(ValueError, match="chart text cut off at the figure's edge"):
        report._ratio_chart(plt, items, "a label far wider than any figure " * 8, "too wide", committed)
    plt.close("all")


# The GPU rows: planned, described and rendered here, measured only on a GPU (gpu-run, gpu.yml).


def test_a_gpu_plan_adds_gpu_sized_products_and_leaves_tensorflow_out_beside_its_cpu_build():
    for quick_run in (True, False):
        workers = run.plan(2, quick_run, bf16=True, device="cuda", tf_rows=False)
        assert {w["framework"] for w in workers} == {"numpy", "torch"}
        by_name = {w["name"]: w for w in workers}
        torch_gemms = {r["batch"] for r in by_name["torch:eager"]["rows"] if r["task"] == "matmul"}
        numpy_gemms = {r["batch"] for r in by_name["numpy:eager"]["rows"] if r["model"] != "probe"}
        assert {4096, 8192} <= torch_gemms
        assert not {4096, 8192} & numpy_gemms  # NumPy stays on the CPU, at the CPU sizes
        assert {g["name"] for g in run.groups_of(workers)} >= {"gemm_4096/matmul/b4096", "gemm_8192/matmul/b8192"}
    with_tf = run.plan(2, True, bf16=False, device="cuda", tf_rows=True)
    tf_gemms = {r["batch"] for w in with_tf if w["name"] == "tf:eager" for r in w["rows"] if r["task"] == "matmul"}
    assert {4096, 8192} <= tf_gemms
    assert not any(r["batch"] >= 4096 for w in run.plan(2, True, bf16=False) for r in w["rows"])


def test_the_gpu_description_reads_the_driver_and_says_when_torch_sees_no_gpu(tmp_path, monkeypatch):
    smi = tmp_path / "nvidia-smi"
    smi.write_text("#!/bin/sh\necho 'NVIDIA H100 80GB HBM3, 580.95.05'\n")
    smi.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{Path(sys.executable).parent}:/usr/bin:/bin")
    found = provenance.gpu_description()
    assert found["driver"] == "580.95.05"
    assert found["name"] == "NVIDIA H100 80GB HBM3"
    assert found["cuda_available"] is False  # this machine's torch sees no GPU
    assert found["cuda"]  # PyPI's Linux torch is a CUDA build


def _as_gpu_run(res: dict) -> dict:
    """A CPU quick run dressed as a GPU run, to render: its GEMM rows count as on the GPU."""
    res = copy.deepcopy(res)
    res["device"] = "cuda"
    res["gpu"] = {"name": "A planted GPU", "memory_gib": 79.2, "capability": "9.0", "driver": "580.95.05",
                  "cuda": "13.2", "cudnn": 92600, "cuda_available": True}  # fmt: skip
    best = max(
        (r for r in res["rows"] if r["task"] == "matmul" and r["framework"] == "torch"), key=lambda r: r["gflops"]
    )
    res["device_gemm_peak"] = {"gflops": best["gflops"], "row": best["id"], "source": "the fastest fp32 GEMM row"}
    res["settings"]["tf32"] = "off in both (set explicitly)"
    for r in res["rows"]:
        r["device_peak_mib"] = None if r["framework"] == "numpy" else 64.0 + r["batch"] / 8
    return res


def test_a_gpu_run_names_its_gpu_and_gives_gemms_as_fractions_of_the_gpus_own_peak(quick):
    res = _as_gpu_run(quick)
    schema.validate(res)
    table = report.machine_region(res)
    assert "| GPU | A planted GPU, 79.2 GiB, compute capability 9.0; driver 580.95.05, CUDA 13.2, cuDNN 92600" in table
    assert "TF32 off in both (set explicitly) |" in table
    assert f"| GEMM peak, measured on the GPU | {res['device_gemm_peak']['gflops']:.0f} GFLOP/s" in table
    g0 = report.g0_region(res)
    assert "of the measured peak (GPU rows: the GPU's fastest GEMM)" in g0
    best_line = next(line for line in g0.splitlines() if f"| {res['device_gemm_peak']['gflops']:.1f} |" in line)
    assert "| 100% |" in best_line or "| 100.0% |" in best_line, best_line
    # Each row's allocator peak on the GPU, beside its time.
    assert "| GPU allocator peak, MiB |" in g0
    torch_gemm = next(r for r in res["rows"] if r["worker"] == "torch:eager" and r["task"] == "matmul")
    assert any(line.endswith(f" {64 + torch_gemm['batch'] / 8:.0f} |") for line in g0.splitlines())
    assert "| GPU allocator peak, MiB |" in report.first_call_region(res)
    del res["gpu"]["driver"]
    with pytest.raises(ValueError, match=r"a GPU run's description lacks \['driver'\]"):
        schema.validate(res)
