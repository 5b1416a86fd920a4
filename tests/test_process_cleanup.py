"""No process started by the suite outlives it: `stop` ends a process's whole group (PHP's built-in
server does not stop its own workers), and a run that leaves one behind fails."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from tests.helpers import REPO_ROOT, free_port, group_members, running_processes, spawn, stop, wait_listening

pytestmark = pytest.mark.unit


def test_stop_ends_the_workers_php_leaves_running(tmp_path):
    if shutil.which("php") is None:
        pytest.skip("php is missing (apt-get install php-cli)")
    port = free_port()
    env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "3"}
    server = spawn(["php", "-S", f"127.0.0.1:{port}", "-t", str(tmp_path)], env=env, stderr=subprocess.DEVNULL)
    wait_listening(port, server)
    deadline = time.monotonic() + 10
    while len(group_members(server.pid)) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [pid for pid in group_members(server.pid) if pid != server.pid]
    assert len(workers) == 3
    # What the WordPress fixture used to do: SIGTERM to the server alone. Its workers live on.
    server.terminate()
    server.wait(10)
    assert set(workers) <= set(running_processes())
    stop(server)
    assert group_members(server.pid) == [] and not set(workers) & set(running_processes())


LEAVES_ONE = """
import subprocess, sys
import pytest

pytestmark = pytest.mark.unit


def test_leaves_a_process_running():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)  # left-behind"],
                            start_new_session=True)
    open("{pid_file}", "w").write(str(proc.pid))
"""


def test_a_run_that_leaves_a_process_running_fails_and_ends_it(tmp_path):
    pid_file = tmp_path / "pid"
    (tmp_path / "test_leaky.py").write_text(LEAVES_ONE.replace("{pid_file}", str(pid_file)))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "tests.conftest", "-q", "test_leaky.py"],
        cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "1 passed" in done.stdout, done.stdout[-2000:]  # the test itself passed: the run failed after it
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout[-2000:]
    leaked = int(pid_file.read_text())
    assert "outlived them" in done.stdout and f"{leaked}: " in done.stdout and "left-behind" in done.stdout
    assert leaked not in running_processes()  # and it was ended, not left for the next run
