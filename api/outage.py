"""Redis as the requests see it: an outage is logged once when it starts and once when it ends, and
while it lasts Redis is tried again on a back-off rather than by every request.

The result cache and the rate limiter both use Redis and both have a fallback (a miss; limits in
this process's memory), so an outage never fails a request. What it must not do is write a warning
per request and per use (three lines a request at 100 requests a second), nor make every request
wait for a connection timeout first.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

log = logging.getLogger(__name__)
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 30.0


class Outage:
    """One process's view of one dependency. ``usable()`` before a call (False: use the fallback at
    once, the back-off has not run out), then ``failed(exc, use)`` or ``succeeded()``; ``degraded(use)``
    counts a call answered by the fallback without trying. ``on_change(up)`` feeds a metric."""

    def __init__(
        self,
        name: str,
        on_change: Callable[[bool], None] | None = None,
        on_degraded: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.name = name
        self._on_change = on_change or (lambda up: None)
        self._on_degraded = on_degraded or (lambda use: None)
        self._clock = clock
        self._lock = threading.Lock()
        self._since: float | None = None  # when the outage began; None while up
        self._retry_at = 0.0
        self._wait = FIRST_RETRY_S
        self._counts: Counter[str] = Counter()
        self._first_error = ""

    def usable(self, use: str) -> bool:
        """True when the call should be tried: up, or down with a retry due (one caller tries; the
        others keep using the fallback until it reports)."""
        with self._lock:
            if self._since is None:
                return True
            now = self._clock()
            if now >= self._retry_at:
                self._retry_at = now + self._wait  # the next try, should this one fail too
                return True
            self._counts[use] += 1
        self._on_degraded(use)
        return False

    def failed(self, exc: BaseException, use: str) -> None:
        with self._lock:
            self._counts[use] += 1
            if self._since is not None:
                self._wait = min(MAX_RETRY_S, self._wait * 2)
                self._retry_at = self._clock() + self._wait
                began = False
            else:
                self._since = self._clock()
                self._wait = FIRST_RETRY_S
                self._retry_at = self._since + self._wait
                self._first_error = type(exc).__name__
                began = True
        self._on_degraded(use)
        if began:
            log.warning(
                "%s unreachable (%s): caches miss and limits count in this process until it answers; "
                "retrying with back-off",
                self.name,
                self._first_error,
            )
            self._on_change(False)

    def succeeded(self) -> None:
        if self._since is None:  # the common case, without the lock
            return
        with self._lock:
            if self._since is None:
                return
            lasted = self._clock() - self._since
            counts, self._counts = dict(self._counts), Counter()
            self._since, self._wait = None, FIRST_RETRY_S
        log.warning(
            "%s reachable again after %.1f s; served without it meanwhile: %s",
            self.name,
            lasted,
            ", ".join(f"{use} {count}" for use, count in sorted(counts.items())) or "nothing",
            extra={"outage_seconds": round(lasted, 1), "degraded": counts},
        )
        self._on_change(True)
