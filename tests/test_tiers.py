"""The test tiers hold what they promise: `pytest -m unit` runs the outlet corpus and every test that
needs no model and no server, and a test declared in a tier below what its fixtures need stops the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import SELECTED, TIER_REPORT
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit


def _pytest(*args: str, cwd=REPO_ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _unit_tier(config, tmp_path) -> tuple[set[str], dict]:
    """What `pytest -m unit` runs, and every test's tier: this run's own when it is `-m unit` over the
    whole suite, else a collection of its own."""
    report = config.stash.get(TIER_REPORT, {})
    modules = {name.split("::")[0] for name in report}
    whole = modules == {f"tests/{path.name}" for path in (REPO_ROOT / "tests").glob("test_*.py")}
    if config.getoption("markexpr") == "unit" and whole:
        return config.stash[SELECTED], report
    path = tmp_path / "tiers.json"
    done = _pytest("--collect-only", "-m", "unit", f"--tier-report={path}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    unit = {line for line in done.stdout.splitlines() if "::" in line}
    return unit, json.loads(path.read_text(encoding="utf-8"))


def test_the_unit_tier_holds_the_outlet_corpus_and_every_test_that_needs_nothing(request, tmp_path):
    unit, tiers = _unit_tier(request.config, tmp_path)  # tiers: every test, with what its fixtures need
    outlets = sorted((REPO_ROOT / "tests" / "data" / "outlets").glob("*.html"))
    corpus = {f"tests/test_outlets.py::test_outlet_page_gives_exactly_its_story[{page.stem}]" for page in outlets}
    assert len(corpus) >= 20 and corpus <= unit, sorted(corpus - unit)
    # A test that needs nothing is a unit test unless it says otherwise itself (one starting a process
    # of its own); its module's declaration cannot sweep it into a slower tier.
    pure = {name for name, tier in tiers.items() if tier["needs"] == "unit" and not tier["own"]}
    assert pure - unit == set()
    proxy = {name for name in unit if name.startswith("tests/test_proxy.py::")}
    assert any("test_loopback_addresses_are_told_apart" in name for name in proxy)
    assert not [name for name in unit if tiers[name]["needs"] != "unit"]


MISFILED = {
    "test_unit_with_a_model.py": ("unit", "client", "declared unit, but its fixtures need integration"),
    "test_server_in_integration.py": ("integration", "redis_url", "declared integration, but its fixtures need system"),
    "test_undeclared.py": (None, "tmp_path", "no tier"),
}


def test_a_test_declared_below_what_its_fixtures_need_or_not_at_all_stops_the_run(tmp_path):
    for name, (declared, fixture, _) in MISFILED.items():
        mark = f"pytestmark = pytest.mark.{declared}" if declared else ""
        (tmp_path / name).write_text(f"import pytest\n\n{mark}\n\n\ndef test_misfiled({fixture}):\n    pass\n")
    done = _pytest("-p", "tests.conftest", "--collect-only", *MISFILED, cwd=tmp_path)
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    for name, (_, _, why) in MISFILED.items():
        assert f"{name}::test_misfiled: {why}" in done.stderr
