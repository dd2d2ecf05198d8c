"""Serve an ONNX model exported from PyTorch or TensorFlow over HTTP: FastAPI, uvicorn.

    DEPLOY_MODEL=digits.onnx uvicorn server:create_app --factory  # in this folder
    DEPLOY_MODEL=digits.onnx uvicorn --app-dir DIR server:create_app --factory

DEPLOY_MAX_BATCH (default 64) caps the rows in one request. Run as a script, this file
checks the app in-process against a small hand-built model instead.
"""

# --8<-- [start:app]
import os
from typing import Annotated

import numpy as np
import onnxruntime as ort
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, Strict


def create_app(model_path: str | None = None, max_batch: int | None = None) -> FastAPI:
    model_path = model_path or os.environ.get("DEPLOY_MODEL")
    if not model_path or not os.path.isfile(model_path):
        raise RuntimeError(f"DEPLOY_MODEL={model_path!r}: set it to an .onnx file")
    max_batch = max_batch or int(os.environ.get("DEPLOY_MAX_BATCH", "64"))
    session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
    (given,) = session.get_inputs()
    width = given.shape[1] if len(given.shape) == 2 else None
    if given.type != "tensor(float)" or not isinstance(width, int):
        raise RuntimeError(
            f"{model_path}: expected one float32 input of shape (batch, n), got {given}"
        )

    # Strict: a string or a boolean is refused, not converted; an int is a fine float.
    Number = Annotated[float, Strict()]
    Row = Annotated[list[Number], Field(min_length=width, max_length=width)]

    class Batch(BaseModel):
        model_config = ConfigDict(extra="forbid")
        inputs: Annotated[list[Row], Field(min_length=1, max_length=max_batch)]

    app = FastAPI(title="digits")

    @app.exception_handler(RequestValidationError)
    async def bad_request(
        request: Request, error: RequestValidationError
    ) -> JSONResponse:
        problems = error.errors()
        if any(problem["type"] == "json_invalid" for problem in problems):
            return JSONResponse(
                {"error": "the body is not valid JSON"}, status_code=400
            )

        def where(problem) -> str:  # ("body", "inputs", 0) -> "inputs.0"
            return ".".join(str(part) for part in problem["loc"][1:]) or "body"

        message = "; ".join(f"{where(p)}: {p['msg']}" for p in problems[:3])
        return JSONResponse({"error": message}, status_code=422)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "input": [None, width], "max_batch": max_batch}

    @app.post("/predict")
    def predict(batch: Batch) -> dict:  # a plain def: FastAPI runs it in a thread
        x = np.asarray(batch.inputs, dtype=np.float32)
        logits = session.run(None, {given.name: x})[0]
        return {"logits": logits.tolist(), "digits": logits.argmax(axis=1).tolist()}

    return app


# `uvicorn server:create_app --factory` calls it once per worker.
__all__ = ["create_app"]
# --8<-- [end:app]

if __name__ == "__main__":
    import tempfile

    import onnx
    from fastapi.testclient import TestClient
    from onnx import TensorProto, helper, numpy_helper

    # A 64 -> 10 linear model built by hand: this file runs without PyTorch or TF.
    weights = np.random.default_rng(0).standard_normal((64, 10)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["pixels", "w"], ["logits"])],
        "linear",
        [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["batch", 64])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
        [numpy_helper.from_array(weights, "w")],
    )
    path = os.path.join(tempfile.mkdtemp(), "linear.onnx")
    onnx.save(
        helper.make_model(
            graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=10
        ),
        path,
    )
    client = TestClient(create_app(path, max_batch=4))
    x = np.ones((2, 64), dtype=np.float32)
    answer = client.post("/predict", json={"inputs": x.tolist()})
    assert np.allclose(answer.json()["logits"], x @ weights, atol=1e-4)
    print(answer.status_code, client.post("/predict", json={"inputs": []}).json())
    #> 200 {'error': 'inputs: List should have at least 1 item after validation, not 0'}
