"""HTML input and the language check, through the HTTP API."""

import pytest

from api.text.html import html_to_text
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.integration

CMS_HTML = (REPO_ROOT / "tests" / "data" / "cms_article.html").read_text(encoding="utf-8")
STORY = [
    "Presiden Rusia Vladimir Putin bertemu utusan Amerika Serikat Steve Witkoff di Kremlin",
    "Pertemuan itu belum menghasilkan kesepakatan damai untuk Ukraina, kata ajudan Kremlin",
    "Ushakov menyebut sejumlah usulan Amerika dapat diterima",
    "Menteri Luar Negeri AS Marco Rubio mengatakan ada kemajuan",
    "Rusia dan Ukraina dijadwalkan kembali bertemu pekan depan di Jenewa.",
]
NOISE = ["window.ads", "ad-slot", "Beranda", "Embedded post", "(Foto: Reuters)", "Zelensky Minta Eropa", "Harga Minyak"]
ENGLISH = (
    "The Russian president met the American envoy in the Kremlin for five hours on Tuesday night. "
    "The meeting did not produce a peace agreement for Ukraine, a Kremlin aide told reporters. "
    "Both sides agreed to keep talking next week in Geneva."
)
MALAY = (
    "Kerajaan Malaysia mengumumkan bajet baharu untuk tahun hadapan bagi membantu rakyat yang terjejas "
    "akibat kenaikan kos sara hidup. Menteri Kewangan berkata peruntukan tambahan akan disalurkan "
    "kepada isi rumah berpendapatan rendah mulai bulan hadapan."
)


def test_cms_html_keeps_paragraphs_and_drops_scripts_embeds_and_inline_blocks(pipeline):
    text = html_to_text(CMS_HTML, pipeline.boilerplate.rules.html_selectors()).text
    cleaned = pipeline.boilerplate.clean(text).text
    lines = cleaned.split("\n")
    for sentence in STORY:
        assert sum(sentence in line for line in lines) == 1, sentence
    assert len(lines) == len(STORY)  # one paragraph per line
    for noise in NOISE + ["fby/mikrofon", "Baca Juga"]:
        assert noise not in cleaned, noise


def test_summarize_html_reports_format_and_what_was_removed(client):
    body = client.post("/v1/summarize", json={"html": CMS_HTML, "return_clean_text": True}).get_json()
    assert body["input"]["format"] == "html"
    # Every stage is counted by rule name: elements removed before extraction, then whole lines. The
    # "Baca Juga: <a>...</a>" paragraph is mostly link text: it goes as a link list, by structure.
    assert body["cleaning"]["removed"] == {
        "embeds": 2,
        "social-embed": 1,
        "read-also-box": 1,
        "ad-box": 1,
        "link-list": 1,
        "author-initials": 1,
    }
    assert (body["cleaning"]["removed_elements"], body["cleaning"]["removed_lines"]) == (6, 1)
    assert body["cleaning"]["removed_spans"] == 0 and body["input"]["repaired"] is False
    assert body["cleaning"]["clean_text"].startswith("JAKARTA")
    assert "Harga Minyak" not in body["cleaning"]["clean_text"]
    assert body["input"]["language"]["code"] == "ind_Latn"


def test_text_html_body_works_like_the_json_field(client):
    as_body = client.post("/v1/summarize", data=CMS_HTML.encode(), content_type="text/html; charset=utf-8")
    as_json = client.post("/v1/summarize", json={"html": CMS_HTML})
    assert as_body.status_code == as_json.status_code == 200
    assert as_body.get_json()["summary"] == as_json.get_json()["summary"]


def test_clean_text_is_only_returned_on_request(client, seed_texts):
    body = client.post("/v1/summarize", json={"text": seed_texts[0]}).get_json()
    assert body["cleaning"]["clean_text"] is None
    assert body["cleaning"]["removed"] == {"read-also": 1, "related-list": 6} and body["cleaning"]["removed_lines"] == 7


def test_text_and_html_together_or_neither_is_422(client):
    for payload in ({"text": "Berita.", "html": "<p>Berita.</p>"}, {"translate": True}):
        response = client.post("/v1/summarize", json=payload)
        assert response.status_code == 422
        assert "exactly one of 'text' or 'html'" in response.get_json()["errors"][0]["msg"]


def test_html_without_article_text_is_422(client):
    for markup in ("<script>alert(1)</script>", "<nav><a href='/'>Beranda</a></nav>", "", "<p>Baca Juga: Judul</p>"):
        response = client.post("/v1/summarize", json={"html": markup})
        assert response.status_code == 422, markup
        assert response.mimetype == "application/problem+json"


def test_clearly_english_text_is_refused_naming_the_language(client):
    response = client.post("/v1/summarize", json={"text": ENGLISH})
    assert response.status_code == 422
    body = response.get_json()
    assert "English" in body["detail"] and "force" in body["detail"]
    assert body["detected_language"]["code"] == "eng_Latn"


def test_force_skips_the_check_and_says_so(client):
    body = client.post("/v1/summarize", json={"text": ENGLISH, "force": True}).get_json()
    assert body["input"]["language"]["code"] == "eng_Latn"
    assert any("force" in warning for warning in body["warnings"])


def test_malay_is_accepted_with_a_warning(client):
    response = client.post("/v1/summarize", json={"text": MALAY})
    assert response.status_code == 200
    body = response.get_json()
    assert body["input"]["language"]["code"] == "zsm_Latn"
    assert any("Malay" in warning for warning in body["warnings"])


def test_every_seed_is_detected_as_indonesian(client, seed_texts):
    for text in seed_texts:
        body = client.post("/v1/summarize", json={"text": text, "length": "short"}).get_json()
        assert body["input"]["language"]["code"] == "ind_Latn"
        assert not [w for w in body["warnings"] if "language" in w or "look" in w]


def test_short_or_undetectable_text_is_not_refused(client):
    """Past RINGKAS_LIMITS__MIN_TEXT_CHARS but short of the detector's 120 characters: a warning, not a refusal."""
    for text in (
        "Good morning to everyone at the market today.",
        "\U0001f600 " + "12345 67890 " * 6,
    ):
        response = client.post("/v1/summarize", json={"text": text})
        assert response.status_code == 200 and response.get_json()["warnings"], text


def test_mojibake_is_repaired_before_the_model_and_reported(client, seed_texts):
    broken = seed_texts[2].replace("“", "â€œ").replace("”", "â€")
    assert broken != seed_texts[2]
    body = client.post("/v1/summarize", json={"text": broken, "return_clean_text": True}).get_json()
    assert body["input"]["repaired"] is True
    assert "â€" not in body["cleaning"]["clean_text"] and "“Diskusi berjalan" in body["cleaning"]["clean_text"]
    clean = client.post("/v1/summarize", json={"text": seed_texts[2]}).get_json()
    assert clean["input"]["repaired"] is False


def test_clean_text_is_what_the_model_read(client, pipeline):
    html = "<p>Harga beras naik di pasar induk pada Senin pagi. (Yas/Ahm)</p><p>Baca juga: Harga Cabai Turun</p>"
    body = client.post("/v1/summarize", json={"html": html, "return_clean_text": True, "force": True}).get_json()
    text = body["cleaning"]["clean_text"]
    assert text == "Harga beras naik di pasar induk pada Senin pagi."
    assert body["input"]["tokens"] == pipeline.summarizer.encode(text).tokens
    assert body["cleaning"]["removed"] == {"read-also": 1, "trailing-initials": 1}
    assert (body["cleaning"]["removed_lines"], body["cleaning"]["removed_spans"]) == (1, 1)


# --- choosing the story's container stays linear on large pages ------------------------------------
def _sidebar_page(units: int) -> str:
    """A page of ``units`` story paragraphs beside as many teaser cards: every vote has work to do."""
    cards = "".join(
        f"<li><a href='/b/{n}'><h4>Judul Berita Lain Nomor {n}</h4></a>"
        f"<p>Teaser berita lain nomor {n} ditulis dalam satu kalimat yang cukup panjang.</p></li>"
        for n in range(units)
    )
    story = "".join(
        f"<p>Paragraf berita nomor {n} menceritakan warga yang membersihkan lumpur dari rumah mereka.</p>"
        for n in range(units)
    )
    return f"<html><body><ul class='lain'>{cards}</ul><div class='isi'>{story}</div></body></html>"


def _best_of_three(markup: str, selectors) -> float:
    import time

    times = []
    for _ in range(3):
        started = time.perf_counter()
        html_to_text(markup, selectors)
        times.append(time.perf_counter() - started)
    return min(times)


def test_extraction_work_grows_linearly_with_the_page(pipeline):
    """Four times the page costs about four times the work (a quadratic step would cost sixteen)."""
    selectors = pipeline.boilerplate.rules.html_selectors()
    html_to_text(_sidebar_page(10), selectors)  # imports and first-use caches out of the timing
    small, large = _best_of_three(_sidebar_page(500), selectors), _best_of_three(_sidebar_page(2000), selectors)
    assert large / small < 8, f"{small:.2f} s -> {large:.2f} s"


@pytest.mark.unit
def test_jusText_breaks_a_tie_only_on_a_news_sized_page(monkeypatch):
    """jusText's second pass is quadratic in the page: it is asked only when trafilatura's container
    and the densest block disagree, and never on a page past JUSTEXT_MAX_BLOCKS blocks."""
    from collections import Counter

    from lxml import html as lxml_html

    from api.text import story

    calls = []
    real = story.justext_keys
    monkeypatch.setattr(story, "justext_keys", lambda tree: calls.append(1) or real(tree))

    def read(units: int, extracted_from: str) -> str:
        tree = lxml_html.document_fromstring(_sidebar_page(units))
        lines = [e.text_content() for e in tree.xpath(f"//{extracted_from}//p")]
        return story.whole_story(tree, "\n".join(lines), Counter())

    agreed = read(5, "div")  # trafilatura's vote is the story: it and the densest block nest
    assert calls == [] and "Paragraf berita nomor 4" in agreed
    wrong = read(5, "ul")  # trafilatura's vote is the sidebar: jusText is asked
    assert calls == [1] and "Paragraf berita nomor 4" in wrong and "Teaser berita lain" not in wrong
    huge = read(story.JUSTEXT_MAX_BLOCKS, "ul")  # past the bound: two votes decide alone
    assert calls == [1] and "Paragraf berita nomor 9" in huge and "Teaser berita lain" not in huge
