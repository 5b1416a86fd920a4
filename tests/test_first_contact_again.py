"""What a newcomer hit on a second walk from a fresh clone (issue 37, round 2): each error says what
to do, and the documented commands run as written."""

from __future__ import annotations

import io
import json
import os

import pytest
from click.testing import CliRunner

from api.app import create_app
from api.cli import main
from api.config import Settings
from api.errors import ModelUnavailable, UnsupportedMediaType, ValidationFailed
from api.runtime import Runtime

pytestmark = pytest.mark.unit  # tests that need more say so themselves


@pytest.fixture(scope="module")
def bare_client():
    """The app with models that never load: every answer here comes before the pipeline."""
    settings = Settings(summarizer={"model": "/nonexistent/mt5"}, translator={"model": "/nonexistent/nllb"})
    return create_app(settings, Runtime(settings)).test_client()


def test_jobs_without_redis_are_a_set_up_problem_with_no_retry_after(bare_client):
    response = bare_client.post("/v1/jobs", json={"items": [{"text": "x"}]})
    assert response.status_code == 503 and "RINGKAS_REDIS_URL" in response.get_json()["detail"]
    assert "Retry-After" not in response.headers  # a client retrying would get the same answer


def test_an_unreachable_redis_keeps_its_retry_after():
    import redis

    from api.errors import Unavailable
    from api.jobs.service import redis_errors

    with pytest.raises(Unavailable) as caught:
        with redis_errors():
            raise redis.ConnectionError("refused")
    assert int(caught.value.headers["Retry-After"]) > 0  # an outage: worth coming back


def test_no_content_type_and_a_list_body_are_worded_plainly(bare_client):
    none = bare_client.post("/v1/summarize", data=b"Teks artikel")
    assert none.status_code == 415
    assert none.get_json()["detail"].startswith("no Content-Type header; send application/json")
    listed = bare_client.post("/v1/summarize/batch", json=[{"text": "x"}])
    assert "an object with an 'items' field, not list" in listed.get_json()["detail"]
    digest = bare_client.post("/v1/digest", json=[{"text": "x"}])
    assert "an object with an 'articles' field" in digest.get_json()["detail"]


@pytest.mark.parametrize("route, field", [("/v1/digest", "articles"), ("/v1/summarize/batch", "items")])
def test_one_article_as_text_to_a_route_of_several_says_to_send_json(bare_client, route, field):
    response = bare_client.post(route, data="Pemerintah mengumumkan.", content_type="text/plain")
    assert response.status_code == 415, response.get_json()
    detail = response.get_json()["detail"]
    assert f'{{"{field}": [{{"text": ...}}, ...]}}' in detail and "application/json" in detail
    assert "valid list" not in detail


def test_a_jsonl_file_sent_as_json_is_told_its_content_type():
    from api.jobs.intake import read_job

    lines = b'{"id": 1, "text": "satu"}\n{"id": 2, "text": "dua"}\n'
    with pytest.raises(ValidationFailed) as caught:
        read_job(io.BytesIO(lines), "application/json", None, {}, 100)
    assert "Content-Type: application/x-ndjson" in caught.value.detail
    with pytest.raises(ValidationFailed) as other:  # a member that is no item field keeps its wording
        read_job(io.BytesIO(b'{"itemz": []}'), "application/json", None, {}, 100)
    assert "unknown member 'itemz'" in other.value.detail
    with pytest.raises(UnsupportedMediaType) as none:
        read_job(io.BytesIO(lines), "", None, {}, 100)
    assert none.value.detail.startswith("no Content-Type header; send application/json")


def test_jobs_submit_wraps_a_json_array_of_items(tmp_path, monkeypatch):
    from api.jobs.client import JobsClient

    sent = {}

    def record(self, method, path, **kwargs):
        sent.update(kwargs, path=path)
        return {"id": "job_x"}

    monkeypatch.setattr(JobsClient, "_json", record)
    items = [{"id": 1, "text": "satu"}, {"id": 2, "text": "dua"}]
    array = tmp_path / "items.json"
    array.write_text("\n " + json.dumps(items), encoding="utf-8")
    client = JobsClient("http://127.0.0.1:1", None)
    client.submit(array, {})
    assert json.loads(sent["body"]) == {"items": items}
    client.submit(array, {"translate": True})
    assert json.loads(sent["body"]) == {"items": items, "defaults": {"translate": True}}
    envelope = tmp_path / "job.json"
    envelope.write_text(json.dumps({"items": items}), encoding="utf-8")
    client.submit(envelope, {})
    assert json.loads(sent["body"]) == {"items": items}  # sent as written


def test_a_model_folder_without_a_checkpoint_is_worded_like_a_missing_one(tmp_path):
    from api.models.loading import ModelSource, require_folder_or_hub_id

    empty = tmp_path / "emptydir"
    empty.mkdir()
    source = ModelSource(str(empty), setting="RINGKAS_SUMMARIZER__MODEL")
    with pytest.raises(ModelUnavailable) as caught:
        require_folder_or_hub_id(source)
    message = str(caught.value)
    assert "holds no checkpoint (no config.json)" in message and "model_type" not in message
    assert "Point RINGKAS_SUMMARIZER__MODEL at a folder that holds the checkpoint" in message
    (empty / "config.json").write_text("{}", encoding="utf-8")
    require_folder_or_hub_id(source)  # a folder with its config.json goes on to be loaded


def test_healthcheck_names_what_it_checked_and_a_worker_does_not_hide_a_dead_service(tmp_path, monkeypatch):
    from api.jobs import alive
    from tests.helpers import free_port

    beat = tmp_path / "ringkas-worker.alive"
    beat.write_text(str(os.getpid()))  # a live worker on this host
    monkeypatch.setattr(alive, "ALIVE_FILE", beat)
    env = {"RINGKAS_PORT": str(free_port())}  # nothing listens there
    both = CliRunner().invoke(main, ["healthcheck"], env=env)
    assert both.exit_code == 1 and "worker: alive" in both.stdout
    assert f"service http://127.0.0.1:{env['RINGKAS_PORT']}: /readyz did not answer" in both.stderr
    worker = CliRunner().invoke(main, ["healthcheck", "--worker"], env=env)
    assert worker.exit_code == 0 and worker.stdout.strip() == "worker: alive"
    service = CliRunner().invoke(main, ["healthcheck", "--url", f"http://127.0.0.1:{env['RINGKAS_PORT']}"])
    assert service.exit_code == 1 and "worker" not in service.output
    beat.unlink()
    none = CliRunner().invoke(main, ["healthcheck", "--worker"], env=env)
    assert none.exit_code == 1 and "no `ringkas worker` runs on this host" in none.stderr
    assert "--worker" in CliRunner().invoke(main, ["healthcheck", "--help"]).stdout


def test_gunicorn_opens_no_shared_control_socket(tmp_path):
    """Read as gunicorn reads ./gunicorn.conf.py (it ignores unknown names silently), in a child: the
    config sets process-wide environment (the metrics folder) that this test process must not keep."""
    import subprocess
    import sys

    from tests.helpers import REPO_ROOT

    probe = (
        "import json\n"
        "from gunicorn.app.base import Application\n"
        "from gunicorn.config import Config\n"
        "loader = Application.__new__(Application)\n"  # only its config reader; no server starts
        "loader.cfg = Config()\n"
        "before = loader.cfg.control_socket_disable\n"
        "loader.load_config_from_module_name_or_filename('gunicorn.conf.py')\n"
        "print(json.dumps([before, loader.cfg.control_socket_disable, loader.cfg.wsgi_app]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    # gunicorn's default opens one per user; ours opens none, and this is the config gunicorn reads.
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [False, True, "api.wsgi:app"]


def _block_after(page: str, marker: str) -> str:
    import re

    from tests.helpers import REPO_ROOT

    text = (REPO_ROOT / page).read_text(encoding="utf-8")
    block = re.search(re.escape(marker) + r".*?```bash\n(.*?)\n```", text, re.S)
    assert block, marker
    return block.group(1).strip()


@pytest.mark.integration
def test_the_digest_pages_command_runs_as_written_without_real_models(tiny_dir, tmp_path):
    import subprocess

    from tests.helpers import REPO_ROOT

    command = _block_after("docs/api/digest.md", "## Without a server")
    assert command.startswith("ringkas digest seeds/*.txt --demo")
    (tmp_path / "seeds").symlink_to(REPO_ROOT / "seeds")
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "tiny-models").symlink_to(tiny_dir)  # what --demo builds, built once for the session
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "RINGKAS_MODELS__CACHE_DIR": str(cache),
        "RINGKAS_MODELS__CONVERTED_DIR": str(tiny_dir.parent / "ct2"),
        "HF_HUB_OFFLINE": "1",
    }
    for name in ("RINGKAS_SUMMARIZER__MODEL", "RINGKAS_TRANSLATOR__MODEL"):
        env.pop(name, None)
    proc = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    digest = json.loads((tmp_path / "digest.json").read_text(encoding="utf-8"))
    assert digest["summary"]["text"] and len(digest["sources"]) == len(list((REPO_ROOT / "seeds").glob("*.txt")))


def test_the_jobs_page_is_for_users_and_its_test_map_is_in_development():
    import re

    from tests.helpers import REPO_ROOT

    jobs = (REPO_ROOT / "docs" / "jobs.md").read_text(encoding="utf-8")
    for trace in (r"\bissue \d+", r"\btest_\w+", r"\btests/", r"`api/[\w/]+\.py`"):
        assert not re.search(trace, jobs), trace
    development = (REPO_ROOT / "docs" / "development.md").read_text(encoding="utf-8")
    section = development.split("## What the archive-job tests hold", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(test_\w+)`", section))
    assert len(named) >= 9
    defined = set()
    for module in ("test_jobs.py", "test_jobs_hostile.py"):
        defined |= set(re.findall(r"^def (test_\w+)", (REPO_ROOT / "tests" / module).read_text(), re.M))
    assert named <= defined, named - defined  # every test the map names exists


@pytest.mark.system
def test_the_jobs_pages_redis_recipe_turns_on_the_aof_of_a_packaged_redis(tmp_path):
    """Debian's redis-server already runs on 6379 once installed: the recipe configures that one
    (here a copy of the package's own redis.conf on a free port, which `redis-cli` is pointed at)."""
    import shutil
    import subprocess
    from pathlib import Path

    from tests.helpers import free_port, spawn, stop, wait_listening

    packaged = Path("/etc/redis/redis.conf")
    if not packaged.is_file() or not shutil.which("redis-server"):
        pytest.skip("Debian's redis-server package is not installed (.ci/run installs it)")
    block = _block_after("docs/jobs.md", "same `RINGKAS_REDIS_URL` that shares")
    assert "redis-server --appendonly" not in block  # the line that met the packaged Redis on its port
    recipe = [line.split("#")[0].strip() for line in block.splitlines() if line.startswith("redis-cli ")]
    assert len(recipe) == 2
    port = free_port()
    conf = tmp_path / "redis.conf"
    conf.write_text(packaged.read_text(encoding="utf-8"), encoding="utf-8")
    local = ["--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path), "--daemonize", "no"]
    local += ["--supervised", "no", "--pidfile", str(tmp_path / "redis.pid"), "--logfile", "", "--save", ""]
    proc = spawn(["redis-server", str(conf), *local], stdout=subprocess.DEVNULL)
    try:
        wait_listening(port, proc)
        shim = f'redis-cli() {{ command redis-cli -p {port} "$@"; }}\n'
        run = subprocess.run(["bash", "-c", shim + "\n".join(recipe)], capture_output=True, text=True, timeout=30)
        assert run.returncode == 0 and run.stdout.split() == ["OK", "OK"], (run.stdout, run.stderr)
        ask = ["redis-cli", "-p", str(port), "config", "get", "appendonly"]
        on = subprocess.run(ask, capture_output=True, text=True, timeout=30)
        assert on.stdout.split() == ["appendonly", "yes"]
        assert "\nappendonly yes" in conf.read_text(encoding="utf-8")  # kept for the next start
    finally:
        stop(proc, 10)
