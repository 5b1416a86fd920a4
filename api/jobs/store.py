"""Archive jobs' state in Redis: each job's facts, its results by item index, and the workers seen.

Results are written by index with HSETNX inside one Lua script that also counts them, so an item
delivered twice (its worker died after the item finished, before the task was acknowledged) is
stored and counted once. Every key of a job expires ``ttl`` seconds after the job is made, and again
``ttl`` seconds after it finishes.

Keys (``{p}`` = ``ringkas:job:``): ``{p}<id>`` hash of facts; ``{p}<id>:results`` hash index -> NDJSON
line; ``{p}<id>:attempts`` hash chunk/item -> deliveries; ``{p}<id>:workers`` hash worker -> items.
Cluster-wide: ``ringkas:jobs:items`` (items finished, by status) and ``ringkas:jobs:workers`` (a
sorted set of worker heartbeats).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

PREFIX = "ringkas:job:"
ITEMS_TOTAL = "ringkas:jobs:items"
WORKERS = "ringkas:jobs:workers"
HEARTBEAT_S = 10.0
WORKER_ALIVE_S = 3 * HEARTBEAT_S  # a worker not heard from for three beats is gone
PAGE = 500  # result indexes read per round trip

# KEYS: facts, results, workers-of-job, cluster totals. ARGV: index, line, done|failed, now, worker.
# The time to live is the one the job was made with (the API's setting, not the worker's).
# Returns 1 when stored, 0 when the index was stored before (a redelivery), -1 when the job is gone.
_RECORD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return 0 end
redis.call('HINCRBY', KEYS[1], ARGV[3], 1)
redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
local facts = redis.call('HMGET', KEYS[1], 'total', 'done', 'failed', 'ttl')
local ttl = tonumber(facts[4])
for i = 2, 3 do if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ttl) end end
if tonumber(facts[2]) + tonumber(facts[3]) >= tonumber(facts[1]) then
  redis.call('HSETNX', KEYS[1], 'finished_at', ARGV[4])
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
  redis.call('EXPIRE', KEYS[1] .. ':attempts', ttl)
end
return 1
"""


JOB_ID = re.compile(r"job_[0-9a-f]{32}")  # anything else never reaches a Redis key


def new_job_id() -> str:
    return "job_" + uuid.uuid4().hex


def _keys(job_id: str) -> tuple[str, str, str, str]:
    base = PREFIX + job_id
    return base, base + ":results", base + ":workers", base + ":attempts"


@dataclass(frozen=True)
class JobFacts:
    id: str
    owner: str
    total: int
    done: int
    failed: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    cancelled_at: float | None
    upload: str = "json"  # the format the items came in
    delimiter: str | None = None  # a CSV upload's

    @property
    def finished(self) -> int:
        return self.done + self.failed

    @property
    def status(self) -> str:
        if self.finished >= self.total:
            return "done"
        if self.cancelled_at is not None:
            return "cancelled"
        return "running" if self.started_at is not None else "queued"

    def rate_per_s(self, now: float) -> float | None:
        if self.started_at is None or not self.finished:
            return None
        elapsed = (self.finished_at or now) - self.started_at
        return round(self.finished / elapsed, 3) if elapsed > 0 else None

    def eta_s(self, now: float) -> float | None:
        rate = self.rate_per_s(now)
        if self.status != "running" or not rate:
            return None
        return round((self.total - self.finished) / rate, 1)


class JobStore:
    def __init__(self, client, ttl_s: float):
        self.client = client  # a redis.Redis with decode_responses=True
        self.ttl = max(1, int(ttl_s))
        self._record = client.register_script(_RECORD)

    @classmethod
    def from_url(cls, url: str, ttl_s: float) -> JobStore:
        import redis

        return cls(redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=2), ttl_s)

    # --- jobs -----------------------------------------------------------------------------------
    def create(
        self, job_id: str, owner: str, total: int, chunks: int, upload: str = "json", delimiter: str | None = None
    ) -> None:
        facts, *_ = _keys(job_id)
        now = time.time()
        pipe = self.client.pipeline()
        pipe.hset(
            facts,
            mapping={
                "owner": owner,
                "total": total,
                "done": 0,
                "failed": 0,
                "created_at": now,
                "chunks": chunks,
                "ttl": self.ttl,  # the worker's record script expires the job with the API's setting
                "upload": upload,
                **({"delimiter": delimiter} if delimiter else {}),
            },
        )
        pipe.expire(facts, self.ttl)
        pipe.execute()

    def delete(self, job_id: str) -> None:
        self.client.delete(*_keys(job_id))

    def facts(self, job_id: str) -> JobFacts | None:
        raw = self.client.hgetall(_keys(job_id)[0])
        if not raw:
            return None

        def when(name: str) -> float | None:
            return float(raw[name]) if name in raw else None

        return JobFacts(
            id=job_id,
            owner=raw.get("owner", ""),
            total=int(raw.get("total", 0)),
            done=int(raw.get("done", 0)),
            failed=int(raw.get("failed", 0)),
            created_at=float(raw.get("created_at", 0)),
            started_at=when("started_at"),
            finished_at=when("finished_at"),
            cancelled_at=when("cancelled_at"),
            upload=raw.get("upload", "json"),
            delimiter=raw.get("delimiter"),
        )

    def cancel(self, job_id: str) -> None:
        self.client.hsetnx(_keys(job_id)[0], "cancelled_at", time.time())

    def is_cancelled(self, job_id: str) -> bool:
        """True when the job was cancelled or has expired (or was never made): its items are skipped."""
        facts, *_ = _keys(job_id)
        exists, cancelled = self.client.pipeline().exists(facts).hexists(facts, "cancelled_at").execute()
        return not exists or bool(cancelled)

    def started(self, job_id: str) -> None:
        self.client.hsetnx(_keys(job_id)[0], "started_at", time.time())

    def attempt(self, job_id: str, what: str) -> int:
        """Counts one more delivery of a chunk (``chunk:N``) or one more start of an item (``item:N``)."""
        key = _keys(job_id)[3]
        count, _ = self.client.pipeline().hincrby(key, what, 1).expire(key, self.ttl).execute()
        return int(count)

    # --- results ------------------------------------------------------------------------------
    def record(self, job_id: str, index: int, line: dict, worker: str) -> bool:
        """Stores one item's result line; False when the index was already stored (or the job is gone)."""
        facts, results, workers, _ = _keys(job_id)
        status = "done" if line["status"] == "done" else "failed"
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":"))
        if not text.isascii() and any("\ud800" <= char <= "\udfff" for char in text):
            # Intake refuses such ids, but a line that cannot be encoded must never wedge its chunk.
            text = json.dumps(line, separators=(",", ":"))
        stored = self._record(
            keys=[facts, results, workers, ITEMS_TOTAL], args=[index, text, status, time.time(), worker]
        )
        return stored == 1

    def stored(self, job_id: str, indexes: list[int]) -> set[int]:
        """Which of these indexes already have a result."""
        if not indexes:
            return set()
        present = self.client.pipeline()
        for index in indexes:
            present.hexists(_keys(job_id)[1], index)
        return {index for index, found in zip(indexes, present.execute(), strict=True) if found}

    def results(self, job_id: str, total: int, since: int = 0) -> Iterator[str]:
        """Finished items' lines in item order, from index ``since``; unfinished items are absent."""
        key = _keys(job_id)[1]
        for start in range(max(0, since), total, PAGE):
            indexes = list(range(start, min(total, start + PAGE)))
            for line in self.client.hmget(key, indexes):
                if line is not None:
                    yield line

    def first_missing(self, job_id: str, total: int, since: int = 0) -> int:
        """The first index from ``since`` without a result (``total`` when none is missing): where a
        download that must not skip an item resumes. Reads the indexes only, never the lines."""
        key = _keys(job_id)[1]
        if self.client.hlen(key) >= total:
            return total
        present = {int(index) for index in self.client.hkeys(key)}
        return next((index for index in range(max(0, since), total) if index not in present), total)

    # --- workers and the cluster --------------------------------------------------------------
    def heartbeat(self, worker: str) -> None:
        self.client.zadd(WORKERS, {worker: time.time()})

    def gone(self, worker: str) -> None:
        self.client.zrem(WORKERS, worker)

    def live_workers(self) -> int:
        now = time.time()
        self.client.zremrangebyscore(WORKERS, 0, now - 10 * WORKER_ALIVE_S)  # forget long-dead ones
        return int(self.client.zcount(WORKERS, now - WORKER_ALIVE_S, "+inf"))

    def queue_depth(self, queue: str) -> int:
        """Tasks waiting in a Celery queue (kombu's Redis transport keeps each queue as a list)."""
        return int(self.client.llen(queue))

    def items_total(self) -> dict[str, int]:
        raw = self.client.hgetall(ITEMS_TOTAL)
        return {status: int(raw.get(status, 0)) for status in ("done", "failed")}

    def ping(self) -> None:
        self.client.ping()
