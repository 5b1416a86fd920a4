"""RFC 9457 problem+json for every error, request ids on every response, no stack trace ever."""

from __future__ import annotations

import logging
import re
import time
import traceback
import uuid

from flask import Flask, Response, g, json, request
from gunicorn.http.errors import NoMoreData, ParseException
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wsgi import get_input_stream

from api.errors import PayloadTooLarge, RingkasError, bounded, cut
from api.routes import services

log = logging.getLogger("ringkas.http")
PROBLEM_TYPE = "application/problem+json"
# Echo a caller's id only if it is short and harmless in logs and headers.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


def request_id() -> str:
    if "request_id" not in g:
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
    return g.request_id


def problem(
    status: int, title: str, detail: str, type_: str = "about:blank", extra: dict | None = None, headers=None
) -> Response:
    rid = request_id()
    body = {"type": type_, "title": title, "status": status, "detail": detail, "instance": f"urn:request:{rid}"}
    body["request_id"] = rid
    body.update(extra or {})
    body = bounded(body)
    if request.blueprint in ("hf", "libretranslate"):
        body["error"] = detail  # what Hugging Face and LibreTranslate clients read
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_TYPE)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _ringkas_error(exc: RingkasError) -> Response:
    if exc.status in (401, 403, 429) or exc.status >= 503:
        _metrics().refused(exc.slug)
    return problem(exc.status, exc.title, exc.detail, exc.type, exc.extra, exc.headers)


def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    if code == 413:
        return _ringkas_error(PayloadTooLarge(f"the request body is larger than the limit ({body_limit_setting()})"))
    headers = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    path = cut(request.path, 80)  # the caller's own path, not echoed at length
    detail = {404: f"no such endpoint: {path}", 405: f"{cut(request.method, 20)} is not allowed on {path}"}
    return problem(code, exc.name, detail.get(code, exc.description or exc.name), headers=headers)


# gunicorn's own, raised while a handler reads the body: a malformed chunk, a client gone mid-body.
BODY_ERRORS = (NoMoreData, ParseException)


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, BODY_ERRORS):  # the caller's bytes, not our bug: a 400, never an alert's 500
        return problem(400, "Bad Request", "the request body was cut off or its chunked encoding is malformed")
    # Logged with the id so an operator can find it; the caller gets no internals. The exception's
    # message is left out: a library may quote its input, and the input is unpublished text.
    log.error(
        "unhandled %s",
        type(exc).__name__,
        extra={"request_id": request_id(), "traceback": "".join(traceback.format_tb(exc.__traceback__))},
    )
    return problem(500, "Internal Server Error", "an unexpected error occurred; quote the request id to the operator")


def body_limit_setting() -> str:
    """The setting that raises this request's body limit."""
    job = request.blueprint == "jobs" and request.method == "POST"
    return "RINGKAS_JOBS__MAX_BYTES" if job else "RINGKAS_LIMITS__MAX_BODY_BYTES"


def _check_length() -> None:
    """Refuse an oversized body from its Content-Length, before a byte of it is read."""
    request_id()
    g.started = time.perf_counter()
    if request.blueprint == "jobs" and request.method == "POST":
        # An archive is larger than one article: a job has its own body limit.
        request.max_content_length = services().settings.jobs.max_bytes
    limit = request.max_content_length
    if limit is not None and request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(
            f"the request body has {request.content_length} bytes; the limit is {limit} ({body_limit_setting()})"
        )


PROBES = frozenset({"/healthz", "/readyz"})  # polled every few seconds by load balancers and scripts
# An unread body is read and dropped up to the route's limit plus this much (nginx's 1m is a little
# over RINGKAS_LIMITS__MAX_BODY_BYTES's 1,000,000); past that the connection is closed instead.
DRAIN_SLACK = 1 << 20


def discard_unread_body() -> bool:
    """Read and drop what is left of the request body, so an early answer (a 401 before the body
    was read) arrives as itself. gunicorn drains at most 64 KB of an unread body and then closes
    the connection with the rest unread, which resets it: nginx, still writing the body, answers
    502 instead. False when the body is too large to drain (the connection then closes)."""
    if "wsgi.input" not in request.environ or request.method in ("GET", "HEAD", "OPTIONS"):
        return True
    # The stream the handler read from, where it stopped (werkzeug caches it), else a new one bounded
    # by Content-Length: the raw wsgi.input of a server that does not end it (werkzeug's own) would
    # block here until the client gave up.
    stream = request.__dict__.get("stream") or get_input_stream(request.environ, max_content_length=None)
    budget = (request.max_content_length or 0) + DRAIN_SLACK
    if request.content_length is not None and request.content_length > budget:
        return False
    try:
        while budget > 0:
            data = stream.read(min(64 * 1024, budget))
            if not data:
                return True
            budget -= len(data)
    except (OSError, ValueError, ParseException):  # the client went away, or a chunked body was malformed
        return False
    return False


def _finish(response: Response) -> Response:
    if not discard_unread_body():
        response.headers["Connection"] = "close"
    response.headers["X-Request-ID"] = request_id()
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule else "unmatched"  # bounded label set
    _metrics().request(route, request.method, response.status_code, elapsed)
    if route in PROBES and not services().settings.logs.health_probes:
        return response
    # Never the body: articles may be embargoed. Sizes, a fingerprint, status and ids only.
    log.info(
        "%s %s %s",
        request.method,
        route,  # the route's pattern: a path (a job id, an unknown page) is the caller's own text
        response.status_code,
        extra={
            "request_id": request_id(),
            "route": route,
            "status": response.status_code,
            "ms": round(elapsed * 1000, 1),
            "bytes_in": request.content_length,
            "chars": g.get("text_chars"),
            "text_sha256": g.get("text_sha256"),
            "client": g.get("client"),
        },
    )
    return response


def _metrics():
    return services().metrics


def install(app: Flask) -> None:
    app.before_request(_check_length)
    app.after_request(_finish)
    app.register_error_handler(RingkasError, _ringkas_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
