"""Version 1 of the API: summarize, translate, models."""

from __future__ import annotations

from flask import Blueprint, jsonify

from api.describe import describe_models
from api.routes import pipeline, services
from api.routes.body import read_request
from api.routes.guard import caller, charge_text
from api.schemas import BatchRequest, SummarizeRequest, SummarizeResponse, TranslateRequest

bp = Blueprint("v1", __name__, url_prefix="/v1")


def _observe(result: SummarizeResponse) -> None:
    metrics = services().metrics
    metrics.cache_lookup(result.cached)
    if not result.cached:
        metrics.stages(result.timings_ms.model_dump())


# Each handler reads and charges the request before it asks for the models: a bad request gets its
# 4xx even from a worker that is still loading (a replacement worker under load, a fresh deploy).
@bp.post("/summarize")
def summarize():
    request_model = read_request(SummarizeRequest, html_field="html")
    charge_text([request_model.text, request_model.html])
    result = pipeline().summarize(request_model, caller=caller())
    _observe(result)
    return jsonify(result.model_dump(mode="json"))


@bp.post("/summarize/batch")
def summarize_batch():
    current = services()
    request_model = read_request(BatchRequest, body_field="items")
    items = [item for item in request_model.items if isinstance(item, dict)]
    charge_text([item.get(field) for item in items for field in ("text", "html")])
    result = pipeline().summarize_batch(request_model.items, current.settings.max_batch_items, caller=caller())
    for item in result.results:
        if item.result is not None:
            _observe(item.result)
    return jsonify(result.model_dump(mode="json"))


@bp.post("/translate")
def translate():
    request_model = read_request(TranslateRequest)
    charge_text([request_model.text])
    result = pipeline().translate(request_model)
    services().metrics.stages(result.timings_ms.model_dump())
    return jsonify(result.model_dump(mode="json"))


@bp.get("/models")
def models():
    return jsonify(describe_models(pipeline()).model_dump(mode="json"))
