"""Who may call ``/v1`` and how much: API keys, then per-client request and character limits.

Health, readiness, metrics (its own token) and the docs stay open. Browser preflights (OPTIONS)
pass untouched: they carry no key by design, and CORS answers them.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, g, request

from api.auth import presented_key
from api.logs import fingerprint
from api.routes import services
from api.routes.body import read_fields


def install(app: Flask, blueprints: Iterable[str]) -> None:
    protected = frozenset(blueprints)

    def admit() -> None:
        if request.blueprint in protected and request.method != "OPTIONS":
            _admit()

    app.before_request(admit)


def _admit() -> None:
    current = services()
    if current.keys.enabled:
        g.client = current.keys.identify(presented_key(request.headers) or _body_key())
    else:
        g.client = f"addr-{request.remote_addr or 'unknown'}"
    current.limiter.charge("requests", g.client)


def _body_key() -> str | None:
    """LibreTranslate clients send their key as an ``api_key`` form field or JSON member."""
    if request.blueprint != "libretranslate":
        return None
    key = read_fields().get("api_key")
    return key if isinstance(key, str) and key else None


def charge_text(texts: Iterable[object]) -> None:
    """Count the article characters of this request against the character limit, and note their
    size and fingerprint for the request log (never the text itself)."""
    strings = [text for text in texts if isinstance(text, str)]
    g.text_chars = sum(len(text) for text in strings)
    g.text_sha256 = fingerprint("\x00".join(strings)) if strings else None
    services().limiter.charge("characters", g.get("client", "anonymous"), g.text_chars)


def generation_charge():
    """Chunk mode runs a generation per window: each counts against the client's request limit like
    a request of its own (the request itself was counted on arrival). Made in the request thread, so
    the batch's item threads can call it without Flask's request context."""
    limiter, client = services().limiter, g.get("client", "anonymous")

    def charge(generations: int) -> None:
        limiter.charge("requests", client, generations)

    return charge
