"""Version 1 of the API: summarize, translate, models."""

from __future__ import annotations

from flask import Blueprint, jsonify

from api.routes import runtime
from api.routes.body import read_request
from api.routes.problems import request_id
from api.schemas import BatchRequest, SummarizeRequest, TranslateRequest

bp = Blueprint("v1", __name__, url_prefix="/v1")


@bp.post("/summarize")
def summarize():
    pipeline = runtime().require()
    result = pipeline.summarize(read_request(SummarizeRequest, html_field="html"))
    return jsonify(result.model_dump(mode="json"))


@bp.post("/summarize/batch")
def summarize_batch():
    current = runtime()
    pipeline = current.require()
    request_model = read_request(BatchRequest, body_field="items")
    result = pipeline.summarize_batch(request_model.items, current.settings.max_batch_items)
    body = result.model_dump(mode="json")
    for item in body["results"]:
        if item["problem"] is not None:
            item["problem"]["request_id"] = request_id()
    return jsonify(body)


@bp.post("/translate")
def translate():
    pipeline = runtime().require()
    result = pipeline.translate(read_request(TranslateRequest))
    return jsonify(result.model_dump(mode="json"))


@bp.get("/models")
def models():
    return jsonify(runtime().require().models().model_dump(mode="json"))
