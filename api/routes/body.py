"""Reads a request body as JSON or text/plain into a strict request model."""

from __future__ import annotations

import io
import json
from typing import TypeVar, get_origin
from urllib.parse import parse_qsl

from flask import current_app, g, request
from pydantic import BaseModel, ValidationError
from werkzeug.formparser import parse_form_data

from api.errors import (
    MAX_PROBLEMS,
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
    from_validation_error,
    name_hint,
    quote,
)
from api.routes.declare import Operation, declaration_of
from api.routes.problems import body_limit_setting
from api.schemas import flag
from api.text.charsets import codec_for

Model = TypeVar("Model", bound=BaseModel)


def _is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def declared() -> Operation:
    """The operation the current request's handler declared (routes/declare.py)."""
    found = declaration_of(current_app.view_functions.get(request.endpoint))
    if not isinstance(found, Operation):
        raise LookupError(f"{request.endpoint} declares no operation")
    return found


def refuse_undeclared_query() -> None:
    """Before every request: a query parameter that the route's declaration does not name is a 422
    with the nearest known name, as an unknown JSON member is (``?lenght=short`` must not quietly
    mean medium). The document and the handler read the same declaration, so they cannot drift."""
    operation = declaration_of(current_app.view_functions.get(request.endpoint or ""))
    if not request.args or not isinstance(operation, Operation):
        return
    allowed = list(operation.query.model_fields) if operation.query else []
    in_body = set(operation.body.model_fields) if operation.body else set()
    unknown = [name for name in request.args if name not in allowed]
    if not unknown:
        return
    errors, details = [], []
    for name in unknown[:MAX_PROBLEMS]:
        hint = f"send {quote(name)} in the request body" if name in in_body else name_hint(name, allowed)
        errors.append({"loc": ["query", name], "msg": f"unknown query parameter; {hint}", "type": "extra_forbidden"})
        details.append(f"unknown query parameter {quote(name)}; {hint}")
    raise ValidationFailed("; ".join(details), extra={"errors": errors})


def query_options() -> dict:
    """The declared query model's options from the query string, as values for that model: flag
    words (true/false, 1/0, yes/no, on/off) become booleans."""
    model = declared().query
    fields = model.model_fields if model else {}
    options = {}
    for name, value in request.args.items():
        if name in fields:
            word = flag(value) if fields[name].annotation is bool else None
            options[name] = value if word is None else word
    return options


def read_query(model: type[Model]) -> Model:
    """The declared query model, validated (422s name ``query`` and the option)."""
    if declared().query is not model:
        raise LookupError(f"{request.endpoint} declares another query model than {model.__name__}")
    try:
        return model.model_validate(query_options())
    except ValidationError as exc:
        raise from_validation_error(exc, at=("query",), known=list(model.model_fields)) from None


def _parse_json(raw: bytes) -> object:
    if not raw.strip():
        raise MalformedRequest('the body is empty; send a JSON object such as {"text": "..."}')
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise MalformedRequest("the body is not valid UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise MalformedRequest(
            f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise MalformedRequest("the JSON body is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer literal over Python's 4300-digit limit
        raise MalformedRequest(f"the body is not usable JSON: {str(exc)[:120]}") from None


def _decode_text(raw: bytes, charset: str | None) -> str:
    codec = codec_for(charset)  # text encodings only, from one allow-list
    try:
        return raw.decode(codec)
    except UnicodeDecodeError:
        hint = ""
        if codec == "utf-8":
            hint = "; if it is in another encoding, name it: -H 'Content-Type: text/plain; charset=windows-1252'"
        raise MalformedRequest(f"the body is not valid {codec}{hint}") from None


def read_body() -> bytes:
    """The body, never more than the configured limit.

    With a Content-Length, the length was checked before reading. A chunked body has none, and
    Werkzeug's max-length stream then stops at the limit without an error: the article would be
    cut silently. So read one byte past the limit and refuse the request if it is there.
    """
    limit = request.max_content_length
    if request.content_length is not None or limit is None or not request.environ.get("wsgi.input_terminated"):
        return request.get_data(cache=False)
    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        setting = body_limit_setting()
        raise PayloadTooLarge(f"the chunked request body is larger than the limit of {limit} bytes ({setting})")
    return data


class _Capped(io.RawIOBase):
    """A request body read as it arrives, refused (413) the moment it passes the limit."""

    def __init__(self, raw, limit: int):
        self.raw, self.limit, self.seen = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(min(len(buffer), self.limit + 1 - self.seen))
        self.seen += len(data)
        if self.seen > self.limit:
            setting = body_limit_setting()
            raise PayloadTooLarge(f"the request body is larger than the limit of {self.limit} bytes ({setting})")
        buffer[: len(data)] = data
        return len(data)


def body_stream() -> io.BufferedReader:
    """The body as a stream, for a parser that stops early (an archive job over its item cap): never
    more than the limit is read, and a chunked body past it is refused, not cut."""
    limit = request.max_content_length
    chunked = request.content_length is None and request.environ.get("wsgi.input_terminated")
    raw = request.environ["wsgi.input"] if chunked else request.stream
    return io.BufferedReader(_Capped(raw, limit if limit is not None else 2**62), 64 * 1024)


def _takes_a_list(model: type[BaseModel], field: str) -> bool:
    """The body field holds several articles (batch, digest): a raw text body cannot fill it."""
    return get_origin(model.model_fields[field].annotation) is list


def read_request(model: type[Model], body_field: str = "text", html_field: str | None = None) -> Model:
    mimetype = request.mimetype
    if _is_json(mimetype):
        data = _parse_json(read_body())
        if not isinstance(data, dict):
            raise ValidationFailed(
                f"the JSON body must be an object with {'an' if body_field[0] in 'aeiou' else 'a'} {body_field!r} "
                f"field, not {type(data).__name__}"
            )
        payload = {**query_options(), **data}
    elif mimetype in ("text/plain", "text/html") and _takes_a_list(model, body_field):
        raise UnsupportedMediaType(
            f"Content-Type {quote(mimetype)} is one article; this route takes several, as JSON "
            f'{{"{body_field}": [{{"text": ...}}, ...]}} with -H \'Content-Type: application/json\''
        )
    elif mimetype == "text/plain" or (mimetype == "text/html" and html_field):
        text = _decode_text(read_body(), request.mimetype_params.get("charset"))
        field = html_field if mimetype == "text/html" else body_field
        payload = {**query_options(), field: text}
    else:
        shown = f"Content-Type {quote(mimetype)} is not supported" if mimetype else "no Content-Type header"
        raise UnsupportedMediaType(
            f"{shown}; send application/json, "
            "or the raw text with -H 'Content-Type: text/plain'" + (" (or text/html)" if html_field else "")
        )
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        problem = from_validation_error(exc, known=list(model.model_fields))
        unknown = any(error["type"] == "extra_forbidden" for error in problem.extra["errors"])
        if html_field and unknown and payload.get(body_field) is None and payload.get(html_field) is None:
            # {"txt": ...}: the unknown member is reported, and so is what the article is missing.
            missing = f"give the article as {body_field!r} or {html_field!r}"
            problem.extra["errors"].insert(0, {"loc": [body_field], "msg": missing, "type": "missing"})
            problem.detail = f"{missing}; {problem.detail}"
        raise problem from None


def read_fields() -> dict:
    """A JSON object or form fields (urlencoded or multipart), as LibreTranslate clients send them,
    read once per request with the same reader and limit as ``/v1`` (a chunked body past the limit
    is a 413, never cut) and kept for the request: the key check and the handler both look."""
    if "fields" in g:
        return g.fields
    raw = read_body()
    if _is_json(request.mimetype):
        data = _parse_json(raw)
        if not isinstance(data, dict):
            raise MalformedRequest("the body must be a JSON object or form fields")
    elif request.mimetype == "multipart/form-data":
        environ = {**request.environ, "wsgi.input": io.BytesIO(raw), "CONTENT_LENGTH": str(len(raw))}
        environ.pop("wsgi.input_terminated", None)
        data = parse_form_data(environ, max_content_length=len(raw))[1].to_dict()
    else:
        data = dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
    g.fields = data
    return data
