"""Deployment page: every route's parity check can fail, the deprecations and converter failures it
reports are what the installed versions do, its tables come from the committed measurements, and
its FastAPI service answers over real HTTP (both models, bad input, a concurrent load)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings

import httpx
import numpy as np
import pytest

# The snippet files import each other as plain modules (`common`, `server`), as the page's
# reader does with the files beside the download; deployment_table puts that folder first too.
from fieldguide.measure import deployment as deployment_table
from fieldguide.measure.serving import CLIENTS, running_server
from fieldguide.measure.serving import load_test as run_load
from fieldguide.project import snippet_folder
from fieldguide.render import regions as generate
from fieldguide.render.sections import read
from tests_support import ROOT

snippet_folder("deployment")
from common import FLOAT_ATOL, assert_parity


@pytest.fixture(scope="module")
def pages_routes():
    """The page's code, imported: it exports every route and runs its checks on the way."""
    with warnings.catch_warnings():  # TorchScript's deprecation is tested below, not here
        warnings.simplefilter("ignore", FutureWarning)
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


def test_the_onnx_exporter_goes_through_torch_export_by_default():
    """docs/deployment.md says `dynamo=True` is the default of `torch.onnx.export` on the pinned torch."""
    import inspect

    import torch

    assert inspect.signature(torch.onnx.export).parameters["dynamo"].default is True


def test_torchscript_warns_and_points_to_torch_export(tmp_path):
    """Since torch 2.14 the warnings are FutureWarning, shown by default (2.13: DeprecationWarning)."""
    import torch

    module = torch.nn.Linear(2, 2)
    with pytest.warns(FutureWarning, match=r"`torch.jit.script` is deprecated.*`torch.compile` or `torch.export`"):
        scripted = torch.jit.script(module)
    with pytest.warns(FutureWarning, match=r"`torch.jit.trace` is deprecated.*`torch.compile` or `torch.export`"):
        torch.jit.trace(module, torch.zeros(1, 2))
    scripted.save(str(tmp_path / "m.pt"))
    with pytest.warns(FutureWarning, match=r"`torch.jit.load` is deprecated.*`torch.export`"):
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
        "docs/deployment.md is out of date (deployment): run python -m fieldguide generate deployment"
    ]


# --- The FastAPI service over real HTTP: both frameworks' models, every bad input, a concurrent load ---

MAX_BATCH = 8


@pytest.fixture(scope="module")
def routes():
    """The page's ONNX exports and the in-process logits they must reproduce (the page's code, imported)."""
    import export_tf  # snippets/deployment/, first on the import path (snippet_folder puts it there)
    import export_torch

    return {
        "PyTorch": (export_torch.torch_onnx, export_torch.torch_logits),
        "TensorFlow": (export_tf.tf_onnx, export_tf.keras_logits),
        "x": export_torch.x_test,
    }


@pytest.fixture(scope="module")
def torch_server(routes):
    with running_server(routes["PyTorch"][0], max_batch=MAX_BATCH) as url:
        yield url


@pytest.mark.parametrize("framework", ["PyTorch", "TensorFlow"])
def test_served_predictions_equal_the_in_process_model(framework, routes, torch_server):
    path, logits = routes[framework]
    x = routes["x"][:MAX_BATCH]
    if framework == "PyTorch":
        answer = httpx.post(f"{torch_server}/predict", json={"inputs": x.tolist()}).json()
    else:
        with running_server(path, max_batch=MAX_BATCH) as url:
            answer = httpx.post(f"{url}/predict", json={"inputs": x.tolist()}).json()
    # JSON carries float32 values as decimal text that round-trips exactly; the tolerance is the page's.
    np.testing.assert_allclose(answer["logits"], logits[:MAX_BATCH], atol=1e-4, rtol=0)
    assert answer["digits"] == logits[:MAX_BATCH].argmax(axis=1).tolist()


ROW = [0.5] * 64
BAD_INPUTS = {
    "malformed JSON": (b'{"inputs": [[0.5, 0.5', 400, "not valid JSON"),
    "wrong shape": ({"inputs": [ROW[:63]]}, 422, "inputs.0: List should have at least 64 items"),
    "wrong dtype": ({"inputs": [["0.5"] * 64]}, 422, "inputs.0.0: Input should be a valid number"),
    "boolean is not a number": ({"inputs": [[True] * 64]}, 422, "Input should be a valid number"),
    "empty batch": ({"inputs": []}, 422, "inputs: List should have at least 1 item"),
    "batch over the limit": ({"inputs": [ROW] * (MAX_BATCH + 1)}, 422, f"at most {MAX_BATCH} items"),
    "missing field": ({"rows": [ROW]}, 422, "inputs: Field required"),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=str)
def test_bad_input_gets_a_4xx_and_the_server_keeps_answering(case, torch_server):
    body, status, message = BAD_INPUTS[case]
    if isinstance(body, bytes):
        answer = httpx.post(f"{torch_server}/predict", content=body, headers={"content-type": "application/json"})
    else:
        answer = httpx.post(f"{torch_server}/predict", json=body)
    assert answer.status_code == status, answer.text
    assert message in answer.json()["error"], answer.json()
    good = httpx.post(f"{torch_server}/predict", json={"inputs": [ROW]})
    assert good.status_code == 200, good.text
    assert len(good.json()["digits"]) == 1


def test_concurrent_load_is_answered_correctly(routes, torch_server):
    _, logits = routes["PyTorch"]
    result = run_load(torch_server, routes["x"], logits.argmax(axis=1), requests=240, clients=CLIENTS)
    assert CLIENTS == 8
    assert result["requests"] == 240
    assert result["wrong"] == 0


def test_a_server_that_cannot_start_fails_with_its_stderr(tmp_path):
    with pytest.raises(RuntimeError, match=r"server exited(.|\n)*DEPLOY_MODEL=.*set it to an \.onnx file"):  # noqa: SIM117
        with running_server(tmp_path / "missing.onnx", deadline_s=60):
            pass


def test_a_model_the_service_cannot_serve_is_refused(tmp_path):
    from onnx import TensorProto, helper, save

    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "ints",
        [helper.make_tensor_value_info("x", TensorProto.INT64, ["batch", 4])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, ["batch", 4])],
    )
    save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10), tmp_path / "i.onnx")
    with pytest.raises(RuntimeError, match=r"expected one float32 input"):  # noqa: SIM117
        with running_server(tmp_path / "i.onnx", deadline_s=60):
            pass
