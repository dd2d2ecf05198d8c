"""Helpers shared by the tests: a throwaway copy of the project to plant faults in."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from fieldguide.project import ROOT

# What a build or a test run reads; never .venv, site/ or caches.
PROJECT_PARTS = [
    "mkdocs.yml",
    "pyproject.toml",
    "conftest.py",
    "requirements.txt",
    "overrides",
    "docs",
    "snippets",
    "fieldguide",
    "tests",
]


def copy_project(dest: Path) -> Path:
    project = dest / "project"
    project.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for part in PROJECT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, project / part, ignore=ignore)
        else:
            shutil.copy2(source, project / part)
    return project


def run_python(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: int = 300):
    """Run this interpreter with `args`; the result carries stdout and stderr as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def mkdocs_build(project: Path, site_dir: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The strict build `make build` runs, for the project at `project`; `env` adds to the environment."""
    return run_python(
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--site-dir",
        str(site_dir),
        cwd=project,
        env={"NO_MKDOCS_2_WARNING": "1", **(env or {})},
    )
