"""Pytest entry point: Sybil runs every Python block of every page under docs/."""

import pytest
from sybil import Sybil

from docs_accounting import BlockAccounting
from docs_blocks import parse_document

pytest_collect_file = Sybil(parsers=[parse_document], path="docs", patterns=["*.md"]).pytest()


def pytest_configure(config):
    config.pluginmanager.register(BlockAccounting(config), "docs-block-accounting")
    import docs_device

    try:
        name = docs_device.device_name()
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    if name == "cuda":
        import torch

        if not torch.cuda.is_available():
            raise pytest.UsageError("DOCS_DEVICE=cuda, but there is no CUDA device here: refusing to run on the CPU")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    """The strict build of this checkout, made once per test process; tests that plant faults copy it first."""
    from tests_support import ROOT, mkdocs_build

    out = tmp_path_factory.mktemp("site")
    done = mkdocs_build(ROOT, out)
    assert done.returncode == 0, done.stderr
    return out
