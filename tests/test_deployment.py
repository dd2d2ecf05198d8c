"""Deployment page: every route's parity check can fail, the deprecations and converter failures it
reports are what the installed versions do, and its tables come from the committed measurements."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

from page_sections import read
from tests_support import ROOT

# The snippet files import each other as plain modules (`common`, `server`), as the page's
# reader does with the files beside the download; deployment_table puts that folder first too.
sys.path.insert(0, str(ROOT / "snippets" / "deployment"))
import deployment_table
import generate
from common import FLOAT_ATOL, assert_parity


@pytest.fixture(scope="module")
def pages_routes():
    """The page's code, imported: it exports every route and runs its checks on the way."""
    with warnings.catch_warnings():  # TorchScript's deprecation is tested below, not here
        warnings.simplefilter("ignore", DeprecationWarning)
        table, _ = deployment_table.routes()
    return table


ROUTE_NAMES = [
    ("PyTorch", "torch.export"),
    ("PyTorch", "AOTInductor"),
    ("PyTorch", "ONNX Runtime"),
    ("PyTorch", "ExecuTorch (XNNPACK)"),
    ("PyTorch", "TorchScript (legacy)"),
    ("TensorFlow", "SavedModel"),
    ("TensorFlow", "LiteRT float"),
    ("TensorFlow", "LiteRT int8 weights"),
    ("TensorFlow", "ONNX Runtime"),
]


def test_the_table_covers_every_route(pages_routes):
    assert [(framework, route) for framework, route, *_ in pages_routes] == ROUTE_NAMES


# int8 weights are checked on accuracy and agreement instead (the LiteRT block), not on logits.
FLOAT_ROUTES = [i for i, name in enumerate(ROUTE_NAMES) if name[1] != "LiteRT int8 weights"]


@pytest.mark.parametrize("index", FLOAT_ROUTES, ids=lambda i: " ".join(ROUTE_NAMES[i]))
def test_each_route_fails_its_check_when_outputs_diverge(index, pages_routes):
    _, route, _, path, loader, want = pages_routes[index]
    from export_torch import x_test

    got = loader(path)(x_test)
    assert assert_parity(route, got, want) <= FLOAT_ATOL
    # One output of one image moved by 5x the tolerance, as a wrong weight would.
    diverged = want.copy()
    diverged[7, 3] += 5 * FLOAT_ATOL
    with pytest.raises(AssertionError, match=rf"{re.escape(route)}: outputs differ by 0.000[45]"):
        assert_parity(route, got, diverged)


def test_parity_check_refuses_a_wrong_shape():
    with pytest.raises(AssertionError, match=r"r: shape \(2, 10\), expected \(3, 10\)"):
        assert_parity("r", np.zeros((2, 10)), np.zeros((3, 10)))


def test_torchscript_warns_and_points_to_torch_export(tmp_path):
    import torch

    module = torch.nn.Linear(2, 2)
    with pytest.warns(DeprecationWarning, match=r"`torch.jit.script` is deprecated.*`torch.compile` or `torch.export`"):
        scripted = torch.jit.script(module)
    with pytest.warns(DeprecationWarning, match=r"`torch.jit.trace` is deprecated.*`torch.export`"):
        torch.jit.trace(module, torch.zeros(1, 2))
    scripted.save(str(tmp_path / "m.pt"))
    with pytest.warns(DeprecationWarning, match=r"`torch.jit.load` is deprecated.*`torch.export`"):
        torch.jit.load(str(tmp_path / "m.pt"))


def test_tf_lite_interpreter_warns_and_points_to_litert(pages_routes):
    import tensorflow as tf
    from export_tf import float_tflite

    with pytest.warns(UserWarning, match=r"tf.lite.Interpreter is deprecated(.|\n)*ai_edge_litert"):
        tf.lite.Interpreter(model_path=str(float_tflite))


def test_tf2onnx_entry_points_with_keras_3(pages_routes, tmp_path):
    import tf2onnx
    from export_tf import keras_model, savedmodel, spec, x_test

    with pytest.raises(KeyError, match="keras_tensor"):
        tf2onnx.convert.from_keras(keras_model, input_signature=spec, opset=17)
    output = str(tmp_path / "m.onnx")
    # The command line on the page converts the SavedModel; its output runs and matches.
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tf2onnx.convert",
            "--saved-model",
            str(savedmodel),
            "--opset",
            "17",
            "--output",
            output,
        ],
        capture_output=True,
        text=True,
        timeout=170,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    from export_tf import keras_logits, load_onnx

    assert_parity("tf2onnx command line", load_onnx(output)(x_test), keras_logits)


PAGE = ROOT / "docs" / "deployment.md"


def committed() -> dict:
    return json.loads(deployment_table.DATA.read_text(encoding="utf-8"))


def test_committed_measurements_cover_every_route_and_the_load():
    data = committed()
    assert [(r["framework"], r["route"]) for r in data["routes"]] == ROUTE_NAMES
    for row in data["routes"]:
        assert row["size_bytes"] > 0
        assert min(row["p50_batch1_s"], row["p50_batch32_s"], row["load_s"]) > 0
    load = data["load"]
    assert load["clients"] == 8
    assert load["requests"] >= 200
    assert load["wrong"] == 0
    assert 0 < load["p50_s"] <= load["p99_s"]


def test_page_tables_are_what_the_committed_json_renders():
    assert generate.stale(["deployment"]) == []


def test_a_hand_edited_number_is_caught():
    def planted(path):
        text = path.read_text(encoding="utf-8")
        if path != PAGE:
            return text
        body = read(text, "deployment-load")
        assert " requests/s" in body
        return text.replace(body, body.replace(" requests/s", "0 requests/s", 1))

    assert generate.stale(["deployment"], read=planted) == [
        "docs/deployment.md is out of date (deployment): run python scripts/generate.py deployment"
    ]
