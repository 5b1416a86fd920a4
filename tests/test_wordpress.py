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
            defaults = {"url": site.service, "api_key": KEY, "length": "short", "translate": True, "on_publish": False}
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


def _new_post(site, author: str = "editor", status: str = "draft", content: str = ARTICLE) -> int:
    code = (
        f"echo wp_insert_post(['post_title' => 'Bantuan bibit padi', 'post_status' => '{status}',"
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
    from tests.wordpress_site import PASSWORD

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale=locale)
    page = context.new_page()
    page.goto(site.url + "/wp-login.php")
    page.fill("#user_login", user)
    page.fill("#user_pass", PASSWORD)
    page.click("#wp-submit")
    page.wait_for_url(re.compile(r"/wp-admin/"))
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
    sync_api.expect(panel.get_by_role("status")).to_contain_text("kutipan")
    page.evaluate("wp.data.dispatch('core/editor').savePost()")
    page.wait_for_function(SAVED)
    page.evaluate(PUBLISH)
    page.wait_for_function(PUBLISHED, timeout=30_000)
    # Through WordPress's REST API, as a headless front end reads it.
    rest = page.evaluate(f"wp.apiFetch({{path: '/wp/v2/posts/{post_id}?context=edit'}})")
    meta = rest["meta"]
    assert rest["status"] == "publish" and rest["excerpt"]["raw"] == meta["ringkas_summary"] == summary.inner_text()
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
        assert "cannot be reached" in stack.post(failing)["meta"]["ringkas_error"]  # the site's language: English
    finally:
        stack.configure()


def test_the_archive_backfill_summarizes_every_post_once_and_can_run_twice(stack):
    stack.php(DELETE_ALL)
    posts = [_new_post(stack, status="publish", content=f"{ARTICLE} Laporan ke-{n} dari desa {n}.") for n in range(20)]
    assert stack.php("echo Ringkas_Backfill::begin();") == "started"
    assert stack.php("echo Ringkas_Backfill::begin();") == "running"  # a second start follows the first
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        stack.php("Ringkas_Backfill::tick();")
        state = json.loads(stack.php("echo wp_json_encode(Ringkas_Backfill::state());"))
        if state["status"] == "finished":
            break
        time.sleep(1)
    assert state["status"] == "finished" and state["written"] == 20 and state["failed"] == 0
    assert all(stack.post(post_id)["meta"].get("ringkas_summary") for post_id in posts)
    assert stack.php("echo Ringkas_Backfill::begin();") == "nothing"  # run again: nothing left to send
    twice = stack.sql(
        "SELECT post_id FROM wp.wp_postmeta WHERE meta_key = 'ringkas_summary' GROUP BY post_id HAVING COUNT(*) > 1;"
    )
    assert twice.strip() == ""
