"""Endpoints that existing clients already speak, so CMS plugins written for them work unchanged:

- Hugging Face Inference API: point ``InferenceClient(model="http://HOST/hf/summarization")`` (or
  ``/hf/translation``) at Ringkas; ``summarization()`` and ``translation()`` then work as they are.
- LibreTranslate: point ``LibreTranslateAPI("http://HOST/")`` at Ringkas; ``translate()``,
  ``languages()`` and ``detect()`` work, with two-letter codes, ``source="auto"`` and ``api_key``.

They are thin adapters onto the same pipeline, limits and keys as ``/v1``.
"""

from __future__ import annotations

from typing import TypeVar

from flask import Blueprint, jsonify
from pydantic import BaseModel, ValidationError

from api.errors import PayloadTooLarge, ValidationFailed, from_validation_error, quote
from api.routes import pipeline, services
from api.routes.body import read_fields, read_request
from api.routes.declare import Answer, Operation, declare
from api.routes.guard import caller, charge_text
from api.schemas import (
    HFRequest,
    HFSummary,
    HFTranslation,
    LTDetection,
    LTDetectRequest,
    LTLanguage,
    LTTranslateRequest,
    LTTranslateResponse,
    SummarizeRequest,
    TranslateRequest,
)
from api.text.language import iso_code, language_name, to_nllb

Model = TypeVar("Model", bound=BaseModel)
hf = Blueprint("hf", __name__, url_prefix="/hf")
libretranslate = Blueprint("libretranslate", __name__)
COMPAT_BLUEPRINTS = (hf.name, libretranslate.name)


def _nllb(code: object, default: str, field: str) -> str:
    """An NLLB code as given, or the NLLB code of a two-letter ISO code."""
    if code is None or code == "":
        return default
    if not isinstance(code, str):
        raise ValidationFailed.at(field, f"{field} must be a language code string")
    mapped = to_nllb(code)
    if mapped == code and "_" not in code:
        raise ValidationFailed.at(field, f"unknown language code {quote(code)}; use a two-letter code or an NLLB code")
    return mapped


BODY_PROBLEMS = (400, 413, 415, 422, 429, 503)
FORM_PROBLEMS = (400, 413, 422, 429, 503)  # form or JSON: any other type is read as an empty form


# --- Hugging Face Inference API ---------------------------------------------------------------
@hf.post("/summarization")
@declare(
    Operation(
        id="hfSummarization",
        summary="Summarize (Hugging Face Inference API)",
        tag="compatibility",
        description='`InferenceClient(model="http://HOST/hf/summarization").summarization(text)`.',
        answer=Answer(HFSummary, many=True),
        body=HFRequest,
        problems=BODY_PROBLEMS,
        scope="summarize",
    )
)
def hf_summarization():
    payload = read_request(HFRequest, body_field="inputs")
    params = payload.parameters or {}
    charge_text([payload.inputs])
    # Decoding comes from Ringkas's presets; HF's generate_parameters are not passed through.
    request_model = _validated(SummarizeRequest, text=payload.inputs, length=params.get("length"))
    result = pipeline().summarize(request_model, caller=caller())
    return jsonify([HFSummary(summary_text=result.summary.text).model_dump()])


@hf.post("/translation")
@declare(
    Operation(
        id="hfTranslation",
        summary="Translate (Hugging Face Inference API)",
        tag="compatibility",
        description='`InferenceClient(model="http://HOST/hf/translation").translation(text, src_lang="id", '
        'tgt_lang="en")`; two-letter or NLLB codes.',
        answer=Answer(HFTranslation, many=True),
        body=HFRequest,
        problems=BODY_PROBLEMS,
        scope="translate",
    )
)
def hf_translation():
    payload = read_request(HFRequest, body_field="inputs")
    params = payload.parameters or {}
    charge_text([payload.inputs])
    request_model = _validated(
        TranslateRequest,
        text=payload.inputs,
        source_lang=_nllb(params.get("src_lang"), "ind_Latn", "parameters.src_lang"),
        target_lang=_nllb(params.get("tgt_lang"), "eng_Latn", "parameters.tgt_lang"),
    )
    result = pipeline().translate(request_model)
    return jsonify([HFTranslation(translation_text=result.translation.text).model_dump()])


def _validated(model: type[Model], **values) -> Model:
    try:
        return model.model_validate({key: value for key, value in values.items() if value is not None})
    except ValidationError as exc:
        raise from_validation_error(exc) from None


# --- LibreTranslate ---------------------------------------------------------------------------
def _lt_request(model: type[Model]) -> Model:
    """LibreTranslate clients send form fields (libretranslatepy) or a JSON object."""
    return _validated(model, **read_fields())


@libretranslate.route("/languages", methods=["GET", "POST"])
@declare(
    Operation(
        id="libreLanguages",
        summary="Languages (LibreTranslate)",
        tag="compatibility",
        description="Languages with a two-letter code that the translator accepts, and their targets.",
        answer=Answer(LTLanguage, many=True),
        problems=(429, 503),
        scope="translate",
    )
)
def lt_languages():
    scheme = pipeline().translator.scheme
    targets = [iso for iso in map(iso_code, scheme.targets) if iso]
    listing = [
        LTLanguage(code=iso, name=language_name(code), targets=[t for t in targets if t != iso])
        for code in scheme.sources
        if (iso := iso_code(code))
    ]
    return jsonify([entry.model_dump() for entry in listing])


@libretranslate.post("/detect")
@declare(
    Operation(
        id="libreDetect",
        summary="Detect the language (LibreTranslate)",
        tag="compatibility",
        description="At most one candidate: Ringkas's detector answers with its best guess.",
        answer=Answer(LTDetection, many=True),
        body=LTDetectRequest,
        form=True,
        example=lambda text: {"q": text[:200]},
        problems=FORM_PROBLEMS,
        scope="translate",
    )
)
def lt_detect():
    payload = _lt_request(LTDetectRequest)
    charge_text([payload.q])
    detected = pipeline().detector.detect(payload.q)
    if detected.code is None:
        return jsonify([])
    return jsonify(
        [
            LTDetection(
                confidence=round(detected.confidence * 100, 1), language=iso_code(detected.code) or detected.code
            ).model_dump()
        ]
    )


@libretranslate.post("/translate")
@declare(
    Operation(
        id="libreTranslate",
        summary="Translate (LibreTranslate)",
        tag="compatibility",
        description="LibreTranslate's translate: `q` a text or a list, `source` a code or auto, `target`.",
        answer=Answer(LTTranslateResponse),
        body=LTTranslateRequest,
        form=True,
        example=lambda text: {"q": text[:200], "source": "id", "target": "en"},
        problems=FORM_PROBLEMS,
        scope="translate",
    )
)
def lt_translate():
    payload = _lt_request(LTTranslateRequest)
    texts = payload.q if isinstance(payload.q, list) else [payload.q]
    if not texts or not all(text.strip() for text in texts):
        raise ValidationFailed.at("q", "q must be a non-empty string or a list of them")
    if payload.format != "text":
        raise ValidationFailed.at("format", "only format=text is supported; send the text without markup")
    settings = services().settings
    most, total = settings.limits.max_batch_items, 4 * settings.limits.max_translate_chars
    if len(texts) > most:
        raise PayloadTooLarge(
            f"q holds {len(texts)} texts; at most {most} per request (RINGKAS_LIMITS__MAX_BATCH_ITEMS)"
        )
    if sum(map(len, texts)) > total:
        raise PayloadTooLarge(
            f"q holds {sum(map(len, texts))} characters in all; at most {total} per request "
            "(4 x RINGKAS_LIMITS__MAX_TRANSLATE_CHARS)"
        )
    charge_text(texts)
    ringkas = pipeline()
    detected = None
    if payload.source == "auto":
        found = ringkas.detector.detect(" ".join(texts))
        if found.code is None:
            raise ValidationFailed.at("source", "the language of q cannot be told; give source")
        source_lang = found.code
        detected = LTDetection(confidence=round(found.confidence * 100, 1), language=iso_code(found.code) or found.code)
    else:
        source_lang = _nllb(payload.source, "ind_Latn", "source")
    target_lang = _nllb(payload.target, "eng_Latn", "target")
    requests = [_validated(TranslateRequest, text=t, source_lang=source_lang, target_lang=target_lang) for t in texts]
    translated = [result.translation.text for result in ringkas.translate_many(requests)]
    body = LTTranslateResponse(
        translatedText=translated if isinstance(payload.q, list) else translated[0], detectedLanguage=detected
    )
    return jsonify(body.model_dump(exclude_none=True))
