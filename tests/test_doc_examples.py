"""Every shell and Python example in the README and the documentation site that talks to the
service runs here against a live demo server (`ringkas serve` with the tiny models), and a JSON
answer must parse. A renamed route, a changed status or a moved example file breaks this test, not
the reader. The job examples run on Redis and a real worker; a `job_…` after a submission in the same
block is that job, followed until done. An example that cannot run here (real models, a hub, other placeholders) is
skipped by name: a `<!-- example: skip REASON -->` line right before its block, or a placeholder."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import time

import pytest

from tests.helpers import REPO_ROOT, http_request, live_server

pytestmark = pytest.mark.unit

PAGES = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"(<!-- example: skip[^>]*-->\s*)?```(bash|python)\n(.*?)```", re.S)
SERVICE = "localhost:8000"
PLACEHOLDERS = ("job_…", "rk_…", "…", "HOST", "ringkas.example.id")


def _examples() -> list[tuple[str, str, str, str | None]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text)):
            skip, language, code = match.groups()
            if SERVICE not in code and "localhost:8000" not in code:
                continue  # not an example that talks to the service
            name = f"{page.relative_to(REPO_ROOT)}#{number}"
            found.append((name, language, textwrap.dedent(code), skip))  # tabbed blocks are indented
    return found


EXAMPLES = _examples()


def test_the_collector_finds_the_examples():
    names = [name for name, *_ in EXAMPLES]
    assert any(name.startswith("README.md") for name in names) and any(name.startswith("docs/") for name in names)


@pytest.fixture(scope="module")
def service(tiny_dir, runtime, tmp_path_factory):
    """A demo server with archive jobs on (Redis and a worker), so the job examples run for real.
    (``runtime`` converts the models once, here, before the worker and the server load them.)"""
    from tests.jobs_cluster import start_cluster

    cluster = start_cluster(tiny_dir, tmp_path_factory.mktemp("doc-jobs"))
    try:
        cluster.start_worker()
        with live_server(tiny_dir, redis_url=cluster.url) as (port, _):
            yield f"127.0.0.1:{port}"
    finally:
        cluster.stop()


def _finished(service: str, job_id: str, timeout_s: float = 240) -> dict:
    """The job's status once its worker is done with it."""
    port = int(service.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        status = json.loads(http_request(port, "GET", f"/v1/jobs/{job_id}")[2])
        if status["status"] not in ("queued", "running"):
            return status
        time.sleep(0.5)
    pytest.fail(f"{job_id} did not finish in {timeout_s} s")


def _commands(code: str) -> list[str]:
    """A shell block as its commands: comments dropped, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", code)
    return [
        line.split("  #")[0].strip()
        for line in joined.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]


@pytest.mark.system
@pytest.mark.parametrize(("name", "language", "code", "skip"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_example_runs_against_a_live_server(service, name, language, code, skip, tmp_path):
    if skip:
        pytest.skip(skip.strip())
    if language == "python" and any(mark in code for mark in PLACEHOLDERS):
        pytest.skip("a placeholder (a key, a host) stands in the example")
    if language == "python":
        script = code.replace("http://localhost:8000", f"http://{service}")
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return
    ran, job_id = 0, None
    for command in _commands(code):
        if job_id and "job_…" in command:  # a job the block submitted above: follow it up as a reader would
            assert _finished(service, job_id)["status"] == "done"
            command = command.replace("job_…", job_id)
        if not command.startswith("curl") or any(mark in command for mark in PLACEHOLDERS):
            continue  # a command of its own kind (the CLI, a server) or one with a placeholder
        command = command.replace("localhost:8000", service)
        command = re.sub(r"\s*>\s*\S+$", "", command)  # "> results.ndjson": keep the answer here
        if "|" in command:  # piped into another tool: the pipeline must succeed
            piped = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=REPO_ROOT, capture_output=True)
            # curl's 23 is a write error: "| head -c 300" closed the pipe once it had its bytes.
            assert piped.returncode in (0, 23) and piped.stdout, (command, piped.stderr)
            ran += 1
            continue
        command = command.replace("curl ", "curl -w '\\n%{http_code}' ", 1)
        done = subprocess.run(["bash", "-c", command], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
        body, _, status = done.stdout.rpartition("\n")
        assert done.returncode == 0, (command, done.stderr)
        assert status.startswith("2"), (command, status, body[:500])
        if body.strip().startswith(("{", "[")):
            try:
                answer = json.loads(body)
            except json.JSONDecodeError:  # NDJSON, one value a line: a job's results
                answer = [json.loads(line) for line in body.splitlines() if line.strip()]
            if "/v1/jobs" in command and "--data" in command:  # a submission: its job is followed up below
                assert status == "202" and answer["status"] in ("queued", "running"), (command, body[:500])
                job_id = answer["id"]
        ran += 1
    if ran == 0:
        pytest.skip("no runnable curl command (placeholders only)")
