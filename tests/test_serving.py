"""The FastAPI service over real HTTP: both frameworks' models, every bad input, and a concurrent load."""

from __future__ import annotations

import httpx
import numpy as np
import pytest
from deployment_table import SERVER_DIR  # noqa: F401  (puts snippets/deployment first on sys.path)
from serving_support import CLIENTS, running_server
from serving_support import load_test as run_load

MAX_BATCH = 8


@pytest.fixture(scope="module")
def routes():
    """The page's ONNX exports and the in-process logits they must reproduce (the page's code, imported)."""
    import export_tf  # snippets/deployment/, first on sys.path (deployment_table puts it there)
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
