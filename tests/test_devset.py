"""bench/devset.py: the labelled-page score a contributor runs before a cleaning rule lands."""

import json

import pytest

from bench.devset import client_post, judge, score, table

pytestmark = pytest.mark.unit  # tests that need more say so themselves

ENTRY = {"outlet": "kabarkita", "keep": ["Warga   membersihkan lumpur", "Posko dibuka"], "drop": ["Baca juga"]}


def _answer(text: str) -> dict:
    return {"cleaning": {"clean_text": text}}


def test_a_page_is_judged_by_its_labels_with_whitespace_collapsed():
    page = judge("a.html", ENTRY, 200, _answer("Warga membersihkan\nlumpur. Posko dibuka. Baca juga: X"))
    assert (page.kept, page.keep, page.removed, page.drop, page.lost) == (2, 2, 0, 1, False)
    assert page.failures == ["FAIL a.html drop survived: Baca juga"]


def test_lost_and_wrong_block_pages_are_told_apart():
    lost = judge("b.html", ENTRY, 422, {"detail": "html is empty"})
    assert lost.lost and lost.kept == 0 and lost.failures[0] == "LOST b.html: status 422, html is empty"
    wrong = judge("c.html", ENTRY, 200, _answer("Berita lainnya: Harga Cabai Naik"))
    assert wrong.wrong_block and not wrong.lost
    half = judge("d.html", ENTRY, 200, _answer("Posko dibuka."))
    assert not half.wrong_block  # half the story is a weak page, not the wrong block


def test_the_table_counts_per_outlet_and_scores_drop_labels_of_pages_not_lost():
    pages = [
        judge("a.html", ENTRY, 200, _answer("Warga membersihkan lumpur. Posko dibuka.")),
        judge("b.html", {**ENTRY, "outlet": "lain"}, 500, None),
    ]
    out = table(pages).split("\n")
    assert out[-2] == "lost 1/2, story kept 50.0%, boilerplate removed 100.0%"
    assert out[-1] == "wrong-block pages 0"
    assert any(line.startswith("kabarkita") and "2/2" in line for line in out)


@pytest.mark.integration
def test_a_folder_runs_through_the_apps_request_path(client, tmp_path):
    story = [
        "Pemerintah kota membuka posko kesehatan baru di tiga kecamatan pada Senin pagi.",
        "Petugas melayani pemeriksaan gratis bagi warga yang rumahnya terendam banjir.",
    ]
    markup = (
        "<article>" + "".join(f"<p>{line}</p>" for line in story) + "<p>Baca juga: Harga Cabai Naik Lagi</p></article>"
    )
    (tmp_path / "p.html").write_text(markup, encoding="utf-8")
    labels = {"p.html": {"outlet": "x", "keep": story, "drop": ["Harga Cabai Naik Lagi"]}}
    (tmp_path / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    [page] = score(tmp_path, client_post(client))
    assert (page.kept, page.removed, page.lost) == (2, 1, False)
