"""`ringkas serve` for real: gunicorn, a worker loading the tiny models after fork, HTTP on loopback."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(port, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tiny_dir):
    port = _free_port()
    env = {
        **os.environ,
        "RINGKAS_SUMMARIZER_MODEL": str(tiny_dir / "summarizer"),
        "RINGKAS_TRANSLATOR_MODEL": str(tiny_dir / "translator"),
        "RINGKAS_MAX_BODY_BYTES": "20000",
        "RINGKAS_CT2_DIR": str(tiny_dir.parent / "ct2"),
        "HF_HUB_OFFLINE": "1",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            status, _, _ = _request(port, "GET", "/readyz")
        except OSError:
            time.sleep(0.2)
            continue
        if status == 200:
            break
        time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("server never became ready")
    yield port, proc
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def test_serves_summaries_over_http(server, seed_texts):
    port, _ = server
    status, headers, body = _request(
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
    status, headers, body = _request(
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
    assert proc.poll() is None and _request(port, "GET", "/healthz")[0] == 200


def test_sigterm_stops_the_server_cleanly(server):
    port, proc = server
    assert _request(port, "GET", "/readyz")[0] == 200
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0
