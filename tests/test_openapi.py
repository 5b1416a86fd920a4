"""/openapi.json is built from the declarations beside the handlers and the request/response models;
/docs serves every asset itself."""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

from api.app import create_app
from api.config import Settings
from api.metrics import Metrics
from api.routes.declare import Operation, declaration_of
from api.runtime import Runtime
from api.schemas import ResultsQuery, SummarizeOptions, SummarizeRequest
from tests.conftest import SEEDS, tiny_settings
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.integration

ROUTES = REPO_ROOT / "api" / "routes"


def test_document_is_openapi_3_1_built_from_the_models(client):
    document = client.get("/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    assert set(SummarizeRequest.model_fields) == set(schemas["SummarizeRequest"]["properties"])
    assert schemas["SummarizeRequest"]["additionalProperties"] is False  # strict, like the validator
    operation = document["paths"]["/v1/summarize"]["post"]
    assert set(operation["requestBody"]["content"]) == {"application/json", "text/plain", "text/html"}
    assert {"200", "400", "413", "415", "422", "429", "503"} <= set(operation["responses"])
    assert "Retry-After" in operation["responses"]["503"]["headers"]
    assert "security" not in operation and "securitySchemes" not in document["components"]


def test_examples_come_from_the_seed_articles(client):
    document = client.get("/openapi.json").get_json()
    example = document["paths"]["/v1/summarize"]["post"]["requestBody"]["content"]["application/json"]["example"]
    opening = " ".join(SEEDS[0].read_text(encoding="utf-8").split())
    assert len(example["text"]) > 200 and opening.startswith(example["text"].rstrip("."))


def test_document_follows_the_deployment(tiny_dir, runtime):
    settings = tiny_settings(tiny_dir, api_keys="k", limits__max_batch_items=5)
    document = create_app(settings, runtime).test_client().get("/openapi.json").get_json()
    assert document["components"]["schemas"]["BatchRequest"]["properties"]["items"]["maxItems"] == 5
    operation = document["paths"]["/v1/translate"]["post"]
    assert {"401", "403"} <= set(operation["responses"]) and operation["security"]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_docs_page_uses_only_its_own_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "no CDN or other host"
    assets = re.findall(r"(?:src|href)=\"([^\"]+)\"", html)
    assert len(assets) >= 4
    for asset in assets:
        response = client.get("/" + asset)
        assert response.status_code == 200 and len(response.data) > 100, asset
    assert b"SwaggerUIBundle" in client.get("/docs/assets/js/swagger-ui-bundle.js").data


def test_editor_page_and_widget_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert not re.search(r"(src|href)=\"(https?:)?//", html) and "<script>" not in html  # no inline code
    for asset in re.findall(r"(?:src|href)=\"(static/[^\"]+)\"", html):
        assert client.get("/" + asset).status_code == 200, asset
    widget = client.get("/widget.js")
    assert widget.status_code == 200 and widget.mimetype == "text/javascript"
    assert widget.headers["Cross-Origin-Resource-Policy"] == "cross-origin"  # other origins may load it
    assert b"v1/summarize" in widget.data


# --- the document is built from declarations beside the handlers ---------------------------------
@pytest.fixture(scope="module")
def bare_app():
    """The real app's routes, with no models loaded: enough for the document and the query checks,
    which all answer before a handler asks for the models."""
    settings = Settings()
    return create_app(settings, Runtime(settings, Metrics()))


def _route_modules():
    return [importlib.import_module(f"api.routes.{path.stem}") for path in sorted(ROUTES.glob("*.py"))]


@pytest.mark.unit
def test_every_route_is_declared_and_every_declaration_is_routed(bare_app):
    routed = {rule.endpoint: bare_app.view_functions[rule.endpoint] for rule in bare_app.url_map.iter_rules()}
    undeclared = sorted(endpoint for endpoint, view in routed.items() if declaration_of(view) is None)
    assert undeclared == [], "declare(Operation(...)) or unlisted('why') beside each handler"
    declared = {
        f"{module.__name__}.{name}"
        for module in _route_modules()
        for name, value in vars(module).items()
        if inspect.isfunction(value) and declaration_of(value) is not None
    }
    routed_views = {f"{view.__module__}.{view.__name__}" for view in routed.values()}
    assert declared and declared <= routed_views, f"declared but not routed: {sorted(declared - routed_views)}"


@pytest.mark.unit
def test_document_lists_exactly_the_declared_routes(bare_app):
    document = bare_app.test_client().get("/openapi.json").get_json()
    documented = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    expected = {
        (method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
        for rule in bare_app.url_map.iter_rules()
        if isinstance(declaration_of(bare_app.view_functions[rule.endpoint]), Operation)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == expected
    assert ("GET", "/") not in documented and ("GET", "/metrics") in documented  # a page is unlisted
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("path", "model"), [("/v1/summarize", SummarizeOptions), ("/v1/jobs/{job_id}/results", ResultsQuery)]
)
def test_query_parameters_come_from_the_query_model(bare_app, path, model):
    document = bare_app.extensions["ringkas"].openapi
    operation = next(iter(document["paths"][path].values()))
    query = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
    assert set(query) == set(model.model_fields)
    for name, field in model.model_fields.items():
        assert query[name]["description"] == field.description
        assert "null" not in str(query[name]["schema"])  # an absent option, never a null one


@pytest.mark.unit
def test_each_handler_reads_the_query_its_document_names(bare_app):
    """Every documented query option passes the route's check of names, and an undocumented one is
    refused before the handler runs (and before it waits for the models): both read the declaration."""
    client = bare_app.test_client()
    document = bare_app.extensions["ringkas"].openapi
    checked = 0
    for path, item in document["paths"].items():
        for method, operation in item.items():
            url = path.replace("{job_id}", "j" * 16)
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            for name in names:
                answer = client.open(url, method=method.upper(), query_string={name: "x"}, json={})
                assert "unknown query parameter" not in answer.get_data(as_text=True), (path, name)
            answer = client.open(url, method=method.upper(), query_string={"lenght": "short"}, json={})
            assert answer.status_code == 422, (method, path)
            assert ["query", "lenght"] in [e["loc"] for e in answer.get_json()["errors"]]
            checked += 1
    assert checked == sum(len(item) for item in document["paths"].values())
