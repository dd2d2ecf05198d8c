"""docs/interop.md: every row of the API table passes its check, and the page shows exactly those rows.

One test per row (ids are the row names the page's table shows), the traps asserted from both
sides (the naive port is off, the fix is not), and the generated table compared with the page.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from fieldguide.project import snippet_folder
from fieldguide.render import api_table
from fieldguide.render import regions as generate
from fieldguide.render import sections as page_sections
from tests_support import ROOT

snippet_folder("interop")

import equivalence

PAGE = ROOT / "docs" / "interop.md"
# Plain module names: make sure no other folder's equivalence.py or traps.py was picked up.
assert equivalence.__file__ == str(ROOT / "snippets" / "interop" / "equivalence.py"), equivalence.__file__
ROWS = {row.name: row for row in equivalence.ROWS}
# What issue 7 asks the table to cover.
CATEGORIES = {
    "layers",
    "activations",
    "losses",
    "optimisers",
    "initialisers",
    "data",
    "saving",
    "devices",
    "mixed precision",
    "layout",
}
# trap: (naive gap must exceed, fixed gap must stay below). The fixed bounds are float32 noise for
# a few dozen summed terms (1e-5; 1e-4 for a normalisation dividing by a 0.01 standard deviation);
# 1 % for the initialiser, whose gaps are relative differences of sample standard deviations.
TRAPS = {
    "conv-layout": (0.5, 1e-5),
    "gate-order": (0.01, 1e-5),
    "bn-momentum": (1.0, 1e-5),
    "bn-variance": (1e-3, 1e-5),
    "epsilon": (0.5, 1e-4),
    "padding": (0.5, 1e-5),
    "init": (0.3, 0.01),
    "softmax-loss": (0.1, 1e-5),
}


@pytest.mark.parametrize("name", list(ROWS))
def test_row(name):
    equivalence.run(ROWS[name])


def test_the_table_covers_what_the_issue_asks():
    assert len(ROWS) == len(equivalence.ROWS) >= 40, "row names must be unique, and there must be 40 or more"
    assert {row.category for row in equivalence.ROWS} == CATEGORIES
    assert all(row.tol in equivalence.TOLERANCES for row in equivalence.ROWS)


def test_a_disagreeing_row_fails_with_its_name():
    wrong = dataclasses.replace(ROWS["linear"], name="planted", check=lambda: (np.zeros(3), np.full(3, 1e-3)))
    with pytest.raises(AssertionError, match="row planted"):
        equivalence.run(wrong)
    reshaped = dataclasses.replace(ROWS["linear"], name="shapes", check=lambda: (np.zeros(3), np.zeros((3, 1))))
    with pytest.raises(AssertionError, match=r"shapes: shapes \(3,\) and \(3, 1\)"):
        equivalence.run(reshaped)


def test_a_wrong_weight_layout_fails_its_row():
    """The conv2d row's check, with the kernel reshaped instead of transposed, must not pass."""

    import keras
    from equivalence_checks import data, keras_run, nchw, nhwc, param, seeded, torch_run
    from torch import nn

    def reshaped_kernel():
        x = data(2, 3, 8, 8)
        m, out = torch_run(seeded(lambda: nn.Conv2d(3, 5, 3, padding=1)), x)
        layer = keras.layers.Conv2D(5, 3, padding="same")
        kernel = param(m, "weight").reshape(3, 3, 3, 5)
        return out, nchw(keras_run(layer, nhwc(x), [kernel, param(m, "bias")]))

    with pytest.raises(AssertionError, match="row conv2d"):
        equivalence.run(dataclasses.replace(ROWS["conv2d"], check=reshaped_kernel))


def test_page_table_is_what_the_script_writes():
    assert generate.stale(["api-table"]) == []


def test_every_row_is_on_the_page_and_a_dropped_row_is_noticed():
    table = page_sections.read(PAGE.read_text(encoding="utf-8"), "api-table")
    assert all(f"`test_row[{name}]`" in table for name in ROWS)
    assert api_table.render_rows(equivalence.ROWS[1:]) != table


@pytest.fixture(scope="module")
def gaps():
    import traps  # runs every trap, as the page does

    assert traps.__file__ == str(ROOT / "snippets" / "interop" / "traps.py"), traps.__file__
    return traps.GAPS


@pytest.mark.parametrize("trap", list(TRAPS))
def test_trap(trap, gaps):
    naive_above, fixed_below = TRAPS[trap]
    naive, fixed = gaps[trap]
    assert naive > naive_above, f"{trap}: the naive port is off by only {naive:.2g}"
    assert fixed < fixed_below, f"{trap}: the fix is still off by {fixed:.2g}"


def test_every_trap_is_tested_and_shown(gaps):
    assert set(gaps) == set(TRAPS)
    page = PAGE.read_text(encoding="utf-8")
    for trap in TRAPS:
        assert f'--8<-- "snippets/interop/traps.py:{trap}"' in page, trap


def _triton_data() -> dict:
    import json

    from fieldguide.measure import triton_order

    return json.loads(triton_order.DATA.read_text(encoding="utf-8"))


def test_triton_order_table_is_the_committed_measurement():
    assert generate.stale(["triton-order"]) == []


def test_the_crash_versions_in_the_prose_are_the_measured_ones():
    """The home page names the torch releases whose Triton was measured to crash after TensorFlow:
    a new measurement that changes the set fails here until the page follows. (The snippet asserts
    the crash for whatever Triton is installed, so a release that stops crashing fails the block.)"""
    from fieldguide.measure import triton_order

    data = _triton_data()
    crashing = [".".join(r["torch"].split(".")[:2]) for r in data["rows"] if triton_order.crashed(r)]
    assert crashing, "no measured row crashes: the page's crash section no longer applies"
    named = ", ".join(crashing[:-1]) + " and " + crashing[-1] if len(crashing) > 1 else crashing[0]
    home = (ROOT / "docs" / "index.md").read_text(encoding="utf-8").replace("\n", " ")
    assert f"measured with the Triton of torch {named})" in home


def test_a_measured_crash_is_shown_with_its_signal():
    from fieldguide.measure import triton_order

    data = {**_triton_data(), "rows": [{"torch": "2.13.0", "triton": "3.7.1", "exit_code": -11}]}
    assert "| 2.13.0 | 3.7.1 | **crashes** (signal 11) |" in triton_order.render(data)
