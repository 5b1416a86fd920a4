"""``ringkas eval``: metric values on hand-checked examples, the file readers, configuration parsing,
and two configurations end to end on the tiny models (their scores are meaningless; the report's
shape, identity and differences are not)."""

import json

import numpy as np
import pytest
import sacrebleu
from click.testing import CliRunner

from api.cli import main
from api.eval import data, metrics, run

pytestmark = pytest.mark.unit


def _score(scorer, hyps, refs):
    return scorer.score(scorer.stats(hyps, refs))


# --- metrics -------------------------------------------------------------------------------------
def test_rouge_ignores_case_and_punctuation_and_counts_by_hand():
    hyp, ref = ["Harga beras naik di Jakarta."], ["harga beras TURUN, di Jakarta"]
    # unigrams: 4 of 5 shared; bigrams: "harga beras", "di jakarta" of 4; LCS: harga beras di jakarta.
    assert _score(metrics.Rouge("rouge1"), hyp, ref) == pytest.approx(80.0)
    assert _score(metrics.Rouge("rouge2"), hyp, ref) == pytest.approx(50.0)
    assert _score(metrics.Rouge("rougeL"), hyp, ref) == pytest.approx(80.0)


def test_rouge_keeps_non_ascii_letters():
    # rouge-score's own tokenizer deletes é and à ("kaf", "d", "j"); XL-Sum's tokenisation keeps them.
    assert metrics.XlsumTokenizer().tokenize("Kafé “déjà” buka—kata Ayu.") == ["kafé", "déjà", "buka", "kata", "ayu"]
    assert _score(metrics.Rouge("rouge1"), ["Kafé déjà buka."], ["kafé déjà tutup"]) == pytest.approx(200 / 3)
    # Accents are part of the word, as in XL-Sum's scorer: unaccented spellings share nothing here.
    assert _score(metrics.Rouge("rouge1"), ["kafe deja buka"], ["kafé déjà tutup"]) == 0.0


def test_rouge_is_the_mean_of_item_scores():
    hyps, refs = ["harga naik", "banjir"], ["harga naik", "gempa"]
    assert _score(metrics.Rouge("rouge1"), hyps, refs) == pytest.approx(50.0)


def test_sacrebleu_scores_match_the_library_and_hand_checked_extremes():
    hyps = ["The cat sat on the mat.", "Rupiah strengthened against the dollar on Monday."]
    refs = ["The cat sat on the mat.", "The rupiah weakened against the US dollar on Monday."]
    chrf, bleu = metrics.Sacrebleu("chrf++"), metrics.Sacrebleu("bleu")
    assert _score(chrf, hyps, refs) == pytest.approx(sacrebleu.corpus_chrf(hyps, [refs], word_order=2).score)
    assert _score(bleu, hyps, refs) == pytest.approx(sacrebleu.corpus_bleu(hyps, [refs]).score)
    assert _score(bleu, hyps[:1], refs[:1]) == pytest.approx(100.0)
    assert _score(chrf, ["Hujan deras."], ["Hujan deras."]) == pytest.approx(100.0)
    assert _score(chrf, ["xyz"], ["Hujan deras"]) == pytest.approx(0.0)
    assert "case:mixed" in chrf.signature and "nw:2" in chrf.signature and "tok:13a" in bleu.signature
    # BLEU is case-sensitive, as sacrebleu's default: a lower-cased hypothesis loses n-grams.
    assert _score(bleu, [hyps[0].lower()], refs[:1]) < 100.0


def test_bootstrap_interval_holds_the_score_and_is_zero_width_without_spread():
    rouge = metrics.Rouge("rouge1")
    stats = rouge.stats(["harga naik", "banjir", "gempa bumi"], ["harga naik", "gempa", "gempa bumi"])
    draws = metrics.resamples(3, 500)
    low, high = metrics.bootstrap(rouge.score, stats, draws)
    assert low <= rouge.score(stats) <= high and low < high
    same = rouge.stats(["harga naik"] * 4, ["harga naik"] * 4)
    assert metrics.bootstrap(rouge.score, same, metrics.resamples(4, 200)) == (100.0, 100.0)


def test_paired_difference_of_identical_outputs_is_exactly_zero_and_sign_follows_b_minus_a():
    rouge = metrics.Rouge("rouge1")
    refs = ["harga naik", "gempa", "banjir besar"]
    a = rouge.stats(["harga naik", "banjir", "banjir besar"], refs)
    better = rouge.stats(refs, refs)
    draws = metrics.resamples(3, 300)
    assert metrics.paired_difference(rouge, a, a, draws) == {"difference": 0.0, "ci95": [0.0, 0.0]}
    diff = metrics.paired_difference(rouge, a, better, draws)
    assert diff["difference"] == pytest.approx(100 / 3) and diff["ci95"][1] > 0


# --- readers -------------------------------------------------------------------------------------
def test_xlsum_jsonl_is_read_as_it_is(tmp_path):
    path = tmp_path / "id_test.jsonl"
    rows = [
        {"id": "a1", "url": "u", "title": "t", "summary": "Ringkasan.", "text": "Artikel."},
        {"summary": "S", "text": "T"},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    items = data.read_file(path, "text", "summary")
    assert items == [data.Item("a1", "Artikel.", "Ringkasan."), data.Item("2", "T", "S")]
    assert len(data.read_file(path, "text", "summary", limit=1)) == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"text": "a", "summary": "b"}\n{"text": "a", summary}\n', r"x\.jsonl:2: not valid JSON"),
        ('{"text": "a", "summary": "b"}\n{"text": "a"}\n', r"x\.jsonl:2: field 'summary' is missing"),
        ('["text", "summary"]\n', r"x\.jsonl:1: each line must be a JSON object"),
        ("\n\n", r"x\.jsonl: no items"),
    ],
)
def test_malformed_jsonl_names_the_line(tmp_path, content, message):
    path = tmp_path / "x.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(data.DataError, match=message):
        data.read_file(path, "text", "summary")


def test_csv_with_custom_fields_and_a_bad_row(tmp_path):
    path = tmp_path / "arsip.csv"
    path.write_text('id,isi,ringkasan\nk1,"Isi, dengan koma",Ringkas\nk2,Isi dua,\n', encoding="utf-8")
    with pytest.raises(data.DataError, match=r"arsip\.csv:3: field 'ringkasan' is missing or empty"):
        data.read_file(path, "isi", "ringkasan")
    assert data.read_file(path, "isi", "ringkasan", limit=1) == [data.Item("k1", "Isi, dengan koma", "Ringkas")]


def test_aligned_files(tmp_path):
    source, reference = tmp_path / "devtest.ind_Latn", tmp_path / "devtest.eng_Latn"
    source.write_text("Harga naik.\nBanjir.\n", encoding="utf-8")
    reference.write_text("Prices rose.\nFloods.\n", encoding="utf-8")
    assert data.read_aligned(source, reference)[1] == data.Item("2", "Banjir.", "Floods.")
    reference.write_text("Prices rose.\n", encoding="utf-8")
    with pytest.raises(data.DataError, match="has 2 lines but .* has 1"):
        data.read_aligned(source, reference)
    reference.write_text("Prices rose.\n \n", encoding="utf-8")
    with pytest.raises(data.DataError, match=r"eng_Latn:2: empty line"):
        data.read_aligned(source, reference)


def test_a_public_set_offline_is_one_clear_error():
    with pytest.raises(data.DataError, match="offline|datasets"):
        data.read_dataset("xlsum:indonesian:test", "summarize")
    with pytest.raises(data.DataError, match="not a translate set"):
        data.read_dataset("xlsum:indonesian:test", "translate")
    with pytest.raises(data.DataError, match="use xlsum:LANGUAGE:SPLIT"):
        data.read_dataset("xlsum", "summarize")


# --- configurations ------------------------------------------------------------------------------
def test_config_parsing():
    config = run.parse_config("fast=RINGKAS_MODELS__VOCAB=full,models.compute_type=float32,length=short")
    assert config == run.Config("fast", {"models.vocab": "full", "models.compute_type": "float32"}, {"length": "short"})
    assert run.parse_config("old=vocab=full").settings == {"models.vocab": "full"}  # last release's name
    with pytest.raises(run.ConfigError, match="unknown setting 'vocabb'"):
        run.parse_config("x=RINGKAS_VOCABB=full")
    with pytest.raises(run.ConfigError, match="NAME=SETTING=VALUE"):
        run.parse_config("full")
    assert [c.name for c in run.with_default([config])] == ["default", "fast"]
    with pytest.raises(run.ConfigError, match="must differ"):
        run.with_default([config, config])


# --- end to end on the tiny models ---------------------------------------------------------------
@pytest.mark.integration
def test_two_configurations_end_to_end(env, tmp_path, seed_texts):
    items = tmp_path / "items.jsonl"
    lines = [json.dumps({"id": f"s{i}", "text": t, "summary": t.split("\n")[0]}) for i, t in enumerate(seed_texts)]
    items.write_text("\n".join(lines), encoding="utf-8")
    out, png = tmp_path / "eval.json", tmp_path / "eval.png"
    args = ["eval", "summarize", "--data", str(items), "--samples", "200", "--json", str(out), "--plot", str(png)]
    # "same" is the default spelled out: its outputs must be identical; "short" is another preset.
    args += ["--config", "same=RINGKAS_MODELS__VOCAB=kept", "--config", "short=length=short"]
    result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert list(report["configs"]) == ["default", "same", "short"]
    assert report["items"] == len(seed_texts) and set(report["signatures"]) == {"ROUGE-1", "ROUGE-2", "ROUGE-L"}
    for config in report["configs"].values():
        assert set(config["metrics"]) == {"ROUGE-1", "ROUGE-2", "ROUGE-L"} and not config["failures"]
        for metric in config["metrics"].values():
            assert metric["ci95"][0] <= metric["score"] <= metric["ci95"][1]
        assert 0 < config["latency_s"]["p50"] <= config["latency_s"]["p95"] and config["items_per_s"] > 0
    same = next(p for p in report["pairs"] if (p["a"], p["b"]) == ("default", "same"))
    assert same["identical_share"] == 1.0 and report["outputs"]["default"] == report["outputs"]["same"]
    for diff in same["difference_b_minus_a"].values():
        assert diff == {"difference": 0.0, "ci95": [0.0, 0.0]}
    assert report["configurations"]["short"] == {"settings": {}, "request": {"length": "short"}}
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "same - default" in result.output and "ROUGE-L" in result.output


@pytest.mark.integration
def test_translate_end_to_end_with_aligned_files(env, tmp_path):
    source, reference = tmp_path / "src.txt", tmp_path / "ref.txt"
    source.write_text("Harga beras naik di pasar.\nBanjir merendam rumah warga.\n", encoding="utf-8")
    reference.write_text("Rice prices rose at the market.\nFloods inundated homes.\n", encoding="utf-8")
    out = tmp_path / "t.json"
    args = ["eval", "translate", "--source", str(source), "--reference", str(reference), "--samples", "100"]
    result = CliRunner().invoke(main, [*args, "--json", str(out)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text(encoding="utf-8"))
    assert set(report["configs"]["default"]["metrics"]) == {"chrF++", "BLEU"}
    assert "nrefs:1" in report["signatures"]["chrF++"] and "chrF++" in result.output
    assert len(report["outputs"]["default"]) == 2


@pytest.mark.integration
def test_bad_input_is_one_clear_line(env, tmp_path):
    broken = tmp_path / "b.jsonl"
    broken.write_text("{oops\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "summarize", "--data", str(broken)], env=env)
    assert result.exit_code == 2 and "b.jsonl:1: not valid JSON" in result.output
    result = CliRunner().invoke(main, ["eval", "summarize", "--data", str(broken), "--config", "x=nope=1"], env=env)
    assert result.exit_code == 2 and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["eval", "translate"], env=env)
    assert result.exit_code == 2 and "--source F --reference F" in result.output


def test_result_shape_helpers_do_not_depend_on_numpy_types():
    # The JSON written must be plain numbers: numpy floats would not serialise.
    rouge = metrics.Rouge("rouge1")
    stats = rouge.stats(["a b"], ["a c"])
    assert type(rouge.score(stats)) is float and all(
        type(v) is float for v in metrics.bootstrap(rouge.score, stats, np.zeros((3, 1), dtype=int))
    )
