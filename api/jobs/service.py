"""The API's side of archive jobs: make a job (store its facts, queue its chunks), report it, stream
its results, cancel it. Jobs belong to the key that made them; anyone else gets 404, as for a job
that never was (ids are not confirmed to strangers)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from api.config import Settings
from api.errors import InsufficientStorage, NotFound, RateLimited, Unavailable
from api.jobs.chain import Chain
from api.jobs.intake import JobInput
from api.jobs.queue import CHUNK_TASK, QUEUE, make_celery
from api.jobs.store import (
    JOB_ID,
    RESULT_BYTES_PER_CHAR,
    RESULT_LINE_BYTES,
    JobFacts,
    JobStore,
    QuotaExceeded,
    new_job_id,
)
from api.schemas import JobStatus

NO_REDIS = (
    "archive jobs need Redis and a worker: set RINGKAS_REDIS_URL (e.g. redis://localhost:6379/0) for the "
    "service, and start `ringkas worker` with the same setting"
)


def in_words(seconds: float) -> str:
    """A duration as people say it: "7 days", "90 minutes", "45 seconds"."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = round(seconds)
    return f"{count} second{'s' if count != 1 else ''}"


STORE_FULL = (
    "the job store (Redis) is full (its maxmemory, with the noeviction policy): no new job until "
    "running ones finish or expire"
)
CHUNKS_PER_WRITE = 64  # chunks stored per round trip at intake


@contextmanager
def redis_errors() -> Iterator[None]:
    """Redis going away is a 503 naming it, Redis full (its maxmemory reached under noeviction) a
    507; never a 500."""
    import redis
    from kombu.exceptions import OperationalError

    try:
        yield
    except (redis.exceptions.OutOfMemoryError, redis.exceptions.ExecAbortError):
        # EXECABORT: a transaction whose command Redis refused when queued, which for our well-formed
        # transactions means the same out-of-memory refusal, reported without its reason.
        raise InsufficientStorage(STORE_FULL, retry_after=300) from None
    except (redis.RedisError, OperationalError, OSError) as exc:
        if "OOM command not allowed" in str(exc):  # the same, wrapped by kombu or a script
            raise InsufficientStorage(STORE_FULL, retry_after=300) from None
        raise Unavailable(f"the job store (Redis) cannot be reached: {type(exc).__name__}", retry_after=10) from None


def result_budget(job: JobInput) -> int:
    """The result bytes a job reserves: 4 per character charged, and at least one whole result line
    per item (a summary's line is bounded by the models' output caps, not by its article: a short
    article's line is as long as a long one's)."""
    return max(RESULT_BYTES_PER_CHAR * job.chars, RESULT_LINE_BYTES * len(job.items))


class Jobs:
    def __init__(self, settings: Settings, store: JobStore):
        self.settings = settings
        self.store = store
        self.celery = make_celery(settings)
        self.chain = Chain(store, self._send, settings.jobs.window)

    @classmethod
    def from_settings(cls, settings: Settings) -> Jobs | None:
        if not settings.redis_url:
            return None
        return cls(settings, JobStore.from_url(settings.redis_url, settings.jobs.ttl_s))

    def submit(self, owner: str, job: JobInput) -> JobFacts:
        """Stores the job's facts and items (refused when a quota of ``owner`` would break), then
        queues its first chunks (a task names only the job and the chunk number); workers queue the
        rest one by one (api/jobs/chain.py), so jobs take turns."""
        size = self.settings.jobs.chunk_size
        starts = range(0, len(job.items), size)
        job_id = new_job_id()
        with redis_errors():
            self._create(job_id, owner, job, len(starts))
            try:
                for first in range(0, len(starts), CHUNKS_PER_WRITE):
                    numbers = range(first, min(len(starts), first + CHUNKS_PER_WRITE))
                    self.store.put_chunks(job_id, {n: self._chunk(job, starts[n], size) for n in numbers})
                with self.celery.producer_or_acquire() as producer:  # one connection for every chunk
                    for number in self.chain.begin(job_id, len(starts)):
                        self.celery.send_task(CHUNK_TASK, args=[job_id, number], queue=QUEUE, producer=producer)
            except BaseException:
                self.store.delete(job_id)  # a half-queued job would never finish: none at all
                self.chain.forget(job_id)
                raise
        return self.get(owner, job_id)

    def _send(self, job_id: str, number: int) -> None:
        self.celery.send_task(CHUNK_TASK, args=[job_id, number], queue=QUEUE)

    def check_quotas(self, owner: str, job: JobInput) -> None:
        """Before the job is charged: would it break one of the key's quotas now?"""
        with redis_errors(), self._quota_problems(job):
            self.store.check_quotas(
                owner,
                result_budget(job),
                self.settings.jobs.live_per_key,
                self.settings.jobs.result_bytes_per_key,
            )

    def _create(self, job_id: str, owner: str, job: JobInput, chunks: int) -> None:
        settings = self.settings
        with self._quota_problems(job):
            self.store.create(
                job_id,
                owner,
                len(job.items),
                chunks,
                job.upload,
                job.delimiter,
                budget=result_budget(job),
                chunk_size=settings.jobs.chunk_size,
                defaults=job.defaults,
                live_quota=settings.jobs.live_per_key,
                byte_quota=settings.jobs.result_bytes_per_key,
            )

    @contextmanager
    def _quota_problems(self, job: JobInput) -> Iterator[None]:
        """A key's quota broken, as the caller's problem: 429 for jobs, 507 for result bytes."""
        settings = self.settings
        kept = in_words(settings.jobs.ttl_s)
        try:
            yield
        except QuotaExceeded as exc:
            if exc.what == "kept":
                raise RateLimited(
                    f"this key keeps {exc.current} jobs, the most it may (finished ones count until they expire, "
                    f"{kept} after they finish); send more items per job",
                    retry_after=3600,
                ) from None
            if exc.what == "live":
                raise RateLimited(
                    f"this key has {exc.current} jobs queued or running, its limit "
                    f"(RINGKAS_JOBS__LIVE_PER_KEY); submit more when one ends, or cancel one",
                    retry_after=60,
                ) from None
            raise InsufficientStorage(
                f"this job would reserve {result_budget(job)} bytes of results; this key's jobs "
                f"reserve {exc.current} of its {settings.jobs.result_bytes_per_key} "
                f"(RINGKAS_JOBS__RESULT_BYTES_PER_KEY) until they expire ({kept} after they finish)",
                retry_after=3600,
            ) from None

    @staticmethod
    def _chunk(job: JobInput, start: int, size: int) -> list:
        return [[index, item] for index, item in enumerate(job.items[start : start + size], start)]

    def get(self, owner: str, job_id: str) -> JobFacts:
        with redis_errors():
            facts = self.store.facts(job_id) if JOB_ID.fullmatch(job_id) else None
        if facts is None or facts.owner != owner:
            kept = in_words(self.settings.jobs.ttl_s)
            raise NotFound(f"no job {job_id!r} (it may have expired: a job and its results are kept {kept})")
        return facts

    def view(self, facts: JobFacts) -> JobStatus:
        now = time.time()
        with redis_errors():
            workers = self.store.live_workers()

        def stamp(value: float | None) -> str | None:
            return None if value is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(value))

        # A cancelled job has ended: what had not finished by then is counted as cancelled, not
        # pending forever (an item already running may still finish, and moves to done).
        ended = facts.status == "cancelled"
        cancelled = facts.total - facts.finished if ended else 0

        return JobStatus(
            **{
                "id": facts.id,
                "status": facts.status,
                "counts": {
                    "total": facts.total,
                    "done": facts.done,
                    "failed": facts.failed,
                    "cancelled": cancelled,
                    "pending": facts.total - facts.finished - cancelled,
                },
                "created_at": stamp(facts.created_at),
                "started_at": stamp(facts.started_at),
                "finished_at": stamp(facts.finished_at or (facts.cancelled_at if ended else None)),
                "cancelled_at": stamp(facts.cancelled_at),
                "rate_per_s": facts.rate_per_s(now),
                "eta_s": facts.eta_s(now),
                "workers": workers,
                "upload": {"format": facts.upload, "delimiter": facts.delimiter},
                "links": self.links(facts.id),
            }
        )

    @staticmethod
    def links(job_id: str) -> dict:
        return {"self": f"/v1/jobs/{job_id}", "results": f"/v1/jobs/{job_id}/results"}

    def cancel(self, owner: str, job_id: str) -> JobFacts:
        facts = self.get(owner, job_id)
        if facts.status in ("queued", "running"):
            with redis_errors():
                self.store.cancel(job_id)
        return self.get(owner, job_id)

    def results(self, facts: JobFacts, since: int) -> tuple[Iterator[str], int]:
        """The finished items' lines from index ``since``, and the first index still missing (where
        a download polled while the job runs resumes without skipping an item)."""
        with redis_errors():
            resume = self.store.first_missing(facts.id, facts.total, since)
        return self.store.results(facts.id, facts.total, since), resume

    def cluster(self) -> dict:
        """For /metrics: items finished (all jobs, all workers), tasks waiting, workers alive."""
        with redis_errors():
            return {
                "items": self.store.items_total(),
                "queue": self.store.queue_depth(QUEUE),
                "workers": self.store.live_workers(),
            }
