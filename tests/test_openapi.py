"""/openapi.json is generated from the request/response models; /docs serves every asset itself."""

from __future__ import annotations

import re

from api.app import create_app
from api.schemas import SummarizeRequest
from tests.conftest import SEEDS, tiny_settings


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
    settings = tiny_settings(tiny_dir, api_keys="k", max_batch_items=5)
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
