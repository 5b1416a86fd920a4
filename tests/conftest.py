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
