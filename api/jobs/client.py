"""``ringkas jobs submit|status|results|cancel``: the job routes over HTTP, so the same commands work
against a service on this machine or a remote one. Plain urllib: nothing to install."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import IO

import click

CONTENT_TYPES = {
    ".csv": "text/csv",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
    ".json": "application/json",
}
POLL_S = 1.0
NO_WORKER_S = 5.0  # a queued job with no worker this long gets told why it does not move
NO_WORKER = "no worker is running: start `ringkas worker` (with the same RINGKAS_REDIS_URL)"
# HTTP names its headers; on the command line the key is --key or RINGKAS_API_KEY.
NEEDS_KEY = "the service needs an API key: give --key KEY or set RINGKAS_API_KEY"


class ServiceError(click.ClickException):
    """A problem+json answer (or no answer), shown as one line."""


class JobsClient:
    def __init__(self, url: str, key: str | None, timeout: float = 60):
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout

    def _open(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None):
        headers = {"Accept": "application/json, application/x-ndjson"}
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=body, method=method, headers=headers)
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            try:
                problem = json.loads(exc.read())
            except ValueError:
                problem = {}
            if exc.code == 401:
                raise ServiceError(f"401: {NEEDS_KEY}") from None
            if exc.code == 403:  # the service's reason, and where the key came from
                raise ServiceError(f"403: {problem.get('detail') or exc.reason} (--key / RINGKAS_API_KEY)") from None
            raise ServiceError(f"{exc.code}: {problem.get('detail') or exc.reason}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise ServiceError(f"{self.url} did not answer: {getattr(exc, 'reason', exc)}") from None

    def _json(self, method: str, path: str, **kwargs) -> dict:
        with self._open(method, path, **kwargs) as response:
            return json.loads(response.read())

    def submit(self, path: Path, options: dict) -> dict:
        content_type = CONTENT_TYPES.get(path.suffix.lower())
        if content_type is None:
            raise click.BadParameter(f"{path.name}: expected .jsonl, .ndjson, .csv or .json", param_hint="FILE")
        query = ""
        if content_type == "application/json" and (options or _starts_a_list(path)):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, list):  # a file of items: the job body holds them as its items
                data = {"items": data}
            if options and isinstance(data, dict):
                data["defaults"] = {**options, **data.get("defaults", {})}
            return self._json("POST", "/v1/jobs", body=json.dumps(data).encode(), content_type=content_type)
        if options:
            query = "?" + urllib.parse.urlencode(
                {k: str(v).lower() if isinstance(v, bool) else v for k, v in options.items()}
            )
        return self._json("POST", f"/v1/jobs{query}", body=path.read_bytes(), content_type=content_type)

    def status(self, job_id: str) -> dict:
        return self._json("GET", f"/v1/jobs/{urllib.parse.quote(job_id)}")

    def cancel(self, job_id: str) -> dict:
        return self._json("DELETE", f"/v1/jobs/{urllib.parse.quote(job_id)}")

    def results(self, job_id: str, out: IO[str], since: int = 0) -> int:
        """Writes the result lines to ``out``; returns how many."""
        count = 0
        with self._open("GET", f"/v1/jobs/{urllib.parse.quote(job_id)}/results?since={since}") as response:
            for raw in response:
                out.write(raw.decode("utf-8"))
                count += 1
        return count

    def download(self, job_id: str, out: IO[bytes], since: int = 0, fmt: str = "ndjson") -> int:
        """Writes the results in ``fmt`` (ndjson, csv or xlsx) to ``out`` as they arrive; returns the
        bytes written."""
        query = urllib.parse.urlencode({"since": since, "format": fmt})
        written = 0
        with self._open("GET", f"/v1/jobs/{urllib.parse.quote(job_id)}/results?{query}") as response:
            while chunk := response.read(64 * 1024):
                out.write(chunk)
                written += len(chunk)
        return written

    def wait(self, job_id: str, total: int) -> dict:
        """Polls until the job ends, with a progress bar (rate and ETA) on standard error. Says once
        when no worker has been seen for NO_WORKER_S, and keeps waiting for one to start."""
        from tqdm import tqdm

        idle_since, told = time.monotonic(), False
        with tqdm(total=total, unit="item", file=sys.stderr, dynamic_ncols=True) as bar:
            while True:
                status = self.status(job_id)
                counts = status["counts"]
                bar.update(counts["done"] + counts["failed"] - bar.n)
                bar.set_postfix(failed=counts["failed"], workers=status["workers"], refresh=False)
                if status["status"] in ("done", "cancelled"):
                    return status
                if status["workers"]:
                    idle_since = time.monotonic()
                elif not told and time.monotonic() - idle_since >= NO_WORKER_S:
                    bar.write(NO_WORKER, file=sys.stderr)
                    told = True
                time.sleep(POLL_S)


def _starts_a_list(path: Path) -> bool:
    """A .json file whose first non-blank character opens an array (read no further)."""
    with path.open("rb") as file:
        head = file.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head[:1] == b"["
