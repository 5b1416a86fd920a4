"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint, jsonify

from api.routes import runtime
from api.routes.declare import Answer, Operation, declare
from api.schemas import Health, Readiness

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@declare(Operation(id="healthz", summary="Liveness: the process answers", tag="operations", answer=Answer(Health)))
def healthz():
    """The process answers; says nothing about the models."""
    return jsonify(status="ok")


@bp.get("/readyz")
@declare(
    Operation(
        id="readyz",
        summary="Readiness: models loaded and warmed",
        tag="operations",
        answer=Answer(Readiness, description="Ready"),
        problems=(503,),
    )
)
def readyz():
    """200 only once the models are loaded and warmed; 503 problem+json before or after a failure."""
    current = runtime()
    current.require()
    return jsonify(status="ready", seconds_to_ready=round(current.seconds_to_ready or 0.0, 2))
