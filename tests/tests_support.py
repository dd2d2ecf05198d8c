"""Helpers shared by the tests: a throwaway copy of the project to plant faults in."""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What a build or a test run reads; never .venv, site/ or caches.
PROJECT_PARTS = ["mkdocs.yml", "pyproject.toml", "conftest.py", "docs", "snippets", "scripts", "tests"]


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
