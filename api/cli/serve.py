"""``ringkas serve``, ``ringkas worker`` and ``ringkas healthcheck``: the long-running processes and
the check of their health."""

from __future__ import annotations

import json
import logging
import os
import sys

import click

from api.cli.common import (
    _fail,
    _require_models,
    _require_port_free,
    _setting_help,
    _use_demo_models,
    demo_option,
    load_settings,
)
from api.config import PROCESS_ENV_DEFAULTS


@click.command()
@click.option("--host", help=_setting_help("host", "Address to bind"))
@click.option("--port", type=int, help=_setting_help("port", "Port"))
@click.option("--workers", type=int, help=_setting_help("workers", "Worker processes"))
@demo_option
def serve(host: str | None, port: int | None, workers: int | None, demo: bool) -> None:
    """Run the HTTP service under gunicorn."""
    for name, value in (("HOST", host), ("PORT", port), ("WORKERS", workers)):
        if value is not None:
            os.environ[f"RINGKAS_{name}"] = str(value)
    if demo:
        _use_demo_models(load_settings(deprecations=False).models.cache_dir)
    settings = load_settings(deprecations=False)  # gunicorn's / the worker's log names old names
    from api.exposure import PROXY_NOTICE, is_loopback, refusal

    if refusal(settings):
        _fail(refusal(settings), 2)
    if not is_loopback(settings.host):
        click.echo(PROXY_NOTICE.format(host=settings.host), err=True)
    _require_port_free(settings.host, settings.port)
    _require_models(settings)
    for name, value in PROCESS_ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    click.echo(f"serving on http://{settings.host}:{settings.port} (workers={settings.workers})", err=True)
    os.execvp(sys.executable, [sys.executable, "-m", "gunicorn", "-c", "python:api.gunicorn_config"])


@click.command(short_help="Check this host's service and worker: 0 while loading or ready.")
@click.option("--url", help="Check only the service at URL.")
@click.option("--worker", "worker_only", is_flag=True, help="Check only this host's `ringkas worker` (its heartbeat).")
def healthcheck(url: str | None, worker_only: bool) -> None:
    """Exit 0 while the models load or once ready; 1 when they failed to load or nothing answers.

    \b
    With no option: the service at this host's RINGKAS_PORT and, if a `ringkas worker` runs here,
    the worker too; one line for each, and 1 if either is unhealthy.
    --url URL: only the service at URL. --worker: only the worker (a worker-only host or container).

    For a container HEALTHCHECK: /healthz alone stays green while a model that can never load (an
    unwritable volume, a missing checkpoint) keeps /readyz at 503 forever; /readyz alone turns a long
    first conversion red. This reports what an operator must act on."""
    if url and worker_only:
        _fail("--url checks the service, --worker the worker: give one of them (or neither, for both)")
    # A bad variable is named here; old names are left to the service's log, not repeated at every probe.
    port = load_settings(deprecations=False).port
    failures = []
    if not url:
        from api.jobs.alive import worker_health

        health = worker_health()
        if health is None and worker_only:
            failures.append("worker: no `ringkas worker` runs on this host")
        elif health == "ok":
            click.echo("worker: alive")
        elif health is not None:
            failures.append(f"worker: {health}")
    if not worker_only:
        problem = _service_health((url or f"http://127.0.0.1:{port}").rstrip("/"))
        if problem:
            failures.append(problem)
    if failures:
        _fail("; ".join(failures), 1)


def _service_health(url: str) -> str | None:
    """Prints the service's state and returns None while it loads or is ready; else what is wrong."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=4) as response:
            click.echo(f"service {url}: {response.read().decode()}")
            return None
    except urllib.error.HTTPError as exc:
        try:
            problem = json.loads(exc.read())
        except ValueError:
            problem = {}
        if exc.code == 503 and problem.get("state") in ("starting", "loading"):
            click.echo(f"service {url}: loading")
            return None
        return f"service {url}: " + (problem.get("detail") or f"/readyz answered {exc.code}")
    except (OSError, urllib.error.URLError) as exc:
        return f"service {url}: /readyz did not answer: {exc}"


@click.command(short_help="Run archive-job chunks from Redis (a Celery worker).")
@click.option(
    "--concurrency",
    type=click.IntRange(1, 64),
    default=2,
    show_default=True,
    help="Chunks run at once; they share this process's one copy of the models.",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 256),
    help=_setting_help("serving.math_threads", "Math threads", unset="cores / RINGKAS_WORKERS")
    + " One worker per core with 1 thread each did 1.5x the work of one worker with 2 threads on a 2-vCPU "
    "machine, at twice the memory.",
)
@click.option("--loglevel", default="INFO", show_default=True)
@demo_option
def worker(concurrency: int, threads: int | None, loglevel: str, demo: bool) -> None:
    """Run archive-job chunks from RINGKAS_REDIS_URL (a Celery worker; stop it with SIGTERM)."""
    if threads is not None:
        os.environ["RINGKAS_SERVING__MATH_THREADS"] = str(threads)
    if demo:
        _use_demo_models(load_settings(deprecations=False).models.cache_dir)
    from api.errors import RingkasError
    from api.jobs.service import NO_REDIS
    from api.logs import configure
    from api.runtime import Runtime

    settings = load_settings(deprecations=False)  # gunicorn's / the worker's log names old names
    if not settings.redis_url:
        _fail(NO_REDIS)
    _require_models(settings)
    for name, value in PROCESS_ENV_DEFAULTS.items():
        os.environ.setdefault(name, value)
    configure(loglevel, settings.logs.format)
    for line in settings.deprecated():  # old setting names: one line each, naming the new one
        logging.getLogger("ringkas.worker").warning(line)
    runtime = Runtime(settings)
    try:
        pipeline = runtime.start(background=False).require()
    except RingkasError as exc:
        _fail(exc.detail)
    from api.jobs.worker import run_worker

    try:
        run_worker(settings, pipeline, concurrency, loglevel)
    finally:
        runtime.stop()
