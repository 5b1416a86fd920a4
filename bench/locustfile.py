"""Locust users for `bench/load.py`: a newsroom mix of good, bad and oversized requests.

Each request states which answers are acceptable for it: a good request may be served (200) or
refused under deliberate overload (503 with Retry-After); a bad one must get its 4xx. Anything else
is a failure, and so is a connection that ends without an HTTP answer. Counts by kind and status
are written to $LOAD_STATS when the run ends.
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from pathlib import Path

from locust import HttpUser, between, events, task

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((Path(__file__).parent.parent / "seeds").glob("*.txt"))]
OVERSIZED = int(os.environ.get("LOAD_OVERSIZED_BYTES", "300000"))
COUNTS: Counter = Counter()
RETRY_AFTER_MISSING: Counter = Counter()


def _expect(response, kind: str, allowed: set[int]) -> None:
    status = response.status_code or "no-answer"
    COUNTS[f"{kind} {status}"] += 1
    if status == 503 and not response.headers.get("Retry-After"):
        RETRY_AFTER_MISSING[kind] += 1
    if status in allowed:
        response.success()
    else:
        response.failure(f"{kind}: got {status}, expected one of {sorted(allowed)}")


class NewsroomClient(HttpUser):
    wait_time = between(0.05, 0.3)

    @task(6)
    def summarize(self):
        body = {"text": random.choice(SEEDS), "translate": random.random() < 0.5, "length": "short"}
        with self.client.post("/v1/summarize", json=body, catch_response=True, name="good summarize") as r:
            _expect(r, "good", {200, 503})

    @task(2)
    def translate(self):
        text = random.choice(SEEDS)[:400]
        with self.client.post("/v1/translate", json={"text": text}, catch_response=True, name="good translate") as r:
            _expect(r, "good", {200, 503})

    @task(1)
    def malformed(self):
        headers = {"Content-Type": "application/json"}
        with self.client.post(
            "/v1/summarize", data=b'{"text": ', headers=headers, catch_response=True, name="bad json"
        ) as r:
            _expect(r, "bad-json", {400})

    @task(1)
    def invalid(self):
        with self.client.post("/v1/summarize", json={"txt": "typo"}, catch_response=True, name="bad field") as r:
            _expect(r, "bad-field", {422})

    @task(1)
    def oversized(self):
        body = b"x" * OVERSIZED
        headers = {"Content-Type": "text/plain"}
        with self.client.post("/v1/summarize", data=body, headers=headers, catch_response=True, name="oversized") as r:
            _expect(r, "oversized", {413})


@events.quitting.add_listener
def _write_counts(environment, **_kwargs):
    path = os.environ.get("LOAD_STATS")
    if path:
        Path(path).write_text(
            json.dumps({"counts": dict(COUNTS), "503_without_retry_after": dict(RETRY_AFTER_MISSING)}, indent=1)
        )
