"""Fixtures of the tests in this folder (the pages' own harness is the conftest.py at the root)."""

import os

import pytest


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The strict build of this checkout, notebooks not executed, made once per test session: under pytest-xdist the
    first worker to ask builds it and the others wait for it and reuse it. Tests that plant faults copy it first."""
    import json

    from filelock import FileLock

    from tests_support import ROOT, mkdocs_build

    if not os.environ.get("PYTEST_XDIST_WORKER"):
        out = tmp_path_factory.mktemp("site")
        done = mkdocs_build(ROOT, out, env={"DOCS_EXECUTE_NOTEBOOKS": "false"})
        assert done.returncode == 0, done.stderr
        return out
    # Each worker's base folder sits in the session's own folder, which no other session uses.
    shared = tmp_path_factory.getbasetemp().parent
    out, result = shared / "site", shared / "site-build.json"
    with FileLock(str(shared / "site.lock")):
        if not result.exists():
            done = mkdocs_build(ROOT, out, env={"DOCS_EXECUTE_NOTEBOOKS": "false"})
            result.write_text(json.dumps({"returncode": done.returncode, "stderr": done.stderr}), encoding="utf-8")
        built = json.loads(result.read_text(encoding="utf-8"))
    assert built["returncode"] == 0, built["stderr"]
    return out
