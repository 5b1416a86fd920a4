"""What serving on an address other than loopback requires, checked before the server starts.

Like Redis's protected mode: a service reachable from other machines refuses to start open (no API
keys, so every job belongs to "public"; /metrics without a token) unless the operator says so with
RINGKAS_ALLOW_OPEN. Reachable from other machines, it also expects a buffering proxy in front
(deploy/nginx/ringkas.conf): gunicorn's threads are held by clients that send slowly.
"""

from __future__ import annotations

import ipaddress

from api.config import Settings

PROXY_NOTICE = (
    "listening on {host}, reachable from other machines: put a buffering reverse proxy in front "
    "(deploy/nginx/ringkas.conf; compose.yaml runs it), since slow clients hold gunicorn's threads"
)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to any interface


def open_doors(settings: Settings) -> list[str]:
    """What is open to anyone who reaches the address; empty on loopback."""
    if is_loopback(settings.host):
        return []
    doors = []
    if not (settings.api_keys or settings.api_keys_file):
        doors.append("no API keys (set RINGKAS_API_KEYS_FILE or RINGKAS_API_KEYS: `ringkas hash-key`)")
    if not settings.metrics_token:
        doors.append("/metrics without a token (set RINGKAS_METRICS_TOKEN)")
    return doors


def refusal(settings: Settings) -> str | None:
    """Why the server must not start, or None."""
    doors = open_doors(settings)
    if not doors or settings.allow_open:
        return None
    return (
        f"refusing to serve {settings.host}:{settings.port} open to other machines: {'; '.join(doors)}. "
        "Serve 127.0.0.1 (the default), or set RINGKAS_ALLOW_OPEN=true to serve it open on purpose"
    )
