"""Generated page regions: found exactly once, rewritten in place, refused when ambiguous."""

import pytest

from fieldguide.render.sections import read, replace, write

PAGE = "intro\n<!-- generated:demo -->\nold\n<!-- /generated:demo -->\noutro\n"


def test_read_returns_the_body():
    assert read(PAGE, "demo") == "old\n"


def test_replace_keeps_everything_outside_the_region():
    new = replace(PAGE, "demo", "| a |\n| - |")
    assert new == "intro\n<!-- generated:demo -->\n| a |\n| - |\n<!-- /generated:demo -->\noutro\n"


def test_missing_region_names_itself():
    with pytest.raises(ValueError, match=r"generated:other .* found 0"):
        read(PAGE, "other")


def test_doubled_region_is_refused():
    with pytest.raises(ValueError, match="found 2"):
        replace(PAGE + PAGE, "demo", "x")


def test_bad_name_is_refused():
    with pytest.raises(ValueError, match="lowercase"):
        read(PAGE, "Demo Table")


def test_write_reports_whether_the_file_changed(tmp_path):
    page = tmp_path / "p.md"
    page.write_text(PAGE, encoding="utf-8")
    assert write(page, {"demo": "new"}) is True
    assert write(page, {"demo": "new"}) is False
    assert read(page.read_text(encoding="utf-8"), "demo") == "new\n"
