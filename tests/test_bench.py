"""The benchmark's workload definition (the benchmark itself is a command, not a test)."""

from api.bench import SUMMARY_TOKENS, TRANSLATION_TOKENS, bench_prompts
from api.prompts import load_prompts


def test_bench_prompts_pin_output_lengths(tmp_path):
    prompts = load_prompts(bench_prompts(tmp_path))
    medium = prompts.summarize.presets[prompts.summarize.default_preset]
    assert medium.min_new_tokens == medium.max_new_tokens == SUMMARY_TOKENS
    assert medium.num_beams == 4
    decoding = prompts.translate.decoding
    assert decoding.min_new_tokens == TRANSLATION_TOKENS
    assert {decoding.max_new_for(n) for n in (1, 30, 300)} == {TRANSLATION_TOKENS}
