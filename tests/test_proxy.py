"""Exposure: slow clients against the shipped nginx config (Debian's nginx, for real), and the
start-up refusal to serve a public address open."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from api.config import Settings
from api.exposure import is_loopback, open_doors, refusal
from tests.helpers import REPO_ROOT, free_port, live_server, spawn, stop, tiny_env, wait_listening

pytestmark = pytest.mark.system

SHIPPED = REPO_ROOT / "deploy" / "nginx" / "ringkas.conf"
SILENT = 64  # eight took every gunicorn thread; nginx must shrug off many more


@contextmanager
def nginx(upstream_port: int, folder: Path, changes: dict[str, str] | None = None):
    """Debian's nginx running the shipped file, with only its upstream and listen lines changed (and
    ``changes``: other lines, each replaced whole), and the snippets it includes beside it."""
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is missing in CI: .ci/run installs it", pytrace=False)
        pytest.skip("nginx is not installed (.ci/run installs it)")
    port = free_port()
    conf = SHIPPED.read_text()
    assert "server api:8000;" in conf and "listen 8080;" in conf
    conf = conf.replace("server api:8000;", f"server 127.0.0.1:{upstream_port};")
    for line, replacement in (changes or {}).items():
        assert line in conf, line
        conf = conf.replace(line, replacement)
    shutil.copytree(SHIPPED.parent / "snippets", folder / "snippets", dirs_exist_ok=True)
    (folder / "ringkas.conf").write_text(conf.replace("listen 8080;", f"listen 127.0.0.1:{port};"))
    temp = " ".join(
        f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{ worker_connections 1024; }}\n"
        + f"http {{ access_log off; {temp} include {folder}/ringkas.conf; }}\n"
    )
    proc = spawn([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])
    try:
        wait_listening(port, proc, why=lambda: (folder / "error.log").read_text())
        yield port
    finally:
        stop(proc, 10)


@contextmanager
def silent_clients(port: int, count: int):
    """Connections that send half a request line and then nothing."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /heal")
            sockets.append(sock)
        time.sleep(0.5)
        yield
    finally:
        for sock in sockets:
            sock.close()


def _get(port: int, path: str, timeout: float, method: str = "GET", body: bytes | None = None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def server(tiny_dir):
    with live_server(tiny_dir) as running:
        yield running


def test_silent_clients_freeze_bare_gunicorn_but_not_the_shipped_proxy(server, tmp_path, seed_texts):
    port, _ = server
    # Straight at gunicorn, eight silent connections hold its eight threads: /healthz gets nothing.
    with silent_clients(port, 8), pytest.raises(TimeoutError):
        _get(port, "/healthz", timeout=3)
    assert _get(port, "/healthz", timeout=10)[0] == 200  # they are gone: it answers again
    with nginx(port, tmp_path) as proxy, silent_clients(proxy, SILENT):
        started = time.monotonic()
        assert _get(proxy, "/healthz", timeout=5)[0] == 200
        status, body = _get(
            proxy, "/v1/summarize", timeout=60, method="POST", body=seed_texts[1].encode(),
            headers={"Content-Type": "text/plain"},
        )  # fmt: skip
        assert status == 200, body[:300]
        assert time.monotonic() - started < 30


def test_the_proxy_refuses_a_body_over_the_limit_before_ringkas_reads_it(server, tmp_path):
    port, _ = server
    with nginx(port, tmp_path) as proxy:
        status, _ = _get(proxy, "/v1/summarize", timeout=10, method="POST", body=b"x" * 2_000_000,
                         headers={"Content-Type": "text/plain"})  # fmt: skip
        assert status == 413


PROBLEM_CODES = (413, 429, 502, 503, 504)


def _problem(status: int, body: bytes, headers) -> dict:
    assert headers["Content-Type"] == "application/problem+json", (status, body[:200])
    problem = json.loads(body)
    assert problem["status"] == status and problem["type"].startswith("https://ringkas.dev/problems/")
    assert problem["detail"] and problem["request_id"] == headers["X-Request-ID"]
    return problem


def _answer(port: int, method: str, path: str, headers=None, body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), response.headers
    finally:
        conn.close()


@pytest.mark.unit
def test_every_nginx_error_page_is_a_valid_problem():
    snippet = (SHIPPED.parent / "snippets" / "ringkas-problems.conf").read_text()
    pages = dict(re.findall(r"error_page (\d+) @(\w+);", snippet))
    assert sorted(map(int, pages)) == list(PROBLEM_CODES)
    for code, name in pages.items():
        block = re.search(r"location @" + name + r" \{(.*?)\n\}", snippet, re.S).group(1)
        status, text = re.search(r"return (\d+) '(.*)';", block).groups()
        problem = json.loads(text.replace("$request_id", "0f" * 16).replace("\\n", ""))
        assert status == code and problem["status"] == int(code)


@pytest.mark.system
def test_nginx_answers_its_own_errors_as_problem_json(tmp_path):
    # Ringkas down: nothing listens on the upstream port, so nginx itself answers 502.
    with nginx(free_port(), tmp_path / "down") as proxy:
        status, body, headers = _answer(proxy, "GET", "/v1/models")
        assert status == 502 and "could not reach Ringkas" in _problem(502, body, headers)["detail"]
        # A body over client_max_body_size: refused from its Content-Length, before it is sent.
        status, body, headers = _answer(
            proxy, "POST", "/v1/summarize", headers={"Content-Type": "text/plain", "Content-Length": "2000000"}
        )
        assert status == 413 and "RINGKAS_LIMITS__MAX_BODY_BYTES" in _problem(413, body, headers)["detail"]
        # Past the burst of the rate limit (20 r/s, burst 40): 429, with Retry-After.
        answers = [_answer(proxy, "GET", "/v1/models") for _ in range(80)]
        limited = [(b, h) for s, b, h in answers if s == 429]
        assert limited and all(_problem(429, b, h) and h["Retry-After"] for b, h in limited)
    # Ringkas too slow: it accepts the connection and never answers; nginx's read timeout gives 504.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        changes = {"proxy_read_timeout 150s;": "proxy_read_timeout 1s;"}
        with nginx(silent.getsockname()[1], tmp_path / "slow", changes) as proxy:
            status, body, headers = _answer(proxy, "GET", "/v1/models")
            assert status == 504 and "proxy_read_timeout" in _problem(504, body, headers)["detail"]


# --- refusing to start open on a public address ------------------------------------------------
@pytest.mark.unit
@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True),
                                                ("0.0.0.0", False), ("::", False), ("10.0.0.5", False),
                                                ("ringkas.internal", False)])  # fmt: skip
def test_loopback_addresses_are_told_apart(host, loopback):
    assert is_loopback(host) is loopback


@pytest.mark.unit
def test_a_public_address_needs_keys_and_a_metrics_token_or_an_explicit_opt_in():
    assert refusal(Settings(host="127.0.0.1")) is None
    public = Settings(host="0.0.0.0")
    assert len(open_doors(public)) == 2 and "RINGKAS_ALLOW_OPEN" in refusal(public)
    assert refusal(Settings(host="0.0.0.0", allow_open=True)) is None
    assert refusal(Settings(host="0.0.0.0", api_keys="k", metrics_token="t")) is None
    assert "metrics" in refusal(Settings(host="0.0.0.0", api_keys="k"))


def test_serve_refuses_an_open_public_address_in_one_line_and_names_the_proxy_when_it_starts(tiny_dir):
    refused = subprocess.run(
        [sys.executable, "-m", "api.cli", "serve", "--host", "0.0.0.0", "--port", str(free_port())],
        env=tiny_env(tiny_dir), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert refused.returncode == 2 and len(lines) == 1, refused.stderr
    assert "RINGKAS_API_KEYS" in lines[0] and "RINGKAS_ALLOW_OPEN" in lines[0]
    # Opted in: it starts, and says at start that a proxy belongs in front.
    port = free_port()
    proc = spawn(
        [sys.executable, "-m", "api.cli", "serve", "--host", "0.0.0.0", "--port", str(port)],
        env=tiny_env(tiny_dir, allow_open="true"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        first = proc.stderr.readline()
        assert "reverse proxy" in first and "deploy/nginx/ringkas.conf" in first
    finally:
        stop(proc)


def test_an_early_refusal_of_a_large_body_arrives_through_the_proxy_as_itself(tiny_dir, tmp_path):
    """A keyless 940 KB POST is refused (401) before its body is read. gunicorn drains at most 64 KB
    of an unread body and then closes the connection, which resets it while nginx is still writing:
    nginx answered 502 instead (2 of 19 tries). The service reads and drops the body first."""
    body = b"x" * 940_000
    keyed = live_server(tiny_dir, api_keys="rk_test_key", auth_failure_limit="1000/minute")
    with keyed as (port, _), nginx(port, tmp_path) as proxy:
        statuses = [
            _get(proxy, "/v1/summarize", timeout=30, method="POST", body=body, headers={"Content-Type": "text/plain"})[
                0
            ]  # fmt: skip
            for _ in range(20)
        ]
    assert statuses == [401] * 20, statuses
