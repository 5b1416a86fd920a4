"""GET /healthz and /readyz, and the API while models are not ready."""

import pytest

from api.app import create_app
from api.runtime import Runtime
from tests.conftest import tiny_settings

pytestmark = pytest.mark.integration


def test_healthz_and_readyz_when_ready(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["status"] == "ready"


def test_not_ready_while_loading(tiny_dir):
    runtime = Runtime(tiny_settings(tiny_dir))  # not started: as a worker in its first second
    client = create_app(runtime.settings, runtime).test_client()
    assert client.get("/healthz").status_code == 200
    for response in (client.get("/readyz"), client.post("/v1/summarize", json={"text": "Berita."})):
        assert response.status_code == 503 and response.mimetype == "application/problem+json"
        assert int(response.headers["Retry-After"]) > 0
        assert "loading" in response.get_json()["detail"]
    # Bad input is answered as bad input even before the models are there.
    assert client.post("/v1/summarize", json={"txt": "typo"}).status_code == 422
    assert client.post("/v1/translate", data=b"{", content_type="application/json").status_code == 400


def test_a_request_reaching_a_loading_worker_waits_for_it(start_runtime):
    runtime = start_runtime(background=True, serving__warmup=True, serving__ready_wait_s=60)
    client = create_app(runtime.settings, runtime).test_client()
    assert runtime.state != "ready"  # loading takes seconds; this line runs at once
    assert client.get("/readyz").status_code == 503  # readiness never waits
    response = client.post("/v1/summarize", json={"text": "Berita singkat tentang banjir di Jakarta."})
    assert response.status_code == 200 and runtime.state == "ready"

    impatient = start_runtime(background=True, serving__warmup=True, serving__ready_wait_s=0)
    client = create_app(impatient.settings, impatient).test_client()
    assert client.post("/v1/summarize", json={"text": "Berita singkat."}).status_code == 503
    assert impatient.wait_ready(120)


def test_background_load_turns_ready(start_runtime):
    runtime = start_runtime(background=True, serving__warmup=True)
    client = create_app(runtime.settings, runtime).test_client()
    assert runtime.wait_ready(120)
    assert client.get("/readyz").status_code == 200
    assert (
        client.post(
            "/v1/summarize",
            json={"text": "Harga beras naik di pasar Jakarta pekan ini karena pasokan dari daerah berkurang."},
        ).status_code
        == 200
    )


def test_failed_load_stays_unready_and_says_why(start_runtime, tmp_path):
    runtime = start_runtime(background=True, summarizer__model=str(tmp_path / "missing-model"))
    client = create_app(runtime.settings, runtime).test_client()
    assert not runtime.wait_ready(60) and runtime.state == "failed"
    response = client.get("/readyz")
    assert response.status_code == 503
    detail = response.get_json()["detail"]
    assert "missing-model" in detail and "ringkas fetch-models" in detail
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("path", ["/v1/summarize", "/v1/translate"])
def test_deadline_gives_503_not_a_hang(start_runtime, path):
    runtime = start_runtime(serving__request_timeout_s=0.001, serving__warmup=False)
    client = create_app(runtime.settings, runtime).test_client()
    response = client.post(path, json={"text": "Rusia dan AS bertemu di Moskow. Hasilnya belum jelas."})
    assert response.status_code == 503 and "deadline" in response.get_json()["type"]
    assert response.headers["Retry-After"]


def test_full_queue_gives_503_and_a_request_larger_than_the_queue_gives_413(start_runtime, monkeypatch):
    from api.errors import Overloaded

    runtime = start_runtime(serving__queue_size=1, serving__warmup=False)
    client = create_app(runtime.settings, runtime).test_client()
    # Five sentences need five queue places at once, and there is one: no wait could ever make room,
    # so the answer is 413 naming the setting, not a 503 whose retry would fail forever.
    text = "Satu. Dua. Tiga. Empat. Lima."
    response = client.post("/v1/translate", json={"text": text})
    assert response.status_code == 413 and "RINGKAS_SERVING__QUEUE_SIZE" in response.get_json()["detail"]
    assert client.post("/v1/translate", json={"text": "Satu kalimat saja."}).status_code == 200
    # A queue full of other requests' work (test_engines holds a real one full): 503 with Retry-After.
    batcher = runtime.require().translator.batcher

    def full(*args, **kwargs):
        raise Overloaded("the translator queue is full (1 of 1 waiting)", retry_after=2)

    monkeypatch.setattr(batcher, "submit", full)
    busy = client.post("/v1/translate", json={"text": "Satu kalimat saja."})
    assert busy.status_code == 503 and "overloaded" in busy.get_json()["type"]
    assert int(busy.headers["Retry-After"]) >= 1
    runtime.stop()


def test_health_probes_are_not_access_logged_unless_asked(tiny_dir, runtime, caplog):
    import logging

    from api.app import create_app
    from tests.conftest import tiny_settings

    def logged_routes(**settings) -> list[str]:
        client = create_app(tiny_settings(tiny_dir, **settings), runtime).test_client()
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="api.routes.problems"):
            for path in ("/readyz", "/healthz", "/readyz", "/v1/models"):
                assert client.get(path).status_code == 200
        return [record.route for record in caplog.records if hasattr(record, "route")]

    assert logged_routes() == ["/v1/models"]
    assert logged_routes(logs__health_probes=True) == ["/readyz", "/healthz", "/readyz", "/v1/models"]
