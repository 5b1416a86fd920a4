"""Security headers on every response, and CORS for the allowed CMS origins only (flask-cors)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import Flask, Response, request
from flask_cors import CORS

from api.config import Settings

# JSON answers are never rendered as pages, framed or sniffed into something else.
_API_CSP = "default-src 'none'; frame-ancestors 'none'"


def install(app: Flask, settings: Settings) -> None:
    origins = settings.origins()
    if origins:
        CORS(
            app,
            resources={r"/v1/*": {}, r"/hf/*": {}, r"/translate": {}, r"/languages": {}, r"/detect": {}},
            origins=origins,
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            methods=["GET", "POST", "OPTIONS"],
            max_age=600,
            vary_header=True,
        )
    app.after_request(_security_headers)


def _security_headers(response: Response) -> Response:
    headers = response.headers
    if "Location" in headers:
        headers["Location"] = same_site(headers["Location"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    # Pages set their own policy; everything else is data.
    headers.setdefault("Content-Security-Policy", _API_CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    if request.blueprint in ("v1", "hf", "libretranslate") or request.path == "/metrics":
        # Summaries of embargoed articles must not sit in shared caches or proxies.
        headers["Cache-Control"] = "no-store"
    return response


def same_site(location: str) -> str:
    """A Location as a path on this site: a host in it could only have come from the request's Host
    header (a redirect built by a library), which the caller writes."""
    parts = urlsplit(location)
    path = "/" + parts.path.lstrip("/")  # never //host, which browsers read as another site
    return urlunsplit(("", "", path, parts.query, parts.fragment))
