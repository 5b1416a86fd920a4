"""Version 1 of the API: summarize, translate, models."""

from __future__ import annotations

from flask import Blueprint, jsonify

from api.describe import describe_models
from api.items import item_texts
from api.routes import pipeline, services
from api.routes.body import read_request
from api.routes.declare import Answer, Operation, declare
from api.routes.guard import caller, charge_text
from api.schemas import (
    BatchItem,
    BatchRequest,
    BatchResponse,
    DigestArticle,
    DigestRequest,
    DigestResponse,
    ModelsResponse,
    SummarizeOptions,
    SummarizeRequest,
    SummarizeResponse,
    TranslateOptions,
    TranslateRequest,
    TranslateResponse,
)

bp = Blueprint("v1", __name__, url_prefix="/v1")


def _observe(result: SummarizeResponse | DigestResponse) -> None:
    metrics = services().metrics
    metrics.cache_lookup(result.cached)
    if not result.cached:
        metrics.stages(result.timings_ms.model_dump())


BODY_PROBLEMS = (400, 413, 415, 422, 429, 503)


# Each handler reads and charges the request before it asks for the models: a bad request gets its
# 4xx even from a worker that is still loading (a replacement worker under load, a fresh deploy).
@bp.post("/summarize")
@declare(
    Operation(
        id="summarize",
        summary="Summarize one article",
        tag="summaries",
        description="Send the article as JSON (`text` or `html`, exactly one), or as the raw body with "
        "`Content-Type: text/plain` or `text/html` and the options in the query string.",
        answer=Answer(SummarizeResponse),
        body=SummarizeRequest,
        raw=("text/plain", "text/html"),
        example=lambda text: {"text": text, "translate": True},
        query=SummarizeOptions,
        text_limit="limits.max_text_chars",
        problems=BODY_PROBLEMS,
        scope="summarize",
    )
)
def summarize():
    request_model = read_request(SummarizeRequest, html_field="html")
    charge_text([request_model.text, request_model.html])
    result = pipeline().summarize(request_model, caller=caller())
    _observe(result)
    return jsonify(result.model_dump(mode="json"))


@bp.post("/summarize/batch")
@declare(
    Operation(
        id="summarizeBatch",
        summary="Summarize several articles",
        tag="summaries",
        description="Up to {settings.limits.max_batch_items} items, answered in order; a bad item gets its own problem "
        "and does not fail the others. An item with `articles` (2 to {settings.digest.max_articles}, as "
        "/v1/digest takes them) instead of `text` or `html` is a story cluster: its result is the digest.",
        answer=Answer(BatchResponse),
        body=BatchRequest,
        example=lambda text: {
            "items": [
                {"id": "a1", "text": text},
                {"id": "a2", "articles": [{"outlet": "Kompas", "text": text}, {"outlet": "Tempo", "text": text}]},
            ]
        },
        items=(BatchItem, "limits.max_batch_items"),
        problems=BODY_PROBLEMS,
        scope="summarize",
    )
)
def summarize_batch():
    current = services()
    request_model = read_request(BatchRequest, body_field="items")
    charge_text(item_texts(request_model.items))
    result = pipeline().summarize_batch(request_model.items, current.settings.limits.max_batch_items, caller=caller())
    for item in result.results:
        if item.result is not None:
            _observe(item.result)
    return jsonify(result.model_dump(mode="json"))


@bp.post("/digest")
@declare(
    Operation(
        id="digest",
        summary="One summary of several articles about the same story",
        tag="summaries",
        description="From 2 to {settings.digest.max_articles} articles, each `text` or `html`, cleaned as a summary's "
        "input is. Sentences an earlier article already said are dropped before the model reads anything; "
        "the answer says where each sentence of the composed input came from, which were dropped as "
        "duplicates of which, and what did not fit the window.",
        answer=Answer(DigestResponse),
        body=DigestRequest,
        example=lambda text: {
            "articles": [
                {"id": "a1", "outlet": "Kompas", "date": "2025-12-03", "text": text},
                {"id": "a2", "outlet": "Tempo", "date": "2025-12-04", "text": text},
            ]
        },
        items=(DigestArticle, "digest.max_articles"),
        problems=BODY_PROBLEMS,
        scope="summarize",
    )
)
def digest():
    request_model = read_request(DigestRequest, body_field="articles")
    charge_text([getattr(article, field) for article in request_model.articles for field in ("text", "html")])
    result = pipeline().digest(request_model, caller=caller())
    _observe(result)
    return jsonify(result.model_dump(mode="json"))


@bp.post("/translate")
@declare(
    Operation(
        id="translate",
        summary="Translate a text",
        tag="summaries",
        description="At most {settings.limits.max_translate_chars} characters, split into sentences and translated as "
        "one batch.",
        answer=Answer(TranslateResponse),
        body=TranslateRequest,
        raw=("text/plain",),
        example=lambda text: {"text": text[:300], "target_lang": "eng_Latn"},
        query=TranslateOptions,
        text_limit="limits.max_translate_chars",
        problems=BODY_PROBLEMS,
        scope="translate",
    )
)
def translate():
    request_model = read_request(TranslateRequest)
    charge_text([request_model.text])
    result = pipeline().translate(request_model)
    services().metrics.stages(result.timings_ms.model_dump())
    return jsonify(result.model_dump(mode="json"))


@bp.get("/models")
@declare(
    Operation(
        id="models",
        summary="Models, languages, presets and limits",
        tag="summaries",
        description="What is loaded, at which revision and licence, with the languages and presets it accepts.",
        answer=Answer(ModelsResponse),
        problems=(429, 503),
        scope=None,  # metadata any valid key may read
    )
)
def models():
    return jsonify(describe_models(pipeline(), jobs=services().jobs is not None).model_dump(mode="json"))
