"""``ringkas worker``: a Celery worker that loads the models once and runs job chunks through the
service's own pipeline (``Pipeline.answer_items``, as ``/v1/summarize/batch`` does), so a chunk's
items, and the chunks its threads run at once, share generate calls in the batcher.

Its pool is threads, not processes: one copy of the models per ``ringkas worker`` process, however
many chunks it runs at once. Scale out with more worker processes or machines on the same Redis.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
from pathlib import Path

from celery import Celery

from api.errors import InsufficientStorage, ItemFaulted, ItemLost, ItemPoisoned, RingkasError
from api.items import MAX_ARTICLES
from api.jobs.alive import ALIVE_FILE
from api.jobs.chain import STALL_S, Chain
from api.jobs.queue import CHUNK_TASK, QUEUE, make_celery
from api.jobs.store import HEARTBEAT_S, JOB_ID, JobStore
from api.pipeline import Caller, Pipeline, parse_item
from api.schemas import BatchResult, JobResultLine, usable_id

log = logging.getLogger(__name__)
RETRIES = 12  # a chunk whose store calls fail is retried for about ten minutes before it is given up


class ChunkFailed(Exception):
    """What Celery sees of a chunk that failed: the failing exception's type, never its text."""


def result_line(index: int, result: BatchResult) -> dict:
    """One NDJSON line of a job's results, as ``JobResultLine`` describes it (a done line has no
    problem member, a failed one no result)."""
    done = result.status == "done"
    line = JobResultLine(id=result.id, index=index, status=result.status, result=result.result, problem=result.problem)
    return line.model_dump(mode="json", exclude={"problem"} if done else {"result"})


def failed(item: object, error: RingkasError) -> BatchResult:
    item_id = usable_id(item.get("id")) if isinstance(item, dict) else None
    return BatchResult(id=item_id, status="failed", problem=error.to_problem())


def _poisoned(item: object, attempts: int) -> BatchResult:
    return failed(item, ItemPoisoned(f"a worker died while summarizing this item, {attempts} times; it was given up"))


def too_large(index: int, item: object) -> dict:
    """The short line stored instead of a result that would take its job past its byte budget."""
    error = InsufficientStorage(
        "this item's result is larger than what its job was charged for (4 bytes per character)", retry_after=0
    )
    return result_line(index, failed(item, error))


class ChunkRunner:
    """Runs one chunk task: skips what is stored or cancelled, records each item by index."""

    def __init__(
        self, pipeline: Pipeline, store: JobStore, worker: str, attempts: int, max_articles: int = MAX_ARTICLES
    ):
        self.pipeline = pipeline
        self.store = store
        self.worker = worker
        self.attempts = attempts
        self.max_articles = max_articles  # a cluster item's (RINGKAS_DIGEST__MAX_ARTICLES), as intake checked it

    def run(self, job_id: str, number: int, task_id: str | None = None) -> dict:
        """Runs chunk ``number`` of the job from the items the job store holds for it."""
        started = time.perf_counter()
        counts = {"done": 0, "failed": 0, "skipped": 0}
        if self.store.is_cancelled(job_id):
            self.store.drop_chunk(job_id, number)
            return counts
        self.store.started(job_id)
        facts = self.store.facts(job_id)
        caller = Caller(tenant=facts.owner if facts else "public")  # the cache is the owner's own
        deliveries = self.store.attempt(job_id, f"chunk:{number}")
        size, defaults = self.store.settings_of(job_id)
        chunk = self.store.chunk(job_id, number)
        if chunk is None:
            # The items are gone (a Redis restarted without its append-only file, a store that
            # cannot be read): what is not stored yet is failed, so the job still ends.
            total = facts.total if facts else 0
            chunk = [[index, None] for index in range(number * size, min(total, (number + 1) * size))]
            lost = ItemLost("this item's input was lost from the job store before it ran; submit it again")
            answer = self._lost(lost)
        else:
            answer = None
        stored = self.store.stored(job_id, [index for index, _ in chunk])
        todo = [(index, item) for index, item in chunk if index not in stored]
        counts["skipped"] = len(chunk) - len(todo)

        def cancelled() -> bool:
            return self.store.is_cancelled(job_id)

        def record(index: int, item: object, result: BatchResult) -> None:
            status = self.store.record(job_id, index, result_line(index, result), self.worker, too_large(index, item))
            counts[status or "skipped"] += 1

        if answer is not None:
            for index, item in todo:
                record(index, item, answer)
        elif deliveries == 1:
            parsed = [parse_item(item, defaults, self.max_articles) for _, item in todo]
            for (index, item), result in zip(
                todo, self.pipeline.answer_items(parsed, skip=cancelled, caller=caller), strict=True
            ):
                if result is not None:
                    record(index, item, result)
        else:
            # A worker died holding this chunk, or its run raised. One item at a time now, each start
            # counted, so an item that kills its worker is found and failed alone while the others
            # finish; an item whose run raises is failed with the exception's type only.
            for index, item in todo:
                if cancelled():
                    break
                tries = self.store.attempt(job_id, f"item:{index}")
                if tries > self.attempts:
                    record(index, item, _poisoned(item, tries - 1))
                    continue
                try:
                    result = self.pipeline.answer_items([parse_item(item, defaults, self.max_articles)], caller=caller)[
                        0
                    ]
                except Exception as exc:  # not an item problem (those are results): a fault, failed alone
                    result = failed(item, ItemFaulted(type(exc).__name__))
                record(index, item, result)
        if not cancelled():
            self.store.drop_chunk(job_id, number)  # every item of it is recorded: its input goes
        log.info(
            "job chunk",
            extra={
                "request_id": task_id,  # the Celery task id: Flower and the worker's own records name it
                "job_id": job_id,
                "chunk": number,
                "delivery": deliveries,
                **counts,
                "seconds": round(time.perf_counter() - started, 3),
            },
        )
        return counts

    @staticmethod
    def _lost(error: RingkasError) -> BatchResult:
        return BatchResult(id=None, status="failed", problem=error.to_problem())

    def give_up(self, job_id: str, number: int, reason: str) -> None:
        """A chunk retried to its limit: what it has not recorded is failed, so the job still ends."""
        facts = self.store.facts(job_id)
        size, _ = self.store.settings_of(job_id)
        if facts is None or not size:
            return
        indexes = range(number * size, min(facts.total, (number + 1) * size))
        error = ItemFaulted(reason, given_up=True)
        for index in sorted(set(indexes) - self.store.stored(job_id, list(indexes))):
            self.store.record(job_id, index, result_line(index, failed(None, error)), self.worker)
        self.store.drop_chunk(job_id, number)


def register(app: Celery, runner: ChunkRunner, chain: Chain | None = None) -> None:
    @app.task(name=CHUNK_TASK, bind=True, max_retries=RETRIES)
    def run_chunk(task, job_id: str, number: int, *_ignored) -> dict:
        # A message is (job id, chunk number); anything more (a message from before items were kept
        # in the job store) is ignored, and its items are failed as lost.
        if not isinstance(job_id, str) or not JOB_ID.fullmatch(job_id) or not isinstance(number, int):
            log.warning("job chunk message without a job id and chunk number", extra={"request_id": task.request.id})
            return {}
        try:
            counts = runner.run(job_id, number, task.request.id)
            if chain is not None:
                chain.follow(job_id, number)  # the job's next chunk, queued before this one is acknowledged
            return counts
        except Exception as exc:
            if task.request.retries >= RETRIES:
                with contextlib.suppress(Exception):  # the store may still be away: then it stays so
                    runner.give_up(job_id, number, type(exc).__name__)
                    if chain is not None:
                        chain.follow(job_id, number)
                log.error("job chunk given up: %s", type(exc).__name__, extra={"request_id": task.request.id})
                return {}
            # Item problems never get here (they are results): this is the job store failing (Redis
            # restarting), or a fault the next delivery meets item by item (and fails alone). An
            # acknowledged failure would lose the chunk: queue it again, backing off.
            # Celery logs the exception it is handed, and an exception's text can quote the result
            # line (a UnicodeEncodeError holds the whole string): hand it the type's name only.
            log.warning("job chunk failed, retrying: %s", type(exc).__name__, extra={"request_id": task.request.id})
            raise task.retry(exc=ChunkFailed(type(exc).__name__), countdown=min(60, 2**task.request.retries)) from None


class Heartbeat:
    """Tells the job store this worker is alive (``workers`` in a job's status, the metrics), and
    ``ringkas healthcheck`` too, through a file holding its pid: the image's one HEALTHCHECK then
    judges a worker container by its heartbeat and a service container by /readyz."""

    def __init__(self, store: JobStore, name: str, alive_file: Path = ALIVE_FILE, chain: Chain | None = None):
        self.store = store
        self.name = name
        self.chain = chain  # swept beside each beat, so no job's chain stays broken
        self.alive_file = alive_file
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="ringkas-heartbeat", daemon=True)

    def start(self) -> Heartbeat:
        self._thread.start()
        return self

    def _beat(self) -> None:
        while not self._stop.is_set():
            try:
                self.store.heartbeat(self.name)
                self.alive_file.write_text(str(os.getpid()))  # only while Redis answers: healthy = working
            except Exception as exc:  # Redis away for a moment: the next beat tries again
                log.warning("heartbeat failed: %s", type(exc).__name__)
            if self.chain is not None:
                try:
                    self.chain.sweep(STALL_S)
                except Exception as exc:
                    log.warning("job chain sweep failed: %s", type(exc).__name__)
            self._stop.wait(HEARTBEAT_S)

    def stop(self) -> None:
        self._stop.set()
        self.alive_file.unlink(missing_ok=True)
        try:
            self.store.gone(self.name)
        except Exception:
            pass


def worker_name() -> str:
    return f"ringkas-{os.getpid()}@{socket.gethostname()}"


def run_worker(settings, pipeline: Pipeline, concurrency: int, loglevel: str) -> None:
    """Blocks until the worker is stopped (SIGTERM/SIGINT: it finishes its running chunks first)."""
    name = worker_name()
    store = JobStore.from_url(settings.redis_url, settings.jobs.ttl_s)
    chunk_runner = ChunkRunner(pipeline, store, name, settings.jobs.attempts, settings.digest.max_articles)
    app = make_celery(settings)

    def send(job_id: str, number: int) -> None:
        app.send_task(CHUNK_TASK, args=[job_id, number], queue=QUEUE)

    chain = Chain(store, send, settings.jobs.window)
    register(app, chunk_runner, chain)
    heartbeat = Heartbeat(store, name, chain=chain).start()
    try:
        app.worker_main(
            [
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                f"--hostname={name}",
                f"--loglevel={loglevel}",
                f"--queues={QUEUE}",
                "--without-gossip",
                "--without-mingle",
            ]
        )
    finally:
        heartbeat.stop()
