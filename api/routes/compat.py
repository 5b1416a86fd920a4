"""Endpoints that existing clients already speak, so CMS plugins written for them work unchanged:

- Hugging Face Inference API: point ``InferenceClient(model="http://HOST/hf/summarization")`` (or
  ``/hf/translation``) at Ringkas; ``summarization()`` and ``translation()`` then work as they are.
- LibreTranslate: point ``LibreTranslateAPI("http://HOST/")`` at Ringkas; ``translate()``,
  ``languages()`` and ``detect()`` work, with two-letter codes, ``source="auto"`` and ``api_key``.

They are thin adapters onto the same pipeline, limits and keys as ``/v1``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

from api.errors import MalformedRequest, ValidationFailed, from_validation_error
from api.routes import pipeline
from api.routes.body import read_request
from api.routes.guard import charge_text
from api.schemas import SummarizeRequest, TranslateRequest
from api.text.language import iso_codes, language_name

hf = Blueprint("hf", __name__, url_prefix="/hf")
libretranslate = Blueprint("libretranslate", __name__)
COMPAT_BLUEPRINTS = (hf.name, libretranslate.name)


def _nllb(code: str | None, default: str, field: str) -> str:
    """An NLLB code as given, or the NLLB code of a two-letter ISO code."""
    if not code:
        return default
    if "_" in code:
        return code
    mapped = iso_codes().get(code.lower())
    if mapped is None:
        raise _invalid(field, f"unknown language code {code!r}; use a two-letter code or an NLLB code")
    return mapped


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, extra={"errors": [{"loc": [field], "msg": message, "type": "value_error"}]})


# --- Hugging Face Inference API ---------------------------------------------------------------
class HFRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")  # clients add fields such as "options"

    inputs: StrictStr
    parameters: dict[str, Any] | None = None


@hf.post("/summarization")
def hf_summarization():
    payload = read_request(HFRequest, body_field="inputs")
    params = payload.parameters or {}
    charge_text([payload.inputs])
    # Decoding comes from Ringkas's presets; HF's generate_parameters are not passed through.
    request_model = _validated(SummarizeRequest, text=payload.inputs, length=params.get("length"))
    result = pipeline().summarize(request_model)
    return jsonify([{"summary_text": result.summary.text}])


@hf.post("/translation")
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
    return jsonify([{"translation_text": result.translation.text}])


def _validated(model: type[BaseModel], **values) -> BaseModel:
    try:
        return model.model_validate({key: value for key, value in values.items() if value is not None})
    except ValidationError as exc:
        raise from_validation_error(exc) from None


# --- LibreTranslate ---------------------------------------------------------------------------
def _lt_params() -> dict[str, Any]:
    """LibreTranslate clients send form fields (libretranslatepy) or a JSON object."""
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise MalformedRequest("the body must be a JSON object or form fields")
        return data
    return request.form.to_dict()


def _iso(nllb_code: str | None) -> str | None:
    return {nllb: iso for iso, nllb in iso_codes().items()}.get(nllb_code or "")


@libretranslate.route("/languages", methods=["GET", "POST"])
def lt_languages():
    scheme = pipeline().translator.scheme
    targets = [_iso(code) for code in scheme.targets if _iso(code)]
    listing = [
        {"code": _iso(code), "name": language_name(code), "targets": [t for t in targets if t != _iso(code)]}
        for code in scheme.sources
        if _iso(code)
    ]
    return jsonify(listing)


@libretranslate.post("/detect")
def lt_detect():
    text = _lt_params().get("q")
    if not isinstance(text, str) or not text.strip():
        raise _invalid("q", "q must be a non-empty string")
    charge_text([text])
    detected = pipeline().detector.detect(text)
    if detected.code is None:
        return jsonify([])
    return jsonify([{"confidence": round(detected.confidence * 100, 1), "language": _iso(detected.code)}])


@libretranslate.post("/translate")
def lt_translate():
    params = _lt_params()
    q = params.get("q")
    texts = q if isinstance(q, list) else [q]
    if not texts or not all(isinstance(t, str) and t.strip() for t in texts):
        raise _invalid("q", "q must be a non-empty string or a list of them")
    if params.get("format", "text") != "text":
        raise _invalid("format", "only format=text is supported; send the text without markup")
    charge_text(texts)
    ringkas = pipeline()
    source, detected = params.get("source") or "auto", None
    if source == "auto":
        found = ringkas.detector.detect(" ".join(texts))
        if found.code is None:
            raise _invalid("source", "the language of q cannot be told; give source")
        source_lang = found.code
        detected = {"confidence": round(found.confidence * 100, 1), "language": _iso(found.code)}
    else:
        source_lang = _nllb(source, "ind_Latn", "source")
    target_lang = _nllb(params.get("target"), "eng_Latn", "target")
    translated = [
        ringkas.translate(
            _validated(TranslateRequest, text=t, source_lang=source_lang, target_lang=target_lang)
        ).translation.text
        for t in texts
    ]
    body: dict[str, Any] = {"translatedText": translated if isinstance(q, list) else translated[0]}
    if detected is not None:
        body["detectedLanguage"] = detected
    return jsonify(body)
