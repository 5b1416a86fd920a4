"""The ringkas command line, run in-process with click's runner."""

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from api.cli import main

pytestmark = pytest.mark.integration


def test_summarize_a_file_prints_the_json_result(env, tmp_path, seed_texts):
    article = tmp_path / "artikel.txt"
    article.write_text(seed_texts[0], encoding="utf-8")
    result = CliRunner().invoke(main, ["summarize", "--translate", "--length", "short", str(article)], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["preset"] == "short" and body["summary"]["text"] and body["translation"]["lang"] == "eng_Latn"


def test_summarize_reads_stdin_and_matches_the_file_result(env, tmp_path, seed_texts):
    article = tmp_path / "a.txt"
    article.write_text(seed_texts[2], encoding="utf-8")
    from_file = CliRunner().invoke(main, ["summarize", str(article)], env=env)
    from_stdin = CliRunner().invoke(main, ["summarize", "-"], input=seed_texts[2], env=env)
    assert from_stdin.exit_code == from_file.exit_code == 0
    assert json.loads(from_stdin.stdout)["summary"] == json.loads(from_file.stdout)["summary"]


def test_summarize_empty_input_is_a_clear_error(env):
    result = CliRunner().invoke(main, ["summarize", "-"], input="  \n", env=env)
    assert result.exit_code == 1 and "error: text is empty" in result.stderr


@pytest.mark.unit
def test_make_tiny_models_writes_both_checkpoints(tmp_path):
    result = CliRunner().invoke(main, ["make-tiny-models", str(tmp_path / "tiny")])
    assert result.exit_code == 0, result.output
    for role in ("summarizer", "translator"):
        assert (tmp_path / "tiny" / role / "model.safetensors").is_file()
        assert (tmp_path / "tiny" / role / "tokenizer.json").is_file()
    empty = tmp_path / "no-seeds"
    empty.mkdir()
    failed = CliRunner().invoke(main, ["make-tiny-models", str(tmp_path / "x"), "--seeds", str(empty)])
    assert failed.exit_code == 2 and "no seed articles" in failed.stderr


def test_fetch_models_leaves_local_folders_alone_and_converts_them(env, tmp_path):
    env = {**env, "RINGKAS_MODELS__CONVERTED_DIR": str(tmp_path / "ct2")}
    result = CliRunner().invoke(main, ["fetch-models"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("nothing to fetch") == 2
    assert result.stdout.count("converted for CTranslate2 (int8)") == 2
    converted = [p for p in (tmp_path / "ct2").glob("*/model.bin") if not p.is_symlink()]
    assert len(converted) == 2  # one conversion per model; the vocabulary maps only link to it
    assert len(list((tmp_path / "ct2").glob("*--vmap-*/vmap.txt"))) == 2
    assert "kept vocabulary for ind_Latn" in result.stdout and "kept vocabulary for eng_Latn" in result.stdout
    assert "coverage" in result.stdout


def test_fetch_models_builds_the_kept_set_from_an_archive_and_says_how_to_serve_with_it(env, tmp_path):
    archive = tmp_path / "arsip.jsonl"
    archive.write_text('{"id": 1, "text": "Banjir melanda Kabupaten Bekasi."}\n' * 2, encoding="utf-8")
    env = {**env, "RINGKAS_MODELS__CONVERTED_DIR": str(tmp_path / "ct2")}
    result = CliRunner().invoke(main, ["fetch-models", "--corpus", str(archive)], env=env)
    assert result.exit_code == 0, result.output
    summarizer_line = next(line for line in result.stdout.splitlines() if line.startswith("summarizer: kept"))
    assert "corpus, wordfreq set alone" in summarizer_line and "corpus " in summarizer_line
    assert f"RINGKAS_SUMMARIZER__VOCAB_CORPUS={archive.resolve()}" in result.stdout
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fetch-models", "--corpus", str(broken)], env=env)
    assert result.exit_code == 2 and "broken.jsonl:1" in result.stderr


def test_fetch_models_with_the_full_vocabulary(env, tmp_path):
    env = {**env, "RINGKAS_MODELS__CONVERTED_DIR": str(tmp_path / "ct2"), "RINGKAS_MODELS__VOCAB": "full"}
    result = CliRunner().invoke(main, ["fetch-models"], env=env)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("full output vocabulary") == 2
    assert not list((tmp_path / "ct2").glob("*--vmap-*"))


def test_fetch_models_offline_fails_naming_the_model(env):
    env = {**env, "RINGKAS_SUMMARIZER__MODEL": "csebuetnlp/mT5_multilingual_XLSum"}
    result = CliRunner().invoke(main, ["fetch-models"], env=env)
    assert result.exit_code == 2
    assert "csebuetnlp/mT5_multilingual_XLSum" in result.stderr and "Traceback" not in result.output
    assert "point RINGKAS_SUMMARIZER__MODEL at" in result.stderr  # the setting, by its variable


def test_serve_refuses_to_start_without_its_models(env, tmp_path):
    env = {**env, "RINGKAS_TRANSLATOR__MODEL": str(tmp_path / "nope")}
    result = CliRunner().invoke(main, ["serve", "--port", "8999"], env=env)
    assert result.exit_code == 2
    assert "nope" in result.stderr and "ringkas fetch-models" in result.stderr


@pytest.mark.unit
def test_hash_key_makes_a_key_and_a_file_line_that_accepts_only_it(tmp_path):
    from api.auth import KeyRing
    from api.config import Settings

    made = subprocess.run(
        [sys.executable, "-m", "api.cli", "hash-key", "--name", "cms"], capture_output=True, text=True, check=True
    )
    key = made.stderr.strip().rsplit(" ", 1)[1]
    line = made.stdout.strip()
    assert line.startswith("cms:") and key not in line
    keys = tmp_path / "keys.txt"
    keys.write_text(line + "\n")
    ring = KeyRing.from_settings(Settings(api_keys_file=keys))
    assert ring.identify(key).name == "cms"
    again = subprocess.run(
        [sys.executable, "-m", "api.cli", "hash-key", "--name", "cms", "--key", "-"],
        input=key + "\n",
        capture_output=True,
        text=True,
        check=True,
    )
    assert again.stdout.strip() == line


@pytest.mark.unit
def test_summarize_without_models_fails_at_once_in_one_line_naming_demo(tmp_path):
    """No model at hand and no hub: one line suggesting --demo and fetch-models, not 30 s of retries."""
    import subprocess
    import sys
    import time

    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "RINGKAS_"))}
    env.update(HF_ENDPOINT="http://127.0.0.1:9", HF_HOME=str(tmp_path / "hf"))  # port 9: nothing listens
    article = tmp_path / "a.txt"
    article.write_text("Harga beras naik di Jakarta.\n", encoding="utf-8")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "api.cli", "summarize", "--translate", str(article)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == 2 and len(lines) == 1, proc.stderr
    assert "--demo" in lines[0] and "ringkas fetch-models" in lines[0] and "cannot be reached" in lines[0]
    assert time.monotonic() - started < 20


@pytest.mark.unit
def test_healthcheck_follows_a_workers_heartbeat_file(tmp_path, monkeypatch):
    import os
    import subprocess
    import sys
    import time

    from api.jobs import alive

    beat = tmp_path / "ringkas-worker.alive"
    assert alive.worker_health(beat) is None  # no worker here: the HTTP check decides
    beat.write_text(str(os.getpid()))
    assert alive.worker_health(beat) == "ok"
    old = time.time() - 3600
    os.utime(beat, (old, old))
    assert "heartbeat is 3600 s old" in alive.worker_health(beat)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    beat.write_text(dead.stdout.strip())
    assert alive.worker_health(beat) is None  # a killed worker's leftover file is not a worker


@pytest.mark.unit
def test_worker_threads_option_sets_the_math_threads_before_settings_are_read(monkeypatch):
    """`--threads` reaches the settings the worker loads its models with; checked up to the Redis
    check, which stops a worker without RINGKAS_REDIS_URL."""
    import os

    from click.testing import CliRunner

    from api.cli import main

    monkeypatch.delenv("RINGKAS_REDIS_URL", raising=False)
    # Recorded by monkeypatch, so the value the command writes is undone after the test.
    monkeypatch.setenv("RINGKAS_SERVING__MATH_THREADS", "7")
    result = CliRunner().invoke(main, ["worker", "--threads", "1"])
    assert result.exit_code == 2 and "RINGKAS_REDIS_URL" in result.output
    assert os.environ.get("RINGKAS_SERVING__MATH_THREADS") == "1"
