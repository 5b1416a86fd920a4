"""Archive jobs' state in Redis: each job's facts, its results by item index, and the workers seen.

Results are written by index with HSETNX inside one Lua script that also counts them, so an item
delivered twice (its worker died after the item finished, before the task was acknowledged) is
stored and counted once. Every key of a job expires ``ttl`` seconds after the job is made, and again
``ttl`` seconds after it finishes.

Keys (``{p}`` = ``ringkas:job:``): ``{p}<id>`` hash of facts; ``{p}<id>:results`` hash index -> NDJSON
line; ``{p}<id>:attempts`` hash chunk/item -> deliveries; ``{p}<id>:workers`` hash worker -> items;
``{p}<id>:items`` hash chunk number -> the chunk's items (JSON), until the chunk has run: a Celery
message names the job and the chunk, never what the caller wrote. Per key, ``ringkas:jobs:owner:<key>``
is the set of its jobs, which the quotas are counted over. Cluster-wide: ``ringkas:jobs:items`` (items
finished, by status) and ``ringkas:jobs:workers`` (a sorted set of worker heartbeats).

Quotas: a job reserves ``budget`` result bytes when it is made, and a key's unexpired jobs together
may reserve at most its byte quota; a result line that would take the job past its budget is stored
as a short ``result-too-large`` line instead, so what a job stores never exceeds its budget by more
than one short line per item.
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

# KEYS: facts, results, workers-of-job, cluster totals. ARGV: index, line, done|failed, now, worker,
# the short line stored instead when ``line`` would take the job past its budget.
# The time to live is the one the job was made with (the API's setting, not the worker's).
# Returns 1 when stored, 0 when the index was stored before (a redelivery), -1 when the job is gone,
# 2 when the short line was stored instead.
_RECORD = """
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local stored, line, status = 1, ARGV[2], ARGV[3]
local budget = tonumber(redis.call('HGET', KEYS[1], 'budget') or '-1')
local used = tonumber(redis.call('HGET', KEYS[1], 'bytes') or '0')
if budget >= 0 and used + #line > budget then stored, line, status = 2, ARGV[6], 'failed' end
redis.call('HSET', KEYS[2], ARGV[1], line)
redis.call('HINCRBY', KEYS[1], 'bytes', #line)
redis.call('HINCRBY', KEYS[1], status, 1)
redis.call('HINCRBY', KEYS[4], ARGV[3], 1)
redis.call('HINCRBY', KEYS[3], ARGV[5], 1)
local facts = redis.call('HMGET', KEYS[1], 'total', 'done', 'failed', 'ttl')
local ttl = tonumber(facts[4])
for i = 2, 3 do if redis.call('TTL', KEYS[i]) < 0 then redis.call('EXPIRE', KEYS[i], ttl) end end
if tonumber(facts[2]) + tonumber(facts[3]) >= tonumber(facts[1]) then
  redis.call('HSETNX', KEYS[1], 'finished_at', ARGV[4])
  for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ttl) end
  redis.call('EXPIRE', KEYS[1] .. ':attempts', ttl)
  redis.call('DEL', KEYS[1] .. ':items')
end
return stored
"""

# KEYS: facts, the owner's set of jobs. ARGV: job id, budget, live quota, byte quota, ttl, the key
# prefix, the most jobs a key keeps, then the facts as name, value pairs. Counts the owner's jobs
# that still exist (forgetting expired ones), then makes the job (no facts: only checks), or returns
# {-1, live jobs}, {-2, reserved bytes} or {-3, jobs kept} when a quota would break.
_CREATE = """
local live, reserved = 0, 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local f = redis.call('HMGET', ARGV[6] .. id, 'budget', 'total', 'done', 'failed', 'cancelled_at')
  if not f[2] then
    redis.call('SREM', KEYS[2], id)
  else
    reserved = reserved + tonumber(f[1] or '0')
    if not f[5] and tonumber(f[3]) + tonumber(f[4]) < tonumber(f[2]) then live = live + 1 end
  end
end
if redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[7]) then return {-3, redis.call('SCARD', KEYS[2])} end
if live >= tonumber(ARGV[3]) then return {-1, live} end
if reserved + tonumber(ARGV[2]) > tonumber(ARGV[4]) then return {-2, reserved} end
if #ARGV < 8 then return {0, 0} end
redis.call('HSET', KEYS[1], unpack(ARGV, 8))
redis.call('EXPIRE', KEYS[1], ARGV[5])
redis.call('SADD', KEYS[2], ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[5])
return {1, 0}
"""


JOB_ID = re.compile(r"job_[0-9a-f]{32}")  # anything else never reaches a Redis key
OWNER_JOBS = "ringkas:jobs:owner:"
# What a key is charged for each job: 4 bytes of results per character charged (a summary line is
# ~2 KB for a 3,000-character article; 4x leaves room for return_clean_text), every item charged at
# least MIN_ITEM_CHARS, so an item's result line (a problem, usually) fits in what it was charged.
RESULT_BYTES_PER_CHAR = 4
# A whole result line of one summarized article: summary and translation at the longest preset's
# token caps, the input facts and timings. Every item may store one, however short its article.
RESULT_LINE_BYTES = 4096
MIN_ITEM_CHARS = 150
# A cluster item's articles are each charged at least this: a digest's answer carries a source and
# the sentences' places per article (~0.5 KB beside the text), so short articles' line still fits.
MIN_ARTICLE_CHARS = 500
# Jobs one key keeps, finished ones until they expire: bounds the quota count each new job makes.
KEPT_PER_KEY = 1000


def new_job_id() -> str:
    return "job_" + uuid.uuid4().hex


def _keys(job_id: str) -> tuple[str, str, str, str, str]:
    base = PREFIX + job_id
    return base, base + ":results", base + ":workers", base + ":attempts", base + ":items"


class QuotaExceeded(Exception):
    """A key's quota would break: ``what`` is "live" (jobs queued or running), "kept" (unexpired
    jobs) or "bytes" (reserved)."""

    def __init__(self, what: str, current: int):
        super().__init__(what)
        self.what = what
        self.current = current


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


def _encoded(value: object) -> str:
    """JSON as Redis stores it: UTF-8, or escaped where a lone surrogate (valid in a JSON string,
    not in UTF-8) would make the write fail and wedge the job."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, separators=(",", ":"))
    return text


class JobStore:
    def __init__(self, client, ttl_s: float):
        self.client = client  # a redis.Redis with decode_responses=True
        self.ttl = max(1, int(ttl_s))
        self._record = client.register_script(_RECORD)
        self._create = client.register_script(_CREATE)

    @classmethod
    def from_url(cls, url: str, ttl_s: float) -> JobStore:
        import redis

        return cls(redis.Redis.from_url(url, decode_responses=True, socket_timeout=5, socket_connect_timeout=2), ttl_s)

    # --- jobs -----------------------------------------------------------------------------------
    def create(
        self,
        job_id: str,
        owner: str,
        total: int,
        chunks: int,
        upload: str = "json",
        delimiter: str | None = None,
        *,
        budget: int = -1,
        chunk_size: int = 0,
        defaults: dict | None = None,
        live_quota: int = 1_000_000,
        byte_quota: int = 2**62,
    ) -> None:
        """Makes the job's facts, unless one of the owner's quotas would break (QuotaExceeded).
        ``budget`` is the result bytes the job may store (-1: no budget)."""
        facts, *_ = _keys(job_id)
        mapping = {
            "owner": owner,
            "total": total,
            "done": 0,
            "failed": 0,
            "bytes": 0,
            "budget": budget,
            "created_at": time.time(),
            "chunks": chunks,
            "chunk_size": chunk_size,
            "defaults": json.dumps(defaults or {}),
            "ttl": self.ttl,  # the worker's record script expires the job with the API's setting
            "upload": upload,
            **({"delimiter": delimiter} if delimiter else {}),
        }
        pairs = [part for name, value in mapping.items() for part in (name, value)]
        self._quotas(job_id, owner, budget, live_quota, byte_quota, pairs)

    def check_quotas(self, owner: str, budget: int, live_quota: int, byte_quota: int) -> None:
        """Raises QuotaExceeded when a job of ``budget`` bytes would break one of ``owner``'s quotas
        now (``create`` checks again, atomically)."""
        self._quotas("job_check", owner, budget, live_quota, byte_quota, [])

    def _quotas(self, job_id: str, owner: str, budget: int, live_quota: int, byte_quota: int, pairs: list) -> None:
        code, current = self._create(
            keys=[_keys(job_id)[0], OWNER_JOBS + owner],
            args=[job_id, max(budget, 0), live_quota, byte_quota, self.ttl, PREFIX, KEPT_PER_KEY, *pairs],
        )
        if code < 0:
            raise QuotaExceeded({-1: "live", -2: "bytes", -3: "kept"}[code], int(current))

    def put_chunks(self, job_id: str, chunks: dict[int, list]) -> None:
        """Stores chunks' items (number -> ``[[index, item], ...]``) until they have run."""
        key = _keys(job_id)[4]
        encoded = {number: _encoded(chunk) for number, chunk in chunks.items()}
        self.client.pipeline().hset(key, mapping=encoded).expire(key, self.ttl).execute()

    def chunk(self, job_id: str, number: int) -> list | None:
        """A chunk's ``[[index, item], ...]``, or None when they are gone (run, expired or lost) or
        cannot be read."""
        raw = self.client.hget(_keys(job_id)[4], number)
        try:
            chunk = json.loads(raw) if raw is not None else None
        except ValueError:
            return None
        return chunk if isinstance(chunk, list) else None

    def drop_chunk(self, job_id: str, number: int) -> None:
        self.client.hdel(_keys(job_id)[4], number)

    def settings_of(self, job_id: str) -> tuple[int, dict]:
        """The job's chunk size and defaults, as it was made with."""
        size, defaults = self.client.hmget(_keys(job_id)[0], "chunk_size", "defaults")
        return int(size or 0), json.loads(defaults or "{}")

    def stored_bytes(self, job_id: str) -> tuple[int, int]:
        """(result bytes stored, budget) of a job."""
        used, budget = self.client.hmget(_keys(job_id)[0], "bytes", "budget")
        return int(used or 0), int(budget if budget is not None else -1)

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
    def record(self, job_id: str, index: int, line: dict, worker: str, instead: dict | None = None) -> str | None:
        """Stores one item's result line, or ``instead`` (a short failed line) when the line would take
        the job past its budget. Returns the status stored (done or failed), or None when the index
        was already stored (or the job is gone)."""
        facts, results, workers, *_ = _keys(job_id)
        status = "done" if line["status"] == "done" else "failed"
        stored = self._record(
            keys=[facts, results, workers, ITEMS_TOTAL],
            args=[index, _encoded(line), status, time.time(), worker, _encoded(instead or line)],
        )
        return {1: status, 2: "failed"}.get(stored)

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
