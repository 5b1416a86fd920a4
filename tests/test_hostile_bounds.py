"""Hostile input IV, the pieces each invariant is enforced in, without models: the problem builder's
caps, the charset allow-list, language tags before langcodes, NFKC-sized limits, secret checks
counted, no redirect from the Host header, ETags without a server path."""

from __future__ import annotations

import io
import logging
import unicodedata
import uuid
import zlib

import pytest
from gunicorn.http.errors import InvalidChunkSize

from api.app import create_app
from api.config import Settings, nest
from api.errors import MAX_PROBLEMS, MAX_QUOTED_CHARS, UnsupportedMediaType, ValidationFailed, bounded, quote
from api.logs import gunicorn_logconfig
from api.routes.docs import STATIC
from api.text.charsets import ALLOWED, codec_for
from api.text.language import LANGCODES_CACHE_BOUND, to_nllb
from api.text.normalize import expanded_length

pytestmark = pytest.mark.unit


class _NoModels:
    """Enough of a Runtime for routes that answer before the models (refusals, pages, metrics)."""

    redis = None
    metrics = None


def _client(**settings):
    return create_app(Settings(**nest(settings)), runtime=_NoModels()).test_client()


def test_a_problem_lists_a_few_errors_and_quotes_a_few_dozen_characters():
    errors = [{"loc": ["body", "m" * 10_000], "msg": "x" * 10_000, "type": "extra_forbidden"}] * 60_000
    body = bounded(ValidationFailed("d" * 1_000_000, extra={"errors": errors}).to_problem())
    assert len(body["errors"]) == MAX_PROBLEMS and body["errors_omitted"] == 60_000 - MAX_PROBLEMS
    assert len(str(body)) < 8_000
    assert len(quote("q" * 1_000_000)) < MAX_QUOTED_CHARS + 40 and quote("en") == "'en'"


@pytest.mark.parametrize("name", ["punycode", "base64", "rot13", "idna", "zlib", "hex", "utf-7", "x" * 100_000])
def test_only_listed_text_encodings_are_accepted_and_the_refusal_names_them(name):
    with pytest.raises(UnsupportedMediaType) as refused:
        codec_for(name)
    assert "utf-8" in refused.value.detail and len(refused.value.detail) < 600
    assert refused.value.extra["charsets"] == list(ALLOWED)


def test_every_listed_charset_is_a_text_encoding_that_round_trips():
    for name in ALLOWED:
        codec = codec_for(name)
        assert "Pemerintah kota".encode(codec).decode(codec) == "Pemerintah kota"
    assert codec_for(" UTF_8 ") == "utf-8" and codec_for(None) == "utf-8"


def test_language_tags_never_grow_langcodes_caches_past_their_bound():
    import langcodes

    assert to_nllb("pt-BR") == "por_Latn" and to_nllb("zh-Hant-TW") == "zho_Hant"
    for _ in range(3 * LANGCODES_CACHE_BOUND):
        tag = "en-x-" + uuid.uuid4().hex[:8]
        assert to_nllb(tag) == "eng_Latn"
        assert to_nllb("q" + uuid.uuid4().hex[:2]) is not None  # an unknown language: returned as it came
    assert len(langcodes.Language._PARSE_CACHE) <= LANGCODES_CACHE_BOUND + 1
    assert len(langcodes.Language._INSTANCES) <= LANGCODES_CACHE_BOUND + 1
    huge = "en-" + "-".join(["abcdefgh"] * 100_000)
    assert to_nllb(huge) == huge  # not shaped: never parsed


def test_the_nfkc_length_is_an_upper_bound_found_without_the_expansion():
    for text in ["\ufdfa" * 99_000, "Pemerintah kota", "ﬁ ① ｶ é e\u0301", "\u1100\u1161"]:
        assert expanded_length(text) >= len(unicodedata.normalize("NFKC", text))
    assert expanded_length("\ufdfa" * 99_000) == 18 * 99_000


def test_the_metrics_token_counts_toward_the_failure_limit():
    client = _client(metrics_token="right-token", auth_failure_limit="5/minute")
    statuses = [client.get("/metrics", headers={"Authorization": f"Bearer guess-{n}"}).status_code for n in range(8)]
    assert statuses[:5] == [403] * 5 and statuses[5:] == [429] * 3
    # The right token from that address is refused too until the window passes: guessing stops.
    assert client.get("/metrics", headers={"Authorization": "Bearer right-token"}).status_code == 429


def test_no_redirect_is_built_from_the_host_header():
    client = _client()
    for path in ["/static//evil.example/x", "//evil.example/x", "/v1//models", "/docs//evil.example"]:
        response = client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 404, (path, response.status_code, response.headers.get("Location"))
        assert "evil.example" not in response.headers.get("Location", "")


def test_static_etags_carry_no_hash_of_the_server_path():
    client = _client()
    response = client.get("/static/editor/main.js")
    assert response.status_code == 200
    path_hash = str(zlib.adler32(str(STATIC / "editor" / "main.js").encode()) & 0xFFFFFFFF)
    assert path_hash not in response.headers["ETag"]
    again = client.get("/static/editor/main.js", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


class _BrokenChunks(io.RawIOBase):
    """A request body as gunicorn hands it over when a chunk size is not hex."""

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return 0

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def readinto(self, buffer) -> int:
        raise InvalidChunkSize(b"zz")


@pytest.mark.parametrize(("path", "media"), [("/v1/summarize", "text/plain"), ("/v1/jobs", "application/x-ndjson")])
def test_a_malformed_chunked_body_is_a_400_problem_not_a_500(path, media):
    client = _client(redis_url="redis://127.0.0.1:1/0")
    response = client.post(
        path,
        input_stream=_BrokenChunks(),
        headers={"Content-Type": media, "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json" and "chunked" in response.get_json()["detail"]


def test_gunicorns_record_of_a_malformed_request_keeps_the_kind_never_the_bytes():
    config = gunicorn_logconfig("info", "json")
    [name] = config["handlers"]["stderr"]["filters"]  # the one handler gunicorn's records go through
    drop_bytes = config["filters"][name]["()"]()
    canary = "CANARYzq9" + "Q" * 4000
    message = "Invalid request from ip={ip}: {error}".format(ip="127.0.0.1", error=f"Invalid HTTP method: '{canary}'")
    record = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, message, None, None)
    assert drop_bytes.filter(record) is True
    assert record.getMessage() == "Invalid request from ip=127.0.0.1: Invalid HTTP method"
    other = logging.LogRecord("gunicorn.error", logging.INFO, __file__, 1, "Booting worker with pid: %s", (7,), None)
    assert drop_bytes.filter(other) and other.getMessage() == "Booting worker with pid: 7"
