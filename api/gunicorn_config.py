"""gunicorn settings derived from the one Settings object (``ringkas serve`` uses this module).

Models load after fork, in each worker (``preload_app = False``): torch's OpenMP pools and
CTranslate2 are not fork-safe, and each worker must own its math threads.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Prometheus multiprocess mode: each worker writes its samples under this folder. It must be set
# before prometheus_client is first imported (it picks its value class at import time).
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
if not os.environ.get(MULTIPROC_ENV):
    os.environ[MULTIPROC_ENV] = tempfile.mkdtemp(prefix="ringkas-metrics-")

import secrets  # noqa: E402

# One fingerprint key for every worker of this server (set before they fork), so the request log's
# text fingerprints correlate across workers; an operator's own key (by either name) is kept.
_OPERATORS_KEY = ("RINGKAS_LOGS__FINGERPRINT_KEY", "RINGKAS_FINGERPRINT_KEY")  # settings_rename: keep
if not any(os.environ.get(name) for name in _OPERATORS_KEY):
    os.environ["RINGKAS_LOGS__FINGERPRINT_KEY"] = secrets.token_hex(32)

from api import logs  # noqa: E402
from api.config_check import load_or_exit  # noqa: E402
from api.metrics import worker_exited  # noqa: E402

_settings = load_or_exit()  # a bad or unknown variable: one line each and exit 2, not a traceback

wsgi_app = "api.wsgi:app"
bind = [f"{_settings.host}:{_settings.port}"]
workers = _settings.workers
# Threads serve I/O (reading bodies, waiting on the batcher); the batcher thread runs the model.
worker_class = "gthread"
threads = _settings.serving.threads
preload_app = False
# Loading runs in a background thread, so the worker heartbeats while it reads and warms the models
# (however long that takes) and is never killed for it; the timeout only has to cover the slowest
# request, which the request deadline already bounds.
timeout = int(_settings.serving.request_timeout_s) + 30
# SIGTERM: stop accepting, let in-flight requests finish (each within its deadline), then exit.
graceful_timeout = int(_settings.serving.request_timeout_s) + 5
keepalive = 5
# Bodies are bounded by RINGKAS_LIMITS__MAX_BODY_BYTES in the app; headers are bounded here.
limit_request_line = 8190
limit_request_fields = 100
# gunicorn 25.1+ opens a control socket for `gunicornc` at one path per user
# ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): two servers run by the same user would take each
# other's. Ringkas uses no runtime control (reload is a restart), so it opens none.
control_socket_disable = True
accesslog = None  # the app logs each request with its id (and never the body)
errorlog = "-"
loglevel = _settings.logs.level.lower()
logconfig_dict = logs.gunicorn_logconfig(_settings.logs.level, _settings.logs.format)


def on_starting(server) -> None:
    """Refuse an open public address (gunicorn run without `ringkas serve` too), then start from an
    empty metrics folder: files of a previous run's pids would be summed in."""
    from api.exposure import refusal

    reason = refusal(_settings)
    if reason:
        server.log.error(reason)
        raise SystemExit(2)
    for line in _settings.deprecated():  # old setting names: one line each, naming the new one
        server.log.warning(line)
    folder = Path(os.environ[MULTIPROC_ENV])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker) -> None:
    worker_exited(worker.pid)


# Math threads per worker: set before torch is imported in the worker.
_threads = str(_settings.math_threads())
raw_env = [f"OMP_NUM_THREADS={_threads}", f"MKL_NUM_THREADS={_threads}"]
for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, _threads)
