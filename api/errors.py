"""One error hierarchy for every layer; the HTTP layer renders it as RFC 9457 problem+json.

Lower layers raise these with plain words; they never carry article text (it may be embargoed).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

PROBLEM_BASE = "https://ringkas.dev/problems/"

# Output is bounded by input: every problem lists at most this many field errors and quotes at most
# this many characters of any one thing the caller sent (a member name, a charset, a column).
MAX_PROBLEMS = 10
MAX_QUOTED_CHARS = 40
MAX_DETAIL_CHARS = 600  # a problem's own prose, quotes included
MAX_LOC_PARTS = 8


def quote(value: object, limit: int = MAX_QUOTED_CHARS) -> str:
    """``repr`` of something the caller sent, cut to ``limit`` characters: an error names what was
    wrong without echoing a megabyte back."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        return repr(text[:limit]) + f"... ({len(text)} characters)"
    return repr(text)


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def bounded(problem: dict[str, Any]) -> dict[str, Any]:
    """A problem body within fixed caps, whatever built it: the one place every problem (HTTP
    answers, batch items, job results) passes through, so no builder can echo input at length."""
    out = dict(problem)
    if isinstance(out.get("detail"), str):
        out["detail"] = cut(out["detail"], MAX_DETAIL_CHARS)
    errors = out.get("errors")
    if isinstance(errors, list):
        kept = []
        for err in errors[:MAX_PROBLEMS]:
            loc = [
                cut(part, MAX_QUOTED_CHARS) if isinstance(part, str) else part
                for part in list(err.get("loc", []))[:MAX_LOC_PARTS]
            ]
            kept.append({**err, "loc": loc, "msg": cut(str(err.get("msg", "")), MAX_DETAIL_CHARS // 2)})
        out["errors"] = kept
        if len(errors) > MAX_PROBLEMS:
            out["errors_omitted"] = len(errors) - MAX_PROBLEMS
    for key, value in out.items():
        if key not in ("errors",) and isinstance(value, str):
            out[key] = cut(value, MAX_DETAIL_CHARS)
    return out


class RingkasError(Exception):
    """Base: ``status`` and ``slug`` decide the HTTP answer, ``detail`` is shown to the caller."""

    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, *, extra: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.extra = extra or {}
        self.headers = headers or {}

    @property
    def type(self) -> str:
        return PROBLEM_BASE + self.slug

    def to_problem(self) -> dict[str, Any]:
        """The problem+json body, without the request id (the HTTP layer adds it)."""
        return bounded(
            {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail, **self.extra}
        )


class MalformedRequest(RingkasError):
    status, slug, title = 400, "malformed-request", "Malformed request"


class PayloadTooLarge(RingkasError):
    status, slug, title = 413, "payload-too-large", "Payload too large"


class UnsupportedMediaType(RingkasError):
    status, slug, title = 415, "unsupported-media-type", "Unsupported media type"


class ValidationFailed(RingkasError):
    status, slug, title = 422, "validation-failed", "Request cannot be served"

    @classmethod
    def at(cls, loc: list | str, message: str, kind: str = "value_error") -> ValidationFailed:
        """A 422 about one field (``loc``: its path, or a top-level field's name), in the same shape
        as pydantic's errors."""
        loc = [loc] if isinstance(loc, str) else loc
        return cls(message, extra={"errors": [{"loc": loc, "msg": message, "type": kind}]})


class ItemPoisoned(RingkasError):
    """A job item whose worker died every time it was summarized: given up, so the rest can finish."""

    status, slug, title = 500, "item-poisoned", "Item stopped its worker"


class ItemFaulted(RingkasError):
    """A job item whose run raised something that is not a problem of the item (a fault): failed
    alone, named by the exception's type only (its text could quote the article)."""

    status, slug, title = 500, "item-failed", "Item could not be summarized"

    def __init__(self, fault: str, *, given_up: bool = False):
        why = "its chunk failed every time it was retried" if given_up else "summarizing it failed"
        super().__init__(f"{why} ({fault}); it was given up so the job can end")


class ItemLost(RingkasError):
    """A job item whose input is gone from the job store before a worker ran it."""

    status, slug, title = 500, "item-lost", "Item input lost"


def name_hint(name: str, known: Sequence[str]) -> str:
    """For an unknown field or option: the nearest known name, or the known names. A name longer
    than any field could be is not compared (difflib is quadratic in it)."""
    close = difflib.get_close_matches(name, list(known), n=1) if len(name) <= MAX_QUOTED_CHARS else []
    return f"did you mean {close[0]!r}?" if close else f"known: {', '.join(known[:MAX_PROBLEMS]) or 'none'}"


def from_validation_error(exc: Any, at: tuple[str, ...] = (), known: Sequence[str] = ()) -> ValidationFailed:
    """A pydantic ValidationError as a 422 naming each bad field and why, without echoing the input
    back. ``at`` is where the validated object sits (``("query",)``, ``("defaults",)``); ``known``
    are its field names, for a "did you mean" on an unknown one (as the query string gets)."""
    errors = []
    found = exc.errors(include_url=False, include_input=False, include_context=False)
    for err in found[:MAX_PROBLEMS]:
        message = err["msg"].removeprefix("Value error, ")
        name = err["loc"][-1] if err["loc"] else None
        if err["type"] == "extra_forbidden" and isinstance(name, str):
            message = f"unknown field; {name_hint(name, known)}" if known else "unknown field"
        errors.append({"loc": [*at, *err["loc"]], "msg": message, "type": err["type"]})
    errors = bounded({"errors": errors})["errors"]
    details = "; ".join(f"{'.'.join(map(str, err['loc'])) or 'body'}: {err['msg']}" for err in errors[:3])
    more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
    extra: dict[str, Any] = {"errors": errors}
    if len(found) > MAX_PROBLEMS:
        extra["errors_omitted"] = len(found) - MAX_PROBLEMS
    return ValidationFailed(f"invalid request: {details}{more}", extra=extra)


class Unauthorized(RingkasError):
    status, slug, title = 401, "unauthorized", "API key required"

    def __init__(self, detail: str):
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="ringkas"'})


class Forbidden(RingkasError):
    status, slug, title = 403, "forbidden", "API key not accepted"


class NotFound(RingkasError):
    status, slug, title = 404, "not-found", "Not found"


class RateLimited(RingkasError):
    status, slug, title = 429, "rate-limited", "Rate limit reached"

    def __init__(self, detail: str, *, retry_after: int, extra: dict[str, Any] | None = None):
        super().__init__(detail, extra=extra, headers={"Retry-After": str(retry_after)})


class InsufficientStorage(RingkasError):
    """507: a store is full (a key's quota of job results, or Redis at its maxmemory)."""

    status, slug, title = 507, "insufficient-storage", "Storage full"

    def __init__(self, detail: str, *, retry_after: int = 60, extra: dict[str, Any] | None = None):
        super().__init__(detail, extra=extra, headers={"Retry-After": str(retry_after)})


class Unavailable(RingkasError):
    """503: the caller should come back later; ``retry_after`` seconds go into Retry-After."""

    status, slug, title = 503, "unavailable", "Service unavailable"

    def __init__(self, detail: str, *, retry_after: int = 5, extra: dict[str, Any] | None = None):
        super().__init__(detail, extra=extra, headers={"Retry-After": str(retry_after)})


class NotReady(Unavailable):
    slug, title = "not-ready", "Models are not ready"


class Overloaded(Unavailable):
    slug, title = "overloaded", "Too many requests in the queue"


class DeadlineExceeded(Unavailable):
    slug, title = "deadline-exceeded", "Request took longer than its deadline"


class EngineUnavailable(RingkasError):
    """A configured engine option cannot run on this machine; raised at start-up, shown by ``/readyz``."""

    status, slug, title = 503, "engine-unavailable", "Inference engine unavailable"


class ModelUnavailable(RingkasError):
    """A configured model cannot be loaded; raised at start-up, shown by ``/readyz`` and the CLI."""

    status, slug, title = 503, "model-unavailable", "Model unavailable"

    FETCH_HINT = (
        "Download it first with `ringkas fetch-models` (or mount it and point {setting} at the folder); "
        "to try Ringkas without the real models, add `--demo` (tiny random models, gibberish output)."
    )

    FOLDER_HINT = (
        "Point {setting} at a folder that holds the checkpoint (its config.json), or at a hub id and run "
        "`ringkas fetch-models`; to try Ringkas without the real models, add `--demo`."
    )

    def __init__(
        self, ref: str, revision: str | None, reason: str, hint: str | None = None, setting: str | None = None
    ):
        at = f" at revision {revision}" if revision else ""
        hint = hint or self.FETCH_HINT.format(setting=setting or "the model's setting")
        super().__init__(f"model {ref!r}{at} could not be loaded: {reason}. {hint}")
        self.ref = ref
        self.reason = reason
