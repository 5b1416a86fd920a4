"""The benchmark's workload definition (the benchmark itself is a command, not a test)."""

import pytest

from api.bench.report import machine_line, memory_table, physical_cores
from api.bench.workload import (
    SEGMENT_TOKENS,
    SENTENCES,
    SUMMARY_TOKENS,
    TRANSLATION_TOKENS,
    bench_prompts,
    summary_sentences,
)
from api.prompts import load_prompts

pytestmark = pytest.mark.unit


def test_bench_prompts_pin_output_lengths(tmp_path):
    prompts = load_prompts(bench_prompts(tmp_path))
    medium = prompts.summarize.presets[prompts.summarize.default_preset]
    assert medium.min_new_tokens == medium.max_new_tokens == SUMMARY_TOKENS
    assert medium.num_beams == 4
    decoding = prompts.translate.decoding
    assert decoding.min_new_tokens == TRANSLATION_TOKENS
    # A sentence segment writes SEGMENT_TOKENS; the whole summary as one segment TRANSLATION_TOKENS.
    assert {decoding.max_new_for(n) for n in (1, 20, SEGMENT_TOKENS)} == {SEGMENT_TOKENS}
    assert {decoding.max_new_for(n) for n in (2 * SEGMENT_TOKENS + 1, SUMMARY_TOKENS, 300)} == {TRANSLATION_TOKENS}
    assert (tmp_path / "boilerplate.yaml").is_file()  # the runtime needs every prompts file


@pytest.mark.integration
def test_the_service_runs_on_the_bench_prompts_with_pinned_lengths(start_runtime, tmp_path, seed_texts):
    import time

    from api.schemas import SummarizeRequest

    pipeline = start_runtime(models__prompts_dir=bench_prompts(tmp_path), serving__warmup=False).require()
    _, preset = pipeline.preset(None)
    summary = pipeline.summarizer.summarize(seed_texts[0], preset, time.monotonic() + 60)
    assert len(summary.ids) == SUMMARY_TOKENS
    translation = pipeline.translator.translate(
        "Berita singkat hari ini.", "ind_Latn", "eng_Latn", time.monotonic() + 60
    )
    assert [len(ids) for ids in translation.outputs] == [SEGMENT_TOKENS]
    # The summary cut into sentences: that many segments, each writing the pinned segment length.
    sentences = summary_sentences(summary.text, pipeline.summarizer.tokenizer)
    cut = pipeline.translator.translate(" ".join(sentences), "ind_Latn", "eng_Latn", time.monotonic() + 60)
    assert [len(ids) for ids in cut.outputs] == [SEGMENT_TOKENS] * SENTENCES
    assert pipeline.summarize(SummarizeRequest(text=seed_texts[0], translate=True)).translation.text


@pytest.mark.integration
def test_summary_sentences_cut_a_summary_into_equal_sentences(tiny_dir):
    from transformers import AutoTokenizer

    from api.text import split_sentences

    tokenizer = AutoTokenizer.from_pretrained(tiny_dir / "summarizer")
    summary = (
        "pemerintah daerah mengumumkan rencana pembangunan jalan baru yang akan selesai tahun depan menurut menteri"
    )
    sentences = summary_sentences(summary, tokenizer)
    assert len(sentences) == SENTENCES
    assert split_sentences(" ".join(sentences)) == sentences  # the service's splitter sees the same sentences
    # Nothing of the summary is lost or repeated: only the capitals and the stops are added.
    assert "".join(sentences).replace(".", "").replace(" ", "").lower() == summary.replace(" ", "")


def test_physical_cores_counts_two_threads_of_one_core_once():
    block = "processor\t: {n}\nphysical id\t: 0\ncore id\t\t: {core}\n\n"
    assert physical_cores(block.format(n=0, core=0) + block.format(n=1, core=1)) == 2
    assert physical_cores(block.format(n=0, core=0) + block.format(n=1, core=0)) == 1
    assert physical_cores("") is None


def test_memory_table_shows_each_steps_growth():
    rows = [
        {"step": "python", "rss_mb": 20.0, "peak_mb": 20.0},
        {"step": "models", "rss_mb": 1220.0, "peak_mb": 1400.0},
    ]
    lines = memory_table({"rows": rows}).splitlines()
    assert lines[2].split()[-3:] == ["1220", "1200", "1400"]


def test_the_report_names_the_cpu_its_cores_and_each_sides_gemm_library():
    result = {
        "machine": {"processor": "AMD EPYC", "cpus": 2, "cores": 1, "cpu_flags": ["avx512_vnni"]},
        "ringkas": {"runtime": {"summarizer": {"gemm": {"backend": "mkl"}}}},
        "peer": {"ct2_cpu": {"GEMM_S8 backend": "DNNL (packed: false, u8s8 preferred: true)"}},
    }
    line = machine_line(result)
    assert "AMD EPYC, 2 vCPU on 1 cores" in line and "ringkas mkl, peer DNNL" in line
    result["machine"]["cores"] = None
    assert "cores not reported" in machine_line(result)


def test_a_one_at_a_time_side_reports_its_memory_step_by_step():
    """The peer's own breakdown (loaded, warmed up, after the eight), so the two sides compare like with like."""
    from api.bench import CONCURRENCY, _memory_row, _serve_one_at_a_time

    class Tokenizer:
        def __call__(self, text, add_special_tokens=False):
            return type("Encoded", (), {"input_ids": list(range(len(text.split())))})()

        def decode(self, ids, skip_special_tokens=True):
            return " ".join("kata" for _ in ids)

    calls = []
    result = _serve_one_at_a_time(
        lambda text: calls.append("s") or "satu dua tiga empat lima enam",
        lambda texts, tokens: calls.append("t") or texts,
        Tokenizer(),
        0.0,
        [_memory_row("loaded")],
    )
    steps = [row["step"] for row in result["memory"]["rows"]]
    assert steps[0] == "loaded" and steps[1].startswith("warm-up") and str(CONCURRENCY) in steps[2]
    assert calls.count("s") == CONCURRENCY + 1 and calls.count("t") == 2 * CONCURRENCY
    assert result["memory"]["peak_rss_mb"] >= max(row["rss_mb"] for row in result["memory"]["rows"])


def test_summary_sentences_move_a_cut_the_services_splitter_would_not_see():
    """A piece ending in a single letter reads as an initial ("a." in "H. Agus"), so the cut moves by a
    word: the service then translates exactly the sentences the peer gets."""
    from api.text import split_sentences

    class Words:
        def __init__(self):
            self.vocab: list[str] = []

        def __call__(self, text, add_special_tokens=False):
            ids = []
            for word in text.split():
                if word not in self.vocab:
                    self.vocab.append(word)
                ids.append(self.vocab.index(word))
            return type("Encoded", (), {"input_ids": ids})()

        def decode(self, ids, skip_special_tokens=True):
            return " ".join(self.vocab[i] for i in ids)

    summary = "satu dua a empat lima enam tujuh delapan sembilan"
    sentences = summary_sentences(summary, Words())
    assert sentences == ["Satu dua a empat.", "Lima enam.", "Tujuh delapan sembilan."]
    assert split_sentences(" ".join(sentences)) == sentences
