"""The OpenAPI 3.1 document, generated from the same pydantic models that validate requests.

pydantic writes JSON Schema 2020-12, which is OpenAPI 3.1's own schema dialect, so the models go in
unchanged; this module only lays out paths, media types, problem responses and examples. Limits
(body size, article length, batch size) and security come from the settings in force, so the
document describes this deployment, not a generic one.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from api.config import SEEDS, Settings
from api.schemas import (
    BatchItem,
    BatchRequest,
    BatchResponse,
    HFRequest,
    HFSummary,
    HFTranslation,
    JobAccepted,
    JobRequest,
    JobResultLine,
    JobStatus,
    LTDetection,
    LTDetectRequest,
    LTLanguage,
    LTTranslateRequest,
    LTTranslateResponse,
    ModelsResponse,
    Problem,
    SummarizeRequest,
    SummarizeResponse,
    TranslateRequest,
    TranslateResponse,
)

REF = "#/components/schemas/{model}"
_PROBLEMS = {
    400: "Malformed body (not JSON, not UTF-8, empty).",
    401: "An API key is required and none was sent.",
    403: "The API key is not valid.",
    404: "No such job for this API key (or it expired).",
    413: "The body, the article or the character budget is larger than allowed.",
    415: "The Content-Type is not supported.",
    422: "The request is well formed but cannot be served (bad field, wrong language, unknown language code).",
    429: "The request or character limit for this key is used up; see Retry-After.",
    503: "Not ready, overloaded or past its deadline; see Retry-After.",
}
_RETRY = {400: False, 401: False, 403: False, 404: False, 413: False, 415: False, 422: False, 429: True, 503: True}


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


def _schemas() -> tuple[dict, dict]:
    models = [
        (SummarizeRequest, "validation"),
        (BatchRequest, "validation"),
        (BatchItem, "validation"),
        (TranslateRequest, "validation"),
        (SummarizeResponse, "serialization"),
        (BatchResponse, "serialization"),
        (TranslateResponse, "serialization"),
        (ModelsResponse, "serialization"),
        (Problem, "serialization"),
        (HFRequest, "validation"),
        (HFSummary, "serialization"),
        (HFTranslation, "serialization"),
        (LTTranslateRequest, "validation"),
        (LTDetectRequest, "validation"),
        (LTTranslateResponse, "serialization"),
        (LTDetection, "serialization"),
        (LTLanguage, "serialization"),
        (JobRequest, "validation"),
        (JobAccepted, "serialization"),
        (JobStatus, "serialization"),
        (JobResultLine, "serialization"),
    ]
    refs, document = models_json_schema(models, ref_template=REF)
    return {(model, mode): ref["$ref"] for (model, mode), ref in refs.items()}, document.get("$defs", {})


def _json(ref: str, example: Any = None) -> dict:
    media: dict[str, Any] = {"schema": {"$ref": ref}}
    if example is not None:
        media["example"] = example
    return media


def _responses(ok_ref: str | None, codes: list[int], problem_ref: str, ok_example: Any = None) -> dict:
    request_id = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}}
    responses: dict[str, Any] = {}
    if ok_ref:
        responses["200"] = {"description": "OK", "headers": request_id, "content": {"application/json": _json(ok_ref)}}
    for code in codes:
        headers = dict(request_id)
        if _RETRY[code]:
            headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
        responses[str(code)] = {
            "description": _PROBLEMS[code],
            "headers": headers,
            "content": {"application/problem+json": {"schema": {"$ref": problem_ref}}},
        }
    return responses


def _query(model, names: list[str]) -> list[dict]:
    """Options also accepted in the query string (handy with a text/plain or text/html body)."""
    params = []
    for name in names:
        field = model.model_fields[name]
        schema: dict[str, Any] = {"type": "boolean"} if field.annotation is bool else {"type": "string"}
        if name == "long_input":
            schema = {"type": "string", "enum": ["truncate", "chunk"]}
        params.append(
            {"name": name, "in": "query", "required": False, "description": field.description, "schema": schema}
        )
    return params


def build(settings: Settings) -> dict[str, Any]:
    refs, schemas = _schemas()
    problem = refs[(Problem, "serialization")]
    example_text = _seed_example(SEEDS)
    body_codes = [400, 413, 415, 422, 429, 503]
    auth_codes = [401, 403] if _keys_configured(settings) else []
    text_body = {"schema": {"type": "string", "maxLength": settings.max_body_bytes}}
    summarize_options = ["translate", "target_lang", "length", "long_input", "force", "return_clean_text"]

    def operation(summary: str, description: str, tag: str, **parts) -> dict:
        op = {"summary": summary, "description": description, "tags": [tag], **parts}
        if tag in ("summaries", "compatibility", "jobs") and auth_codes:
            op["security"] = [{"bearer": []}, {"apiKey": []}]
        return op

    paths = {
        "/v1/summarize": {
            "post": operation(
                "Summarize one article",
                "Send the article as JSON (`text` or `html`, exactly one), or as the raw body with "
                "`Content-Type: text/plain` or `text/html` and the options in the query string.",
                "summaries",
                operationId="summarize",
                parameters=_query(SummarizeRequest, summarize_options),
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": _json(
                            refs[(SummarizeRequest, "validation")], {"text": example_text, "translate": True}
                        ),
                        "text/plain": {**text_body, "example": example_text},
                        "text/html": {**text_body, "example": f"<article><p>{example_text}</p></article>"},
                    },
                },
                responses=_responses(refs[(SummarizeResponse, "serialization")], auth_codes + body_codes, problem),
            )
        },
        "/v1/summarize/batch": {
            "post": operation(
                "Summarize several articles",
                f"Up to {settings.max_batch_items} items, answered in order; a bad item gets its own problem "
                "and does not fail the others.",
                "summaries",
                operationId="summarizeBatch",
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": _json(
                            refs[(BatchRequest, "validation")],
                            {"items": [{"id": "a1", "text": example_text}, {"id": "a2", "text": example_text}]},
                        )
                    },
                },
                responses=_responses(refs[(BatchResponse, "serialization")], auth_codes + body_codes, problem),
            )
        },
        "/v1/translate": {
            "post": operation(
                "Translate a text",
                f"At most {settings.max_translate_chars} characters, split into sentences and translated as one batch.",
                "summaries",
                operationId="translate",
                parameters=_query(TranslateRequest, ["source_lang", "target_lang"]),
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": _json(
                            refs[(TranslateRequest, "validation")],
                            {"text": example_text[:300], "target_lang": "eng_Latn"},
                        ),
                        "text/plain": {**text_body, "example": example_text[:300]},
                    },
                },
                responses=_responses(refs[(TranslateResponse, "serialization")], auth_codes + body_codes, problem),
            )
        },
        "/v1/models": {
            "get": operation(
                "Models, languages, presets and limits",
                "What is loaded, at which revision and licence, with the languages and presets it accepts.",
                "summaries",
                operationId="models",
                responses=_responses(refs[(ModelsResponse, "serialization")], auth_codes + [429, 503], problem),
            )
        },
        **_job_paths(settings, refs, problem, auth_codes, operation, example_text, summarize_options),
        **_compat_paths(refs, problem, auth_codes, operation, example_text),
        "/healthz": {"get": _plain("Liveness: the process answers", "operations", {"status": "ok"})},
        "/readyz": {
            "get": {
                **_plain("Readiness: models loaded and warmed", "operations", {"status": "ready"}),
                "responses": {
                    "200": {"description": "Ready", "content": {"application/json": {"schema": {"type": "object"}}}},
                    **_responses(None, [503], problem),
                },
            }
        },
    }
    _limit_fields(schemas, settings)
    document = {
        "openapi": "3.1.0",
        "info": {
            "title": "Ringkas",
            "version": _package_version(),
            "description": "Abstractive summaries of Indonesian news articles (mT5) with English translation "
            "(NLLB-200). Errors are RFC 9457 problem+json objects; every response carries X-Request-ID.",
            "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
        },
        "tags": [
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
            {"name": "operations", "description": "Health and readiness for orchestrators."},
        ],
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
    if auth_codes:
        document["components"]["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "`Authorization: Bearer KEY`"},
            "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
        }
    return document


def _job_paths(settings, refs, problem, auth_codes, operation, example: str, options: list[str]) -> dict:
    job_id = {"name": "job_id", "in": "path", "required": True, "schema": {"type": "string"}}
    status = _responses(refs[(JobStatus, "serialization")], auth_codes + [404, 422, 429, 503], problem)
    accepted = _responses(None, auth_codes + [400, 413, 415, 422, 429, 503], problem)
    accepted["202"] = {
        "description": "Queued: poll the Location (the job's status) and download its results.",
        "headers": {
            "X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
            "Location": {"description": "The job's status URL.", "schema": {"type": "string"}},
        },
        "content": {"application/json": _json(refs[(JobAccepted, "serialization")])},
    }
    raw = {"schema": {"type": "string", "maxLength": settings.max_job_bytes}}
    results = _responses(None, auth_codes + [404, 422, 429, 503], problem)
    results["200"] = {
        "description": "One JSON object per finished item (JobResultLine), in item order; unfinished items "
        "are absent. Ringkas-Next-Since is the first index still missing: resume there while the job runs.",
        "headers": {
            "X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"},
            "Ringkas-Next-Since": {"schema": {"type": "string"}},
            "Ringkas-Job-Status": {"schema": {"type": "string"}},
        },
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }
    return {
        "/v1/jobs": {
            "post": operation(
                "Summarize an archive",
                f"Up to {settings.max_job_items} items as JSON (`items` and `defaults`), NDJSON (one item per "
                "line) or CSV (columns id, text or html, options); for NDJSON and CSV the defaults go in the "
                "query string. Whole-job problems (a malformed line, duplicate ids, too many items) are the "
                "request's error; an item's own problem becomes its result.",
                "jobs",
                operationId="createJob",
                parameters=_query(SummarizeRequest, options),
                requestBody={
                    "required": True,
                    "content": {
                        "application/json": _json(
                            refs[(JobRequest, "validation")],
                            {"items": [{"id": "a1", "text": example}], "defaults": {"translate": True}},
                        ),
                        "application/x-ndjson": raw,
                        "text/csv": raw,
                    },
                },
                responses=accepted,
            )
        },
        "/v1/jobs/{job_id}": {
            "get": operation(
                "A job's progress",
                "Counts, rate, ETA and live workers.",
                "jobs",
                operationId="getJob",
                parameters=[job_id],
                responses=status,
            ),
            "delete": operation(
                "Cancel a job",
                "What has not started is skipped; finished results stay.",
                "jobs",
                operationId="cancelJob",
                parameters=[job_id],
                responses=status,
            ),
        },
        "/v1/jobs/{job_id}/results": {
            "get": operation(
                "A job's results (NDJSON)",
                "Finished items in item order, from index `since`.",
                "jobs",
                operationId="getJobResults",
                parameters=[
                    job_id,
                    {"name": "since", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 0}},
                ],
                responses=results,
            )
        },
    }


def _array_of(ref: str) -> dict:
    return {"type": "array", "items": {"$ref": ref}}


def _compat_paths(refs: dict, problem: str, auth_codes: list[int], operation, example: str) -> dict:
    body_codes = [400, 413, 415, 422, 429, 503]
    form_codes = [400, 413, 422, 429, 503]  # form or JSON: any other type is read as an empty form

    def ok(schema: dict, codes: list[int]) -> dict:
        responses = _responses(None, auth_codes + codes, problem)
        responses["200"] = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        return responses

    def form_or_json(ref: str, sample: dict) -> dict:
        media = {"schema": {"$ref": ref}, "example": sample}
        return {"required": True, "content": {"application/json": media, "application/x-www-form-urlencoded": media}}

    hf_body = {"required": True, "content": {"application/json": {"schema": {"$ref": refs[(HFRequest, "validation")]}}}}
    return {
        "/hf/summarization": {
            "post": operation(
                "Summarize (Hugging Face Inference API)",
                '`InferenceClient(model="http://HOST/hf/summarization").summarization(text)`.',
                "compatibility",
                operationId="hfSummarization",
                requestBody=hf_body,
                responses=ok(_array_of(refs[(HFSummary, "serialization")]), body_codes),
            )
        },
        "/hf/translation": {
            "post": operation(
                "Translate (Hugging Face Inference API)",
                '`InferenceClient(model="http://HOST/hf/translation").translation(text, src_lang="id", '
                'tgt_lang="en")`; two-letter or NLLB codes.',
                "compatibility",
                operationId="hfTranslation",
                requestBody=hf_body,
                responses=ok(_array_of(refs[(HFTranslation, "serialization")]), body_codes),
            )
        },
        "/translate": {
            "post": operation(
                "Translate (LibreTranslate)",
                "LibreTranslate's translate: `q` a text or a list, `source` a code or auto, `target`.",
                "compatibility",
                operationId="libreTranslate",
                requestBody=form_or_json(
                    refs[(LTTranslateRequest, "validation")], {"q": example[:200], "source": "id", "target": "en"}
                ),
                responses=ok({"$ref": refs[(LTTranslateResponse, "serialization")]}, form_codes),
            )
        },
        "/detect": {
            "post": operation(
                "Detect the language (LibreTranslate)",
                "At most one candidate: Ringkas's detector answers with its best guess.",
                "compatibility",
                operationId="libreDetect",
                requestBody=form_or_json(refs[(LTDetectRequest, "validation")], {"q": example[:200]}),
                responses=ok(_array_of(refs[(LTDetection, "serialization")]), form_codes),
            )
        },
        "/languages": {
            "get": operation(
                "Languages (LibreTranslate)",
                "Languages with a two-letter code that the translator accepts, and their targets.",
                "compatibility",
                operationId="libreLanguages",
                responses=ok(_array_of(refs[(LTLanguage, "serialization")]), [429, 503]),
            )
        },
    }


def _plain(summary: str, tag: str, example: dict) -> dict:
    return {
        "summary": summary,
        "tags": [tag],
        "responses": {"200": {"description": "OK", "content": {"application/json": {"example": example}}}},
    }


def _keys_configured(settings: Settings) -> bool:
    return bool(settings.api_keys or settings.api_keys_file)


def _limit_fields(schemas: dict, settings: Settings) -> None:
    """The deployment's limits as schema bounds, so generated clients and fuzzers know them."""
    for name, field, bound in [
        ("SummarizeRequest", "text", settings.max_text_chars),
        ("TranslateRequest", "text", settings.max_translate_chars),
    ]:
        prop = schemas.get(name, {}).get("properties", {}).get(field)
        if prop is not None:
            prop["description"] = f"{prop.get('description', '')} At most {bound} characters.".strip()
    batch = schemas.get("BatchRequest", {}).get("properties", {}).get("items")
    if batch is not None:
        batch["items"] = {"$ref": REF.format(model="BatchItem")}
        batch["maxItems"] = settings.max_batch_items
