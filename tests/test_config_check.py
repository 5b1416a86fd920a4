"""What an operator sees at start when a variable is misspelt, badly valued or an old name: one line
each naming the variable, a did-you-mean, the settings page, exit 2 and no traceback.

Old names are named here on purpose (settings_rename: skip)."""

import os
import subprocess
import sys
import warnings

import pytest
from click.testing import CliRunner

from api.cli import common, main
from api.config_check import CLIENT_VARIABLES, SettingsProblem, load
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

CLOSED = "http://127.0.0.1:1"  # nothing answers: healthcheck fails fast after reading the settings


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in [name for name in os.environ if name.upper().startswith(("RINGKAS_", "HF_HUB_OFFLINE"))]:
        monkeypatch.delenv(name)


def _problems(environ: dict[str, str], monkeypatch) -> list[str]:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsProblem) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # an old name warns too; the problems are the point
        load()
    return caught.value.lines


@pytest.mark.parametrize(
    ("variable", "value", "suggested"),
    [
        ("RINGKAS_LIMITS__MAX_TXT_CHARS", "5", "RINGKAS_LIMITS__MAX_TEXT_CHARS"),  # a misspelt grouped name
        ("RINGKAS_LIMITS_MAX_TEXT_CHARS", "5", "RINGKAS_LIMITS__MAX_TEXT_CHARS"),  # one underscore short
        ("RINGKAS_LIMIT__MAX_TEXT_CHARS", "5", "RINGKAS_LIMITS__MAX_TEXT_CHARS"),
        ("RINGKAS_SERVING_THREADS", "3", "RINGKAS_SERVING__THREADS"),
        ("RINGKAS_WORKER", "4", "RINGKAS_WORKERS"),
        ("RINGKAS_LOG_FORMATT", "text", "RINGKAS_LOGS__FORMAT"),
        ("RINGKAS_LIMITS__RATE_LIMIT", "5/minute", "RINGKAS_RATE_LIMIT"),  # a top-level knob guessed in a group
    ],
)
def test_a_name_that_is_not_a_setting_is_refused_with_the_closest(monkeypatch, variable, value, suggested):
    assert _problems({variable: value}, monkeypatch) == [f"{variable} is not a setting; did you mean {suggested}?"]


def test_a_bad_value_names_the_variable_the_operator_set(monkeypatch):
    assert _problems({"RINGKAS_LIMITS__MAX_TEXT_CHARS": "x"}, monkeypatch) == [
        "RINGKAS_LIMITS__MAX_TEXT_CHARS: Input should be a valid integer, unable to parse string as an integer"
    ]
    monkeypatch.delenv("RINGKAS_LIMITS__MAX_TEXT_CHARS")
    # set by its old name only: the old name is the one to mend
    assert _problems({"RINGKAS_MAX_TEXT_CHARS": "x", "RINGKAS_PORT": "0"}, monkeypatch) == [
        "RINGKAS_PORT: Input should be greater than or equal to 1",
        "RINGKAS_MAX_TEXT_CHARS: Input should be a valid integer, unable to parse string as an integer",
    ]


def test_client_variables_settings_and_old_names_are_not_refused(monkeypatch):
    for name in CLIENT_VARIABLES:
        monkeypatch.setenv(name, "x")
    monkeypatch.setenv("RINGKAS_LOGS__LEVEL", "DEBUG")
    monkeypatch.setenv("RINGKAS_AUTH_FAILURE_LIMIT", "5/minute")
    monkeypatch.setenv("RINGKAS_LOG_FORMAT", "text")  # an old name: warned, not refused
    with pytest.warns(DeprecationWarning):
        settings = load()
    assert (settings.logs.level, settings.auth_failure_limit, settings.logs.format) == ("DEBUG", "5/minute", "text")


def test_a_command_stops_with_one_line_each_and_exit_2_without_a_traceback():
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("RINGKAS_")}
    env.update(PYTHONPATH=str(REPO_ROOT), RINGKAS_LIMITS__MAX_TXT_CHARS="5", RINGKAS_WORKERS="many")
    done = subprocess.run(
        [sys.executable, "-m", "api.cli", "healthcheck", "--url", CLOSED], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: RINGKAS_LIMITS__MAX_TXT_CHARS is not a setting; did you mean RINGKAS_LIMITS__MAX_TEXT_CHARS?",
        "error: RINGKAS_WORKERS: Input should be a valid integer, unable to parse string as an integer",
        "error: the settings are listed on the settings page (reference/settings in the docs, `ringkas docs`)",
    ]


def test_gunicorns_config_stops_the_same_way():
    env = {key: value for key, value in os.environ.items() if not key.upper().startswith("RINGKAS_")}
    env.update(PYTHONPATH=str(REPO_ROOT), RINGKAS_SERVING__WORKERS="4")
    done = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", "python:api.gunicorn_config", "--check-config"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "error: RINGKAS_SERVING__WORKERS is not a setting; did you mean RINGKAS_SERVING__THREADS?" in done.stderr


# A command that reads the settings and then fails fast (nothing listens on port 1). Not healthcheck:
# it leaves old names to the service's log, so that Docker's health log does not repeat them.
JOB_STATUS = ["jobs", "status", "some-job"]


def test_every_command_prints_each_old_name_once(monkeypatch):
    monkeypatch.setattr(common, "_REPORTED", set())
    monkeypatch.setenv("RINGKAS_VOCAB_WORDS", "500")
    monkeypatch.setenv("RINGKAS_PORT", "1")  # the job client reads the service's port: nothing answers there
    with pytest.warns(DeprecationWarning):
        result = CliRunner().invoke(main, JOB_STATUS)
    assert result.exit_code == 1  # nothing answers; the settings themselves were fine
    line = "warning: RINGKAS_VOCAB_WORDS is deprecated: use RINGKAS_MODELS__VOCAB_WORDS"
    assert result.output.splitlines().count(line) == 1
    with pytest.warns(DeprecationWarning):
        common.load_settings()  # read again in the same process (--demo, --length): not printed again
    assert "RINGKAS_VOCAB_WORDS" not in CliRunner().invoke(main, JOB_STATUS).output


def test_the_retired_layout_knob_does_not_stop_a_command(monkeypatch):
    monkeypatch.setattr(common, "_REPORTED", set())
    monkeypatch.setenv("RINGKAS_ENGINE_PARALLEL", "x")
    monkeypatch.setenv("RINGKAS_PORT", "1")
    with pytest.warns(DeprecationWarning):
        result = CliRunner().invoke(main, JOB_STATUS)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert (
        "warning: RINGKAS_ENGINE_PARALLEL is no longer used: the layout is derived from RINGKAS_SERVING__MATH_THREADS"
        in result.output
    )


def test_an_offline_model_missing_from_the_cache_names_its_setting(tmp_path):
    from api.errors import ModelUnavailable
    from api.models.loading import ModelSource, fetch

    source = ModelSource("nobody/no-such-model", cache_dir=tmp_path, offline=True, setting="RINGKAS_TRANSLATOR__MODEL")
    with pytest.raises(ModelUnavailable) as caught:
        fetch(source)
    assert "point RINGKAS_TRANSLATOR__MODEL at the folder" in caught.value.detail


def test_healthcheck_leaves_old_names_to_the_service_log(monkeypatch):
    monkeypatch.setattr(common, "_REPORTED", set())
    monkeypatch.setenv("RINGKAS_VOCAB_WORDS", "500")
    with pytest.warns(DeprecationWarning):
        result = CliRunner().invoke(main, ["healthcheck", "--url", CLOSED])
    assert result.exit_code == 1 and "/readyz did not answer" in result.output
    assert "RINGKAS_VOCAB_WORDS" not in result.output  # a probe every few seconds would repeat it
