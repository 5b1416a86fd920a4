"""Groups concurrent requests into one ``generate`` call per model: worker threads own the engine;
a batch is gathered after a quiet gap, within a token budget, on a compute slot; a full queue refuses
at once. Why each, with the figures: docs/decisions.md, "Batching".
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Protocol

from api.engines.base import Engine, GenerationParams
from api.engines.slots import ComputeSlots
from api.errors import Overloaded, PayloadTooLarge

log = logging.getLogger(__name__)


@dataclass
class _Item:
    tokens: Sequence[int]
    params: GenerationParams
    future: Future = field(default_factory=Future)
    enqueued: float = field(default_factory=time.monotonic)


class BatchObserver(Protocol):
    """What the batcher reports (``api.metrics.Metrics`` implements it)."""

    def batch_done(
        self, model: str, size: int, tokens_in: int, tokens_out: int, waited_s: float, run_s: float
    ) -> None: ...

    def queue_depth(self, model: str, depth: int) -> None: ...


class Batcher:
    def __init__(
        self,
        engine: Engine,
        *,
        name: str,
        max_batch_size: int,
        max_wait_s: float,
        queue_size: int,
        quiet_s: float | None = None,
        max_batch_tokens: int | None = None,
        workers: int = 1,
        slots: ComputeSlots | None = None,
        observer: BatchObserver | None = None,
    ):
        self.engine = engine
        self.name = name
        self.max_batch_size = max_batch_size
        self.max_batch_tokens = max_batch_tokens  # None: no budget, sequences are only counted
        self.max_wait_s = max_wait_s  # the longest the oldest request waits for company
        self.quiet_s = max_wait_s if quiet_s is None else min(quiet_s, max_wait_s)  # None: the cap alone
        self.queue_size = queue_size
        self.observer = observer
        self.slots = slots if slots is not None else ComputeSlots(workers)
        self._pending: deque[_Item] = deque()
        self._cond = threading.Condition()
        self._stopped = False
        self._running = 0  # workers inside engine.generate
        self._gathering = 0  # workers holding a compute slot while they wait for company
        self._last_arrival = 0.0
        self.batches_run = 0
        self.batch_sizes: list[int] = []  # recent sizes, for the benchmark and /metrics later
        self._threads = [
            threading.Thread(target=self._loop, name=f"batcher-{name}-{i}", daemon=True) for i in range(workers)
        ]
        for thread in self._threads:
            thread.start()

    # --- callers ------------------------------------------------------------------------------
    def submit(self, sequences: Sequence[Sequence[int]], params: GenerationParams) -> list[Future]:
        """Queue all sequences of one request, or none of them: a request is never half-admitted."""
        items = [_Item(seq, params) for seq in sequences]
        with self._cond:
            if self._stopped:
                raise Overloaded(f"the {self.name} is shutting down", retry_after=5)
            if len(items) > self.queue_size:
                # No wait would ever make room: a 503 with Retry-After would be retried forever.
                raise PayloadTooLarge(
                    f"this request needs {len(items)} {self.name} sequences at once and at most {self.queue_size} "
                    "can ever be queued (RINGKAS_SERVING__QUEUE_SIZE); send a shorter article or summarize it in parts"
                )
            if len(self._pending) + len(items) > self.queue_size:
                raise Overloaded(
                    f"the {self.name} queue is full ({len(self._pending)} of {self.queue_size} waiting)",
                    retry_after=max(1, round(len(self._pending) * self.max_wait_s) + 1),
                )
            self._pending.extend(items)
            self._last_arrival = time.monotonic()
            self._report_depth()
            self._cond.notify()
        return [item.future for item in items]

    @property
    def running(self) -> int:
        """Batches inside the engine now (at most one per worker)."""
        with self._cond:
            return self._running

    @property
    def workers(self) -> int:
        """Worker threads alive: each one runs batches; one that died would leave work waiting."""
        return sum(thread.is_alive() for thread in self._threads)

    @property
    def depth(self) -> int:
        with self._cond:
            return len(self._pending)

    def stop(self, timeout: float = 5.0) -> None:
        """Refuse new work, let queued work finish, then end the thread."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join(timeout)

    # --- the worker thread --------------------------------------------------------------------
    def _wait_for_work(self) -> bool:
        """Blocks until something is queued; False once stopped with nothing left to do."""
        with self._cond:
            while not self._pending:
                if self._stopped:
                    return False
                self._cond.wait()
            return True

    def _take_batch(self) -> list[_Item] | None:
        """Called holding a compute slot: never waits for work, only (briefly) for company."""
        with self._cond:
            self._gathering += 1
            try:
                return self._gather()
            finally:
                self._gathering -= 1

    def _gather(self) -> list[_Item] | None:
        while True:
            if not self._pending:  # another worker took it while this one waited
                return None
            # Re-read the oldest after every wait: another worker may have taken it meanwhile.
            first = self._pending[0]
            start = min(first.enqueued + self.max_wait_s, self._last_arrival + self.quiet_s)
            remaining = start - time.monotonic()
            # Wait for company while requests keep arriving, unless a full batch of the same kind is here.
            if self._stopped or remaining <= 0 or len(self._fill(first, self._alike(first))) >= self._cap(first):
                break
            self._cond.wait(remaining)
        alike = self._alike(first)
        # Shared with this batcher's other idle workers that could start now: those already holding a
        # slot (gathering too) and those a free slot would let start.
        idle = len(self._threads) - self._running - 1
        others = min(idle, self._gathering - 1 + self.slots.free)
        share = -(-(len(alike) + 1) // (1 + max(0, others)))
        batch = self._fill(first, alike)[:share]
        for item in batch:
            self._pending.remove(item)
        self._running += 1
        if self._pending:  # the rest is another idle worker's share
            self._cond.notify_all()
        self._report_depth()
        return batch

    def _report_depth(self) -> None:
        if self.observer is not None:
            self.observer.queue_depth(self.name, len(self._pending))

    def _alike(self, first: _Item) -> list[_Item]:
        """The oldest's possible companions: same decoding settings, nearest in length first (bucketing)."""
        alike = [item for item in self._pending if item.params == first.params and item is not first]
        alike.sort(key=lambda item: abs(len(item.tokens) - len(first.tokens)))
        return alike

    def _fill(self, first: _Item, alike: list[_Item]) -> list[_Item]:
        """The oldest (always) and as many companions as the size cap and the token budget allow."""
        batch, longest = [first], len(first.tokens)
        for item in alike[: self.max_batch_size - 1]:
            longest = max(longest, len(item.tokens))
            if self.max_batch_tokens is not None and (len(batch) + 1) * longest > self.max_batch_tokens:
                break
            batch.append(item)
        return batch

    def _cap(self, first: _Item) -> int:
        """The most sequences a batch around ``first`` could ever hold: a full one need not wait."""
        if self.max_batch_tokens is None:
            return self.max_batch_size
        return max(1, min(self.max_batch_size, self.max_batch_tokens // max(1, len(first.tokens))))

    def _loop(self) -> None:
        while self._wait_for_work():
            with self.slots.held():
                batch = self._take_batch()
                if batch is None:
                    continue
                try:
                    # Callers whose deadline passed cancelled their futures; skip their work.
                    live = [item for item in batch if item.future.set_running_or_notify_cancel()]
                    if live:
                        self._run(live)
                finally:
                    with self._cond:
                        self._running -= 1

    def _run(self, live: list[_Item]) -> None:
        started = time.monotonic()
        try:
            outputs = self.engine.generate([item.tokens for item in live], live[0].params)
        except Exception as exc:  # the thread must survive any one bad batch
            log.exception("generate failed in %s (batch of %d)", self.name, len(live))
            for item in live:
                item.future.set_exception(exc)
            return
        self.batches_run += 1
        self.batch_sizes = [*self.batch_sizes[-99:], len(live)]
        if self.observer is not None:
            self.observer.batch_done(
                self.name,
                len(live),
                sum(len(item.tokens) for item in live),
                sum(len(output) for output in outputs),
                started - min(item.enqueued for item in live),
                time.monotonic() - started,
            )
        for item, output in zip(live, outputs, strict=True):
            item.future.set_result(output)
