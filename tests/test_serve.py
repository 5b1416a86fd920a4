"""`ringkas serve` for real: gunicorn, a worker loading the tiny models after fork, HTTP on loopback."""

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import http_request, live_server, tiny_env

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def server(tiny_dir):
    with live_server(tiny_dir, limits__max_body_bytes="20000") as running:
        yield running


def test_serves_summaries_over_http(server, seed_texts):
    port, _ = server
    status, headers, body = http_request(
        port,
        "POST",
        "/v1/summarize?translate=true",
        body=seed_texts[0].encode(),
        headers={"Content-Type": "text/plain", "X-Request-ID": "curl-1"},
    )
    assert status == 200 and headers["X-Request-ID"] == "curl-1"
    result = json.loads(body)
    assert result["summary"]["text"] and result["translation"]["lang"] == "eng_Latn"


def test_oversized_bodies_are_refused_with_and_without_content_length(server):
    port, proc = server
    status, headers, body = http_request(
        port, "POST", "/v1/summarize", body=b"x" * 30_000, headers={"Content-Type": "text/plain"}
    )
    assert status == 413 and headers["Content-Type"] == "application/problem+json"

    # Chunked: no Content-Length to check up front; the limit still stops the read.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(
        "POST",
        "/v1/summarize",
        body=iter([b"y" * 8000] * 5),
        headers={"Content-Type": "text/plain", "Transfer-Encoding": "chunked"},
        encode_chunked=True,
    )
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["status"] == 413
    conn.close()
    assert proc.poll() is None and http_request(port, "GET", "/healthz")[0] == 200


def test_a_second_serve_on_a_busy_port_says_so_in_one_line(server, tiny_dir):
    port, _ = server
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=tiny_env(tiny_dir),
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode != 0 and len(lines) == 1, proc.stderr
    assert f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0]
    assert time.monotonic() - started < 30  # not gunicorn's five seconds of retries per address


def test_sigterm_stops_the_server_cleanly_and_each_record_is_logged_once(server):
    port, proc = server
    # A route that is logged (health probes are not, by default).
    assert http_request(port, "GET", "/v1/models", headers={"X-Request-ID": "once-1"})[0] == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
    records = [json.loads(line) for line in proc.stderr.read().decode().splitlines() if line.startswith("{")]
    assert [r for r in records if r.get("request_id") == "once-1"] and records  # JSON, with the request id
    lines = [json.dumps(record, sort_keys=True) for record in records]
    assert len(lines) == len(set(lines)), "a record was written twice"


def _workers(master_pid: int) -> list[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def _metric(port: int, name: str, **labels: str) -> float:
    status, _, body = http_request(port, "GET", "/metrics")
    assert status == 200
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in body.decode().splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if match and match[1] == name and ",".join(sorted((match[2] or "").split(","))) == wanted:
            return float(match[3])
    return 0.0


def test_metrics_add_up_across_workers_and_follow_a_restarted_worker(tiny_dir):
    with live_server(tiny_dir, workers="2", serving__cache_size="0") as (port, proc):
        deadline = time.monotonic() + 60
        while _metric(port, "ringkas_workers_ready") < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _metric(port, "ringkas_workers_ready") == 2
        body = json.dumps({"text": "Harga beras naik di pasar tradisional Jakarta."}).encode()
        for _ in range(6):
            status, _, _ = http_request(
                port, "POST", "/v1/translate", body=body, headers={"Content-Type": "application/json"}
            )
            assert status == 200
        # Whichever worker answers the scrape, it reports the requests of both.
        for _ in range(4):
            labels = {"route": "/v1/translate", "method": "POST", "status": "200"}
            assert _metric(port, "ringkas_http_requests_total", **labels) == 6
        assert _metric(port, "ringkas_tokens_total", model="translator", direction="out") > 0

        # A worker killed hard is replaced by the master; its ready gauge goes, the new one's comes.
        victim = _workers(proc.pid)[0]
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            workers = _workers(proc.pid)
            if victim not in workers and len(workers) == 2 and _metric(port, "ringkas_workers_ready") == 2:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the killed worker was not replaced and reported ready")
        assert http_request(port, "GET", "/readyz")[0] == 200


def test_sigterm_drains_requests_in_flight(tiny_dir):
    # The batcher waits 3 s for company, so the request is still in flight when SIGTERM arrives.
    with live_server(
        tiny_dir, serving__batch_wait_ms="3000", serving__batch_quiet_ms="3000", serving__cache_size="0"
    ) as (port, proc):
        answers = []
        body = json.dumps({"text": "Presiden membuka pameran buku di Yogyakarta."}).encode()
        sender = threading.Thread(
            target=lambda: answers.append(
                http_request(port, "POST", "/v1/translate", body=body, headers={"Content-Type": "application/json"})
            )
        )
        sender.start()
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        sender.join(60)
        assert answers and answers[0][0] == 200, answers
        assert json.loads(answers[0][2])["translation"]["text"]
        assert proc.wait(30) == 0
        with pytest.raises(OSError):  # drained and gone: no new connections
            http_request(port, "GET", "/healthz", timeout=5)
