"""Version 1 of the API: summarize, translate, models."""

from __future__ import annotations

from flask import Blueprint, jsonify

from api.routes import runtime
from api.routes.body import read_request
from api.schemas import SummarizeRequest, TranslateRequest

bp = Blueprint("v1", __name__, url_prefix="/v1")


@bp.post("/summarize")
def summarize():
    pipeline = runtime().require()
    result = pipeline.summarize(read_request(SummarizeRequest))
    return jsonify(result.model_dump(mode="json"))


@bp.post("/translate")
def translate():
    pipeline = runtime().require()
    result = pipeline.translate(read_request(TranslateRequest))
    return jsonify(result.model_dump(mode="json"))


@bp.get("/models")
def models():
    return jsonify(runtime().require().models().model_dump(mode="json"))
