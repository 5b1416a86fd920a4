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


def test_the_trade_offs_are_reported_against_the_right_sides():
    """Each ratio reads the layouts it names: the service's replicas over the one all-thread replica
    (above 1: the lone request would gain), the lean peak over the peer's, the default burst over the lean."""
    from api.bench.probes import LEAN
    from api.bench.report import trade_off_lines

    def timed(whole, first):
        return {"whole_s": whole, "first_step_s": first}

    result = {
        "peer": {"peak_rss_mb": 1700.0},
        "memory": {"peak_rss_mb": 2000.0, "burst_s": 12.0},
        "memory_lean": {"peak_rss_mb": 1683.0, "burst_s": 24.0, "overrides": LEAN},
        "layouts": {
            "threads": 2,
            "summarizer": {"replicas": timed(2.0, 0.5), "one_replica": timed(2.5, 0.25)},
            "translator": {"replicas": timed(1.0, 0.1), "one_replica": timed(0.8, 0.1)},
        },
    }
    lines = trade_off_lines(result)
    assert "all 2 threads" in lines[0]
    assert "summarizer: 2.00 s -> 2.50 s (0.80x)" in lines[1] and "500 ms -> 250 ms (2.00x)" in lines[1]
    assert "translator: 1.00 s -> 0.80 s (1.25x)" in lines[2]
    assert "1 math thread: one batch at a time; at most 2 sequences and 512 padded input tokens" in lines[3]
    assert "0.99 of the peer's" in lines[3] and "8 took 24.0 s against the default layout's 12.0 s (0.50x" in lines[3]
    result["layouts"] = {"threads": 1, "skipped": "one math thread"}
    del result["memory"]
    lines = trade_off_lines(result)
    assert lines[0].endswith("not measured (one math thread)") and "burst of 8" not in lines[1]


def test_the_lean_layout_runs_one_batch_at_a_time_on_one_replica():
    from api.bench.probes import LEAN
    from api.config import Settings, nest

    settings = Settings(**nest(LEAN))
    assert settings.engine_replicas() == 1 and settings.math_threads() == 1
    assert (settings.serving.max_batch_size, settings.serving.max_batch_tokens) == (2, 512)  # one article a batch


@pytest.mark.integration
def test_the_layout_probe_times_each_model_on_the_layouts_it_names(tiny_dir, tmp_path):
    from api.bench.probes import LAYOUTS, run_layouts
    from tests.conftest import tiny_settings

    settings = tiny_settings(
        tiny_dir, serving__math_threads=2, serving__warmup=False, models__prompts_dir=bench_prompts(tmp_path)
    )
    result = run_layouts(settings, repeats=1)
    assert result["threads"] == 2
    for role in ("summarizer", "translator"):
        assert set(result[role]) == set(LAYOUTS)
        replicas, whole = result[role]["replicas"], result[role]["one_replica"]
        assert (replicas["intra_threads"], replicas["inter_threads"]) == (1, 2)  # the service's own engine
        assert (whole["intra_threads"], whole["inter_threads"]) == (2, 1)
        assert all(layout[key] > 0 for layout in (replicas, whole) for key in ("whole_s", "first_step_s"))
    assert "skipped" in run_layouts(tiny_settings(tiny_dir, serving__math_threads=1))
