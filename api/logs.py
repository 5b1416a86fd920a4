"""Logging set-up: one JSON object per line (python-json-logger) or plain text for people.

Article text is unpublished material: nothing here logs a body. Request records carry sizes, a
short SHA-256 of the text (to match a complaint to a request without keeping the text) and ids.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sys

from pythonjsonlogger.json import JsonFormatter

JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def formatter(log_format: str) -> logging.Formatter:
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "asctime": "time"})
    return logging.Formatter(TEXT_FORMAT)


class RequestIdFilter(logging.Filter):
    """Stamps every record logged while a request is served with that request's id, so a warning
    from the pipeline can be matched to its request line."""

    def filter(self, record: logging.LogRecord) -> bool:
        from flask import g, has_request_context

        if not hasattr(record, "request_id") and has_request_context():
            record.request_id = g.get("request_id")
        return True


def configure(level: str, log_format: str) -> None:
    """Root handler on stderr; replaces the one an earlier app set up (tests build many), and no other."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    handler.addFilter(RequestIdFilter())
    handler.ringkas = True
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "ringkas", False)] + [handler]
    root.setLevel(level.upper())


class InvalidRequestFilter(logging.Filter):
    """gunicorn logs a malformed request with the offending bytes ("Invalid HTTP method: 'CANARY…'",
    a header's value): keep the kind of error and the address, never what the caller wrote."""

    PREFIX = "Invalid request from ip="

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(self.PREFIX):
            address, _, error = message[len(self.PREFIX) :].partition(": ")
            kind = error.split(":", 1)[0].split("'", 1)[0].strip()[:60]
            record.msg, record.args = "Invalid request from ip=%s: %s", (address[:64], kind)
        return True


def gunicorn_logconfig(level: str, log_format: str) -> dict:
    """gunicorn's own records (boot, worker exits, timeouts) in the same format as the app's."""
    factory = "pythonjsonlogger.json.JsonFormatter" if log_format == "json" else "logging.Formatter"
    fmt = {"()": factory, "fmt": JSON_FIELDS if log_format == "json" else TEXT_FORMAT}
    if log_format == "json":
        fmt["rename_fields"] = {"levelname": "level", "asctime": "time"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"ringkas": fmt},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "ringkas",
                "stream": "ext://sys.stderr",
                "filters": ["caller_bytes"],
            }
        },
        "filters": {"caller_bytes": {"()": InvalidRequestFilter}},
        "loggers": {
            "gunicorn.error": {"level": level.upper(), "handlers": ["stderr"], "propagate": False},
        },
        # No root handler here: the app adds its own (with the request id) in each worker, and a
        # second one would write every application record twice.
        "root": {"level": level.upper(), "handlers": []},
    }


def fingerprint(text: str, key: bytes) -> str:
    """A short keyed digest of a text: enough to correlate requests in the logs, and, keyed, useless
    for confirming a guess (an unkeyed hash of a suspected article could be matched against a leaked
    log)."""
    return hmac.new(key, text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:16]
