"""Real browser tests: Playwright driving Debian's Chromium headless against the service with the
tiny models. The editor's page summarizes a seed, shows errors in plain words, switches language
and fits a phone; the widget works from a CMS page on another origin with CORS and an API key.
Screenshots go to artifacts/screenshots/ (or $RINGKAS_ARTIFACTS), never into the repository."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from flask import Flask

from api.app import create_app
from api.config import DEFAULT_PROMPTS, SEEDS
from tests.conftest import tiny_settings
from tests.helpers import free_port, serve_in_thread

pytestmark = pytest.mark.system

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing in CI: .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
KEY = "widget-key"
ARTIFACTS = Path(os.environ.get("RINGKAS_ARTIFACTS", Path(__file__).resolve().parents[1] / "artifacts")) / "screenshots"


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            # Root in a sandbox-less container, and no network but loopback: no background traffic.
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    yield page
    context.close()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


@pytest.fixture(scope="module")
def open_service(tiny_dir, runtime):
    with serve_in_thread(create_app(tiny_settings(tiny_dir), runtime)) as url:
        yield url


def test_editor_page_summarizes_a_seed_with_the_keyboard(page, open_service, seed_texts):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=open_service)
    page.goto(open_service + "/")
    assert page.title() == "Ringkas"
    page.get_by_label("Artikel", exact=True).fill(seed_texts[0])
    page.get_by_label("Artikel", exact=True).press("Control+Enter")
    summary = page.locator("#summary")
    sync_api.expect(summary).not_to_be_empty(timeout=60_000)
    sync_api.expect(page.locator("#translation")).not_to_be_empty()
    facts = page.locator("#facts").inner_text()
    assert "Token artikel" in facts and "Dipotong" in facts and "Waktu (milidetik)" in facts
    # Both texts side by side on a wide screen.
    left, right = page.locator("#summary").bounding_box(), page.locator("#translation").bounding_box()
    assert right["x"] > left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 5
    # The copy buttons put exactly the shown text on the clipboard.
    page.locator('button[data-copy="translation"]').click()
    sync_api.expect(page.locator('button[data-copy="translation"]')).to_have_text("Tersalin")
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#translation").inner_text()
    page.locator('button[data-copy="summary"]').click()
    sync_api.expect(page.locator('button[data-copy="summary"]')).to_have_text("Tersalin")
    assert page.evaluate("navigator.clipboard.readText()") == page.locator("#summary").inner_text()
    _shot(page, "editor-desktop.png")

    page.set_viewport_size({"width": 375, "height": 800})  # a phone: one column, no sideways scroll
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    left, right = page.locator("#summary").bounding_box(), page.locator("#translation").bounding_box()
    assert right["y"] > left["y"] + left["height"] - 1
    _shot(page, "editor-phone.png")


def test_editor_page_errors_in_plain_words_in_both_languages(page, open_service):
    page.goto(open_service + "/")
    page.get_by_role("button", name="Ringkas", exact=True).click()
    error = page.get_by_role("alert")
    sync_api.expect(error).to_contain_text("Artikel masih kosong")
    page.get_by_role("button", name="English").click()
    sync_api.expect(page.get_by_role("button", name="Summarize", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.get_by_role("button", name="Summarize", exact=True).click()
    sync_api.expect(error).to_contain_text("The article is empty")
    _shot(page, "editor-empty-error.png")

    # A server-side refusal (not Indonesian) is explained, with the service's own detail below it.
    page.get_by_label("Article", exact=True).fill(
        "The city council approved the new budget on Monday after a long debate about schools and roads, "
        "and the mayor said construction would start next spring across the northern districts."
    )
    page.get_by_role("button", name="Summarize", exact=True).click()
    sync_api.expect(error).to_contain_text("not Indonesian, so it was not summarized")
    sync_api.expect(error).to_contain_text("English")


def test_editor_page_summarizes_a_long_article_in_parts(page, open_service, seed_texts):
    page.goto(open_service + "/")
    page.get_by_label("Artikel", exact=True).fill("\n".join(seed_texts))  # longer than the window
    page.get_by_label("Artikel panjang", exact=False).check()
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.locator("#summary")).not_to_be_empty(timeout=60_000)
    labels, values = page.locator("#facts dt").all_inner_texts(), page.locator("#facts dd").all_inner_texts()
    facts = dict(zip(labels, values, strict=True))
    assert int(facts["Bagian"]) > 1 and facts["Dipotong"] == "tidak"


def test_editor_page_is_keyboard_operable(page, open_service):
    page.goto(open_service + "/")
    focused = []
    for _ in range(14):
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate("document.activeElement.id || document.activeElement.name || document.activeElement.tagName")
        )
    for control in ("ui-lang", "article", "length", "translate", "chunk", "submit"):
        assert control in focused, (control, focused)


def test_docs_page_renders_the_api_offline(page, open_service):
    external = []
    page.on("request", lambda request: None if request.url.startswith(open_service) else external.append(request.url))
    page.goto(open_service + "/docs")
    sync_api.expect(page.get_by_text("/v1/summarize/batch")).to_be_visible(timeout=30_000)
    sync_api.expect(page.get_by_text("/v1/translate", exact=True)).to_be_visible()
    assert external == []  # every asset came from the service
    _shot(page, "docs.png")


@pytest.fixture(scope="module")
def cms(tiny_dir, runtime):
    """A CMS page on one origin embedding the widget from the service on another, with keys and CORS."""
    page_port = free_port()
    cms_origin = f"http://127.0.0.1:{page_port}"
    settings = tiny_settings(tiny_dir, api_keys=KEY, cors_origins=cms_origin)
    with serve_in_thread(create_app(settings, runtime)) as service:
        site = Flask("cms")

        @site.get("/article")
        def article():
            return f"""<!DOCTYPE html><html lang="id"><head><meta charset="utf-8"><title>Berita</title></head>
            <body><h1>Kabar kota</h1><div id="article-body"><p>{_seed_paragraphs()}</p></div>
            <script src="{service}/widget.js" data-target="#article-body" data-translate="true"
                    data-api-key="{KEY}" defer></script></body></html>"""

        from werkzeug.serving import make_server

        server = make_server("127.0.0.1", page_port, site, threaded=True)
        import threading

        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield {"page": cms_origin + "/article", "service": service}
        server.shutdown()


def _seed_paragraphs() -> str:
    text = SEEDS.glob("*.txt")
    first = sorted(text)[2].read_text(encoding="utf-8")
    return "</p><p>".join(line for line in first.splitlines() if len(line) > 60)[:4000]


def test_widget_summarizes_in_place_from_another_origin(page, cms):
    page.goto(cms["page"])
    button = page.get_by_role("button", name="Ringkas")
    sync_api.expect(button).to_be_visible()
    # The button sits just before the article body.
    assert button.bounding_box()["y"] < page.locator("#article-body").bounding_box()["y"]
    button.click()
    region = page.get_by_role("region", name="Ringkasan")
    sync_api.expect(region).to_contain_text("Terjemahan (Inggris)", timeout=60_000)
    assert len(region.inner_text()) > 40
    assert button.get_attribute("aria-expanded") == "true"
    _shot(page, "widget.png")


def test_editor_page_asks_for_the_key_when_the_service_needs_one(page, cms, seed_texts):
    page.goto(cms["service"] + "/")
    sync_api.expect(page.locator("#key-box")).to_be_visible()  # the service has keys: the page asks at once
    page.get_by_label("Artikel", exact=True).fill(seed_texts[3])
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.get_by_role("alert")).to_contain_text("memerlukan kunci API")
    page.get_by_label("Kunci API (jika", exact=False).fill(KEY)
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.locator("#summary")).not_to_be_empty(timeout=60_000)
    sync_api.expect(page.get_by_role("alert")).to_be_hidden()


def test_widget_on_an_origin_not_allowed_shows_an_error(page, cms, tmp_path):
    # Same widget, same key, but a page origin that is not in RINGKAS_CORS_ORIGINS.
    other = Flask("other")
    cms_page = cms["page"]

    @other.get("/article")
    def article():
        import urllib.request

        return urllib.request.urlopen(cms_page).read()

    with serve_in_thread(other) as origin:
        page.goto(origin + "/article")
        page.get_by_role("button", name="Ringkas").click()
        sync_api.expect(page.get_by_role("region", name="Ringkasan")).to_contain_text("tidak dapat dihubungi")


# --- first contact: stale results, refusals, HTML pasted as text, demo mode -------------------
def test_an_error_clears_the_previous_summary(page, open_service, seed_texts):
    page.goto(open_service + "/")
    page.get_by_label("Artikel", exact=True).fill(seed_texts[0])
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.locator("#summary")).not_to_be_empty(timeout=60_000)
    page.get_by_label("Artikel", exact=True).fill("")
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.get_by_role("alert")).to_contain_text("Artikel masih kosong")
    sync_api.expect(page.locator("#result")).to_be_hidden()
    assert page.locator("#summary").inner_text() == ""
    _shot(page, "editor-error-clears-result.png")


def test_a_language_refusal_offers_summarize_anyway_in_the_page_language(page, open_service):
    page.goto(open_service + "/")
    page.get_by_label("Artikel", exact=True).fill(
        "The city council approved the new budget on Monday after a long debate about schools and roads, "
        "and the mayor said construction would start next spring across the northern districts."
    )
    page.get_by_role("button", name="Ringkas", exact=True).click()
    error = page.get_by_role("alert")
    sync_api.expect(error).to_contain_text("bukan bahasa Indonesia")
    assert '"force"' not in error.locator("p").first.inner_text()  # no API field names in the advice
    page.get_by_role("button", name="Ringkas saja").click()
    sync_api.expect(page.locator("#summary")).not_to_be_empty(timeout=60_000)
    sync_api.expect(error).to_be_hidden()
    sync_api.expect(page.locator("#warnings")).to_contain_text("Pemeriksaan bahasa dilewati")
    _shot(page, "editor-summarize-anyway.png")


def test_html_pasted_as_text_switches_the_format(page, open_service, seed_texts):
    page.goto(open_service + "/")
    html = "".join(f"<p>{line}</p>" for line in seed_texts[0].splitlines() if line.strip())
    page.get_by_label("Artikel", exact=True).fill('<div class="article-body">' + html + "</div>")
    assert page.locator('input[name="format"][value="text"]').is_checked()
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.locator("#summary")).not_to_be_empty(timeout=60_000)
    sync_api.expect(page.locator("#notice")).to_contain_text("HTML")
    assert page.locator('input[name="format"][value="html"]').is_checked()
    labels, values = page.locator("#facts dt").all_inner_texts(), page.locator("#facts dd").all_inner_texts()
    assert dict(zip(labels, values, strict=True))["Format"] == "HTML"
    assert "<p>" not in page.locator("#summary").inner_text()


def test_demo_models_show_a_banner_and_no_key_box_without_keys(page, open_service):
    page.goto(open_service + "/")
    sync_api.expect(page.locator("#demo")).to_contain_text("Mode demo")
    assert page.locator("#key-box").is_hidden()
    page.get_by_role("button", name="English").click()
    sync_api.expect(page.locator("#demo")).to_contain_text("Demo mode")
    _shot(page, "editor-demo-banner.png")
    assert page.request.get(open_service + "/favicon.ico").status == 200


def test_the_result_scrolls_into_view_on_a_phone(browser, open_service, seed_texts):
    context = browser.new_context(viewport={"width": 375, "height": 700}, locale="id-ID")
    phone = context.new_page()
    phone.goto(open_service + "/")
    phone.get_by_label("Artikel", exact=True).fill(seed_texts[0])
    phone.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(phone.locator("#summary")).not_to_be_empty(timeout=60_000)
    assert abs(phone.locator("#result").bounding_box()["y"]) < 40  # the result's start is at the top
    box = phone.locator("#summary").bounding_box()
    assert 0 <= box["y"] < 700  # the summary text itself is on screen, not only its heading
    _shot(phone, "editor-phone-result.png")
    context.close()


@pytest.fixture(scope="module")
def job_service(tiny_dir, runtime, tmp_path_factory):
    """The service with archive jobs: a redis-server, one `ringkas worker`, the app on loopback."""
    from tests.jobs_cluster import start_cluster

    cluster = start_cluster(tiny_dir, tmp_path_factory.mktemp("browser-jobs"))
    try:
        cluster.start_worker()
        with serve_in_thread(create_app(tiny_settings(tiny_dir, redis_url=cluster.url), runtime)) as url:
            yield url
    finally:
        cluster.stop()


def test_archive_panel_runs_a_job_and_downloads_its_results(page, job_service, seed_texts, tmp_path):
    import json

    items = [{"id": f"arsip-{n}", "text": f"{seed_texts[n % len(seed_texts)]}\nArsip {n}."} for n in range(10)]
    items.append({"id": "pendek", "text": "Pendek."})  # too short after cleaning: failed by the worker
    upload = tmp_path / "arsip.jsonl"
    upload.write_text("".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items), encoding="utf-8")
    page.goto(job_service + "/")
    page.get_by_label("Berkas arsip", exact=False).set_input_files(str(upload))
    page.get_by_role("button", name="Kirim arsip").click()
    status = page.locator("#job-status")
    sync_api.expect(status).to_contain_text("11 / 11 diproses (1 gagal) · selesai", timeout=120_000)
    assert page.locator("#job-progress").evaluate("bar => [bar.value, bar.max]") == [11, 11]
    assert page.get_by_role("button", name="Batalkan").is_hidden()  # nothing left to cancel
    page.get_by_role("button", name="English").click()
    sync_api.expect(status).to_contain_text("11 / 11 processed (1 failed) · done")
    _shot(page, "archive.png")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download results (NDJSON)").click()
    lines = [json.loads(line) for line in Path(download.value.path()).read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == [item["id"] for item in items]
    assert [line["status"] for line in lines] == ["done"] * 10 + ["failed"]
    assert all(line["result"]["translation"]["lang"] == "eng_Latn" for line in lines[:10])  # the page's choice
    # A CSV without a text column: the service's reason in the editor's language, and the finished
    # job's progress bar gone from under it.
    page.get_by_role("button", name="Bahasa Indonesia").click()
    bad = tmp_path / "salah.csv"
    bad.write_text("judul,isi\nBanjir,Air naik di Jakarta.\n", encoding="utf-8")
    page.get_by_label("Berkas arsip", exact=False).set_input_files(str(bad))
    sync_api.expect(page.locator("#archive-name")).to_have_text("salah.csv")
    page.get_by_role("button", name="Kirim arsip").click()
    error = page.locator("#archive-error")
    sync_api.expect(error).to_contain_text(
        "Baris judul CSV harus memuat kolom text atau html (kolom yang ada: judul, isi)."
    )
    assert "tidak dapat dibaca" not in error.inner_text() and page.locator("#job").is_hidden()
    _shot(page, "archive-bad-csv.png")


def test_archive_panel_is_off_with_its_reason_before_any_upload_without_redis(page, open_service):
    """/v1/models says jobs are off: the panel is disabled at once, in the editor's words, with the
    operator's setting behind "Detail teknis" (not after an upload that cannot work)."""
    page.goto(open_service + "/")
    alert = page.locator("#archive-off")
    sync_api.expect(alert).to_contain_text("Arsip belum diaktifkan di layanan ini")
    assert page.get_by_role("button", name="Kirim arsip").is_disabled()
    assert page.get_by_label("Berkas arsip", exact=False).is_disabled()
    assert "RINGKAS_REDIS_URL" not in alert.inner_text()  # the setting is for the operator, folded away
    alert.get_by_text("Detail teknis").click()
    sync_api.expect(alert).to_contain_text("RINGKAS_REDIS_URL")
    page.get_by_role("button", name="English").click()
    sync_api.expect(alert).to_contain_text("Archives are not switched on for this service")
    assert page.locator("#job").is_hidden()
    _shot(page, "archive-off.png")


# What an Indonesian page must never show: English words, API member and setting names, rule slugs,
# and the leftovers of a missing string.
ENGLISH_OR_API = re.compile(
    r"\b(the|and|not|is|English|Indonesian|Boilerplate|send|force|long_input|cache|read-also|related-list|"
    r"null|undefined|true|false)\b|RINGKAS_|`"
)


def _visible_text(page) -> str:
    """What the editor reads, without the article they typed and the model's own output."""
    return page.evaluate(
        """() => {
          const clone = document.body.cloneNode(true);
          // The language switch names the other language in itself ("English"), as it should.
          for (const id of ["summary", "translation", "article", "ui-lang"]) clone.querySelector("#" + id)?.remove();
          clone.querySelectorAll("details:not([open]) > :not(summary), [hidden], footer").forEach((n) => n.remove());
          return clone.innerText;
        }"""
    )


def test_the_indonesian_page_shows_indonesian_only_in_every_state(page, open_service, seed_texts):
    page.goto(open_service + "/")
    seen = [_visible_text(page)]
    page.get_by_role("button", name="Ringkas", exact=True).click()  # empty: the page's own error
    sync_api.expect(page.get_by_role("alert")).to_contain_text("Artikel masih kosong")
    seen.append(_visible_text(page))
    page.get_by_label("Artikel", exact=True).fill(  # not Indonesian: the service's refusal
        "The city council approved the new budget on Monday after a long debate about schools and roads, "
        "and the mayor said construction would start next spring across the northern districts."
    )
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.get_by_role("alert")).to_contain_text("berbahasa Inggris, bukan bahasa Indonesia")
    seen.append(_visible_text(page))
    page.get_by_role("button", name="Ringkas saja").click()  # forced: warnings and facts
    sync_api.expect(page.locator("#summary")).not_to_be_empty(timeout=60_000)
    seen.append(_visible_text(page))
    # A real page's boilerplate, flattened onto one line: rule kinds and the flat-text advice.
    lines = [line for line in seed_texts[0].splitlines() if line.strip()]
    flat = " ".join([*lines, "Baca juga: Harga cabai naik lagi", "Editor: Rina", *lines])
    page.get_by_label("Artikel", exact=True).fill(flat)
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.locator("#warnings")).to_contain_text("tidak memiliki jeda baris", timeout=60_000)
    facts = page.locator("#facts").inner_text()
    assert "Bahasa terdeteksi" in facts and "Indonesia" in facts and "ind_Latn" not in facts
    seen.append(_visible_text(page))
    _shot(page, "editor-indonesian-only.png")
    # Switching the interface language and back leaves no empty notice bar (it once showed "null").
    page.get_by_role("button", name="English").click()
    page.get_by_role("button", name="Bahasa Indonesia").click()
    assert page.locator("#notice").is_hidden()
    seen.append(_visible_text(page))
    leaks = {match.group(0) for text in seen for match in ENGLISH_OR_API.finditer(text)}
    assert leaks == set(), [text for text in seen if ENGLISH_OR_API.search(text)]


def test_every_page_string_exists_in_both_languages_and_every_rule_has_a_kind(page, open_service):
    import yaml

    page.goto(open_service + "/")
    # The page's modules keep no globals: the test imports them as the page does.
    missing = page.evaluate(
        """async () => {
          const { TEXT } = await import("./static/strings.js");
          const keys = (o, p = "") =>
            Object.entries(o).flatMap(([k, v]) => (typeof v === "object" ? keys(v, p + k + ".") : [p + k]));
          const id = keys(TEXT.id), en = keys(TEXT.en);
          return [id.filter((k) => !en.includes(k)), en.filter((k) => !id.includes(k))];
        }"""
    )
    assert missing == [[], []]
    rules = yaml.safe_load((DEFAULT_PROMPTS / "boilerplate.yaml").read_text(encoding="utf-8"))
    sections = [section for key, section in rules.items() if isinstance(section, dict) and key != "headline_runs"]
    names = [name for section in sections for name in section] + ["duplicate", rules["headline_runs"]["name"]]
    kinds = page.evaluate(
        "async (names) => { const { family } = await import('./static/editor/result.js'); return names.map(family); }",
        names,
    )
    assert [name for name, kind in zip(names, kinds, strict=True) if kind == "other"] == []


@pytest.mark.parametrize(
    ("device", "expected"),
    [("linux", "Ctrl+Enter untuk meringkas."), ("mac", "\u2318+Enter untuk meringkas."), ("phone", None)],
)
def test_the_keyboard_hint_matches_the_device(browser, open_service, device, expected):
    phone = {"viewport": {"width": 390, "height": 800}, "is_mobile": True, "has_touch": True}
    options = phone if device == "phone" else {}
    context = browser.new_context(locale="id-ID", **options)
    if device == "mac":
        context.add_init_script(
            "Object.defineProperty(Navigator.prototype, 'userAgentData', {get: () => ({platform: 'macOS'})});"
            "Object.defineProperty(Navigator.prototype, 'platform', {get: () => 'MacIntel'});"
        )
    page = context.new_page()
    page.goto(open_service + "/")
    hint = page.locator("#article-hint").inner_text()
    assert hint.startswith("Tempel teks artikel")
    if expected:
        assert hint.endswith(expected)
    else:
        assert "Enter" not in hint
        _shot(page, "editor-phone-390.png")
    context.close()


def test_the_page_reads_the_facts_right_and_speaks_indonesian_on_the_file_chooser(page, open_service, seed_texts):
    """Issue 37, item 11: token counts, what a figure caption and a share bar are called, the cut-off
    advice, the archive's file chooser, and a cached answer's timings."""
    paragraphs = "".join(f"<p>{line}</p>" for line in seed_texts[0].splitlines() if line.strip()) * 2
    markup = (
        f"<article>{paragraphs}<figure><img src='x.jpg'><figcaption>Warga di lokasi banjir.</figcaption></figure>"
        "<div class='share-buttons'>Bagikan: Facebook Twitter WhatsApp</div></article>"
    )
    page.goto(open_service + "/")
    assert page.locator("#archive-name").inner_text() == "Belum ada berkas dipilih"
    assert page.locator("label.file-button").all_inner_texts() == ["Pilih berkas", "Pilih berkas"]  # digest, archive
    page.get_by_label("Artikel", exact=True).fill(markup)
    page.get_by_role("button", name="Ringkas", exact=True).click()
    sync_api.expect(page.locator("#summary")).not_to_be_empty(timeout=60_000)
    facts = page.locator("#facts").inner_text()
    assert "Token artikel / jendela model" in facts and "Token dibaca" not in facts
    assert "foto, keterangan foto" in facts and "tombol dan ajakan berbagi" in facts
    assert "sematan media sosial" not in facts
    advice = page.locator("#warnings").inner_text()
    assert re.search(r"Model hanya membaca \d+ token pertama dari \d+ token artikel ini", advice), advice
    assert re.search(r"Waktu \(milidetik\)\s*ringkas \d+ · terjemah \d+ · total \d+", facts), facts
    _shot(page, "editor-facts.png")
    page.get_by_role("button", name="Ringkas", exact=True).click()  # the same request: from the cache
    sync_api.expect(page.locator("#facts")).to_contain_text(re.compile(r"Dari tembolok\s*ya"))
    cached = page.locator("#facts").inner_text()
    assert re.search(r"Waktu \(milidetik\)\s*total \d+\s*$", cached), cached
    assert "ringkas 0" not in cached and "terjemah 0" not in cached


@pytest.fixture(scope="module")
def docs_site(tmp_path_factory):
    """The documentation site, built as `ringkas docs` builds it, served from a folder on loopback."""
    import functools
    import subprocess
    import sys
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    pytest.importorskip("material", reason="the docs extra: pip install -e '.[docs]'")
    site = tmp_path_factory.mktemp("docs-site")
    from tests.helpers import REPO_ROOT

    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=REPO_ROOT, check=True, capture_output=True, timeout=300, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )  # fmt: skip
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_the_docs_site_keeps_names_whole_and_commands_inside_their_box(page, docs_site):
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(docs_site + "/reference/settings.html")
    broken = page.evaluate(
        """() => [...document.querySelectorAll("table td:first-child code")]
             .filter((code) => code.getClientRects().length > 1 || code.getBoundingClientRect().height > 30)
             .map((code) => code.textContent)"""
    )
    assert broken == []  # every RINGKAS_ name on one line
    wide = page.evaluate(
        """() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
             .filter((w) => w.scrollWidth > w.clientWidth + 1)
             .map((w) => w.querySelector('td code')?.textContent)"""
    )
    assert wide == []  # every group's table in view, named by its first variable
    _shot(page, "docs-settings.png")
    page.goto(docs_site + "/getting-started.html")
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll("pre > code")]
             .filter((code) => code.scrollWidth > code.clientWidth + 1).map((code) => code.textContent.slice(0, 60))"""
    )
    assert overflowing == []
    _shot(page, "docs-getting-started.png")
    assert [url for url in requests if not url.startswith(docs_site)] == []  # no font or script from outside


def test_digest_mode_shows_the_digest_beside_its_sources(page, open_service, seed_texts, tmp_path):
    page.goto(open_service + "/")
    box = page.get_by_label("Artikel-artikel (pisahkan dengan ---)")
    box.fill(seed_texts[0])
    page.get_by_role("button", name="Buat gabungan").click()  # one article: the page's own words
    sync_api.expect(page.locator("#digest-error")).to_contain_text(
        "memerlukan 2 sampai 20 artikel; yang ada sekarang 1"
    )
    box.fill("\n---\n".join(seed_texts[:3]))
    upload = tmp_path / "tempo.txt"
    upload.write_text(seed_texts[3], encoding="utf-8")
    page.locator("#digest-files").set_input_files(str(upload))
    sync_api.expect(page.locator("#digest-names")).to_have_text("tempo.txt")
    page.get_by_role("button", name="Buat gabungan").click()
    sync_api.expect(page.locator("#digest-summary")).not_to_be_empty(timeout=90_000)
    assert page.locator("#digest-error").is_hidden()
    sources = page.locator("#digest-sources > li")
    sync_api.expect(sources).to_have_count(4)
    assert "Artikel 4 (tempo.txt)" in sources.nth(3).inner_text()
    texts = [sources.nth(i).inner_text() for i in range(4)]
    assert all("kalimat dipakai" in text and "dibaca" in text for text in texts)
    assert any("(sama dengan 1)" in text for text in texts[1:])  # the seeds repeat each other's quotes
    # Every sentence the model read is marked with its article, and the marks add up to the sources'.
    marks = page.locator("#digest-composed .source-mark").all_inner_texts()
    used = [int(re.search(r"(\d+) kalimat dipakai", text).group(1)) for text in texts]
    assert [marks.count(str(n + 1)) for n in range(4)] == used and sum(used) > 0
    # The sources stand beside the digest on a wide screen.
    summary, panel = page.locator("#digest-summary").bounding_box(), page.locator("#digest-sources").bounding_box()
    assert panel["x"] > summary["x"] + summary["width"] - 1
    said = page.locator("#digest-sources").inner_text() + page.locator("#digest-totals").inner_text()
    assert not ENGLISH_OR_API.search(said + page.locator("#digest-warnings").inner_text()), said
    page.locator("#digest").scroll_into_view_if_needed()
    _shot(page, "editor-digest.png")
    page.get_by_role("button", name="English").click()  # the sources follow the interface language
    assert "sentences used" in page.locator("#digest-sources").inner_text()
    _shot(page, "editor-digest-en.png")
