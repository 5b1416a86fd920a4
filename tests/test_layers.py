"""The layers of docs/architecture.md, held: the model side imports downward only (tasks -> engines
-> model files), and nothing below the routes knows HTTP."""

from __future__ import annotations

import ast

import pytest

from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

API = REPO_ROOT / "api"
# Which packages each may never import, with the reason a reader would give.
NEVER = {
    "models": (("api.engines", "api.tasks", "api.pipeline", "api.routes", "flask"), "model files know no runtime"),
    "engines": (("api.tasks", "api.pipeline", "api.routes", "flask"), "engines know no task and no HTTP"),
    "tasks": (("api.pipeline", "api.routes", "flask"), "tasks know no request"),
    "text": (
        ("api.engines", "api.tasks", "api.models", "api.pipeline", "api.routes", "flask"),
        "text helpers are pure",
    ),
    "pipeline": (
        ("api.routes", "api.runtime", "api.jobs", "api.cli", "api.eval", "api.bench", "flask"),
        "the pipeline knows no entry and no HTTP",
    ),
}
# The pipeline's modules, bottom up: each stage builds on those before it; __init__ (the facade) on all.
PIPELINE_ORDER = ("common", "reading", "summarizing", "translating", "digesting", "__init__")


def _imports(path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", sorted(NEVER))
def test_a_layer_never_imports_upward(package):
    forbidden, why = NEVER[package]
    found = [
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in sorted((API / package).rglob("*.py"))
        for name in sorted(_imports(path))
        if name.startswith(forbidden)
    ]
    assert found == [], f"{why}: {found}"


def test_the_pipeline_stages_import_downward_only():
    folder = API / "pipeline"
    assert sorted(path.stem for path in folder.glob("*.py")) == sorted(PIPELINE_ORDER), "a new module takes its place"
    found = []
    for rank, name in enumerate(PIPELINE_ORDER):
        below = {f"api.pipeline.{stem}" for stem in PIPELINE_ORDER[:rank]}
        found += [
            f"{name}.py imports {imported}"
            for imported in sorted(_imports(folder / f"{name}.py"))
            if (imported == "api.pipeline" or imported.startswith("api.pipeline.")) and imported not in below
        ]
    assert found == []


def test_the_cli_is_the_top_and_its_commands_share_only_common():
    """Nothing in the service imports the command line; a command's module takes shared helpers from
    ``api/cli/common.py`` alone, so commands never import each other (no circles)."""
    found = [
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in sorted(API.rglob("*.py"))
        if path.parent != API / "cli"
        for name in sorted(_imports(path))
        if name == "api.cli" or name.startswith("api.cli.")
    ]
    found += [
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in sorted((API / "cli").glob("*.py"))
        if not path.name.startswith("__")
        for name in sorted(_imports(path))
        if (name == "api.cli" or name.startswith("api.cli.")) and name != "api.cli.common"
    ]
    assert found == []
