"""The benchmark's workload definition (the benchmark itself is a command, not a test)."""

import pytest

from api.bench import SUMMARY_TOKENS, TRANSLATION_TOKENS, bench_prompts
from api.prompts import load_prompts

pytestmark = pytest.mark.unit


def test_bench_prompts_pin_output_lengths(tmp_path):
    prompts = load_prompts(bench_prompts(tmp_path))
    medium = prompts.summarize.presets[prompts.summarize.default_preset]
    assert medium.min_new_tokens == medium.max_new_tokens == SUMMARY_TOKENS
    assert medium.num_beams == 4
    decoding = prompts.translate.decoding
    assert decoding.min_new_tokens == TRANSLATION_TOKENS
    assert {decoding.max_new_for(n) for n in (1, 30, 300)} == {TRANSLATION_TOKENS}
    assert (tmp_path / "boilerplate.yaml").is_file()  # the runtime needs every prompts file


@pytest.mark.integration
def test_the_service_runs_on_the_bench_prompts_with_pinned_lengths(start_runtime, tmp_path, seed_texts):
    import time

    from api.schemas import SummarizeRequest

    pipeline = start_runtime(prompts_dir=bench_prompts(tmp_path), warmup=False).require()
    _, preset = pipeline.preset(None)
    summary = pipeline.summarizer.summarize(seed_texts[0], preset, time.monotonic() + 60)
    assert len(summary.ids) == SUMMARY_TOKENS
    translation = pipeline.translator.translate(
        "Berita singkat hari ini.", "ind_Latn", "eng_Latn", time.monotonic() + 60
    )
    assert [len(ids) for ids in translation.outputs] == [TRANSLATION_TOKENS]
    assert pipeline.summarize(SummarizeRequest(text=seed_texts[0], translate=True)).translation.text
