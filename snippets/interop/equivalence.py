"""Every row of the API table on docs/interop.md, each with the check that backs it.

A row names a PyTorch API and its TensorFlow/Keras twin. Its check builds the PyTorch
side, copies the weights across (converting layouts on the way), runs both on the same
input, and returns the two results; `run()` asserts they agree within the row's stated
tolerance. Rows about training take optimiser steps from the same weights and
gradients. The rows live in one file per category (equivalence_layers.py,
equivalence_losses.py, ...) on the machinery of equivalence_checks.py; this file gathers
them in the table's order. tests/test_interop.py runs one test per row, and
The site's api_table renders the page's table from the same list, so a row cannot be on
the page without its test.
"""

from __future__ import annotations

import equivalence_activations
import equivalence_initialisers
import equivalence_layers
import equivalence_losses
import equivalence_optimisers
import equivalence_pipelines
import equivalence_saving
from equivalence_checks import TOLERANCES, Row, run

ROWS: list[Row] = [
    *equivalence_layers.ROWS,
    *equivalence_activations.ROWS,
    *equivalence_losses.ROWS,
    *equivalence_optimisers.ROWS,
    *equivalence_initialisers.ROWS,
    *equivalence_pipelines.ROWS,
    *equivalence_saving.ROWS,
]

__all__ = ["ROWS", "TOLERANCES", "run"]

if __name__ == "__main__":
    categories = len({r.category for r in ROWS})
    print(f"{len(ROWS)} rows in {categories} categories")
    #> 68 rows in 10 categories
