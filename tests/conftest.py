"""Shared fixtures: tiny real-architecture models built once per test session, no network."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import time
from pathlib import Path

import pytest

# Nothing in the suite may reach a model hub; fail fast instead of hanging on a network call.
os.environ["HF_HUB_OFFLINE"] = "1"
# Every process the suite starts inherits this, and so do the ones those start (PHP's and gunicorn's
# workers): whatever still carries it when the run ends was left behind (pytest_sessionfinish).
RUN_MARK = ("PYTEST_RINGKAS_RUN", str(os.getpid()))
os.environ[RUN_MARK[0]] = RUN_MARK[1]

from api.app import create_app  # noqa: E402
from api.config import Settings, nest  # noqa: E402
from api.engines.gemm import apply as choose_gemm  # noqa: E402
from api.metrics import Metrics  # noqa: E402
from api.runtime import Runtime  # noqa: E402
from api.tiny_models import build_tiny_models  # noqa: E402
from tests.helpers import REPO_ROOT, redis_server, running_processes  # noqa: E402

SEEDS = sorted((REPO_ROOT / "seeds").glob("*.txt"))

# The GEMM library is settled once per process, before CTranslate2 loads: choose it as the service
# does, so every in-process CTranslate2 test runs the default path of this machine.
GEMM = choose_gemm(Settings().models.gemm)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-models")
    build_tiny_models(folder)
    return folder


def tiny_settings(tiny_dir: Path, **overrides) -> Settings:
    """Settings on the tiny models; ``overrides`` name grouped settings as ``group__name`` (``serving__warmup``)."""
    values = {
        "summarizer__model": str(tiny_dir / "summarizer"),
        "translator__model": str(tiny_dir / "translator"),
        "models__hub_offline": True,
        "models__converted_dir": tiny_dir.parent / "ct2",
        **overrides,
    }
    return Settings(**nest(values))


@pytest.fixture()
def env(tiny_dir, tmp_path) -> dict[str, str]:
    """The environment a `ringkas` command needs to run on the tiny models (for click's runner)."""
    return {
        "RINGKAS_SUMMARIZER__MODEL": str(tiny_dir / "summarizer"),
        "RINGKAS_TRANSLATOR__MODEL": str(tiny_dir / "translator"),
        "RINGKAS_MODELS__CACHE_DIR": str(tmp_path / "cache"),
        "RINGKAS_MODELS__CONVERTED_DIR": str(tiny_dir.parent / "ct2"),
        "HF_HUB_OFFLINE": "1",
    }


@pytest.fixture(scope="session")
def settings(tiny_dir) -> Settings:
    """The default configuration (CTranslate2, int8) on the tiny models."""
    return tiny_settings(tiny_dir)


@pytest.fixture(scope="session")
def runtime(settings) -> Runtime:
    rt = Runtime(settings, Metrics()).start(background=False)
    assert rt.state == "ready", rt.error
    yield rt
    rt.stop()


@pytest.fixture()
def start_runtime(tiny_dir):
    """A test's own runtime on the tiny models, with settings changed: stopped when the test ends,
    however it ends (a failed assert must not leave its batcher threads running)."""
    started = []

    def start(background: bool = False, **overrides) -> Runtime:
        runtime = Runtime(tiny_settings(tiny_dir, **overrides))
        started.append(runtime)
        return runtime.start(background=background)

    yield start
    for runtime in started:
        runtime.stop()


@pytest.fixture(scope="session")
def pipeline(runtime):
    return runtime.require()


@pytest.fixture(scope="session")
def app(settings, runtime):
    return create_app(settings, runtime)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def reference(tiny_dir):
    """The transformers (fp32) pipeline on the same tiny models: the baseline engines are compared to."""
    rt = Runtime(tiny_settings(tiny_dir, models__engine="transformers", serving__warmup=False)).start(background=False)
    assert rt.state == "ready", rt.error
    yield rt.require()
    rt.stop()


@pytest.fixture(scope="session")
def seed_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in SEEDS]


@pytest.fixture(scope="session")
def redis_url():
    """A real redis-server shared by the cache and rate-limit tests."""
    with redis_server() as url:
        yield url


# --- tiers ------------------------------------------------------------------------------------
# Each module declares its tier (`pytestmark = pytest.mark.unit`); a test of another tier in the same
# module carries its own mark, which wins. `pytest -m unit` is the inner loop (no model, no server,
# under a minute); the README's test command runs all three.
#   system:      real processes or services: gunicorn, Redis and Celery workers, nginx, Chromium, the image
#   integration: the tiny models, in this process
#   unit:        neither
# The fixtures a test asks for are a guard: a unit test that asks for a model or a server, or an
# integration test that asks for a server, stops the run at collection.
SYSTEM_FIXTURES = frozenset(
    {"cluster", "jobs_client", "server", "image", "container", "models_volume", "browser", "page", "stack",
     "open_service", "cms", "job_service", "redis_url", "base_url", "api_schema", "service"}
)  # fmt: skip
# (A fixture's own fixtures count too: ``client`` brings ``tiny_dir`` with it.)
MODEL_FIXTURES = frozenset({"tiny_dir", "settings", "runtime", "pipeline", "app", "client", "reference"})
TIERS = ("unit", "integration", "system")
# This run's view of the tiers, for tests/test_tiers.py: every collected test's tier and what its
# fixtures need (before `-m` deselects), and the tests `-m` left to run.
TIER_REPORT = pytest.StashKey[dict]()
SELECTED = pytest.StashKey[set]()


def pytest_addoption(parser):
    parser.addoption("--tier-report", metavar="PATH", help="write each test's tier and the tier its fixtures need")


def pytest_configure(config):
    for tier, what in zip(TIERS, ("no model, no server", "tiny models in process", "real processes"), strict=True):
        config.addinivalue_line("markers", f"{tier}: {what} (declared by each test module)")


def needed_tier(item) -> str:
    """The lowest tier the fixtures of a test allow. A parameter named like a fixture is not one:
    ``test_outlet_page_gives_exactly_its_story(page)`` takes a file, not the browser's page."""
    params = set()
    for mark in item.iter_markers("parametrize"):
        names = mark.args[0]
        if not mark.kwargs.get("indirect"):
            params |= {name.strip() for name in names.split(",")} if isinstance(names, str) else set(names)
    fixtures = set(getattr(item, "fixturenames", ())) - params
    if fixtures & SYSTEM_FIXTURES:
        return "system"
    return "integration" if fixtures & MODEL_FIXTURES else "unit"


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by these marks
def pytest_collection_modifyitems(config, items):
    chosen, wrong = {}, []
    for item in items:
        declared = [mark.name for mark in item.iter_markers() if mark.name in TIERS]  # closest first
        if not declared:
            wrong.append(f"{item.nodeid}: no tier (pytestmark = pytest.mark.unit|integration|system)")
            continue
        tier, needs = declared[0], needed_tier(item)
        if TIERS.index(tier) < TIERS.index(needs):
            wrong.append(f"{item.nodeid}: declared {tier}, but its fixtures need {needs}")
        chosen[item] = (tier, needs, any(mark.name in TIERS for mark in item.own_markers))
    if wrong:
        raise pytest.UsageError("tests in the wrong tier:\n  " + "\n  ".join(wrong))
    # Each test keeps exactly its own tier, so `-m unit` does not also pick a system test of a unit module.
    for item, (tier, _, _) in chosen.items():
        for node in item.listchain():
            node.own_markers[:] = [mark for mark in node.own_markers if mark.name not in TIERS]
        item.add_marker(tier)
    report = {item.nodeid: {"tier": t, "needs": n, "own": own} for item, (t, n, own) in chosen.items()}
    config.stash[TIER_REPORT] = report
    path = config.getoption("--tier-report")
    if path:
        Path(path).write_text(json.dumps(report, indent=1), encoding="utf-8")


def pytest_collection_finish(session):
    session.config.stash[SELECTED] = {item.nodeid for item in session.items}


# --- the outlet corpus's figures, printed at the end of the run (tests/test_outlets.py) ----------
_OUTLET_REPORT = pytest.StashKey[list]()


@pytest.fixture
def outlet_report(request):
    """Adds a line to the kept/removed table printed after the run, so the next reader sees where
    the cleaning rules are weak without rerunning anything."""
    lines = request.config.stash.setdefault(_OUTLET_REPORT, [])
    return lines.append


def pytest_terminal_summary(terminalreporter, config):
    lines = config.stash.get(_OUTLET_REPORT, [])
    if lines:
        terminalreporter.section("outlet styles: story kept, boilerplate left, what was removed")
        for line in sorted(lines):
            terminalreporter.write_line(line)


# --- no process outlives the run ------------------------------------------------------------------
def left_behind() -> dict[int, str]:
    """The processes this run started, or those started, that are still running: pid: command line."""
    mark = "=".join(RUN_MARK).encode()
    found = {}
    for pid, (parent, _) in running_processes().items():
        if pid == os.getpid():
            continue
        try:
            marked = mark in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            if marked or parent == os.getpid():
                found[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile, or another user's
    return found


def pytest_sessionfinish(session, exitstatus):
    deadline = time.monotonic() + 3  # one told to stop a moment ago may still be on its way out
    while (left := left_behind()) and time.monotonic() < deadline:
        time.sleep(0.2)
    if not left:
        return
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    lines = [f"  {pid}: {command.strip()[:200]}" for pid, command in sorted(left.items())]
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line("processes started by the tests outlived them (killed now):", red=True, bold=True)
        for line in lines:
            reporter.write_line(line, red=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
