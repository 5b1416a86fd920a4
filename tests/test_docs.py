"""The README and the documentation site are part of the product: their commands, settings,
examples and figures must stay true."""

import json
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from api.config import GROUPS, Settings, env_name, field, known
from api.config_check import CLIENT_VARIABLES
from api.config_legacy import RENAMED, RETIRED_HINT
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
DOCS = REPO_ROOT / "docs"
DOCS_TEXT = README + "".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.rglob("*.md")))


TORCH_CPU = "pip install --no-deps -i https://download.pytorch.org/whl/cpu torch=="


def test_readme_opens_with_the_install_and_test_commands():
    first_block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(first_block) == 2
    serve, test = first_block
    assert " && pip install -e . && ringkas serve --demo" in serve
    assert " && pip install -e '.[dev]' && python -m pytest" in test
    # .ci/run runs the README's own second line, so CI proves it as written.
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert ci.count(test.split("  #")[0].strip()) == 2 and "README.md" in ci


def test_every_install_takes_torch_from_the_cpu_index_at_the_pinned_version():
    """PyPI's Linux torch wheel is the CUDA build: each install installs the CPU one first, and the
    version there, in the Dockerfile and in pyproject.toml is one and the same."""
    import tomllib

    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    [pin] = [dep for dep in project["project"]["dependencies"] if dep.startswith("torch")]
    version = pin.removeprefix("torch==")
    first_block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    for line in first_block:
        assert line.startswith(TORCH_CPU + version + " && "), line
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert '--require-hashes --index-url "${TORCH_INDEX_URL}" -r /src/deploy/requirements-torch.lock' in dockerfile
    torch_lock = (REPO_ROOT / "deploy" / "requirements-torch.lock").read_text()
    assert torch_lock.startswith(f"torch=={version}+cpu ")
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu" in dockerfile
    assert project["tool"]["uv"]["sources"]["torch"]["index"] == "pytorch-cpu"


def test_installed_torch_is_the_cpu_build():
    import torch

    assert torch.version.cuda is None and "+cpu" in torch.__version__


def _hooks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("docs_hooks", DOCS / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Cells(HTMLParser):
    """The rows of a rendered HTML table, each cell as the text a reader sees, by the section (h2)
    they stand under."""

    def __init__(self):
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {"": []}
        self.section = ""
        self.heading: list[str] | None = None
        self.cell: list[str] | None = None

    @property
    def rows(self) -> list[list[str]]:
        return [row for rows in self.sections.values() for row in rows]

    def handle_starttag(self, tag, attrs):
        if tag == "h2":
            self.heading = []
        elif tag == "tr":
            self.sections[self.section].append([])
        elif tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "h2" and self.heading is not None:
            self.section = "".join(self.heading).strip().rstrip("¶").strip()
            self.sections.setdefault(self.section, [])
            self.heading = None
        elif tag == "td" and self.cell is not None:
            self.sections[self.section][-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.heading is not None:
            self.heading.append(data)
        if self.cell is not None:
            self.cell.append(data)


def test_the_rendered_settings_page_shows_every_setting_by_group_and_each_name_is_read(tmp_path, monkeypatch):
    """The page as built (its marker, the hook, Markdown and HTML on the way), read as a reader reads it:
    a table per group holding that group's settings, and every variable it names is read by Settings
    into the place the page puts it (set it, read it back), so a page out of step with the code fails."""
    pytest.importorskip("material", reason="the docs extra: pip install -e '.[docs]'")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    parser = _Cells()
    parser.feed((tmp_path / "site" / "reference" / "settings.html").read_text(encoding="utf-8"))
    tables = {
        section: {row[0]: row for row in rows if row and row[0].startswith("RINGKAS_")}
        for section, rows in parser.sections.items()
    }
    groups = {"Top level": ""} | {group: f"{group}." for group in GROUPS}
    apart = ["Benchmark only", "Other RINGKAS_ variables"]
    assert [section for section in tables if tables[section] and section != "Previous names"] == [*groups, *apart]
    benchmark = [f"{group}.{name}" for group, model in GROUPS.items() for name, f in model.model_fields.items()
                 if (f.json_schema_extra or {}).get("benchmark_only")]  # fmt: skip
    assert benchmark == ["models.vocab_min_size"]
    assert list(tables["Benchmark only"]) == [env_name(path) for path in benchmark]
    for section, prefix in groups.items():
        model = GROUPS[section] if prefix else Settings
        names = [
            name for name in model.model_fields if (prefix or name not in GROUPS) and prefix + name not in benchmark
        ]
        assert list(tables[section]) == [env_name(prefix + name) for name in names], section
    assert list(tables["Other RINGKAS_ variables"]) == list(CLIENT_VARIABLES)
    groups["Benchmark only"] = ""
    for variable in [name for name in os.environ if name.startswith(("RINGKAS_", "HF_"))]:
        monkeypatch.delenv(variable)  # the defaults an operator who sets nothing gets
    defaults = Settings()
    for section, prefix in groups.items():
        for variable, (_, _, default, description) in tables[section].items():
            path = variable.removeprefix("RINGKAS_").replace("__", ".").lower()
            assert path.startswith(prefix), variable
            value, declared = defaults.value(path), field(path)
            if isinstance(value, float):
                assert float(default) == value, path  # 3600 on the page, 3600.0 once read
            elif isinstance(value, Path) and value.is_relative_to(REPO_ROOT):  # never this machine's path
                assert default == f"the packaged {value.relative_to(REPO_ROOT)}", path
            else:
                assert default == ("unset" if value is None else "empty" if value == "" else str(value)), path
            assert description == (declared.description or "").replace("`", ""), path  # no text swallowed
            # The name is read, into this place: set it to a value other than the default, read it back.
            sample = _other_value(declared, value)
            monkeypatch.setenv(variable, str(sample))
            assert Settings().value(path) == sample, variable
            monkeypatch.delenv(variable)
    assert tables["limits"]["RINGKAS_LIMITS__MIN_TEXT_CHARS"][1:3] == ["int, ≥ 1", "40"]  # bounds beside the type
    # one way of naming types: the allowed values of a choice, "(optional)" for what may be unset
    assert tables["models"]["RINGKAS_MODELS__COMPUTE_TYPE"][1] == "one of int8, int8_float32, float32"
    assert tables["models"]["RINGKAS_MODELS__CONVERTED_DIR"][1] == "Path (optional)"
    assert not [row for table in tables.values() for row in table.values() if "Literal" in row[1] or "|" in row[1]]
    previous = tables["Previous names"]
    assert set(previous) == {f"RINGKAS_{old.upper()}" for old in RENAMED}
    for variable, (_, now) in previous.items():
        path = RENAMED[variable.removeprefix("RINGKAS_").lower()]
        assert now == (env_name(path) if path else f"no longer used: {RETIRED_HINT}"), variable


def _other_value(declared, default):
    """A valid value of a setting's type that is not its default."""
    import typing

    choices = typing.get_args(declared.annotation)
    if typing.get_origin(declared.annotation) is typing.Literal:
        return next(choice for choice in choices if choice != default)
    if declared.annotation is bool:
        return not default
    if declared.annotation in (int, float):
        lows = [getattr(m, a) for m in declared.metadata for a in ("ge", "gt") if getattr(m, a, None) is not None]
        highs = [m.le for m in declared.metadata if getattr(m, "le", None) is not None]
        value = declared.annotation(default) + 1 if default is not None else 3
        return declared.annotation(min(value, *highs) if highs and value > min(highs) else max(value, *lows, 1))
    if int in choices:  # int | None
        return 3
    if Path in choices or declared.annotation is Path:
        return Path("/srv/ringkas-settings-test")
    return "settings-test-value"


def test_every_route_has_a_curl_example():
    for path in ("/v1/summarize", "/v1/translate", "/v1/models", "/v1/jobs", "/results", "/healthz", "/readyz"):
        assert re.search(rf"curl .*{re.escape(path)}", DOCS_TEXT), path


def test_the_readme_is_short_and_its_speed_line_is_the_committed_bench():
    assert len(README.splitlines()) <= 200
    latest = sorted((DOCS / "data").glob("bench-*.json"))[-1]
    bench = json.loads(latest.read_text(encoding="utf-8"))
    ringkas, peer = bench["ringkas"], bench["peer"]
    speed = README.split("## Speed", 1)[1].split("\n## ", 1)[0]
    assert "random-weight models" in speed and "fixed output lengths" in speed
    # The real unit (three sentences) leads; the one-segment figure stays for the history.
    assert f"**{ringkas['summarize_translate_sentences_s']:.2f} s, " in speed
    vs_peer = peer["summarize_translate_sentences_s"] / ringkas["summarize_translate_sentences_s"]
    one_segment = peer["summarize_translate_s"] / ringkas["summarize_translate_s"]
    throughput = ringkas["throughput_sentences_articles_per_s"] / peer["throughput_sentences_articles_per_s"]
    assert f"{vs_peer:.2f}x faster than plain CTranslate2" in speed and f"({one_segment:.2f}x as one segment)" in speed
    assert f"{throughput:.2f}x its throughput" in speed
    assert f"{ringkas['peak_rss_mb'] / peer['peak_rss_mb']:.2f}x its peak memory" in speed
    if "baseline" in bench:  # `ringkas bench --without baseline` leaves it out
        vs_base = bench["baseline"]["summarize_translate_sentences_s"] / ringkas["summarize_translate_sentences_s"]
        assert f"{vs_base:.1f}x faster than transformers" in speed


def _keys(value, prefix=""):
    if not isinstance(value, dict) or prefix == "cleaning.removed.":  # rule name -> count: varies
        return set()
    return {prefix + key for key in value} | {k for key, item in value.items() for k in _keys(item, f"{prefix}{key}.")}


@pytest.mark.integration
def test_the_readme_sample_response_has_the_fields_a_response_has(client, seed_texts):
    import json

    behaviour = (DOCS / "api" / "behaviour.md").read_text(encoding="utf-8")
    sample = json.loads(behaviour.split("Unknown fields are refused", 1)[1].split("```json", 1)[1].split("```", 1)[0])
    real = client.post("/v1/summarize", json={"text": seed_texts[1], "translate": True}).get_json()
    assert _keys(sample) == _keys(real)


def test_compose_runs_the_image_commands_that_exist_on_one_redis():
    """compose.yaml is not run here (no registry for the redis image): its services must at least
    name real `ringkas` commands and real settings, share one Redis URL, and keep Redis's AOF on."""
    import yaml

    from api.cli import main

    compose = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"redis", "api", "worker", "proxy"}
    # Only the buffering proxy is published, with the shipped config; the API needs keys behind it.
    assert "ports" not in services["api"] and services["proxy"]["ports"] == ["8000:8080"]
    assert any(v.startswith("./deploy/nginx/ringkas.conf:") for v in services["proxy"]["volumes"])
    assert {"RINGKAS_API_KEYS_FILE", "RINGKAS_METRICS_TOKEN"} <= set(services["api"]["environment"])
    assert "--appendonly" in services["redis"]["command"] and "yes" in services["redis"]["command"]
    for name in ("api", "worker"):
        service = services[name]
        assert service["command"][0] in main.commands, service["command"]
        assert service["environment"]["RINGKAS_REDIS_URL"] == "redis://redis:6379/0"
        assert all(known(key) for key in service["environment"])
        assert any(volume.endswith(":/models") for volume in service["volumes"])
    assert services["worker"]["command"][:1] == ["worker"] and "--concurrency" in services["worker"]["command"]


def test_the_image_lock_files_satisfy_pyproject():
    """The image installs deploy/*.lock with --require-hashes: a dependency changed in pyproject.toml
    without `bash deploy/lock.sh` fails here, not in a release build."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    locked = {}
    for name in ("requirements.lock", "requirements-torch.lock"):
        text = (REPO_ROOT / "deploy" / name).read_text(encoding="utf-8")
        for match in re.finditer(
            r"^([A-Za-z0-9._-]+)==(\S+) \\\n((?:\s+--hash=sha256:[0-9a-f]{64}(?: \\)?\n?)+)", text, re.M
        ):
            locked[canonicalize_name(match[1])] = match[2]
        assert text.count("==") == len(re.findall(r"^[A-Za-z0-9._-]+==", text, re.M))
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    for line in pyproject["project"]["dependencies"]:
        requirement = Requirement(line)
        version = locked.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not in deploy/*.lock: run bash deploy/lock.sh"
        assert requirement.specifier.contains(version, prereleases=True), f"{requirement.name} {version} vs {line}"
    assert not any(name.startswith("nvidia-") for name in locked)  # never PyPI's CUDA torch stack
