"""The app factory: settings -> services (runtime, metrics, keys, limits) -> blueprints. The only wiring point."""

from __future__ import annotations

import secrets

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from api import logs
from api.auth import KeyRing
from api.config import Settings
from api.metrics import Metrics
from api.ratelimit import RateLimiter
from api.routes import EXTENSION, Services, body, compat, docs, guard, headers, health, jobs, ops, problems, v1
from api.routes.openapi import build as build_openapi
from api.runtime import Runtime

BLUEPRINTS = (health.bp, ops.bp, docs.bp, v1.bp, jobs.bp, compat.hf, compat.libretranslate)
GUARDED = (v1.bp.name, jobs.bp.name, *compat.COMPAT_BLUEPRINTS)  # behind API keys and rate limits


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Builds the Flask app. ``runtime`` lets tests share one set of loaded models between apps;
    otherwise one is created here and starts loading in the background."""
    settings = settings or Settings()
    logs.configure(settings.logs.level, settings.logs.format)
    app = Flask("ringkas", static_folder=None)  # static files are served by the docs blueprint
    # No redirect is ever built from the Host header: Werkzeug would answer //host/x with a 308 to
    # http://<Host>/... to merge the slashes. A path that does not match a route is a 404.
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    app.config["MAX_CONTENT_LENGTH"] = settings.limits.max_body_bytes  # also bounds chunked bodies while read
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops)
    if runtime is None:
        runtime = Runtime(settings, Metrics()).start(background=True)
    metrics = runtime.metrics or Metrics()
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.extensions[EXTENSION] = Services(
        settings=settings,
        runtime=runtime,
        metrics=metrics,
        keys=KeyRing.from_settings(settings),
        limiter=RateLimiter.from_settings(settings, runtime.redis),
        openapi=build_openapi(app, settings, GUARDED),  # from the routes' own declarations
        # Unset: one per process (gunicorn's config sets one before forking, shared by its workers).
        fingerprint_key=(settings.logs.fingerprint_key or secrets.token_hex(32)).encode(),
        jobs=_jobs(settings, metrics),
    )
    problems.install(app)
    headers.install(app, settings)
    guard.install(app, GUARDED)
    app.before_request(body.refuse_undeclared_query)  # after the key check: strangers learn nothing
    return app


def _jobs(settings: Settings, metrics: Metrics):
    """Archive jobs when Redis is configured. Celery is imported only then: a service without
    jobs never loads it."""
    if not settings.redis_url:
        return None
    from api.jobs.service import Jobs

    service = Jobs.from_settings(settings)
    metrics.watch_jobs(service.cluster)
    return service
