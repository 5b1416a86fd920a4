"""Pages and their assets: the editor's page at /, the embeddable widget, the OpenAPI document and
its Swagger UI. Every asset is served from here: newsroom intranets often have no internet, so
nothing comes from a CDN."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, jsonify
from flask import send_from_directory as _send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

from api.routes import services
from api.routes.declare import unlisted

STATIC = Path(__file__).resolve().parent.parent / "static"
# Pages may run only their own scripts; Swagger UI sets inline styles and data: images.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)

bp = Blueprint("docs", __name__)


def send_from_directory(folder: Path, name: str, **options) -> Response:
    """Werkzeug's, with an ETag from the file's content: its own ends in a hash of the server's
    absolute file path, which a page has no business telling anyone."""
    path = safe_join(str(folder), name)
    if path is None or not Path(path).is_file():
        raise NotFound()
    stat = Path(path).stat()
    return _send_from_directory(folder, name, etag=_content_tag(path, stat.st_mtime_ns, stat.st_size), **options)


@lru_cache(maxsize=64)  # keyed by files that exist in our own folders; a few dozen at most
def _content_tag(path: str, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:32]


def _swagger_assets() -> Path | None:
    try:
        import flask_openapi3_swagger
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"


def page(name: str) -> Response:
    response = send_from_directory(STATIC, name, mimetype="text/html", max_age=0)
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


@bp.get("/")
@unlisted("the editor's page")
def editor():
    return page("index.html")


@bp.get("/favicon.ico")
@unlisted("an asset")
def favicon():
    return send_from_directory(STATIC, "favicon.ico", mimetype="image/vnd.microsoft.icon", max_age=86400)


@bp.get("/widget.js")
@unlisted("the CMS widget's script")
def widget():
    # Loaded by CMS pages on other origins with a plain <script> tag.
    response = send_from_directory(STATIC, "widget.js", mimetype="text/javascript", max_age=300)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/openapi.json")
@unlisted("this document itself")
def openapi():
    return jsonify(services().openapi)


@bp.get("/docs")
@unlisted("the page that shows this document")
def docs():
    return page("docs.html")


@bp.get("/docs/assets/<path:name>")
@unlisted("an asset")
def docs_asset(name: str):
    folder = _swagger_assets()
    if folder is None:
        raise NotFound()
    return send_from_directory(folder, name, max_age=86400)


# The string catalogue the widget imports into CMS pages on other origins: a module fetched with
# CORS, public words only, so any origin may read it (the widget's own origins are checked by /v1).
CATALOGUE = "strings.js"


@bp.get("/static/<path:name>")
@unlisted("an asset")
def static_file(name: str):
    # A module script runs only with a JavaScript type (the nosniff header forbids guessing), whatever
    # this system's mime.types says. Revalidated on every load (no-cache + content ETag): the page's
    # modules change together at a deploy, and a cached old module beside a new one breaks the page.
    mimetype = "text/javascript" if name.endswith(".js") else None
    response = send_from_directory(STATIC, name, mimetype=mimetype, max_age=0)
    if name == CATALOGUE:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
