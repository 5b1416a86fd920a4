"""Operator endpoints: Prometheus metrics (optionally behind a bearer token)."""

from __future__ import annotations

import hmac

from flask import Blueprint, Response, request

from api.errors import Forbidden, Unauthorized
from api.routes import services
from api.routes.declare import Answer, Operation, declare

bp = Blueprint("ops", __name__)


@bp.get("/metrics")
@declare(
    Operation(
        "metrics",
        "Prometheus metrics",
        "operations",
        "Request, stage, cache, queue and job figures in Prometheus's text format; behind "
        "`Authorization: Bearer TOKEN` when RINGKAS_METRICS_TOKEN is set.",
        Answer(media="text/plain", description="Prometheus text exposition format."),
        problems=(401, 403),
    )
)
def metrics():
    current = services()
    token = current.settings.metrics_token
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise Unauthorized("/metrics needs `Authorization: Bearer TOKEN` (RINGKAS_METRICS_TOKEN)")
        if not hmac.compare_digest(given.strip().encode(), token.encode()):
            raise Forbidden("the metrics token is not valid")
    body, content_type = current.metrics.render()
    return Response(body, content_type=content_type)
