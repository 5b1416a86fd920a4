"""Archive jobs: a whole archive summarized on a Celery cluster (Redis as broker and store)."""
