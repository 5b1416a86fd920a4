"""What a newcomer hits first (issue 37): the documented commands run as written, and each failure
says what to do in one line."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from api.cli import main
from api.config import Settings
from tests.helpers import REPO_ROOT, free_port

pytestmark = pytest.mark.unit  # tests that need more say so themselves


def _readme_block_after(marker: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(re.escape(marker) + r".*?```bash\n(.*?)\n```", text, re.S)
    assert block, marker
    return block.group(1).strip()


@pytest.mark.system
def test_ringkas_docs_runs_as_the_readme_writes_it_from_a_fresh_home(tmp_path):
    pytest.importorskip("material", reason="the docs extra: pip install -e '.[docs]'")
    command = _readme_block_after("To read it offline")
    install, run = command.split(" && ")
    assert install == "pip install -e '.[docs]'" and run == "ringkas docs"
    port = free_port()
    env = {**os.environ, "HOME": str(tmp_path), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("RINGKAS_MODELS__CACHE_DIR", None)  # a fresh clone: no cache folder set
    if shutil.which("ringkas") is None:
        pytest.skip("the ringkas command is not installed")
    proc = subprocess.Popen(
        [*shlex.split(run), "--port", str(port)],  # the README's command, with a free port
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 300
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=2) as page:
                    assert b"Ringkas" in page.read()
                    break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.5)
        assert (tmp_path / ".cache" / "ringkas" / "site" / "index.html").is_file()
        # The same command with its port taken: one line, before building anything.
        taken = subprocess.run(
            [*shlex.split(run), "--port", str(port)],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert taken.returncode == 2 and "Traceback" not in taken.stderr
        assert taken.stderr.strip().splitlines() == [taken.stderr.strip()]
        assert f"127.0.0.1:{port}" in taken.stderr and "--port" in taken.stderr
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.integration
@pytest.mark.parametrize("ref", ["/nonexistent/models/mt5", "./models/missing-mt5", "~/no/such/model"])
def test_a_missing_model_folder_is_named_with_its_setting_in_one_line(env, ref):
    env = {**env, "RINGKAS_SUMMARIZER__MODEL": ref}
    for command in (["serve", "--port", str(free_port())], ["summarize", "-"]):
        result = CliRunner().invoke(main, command, env=env, input="teks")
        assert result.exit_code == 2, result.output
        assert f"no such folder: {ref} (RINGKAS_SUMMARIZER__MODEL)" in result.stderr
        assert "Traceback" not in result.output and "HFValidationError" not in result.output
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.integration
def test_fetch_models_offline_does_not_tell_you_to_run_itself(env):
    env = {**env, "RINGKAS_SUMMARIZER__MODEL": "csebuetnlp/mT5_multilingual_XLSum", "RINGKAS_MODELS__HUB_OFFLINE": "1"}
    result = CliRunner().invoke(main, ["fetch-models"], env=env)
    assert result.exit_code == 2
    assert "not in the cache and the hub is switched off" in result.stderr
    assert "ringkas fetch-models" not in result.stderr and "RINGKAS_SUMMARIZER__MODEL" in result.stderr
    missing = CliRunner().invoke(main, ["fetch-models"], env={**env, "RINGKAS_SUMMARIZER__MODEL": "/no/such/mt5"})
    assert missing.exit_code == 2 and "no such folder: /no/such/mt5" in missing.stderr
    assert "ringkas fetch-models" not in missing.stderr


def test_option_help_states_the_settings_defaults():
    runner = CliRunner()
    help_text = " ".join(runner.invoke(main, ["serve", "--help"], terminal_width=400).output.split())
    for option, name in (("--host", "host"), ("--port", "port"), ("--workers", "workers")):
        default = Settings.model_fields[name].default
        assert f"(RINGKAS_{name.upper()}, default {default})" in help_text, option
    assert Settings.model_fields["host"].default == "127.0.0.1" and "0.0.0.0" not in help_text


class _StandIn(BaseHTTPRequestHandler):
    """A service with a queued job and no worker; answers 401 to requests without a key."""

    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802
        if "Authorization" not in self.headers:
            return self._send(401, {"status": 401, "detail": "send an API key as `Authorization: Bearer KEY`"})
        self.server.polls += 1
        if self.server.polls >= self.server.workers_after:
            return self._send(200, {"status": "done", "counts": {"done": 2, "failed": 0}, "workers": 1})
        return self._send(200, {"status": "queued", "counts": {"done": 0, "failed": 0}, "workers": 0})

    def log_message(self, *args):
        pass


def test_waiting_on_a_job_with_no_worker_says_to_start_one_and_a_401_names_the_cli_key(monkeypatch, capsys):
    from api.jobs import client as jobs_client

    monkeypatch.setattr(jobs_client, "POLL_S", 0.05)
    monkeypatch.setattr(jobs_client, "NO_WORKER_S", 0.3)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
    server.polls, server.workers_after = 0, 20
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}"
    try:
        status = jobs_client.JobsClient(url, "k").wait("job_1", 2)
        assert status["status"] == "done"
        err = capsys.readouterr().err
        assert err.count(jobs_client.NO_WORKER) == 1 and "ringkas worker" in err
        server.polls, server.workers_after = 0, 2  # a worker at once: nothing said
        jobs_client.JobsClient(url, "k").wait("job_2", 2)
        assert jobs_client.NO_WORKER not in capsys.readouterr().err
        result = CliRunner().invoke(main, ["jobs", "status", "job_1", "--url", url], env={"RINGKAS_API_KEY": ""})
        assert result.exit_code == 1
        assert "--key" in result.stderr and "RINGKAS_API_KEY" in result.stderr and "Authorization" not in result.stderr
    finally:
        server.shutdown()


@pytest.mark.system
def test_the_readme_offers_a_way_round_an_unreachable_torch_index_and_the_cli_points_there():
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    first = _readme_block_after("# Ringkas").splitlines()[0]
    heading = "Where PyTorch's CPU index cannot be reached"
    fallback = _readme_block_after(heading)
    # The fallback is the first command without its torch step, and says what it costs.
    assert first.split(" && ", 1)[1] == fallback
    section = " ".join(text[text.index(heading) :].split("## ", 1)[0].split())
    assert "CUDA" in section and "GB" in section and "Could not find a version" in section
    blocked = "import sys; sys.modules['torch'] = None; from api.cli import main; main(['serve', '--demo'])"
    done = subprocess.run(
        [sys.executable, "-c", blocked],
        env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert heading in done.stderr and "pip install -e ." in done.stderr
