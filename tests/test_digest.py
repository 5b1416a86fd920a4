"""POST /v1/digest: near-duplicate sentences across a story's articles, the composed input and its
provenance, and the cluster's problems."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from api.digest import DigestLimits, compose, reading_order, split
from api.errors import PayloadTooLarge
from api.pipeline.digesting import PROVENANCE_LISTED
from api.schemas import DigestRequest, SummarizeRequest
from api.text.redundancy import figures, find, quoted
from tests.conftest import SEEDS

pytestmark = pytest.mark.unit  # tests that need more say so themselves

PROBLEM = "application/problem+json"


def _duplicate(earlier: str, later: str) -> bool:
    return bool(find([earlier, later], [0, 1]))


# --- near-duplicates, on sentences of our own --------------------------------------------------
PARAPHRASES = [
    (
        "Pertemuan antara Putin dan Witkoff berlangsung selama lima jam di Kremlin pada Selasa malam.",
        "Putin dan Witkoff bertemu selama lima jam di Kremlin, Selasa malam.",
    ),
    (  # the same quote, another attribution
        "“Kami akan terus bekerja untuk mencapai perdamaian yang adil,” kata Ushakov kepada wartawan.",
        "“Kami akan terus bekerja untuk mencapai perdamaian yang adil,” ujar Yuri Ushakov, ajudan Kremlin, "
        "seperti dikutip Reuters.",
    ),
    (  # the clauses turned round
        "Banjir merendam 1.200 rumah di Kabupaten Bekasi sejak Senin pagi.",
        "Sejak Senin pagi, banjir telah merendam 1.200 rumah di Kabupaten Bekasi.",
    ),
    (  # a paraphrased figure
        "Sebanyak 12 orang tewas dalam kecelakaan bus di Tol Cipularang.",
        "Kecelakaan bus di Tol Cipularang menewaskan 12 orang.",
    ),
    (  # the same amount written two ways
        "Harga beras medium naik menjadi Rp13.500 per kilogram di pasar tradisional Jakarta.",
        "Di pasar tradisional Jakarta, harga beras medium naik menjadi Rp 13.500 per kilogram.",
    ),
    (  # the later one says less: the fuller, earlier version covers it
        "Gempa magnitudo 5,6 mengguncang wilayah Cianjur, Jawa Barat, Senin (21/11) siang.",
        "Gempa bermagnitudo 5,6 mengguncang Cianjur, Jawa Barat, pada Senin siang.",
    ),
]

NEAR_MISSES = [
    (  # another figure about the same thing
        "Banjir merendam 1.200 rumah di Kabupaten Bekasi sejak Senin pagi.",
        "Banjir merendam 1.500 rumah di Kabupaten Bekasi sejak Senin pagi.",
    ),
    (  # a figure in words
        "Pertemuan itu berlangsung selama lima jam di Kremlin.",
        "Pertemuan itu berlangsung selama tujuh jam di Kremlin.",
    ),
    (  # a decimal
        "Inflasi tahunan tercatat 2,5 persen pada November.",
        "Inflasi tahunan tercatat 3,1 persen pada November.",
    ),
    (  # another speaker, and the opposite claim
        "Menteri Luar Negeri AS Marco Rubio mengatakan ada kemajuan dalam perundingan.",
        "Menteri Luar Negeri Ukraina Andrii Sybiha mengatakan tidak ada kemajuan dalam perundingan.",
    ),
    (  # another place and day
        "Gempa bermagnitudo 5,6 mengguncang Cianjur, Jawa Barat, pada Senin siang.",
        "Gempa bermagnitudo 5,6 mengguncang Garut, Jawa Barat, pada Selasa malam.",
    ),
    (  # the later one adds the date the earlier lacks
        "Gempa bermagnitudo 5,6 mengguncang Cianjur, Jawa Barat, pada Senin siang.",
        "Gempa magnitudo 5,6 mengguncang wilayah Cianjur, Jawa Barat, Senin (21/11) siang.",
    ),
]


@pytest.mark.parametrize(("earlier", "later"), PARAPHRASES)
def test_a_paraphrase_of_an_earlier_sentence_is_a_duplicate(earlier, later):
    assert _duplicate(earlier, later)


@pytest.mark.parametrize(("earlier", "later"), NEAR_MISSES)
def test_a_near_miss_is_kept(earlier, later):
    assert not _duplicate(earlier, later)


def test_sentences_of_one_article_are_never_matched_to_each_other():
    same = PARAPHRASES[2]
    assert find(list(same), [0, 0]) == {}
    assert set(find(list(same), [0, 1])) == {1}


def test_a_sentence_is_matched_only_to_a_kept_one():
    """A~B and B~C but not A~C: B goes (a duplicate of A), and C, matched to no kept sentence, stays."""
    a = "Banjir merendam 1.200 rumah di Kabupaten Bekasi sejak Senin pagi."
    b = "Sejak Senin pagi, banjir telah merendam 1.200 rumah di Kabupaten Bekasi."
    c = "Banjir merendam 1.500 rumah di Kabupaten Bekasi sejak Senin pagi."
    matches = find([a, b, c], [0, 1, 2])
    assert set(matches) == {1} and matches[1].earlier == 0


def test_figures_and_quotes_are_read_as_the_guards_need():
    assert figures("Rupiah melemah ke Rp16.440 per dolar, 2,5 persen, lima jam") == {"16440", "2,5", "lima"}
    assert figures("Tidak ada angka di sini.") == frozenset()
    assert quoted('Masih banyak pekerjaan yang harus diselesaikan," katanya mengutip The Guardian.') == (
        "Masih banyak pekerjaan yang harus diselesaikan"
    )
    assert quoted("“Produktif,” kata Kremlin tentang pembicaraan itu.") is None  # too short to stand alone
    assert quoted("Tidak ada kutipan dalam kalimat ini sama sekali.") is None


def test_reading_order_is_by_date_then_as_sent():
    dates = [None, "2025-12-04", "2025-12-03T10:43:00+07:00", None, "2025-12-02"]
    assert reading_order(dates) == [4, 2, 1, 0, 3]
    # A date alone is that day at 00:00 UTC; a time without a zone is UTC as well.
    assert reading_order(["2025-12-03T06:00:00", "2025-12-03T10:43:00+07:00"]) == [1, 0]
    assert reading_order([None, None, None]) == [0, 1, 2]


# --- the five seed articles -------------------------------------------------------------------
# Statements two seeds both report: each must be in the composed input once.
SHARED = {
    # seeds 000 and 001 quote Ushakov's words, each with its own attribution
    "Masih banyak pekerjaan yang harus diselesaikan": lambda s: "Masih banyak pekerjaan" in s,
    # seeds 001 and 004: the same quote, translated twice ("Belum ada kompromi yang ditemukan" /
    # "Tapi kompromi belum ditemukan")
    "no compromise found": lambda s: "kompromi" in s and "ditemukan" in s,
}
# Figures several seeds give in statements of their own: every such statement stays.
KEPT_FIGURES = {"28 poin": 3}


@pytest.fixture(scope="module")
def seed_sentences(pipeline, seed_texts):
    """Each seed exactly as a summary reads it (read_article), split into sentences."""
    texts = [pipeline.read_article(SummarizeRequest(text=text)).input.text for text in seed_texts]
    return split(texts)


def _words(text: str) -> int:
    return len(text.split())


@pytest.mark.integration
def test_the_seed_cluster_holds_each_shared_statement_once(seed_sentences):
    whole = compose(seed_sentences, list(range(len(SEEDS))), _words, 10**6)  # a window that holds all
    assert whole.left_out == []
    composed = [piece.text for piece in whole.used]
    for name, says in SHARED.items():
        assert sum(map(says, composed)) == 1, name
        assert sum(says(s) for run in seed_sentences.values() for s in run) >= 2, f"{name}: not shared"
    for figure, statements in KEPT_FIGURES.items():
        assert sum(figure in sentence for sentence in composed) == statements, figure
    for article, run in seed_sentences.items():
        own = [piece for piece in whole.used if piece.article == article]
        assert own, f"seed {article} contributes nothing"
        assert all(run[piece.sentence] == piece.text for piece in own)
    # Every sentence is accounted for once: used, or dropped as a duplicate of a used one.
    assert len(whole.used) + len(whole.dropped) == sum(map(len, seed_sentences.values()))
    used = {(piece.article, piece.sentence) for piece in whole.used}
    for piece, kept, _match in whole.dropped:
        assert (kept.article, kept.sentence) in used and kept.article != piece.article


@pytest.mark.integration
def test_a_repeated_statement_keeps_the_earliest_article_version(seed_sentences):
    order = [1, 0, 2, 3, 4]  # seed 001 read first: its version of the shared quote is the one kept
    whole = compose(seed_sentences, order, _words, 10**6)
    kept = [piece for piece in whole.used if "Masih banyak pekerjaan" in piece.text]
    assert [piece.article for piece in kept] == [1]
    assert whole.used[0].article == 1  # and it leads


@pytest.mark.integration
def test_the_window_is_filled_round_by_round_and_the_rest_reported(seed_sentences):
    order = list(range(len(SEEDS)))
    window = 120  # words: room for a few sentences of each article
    part = compose(seed_sentences, order, _words, window)
    assert _words(part.text) <= window and part.tokens <= window
    assert {piece.article for piece in part.used} == set(order)  # each outlet's lead before any detail
    for article in order:  # each article's sentences in its own order, and its first one in
        own = [piece.sentence for piece in part.used if piece.article == article]
        assert own == sorted(own)
    total = sum(map(len, seed_sentences.values()))
    assert len(part.used) + len(part.dropped) + len(part.left_out) == total
    assert not {(p.article, p.sentence) for p in part.used} & {(p.article, p.sentence) for p in part.left_out}


# --- the route ------------------------------------------------------------------------------------
def _cluster(seed_texts, **extra):
    outlets = ["konteks.co.id", "okezone", "pahami.id", "finnews.id", "RIA"]
    articles = [
        {"id": f"s{i}", "outlet": outlet, "text": text}
        for i, (outlet, text) in enumerate(zip(outlets, seed_texts, strict=False))
    ]
    return {"articles": articles, **extra}


@pytest.mark.integration
def test_digest_of_the_seeds_answers_with_provenance_that_adds_up(client, seed_texts):
    response = client.post("/v1/digest", json=_cluster(seed_texts))
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    body = response.get_json()
    sources, facts = body["sources"], body["input"]
    assert [source["id"] for source in sources] == [f"s{i}" for i in range(5)]
    for source in sources:
        assert source["used"] + source["duplicates"] + source["left_out"] == source["sentences"]
        assert source["used"] >= 1 and 0 < source["fraction_read"] <= 1
    assert facts["sentences"] == sum(source["sentences"] for source in sources)
    assert facts["used"] == len(body["composed"]) and facts["duplicates"] == len(body["dropped"])
    assert facts["left_out"] == len(body["left_out"]) > 0
    assert facts["tokens"] <= facts["max_tokens"]  # the composed input fits: the model read all of it
    assert any("left_out" in warning for warning in body["warnings"])
    # The composed input is exactly the sentences listed, one paragraph per article.
    paragraphs: list[list[str]] = []
    for sentence in body["composed"]:
        if not paragraphs or paragraphs[-1][0] != sentence["article"]:
            paragraphs.append([sentence["article"]])
        paragraphs[-1].append(sentence["text"])
    assert facts["chars"] == len("\n".join(" ".join(p[1:]) for p in paragraphs))
    for dropped in body["dropped"]:
        assert dropped["similarity"] >= facts["threshold"]
        assert dropped["duplicate_of"]["article"] != dropped["article"]
    assert body["summary"]["text"] and body["translation"] is None


@pytest.mark.integration
def test_digest_translates_and_serves_a_repeat_from_the_cache(client, seed_texts):
    cluster = _cluster(seed_texts[:3], translate=True, target_lang="en", length="short")
    first = client.post("/v1/digest", json=cluster).get_json()
    again = client.post("/v1/digest", json=cluster).get_json()
    assert first["translation"]["lang"] == "eng_Latn" and first["preset"] == "short"
    assert again["cached"] is True and again["summary"] == first["summary"]


@pytest.mark.integration
def test_the_earliest_dated_article_leads(client, seed_texts):
    cluster = _cluster(seed_texts[:2])
    cluster["articles"][0]["date"] = "2025-12-05"
    cluster["articles"][1]["date"] = "2025-12-03T10:43:00+07:00"
    body = client.post("/v1/digest", json=cluster).get_json()
    assert body["composed"][0]["article"] == 1
    assert [d["duplicate_of"]["article"] for d in body["dropped"]] == [1]  # seed 000's quote is the repeat


def _problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:400]
    assert response.mimetype == PROBLEM
    body = json.loads(response.get_data())
    assert body["status"] == status and "Traceback" not in body["detail"]
    return body


@pytest.mark.integration
def test_one_article_or_too_many_is_refused(client, seed_texts, settings):
    one = _problem(client.post("/v1/digest", json={"articles": [{"text": seed_texts[0]}]}), 422)
    assert "at least 2" in one["detail"] and one["errors"][0]["loc"] == ["articles"]
    many = [{"text": seed_texts[0]}] * (settings.digest.max_articles + 1)
    too_many = _problem(client.post("/v1/digest", json={"articles": many}), 422)
    assert f"at most {settings.digest.max_articles}" in too_many["detail"]
    none = _problem(client.post("/v1/digest", json={"articles": []}), 422)
    assert "at least 2" in none["detail"]


@pytest.mark.integration
def test_a_bad_article_is_named_by_its_index(client, seed_texts):
    english = (
        "The meeting between the two presidents lasted five hours and ended without an agreement, "
        "officials in Moscow said on Wednesday, adding that more work remained to be done."
    )
    cases = [
        ({"text": "   \n  "}, "articles[2]", ["articles", 2, "text"]),
        ({"html": "<div><script>x()</script></div>"}, "articles[2]", ["articles", 2, "html"]),
        ({"text": english}, "articles[2]", None),
    ]
    for bad, where, loc in cases:
        articles = [{"text": seed_texts[0]}, {"text": seed_texts[1]}, bad]
        body = _problem(client.post("/v1/digest", json={"articles": articles}), 422)
        assert body["detail"].startswith(where) and body["article"] == 2
        if loc:
            assert body["errors"][0]["loc"] == loc
    neither = _problem(client.post("/v1/digest", json={"articles": [{"text": seed_texts[0]}, {"outlet": "x"}]}), 422)
    assert neither["errors"][0]["loc"][:2] == ["articles", 1]
    bad_date = [{"text": seed_texts[0]}, {"text": seed_texts[1], "date": "3 Desember"}]
    dated = _problem(client.post("/v1/digest", json={"articles": bad_date}), 422)
    assert dated["errors"][0]["loc"] == ["articles", 1, "date"] and "ISO 8601" in dated["detail"]


@pytest.mark.integration
def test_a_bad_option_is_the_requests_problem_not_an_articles(client, seed_texts):
    body = _problem(client.post("/v1/digest", json=_cluster(seed_texts[:2], length="huge")), 422)
    assert body["errors"][0]["loc"] == ["length"] and "article" not in body


def _with_limits(pipeline, **limits):
    """The same pipeline (models, cleaning) with other digest limits."""
    small = copy.copy(pipeline)
    small.limits = replace(pipeline.limits, digest=DigestLimits(**limits))
    return small


@pytest.mark.integration
def test_a_cluster_over_its_limits_is_refused_naming_the_article(pipeline, seed_texts, seed_sentences):
    chars = [len(pipeline.read_article(SummarizeRequest(text=text)).input.text) for text in seed_texts]
    crossing = next(i for i in range(len(chars)) if sum(chars[: i + 1]) > 5_000)
    with pytest.raises(PayloadTooLarge) as over:
        _with_limits(pipeline, max_chars=5_000).digest(DigestRequest.model_validate(_cluster(seed_texts)))
    assert over.value.extra["article"] == crossing
    assert f"articles[{crossing}]" in over.value.detail and "RINGKAS_DIGEST__MAX_CHARS" in over.value.detail

    two = len(seed_sentences[0]) + len(seed_sentences[1])
    with pytest.raises(PayloadTooLarge) as sentences:
        _with_limits(pipeline, max_sentences=two - 1).digest(DigestRequest.model_validate(_cluster(seed_texts[:2])))
    assert f"{two} sentences" in sentences.value.detail and "RINGKAS_DIGEST__MAX_SENTENCES" in sentences.value.detail
    assert _with_limits(pipeline, max_sentences=two).digest(DigestRequest.model_validate(_cluster(seed_texts[:2])))


# --- the command line ----------------------------------------------------------------------------
@pytest.mark.integration
def test_cli_digest_of_files_prints_the_json_result(env, tmp_path, seed_texts):
    from click.testing import CliRunner

    from api.cli import main

    files = []
    for i, text in enumerate(seed_texts[:2]):
        files.append(tmp_path / f"seed{i}.txt")
        files[-1].write_text(text, encoding="utf-8")
    page = tmp_path / "third.html"
    page.write_text(f"<html><body><article><p>{seed_texts[3]}</p></article></body></html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["digest", "--length", "short", *map(str, files), str(page)], env=env)
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [source["id"] for source in body["sources"]] == ["seed0.txt", "seed1.txt", "third.html"]
    assert [source["format"] for source in body["sources"]] == ["text", "text", "html"]
    assert body["preset"] == "short" and len(body["dropped"]) >= 1

    one = CliRunner().invoke(main, ["digest", str(files[0])], env=env)
    assert one.exit_code == 1 and "at least 2 articles" in one.stderr


# --- ringkas eval digest ------------------------------------------------------------------------------
def test_eval_reads_clusters_and_refuses_a_bad_line(tmp_path):
    from api.eval import data

    good = tmp_path / "clusters.jsonl"
    rows = [
        {"id": "c1", "articles": ["Satu.", {"html": "<p>Dua.</p>", "outlet": "X"}], "digest": "Ringkas."},
        {"articles": ["Tiga.", "Empat."], "digest": "Lagi."},
    ]
    good.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    items = data.read_clusters(good, "articles", "digest")
    assert [item.id for item in items] == ["c1", "2"]
    assert items[0].cluster == ({"text": "Satu."}, {"html": "<p>Dua.</p>", "outlet": "X"})
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"articles": "not a list", "digest": "x"}), encoding="utf-8")
    with pytest.raises(data.DataError, match="bad.jsonl:1: field 'articles' must be a list"):
        data.read_clusters(bad, "articles", "digest")


@pytest.mark.integration
def test_eval_digest_end_to_end(env, tmp_path, seed_texts):
    from click.testing import CliRunner

    from api.cli import main

    clusters = tmp_path / "clusters.jsonl"
    rows = [
        {"id": "kremlin", "articles": seed_texts[:2], "digest": seed_texts[0].split("\n")[0]},
        {"id": "miami", "articles": seed_texts[2:4], "digest": seed_texts[2].split("\n")[0]},
        {"id": "lonely", "articles": seed_texts[:1], "digest": "x"},  # one article: a counted failure
    ]
    clusters.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    out = tmp_path / "eval.json"
    args = ["eval", "digest", "--data", str(clusters), "--samples", "100", "--json", str(out)]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["task"] == "digest" and report["items"] == 3
    default = report["configs"]["default"]
    assert set(default["metrics"]) == {"ROUGE-1", "ROUGE-2", "ROUGE-L"}
    assert list(default["failures"]) == ["lonely"]
    assert report["outputs"]["default"]["kremlin"] and report["outputs"]["default"]["lonely"] == ""


# --- ringkas bench ---------------------------------------------------------------------------------
@pytest.mark.integration
def test_bench_times_a_five_article_digest_beside_a_summary(pipeline, seed_texts):
    from api.bench import digest_latency
    from api.bench.report import METRICS, table

    figures = digest_latency(pipeline, seed_texts, repeats=1)
    assert figures["articles"] == 5 and figures["sentences"] > figures["used"] > 0
    assert figures["digest_s"] > 0 and figures["summarize_s"] > 0
    assert figures["digest_over_summary_x"] == figures["digest_s"] / figures["summarize_s"]
    # Every figure the table prints, from the bench's own list of them.
    side = {key: 1.0 for _, key, _, _ in METRICS} | {"engine": "e", "settings": {}}
    ratios = dict.fromkeys([ratio for _, _, ratio, _ in METRICS], 1.0)
    result = {
        "baseline": side,
        "peer": side,
        "ringkas": {**side, "digest": figures},
        "ringkas_full_vocab": side,
        "ratios": {k: ratios for k in ("vs_baseline", "vs_peer", "full_vocab_vs_baseline")},
        "workload": {"kept_vocab_stand_in": 1},
    }
    assert "digest of 5 articles" in table(result)


# --- hostile input ----------------------------------------------------------------------------------
@pytest.mark.integration
def test_unusable_labels_are_the_articles_problem_not_a_500(client, seed_texts):
    for field, value in (("id", "a\ud800b"), ("id", "x" * 300), ("outlet", "Kompas\n"), ("outlet", "o" * 201)):
        articles = [{"text": seed_texts[0]}, {"text": seed_texts[1], field: value}]
        body = json.dumps({"articles": articles}).encode()  # json.dumps escapes the lone surrogate
        answer = _problem(client.post("/v1/digest", data=body, content_type="application/json"), 422)
        assert answer["errors"][0]["loc"] == ["articles", 1, field], (field, answer)


@pytest.mark.integration
def test_a_cluster_of_repeats_answers_within_the_bound_of_its_own_size(client):
    """Twenty articles repeating the same fifty one-word sentences: every later one a duplicate. The
    answer lists the first PROVENANCE_LISTED of them and counts all, within 4x the request + 32 KB."""
    words = " ".join(f"Kata{n}." for n in range(50))
    body = json.dumps({"articles": [{"text": words} for _ in range(20)], "force": True}).encode()
    response = client.post("/v1/digest", data=body, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()
    assert answer["input"]["duplicates"] == 19 * 50 and len(answer["dropped"]) == PROVENANCE_LISTED
    assert any("count them all" in warning for warning in answer["warnings"])
    assert len(response.get_data()) <= 4 * len(body) + 32 * 1024


@pytest.mark.integration
def test_a_cluster_at_the_sentence_limit_answers_in_bounded_size(client, settings):
    """Twenty articles of fifty long sentences each (the default cap, 1,000): every sentence alike
    but for its figures, the costliest shape for the comparison. The answer echoes only the
    sentences the model read: the rest are positions."""
    per = settings.digest.max_sentences // 20
    articles = [
        {
            "text": "\n".join(
                f"Petugas BPBD Kabupaten Bekasi mencatat banjir merendam {a * 1000 + k} rumah warga di "
                f"bantaran sungai sejak Senin pagi, dan {k + 7} posko pengungsian didirikan."
                for k in range(per)
            )
        }
        for a in range(20)
    ]
    body = json.dumps({"articles": articles}).encode()
    response = client.post("/v1/digest", data=body, content_type="application/json")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()
    assert answer["input"]["sentences"] == settings.digest.max_sentences
    assert answer["input"]["duplicates"] == 0  # every sentence has figures of its own
    shown = sum(len(sentence["text"]) for sentence in answer["composed"])
    assert shown <= answer["input"]["chars"] and answer["input"]["tokens"] <= answer["input"]["max_tokens"]
    assert len(response.get_data()) < len(body) / 2
    over = {"articles": [*articles, {"text": articles[0]["text"].split("\n")[0]}]}
    _problem(client.post("/v1/digest", json=over), 422)  # 21 articles
    over = {"articles": [{"text": articles[0]["text"] + "\n" + articles[1]["text"][:300]}, *articles[1:]]}
    refused = _problem(client.post("/v1/digest", json=over), 413)
    assert "RINGKAS_DIGEST__MAX_SENTENCES" in refused["detail"]


def test_a_first_sentence_longer_than_the_window_goes_in_alone_not_nothing():
    long = {0: [" ".join(["kata"] * 50), " ".join(["lagi"] * 30)], 1: [" ".join(["lain"] * 40)]}
    part = compose(long, [0, 1], _words, 10)
    assert [(p.article, p.sentence) for p in part.used] == [(0, 0)] and part.tokens == 50 > part.window
    assert [(p.article, p.sentence) for p in part.left_out] == [(0, 1), (1, 0)]
    # A shorter sentence that fits is taken instead, and the long ones are reported.
    part = compose({**long, 1: ["Kalimat pendek."]}, [0, 1], _words, 10)
    assert [(p.article, p.sentence) for p in part.used] == [(1, 0)] and part.tokens <= 10
    assert len(part.left_out) == 2


@pytest.mark.integration
def test_a_cluster_of_paragraphs_longer_than_the_window_says_the_model_read_an_opening(client):
    run_on = " ".join(["warga desa menanam padi di sawah mereka sejak pagi hari dan"] * 120)
    other = " ".join(["petani di kabupaten itu memanen jagung bersama keluarga dan"] * 120)
    body = client.post("/v1/digest", json={"articles": [{"text": run_on}, {"text": other}]}).get_json()
    assert [(s["article"], s["sentence"]) for s in body["composed"]] == [(0, 0)]
    assert body["input"]["tokens"] > body["input"]["max_tokens"]
    assert any("longer than the window" in warning for warning in body["warnings"])
    assert body["left_out"] == [{"article": 1, "sentence": 0}]


# --- memory ------------------------------------------------------------------------------------------
@pytest.mark.integration
def test_scikit_learn_is_loaded_by_the_first_digest_not_by_the_warm_up(env, seed_texts):
    """A worker that never makes a digest never holds scikit-learn (~76 MB resident on the bench)."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = """
import json, sys
from api.config import Settings
from api.runtime import Runtime
from api.schemas import DigestRequest
runtime = Runtime(Settings()).start(background=False)
assert runtime.state == "ready", runtime.error
after_warm_up = "sklearn" in sys.modules
runtime.require().digest(DigestRequest(articles=[{"text": t} for t in json.loads(sys.argv[1])]))
print(json.dumps([after_warm_up, "sklearn" in sys.modules]))
runtime.stop()
"""
    root = Path(__file__).resolve().parent.parent  # this checkout's `api`, as the suite imports it
    proc = subprocess.run(
        [sys.executable, "-c", script, json.dumps(seed_texts[:2])],
        env={**os.environ, **env, "RINGKAS_SERVING__WARMUP": "true"},
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1]) == [False, True]
