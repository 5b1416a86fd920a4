"""The documentation site builds with no warning (`mkdocs build --strict`), and its generated pages
follow the code: every command, every rule, and the API document the service serves."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
import sys

import pytest
import yaml

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

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


STAGES = ("drop_lines", "inline", "drop_trailing", "drop_blocks")
EXAMPLES = yaml.safe_load((REPO_ROOT / "prompts" / "boilerplate-examples.yaml").read_text(encoding="utf-8"))
STORY = "Harga beras naik di pasar induk pada Senin pagi."


def test_every_text_rule_has_an_example_pair():
    rules = yaml.safe_load((REPO_ROOT / "prompts" / "boilerplate.yaml").read_text(encoding="utf-8"))
    for stage in STAGES:
        assert set(EXAMPLES[stage]) == set(rules[stage]), stage


@pytest.mark.parametrize(
    ("stage", "name"), [(stage, name) for stage in STAGES for name in EXAMPLES[stage]], ids=lambda value: value
)
def test_each_rule_removes_its_example_and_keeps_the_story_of_the_same_shape(stage, name):
    """The pair the rule page shows, held to the rules: removed (or cut) under this rule's own name,
    and the story line of a similar shape kept whole."""
    from api.text.boilerplate import Boilerplate

    rules = Boilerplate.from_file(REPO_ROOT / "prompts" / "boilerplate.yaml")
    removes, keeps = EXAMPLES[stage][name]
    after = "\nHarga Cabai Melonjak Jelang Natal" if stage == "drop_blocks" else ""
    cleaned = rules.clean(f"{STORY}\n{removes}{after}")
    assert cleaned.removed.get(name, 0) + cleaned.cut.get(name, 0) >= 1 and removes not in cleaned.text.split("\n")
    assert keeps in rules.clean(f"{STORY}\n{keeps}").text.split("\n")


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


def test_every_metric_the_docs_name_exists():
    """The alert rules on the security page name real metrics (a renamed metric breaks this test)."""
    import re

    from api.metrics import Metrics

    metrics = Metrics()
    metrics.redis_state(True)
    exposed = metrics.render()[0].decode()
    exposed += (REPO_ROOT / "api" / "metrics.py").read_text(encoding="utf-8")  # the job figures, read from Redis
    named = set(re.findall(r"\b(ringkas_[a-z_]+)", (DOCS / "security.md").read_text(encoding="utf-8")))
    missing = [name for name in sorted(named) if re.sub(r"_(total|bucket|count|sum)$", "", name) not in exposed]
    assert named and missing == []


def test_the_layout_tree_names_every_module_of_api():
    tree = (DOCS / "development.md").read_text(encoding="utf-8")
    for entry in sorted((REPO_ROOT / "api").iterdir()):
        if entry.name.startswith("__"):
            continue
        name = entry.name if entry.is_file() else entry.name + "/"
        assert f"\n  {name}" in tree, name


def test_the_site_reads_offline_and_its_generated_pages_read_right(tmp_path):
    """Issue 37, items 14-16: no font from the internet, anchors checked by the strict build, the
    settings page without build paths, swallowed placeholders or empty defaults, and the speed page
    explaining its full-vocabulary row over a history without empty cells."""
    pytest.importorskip("material", reason="the docs extra: pip install -e '.[docs]'")
    config = yaml.safe_load((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!!python/name:", ""))
    assert config["theme"]["font"] is False and config["strict"] is True
    assert config["validation"]["links"]["anchors"] == "warn"  # strict: a missing heading fails the build
    site = tmp_path / "site"
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    fetched = [p for p in site.rglob("*") if p.suffix in (".html", ".css", ".js") and "fonts.g" in p.read_text("utf-8")]
    assert fetched == []  # fonts.googleapis.com / fonts.gstatic.com
    settings = (site / "reference" / "settings.html").read_text(encoding="utf-8")
    assert str(REPO_ROOT) not in settings and "<code></code>" not in settings
    assert (
        "<code>~/.cache/ringkas/ct2</code>" in settings
        and "the packaged <code>api/resources/prompts</code>" in settings
    )
    rows = {m.group(1): m.group(2) for m in re.finditer(r"<code>(RINGKAS_\w+)</code></td>(.*?)</tr>", settings, re.S)}
    descriptions = {name: re.findall(r"<td>(.*?)</td>", row, re.S)[-1] for name, row in rows.items()}
    assert [name for name, text in descriptions.items() if not text.strip()] == []  # PORT, LOG_LEVEL...
    assert "archive jobs" in descriptions["RINGKAS_REDIS_URL"]
    assert "stylesheets/extra.css" in settings
    css = (site / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "white-space: nowrap" in css and "pre-wrap" in css
    speed = (site / "speed.html").read_text(encoding="utf-8")
    assert 'id="why-ringkas-full-vocabulary-is-slower-than-plain-ctranslate2"' in speed
    assert "one single-thread batch per core" in speed and "250,112" in speed
    history = _hooks().speed().split("## History", 1)[1]
    cells = [c.strip() for line in history.splitlines() if line.startswith("| 20") for c in line.strip("|").split("|")]
    assert cells and "" not in cells
    assert not re.search(r"House|before the hostile|after the hostile", history)


def test_the_getting_started_commands_fit_beside_the_copy_button():
    page = (DOCS / "getting-started.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", page, re.S)
    assert blocks and max(len(line) for block in blocks for line in block.splitlines()) <= 100
    # The split first command is still the README's, as bash runs it.
    readme_first = (REPO_ROOT / "README.md").read_text(encoding="utf-8").split("```bash\n", 1)[1].splitlines()[0]
    assert " ".join(blocks[0].replace("\\\n", " ").split()) == readme_first
