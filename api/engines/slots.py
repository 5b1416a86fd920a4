"""Compute slots: how many batches may run at once across every model of one worker.

Each model has as many batcher threads as engine replicas, so that a lone request's sentences can
spread over the cores. Without a shared bound, two models' replicas would all run at once when
requests overlap (four single-thread batches on two cores): no faster, since the cores are already
full, but each running batch holds its own activations and caches, so peak memory grows with every
extra one. A batcher thread therefore takes a slot before it forms its batch and gives it back when
the batch is done. Forming the batch only once a core is free also lets more work join it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class ComputeSlots:
    def __init__(self, count: int):
        if count < 1:
            raise ValueError(f"compute slots must be at least 1, not {count}")
        self.count = count
        self._free = count
        self._cond = threading.Condition()  # waiters are woken in arrival order: no model starves
        self.released = 0  # batches done: with ``idle_for``, how the runtime sees a burst end
        self._last_release = time.monotonic()

    @property
    def free(self) -> int:
        with self._cond:
            return self._free

    def idle_for(self, seconds: float) -> bool:
        """Every slot free, and none given back in the last ``seconds``."""
        with self._cond:
            return self._free == self.count and time.monotonic() - self._last_release >= seconds

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._cond:
            while self._free == 0:
                self._cond.wait()
            self._free -= 1
        try:
            yield
        finally:
            with self._cond:
                self._free += 1
                self.released += 1
                self._last_release = time.monotonic()
                self._cond.notify()
