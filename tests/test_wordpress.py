"""The WordPress plugin against a real WordPress: Debian's wordpress package (6.1), MariaDB and PHP
started here, the plugin activated, a live Ringkas demo server (with API keys, Redis and a worker)
beside it, and Chromium driving the block editor as an editor would. Screenshots of the panel in
Indonesian and English go to artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from tests.helpers import REPO_ROOT, free_port, live_server

pytestmark = pytest.mark.system

INTEGRATION = REPO_ROOT / "integrations" / "wordpress"
PLUGIN = INTEGRATION / "ringkas"
KEY = "wp-right-key-7f3a"
# The block editor, driven through its data stores (the same calls its buttons make).
EDITOR = "wp.data.select('core/editor')"
SAVED = f"!{EDITOR}.isSavingPost() && !{EDITOR}.isEditedPostDirty()"
PUBLISH = "wp.data.dispatch('core/editor').editPost({status: 'publish'}); wp.data.dispatch('core/editor').savePost()"
PUBLISHED = f"{EDITOR}.getCurrentPostAttribute('status') === 'publish'"
CLOSE_GUIDE = (
    "const ui = wp.data.select('core/edit-post');"
    "if (ui.isFeatureActive('welcomeGuide')) wp.data.dispatch('core/edit-post').toggleFeature('welcomeGuide');"
)
SHOW_POST_SIDEBAR = "wp.data.dispatch('core/edit-post').openGeneralSidebar('edit-post/document')"
DELETE_ALL = "foreach (get_posts(['numberposts' => -1, 'post_status' => 'any']) as $p) wp_delete_post($p->ID, true);"


def _require(reason: str | None) -> None:
    if reason is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run installs it", pytrace=False)
    pytest.skip(reason)


# --- the plugin's own checks: PHP lint, PHPUnit, translations ------------------------------------
@pytest.mark.unit
def test_every_php_file_lints():
    _require(None if shutil.which("php") else "php is missing (apt-get install php-cli)")
    files = sorted(INTEGRATION.rglob("*.php"))
    assert len(files) >= 12
    for path in files:
        done = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.unit
def test_phpunit_passes():
    _require(None if shutil.which("phpunit") else "phpunit is missing (apt-get install phpunit)")
    done = subprocess.run(
        ["phpunit", "--do-not-cache-result", "-c", str(INTEGRATION / "phpunit.xml.dist")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "OK (" in done.stdout, done.stdout[-3000:]


@pytest.mark.unit
def test_every_string_is_translated_and_the_mo_matches_the_po():
    done = subprocess.run(
        [sys.executable, str(INTEGRATION / "tools" / "i18n.py"), "--check"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr


# --- a real WordPress ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def stack(tiny_dir, tmp_path_factory):
    """WordPress, and a Ringkas demo service with keys and archive jobs (Redis and one worker)."""
    from tests.jobs_cluster import start_cluster
    from tests.wordpress_site import Site, missing

    _require(missing())
    cluster = start_cluster(tiny_dir, tmp_path_factory.mktemp("wp-jobs"))
    site = Site(tmp_path_factory.mktemp("wordpress"))
    try:
        cluster.start_worker(api_keys=KEY)
        with live_server(tiny_dir, api_keys=KEY, redis_url=cluster.url) as (port, _):
            site.start()
            site.php("update_user_meta(get_user_by('login', 'editor')->ID, 'locale', 'id_ID');")
            site.service = f"http://127.0.0.1:{port}"
            site.cluster = cluster
            defaults = {
                "url": site.service, "api_key": KEY, "length": "short", "translate": True, "on_publish": False,
                "post_types": ["post"], "show_above": False,
            }  # fmt: skip
            site.configure = lambda **values: site.settings(**{**defaults, **values})
            site.configure()
            yield site
    finally:
        site.stop()
        cluster.stop()


ARTICLE = (
    "Pemerintah Kabupaten Bantul menyalurkan bantuan bibit padi kepada 1.200 petani yang sawahnya rusak "
    "diterjang banjir bulan lalu. Kepala Dinas Pertanian mengatakan bibit yang dibagikan adalah varietas tahan "
    "genangan, sehingga petani bisa menanam kembali begitu air surut."
)


def _new_post(
    site, author: str = "editor", status: str = "draft", content: str = ARTICLE, post_type: str = "post",
    title: str = "Bantuan bibit padi",
) -> int:  # fmt: skip
    code = (
        f"echo wp_insert_post(['post_title' => {json.dumps(title)}, 'post_status' => '{status}',"
        f" 'post_type' => '{post_type}',"
        f" 'post_author' => get_user_by('login', '{author}')->ID,"
        f" 'post_content' => {json.dumps('<!-- wp:paragraph --><p>' + content + '</p><!-- /wp:paragraph -->')}]);"
    )
    return int(site.php(code))


@pytest.fixture(scope="module")
def browser():
    from tests.test_browser import CHROMIUM, sync_api

    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu", "--no-first-run"]
        )
        yield chromium
        chromium.close()


def _login(browser, site, user: str, locale: str = "id-ID"):
    from tests.test_browser import sync_api
    from tests.wordpress_site import PASSWORD

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    page = context.new_page()
    page.goto(site.url + "/wp-login.php")
    # wp-login.php focuses and selects the name field 200 ms after its script runs, usually while
    # a test is already typing: when it fell inside the password's fill, the password went into the
    # name field and WordPress answered "The password field is empty" (a CI failure). Wait for it.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'user_login'")
    page.fill("#user_login", user)
    page.fill("#user_pass", PASSWORD)
    page.click("#wp-submit")
    try:
        page.wait_for_url(re.compile(r"/wp-admin/"))
    except sync_api.TimeoutError as error:
        said = page.locator("#login_error").all_inner_texts()
        log = (site.root / "php.log").read_text(errors="replace").splitlines()[-15:]
        raise AssertionError(f"{user} was not let in: at {page.url}, {said}; the server's last lines:\n"
                             + "\n".join(log)) from error  # fmt: skip
    return page


def _open_panel(page, site, post_id: int):
    page.goto(f"{site.url}/wp-admin/post.php?post={post_id}&action=edit")
    page.wait_for_function("window.wp && wp.data && wp.data.select('core/editor').getCurrentPostId()")
    # A fresh user's first visit opens the welcome guide over the editor: close it.
    page.evaluate(CLOSE_GUIDE)
    page.evaluate(SHOW_POST_SIDEBAR)
    panel = page.locator(".ringkas-panel")
    panel.wait_for(timeout=15_000)
    _expand(panel)
    return panel


def _expand(panel) -> None:
    toggle = panel.locator(".components-panel__body-toggle")
    if toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def _shot(page, name: str) -> None:
    from tests.test_browser import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=False)


def test_an_editor_makes_a_summary_uses_it_as_the_excerpt_and_publishes(stack, browser):
    from tests.test_browser import sync_api

    post_id = _new_post(stack)
    page = _login(browser, stack, "editor")
    panel = _open_panel(page, stack, post_id)
    panel.get_by_role("button", name="Buat ringkasan").click()
    summary = panel.locator(".ringkas-summary")
    sync_api.expect(summary).not_to_be_empty(timeout=60_000)
    sync_api.expect(panel.locator(".ringkas-translation")).not_to_be_empty()
    assert panel.get_by_text("Ringkasan", exact=True).count() == 1  # the panel speaks Indonesian
    assert panel.locator(".components-notice.is-warning").count() == 0  # not stale: made from this content
    _shot(page, "wordpress-panel-id.png")
    panel.get_by_role("button", name="Jadikan kutipan").click()
    sync_api.expect(page.locator(".components-snackbar", has_text="kutipan")).to_be_visible()  # the editor's own
    page.evaluate("wp.data.dispatch('core/editor').savePost()")
    page.wait_for_function(SAVED)
    page.evaluate(PUBLISH)
    page.wait_for_function(PUBLISHED, timeout=30_000)
    # Through WordPress's REST API, as a headless front end reads it.
    rest = page.evaluate(f"wp.apiFetch({{path: '/wp/v2/posts/{post_id}?context=edit'}})")
    meta = rest["meta"]
    assert rest["status"] == "publish" and rest["excerpt"]["raw"] == meta["ringkas_summary"] == summary.text_content()
    assert meta["ringkas_translation"] and meta["ringkas_made_at"].endswith("Z") and meta["ringkas_model"]
    # Editing the content marks the summary stale.
    page.evaluate(  # the editor writes one more paragraph
        "wp.data.dispatch('core/block-editor').insertBlocks("
        "wp.blocks.createBlock('core/paragraph', {content: 'Paragraf tambahan dari editor.'}))"
    )
    page.evaluate(SHOW_POST_SIDEBAR)  # a new block selected shows the block's sidebar instead
    _expand(panel)  # publishing re-mounts the sidebar, its panels closed
    sync_api.expect(panel.locator(".components-notice.is-warning")).to_contain_text("sudah berubah")
    page.context.close()


def test_the_panel_in_english_for_an_english_user(stack, browser):
    from tests.test_browser import sync_api

    post_id = _new_post(stack, author="admin")
    page = _login(browser, stack, "admin", locale="en-US")
    panel = _open_panel(page, stack, post_id)
    panel.get_by_role("button", name="Make a summary").click()
    sync_api.expect(panel.locator(".ringkas-summary")).not_to_be_empty(timeout=60_000)
    assert panel.get_by_role("button", name="Use as the excerpt").is_visible()
    _shot(page, "wordpress-panel-en.png")
    page.context.close()


def test_a_stopped_service_or_a_wrong_key_leaves_the_post_alone_and_publishing_works(stack, browser):
    from tests.test_browser import sync_api

    post_id = _new_post(stack)
    page = _login(browser, stack, "editor")
    try:
        stack.configure(url=f"http://127.0.0.1:{free_port()}")  # nothing listens there
        panel = _open_panel(page, stack, post_id)
        panel.get_by_role("button", name="Buat ringkasan").click()
        notice = panel.locator(".components-notice.is-error")
        sync_api.expect(notice).to_contain_text("tidak dapat dihubungi", timeout=60_000)
        sync_api.expect(notice).to_contain_text("tidak berubah")
        _shot(page, "wordpress-panel-down.png")
        stack.configure(api_key="wrong-key")
        panel.get_by_role("button", name="Buat ringkasan").click()
        sync_api.expect(notice).to_contain_text("Kunci API ditolak", timeout=60_000)
        before = stack.post(post_id)
        assert before["excerpt"] == "" and "ringkas_summary" not in before["meta"] and ARTICLE in before["content"]
        page.evaluate(PUBLISH)
        page.wait_for_function(PUBLISHED, timeout=30_000)
        assert stack.post(post_id)["status"] == "publish"
    finally:
        stack.configure()
        page.context.close()


def _rest_as(browser, site, user: str | None, post_id: int, nonce: bool = True) -> int:
    """The plugin's route called as ``user`` (None: logged out), with or without the REST nonce."""
    if user is None:
        context = browser.new_context()
        request = context.request
    else:
        page = _login(browser, site, user)
        context, request = page.context, page.context.request
    headers = {}
    if nonce and user is not None:
        headers["X-WP-Nonce"] = request.get(site.url + "/wp-admin/admin-ajax.php?action=rest-nonce").text()
    answer = request.post(
        site.url + "/wp-json/ringkas/v1/summarize", data=json.dumps({"post_id": post_id, "content": ARTICLE}),
        headers={"Content-Type": "application/json", **headers},
    )  # fmt: skip
    status = answer.status
    context.close()
    return status


def test_only_someone_who_may_edit_that_post_may_call_the_route(stack, browser):
    editors_post = _new_post(stack, author="editor")
    assert _rest_as(browser, stack, "subscriber", editors_post) == 403
    assert _rest_as(browser, stack, "author", editors_post) == 403  # an author may edit only their own
    assert _rest_as(browser, stack, "editor", editors_post, nonce=False) == 403
    assert _rest_as(browser, stack, None, editors_post) == 403
    assert _rest_as(browser, stack, "author", _new_post(stack, author="author")) == 200
    assert _rest_as(browser, stack, "editor", editors_post) == 200


def test_the_key_reaches_no_page_and_a_summary_is_shown_as_text(stack, browser):
    from tests.test_browser import sync_api

    post_id = _new_post(stack)
    stack.php(
        f"update_post_meta({post_id}, 'ringkas_summary', '<script>window.ringkasPwned = 1</script><b>tebal</b>');"
    )
    page = _login(browser, stack, "admin", locale="en-US")
    bodies: list[str] = []
    page.on(
        "response", lambda r: bodies.append(r.text()) if r.request.resource_type in ("document", "script") else None
    )
    panel = _open_panel(page, stack, post_id)
    hostile = "<script>window.ringkasPwned = 1</script><b>tebal</b>"
    sync_api.expect(panel.locator(".ringkas-summary")).to_have_text(hostile)
    assert page.evaluate("window.ringkasPwned === undefined") and panel.locator(".ringkas-summary b").count() == 0
    page.goto(stack.url + "/wp-admin/options-general.php?page=ringkas")
    page.get_by_role("button", name="Test connection").click()
    sync_api.expect(page.locator("#ringkas-test-result")).to_contain_text("summarizer", timeout=30_000)
    sync_api.expect(page.locator("#ringkas-test-result")).to_contain_text("Demo models")
    bodies.append(page.content())
    assert len(bodies) > 10 and not [body for body in bodies if KEY in body]
    page.context.close()


def test_a_post_is_summarized_in_the_background_when_published(stack):
    stack.configure(on_publish=True)
    try:
        post_id = _new_post(stack, status="publish")
        assert stack.post(post_id)["meta"].get("ringkas_summary") is None  # publishing did not wait
        assert stack.run_cron() >= 1
        meta = stack.post(post_id)["meta"]
        assert meta["ringkas_summary"] and meta["ringkas_source_hash"]
        # A failure is retried later, a bounded number of times, then shown to the editor.
        stack.configure(on_publish=True, url=f"http://127.0.0.1:{free_port()}")
        failing = _new_post(stack, status="publish")
        stack.run_cron()
        assert stack.php(f"echo wp_next_scheduled('ringkas_summarize_post', [{failing}, 2]) ? 'yes' : 'no';") == "yes"
        stack.php(f"do_action('ringkas_summarize_post', {failing}, 3);")
        stored = json.loads(stack.post(failing)["meta"]["ringkas_error"])  # a code and facts, worded when shown
        assert stored["code"] == "unreachable" and "cannot be reached" not in json.dumps(stored)
    finally:
        stack.configure()


def test_the_archive_backfill_summarizes_every_post_once_and_can_run_twice(stack):
    stack.php(DELETE_ALL)
    posts = [_new_post(stack, status="publish", content=f"{ARTICLE} Laporan ke-{n} dari desa {n}.") for n in range(8)]
    assert stack.php("echo Ringkas_Backfill::begin();") == "started"
    assert stack.php("echo Ringkas_Backfill::begin();") == "running"  # a second start follows the first
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        stack.php("Ringkas_Backfill::tick();")
        state = json.loads(stack.php("echo wp_json_encode(Ringkas_Backfill::state());"))
        if state["status"] == "finished":
            break
        time.sleep(1)
    assert state["status"] == "finished" and state["written"] == 8 and state["failed"] == 0
    assert all(stack.post(post_id)["meta"].get("ringkas_summary") for post_id in posts)
    assert stack.php("echo Ringkas_Backfill::begin();") == "nothing"  # run again: nothing left to send
    twice = stack.sql(
        "SELECT post_id FROM wp.wp_postmeta WHERE meta_key = 'ringkas_summary' GROUP BY post_id HAVING COUNT(*) > 1;"
    )
    assert twice.strip() == ""


# --- issue 34: only the plugin writes its meta; readers get it escaped ----------------------------
HOSTILE = '<img src=x onerror="window.ringkasPwned=1">'
ENGLISH = (
    "The Russian president met the American envoy in the Kremlin for five hours on Tuesday night. "
    "The meeting did not produce a peace agreement for Ukraine, a Kremlin aide told reporters. "
    "Both sides agreed to keep talking next week in Geneva."
)


def _user_locale(site, user: str, locale: str) -> None:
    site.php(f"update_user_meta(get_user_by('login', '{user}')->ID, 'locale', '{locale}');")


def _rest_write(page, site, post_id: int, body: dict, post_type: str = "posts"):
    request = page.context.request
    nonce = request.get(site.url + "/wp-admin/admin-ajax.php?action=rest-nonce").text()
    return request.post(
        f"{site.url}/wp-json/wp/v2/{post_type}/{post_id}", data=json.dumps(body),
        headers={"Content-Type": "application/json", "X-WP-Nonce": nonce},
    )  # fmt: skip


def _store(site, post_id: int, summary: str, translation: str = "") -> None:
    """A service answer stored by the plugin's own code path."""
    answer = {"summary": {"text": summary}, "translation": {"text": translation}, "models": {}}
    site.php(
        f"$p = get_post({post_id}); "
        f"Ringkas_Summaries::store($p->ID, json_decode({json.dumps(json.dumps(answer))}, true), $p->post_content);"
    )


def test_a_contributor_cannot_write_the_plugins_meta_and_readers_get_it_escaped(stack, browser):
    from tests.test_browser import sync_api

    draft = _new_post(stack, author="contributor")
    page = _login(browser, stack, "contributor")
    for key in ("ringkas_summary", "ringkas_model", "ringkas_translation", "ringkas_made_at"):  # shown in REST
        answer = _rest_write(page, stack, draft, {"meta": {key: HOSTILE}})
        assert answer.status == 403 and answer.json()["code"] == "rest_cannot_update", (key, answer.text())
    assert _rest_write(page, stack, draft, {"meta": {"ringkas_summary": None}}).status == 403  # nor deleted
    for key in ("ringkas_source_hash", "ringkas_error", "ringkas_refused"):  # not in REST at all: ignored
        _rest_write(page, stack, draft, {"meta": {key: "deadbeef"}})
    assert _rest_write(page, stack, draft, {"title": "Judul baru"}).status == 200  # saving a post still works
    assert stack.post(draft)["meta"] == {}
    page.context.close()
    page = _login(browser, stack, "admin", locale="en-US")  # not even an administrator, through REST
    assert _rest_write(page, stack, draft, {"meta": {"ringkas_summary": "x"}}).status == 403
    written = _rest_write(page, stack, draft, {"meta": {"ringkas_source_hash": "x"}})
    assert "ringkas_source_hash" not in written.json()["meta"]
    page.context.close()
    # protected meta: no Custom Fields box shows it
    assert stack.php("echo is_protected_meta('ringkas_summary', 'post') ? 'yes' : 'no';") == "yes"

    # A summary holding markup (as if the service wrote it) reaches readers as text only.
    stack.php(f"wp_update_post(['ID' => {draft}, 'post_status' => 'publish']);")
    _store(stack, draft, HOSTILE, HOSTILE)
    stack.configure(show_above=True)
    try:
        reader = browser.new_context(viewport={"width": 1200, "height": 900})
        public = reader.request.get(f"{stack.url}/wp-json/wp/v2/posts/{draft}").json()["meta"]
        assert public["ringkas_summary"] == HOSTILE  # JSON: a string, for a front end to show as text
        assert not {"ringkas_error", "ringkas_source_hash", "ringkas_refused"} & set(public)
        page = reader.new_page()
        for lang in ("en_US", "id_ID"):
            stack.php(f"update_option('WPLANG', '{lang}');")
            page.goto(f"{stack.url}/?p={draft}")
            box = page.locator(".ringkas-box")
            sync_api.expect(box.locator(".ringkas-box-summary")).to_have_text(HOSTILE)
            assert box.locator("img").count() == 0 and page.evaluate("window.ringkasPwned === undefined")
            assert "&lt;img src=x onerror" in page.content()
            title = "Summary" if lang == "en_US" else "Ringkasan"
            sync_api.expect(box.locator(".ringkas-box-title")).to_have_text(title)
            box.scroll_into_view_if_needed()
            _shot(page, f"wordpress-reader-{lang[:2]}.png")
        reader.close()
    finally:
        stack.php("update_option('WPLANG', '');")
        stack.configure()


# --- issue 36 -----------------------------------------------------------------------------------
def _editor_ready(page, site, post_id: int) -> None:
    page.goto(f"{site.url}/wp-admin/post.php?post={post_id}&action=edit")
    page.wait_for_function("window.wp && wp.data && wp.data.select('core/editor').getCurrentPostId()")
    page.evaluate(CLOSE_GUIDE)


def _list(page, site, post_type: str):
    page.goto(f"{site.url}/wp-admin/edit.php?post_type={post_type}")
    return page


def test_a_chosen_post_type_gets_panel_column_bulk_action_and_backfill_and_others_nothing(stack, browser):
    from tests.test_browser import sync_api

    berita = _new_post(stack, author="editor", post_type="berita", status="publish")
    page = _login(browser, stack, "editor")
    # Not chosen: nothing anywhere.
    _editor_ready(page, stack, berita)
    assert page.evaluate("wp.plugins.getPlugin('ringkas') === undefined")
    status = page.evaluate(
        f"wp.apiFetch({{path: '/ringkas/v1/summary/{berita}'}}).then(() => 200, (e) => e.data && e.data.status)"
    )
    assert status == 403
    _list(page, stack, "berita")
    assert page.locator("th#ringkas").count() == 0
    assert page.locator("#bulk-action-selector-top option[value=ringkas_summarize]").count() == 0
    assert page.locator("#bulk-action-selector-top option[value=ringkas_digest]").count() == 0
    assert stack.php("echo count(Ringkas_Backfill::pending_posts(100, 'berita'));") == "0"
    # Chosen in the settings: the panel, the column, the bulk action and the archive job.
    stack.configure(post_types=["post", "berita"])
    try:
        panel = _open_panel(page, stack, berita)
        sync_api.expect(panel.get_by_role("button", name="Buat ringkasan")).to_be_visible()
        _list(page, stack, "berita")
        sync_api.expect(page.locator("th#ringkas")).to_have_text("Ringkasan")
        assert page.locator("#bulk-action-selector-top option[value=ringkas_digest]").count() == 1
        row = page.locator(f"#post-{berita}")
        sync_api.expect(row.locator("td.column-ringkas")).to_have_text("Belum ada")
        row.locator("input[type=checkbox]").check()
        page.select_option("#bulk-action-selector-top", "ringkas_summarize")
        page.click("#doaction")
        sync_api.expect(page.locator(".notice-success")).to_contain_text("1 pos sedang diringkas")
        sync_api.expect(page.locator(f"#post-{berita} td.column-ringkas")).to_have_text("Sedang dibuat")
        assert stack.run_cron() >= 1
        page.reload()
        sync_api.expect(page.locator(f"#post-{berita} td.column-ringkas")).to_have_text("Mutakhir")
        _shot(page, "wordpress-list-berita-id.png")
        second = _new_post(stack, author="editor", post_type="berita", status="publish")
        pending = json.loads(
            stack.php("echo wp_json_encode(wp_list_pluck(Ringkas_Backfill::pending_posts(100, 'berita'), 'ID'));")
        )
        assert pending == [second]
        assert stack.php("echo Ringkas_Backfill::begin('berita');") == "started"
        state = _finish_archive(stack)
        assert state["total"] == 1 and state["written"] == 1
        english = _login(browser, stack, "admin", locale="en-US")
        _list(english, stack, "berita")
        sync_api.expect(english.locator("th#ringkas")).to_have_text("Summary")
        sync_api.expect(english.locator(f"#post-{second} td.column-ringkas")).to_have_text("Up to date")
        _shot(english, "wordpress-list-berita-en.png")
        english.context.close()
    finally:
        stack.configure()
        page.context.close()


def _finish_archive(stack, timeout_s: float = 240) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        stack.php("Ringkas_Backfill::tick();")
        state = json.loads(stack.php("echo wp_json_encode(Ringkas_Backfill::state());"))
        if state["status"] != "running":
            return state
        time.sleep(1)
    raise AssertionError(f"the archive job did not finish: {state}")


def test_failures_are_stored_as_codes_and_worded_for_each_reader_with_summarize_anyway(stack, browser):
    from tests.test_browser import sync_api

    stack.configure(on_publish=True)
    try:
        english = _new_post(stack, status="publish", content=ENGLISH)
        stack.run_cron()
        stored = json.loads(stack.post(english)["meta"]["ringkas_error"])
        assert stored["code"] == "not-indonesian" and stored["facts"]["language"] == "English"
        assert stack.post(english)["meta"]["ringkas_refused"]  # not resent as it is
        page = _login(browser, stack, "editor")
        panel = _open_panel(page, stack, english)
        notice = panel.locator(".components-notice.is-warning")
        sync_api.expect(notice).to_contain_text("tampak berbahasa Inggris, bukan Indonesia")  # named in Indonesian
        _shot(page, "wordpress-error-language-id.png")
        panel.get_by_role("button", name="Tetap ringkas").click()
        sync_api.expect(panel.locator(".ringkas-summary")).not_to_be_empty(timeout=60_000)
        meta = stack.post(english)["meta"]
        assert "ringkas_error" not in meta and "ringkas_refused" not in meta

        stack.configure(on_publish=True, api_key="wrong-key")
        refused = _new_post(stack, status="publish")
        stack.run_cron()  # a key problem is not retried: an administrator must fix it
        assert json.loads(stack.post(refused)["meta"]["ringkas_error"])["code"] == "key-refused"
        panel = _open_panel(page, stack, refused)
        sync_api.expect(panel.locator(".components-notice.is-warning")).to_contain_text("Minta administrator situs")
        assert panel.get_by_role("button", name="Tetap ringkas").count() == 0
        page.context.close()
        stack.php(f"delete_post_meta({refused}, '_edit_lock');")  # the editor has left: no "being edited" dialog
        admin = _login(browser, stack, "admin", locale="en-US")
        panel = _open_panel(admin, stack, refused)
        warning = panel.locator(".components-notice.is-warning")
        sync_api.expect(warning).to_contain_text("Check it in Settings → Ringkas")
        _shot(admin, "wordpress-error-key-en.png")
        admin.context.close()
    finally:
        stack.configure()


def test_the_archive_page_is_live_and_honest(stack, browser):
    from tests.test_browser import sync_api

    stack.php(DELETE_ALL)
    stack.php("delete_option('ringkas_backfill');")
    for worker in stack.cluster.live():  # no worker: the service queues and says so
        worker.terminate()
        worker.wait(60)
    posts = [_new_post(stack, status="publish", content=f"{ARTICLE} Laporan ke-{n}.") for n in range(2)]
    refused = _new_post(stack, status="publish", content=ENGLISH)
    page = _login(browser, stack, "admin", locale="en-US")
    try:
        page.goto(stack.url + "/wp-admin/tools.php?page=ringkas-backfill")
        sync_api.expect(page.locator("#ringkas-pending")).to_contain_text(": 3")
        page.click("#ringkas-start")
        notices = page.locator("#ringkas-notices")
        sync_api.expect(notices).to_contain_text("sent to Ringkas")
        sync_api.expect(notices).to_contain_text("no worker running", timeout=30_000)
        sync_api.expect(page.locator("#ringkas-progress")).to_contain_text("0 written, 0 failed, of 3 (running)")
        _shot(page, "wordpress-archive-no-worker-en.png")
        page.click("#ringkas-cancel")
        sync_api.expect(notices).to_contain_text("cancelled")
        sync_api.expect(page.locator("#ringkas-progress")).to_contain_text("(cancelled)")
        assert page.locator("#ringkas-cancel").is_hidden()

        stack.cluster.start_worker(api_keys=KEY)
        page.click("#ringkas-start")
        sync_api.expect(page.locator("#ringkas-progress")).to_contain_text(
            "2 written, 1 failed, of 3 (finished)", timeout=180_000
        )
        assert page.locator("#ringkas-notices .notice-warning").count() == 0  # the worker notice went with the fact
        failed = page.locator("#ringkas-failure-list li")
        sync_api.expect(failed).to_have_count(1)
        assert f"post={refused}" in failed.locator("a").get_attribute("href")
        sync_api.expect(failed).to_contain_text("looks like English")
        sync_api.expect(failed.locator(".ringkas-do-not-retry")).to_be_visible()
        assert page.locator("progress#ringkas-bar").evaluate("bar => bar.value === bar.max")
        _shot(page, "wordpress-archive-done-en.png")
        page.click("#ringkas-start")  # the refused post is not sent again
        sync_api.expect(notices).to_contain_text("Every published post already has a summary")

        stack.configure(url=f"http://127.0.0.1:{free_port()}")
        _new_post(stack, status="publish")
        page.click("#ringkas-start")
        sync_api.expect(notices).to_contain_text("The last start failed: The Ringkas service cannot be reached")
        sync_api.expect(page.locator("#ringkas-progress")).to_contain_text("2 written, 1 failed, of 3")  # kept
        stack.configure()
        _user_locale(stack, "admin", "id_ID")
        page.reload()
        sync_api.expect(page.locator("#ringkas-notices")).to_contain_text("Mulai terakhir gagal")
        page.click("#ringkas-start")
        sync_api.expect(page.locator("#ringkas-progress")).to_contain_text(
            "1 ditulis, 0 gagal, dari 1", timeout=180_000
        )
        sync_api.expect(notices).not_to_contain_text("gagal:")  # the stale failure is gone
        _shot(page, "wordpress-archive-done-id.png")
        assert all(stack.post(post_id)["meta"].get("ringkas_summary") for post_id in posts)
    finally:
        _user_locale(stack, "admin", "")
        stack.configure()
        if not stack.cluster.live():
            stack.cluster.start_worker(api_keys=KEY)
        page.context.close()


def test_settings_test_what_is_typed_check_a_new_key_and_let_it_be_removed(stack, browser):
    from tests.test_browser import sync_api

    page = _login(browser, stack, "admin", locale="en-US")
    try:
        page.goto(stack.url + "/wp-admin/plugins.php")
        settings_link = page.locator("tr[data-slug=ringkas] .row-actions a", has_text="Settings")
        assert settings_link.get_attribute("href").endswith("options-general.php?page=ringkas")
        settings_link.click()
        page.fill("#ringkas-key", "typed-wrong-key")
        page.get_by_role("button", name="Test connection").click()
        result = page.locator("#ringkas-test-result")
        sync_api.expect(result).to_contain_text("refused the API key", timeout=30_000)
        page.fill("#ringkas-key", KEY)
        page.get_by_role("button", name="Test connection").click()
        sync_api.expect(result).to_contain_text("summarizer", timeout=30_000)
        page.fill("#ringkas-url", f"http://127.0.0.1:{free_port()}")  # the typed address, not the saved one
        page.get_by_role("button", name="Test connection").click()
        sync_api.expect(result).to_contain_text("cannot be reached", timeout=30_000)
        _shot(page, "wordpress-settings-en.png")
        page.fill("#ringkas-url", stack.service)
        page.fill("#ringkas-key", "saved-wrong-key")
        page.click("#submit")
        sync_api.expect(page.locator("#setting-error-ringkas-key")).to_contain_text("previous key was kept")
        assert stack.php("echo Ringkas_Options::get()['api_key'];") == KEY
        page.check("#ringkas-remove-key")
        page.click("#submit")
        sync_api.expect(page.locator("#ringkas-key")).to_have_attribute("placeholder", "")
        assert stack.php("echo Ringkas_Options::get()['api_key'];") == ""
        # Hosts keep the secret in wp-config.php: the constants win over the option.
        fixed = stack.php(
            "define('RINGKAS_API_KEY', 'from-config'); define('RINGKAS_SERVICE_URL', 'http://ringkas.internal:8000');"
            "echo wp_json_encode(Ringkas_Options::get());"
        )
        assert json.loads(fixed)["api_key"] == "from-config" and json.loads(fixed)["url"] == "http://ringkas.internal:8000"
        stack.configure()
        _user_locale(stack, "admin", "id_ID")
        page.reload()
        sync_api.expect(page.locator("label:has(#ringkas-remove-key)")).to_contain_text("Hapus kunci")
        _shot(page, "wordpress-settings-id.png")
    finally:
        _user_locale(stack, "admin", "")
        stack.configure()
        page.context.close()


def test_deactivation_clears_cron_and_activation_says_where_to_start(stack, browser):
    from tests.test_browser import sync_api

    post_id = _new_post(stack, status="publish")
    stack.php(f"wp_schedule_single_event(time() + 600, 'ringkas_summarize_post', [{post_id}, 2]);"
              "wp_schedule_single_event(time() + 600, 'ringkas_backfill_tick');")  # fmt: skip
    stack.php("deactivate_plugins('ringkas/ringkas.php');")
    left = stack.php("echo (wp_next_scheduled('ringkas_backfill_tick') ? 1 : 0) + "
                     f"(wp_next_scheduled('ringkas_summarize_post', [{post_id}, 2]) ? 1 : 0);")  # fmt: skip
    assert left == "0"
    stack.php("activate_plugin('ringkas/ringkas.php');")
    for user, locale, words in (("admin", "en-US", "Ringkas is active"), ("admin", "id-ID", "Ringkas sudah aktif")):
        if locale == "id-ID":
            _user_locale(stack, "admin", "id_ID")
            stack.php("deactivate_plugins('ringkas/ringkas.php'); activate_plugin('ringkas/ringkas.php');")
        page = _login(browser, stack, user, locale=locale)  # lands on the dashboard
        notice = page.locator(".ringkas-activated")
        sync_api.expect(notice).to_contain_text(words)
        _shot(page, f"wordpress-activated-{locale[:2]}.png")
        notice.locator("a").click()
        page.wait_for_url(re.compile(r"options-general\.php\?page=ringkas"))
        page.goto(stack.url + "/wp-admin/index.php")
        assert page.locator(".ringkas-activated").count() == 0  # once
        page.context.close()
    _user_locale(stack, "admin", "")


@pytest.mark.unit
def test_no_phpunit_cache_is_committed_and_it_is_ignored():
    tracked = subprocess.run(
        ["git", "ls-files", str(INTEGRATION)], capture_output=True, text=True, cwd=REPO_ROOT, check=True
    ).stdout.split()
    assert tracked and not [path for path in tracked if path.endswith(".phpunit.result.cache")]
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(INTEGRATION / ".phpunit.result.cache")], cwd=REPO_ROOT
    )
    assert ignored.returncode == 0


def test_the_cli_commands_summarize_given_posts_and_report_status(stack):
    stack.php(DELETE_ALL)
    good = _new_post(stack, status="publish")
    english = _new_post(stack, status="publish", content=ENGLISH)
    done = json.loads(stack.php(f"echo wp_json_encode(Ringkas_CLI::summarize_posts([{good}, {english}, 999999]));"))
    assert done["failed"] == 2
    assert done["lines"][0] == f"{good}: summarized" and "looks like English" in done["lines"][1]
    again = json.loads(stack.php(f"echo wp_json_encode(Ringkas_CLI::summarize_posts([{good}, {english}]));"))
    assert again["lines"] == [
        f"{good}: up to date, kept",
        f"{english}: refused by the service as it is, not sent again (edit it first)",
    ]
    status = json.loads(stack.php("echo wp_json_encode(Ringkas_CLI::status_lines());"))
    assert status["counts"]["post"] == {"none": 0, "fresh": 1, "stale": 0, "failed": 1}


def test_the_panel_follows_a_summary_on_its_way_keeps_its_place_and_dates_in_the_sites_format(stack, browser):
    from tests.test_browser import sync_api

    stack.configure(on_publish=True)
    stack.php("update_option('timezone_string', 'Asia/Jakarta'); update_option('date_format', 'j F Y');"
              "update_option('time_format', 'H:i');")  # fmt: skip
    post_id = _new_post(stack)
    page = _login(browser, stack, "editor")
    try:
        panel = _open_panel(page, stack, post_id)
        page.evaluate(PUBLISH)
        page.wait_for_function(PUBLISHED, timeout=30_000)
        page.evaluate(SHOW_POST_SIDEBAR)
        _expand(panel)
        sync_api.expect(panel.locator(".ringkas-queued")).to_contain_text("sedang dibuat", timeout=15_000)
        _shot(page, "wordpress-panel-on-its-way-id.png")
        assert stack.run_cron() >= 1
        sync_api.expect(panel.locator(".ringkas-summary")).not_to_be_empty(timeout=20_000)  # by itself
        made_at = stack.post(post_id)["meta"]["ringkas_made_at"]
        expected = stack.php(f"echo wp_date('j F Y H:i', strtotime('{made_at}'));")  # Jakarta time, day first
        day, _, year, clock = expected.split(" ")
        # The site's format and timezone, the month named in the editor's language.
        sync_api.expect(panel.locator(".ringkas-made")).to_have_text(re.compile(rf"^Dibuat {day} \S+ {year} {clock}$"))
        panel.get_by_role("button", name="Sisipkan sebagai paragraf pertama").click()
        sync_api.expect(page.locator(".components-snackbar", has_text="paragraf pertama")).to_be_visible()
        sync_api.expect(panel.locator(".ringkas-summary")).to_be_visible()  # the sidebar stayed on the panel
        _shot(page, "wordpress-panel-inserted-id.png")
        page.context.close()
        admin = _login(browser, stack, "admin", locale="en-US")
        panel = _open_panel(admin, stack, post_id)
        sync_api.expect(panel.locator(".ringkas-made")).to_contain_text(expected)
        _shot(admin, "wordpress-panel-date-en.png")
        admin.context.close()
    finally:
        stack.php("update_option('timezone_string', ''); update_option('date_format', 'F j, Y');"
                  "update_option('time_format', 'g:i a');")  # fmt: skip
        stack.configure()


def test_the_classic_editor_shows_the_summary_and_says_what_it_needs(stack, browser):
    from tests.test_browser import sync_api

    post_id = _new_post(stack, status="publish")
    _store(stack, post_id, HOSTILE)
    stack.php("update_option('ringkas_test_classic', 1);")
    try:
        for user, locale, words in (
            ("editor", "id-ID", "memerlukan editor blok"),
            ("admin", "en-US", "needs the block editor"),
        ):
            page = _login(browser, stack, user, locale=locale)
            page.goto(f"{stack.url}/wp-admin/post.php?post={post_id}&action=edit")
            box = page.locator("#ringkas-classic")
            sync_api.expect(box).to_contain_text(words)
            sync_api.expect(box.locator(".ringkas-summary")).to_have_text(HOSTILE)
            assert box.locator("img").count() == 0 and page.evaluate("window.ringkasPwned === undefined")
            _shot(page, f"wordpress-classic-{locale[:2]}.png")
            page.context.close()
    finally:
        stack.php("delete_option('ringkas_test_classic');")


def test_the_ringkasan_block_shows_the_stored_summary_where_it_is_placed_as_text(stack, browser):
    from tests.test_browser import sync_api

    post_id = _new_post(stack)
    _store(stack, post_id, HOSTILE, "The English line.")
    page = _login(browser, stack, "editor")
    try:
        _editor_ready(page, stack, post_id)
        page.evaluate("wp.data.dispatch('core/block-editor').insertBlocks(wp.blocks.createBlock('ringkas/summary'), 1)")
        preview = page.locator(".wp-block-ringkas-summary .ringkas-box-summary")
        sync_api.expect(preview).to_have_text(HOSTILE, timeout=15_000)  # rendered by the plugin's PHP
        sync_api.expect(page.locator(".wp-block-ringkas-summary .ringkas-box-title")).to_have_text("Ringkasan")
        _shot(page, "wordpress-block-editor-id.png")
        page.evaluate(PUBLISH)
        page.wait_for_function(PUBLISHED, timeout=30_000)
        assert "<!-- wp:ringkas/summary /-->" in stack.post(post_id)["content"]  # dynamic: no stored markup
        reader = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
        reader.goto(f"{stack.url}/?p={post_id}")
        box = reader.locator(".ringkas-box")
        sync_api.expect(box.locator(".ringkas-box-summary")).to_have_text(HOSTILE)
        sync_api.expect(box.locator(".ringkas-box-translation")).to_have_text("The English line.")
        assert box.locator("img").count() == 0 and reader.evaluate("window.ringkasPwned === undefined")
        _shot(reader, "wordpress-block-reader-en.png")
        reader.context.close()
    finally:
        page.context.close()


def test_uninstall_removes_the_options_and_schedules_and_keeps_the_meta_unless_asked(stack):
    post_id = _new_post(stack, status="publish")
    _store(stack, post_id, "Ringkasan yang disimpan.")
    stack.php(f"wp_schedule_single_event(time() + 600, 'ringkas_summarize_post', [{post_id}, 2]);")
    try:
        left = stack.php(
            "define('WP_UNINSTALL_PLUGIN', 'ringkas/ringkas.php'); include WP_PLUGIN_DIR . '/ringkas/uninstall.php';"
            "echo wp_json_encode([get_option('ringkas_settings'), get_option('ringkas_backfill'),"
            f" wp_next_scheduled('ringkas_summarize_post', [{post_id}, 2])]);"
        )
        assert json.loads(left) == [False, False, False]
        assert stack.post(post_id)["meta"]["ringkas_summary"] == "Ringkasan yang disimpan."  # the site owner's choice
    finally:
        stack.configure()


# --- issue 40: a digest of selected posts ---------------------------------------------------------
SHARED = (
    "Pemerintah Kabupaten Bantul menyalurkan bantuan bibit padi kepada 1.200 petani yang sawahnya rusak "
    "diterjang banjir bulan lalu."
)
CLUSTER = {  # title -> content: three outlets' reports of one event, the first sentence in each
    "Bantul bagikan bibit padi": SHARED + " Kepala Dinas Pertanian mengatakan bibit yang dibagikan adalah"
    " varietas tahan genangan, sehingga petani bisa menanam kembali begitu air surut.",
    "Petani Imogiri terima bantuan": SHARED + " Bupati Bantul meninjau sawah di Imogiri pada Senin pagi bersama"
    " para penyuluh pertanian dari kecamatan.",
    "Bibit tahan genangan untuk petani": SHARED + " Penyaluran berikutnya direncanakan pada awal bulan depan"
    " untuk 800 petani di Kecamatan Pundong.",
}
ALL_BLOCKS = (
    "(() => { const all = (bs) => bs.flatMap((b) => [b, ...all(b.innerBlocks)]);"
    " const blocks = all(wp.data.select('core/block-editor').getBlocks());"
    " return {count: blocks.length, invalid: blocks.filter((b) => !b.isValid).map((b) => b.name)}; })()"
)


def _bulk(page, site, ids: list[int], action: str = "ringkas_digest") -> None:
    _list(page, site, "post")
    for post_id in ids:
        page.locator(f"#post-{post_id} input[type=checkbox]").check()
    page.select_option("#bulk-action-selector-top", action)
    page.click("#doaction")


def _digest_draft(page, site) -> int:
    """The draft the bulk action sent the editor to, once its editor is ready."""
    page.wait_for_url(re.compile(r"post\.php\?post=\d+&action=edit"), timeout=120_000)
    page.wait_for_function("window.wp && wp.data && wp.data.select('core/block-editor').getBlocks().length > 0")
    page.evaluate(CLOSE_GUIDE)
    return int(re.search(r"post=(\d+)", page.url).group(1))


def test_a_digest_of_selected_posts_becomes_a_draft_listing_its_sources(stack, browser):
    from tests.test_browser import sync_api

    stack.php(DELETE_ALL)
    sources = [_new_post(stack, status="publish", title=title, content=text) for title, text in CLUSTER.items()]
    english = _new_post(stack, status="publish", title="Kremlin talks", content=ENGLISH)
    stack.php("update_option('WPLANG', 'id_ID');")  # the draft is content: worded in the site's language
    page = _login(browser, stack, "editor")
    try:
        _bulk(page, stack, sources[:1])  # one post is not a cluster: said, and the service is not asked
        notice = page.locator(".ringkas-bulk-error")
        sync_api.expect(notice).to_contain_text("sedikitnya 2 pos tentang berita yang sama; baru 1 yang dipilih")
        _shot(page, "wordpress-digest-too-few-id.png")

        _bulk(page, stack, [sources[0], english])  # the service refuses one: which one, and why, in her words
        sync_api.expect(notice).to_contain_text("Ringkasan gabungan tidak dibuat", timeout=120_000)
        sync_api.expect(notice).to_contain_text("tampak berbahasa Inggris")
        assert f"post={english}" in notice.locator("a").get_attribute("href")
        sync_api.expect(notice.locator("a")).to_have_text("Kremlin talks")
        _shot(page, "wordpress-digest-refused-id.png")

        _bulk(page, stack, sources)
        draft = _digest_draft(page, stack)
        state = stack.post(draft)
        assert draft not in sources and state["status"] == "draft"
        assert sorted(json.loads(state["meta"]["ringkas_digest_sources"])) == sources
        blocks = page.evaluate(ALL_BLOCKS)
        assert blocks["invalid"] == [] and blocks["count"] >= 10  # the block editor reads every block as valid
        content = state["content"]
        assert "<h3>Terjemahan bahasa Inggris</h3>" in content and "<h3>Sumber</h3>" in content
        # The fact every outlet repeats was read once, from one source; each source is linked, and each
        # of the others' own sentences is listed under it.
        assert content.count("1.200 petani") == 1
        permalinks = json.loads(stack.php(f"echo wp_json_encode(array_map('get_permalink', {sources}));"))
        assert sorted(re.findall(r'<a href="([^"]+)">', content)) == sorted(permalinks)
        for own in ("Bupati Bantul meninjau sawah", "Penyaluran berikutnya direncanakan"):
            assert content.count(own) == 1
        assert "mengulang sumber lain: 1" in content
        title = stack.php(f"echo get_the_title({draft});")
        assert title.startswith("Ringkasan gabungan: ") and title.removeprefix("Ringkasan gabungan: ") in CLUSTER
        page.evaluate("wp.data.dispatch('core/edit-post').openGeneralSidebar('edit-post/document')")
        _shot(page, "wordpress-digest-draft-id.png")
        assert stack.post(sources[0])["status"] == "publish"  # the sources are left as they were
        stack.php(f"wp_delete_post({draft}, true);")
    finally:
        stack.php("update_option('WPLANG', '');")
        page.context.close()

    # An English administrator: more than 20 posts are refused before the service is asked; a digest
    # on an English site is worded in English.
    for n in range(17):  # with the four above, 21
        _new_post(stack, status="publish", content=f"{ARTICLE} Laporan ke-{n}.")
    admin = _login(browser, stack, "admin", locale="en-US")
    try:
        stack.php("update_user_meta(get_user_by('login', 'admin')->ID, 'edit_post_per_page', 50);")
        _list(admin, stack, "post")
        admin.check("#cb-select-all-1")
        assert admin.locator("tbody input[name='post[]']:checked").count() == 21
        admin.select_option("#bulk-action-selector-top", "ringkas_digest")
        admin.click("#doaction")
        sync_api.expect(admin.locator(".ringkas-bulk-error")).to_contain_text("at most 20 posts; 21 were chosen")
        sync_api.expect(admin.locator("#the-list tr")).to_have_count(21)  # the list back, whole, for the shot
        admin.wait_for_load_state("load")
        _shot(admin, "wordpress-digest-too-many-en.png")
        _bulk(admin, stack, sources[:2])
        draft = _digest_draft(admin, stack)
        content = stack.post(draft)["content"]
        assert "<h3>English translation</h3>" in content and "<h3>Sources</h3>" in content
        assert "repeated another source: 1" in content
        admin.evaluate("wp.data.dispatch('core/edit-post').openGeneralSidebar('edit-post/document')")
        _shot(admin, "wordpress-digest-draft-en.png")
    finally:
        admin.context.close()
        stack.php("delete_user_meta(get_user_by('login', 'admin')->ID, 'edit_post_per_page');")
        stack.php(DELETE_ALL)
