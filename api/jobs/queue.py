"""The Celery application both sides share: the API sends chunk tasks, ``ringkas worker`` runs them.

Nothing is lost when a worker dies: tasks are acknowledged only after they ran (``acks_late``) and
are handed back when their worker is lost (``reject_on_worker_lost``); with Redis as broker, a task
a killed worker held is delivered again once ``RINGKAS_JOBS__VISIBILITY_S`` has passed (and the next
sweep, at most 5 s later, finds it). A worker
reserves one task per slot (prefetch 1), so several workers share one job's chunks.
"""

from __future__ import annotations

from celery import Celery

from api.config import Settings

QUEUE = "ringkas-jobs"
CHUNK_TASK = "ringkas.jobs.run_chunk"


def make_celery(settings: Settings) -> Celery:
    app = Celery("ringkas", broker=settings.redis_url, set_as_current=False)
    app.conf.update(
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,  # results live in the job store, by item index
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_transport_options={
            "visibility_timeout": settings.jobs.visibility_s,
            # A dead worker's chunk is swept back every 5 s, not kombu's 100 (docs/decisions.md).
            "unacked_restore_interval": 5,
            "unacked_restore_throttle": 1,
        },
        broker_connection_retry_on_startup=True,
        # Events on, so Flower (`celery --broker=$RINGKAS_REDIS_URL flower`) shows tasks and workers.
        worker_send_task_events=True,
        task_send_sent_event=True,
        worker_hijack_root_logger=False,  # the service's JSON log set-up stays
        worker_redirect_stdouts=False,
    )
    return app
