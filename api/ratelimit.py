"""Per-client rate limits on requests and on article characters, with the ``limits`` library.

Counters live in Redis when ``RINGKAS_REDIS_URL`` is set, so every worker and replica shares them,
and in process memory otherwise. The sliding-window counter costs two keys per client whatever the
cost of a hit, so charging characters (a cost in the hundreds of thousands) stays cheap. If Redis
stops answering, the limits fall back to this process's memory instead of failing requests or
letting everything through.
"""

from __future__ import annotations

import logging
import math
import time

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter

from api.config import Settings
from api.errors import PayloadTooLarge, RateLimited
from api.outage import Outage

log = logging.getLogger(__name__)
_REDIS_TIMEOUT_S = 0.5  # a slow Redis must not hold requests up


class RateLimiter:
    def __init__(
        self,
        requests: str | None,
        characters: str | None,
        redis_url: str | None = None,
        auth_failures: str | None = None,
        outage: Outage | None = None,
    ):
        self.items: dict[str, RateLimitItem] = {}
        for kind, text in (("requests", requests), ("characters", characters), ("auth-failures", auth_failures)):
            if text:
                self.items[kind] = _parse(text)
        self._own: dict[str, RateLimitItem] = {}  # keys' own limits, parsed once
        storage = (
            storage_from_string(redis_url, socket_timeout=_REDIS_TIMEOUT_S, socket_connect_timeout=_REDIS_TIMEOUT_S)
            if redis_url
            else MemoryStorage()
        )
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._fallback = SlidingWindowCounterRateLimiter(MemoryStorage()) if redis_url else self._limiter
        self._outage = (outage or Outage("Redis")) if redis_url else None

    @classmethod
    def from_settings(cls, settings: Settings, outage: Outage | None = None) -> RateLimiter:
        return cls(settings.rate_limit, settings.char_limit, settings.redis_url, settings.auth_failure_limit, outage)

    def _shared(self, call):
        """``call(limiter)`` on Redis, or on this process's memory while Redis is away: the outage
        is reported once (api.outage), and Redis retried on a back-off, not by every request."""
        outage = self._outage
        if outage is None or not outage.usable("limits"):
            return call(self._fallback if outage is not None else self._limiter), self._fallback
        try:
            result = call(self._limiter)
        except Exception as exc:  # any storage failure: keep limiting, per process
            outage.failed(exc, "limits")
            return call(self._fallback), self._fallback
        outage.succeeded()
        return result, self._limiter

    def _item(self, kind: str, own: str | None) -> RateLimitItem | None:
        """A key's own limit when it has one, else the service's."""
        if own is None:
            return self.items.get(kind)
        if own not in self._own:
            self._own[own] = _parse(own)
        return self._own[own]

    def refuse_if_used_up(self, kind: str, client: str) -> None:
        """429 when ``client`` has no ``kind`` left, without counting anything."""
        item = self.items.get(kind)
        if item is None:
            return
        left, _ = self._shared(lambda limiter: limiter.test(item, kind, client))
        if not left:
            raise RateLimited(
                f"too many failed API key checks from this address; retry in {item.get_expiry()} s",
                retry_after=item.get_expiry(),
            )

    @property
    def enabled(self) -> bool:
        return bool(self.items)

    def charge(self, kind: str, client: str, cost: int = 1, own: str | None = None) -> None:
        """Count ``cost`` against ``client``'s ``kind`` limit (``own``: the key's own limit instead of
        the service's); raise 429 when it would go over."""
        item = self._item(kind, own)
        if item is None or cost <= 0:
            return
        if cost > item.amount:
            source = f"this API key's chars={own} in the keys file" if own else "RINGKAS_CHAR_LIMIT"
            raise PayloadTooLarge(
                f"this request has {cost} {kind}; the limit is {item.amount} per {_window(item)} ({source})",
                extra={"limit": str(item)},
            )
        allowed, limiter = self._shared(lambda limiter: limiter.hit(item, kind, client, cost=cost))
        if not allowed:
            try:
                reset = limiter.get_window_stats(item, kind, client).reset_time
            except Exception:
                reset = time.time() + item.get_expiry()
            retry_after = max(1, math.ceil(reset - time.time()))
            raise RateLimited(
                f"the limit of {item.amount} {kind} per {_window(item)} is used up; retry in {retry_after} s",
                retry_after=retry_after,
                extra={"limit": str(item)},
            )


def _parse(text: str) -> RateLimitItem:
    try:
        return parse(text)
    except ValueError:
        raise ValueError(f"rate limit {text!r} is not like `60/minute` or `100000/hour`") from None


def _window(item: RateLimitItem) -> str:
    unit = item.GRANULARITY.name
    return unit if item.multiples == 1 else f"{item.multiples} {unit}s"
