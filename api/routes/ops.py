"""Operator endpoints: Prometheus metrics (optionally behind a bearer token)."""

from __future__ import annotations

import hashlib
import hmac

from flask import Blueprint, Response, request

from api.errors import Forbidden, Unauthorized
from api.routes import services
from api.routes.declare import Answer, Operation, declare
from api.routes.guard import checked_secret

bp = Blueprint("ops", __name__)


@bp.get("/metrics")
@declare(
    Operation(
        id="metrics",
        summary="Prometheus metrics",
        tag="operations",
        description="Request, stage, cache, queue and job figures in Prometheus's text format; behind "
        "`Authorization: Bearer TOKEN` when RINGKAS_METRICS_TOKEN is set.",
        answer=Answer(media="text/plain", description="Prometheus text exposition format."),
        problems=(401, 403, 429),
    )
)
def metrics():
    current = services()
    token = current.settings.metrics_token
    if token:
        checked_secret(lambda: _check_token(token))
    body, content_type = current.metrics.render()
    return Response(body, content_type=content_type)


def _check_token(token: str) -> None:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        raise Unauthorized("/metrics needs `Authorization: Bearer TOKEN` (RINGKAS_METRICS_TOKEN)")
    # Digests of equal length: compare_digest leaks nothing about the token's length either.
    digest = hashlib.sha256
    if not hmac.compare_digest(digest(given.strip().encode()).digest(), digest(token.encode()).digest()):
        raise Forbidden("the metrics token is not valid")
