"""The GPU check (fieldguide/build/gpu_run.py and its runner), rehearsed on the CPU with planted faults.

The full rehearsal, every PyTorch reading, is `make gpu-prepare` then
`make gpu-run GPU_PYTHON=.venv/bin/python DOCS_DEVICE=cpu`; here one planted page keeps it short.
"""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from fieldguide.build import gpu_run
from fieldguide.render import gpu_run as gpu_run_page
from tests_support import copy_project, run_python

PLANTED = """\
# Planted

=== "PyTorch"

    ```python
    import torch

    print(torch.ones(2).sum().item())
    #> 2.0
    ```

=== "TensorFlow"

    ```python
    print(1)
    #> 1
    ```

A block both readings run, whose output the page states wrongly:

```python
print("three")
#> four
```

=== "PyTorch"

    ```python
    raise ValueError("planted failure")
    ```

=== "TensorFlow"

    ```python
    print(2)
    #> 2
    ```

=== "PyTorch"

    ```python
    print("after")
    #> after
    ```

=== "TensorFlow"

    ```python
    print(3)
    #> 3
    ```
"""


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A project copy whose only page is PLANTED, prepared as for a GPU machine."""
    project = copy_project(tmp_path_factory.mktemp("gpu"))
    shutil.rmtree(project / "docs")
    (project / "docs").mkdir()
    (project / "docs" / "planted.md").write_text(PLANTED)
    done = run_python("-m", "fieldguide", "gpu-prepare", "build/gpu-run", cwd=project)
    assert done.returncode == 0, done.stderr
    folder = project / "build" / "gpu-run"
    # The benchmark the runner starts last is the package's (test_bench.py runs its quick rows);
    # here a stand-in answers at once, in the shape the runner reads.
    assert (folder / "bench" / "fieldguide" / "measure" / "bench" / "run.py").is_file()
    assert (folder / "bench" / "mkdocs.yml").is_file()
    shutil.rmtree(folder / "bench" / "fieldguide")
    (folder / "bench" / "fieldguide").mkdir()
    (folder / "bench" / "fieldguide" / "__init__.py").write_text("")
    (folder / "bench" / "fieldguide" / "__main__.py").write_text(BENCH_STAND_IN)
    return folder


BENCH_STAND_IN = """\
import json, sys
row = {"worker": "torch:eager", "task": "matmul", "variant": "default", "batch": 64, "gflops": 1.5,
       "device_peak_mib": None}
other = dict(row, worker="numpy:eager")
result = {"rows": [row, other], "gpu": None, "device_gemm_peak": None, "total_s": 0.12, "argv": sys.argv[1:]}
json.dump(result, open(sys.argv[sys.argv.index("--out") + 1], "w"))
"""


def test_the_folder_holds_the_pytorch_reading_and_a_runner_that_needs_no_package(prepared):
    manifest = json.loads((prepared / "manifest.json").read_text())
    assert [r["stem"] for r in manifest["readings"]] == ["planted-pytorch"]
    assert [b["where"] for b in manifest["readings"][0]["blocks"]] == [
        "docs/planted.md:5",
        "docs/planted.md:21",
        "docs/planted.md:28",
        "docs/planted.md:41",
    ]
    for script in ("runner.py", "worker.py"):
        assert "fieldguide" not in {
            line.split()[1]
            for line in (prepared / script).read_text().splitlines()
            if line.startswith(("import ", "from "))
        }


def test_a_cpu_rehearsal_reports_each_block(prepared, tmp_path):
    report_path = tmp_path / "report.json"
    done = run_python(
        "-I",
        str(prepared / "runner.py"),
        str(prepared),
        "--device",
        "cpu",
        "--out",
        str(report_path),
        cwd=tmp_path,
    )
    assert done.returncode == 1, done.stdout + done.stderr  # a block failed: the run says so
    report = json.loads(report_path.read_text())
    blocks = report["readings"][0]["blocks"]
    assert [b["status"] for b in blocks] == ["ran", "output differs", "failed", "not run"]
    assert blocks[1]["printed"] == ["three"]
    assert blocks[1]["expected"] == ["four"]
    assert "ValueError: planted failure" in blocks[2]["detail"]
    assert blocks[3]["detail"] == "the block at docs/planted.md:28 failed"
    assert report["device"]["requested"] == "cpu"
    assert report["device"]["torch"]
    assert report["counts"] == {"failed": 1, "not run": 1, "output differs": 1, "ran": 1}
    assert report["bench"] == {
        "command": "python -m fieldguide measure bench --quick --device cpu",
        "rows": [{"n": 64, "gflops": 1.5, "device_peak_mib": None}],
        "gpu": None,
        "device_gemm_peak": None,
        "seconds": 0.1,
    }


def test_cuda_without_a_gpu_refuses_to_run_on_the_cpu(prepared, tmp_path):
    done = run_python("-I", str(prepared / "runner.py"), str(prepared), "--device", "cuda", cwd=tmp_path)
    assert done.returncode == 2
    assert "DOCS_DEVICE=cuda, but torch sees no CUDA device" in done.stderr


def test_an_unprepared_folder_says_how_to_prepare_it(tmp_path):
    runner = tmp_path / "runner.py"
    shutil.copy(gpu_run.ROOT / "fieldguide" / "build" / "gpu_runner.py", runner)
    done = run_python("-I", str(runner), str(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert "no manifest.json" in done.stderr
    assert "make gpu-prepare" in done.stderr


def test_without_a_run_the_pages_say_so_and_nothing_more():
    assert gpu_run_page.render(None) == gpu_run_page.NONE_YET
    for page in gpu_run_page.PAGES:
        assert gpu_run_page.NONE_YET.strip() in page.read_text(encoding="utf-8") or gpu_run_page.DATA.exists()


def test_a_run_renders_its_device_counts_and_every_block_that_did_not_hold(prepared, tmp_path):
    report_path = tmp_path / "report.json"
    run_python("-I", str(prepared / "runner.py"), str(prepared), "--device", "cpu", "--out", str(report_path))
    report = json.loads(report_path.read_text())
    with pytest.raises(ValueError, match="not a GPU run"):
        gpu_run_page.render(report)
    report["device"].update(requested="cuda", name="Planted GPU", driver="999.1", cuda="13.0", cudnn=91000)
    text = gpu_run_page.render(report)
    assert text.startswith("**On a GPU (Planted GPU, driver 999.1, CUDA 13.0, cuDNN 91000, torch ")
    assert "the pytorch readings, 1 of 4 blocks ran and printed what the page shows" in text
    assert "| `docs/planted.md:21` | output differs: prints `three` |" in text
    assert "| `docs/planted.md:28` | failed: `ValueError: planted failure` |" in text
    assert "1 more block did not run because an earlier block of their reading failed." in text
    report["bench"]["rows"] = [{"n": 8192, "gflops": 51234.4, "device_peak_mib": 768.2}]
    report["readings"][0]["blocks"][0].update(
        status="not run", detail="needs lightning, tensorboard: not on this", needs=["lightning", "tensorboard"]
    )
    text = gpu_run_page.render(report)
    assert "1 block did not run: its reading imports `lightning`, `tensorboard`, which neither" in text
    assert "| n = 8192 | 51234 | 768 |" in text


def test_prepare_refuses_a_folder_that_is_not_a_prepared_run(tmp_path):
    keep = tmp_path / "notes.txt"
    keep.write_text("mine")
    done = run_python("-m", "fieldguide", "gpu-prepare", str(tmp_path))
    assert done.returncode == 1
    assert "not empty and not a prepared GPU run (no manifest.json)" in done.stderr
    assert keep.read_text() == "mine"


def test_the_carry_takes_whole_readings_fewest_bytes_first_within_its_budget():
    sizes = {"numpy": 17, "scipy": 35, "scikit-learn": 9, "fastapi": 1, "onnxruntime": 16}
    readings = [
        {"carry": []},  # needs nothing beyond torch
        {"carry": ["numpy"]},
        {"carry": ["numpy", "scikit-learn", "scipy"]},
        {"carry": ["fastapi", "numpy", "onnxruntime", "scikit-learn", "scipy"]},
    ]
    assert gpu_run.choose(readings, sizes, budget=62) == ["numpy", "scikit-learn", "scipy"]
    assert gpu_run.choose(readings, sizes, budget=40) == ["numpy"]
    assert gpu_run.choose(readings, sizes, budget=100) == sorted(sizes)


def test_what_a_reading_needs_beyond_torch_is_its_install_line_and_their_requirements():
    closure = gpu_run.closure(["scikit-learn"])
    assert {"scikit-learn", "scipy", "numpy", "joblib", "threadpoolctl"} <= set(closure)
    assert not {"torch", "sympy", "networkx"} & set(closure)  # torch's own, on the GPU machine with it


def _wheel(path, name: str, version: str) -> None:
    """A minimal wheel: a module and the dist-info importlib.metadata reads."""
    with zipfile.ZipFile(path, "w") as wheel:
        wheel.writestr(f"{name}/__init__.py", "VALUE = 7\n")
        wheel.writestr(
            f"{name}-{version}.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
        )


def test_carried_wheels_are_unpacked_and_a_reading_needing_what_is_missing_is_not_run(prepared, tmp_path):
    folder = tmp_path / "gpu-run"
    shutil.copytree(prepared, folder)
    (folder / "wheels").mkdir()
    _wheel(folder / "wheels" / "plantedpkg-1.0-py3-none-any.whl", "plantedpkg", "1.0")
    # A wheel of a distribution this Python already has, and one built for another Python: neither unpacked.
    _wheel(folder / "wheels" / "numpy-0.0-py3-none-any.whl", "numpy", "0.0")
    _wheel(folder / "wheels" / "otherpy-1.0-cp29-cp29-manylinux_2_28_x86_64.whl", "otherpy", "1.0")
    manifest = json.loads((folder / "manifest.json").read_text())
    carried, lacking = manifest["readings"][0], json.loads(json.dumps(manifest["readings"][0]))
    carried["needs"] = ["plantedpkg"]
    lacking.update(needs=["plantedpkg", "not-a-real-dist"], stem="planted-lacking")
    wheels = {
        "plantedpkg": "plantedpkg-1.0-py3-none-any.whl",
        "numpy": "numpy-0.0-py3-none-any.whl",
        "otherpy": "otherpy-1.0-cp29-cp29-manylinux_2_28_x86_64.whl",
    }
    manifest.update(readings=[carried, lacking], wheels=wheels)
    (folder / "manifest.json").write_text(json.dumps(manifest))
    report_path = tmp_path / "report.json"
    run_python("-I", str(folder / "runner.py"), str(folder), "--device", "cpu", "--out", str(report_path), cwd=tmp_path)
    report = json.loads(report_path.read_text())
    assert report["carried"] == ["numpy", "otherpy", "plantedpkg"]
    assert report["unpacked"] == ["plantedpkg"]
    first, second = report["readings"]
    assert [b["status"] for b in first["blocks"]] == ["ran", "output differs", "failed", "not run"]
    assert {b["status"] for b in second["blocks"]} == {"not run"}
    assert second["blocks"][0]["detail"] == (
        "needs not-a-real-dist: not on this machine, and not carried (the carry holds 64 MiB)"
    )
    assert second["blocks"][0]["needs"] == ["not-a-real-dist"]


def _module_imports(path) -> set[str]:
    """Modules imported at a file's top level (not inside functions: those run only when called);
    `from package import module` counts as the module."""
    import ast

    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        for sub in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else []:
            if isinstance(sub, ast.Import):
                found.update(alias.name for alias in sub.names)
            elif isinstance(sub, ast.ImportFrom) and sub.module and not sub.level:
                found.update(f"{sub.module}.{alias.name}" for alias in sub.names)
    return found


def test_the_carried_benchmark_imports_only_what_a_gpu_machine_has_or_the_carry_brings():
    """gpu-run starts `measure bench` from a bare copy of the package, on a machine with Python and torch and
    nothing else but the carried wheels (numpy): its modules may import nothing more at their top level."""
    import sys

    package = gpu_run.ROOT / "fieldguide"
    todo = ["fieldguide.measure.bench.run", "fieldguide.measure.bench.worker", "fieldguide.__main__"]
    todo += ["fieldguide.measure.bench.workloads_torch", "fieldguide.measure.bench.workloads_numpy"]
    seen, outside = set(), set()
    while todo:
        name = todo.pop()
        parts = name.split(".")[1:]
        # `fieldguide.project.ROOT` is a name in a module: the longest prefix that is a file is the module.
        while parts and not package.joinpath(*parts).with_suffix(".py").is_file():
            parts = parts[:-1]
        path = package.joinpath(*parts).with_suffix(".py") if parts else package / "__init__.py"
        if path in seen or not path.is_file():
            continue
        seen.add(path)
        for imported in _module_imports(path):
            if imported.split(".")[0] == "fieldguide":
                todo.append(imported)
            else:
                outside.add(imported.split(".")[0])
    assert outside - set(sys.stdlib_module_names) <= {"numpy", "torch"}, outside - set(sys.stdlib_module_names)
