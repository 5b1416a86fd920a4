"""Prometheus metrics for one app, multiprocess-safe under gunicorn.

Under gunicorn every worker writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR`` (set by
the gunicorn config before the workers start) and a scrape of ``/metrics``, answered by any one
worker, adds up all of them. Without that variable (tests, ``flask run``) the metrics live in this
app's own registry. Labels are bounded: routes are URL rules, never raw paths, and no label or
sample carries article text.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client import multiprocess as mp
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_LATENCY = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160)
_BATCH = (1, 2, 4, 8, 16, 32, 64)
log = logging.getLogger(__name__)


class JobsCollector:
    """Archive jobs' figures, read from Redis at scrape time: they are the cluster's (every worker,
    every job), so each API replica reports the same values."""

    def __init__(self, source: Callable[[], dict]):
        self.source = source

    def collect(self):
        try:
            figures = self.source()
        except Exception as exc:  # Redis away: the other metrics still answer
            log.warning("job metrics unavailable: %s", type(exc).__name__)
            return
        items = CounterMetricFamily("ringkas_job_items", "Archive job items finished, all jobs", labels=["status"])
        for status, count in figures["items"].items():
            items.add_metric([status], count)
        yield items
        yield GaugeMetricFamily(
            "ringkas_job_queue_depth", "Job chunk tasks waiting in the queue", value=figures["queue"]
        )
        yield GaugeMetricFamily("ringkas_job_workers", "Job workers alive (heartbeat seen)", value=figures["workers"])


KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class Metrics:
    def __init__(self) -> None:
        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "ringkas_http_requests", "HTTP requests answered", ["route", "method", "status"], registry=r
        )
        self.latency = Histogram(
            "ringkas_http_request_duration_seconds", "Time to answer, by route", ["route"], buckets=_LATENCY, registry=r
        )
        self.stage = Histogram(
            "ringkas_stage_duration_seconds",
            "Time in each stage: queue wait and generate per model, summarize and translate per request",
            ["stage"],
            buckets=_LATENCY,
            registry=r,
        )
        self.queue = Gauge(
            "ringkas_queue_depth", "Sequences waiting per model", ["model"], multiprocess_mode="livesum", registry=r
        )
        self.batch = Histogram(
            "ringkas_batch_size", "Sequences per generate call", ["model"], buckets=_BATCH, registry=r
        )
        self.tokens = Counter("ringkas_tokens", "Tokens through the models", ["model", "direction"], registry=r)
        self.cache = Counter("ringkas_cache_lookups", "Summary cache lookups", ["result"], registry=r)
        self.limited = Counter("ringkas_refused", "Requests refused before work", ["reason"], registry=r)
        self.load_seconds = Gauge(
            "ringkas_model_load_seconds", "Seconds from start to ready", multiprocess_mode="max", registry=r
        )
        self.redis_up = Gauge(
            "ringkas_redis_up",
            "1 while Redis answers this process (cache and limits), 0 during an outage",
            multiprocess_mode="livemin",
            registry=r,
        )
        self.redis_degraded = Counter(
            "ringkas_redis_degraded", "Redis calls answered by the fallback during an outage", ["use"], registry=r
        )
        self.jobs: JobsCollector | None = None
        self.ready = Gauge(
            "ringkas_workers_ready", "Workers whose models are loaded", multiprocess_mode="livesum", registry=r
        )

    # --- recording ----------------------------------------------------------------------------
    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        # Any method name a client invents would be a new series: only the known ones are labels.
        method = method if method in KNOWN_METHODS else "other"
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route).observe(seconds)

    def stages(self, timings_ms: dict[str, float | None]) -> None:
        for stage, ms in timings_ms.items():
            if ms is not None and stage != "total":
                self.stage.labels(stage).observe(ms / 1000)

    def batch_done(self, model: str, size: int, tokens_in: int, tokens_out: int, waited_s: float, run_s: float):
        self.batch.labels(model).observe(size)
        self.tokens.labels(model, "in").inc(tokens_in)
        self.tokens.labels(model, "out").inc(tokens_out)
        self.stage.labels(f"{model}_queue_wait").observe(waited_s)
        self.stage.labels(f"{model}_generate").observe(run_s)

    def queue_depth(self, model: str, depth: int) -> None:
        self.queue.labels(model).set(depth)

    def cache_lookup(self, hit: bool) -> None:
        self.cache.labels("hit" if hit else "miss").inc()

    def refused(self, reason: str) -> None:
        self.limited.labels(reason).inc()

    def redis_state(self, up: bool) -> None:
        self.redis_up.set(1 if up else 0)

    def redis_fallback(self, use: str) -> None:
        self.redis_degraded.labels(use).inc()

    def loaded(self, seconds: float) -> None:
        self.load_seconds.set(seconds)
        self.ready.set(1)

    def watch_jobs(self, source: Callable[[], dict]) -> None:
        if self.jobs is not None and not self.multiprocess:
            self.registry.unregister(self.jobs)  # another app on the same runtime (tests) replaces it
        self.jobs = JobsCollector(source)
        if not self.multiprocess:
            self.registry.register(self.jobs)

    # --- exposition ---------------------------------------------------------------------------
    def render(self) -> tuple[bytes, str]:
        if not self.multiprocess:
            return generate_latest(self.registry), CONTENT_TYPE_LATEST
        registry = CollectorRegistry()
        mp.MultiProcessCollector(registry)
        if self.jobs is not None:
            registry.register(self.jobs)
        return generate_latest(registry), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """gunicorn ``child_exit`` hook: drop a dead worker's live gauges (queue depth, ready)."""
    if os.environ.get(MULTIPROC_ENV):
        mp.mark_process_dead(pid)
