"""Result cache: identical requests (same cleaned text, models, revisions, preset and options) are
answered from here. In-process by default (cachetools' TTL cache); a Redis URL shares one cache
between workers and replicas. A cache that fails is a miss, never a failed request."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Protocol

from api.outage import Outage


def cache_key(parts: dict) -> str:
    return "ringkas:v1:" + hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ResultCache(Protocol):
    def get(self, key: str) -> dict | None: ...
    def set(self, key: str, value: dict) -> None: ...


class NoCache:
    def get(self, key: str) -> dict | None:
        return None

    def set(self, key: str, value: dict) -> None:
        pass


class MemoryCache:
    def __init__(self, size: int, ttl_s: float, timer=time.monotonic):
        from cachetools import TTLCache

        self._data: TTLCache = TTLCache(maxsize=size, ttl=ttl_s, timer=timer)
        self._lock = threading.Lock()  # TTLCache is not thread-safe

    def get(self, key: str) -> dict | None:
        with self._lock:
            return self._data.get(key)

    def set(self, key: str, value: dict) -> None:
        with self._lock:
            self._data[key] = value


class RedisCache:
    """A failed or skipped call is a miss (reads) or nothing (writes); the outage is reported once, by
    ``Outage``, not per call."""

    def __init__(self, url: str, ttl_s: float, outage: Outage | None = None):
        import redis

        # Short timeouts: a slow cache must not make a request slower than no cache.
        self._client = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._ttl = max(1, int(ttl_s))
        self._outage = outage or Outage("Redis")

    def get(self, key: str) -> dict | None:
        if not self._outage.usable("cache_read"):
            return None
        try:
            raw = self._client.get(key)
        except Exception as exc:  # redis.RedisError and socket errors alike
            self._outage.failed(exc, "cache_read")
            return None
        self._outage.succeeded()
        return json.loads(raw) if raw else None

    def set(self, key: str, value: dict) -> None:
        if not self._outage.usable("cache_write"):
            return
        try:
            self._client.setex(key, self._ttl, json.dumps(value, ensure_ascii=False))
        except Exception as exc:
            self._outage.failed(exc, "cache_write")
            return
        self._outage.succeeded()


def build_cache(size: int, ttl_s: float, redis_url: str | None, outage: Outage | None = None) -> ResultCache:
    if redis_url:
        return RedisCache(redis_url, ttl_s, outage)
    if size <= 0:
        return NoCache()
    return MemoryCache(size, ttl_s)
