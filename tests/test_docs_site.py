"""The documentation site builds with no warning (`mkdocs build --strict`), and its generated pages
follow the code: every command, every rule, and the API document the service serves."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.helpers import REPO_ROOT

DOCS = REPO_ROOT / "docs"


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_site_builds_strictly(tmp_path):
    pytest.importorskip("material", reason="the docs extra: pip install -e '.[docs]'")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    site = tmp_path / "site"
    served = json.loads((site / "reference" / "openapi.json").read_text(encoding="utf-8"))
    assert served == json.loads(json.dumps(_hooks().openapi()))  # the same document the service serves
    for page in ("index.html", "speed.html", "api/index.html", "reference/settings.html", "reference/rules.html"):
        assert (site / page).is_file(), page


def test_the_cli_page_has_every_command():
    import click

    from api.cli import main

    page = _hooks().cli_reference()
    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        assert f"## `ringkas {name}`" in page, name
    assert "## `ringkas jobs submit`" in page and "--long-input" in page


def test_the_rules_page_has_every_rule():
    page = _hooks().rule_families()
    rules = yaml.safe_load((REPO_ROOT / "prompts" / "boilerplate.yaml").read_text(encoding="utf-8"))
    names = [
        name
        for key, section in rules.items()
        if isinstance(section, dict) and key != "headline_runs"
        for name in section
    ]
    assert len(names) > 40 and all(f"| `{name}` |" in page for name in names)
    assert rules["headline_runs"]["name"] in page


def test_the_speed_page_is_drawn_from_the_committed_bench():
    page = _hooks().speed()
    latest = sorted((DOCS / "data").glob("bench-*.json"))[-1]
    bench = json.loads(latest.read_text(encoding="utf-8"))
    assert f"{bench['ringkas']['summarize_translate_s']:.2f}" in page and "<svg" in page and "## History" in page


def test_ringkas_docs_serves_the_built_site(tmp_path):
    pytest.importorskip("material", reason="the docs extra: pip install -e '.[docs]'")
    if shutil.which("ringkas") is None:
        pytest.skip("the ringkas command is not installed")
    done = subprocess.run(
        ["ringkas", "docs", "--build-only", "--site-dir", str(tmp_path / "site")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert (tmp_path / "site" / "index.html").is_file()
