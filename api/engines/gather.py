"""Waiting on batcher futures under a deadline: a request never outlives its time budget."""

from __future__ import annotations

import time
from concurrent.futures import Future, wait

from api.errors import DeadlineExceeded


def gather(futures: list[Future], deadline: float, what: str) -> list:
    """Results in order, or ``DeadlineExceeded`` with the unstarted work cancelled."""
    _, pending = wait(futures, timeout=max(0.0, deadline - time.monotonic()))
    if pending:
        for future in futures:
            future.cancel()
        raise DeadlineExceeded(f"{what} did not finish before the request deadline", retry_after=10)
    return [future.result() for future in futures]
