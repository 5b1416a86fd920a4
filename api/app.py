"""The app factory: settings -> runtime (models, pipeline) -> blueprints. The only wiring point."""

from __future__ import annotations

import logging

from flask import Flask

from api.config import Settings
from api.routes import health, problems, v1
from api.runtime import Runtime


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    """Builds the Flask app. ``runtime`` lets tests share one set of loaded models between apps;
    otherwise one is created here and starts loading in the background."""
    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = Flask("ringkas")
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes  # also bounds chunked bodies while read
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.extensions["ringkas"] = runtime or Runtime(settings).start(background=True)
    problems.install(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(v1.bp)
    return app
