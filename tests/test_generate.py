"""fieldguide/render/regions.py: one registry owns every generated region and file, with one --check."""

from __future__ import annotations

import re

import pytest

from fieldguide.render import regions as generate
from tests_support import ROOT, run_python

REGION = re.compile(r"<!-- generated:([a-z0-9-]+) -->")


def test_every_generated_region_on_a_page_has_a_generator():
    on_pages = {
        (path, name)
        for path in (ROOT / "docs").rglob("*.md")
        for name in REGION.findall(path.read_text(encoding="utf-8"))
    }
    owned = {
        (path, region)
        for g in generate.REGISTRY.values()
        if not g.slow
        for path, wanted in g.outputs().items()
        if isinstance(wanted, dict)
        for region in wanted
    }
    assert on_pages - owned == set(), "regions no generator writes"
    assert owned - on_pages == set(), "regions a generator writes that no page has"


def test_check_passes_on_the_repository_and_names_a_planted_edit():
    assert generate.stale() == []
    index = ROOT / "docs" / "index.md"

    def planted(path):
        text = path.read_text(encoding="utf-8")
        return text.replace("| **false** |", "| **true** |", 1) if path == index else text

    messages = generate.stale(["claims"], read=planted)
    assert messages[0] == "docs/index.md is out of date (claims): run python -m fieldguide generate claims"
    # The finer message reads the same planted text: it names the region and the row it changed.
    assert messages[1].startswith("region claims-summary: docs/index.md shows '| **true** |")
    assert len(messages) == 2


def test_a_page_without_its_region_is_a_clear_error():
    def planted(path):
        text = path.read_text(encoding="utf-8")
        return text.replace("<!-- generated:api-table -->", "", 1) if path.name == "interop.md" else text

    wanted = (
        "docs/interop.md: expected one <!-- generated:api-table --> ... <!-- /generated:api-table --> region, found 0"
    )
    with pytest.raises(generate.GenerationError, match=re.escape(wanted) + "$"):
        generate.stale(["api-table"], read=planted)


def test_command_line_lists_checks_and_refuses_an_unknown_name():
    listed = run_python("-m", "fieldguide", "generate", "--list")
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[0] for line in listed.stdout.splitlines()] == list(generate.REGISTRY)
    unknown = run_python("-m", "fieldguide", "generate", "--check", "claim")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == f"unknown: claim; generators: {', '.join(generate.REGISTRY)}"


def test_every_region_of_measured_data_names_its_machine_and_a_dropped_line_fails():
    measured = [n for n, g in generate.REGISTRY.items() if g.measured]
    assert {"bench", "deployment", "pipelines", "use-case-metrics", "drift", "triton-order", "claims"} <= set(measured)
    assert generate.unsourced(measured) == []

    def planted(path):
        text = path.read_text(encoding="utf-8")
        if path.name != "deployment.md":
            return text
        return "\n".join(x for x in text.splitlines() if not x.startswith("_Measured on "))

    assert generate.unsourced(["deployment"], read=planted) == [
        f"docs/deployment.md: region {r} (deployment) says nowhere which machine measured it"
        for r in ("deployment-routes", "deployment-load")
    ]


def test_a_renderer_that_drops_the_provenance_line_fails(monkeypatch):
    from fieldguide.measure import provenance

    monkeypatch.setattr(provenance, "caption", lambda meta, data: f"from {data}")
    assert generate.unsourced(["pipelines"]) == [
        "docs/training.md: region pipelines (pipelines) names no machine: its generator writes none"
    ]
