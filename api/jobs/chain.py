"""Fairness between jobs: each job keeps at most ``window`` chunk tasks in the Celery queue. A job
is made with its first ``window`` chunks queued; a worker that has recorded a chunk queues that
job's next chunk at the back of the queue (before the task is acknowledged). So a new job's first
chunks wait behind at most (live jobs x window) chunks, never behind a big job's whole backlog:
jobs, and so keys (each holds a bounded number of live jobs), take turns.

A chain that breaks (a worker died between claiming the next chunk and queueing it, Redis refused
the send) must not strand its job: every job with chunks still to run is kept in ``CHAINED`` with
the last time its chain moved, and ``sweep`` (run by every worker beside its heartbeat) queues again
the first chunks still held of a job whose chain has not moved for ``stall_s`` and of which no task
is queued or running. A task queued twice is harmless: results are stored once per item.

Keys: the job's facts hold ``sent`` (chunks queued so far); its attempts hash ``next:N`` (chunk N has
queued its successor, once however often N is delivered).
"""

from __future__ import annotations

import logging
import time

from api.jobs.store import PREFIX, JobStore

log = logging.getLogger(__name__)
CHAINED = "ringkas:jobs:chained"  # sorted set: job id -> last time its chain moved
SWEEP_LOCK = "ringkas:jobs:sweep"
SWEEP_EVERY_S = 5  # the cluster sweeps at most this often, whichever worker takes the lock
STALL_S = 30.0  # a chain that has not moved for this long, with no task queued or running, is swept
SWEEP_BATCH = 100  # stalled jobs looked at per sweep
QUEUE_SCAN = 10_000  # queued tasks read when looking for a job's; a longer queue is assumed to hold it
UNACKED = "unacked"  # kombu's Redis transport: delivered, unacknowledged tasks (running or reserved)

# KEYS: facts, attempts, CHAINED. ARGV: chunk number just recorded, now, job id.
# Returns the chunk number to queue next, or -1 (none left, job cancelled or gone, or chunk N has
# already queued its successor: a redelivery).
_ADVANCE = """
if redis.call('EXISTS', KEYS[1]) == 0 or redis.call('HEXISTS', KEYS[1], 'cancelled_at') == 1 then
  redis.call('ZREM', KEYS[3], ARGV[3])
  return -1
end
if redis.call('HSETNX', KEYS[2], 'next:' .. ARGV[1], 1) == 0 then return -1 end
local f = redis.call('HMGET', KEYS[1], 'sent', 'chunks')
local sent, chunks = tonumber(f[1] or f[2]), tonumber(f[2])
redis.call('ZADD', KEYS[3], 'XX', ARGV[2], ARGV[3])
if sent >= chunks then return -1 end
redis.call('HSET', KEYS[1], 'sent', sent + 1)
return sent
"""


class Chain:
    def __init__(self, store: JobStore, send, window: int):
        self.store = store
        self.client = store.client
        self.send = send  # (job id, chunk number) -> queues the chunk's task
        self.window = window
        self._advance = self.client.register_script(_ADVANCE)

    def begin(self, job_id: str, chunks: int) -> range:
        """Marks a new job's first chunks as queued; the caller queues them."""
        first = range(min(self.window, chunks))
        self.client.pipeline().hset(PREFIX + job_id, "sent", len(first)).zadd(CHAINED, {job_id: time.time()}).execute()
        return first

    def forget(self, job_id: str) -> None:
        self.client.zrem(CHAINED, job_id)

    def follow(self, job_id: str, number: int) -> int | None:
        """After chunk ``number`` is recorded: queues the job's next chunk, if any (once per chunk)."""
        base = PREFIX + job_id
        following = int(self._advance(keys=[base, base + ":attempts", CHAINED], args=[number, time.time(), job_id]))
        if following < 0:
            return None
        self.send(job_id, following)
        return following

    def sweep(self, stall_s: float) -> list[tuple[str, int]] | None:
        """Queues again what stalled chains hold; returns the (job, chunk) pairs queued, or None when
        another worker swept a moment ago (one sweeps at a time)."""
        if not self.client.set(SWEEP_LOCK, 1, nx=True, ex=SWEEP_EVERY_S):
            return None
        now = time.time()
        stalled = self.client.zrangebyscore(CHAINED, 0, now - stall_s, start=0, num=SWEEP_BATCH)
        if not stalled:
            return []
        held = self._held_by_broker()
        queued = []
        for job_id in stalled:
            facts = self.store.facts(job_id)
            if facts is None or facts.status in ("done", "cancelled"):
                self.forget(job_id)
                continue
            if held is None or job_id in held:  # a task of it waits or runs: the chain is alive
                self.client.zadd(CHAINED, {job_id: now}, xx=True)
                continue
            numbers = sorted(int(n) for n in self.client.hkeys(PREFIX + job_id + ":items"))[: self.window]
            if not numbers:
                continue
            sent = int(self.client.hget(PREFIX + job_id, "sent") or 0)
            self.client.pipeline().hset(PREFIX + job_id, "sent", max(sent, numbers[-1] + 1)).zadd(
                CHAINED, {job_id: now}, xx=True
            ).execute()
            for number in numbers:
                self.send(job_id, number)
                queued.append((job_id, number))
            log.warning("job chain stalled, chunks queued again", extra={"job_id": job_id, "chunks": numbers})
        return queued

    def _held_by_broker(self) -> str | None:
        """The raw text of every queued and delivered task (each names its job id), or None when the
        queue is too long to read (then nothing is swept)."""
        from api.jobs.queue import QUEUE

        if self.client.llen(QUEUE) > QUEUE_SCAN:
            return None
        return "\n".join([*self.client.lrange(QUEUE, 0, QUEUE_SCAN), *self.client.hvals(UNACKED)])
