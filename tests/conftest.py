"""Shared fixtures: tiny real-architecture models built once per test session, no network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Nothing in the suite may reach a model hub; fail fast instead of hanging on a network call.
os.environ["HF_HUB_OFFLINE"] = "1"

from api.app import create_app  # noqa: E402
from api.config import Settings  # noqa: E402
from api.engines.gemm import apply as choose_gemm  # noqa: E402
from api.metrics import Metrics  # noqa: E402
from api.runtime import Runtime  # noqa: E402
from api.tiny_models import build_tiny_models  # noqa: E402
from tests.helpers import REPO_ROOT, redis_server  # noqa: E402

SEEDS = sorted((REPO_ROOT / "seeds").glob("*.txt"))

# The GEMM library is settled once per process, before CTranslate2 loads: choose it as the service
# does, so every in-process CTranslate2 test runs the default path of this machine.
GEMM = choose_gemm(Settings().ct2_gemm)


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("tiny-models")
    build_tiny_models(folder)
    return folder


def tiny_settings(tiny_dir: Path, **overrides) -> Settings:
    values = {
        "summarizer_model": str(tiny_dir / "summarizer"),
        "translator_model": str(tiny_dir / "translator"),
        "hub_offline": True,
        "ct2_dir": tiny_dir.parent / "ct2",
        **overrides,
    }
    return Settings(**values)


@pytest.fixture()
def env(tiny_dir, tmp_path) -> dict[str, str]:
    """The environment a `ringkas` command needs to run on the tiny models (for click's runner)."""
    return {
        "RINGKAS_SUMMARIZER_MODEL": str(tiny_dir / "summarizer"),
        "RINGKAS_TRANSLATOR_MODEL": str(tiny_dir / "translator"),
        "RINGKAS_CACHE_DIR": str(tmp_path / "cache"),
        "RINGKAS_CT2_DIR": str(tiny_dir.parent / "ct2"),
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
    rt = Runtime(tiny_settings(tiny_dir, engine="transformers", warmup=False)).start(background=False)
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
# Every test gets one tier from what it uses, so none can be filed in the wrong one by a forgotten
# marker. `pytest -m unit` is the inner loop (no model, no server, under a minute); the README's
# test command runs all three.
#   system:      real processes or services: gunicorn, Redis and Celery workers, nginx, Chromium, the image
#   integration: the tiny models, in this process
#   unit:        neither
SYSTEM_FIXTURES = frozenset(
    {"cluster", "jobs_client", "server", "image", "container", "models_volume", "browser", "page",
     "open_service", "cms", "job_service", "redis_url", "base_url", "api_schema"}
)  # fmt: skip
SYSTEM_MODULES = frozenset(
    {
        "test_image",
        "test_browser",
        "test_serve",
        "test_proxy",
        "test_jobs",
        "test_clients",
        "test_wordpress",
        "test_doc_examples",
    }
)
# (A fixture's own fixtures count too: ``client`` brings ``tiny_dir`` with it.)
MODEL_FIXTURES = frozenset({"tiny_dir", "settings", "runtime", "pipeline", "app", "client", "reference"})
TIERS = ("unit", "integration", "system")


def pytest_configure(config):
    for tier, what in zip(TIERS, ("no model, no server", "tiny models in process", "real processes"), strict=True):
        config.addinivalue_line("markers", f"{tier}: {what} (set from the fixtures a test uses)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if any(item.get_closest_marker(tier) for tier in TIERS):
            continue  # a test may name its tier itself (one that starts a process without a fixture)
        fixtures = set(getattr(item, "fixturenames", ()))
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if fixtures & SYSTEM_FIXTURES or module in SYSTEM_MODULES:
            item.add_marker(pytest.mark.system)
        elif fixtures & MODEL_FIXTURES:
            item.add_marker(pytest.mark.integration)
        else:
            item.add_marker(pytest.mark.unit)


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
