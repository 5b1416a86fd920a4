"""Helpers for tests and the bench scripts that run real processes: free ports, a live `ringkas
serve`, plain HTTP. pytest is imported only where a helper skips or fails a test, so bench/ can use
them without it."""

from __future__ import annotations

import contextlib
import functools
import http.client
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_request(port, method, path, body=None, headers=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def tiny_env(tiny_dir: Path, **settings: str) -> dict[str, str]:
    env = {
        **os.environ,
        "RINGKAS_SUMMARIZER__MODEL": str(tiny_dir / "summarizer"),
        "RINGKAS_TRANSLATOR__MODEL": str(tiny_dir / "translator"),
        "RINGKAS_MODELS__CONVERTED_DIR": str(tiny_dir.parent / "ct2"),
        "HF_HUB_OFFLINE": "1",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each server gets its own metrics folder
    env.update({f"RINGKAS_{name.upper()}": value for name, value in settings.items()})
    return env


def spawn(command: list[str], **popen) -> subprocess.Popen:
    """A process in a process group of its own, so `stop` reaches what it forks (gunicorn's and PHP's
    workers, Celery's pool, nginx's workers) even where the leader does not stop them itself."""
    return subprocess.Popen(command, process_group=0, **popen)


def stop(proc: subprocess.Popen, timeout: float = 30, sig: int | None = signal.SIGTERM) -> int | None:
    """Stops a process from `spawn` and its whole group: ``sig`` to the leader (its own clean
    shutdown; None when it was asked already), then SIGTERM and at last SIGKILL to whatever of the
    group is left. Returns the leader's exit code."""
    code = proc.poll()
    if code is None:
        if sig is not None:
            proc.send_signal(sig)
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    for group_signal in (signal.SIGTERM, signal.SIGKILL):
        left = group_members(proc.pid)
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, group_signal)
        deadline = time.monotonic() + 5
        while left and time.monotonic() < deadline:
            time.sleep(0.05)
            left = group_members(proc.pid)
        if not left:
            break
    return code


def running_processes() -> dict[int, tuple[int, int]]:
    """Every live process here (zombies left out), as pid: (parent pid, process group)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()  # the name may hold spaces
        except OSError:
            continue  # gone meanwhile
        if fields[0] != "Z":
            found[int(entry.name)] = (int(fields[1]), int(fields[2]))
    return found


def group_members(group: int) -> list[int]:
    return [pid for pid, (_, pgrp) in running_processes().items() if pgrp == group]


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 120) -> None:
    import pytest

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            if http_request(port, "GET", "/readyz", timeout=5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    proc.kill()
    pytest.fail("server never became ready")


@contextmanager
def live_server(tiny_dir: Path, **settings: str):
    """`ringkas serve` (gunicorn) on a free loopback port with the tiny models; yields (port, proc)."""
    port = free_port()
    proc = spawn(
        [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=tiny_env(tiny_dir, **settings),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_ready(port, proc)
        yield port, proc
    finally:
        stop(proc)


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 10, why=lambda: "") -> None:
    """Until something accepts connections on the loopback port (a server still starting), failing
    at once if ``proc`` exits, with ``why()`` (its error log) as the message."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert proc.poll() is None, why()
            time.sleep(0.05)


# What compose.yaml gives its Redis: a memory ceiling, and new writes refused (never job state
# evicted) when it is reached. Tests pass their own, smaller, --maxmemory.
REDIS_MEMORY_POLICY = ("--maxmemory-policy", "noeviction")


@contextmanager
def redis_server(*flags: str):
    """A throwaway redis-server on loopback, with extra command-line ``flags`` (``--maxmemory``...);
    skips the test where none is installed."""
    import pytest

    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):  # CI installs it: missing there is a broken set-up, not a skip
            pytest.fail("redis-server is missing in CI: .ci/run installs it", pytrace=False)
        pytest.skip("redis-server is not installed (.ci/run installs it)")
    port = free_port()
    proc = spawn(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", *flags],
        stdout=subprocess.DEVNULL,
    )
    wait_listening(port, proc)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc, 10)


@contextmanager
def serve_in_thread(app):
    """A Flask app on a loopback port in this process (werkzeug, threaded); yields its base URL."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(10)


def growth(run, small, large, repeat: int = 3) -> float:
    """How many times the CPU ``run(large)`` takes that ``run(small)`` takes. For an input four times
    larger, linear work gives about 4 and quadratic 16: a ratio proves the cost's shape where a
    wall-clock budget is flaky on a busy machine or blind to a quadratic path. CPU time of this
    process, not wall time, so other processes' load does not count; each figure is at least ~10 ms
    of it (finer is noise), best of ``repeat``, the two sizes taken in turn."""
    started = time.process_time()
    run(small)
    number = max(1, math.ceil(0.01 / max(time.process_time() - started, 1e-6)))

    def cost(arg) -> float:
        started = time.process_time()
        for _ in range(number):
            run(arg)
        return time.process_time() - started

    costs = [(cost(small), cost(large)) for _ in range(repeat)]
    return min(c for _, c in costs) / min(c for c, _ in costs)


LINEAR = 8.0  # the bound for `growth` at 4x: twice what linear work needs, half of quadratic


@functools.cache
def fast_tokenizer(folder: Path):
    """The ``tokenizers.Tokenizer`` behind a model folder's tokenizer: what a CTranslate2 engine is
    given to map ids to token strings."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(folder).backend_tokenizer
