"""Thin HTTP handlers: parse, call the pipeline, render. No model or text logic lives here.

What a handler needs comes from the app (``app.extensions``, filled by the app factory), never from
module globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from api.auth import KeyRing
from api.config import Settings
from api.metrics import Metrics
from api.pipeline import Pipeline
from api.ratelimit import RateLimiter
from api.runtime import Runtime

if TYPE_CHECKING:
    from api.jobs.service import Jobs

EXTENSION = "ringkas"


@dataclass(frozen=True)
class Services:
    settings: Settings
    runtime: Runtime
    metrics: Metrics
    keys: KeyRing
    limiter: RateLimiter
    openapi: dict
    fingerprint_key: bytes  # keys the text fingerprints in the request log
    jobs: Jobs | None = None  # archive jobs, when RINGKAS_REDIS_URL is set


def services() -> Services:
    return current_app.extensions[EXTENSION]


def runtime() -> Runtime:
    return services().runtime


def pipeline() -> Pipeline:
    """The loaded pipeline for a request handler, waiting a bounded time for a load in progress."""
    current = services()
    return current.runtime.require(
        min(current.settings.serving.ready_wait_s, current.settings.serving.request_timeout_s)
    )
