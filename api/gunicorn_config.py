"""gunicorn settings derived from the one Settings object (``ringkas serve`` uses this module).

Models load after fork, in each worker (``preload_app = False``): torch's OpenMP pools and
CTranslate2 are not fork-safe, and each worker must own its math threads.
"""

from __future__ import annotations

import os

from api.config import Settings

_settings = Settings()

wsgi_app = "api.wsgi:app"
bind = [f"{_settings.host}:{_settings.port}"]
workers = _settings.workers
# Threads serve I/O (reading bodies, waiting on the batcher); the batcher thread runs the model.
worker_class = "gthread"
threads = _settings.threads
preload_app = False
# Loading runs in a background thread, so the worker heartbeats while it warms up; the timeout
# only has to cover the slowest request, which the request deadline already bounds.
timeout = int(_settings.request_timeout_s) + 30
graceful_timeout = int(_settings.request_timeout_s) + 5
keepalive = 5
# Bodies are bounded by RINGKAS_MAX_BODY_BYTES in the app; headers are bounded here.
limit_request_line = 8190
limit_request_fields = 100
accesslog = None  # the app logs each request with its id (and never the body)
errorlog = "-"
loglevel = _settings.log_level.lower()

# Math threads per worker: set before torch is imported in the worker.
_threads = str(_settings.math_threads())
raw_env = [f"OMP_NUM_THREADS={_threads}", f"MKL_NUM_THREADS={_threads}"]
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, _threads)
