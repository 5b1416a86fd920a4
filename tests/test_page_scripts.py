"""The page's and the widget's JavaScript: ESLint's recommended rules over every file we ship, the
editor's ES modules served as JavaScript with content ETags, the one string catalogue readable from
other origins, and every script in the wheel. The page's behaviour is tested in Chromium
(tests/test_browser.py)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib

import pytest

from api.app import create_app
from api.config import Settings
from api.metrics import Metrics
from api.routes.docs import STATIC
from api.runtime import Runtime
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

ESLINT = REPO_ROOT / "node_modules" / ".bin" / "eslint"
LINTED = ("api/static", "integrations/wordpress/ringkas/assets", "eslint.config.js")
# A module's static imports: `import { x } from "./x.js";` (the page's modules use no other form).
IMPORT = re.compile(r"^import\s[^;]*?\sfrom\s+\"(\.{1,2}/[^\"]+)\";", re.MULTILINE)


def _eslint(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    if not ESLINT.exists():
        if os.environ.get("CI"):  # CI runs `npm ci`: missing there is a broken set-up, not a skip
            pytest.fail("eslint is missing in CI: .ci/run runs npm ci", pytrace=False)
        pytest.skip("eslint is not installed: run `npm ci` (Node 18.18+)")
    command = [str(ESLINT), "--format", "json", "--max-warnings", "0", *args]
    return subprocess.run(command, cwd=REPO_ROOT, input=stdin, capture_output=True, text=True, timeout=120)


def _findings(done: subprocess.CompletedProcess) -> list[tuple[str, str | None, str]]:
    assert done.stdout, done.stderr  # a config eslint cannot load prints no report at all
    return [
        (str(result["filePath"]).removeprefix(f"{REPO_ROOT}/"), message.get("ruleId"), message["message"])
        for result in json.loads(done.stdout)
        for message in result["messages"]
    ]


def test_every_javascript_file_we_ship_passes_eslint():
    done = _eslint(*LINTED)
    findings = _findings(done)
    assert findings == [] and done.returncode == 0, findings or done.stderr
    linted = {result["filePath"] for result in json.loads(done.stdout)}
    ours = {str(path) for name in LINTED for path in [REPO_ROOT / name, *(REPO_ROOT / name).rglob("*.js")]}
    ours = {path for path in ours if path.endswith(".js")}
    assert len(ours) >= 16 and linted == ours  # nothing ignored, nothing skipped


@pytest.mark.parametrize(
    ("name", "code", "undefined"),
    [
        # A page module: imports parse, browser globals are known, an undeclared name is an error.
        ("api/static/editor/probe.js", 'import { $ } from "./dom.js";\n$("x").hidden = fetch && missing;\n', "missing"),
        # The widget is a classic script: import() and browser globals, no import statements.
        ("api/static/widget.js", 'import("./strings.js").then(() => document.title + notThere);\n', "notThere"),
        # The WordPress panel: WordPress's globals are known.
        ("integrations/wordpress/ringkas/assets/probe.js", "wp.element.render(jQuery, undeclared);\n", "undeclared"),
    ],
    ids=["page-module", "widget", "wordpress"],
)
def test_the_lint_config_reads_each_kind_of_script_as_the_browser_does(name, code, undefined):
    findings = _findings(_eslint("--stdin", "--stdin-filename", name, stdin=code))
    assert [(rule, message) for _, rule, message in findings] == [("no-undef", f"'{undefined}' is not defined.")]


def _client():
    settings = Settings()
    return create_app(settings, Runtime(settings, Metrics())).test_client()


def _modules(client, entry: str) -> dict[str, str]:
    """Every module the page loads, by URL path, from its entry through the static imports."""
    found, todo = {}, [entry]
    while todo:
        path = todo.pop()
        if path in found:
            continue
        response = client.get(path)
        assert response.status_code == 200, path
        found[path] = response.get_data(as_text=True)
        folder = path.rsplit("/", 1)[0]
        for target in IMPORT.findall(found[path]):
            parts = folder.split("/")
            for part in target.split("/"):
                if part == "..":
                    parts.pop()
                elif part != ".":
                    parts.append(part)
            todo.append("/".join(parts))
    return found


def test_the_page_loads_its_modules_as_javascript_with_content_etags():
    client = _client()
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert re.findall(r"<script[^>]*>", html) == ['<script type="module" src="static/editor/main.js">']
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]  # modules from this origin
    modules = _modules(client, "/static/editor/main.js")
    shipped = {f"/static/{path.relative_to(STATIC)}" for path in (STATIC / "editor").glob("*.js")}
    assert shipped | {"/static/strings.js"} == set(modules)  # every module is reached; none is missing
    for path, code in modules.items():
        response = client.get(path)
        assert response.mimetype == "text/javascript", path  # a module of any other type does not run
        assert "no-cache" in response.headers["Cache-Control"], path  # revalidated: modules change together
        assert client.get(path, headers={"If-None-Match": response.headers["ETag"]}).status_code == 304, path
        # No globals: nothing is put on window; handlers are attached in code, never inline.
        assert not re.search(r"\bwindow\.\w+\s*=|globalThis", code), path
    assert not re.search(r"\son[a-z]+=", html)


def test_the_catalogue_is_readable_from_any_origin_and_the_widget_keeps_no_words_of_its_own():
    client = _client()
    catalogue = client.get("/static/strings.js", headers={"Origin": "https://cms.example.id"})
    # The widget imports it from a CMS page: a cross-origin module fetch, without credentials.
    assert catalogue.headers["Access-Control-Allow-Origin"] == "*"
    assert catalogue.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert "Access-Control-Allow-Credentials" not in catalogue.headers
    assert "Access-Control-Allow-Origin" not in client.get("/static/editor/main.js").headers  # only the words
    widget = client.get("/widget.js").get_data(as_text=True)
    assert 'import(new URL("static/strings.js", service)' in widget
    # The widget keeps no words of its own: each it shows is a key of the catalogue.
    used = set(re.findall(r"\bwords\.([\w.]+)(?![\w.[])", widget))  # not words.widget[status]
    assert {"submit", "working", "widget.summary", "translationTitle", "errors.network"} <= used
    assert not re.search(r"\"(Ringkasan|Terjemahan|Summary)[^\"]*\"", widget)


def test_every_word_the_widget_shows_is_in_the_catalogue_in_both_languages():
    widget = (STATIC / "widget.js").read_text(encoding="utf-8")
    used = set(re.findall(r"\bwords\.([\w.]+)(?![\w.[])", widget))  # not words.widget[status]
    assert len(used) >= 5
    catalogue_file = (STATIC / "strings.js").as_uri()
    script = f"""import("{catalogue_file}").then(({{ TEXT }}) => console.log(JSON.stringify(TEXT)));"""
    text = json.loads(_node(script))
    for lang in ("id", "en"):
        missing = [key for key in used if _lookup(text[lang], key) is None]
        assert missing == [], (lang, missing)


def _lookup(table: dict, key: str):
    for part in key.split("."):
        table = table.get(part) if isinstance(table, dict) else None
    return table if isinstance(table, str) else None


def _node(script: str) -> str:
    _eslint("--version")  # node comes with the linter: the same skip, or failure in CI
    done = subprocess.run(["node", "--input-type=module", "-e", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_wheel_ships_every_static_file():
    patterns = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]["api"]
    package = REPO_ROOT / "api"
    shipped = {path for pattern in patterns for path in package.glob(pattern) if path.is_file()}
    static = {path for path in STATIC.rglob("*") if path.is_file() and "__pycache__" not in path.parts}
    assert len(static) >= 14 and static - shipped == set()


def test_ci_installs_the_pinned_linter_before_the_tests_and_fails_without_it():
    package = json.loads((REPO_ROOT / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text(encoding="utf-8"))
    pinned = package["devDependencies"]
    assert "eslint" in pinned and all(re.fullmatch(r"\d+\.\d+\.\d+", version) for version in pinned.values())
    assert lock["packages"][""]["devDependencies"] == pinned  # `npm ci` refuses a lock that disagrees
    assert lock["packages"]["node_modules/eslint"]["version"] == pinned["eslint"]
    run = (REPO_ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in run.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    tests = lines.index("pip install --no-deps -i https://download.pytorch.org/whl/cpu torch==2.13.0 && "
                        "pip install -e '.[dev]' && python -m pytest")  # fmt: skip
    before = lines[:tests]
    assert any(line.startswith("npm ci") for line in before)
    assert 'export CI="${CI:-true}"' in before  # so a missing eslint fails the run instead of skipping
    assert "node:nodejs npm:npm" in run
