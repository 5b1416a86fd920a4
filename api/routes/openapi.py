"""The OpenAPI 3.1 document, built by walking the app's routes and reading what each handler declared
(``routes/declare.py``): nothing here names a path, a method or a status list.

pydantic writes JSON Schema 2020-12, which is OpenAPI 3.1's own schema dialect, so the models go in
unchanged. Limits (body size, article length, batch size) and security come from the settings in
force, so the document describes this deployment, not a generic one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from api.config import SEEDS, Settings
from api.routes.declare import Operation, declaration_of
from api.schemas import Problem

REF = "#/components/schemas/{model}"
PROBLEMS = {
    400: "Malformed body (not JSON, not UTF-8, empty).",
    401: "An API key (or the metrics token) is required and none was sent.",
    403: "The API key (or the metrics token) is not valid, or not for this route.",
    404: "No such job for this API key (or it expired).",
    413: "The body, the article or the character budget is larger than allowed.",
    415: "The Content-Type is not supported.",
    422: "The request is well formed but cannot be served (bad field, wrong language, unknown language code).",
    429: "The request or character limit for this key is used up; see Retry-After.",
    503: "Not ready, overloaded or past its deadline; see Retry-After.",
    507: "The key's quota of stored job results, or the job store (Redis), is full; see Retry-After.",
}
RETRYABLE = {429, 503, 507}
TAGS = [
    {"name": "summaries", "description": "Summaries and translations."},
    {
        "name": "compatibility",
        "description": "The Hugging Face Inference API (point InferenceClient at /hf/summarization or "
        "/hf/translation) and LibreTranslate (point a client at the service's root).",
    },
    {
        "name": "jobs",
        "description": "Archive jobs: a whole archive summarized by `ringkas worker` processes (Celery on "
        "RINGKAS_REDIS_URL); without Redis these answer 503.",
    },
    {"name": "operations", "description": "Health, readiness and metrics for orchestrators."},
]
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def declared_routes(app: Flask) -> Iterable[tuple[Any, str, Operation]]:
    """(rule, method, operation) for every documented route and method, in the app's order."""
    for rule in app.url_map.iter_rules():
        operation = declaration_of(app.view_functions.get(rule.endpoint))
        if isinstance(operation, Operation):
            for method in sorted(rule.methods - IGNORED_METHODS, key=lambda m: (m != "GET", m)):
                yield rule, method, operation


def build(app: Flask, settings: Settings, guarded: Iterable[str]) -> dict[str, Any]:
    """The document for ``app``; routes of the ``guarded`` blueprints need a key when keys are set."""
    routes = list(declared_routes(app))
    refs, schemas = _schemas(operation for _, _, operation in routes)
    secured = bool(settings.api_keys or settings.api_keys_file)
    guarded = frozenset(guarded)
    sample = _seed_example(SEEDS)
    paths: dict[str, dict] = {}
    for rule, method, operation in routes:
        path = _openapi_path(rule)
        needs_key = secured and rule.endpoint.partition(".")[0] in guarded
        first = not any(operation.id == _id(existing) for existing in paths.get(path, {}).values())
        entry = _operation(operation, rule, settings, refs, needs_key, sample)
        entry["operationId"] = operation.id if first else operation.id + method.capitalize()
        paths.setdefault(path, {})[method.lower()] = entry
        _bound(schemas, operation, settings)
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Ringkas",
            "version": _package_version(),
            "description": "Abstractive summaries of Indonesian news articles (mT5) with English translation "
            "(NLLB-200). Errors are RFC 9457 problem+json objects; every response carries X-Request-ID.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": schemas,
            "headers": {
                "X-Request-ID": {
                    "description": "Echoes the caller's id or names a new one.",
                    "schema": {"type": "string"},
                },
                "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}},
            },
        },
    }
    if secured:
        document["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer KEY`"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    return document


def _id(entry: dict) -> str:
    return entry.get("operationId", "")


def _openapi_path(rule) -> str:
    """Werkzeug's ``/v1/jobs/<job_id>`` (or ``<string:job_id>``) as OpenAPI's ``/v1/jobs/{job_id}``."""
    return re.sub(r"<(?:[a-z]+:)?([A-Za-z_][A-Za-z0-9_]*)>", r"{\1}", rule.rule)


def _operation(op: Operation, rule, settings: Settings, refs: dict, needs_key: bool, sample: str) -> dict:
    entry: dict[str, Any] = {"summary": op.summary, "tags": [op.tag]}
    if op.description:
        entry["description"] = op.description.format(settings=settings)
    parameters = _path_parameters(op, rule) + _query_parameters(op.query)
    if parameters:
        entry["parameters"] = parameters
    if op.body or op.raw:
        entry["requestBody"] = _request_body(op, settings, refs, sample)
    problems = sorted({*op.problems, *((401, 403) if needs_key else ())})
    entry["responses"] = {**_answer(op, refs), **_problems(problems, refs[(Problem, "serialization")])}
    if needs_key:
        entry["security"] = [{"bearer": []}, {"apiKey": []}]
    return entry


def _path_parameters(op: Operation, rule) -> list[dict]:
    described = dict(op.path)
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": described.get(name, ""),
            "schema": {"type": "string"},
        }
        for name in sorted(rule.arguments)
    ]


def _query_parameters(model: type[BaseModel] | None) -> list[dict]:
    """One parameter per field of the query model, from its JSON Schema. A query option is absent,
    never null, so ``X | None`` is documented as X."""
    if model is None:
        return []
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        description = prop.pop("description", "")
        prop.pop("title", None)
        options = [choice for choice in prop.pop("anyOf", []) if choice.get("type") != "null"]
        if prop.get("default", 0) is None:
            del prop["default"]
        if len(options) == 1:
            prop.update(options[0])
        elif options:
            prop["anyOf"] = options
        parameters.append(
            {"name": name, "in": "query", "required": name in required, "description": description, "schema": prop}
        )
    return parameters


def _request_body(op: Operation, settings: Settings, refs: dict, sample: str) -> dict:
    example = op.example(sample) if op.example else None
    content: dict[str, Any] = {}
    if op.body:
        media = {"schema": {"$ref": refs[(op.body, "validation")]}}
        if example is not None:
            media["example"] = example
        content["application/json"] = media
        if op.form:
            content["application/x-www-form-urlencoded"] = media
    text = example.get("text") if isinstance(example, dict) else None
    for mimetype in op.raw:
        media = {"schema": {"type": "string", "maxLength": settings.value(op.raw_limit)}}
        if text and mimetype == "text/plain":
            media["example"] = text
        elif text and mimetype == "text/html":
            media["example"] = f"<article><p>{text}</p></article>"
        content[mimetype] = media
    return {"required": True, "content": content}


def _answer(op: Operation, refs: dict) -> dict:
    answer = op.answer
    headers: dict[str, Any] = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}}
    headers.update({name: {"description": text, "schema": {"type": "string"}} for name, text in answer.headers})
    if answer.model is None:
        schema: dict[str, Any] = {"type": "string"}
    else:
        schema = {"$ref": refs[(answer.model, "serialization")]}
        if answer.many:
            schema = {"type": "array", "items": schema}
    media: dict[str, Any] = {"schema": schema}
    if answer.example is not None:
        media["example"] = answer.example
    content = {mimetype: media for mimetype in ((answer.media,) if isinstance(answer.media, str) else answer.media)}
    return {str(answer.status): {"description": answer.description, "headers": headers, "content": content}}


def _problems(codes: list[int], problem_ref: str) -> dict:
    responses = {}
    for code in codes:
        headers: dict[str, Any] = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}}
        if code in RETRYABLE:
            headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        responses[str(code)] = {
            "description": PROBLEMS[code],
            "headers": headers,
            "content": {"application/problem+json": {"schema": {"$ref": problem_ref}}},
        }
    return responses


def _schemas(operations: Iterable[Operation]) -> tuple[dict, dict]:
    """Every model an operation names, as components: request models as validated, answers as
    serialized."""
    wanted: dict[tuple[type[BaseModel], str], None] = {(Problem, "serialization"): None}
    for op in operations:
        if op.body:
            wanted[(op.body, "validation")] = None
        if op.items:
            wanted[(op.items[0], "validation")] = None
        if op.answer.model:
            wanted[(op.answer.model, "serialization")] = None
    refs, document = models_json_schema(list(wanted), ref_template=REF)
    return {key: ref["$ref"] for key, ref in refs.items()}, document.get("$defs", {})


def _bound(schemas: dict, op: Operation, settings: Settings) -> None:
    """The deployment's limits as schema bounds, so generated clients and fuzzers know them."""
    body = schemas.get(op.body.__name__, {}).get("properties", {}) if op.body else {}
    if op.text_limit and "text" in body:
        limit = settings.value(op.text_limit)
        body["text"]["description"] = f"{body['text'].get('description', '')} At most {limit} characters.".strip()
    # The body's one array of items ("items" for batches and jobs, "articles" for a digest).
    field = next((name for name, prop in body.items() if prop.get("type") == "array"), None)
    if op.items and field:
        model, limit = op.items
        body[field]["items"] = {"$ref": REF.format(model=model.__name__)}
        body[field]["maxItems"] = settings.value(limit)


def _package_version() -> str:
    try:
        return version("ringkas")
    except PackageNotFoundError:
        return "0+unknown"


def _seed_example(seeds: Path, limit: int = 900) -> str:
    """The opening of a real sample article, cut at a sentence end, for the docs' examples."""
    files = sorted(seeds.glob("*.txt"))
    if not files:
        return "Pemerintah Indonesia mengumumkan rencana pembangunan jalan baru di Jawa Barat."
    text = " ".join(line.strip() for line in files[0].read_text(encoding="utf-8").splitlines() if line.strip())
    cut = text.rfind(". ", 0, limit)
    return text[: cut + 1] if cut > 0 else text[:limit]
