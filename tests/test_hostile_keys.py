"""Hostile input, part 3: keys. A public widget key with less power than a server key, guessing
throttled, and keys files that would merge tenants refused at start."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.auth import KeyRing, key_line
from tests.conftest import tiny_settings

pytestmark = pytest.mark.integration

ARTICLE = "Pemerintah kota Bandung meresmikan taman baru di pusat kota pada hari Minggu pagi ini."
CMS = "https://cms.example.id"


def _client(tiny_dir, runtime, tmp_path, lines: list[str], **settings):
    keys = tmp_path / "keys.txt"
    keys.write_text("\n".join(lines) + "\n")
    return create_app(tiny_settings(tiny_dir, api_keys_file=keys, **settings), runtime).test_client()


def test_a_widget_key_summarizes_from_its_origin_only_and_within_its_own_limit(tiny_dir, runtime, tmp_path):
    lines = [key_line("server-key", "cms"),
             key_line("widget-key", "widget") + f"  scope=summarize  rate=2/minute  origins={CMS}"]  # fmt: skip
    client = _client(tiny_dir, runtime, tmp_path, lines, rate_limit="100/minute")
    widget = {"X-API-Key": "widget-key", "Origin": CMS}
    assert client.post("/v1/summarize", json={"text": ARTICLE}, headers=widget).status_code == 200
    # Not its scope: translation, jobs, the compatibility translate route.
    denied = client.post("/v1/translate", json={"text": "Halo dunia."}, headers=widget)
    assert denied.status_code == 403 and "may only summarize" in denied.get_json()["detail"]
    assert (
        client.post("/translate", json={"q": "Halo", "api_key": "widget-key"}, headers={"Origin": CMS}).status_code
        == 403
    )
    assert client.get("/v1/models", headers=widget).status_code == 200  # metadata: any key
    # Another origin, or none (curl with the key copied from the page).
    other = client.post("/v1/summarize", json={"text": ARTICLE}, headers={**widget, "Origin": "https://evil.example"})
    assert other.status_code == 403 and "origins" in other.get_json()["detail"]
    assert client.post("/v1/summarize", json={"text": ARTICLE}, headers={"X-API-Key": "widget-key"}).status_code == 403
    # Its own limit: 2 a minute (the service's is 100), while the server key goes on.
    assert client.get("/v1/models", headers=widget).status_code == 429
    server = {"X-API-Key": "server-key"}
    assert client.post("/v1/translate", json={"text": "Halo dunia."}, headers=server).status_code == 200


@pytest.mark.unit
def test_every_protected_route_declares_its_scope():
    """A protected route without a declared scope would need a key with every scope: safe, but a
    narrow key would be refused there by surprise. So each one names its scope beside its handler."""
    from flask import Flask

    from api.app import BLUEPRINTS, GUARDED
    from api.routes.declare import EVERY_SCOPE, Operation, declaration_of

    flask = Flask("scopes")
    for blueprint in BLUEPRINTS:
        flask.register_blueprint(blueprint)
    scopes = {
        rule.endpoint: getattr(declaration_of(flask.view_functions[rule.endpoint]), "scope", EVERY_SCOPE)
        for rule in flask.url_map.iter_rules()
        if rule.endpoint.partition(".")[0] in GUARDED
    }
    assert len(scopes) >= 12 and all(isinstance(declaration_of(flask.view_functions[e]), Operation) for e in scopes)
    assert {endpoint for endpoint, scope in scopes.items() if scope == EVERY_SCOPE} == set()
    assert scopes["v1.models"] is None and scopes["jobs.results"] == "jobs"


def test_failed_key_checks_are_throttled_per_address(tiny_dir, runtime, tmp_path):
    client = _client(tiny_dir, runtime, tmp_path, [key_line("right-key", "cms")], auth_failure_limit="5/minute")
    answers = [client.get("/v1/models", headers={"X-API-Key": f"guess-{n}"}).status_code for n in range(8)]
    assert answers[:5] == [403] * 5 and answers[5:] == [429] * 3
    # Even the right key waits now: the address is guessing.
    blocked = client.get("/v1/models", headers={"X-API-Key": "right-key"})
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0


def test_requests_without_a_key_guess_nothing_and_never_lock_out_a_key(tiny_dir, runtime, tmp_path):
    # Readers of a widget behind one carrier-grade NAT address send no key when misconfigured: that
    # is no guess, and the keys used from the same address keep working.
    client = _client(tiny_dir, runtime, tmp_path, [key_line("right-key", "cms")], auth_failure_limit="5/minute")
    assert [client.get("/v1/models").status_code for _ in range(12)] == [401] * 12
    assert client.get("/v1/models", headers={"X-API-Key": "right-key"}).status_code == 200
    # A wrong key still counts, from the first one on.
    assert [client.get("/v1/models", headers={"X-API-Key": f"guess-{n}"}).status_code for n in range(6)] == [
        403, 403, 403, 403, 403, 429
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([key_line("a-key", "cms"), key_line("b-key", "cms")], "two keys are named 'cms'"),
        ([key_line("a-key", "cms"), key_line("a-key", "cms2")], "listed twice"),
        ([key_line("a-key", "cms") + " scope=everything"], "scopes are"),
        ([key_line("a-key", "cms") + " rate=lots"], "not like 10/minute"),
        ([key_line("a-key", "cms") + " colour=blue"], "options are"),
    ],
)
def test_a_keys_file_that_would_merge_tenants_or_mislead_stops_start_up(tiny_dir, tmp_path, lines, message):
    keys = tmp_path / "keys.txt"
    keys.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=message):
        KeyRing.from_settings(tiny_settings(tiny_dir, api_keys_file=keys))


def test_a_key_no_client_could_send_stops_start_up(tiny_dir):
    with pytest.raises(ValueError, match="not printable ASCII"):
        KeyRing.from_settings(tiny_settings(tiny_dir, api_keys="kunci-rahasia-é"))


# --- leaks and unbounded labels (finding 8) -------------------------------------------------------
def test_the_result_cache_keeps_tenants_apart(tiny_dir, runtime, tmp_path):
    client = _client(tiny_dir, runtime, tmp_path, [key_line("key-a", "tempo"), key_line("key-b", "kompas")])
    embargoed = ARTICLE + " Naskah ini masih embargo sampai pukul 18.00 WIB."

    def ask(key):
        return client.post("/v1/summarize", json={"text": embargoed}, headers={"X-API-Key": key}).get_json()

    assert ask("key-a")["cached"] is False and ask("key-a")["cached"] is True  # a tenant's own cache works
    assert ask("key-b")["cached"] is False  # another tenant learns nothing from it


def test_models_are_named_without_a_path_of_the_server(client, tiny_dir):
    listing = client.get("/v1/models").get_data(as_text=True)
    answer = client.post("/v1/summarize", json={"text": ARTICLE}).get_json()
    assert str(tiny_dir) not in listing and "/" not in answer["models"]["summarizer"]["id"]
    assert answer["models"]["summarizer"]["id"] == "summarizer"  # the folder's name


def test_a_configured_model_name_is_what_responses_show(tiny_dir):
    from api.models.files import model_source

    source = model_source(tiny_settings(tiny_dir, summarizer__name="mt5-xlsum-id"), "summarizer")
    assert source.display == "mt5-xlsum-id" and source.is_local


def test_text_fingerprints_are_keyed(tiny_dir, runtime, caplog):
    import hashlib
    import json
    import logging

    from api.logs import fingerprint

    assert fingerprint(ARTICLE, b"one") != fingerprint(ARTICLE, b"two")
    assert fingerprint(ARTICLE, b"one") != hashlib.sha256(ARTICLE.encode()).hexdigest()[:16]
    client = create_app(tiny_settings(tiny_dir, logs__fingerprint_key="newsroom-secret"), runtime).test_client()
    with caplog.at_level(logging.INFO, logger="ringkas.http"):
        client.post("/v1/summarize", json={"text": ARTICLE})
    logged = [json.loads(r.getMessage()) if r.getMessage().startswith("{") else r.__dict__ for r in caplog.records]
    assert any(entry.get("text_sha256") == fingerprint(ARTICLE, b"newsroom-secret") for entry in logged)


def test_an_invented_http_method_adds_no_metric_series(client):
    for method in ("FOO", "BAR1", "XYZZY"):
        client.open("/v1/models", method=method)
    exposition = client.get("/metrics").get_data(as_text=True)
    assert 'method="FOO"' not in exposition and 'method="XYZZY"' not in exposition
    assert 'method="other"' in exposition
