"""Thin HTTP handlers: parse, call the pipeline, render. No model or text logic lives here."""

from __future__ import annotations

from flask import current_app

from api.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["ringkas"]
