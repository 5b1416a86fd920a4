"""A worker's liveness for ``ringkas healthcheck``: light on purpose (no Celery, no models), as a
container health check runs it every 30 seconds."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from api.jobs.store import HEARTBEAT_S

ALIVE_FILE = Path(tempfile.gettempdir()) / "ringkas-worker.alive"


def worker_health(alive_file: Path | None = None) -> str | None:
    """For ``ringkas healthcheck``: None when no worker runs here; otherwise "ok" or what is wrong.
    A file left by a killed worker (its pid gone) is ignored."""
    alive_file = alive_file or ALIVE_FILE
    try:
        pid = int(alive_file.read_text())
        age = time.time() - alive_file.stat().st_mtime
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # alive, another user's
    if age > 3 * HEARTBEAT_S:
        return f"the worker's last heartbeat is {age:.0f} s old (is Redis reachable?)"
    return "ok"
