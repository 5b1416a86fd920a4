"""Who may call ``/v1`` and how much: API keys, then per-client request and character limits.

Health, readiness, metrics (its own token) and the docs stay open. Browser preflights (OPTIONS)
pass untouched: they carry no key by design, and CORS answers them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from flask import Flask, current_app, g, request

from api.auth import SCOPES, presented_key
from api.errors import Forbidden, RateLimited
from api.logs import fingerprint
from api.pipeline import Caller
from api.routes import services
from api.routes.body import read_fields
from api.routes.declare import EVERY_SCOPE, Operation, declaration_of
from api.text.normalize import expanded_length

Checked = TypeVar("Checked")


def install(app: Flask, blueprints: Iterable[str]) -> None:
    protected = frozenset(blueprints)

    def admit() -> None:
        if request.blueprint in protected and request.method != "OPTIONS":
            _admit()

    app.before_request(admit)


def checked_secret(check: Callable[[], Checked]) -> Checked:
    """Runs a secret check (an API key, the metrics token, any added later): every wrong secret
    counts toward the address's failure limit (RINGKAS_AUTH_FAILURE_LIMIT), so guessing one from an
    address soon gets 429s instead of answers. A request that sends none (401) guesses nothing and
    counts nothing: keyless traffic from a shared address must not lock out the keys behind it."""
    limiter = services().limiter
    address = f"addr-{request.remote_addr or 'unknown'}"
    limiter.refuse_if_used_up("auth-failures", address)
    try:
        return check()
    except Forbidden:
        try:
            limiter.charge("auth-failures", address)
        except RateLimited:
            pass
        raise


def _admit() -> None:
    current = services()
    if current.keys.enabled:
        key = checked_secret(lambda: current.keys.identify(presented_key(request.headers) or _body_key()))
        if not _in_scope(key, request.endpoint):
            raise Forbidden(f"this API key may only {' and '.join(sorted(key.scopes))}")
        if not key.admits_origin(request.headers.get("Origin")):
            raise Forbidden("this API key serves pages on its own origins only")
        g.key, g.client = key, key.name
    else:
        g.key, g.client = None, f"addr-{request.remote_addr or 'unknown'}"
    charge("requests")


def _in_scope(key, endpoint: str | None) -> bool:
    """The scope the route declared (routes/declare.py); a route without one needs every scope."""
    if endpoint is None:  # no route: the 404 says so
        return True
    operation = declaration_of(current_app.view_functions.get(endpoint))
    scope = operation.scope if isinstance(operation, Operation) else EVERY_SCOPE
    if scope == EVERY_SCOPE:
        return key.scopes == frozenset(SCOPES)
    return key.allows(scope)


def _own_limit(kind: str) -> str | None:
    """The calling key's own limit of this kind, if it has one."""
    key = g.get("key")
    if key is None:
        return None
    return key.rate if kind == "requests" else key.chars


def charge(kind: str, cost: int = 1) -> None:
    """Count against the caller's limit: its key's own, or the service's."""
    services().limiter.charge(kind, g.get("client", "anonymous"), cost, _own_limit(kind))


def _body_key() -> str | None:
    """LibreTranslate clients send their key as an ``api_key`` form field or JSON member."""
    if request.blueprint != "libretranslate":
        return None
    key = read_fields().get("api_key")
    return key if isinstance(key, str) and key else None


def charge_text(texts: Iterable[object]) -> None:
    """Count the article characters of this request against the character limit, and note their
    size and fingerprint for the request log (never the text itself). Characters are counted as the
    tokenizer will read them, after NFKC (one U+FDFA is 18)."""
    strings = [text for text in texts if isinstance(text, str)]
    g.text_chars = sum(map(expanded_length, strings))
    g.text_sha256 = fingerprint("\x00".join(strings), services().fingerprint_key) if strings else None
    charge("characters", g.text_chars)


def caller() -> Caller:
    """This request's tenant (its key's name; everyone's "public" with keys off, as for jobs) and
    the charge for chunk mode's generations."""
    from api.routes.problems import request_id

    tenant = g.client if services().keys.enabled else "public"
    # A raw text/plain or text/html body takes its options in the query string; hints say so.
    options = "json" if request.is_json or request.mimetype.endswith("form-urlencoded") else "query"
    return Caller(tenant=tenant, charge=generation_charge(), request_id=request_id(), options=options)


def generation_charge():
    """Chunk mode runs a generation per window: each counts against the client's request limit like
    a request of its own (the request itself was counted on arrival). Made in the request thread, so
    the batch's item threads can call it without Flask's request context."""
    limiter, client, own = services().limiter, g.get("client", "anonymous"), _own_limit("requests")

    def count(generations: int) -> None:
        limiter.charge("requests", client, generations, own)

    return count
