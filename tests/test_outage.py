"""A Redis outage is reported once when it starts and once when it ends, retried on a back-off, and
counted in the metrics; every request is still served (a cache miss, limits in this process)."""

from __future__ import annotations

import logging

import pytest

from api.cache import RedisCache
from api.metrics import Metrics
from api.outage import FIRST_RETRY_S, MAX_RETRY_S, Outage
from api.ratelimit import RateLimiter
from tests.helpers import free_port

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _records(caplog):
    return [r for r in caplog.records if r.name == "api.outage"]


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(caplog):
    caplog.set_level(logging.INFO)
    clock, changes = Clock(), []
    outage = Outage("Redis", on_change=changes.append, clock=clock)
    tried = 0
    for _ in range(300):  # 100 requests a second for three seconds, each using Redis once
        if outage.usable("cache_read"):
            tried += 1
            outage.failed(ConnectionError("refused"), "cache_read")
        clock.now += 0.01
    # One try at the start, then one each time the back-off (1, 2 s...) runs out: not 300.
    assert 2 <= tried <= 3
    assert len(_records(caplog)) == 1 and "unreachable (ConnectionError)" in caplog.text
    assert changes == [False]  # down: on_change(False), once
    clock.now += MAX_RETRY_S
    assert outage.usable("cache_read")
    outage.succeeded()
    records = _records(caplog)
    assert len(records) == 2 and "reachable again after" in records[1].getMessage()
    assert records[1].degraded == {"cache_read": 300} and changes == [False, True]


def test_the_back_off_doubles_up_to_its_cap():
    clock = Clock()
    outage = Outage("Redis", clock=clock)
    waits = []
    outage.failed(OSError(), "limits")
    for _ in range(8):
        start = clock.now
        while not outage.usable("limits"):
            clock.now += 0.25
        waits.append(clock.now - start)
        outage.failed(OSError(), "limits")
    assert waits[0] == pytest.approx(FIRST_RETRY_S, abs=0.25)
    assert waits[1] == pytest.approx(2 * FIRST_RETRY_S, abs=0.25)
    assert max(waits) == pytest.approx(MAX_RETRY_S, abs=0.25) and waits == sorted(waits)


def test_a_dead_redis_costs_one_warning_and_few_tries_for_many_requests(caplog):
    """The cache and the limits share one view of Redis, as a worker's do: 50 requests, each with a
    limit check, a cache read and a cache write, try Redis a handful of times and warn once."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    metrics = Metrics()
    outage = Outage("Redis", metrics.redis_state, metrics.redis_fallback)
    limiter = RateLimiter("1000/minute", None, url, outage=outage)
    cache = RedisCache(url, 60, outage)
    tries = {"redis": 0}
    real_hit = limiter._limiter.hit

    def counted(*args, **kwargs):
        tries["redis"] += 1
        return real_hit(*args, **kwargs)

    limiter._limiter.hit = counted
    for n in range(50):
        limiter.charge("requests", "client")
        assert cache.get(f"key-{n}") is None
        cache.set(f"key-{n}", {"summary": "x"})
    assert tries["redis"] <= 2
    assert len(_records(caplog)) == 1
    text = metrics.render()[0].decode()
    assert "ringkas_redis_up 0.0" in text
    assert 'ringkas_redis_degraded_total{use="cache_read"}' in text
