"""The pipeline on the tiny models: limits, truncation, presets, translation segments."""

import dataclasses
import json
import shutil
import time
import types

import pytest

from api.errors import PayloadTooLarge, ValidationFailed
from api.models.loading import ModelSource, load_seq2seq
from api.schemas import SummarizeRequest, TranslateRequest
from api.tasks.summarizer import Summarizer
from api.tasks.translator import Translator

pytestmark = pytest.mark.integration


def _summarizer_with_window(pipeline, window):
    prompts = pipeline.summarizer.prompts
    narrowed = prompts.model_copy(update={"input": prompts.input.model_copy(update={"max_tokens": window})})
    return Summarizer(pipeline.summarizer.loaded, pipeline.summarizer.batcher, narrowed)


def test_truncated_exactly_when_the_article_exceeds_the_window(pipeline):
    text = "Presiden Rusia Vladimir Putin bertemu utusan Amerika Serikat di Kremlin selama lima jam."
    full = pipeline.summarizer.encode(text)
    assert not full.truncated and full.ids[-1] == pipeline.summarizer.tokenizer.eos_token_id
    at_limit = _summarizer_with_window(pipeline, full.tokens).encode(text)
    assert (at_limit.truncated, at_limit.ids) == (False, full.ids)
    over = _summarizer_with_window(pipeline, full.tokens - 1).encode(text)
    assert over.truncated and over.tokens == full.tokens
    assert len(over.ids) == full.tokens - 1 and over.ids[-1] == full.ids[-1]  # EOS kept
    assert over.ids[:-1] == full.ids[: full.tokens - 2]


def test_long_seed_article_is_reported_truncated_short_one_not(pipeline, seed_texts):
    long_result = pipeline.summarize(SummarizeRequest(text=seed_texts[1]))
    assert long_result.input.tokens > long_result.input.max_tokens == 512
    assert long_result.input.truncated
    short_result = pipeline.summarize(SummarizeRequest(text=seed_texts[1][:300]))
    assert short_result.input.tokens <= 512 and not short_result.input.truncated


def test_same_request_same_summary(pipeline, seed_texts):
    request = SummarizeRequest(text=seed_texts[0], translate=True)
    first, second = pipeline.summarize(request), pipeline.summarize(request)
    assert first.summary == second.summary and first.translation == second.translation


@pytest.mark.parametrize("length", ["short", "medium", "long"])
def test_presets_bound_the_summary_length(pipeline, seed_texts, length):
    preset = pipeline.prompts.summarize.presets[length]
    text = pipeline.clean_input(SummarizeRequest(text=seed_texts[2])).text  # what the model reads after cleaning
    summary = pipeline.summarizer.summarize(text, preset, time.monotonic() + 60)
    assert preset.min_new_tokens <= len(summary.ids) <= preset.max_new_tokens
    result = pipeline.summarize(SummarizeRequest(text=seed_texts[2], length=length))
    assert result.preset == length and result.summary.text == summary.text


def test_summary_response_names_models_versions_and_timings(pipeline, seed_texts):
    text = seed_texts[3] + "\nSelesai."  # a text no other test sent: timed, not served from the cache
    result = pipeline.summarize(SummarizeRequest(text=text, translate=True, target_lang="eng_Latn"))
    assert not result.cached
    assert result.summary.lang == "ind_Latn" and result.translation.lang == "eng_Latn"
    assert result.translation.text
    assert result.models.summarizer.licence == result.models.translator.licence == "apache-2.0"
    assert result.prompt_version == pipeline.prompts.summarize.version
    timings = result.timings_ms
    assert timings.summarize > 0 and timings.translate > 0 and timings.total >= timings.summarize + timings.translate
    plain = pipeline.summarize(SummarizeRequest(text=text))
    assert plain.translation is None and plain.timings_ms.translate is None and plain.models.translator is None


def test_translation_is_split_into_sentences_and_keeps_paragraphs(pipeline):
    text = "Rusia menolak usulan itu. Ukraina menunggu.\nKremlin menyebut pertemuan konstruktif."
    result = pipeline.translate(TranslateRequest(text=text))
    assert result.input.segments == 3
    assert result.translation.text.count("\n") == 1


def test_a_sentence_longer_than_the_window_is_cut_into_windows_not_dropped(pipeline):
    translator = pipeline.translator
    text = "ab" * 3000  # one "sentence", no spaces
    segments = translator.segments(text, "ind_Latn")
    body = translator.tokenizer(text, add_special_tokens=False).input_ids
    assert len(segments) > 1
    assert all(len(segment.ids) <= translator.window for segment in segments)
    # Every token of the input is in exactly one segment, in order.
    assert [t for segment in segments for t in segment.ids[1:-1]] == body
    params = translator.params(segments, "eng_Latn")
    assert params.max_new_tokens <= translator.max_new_cap and params.forced_bos_token_id is not None


def test_limits_and_empty_text(pipeline):
    limit = pipeline.limits.max_translate_chars
    with pytest.raises(PayloadTooLarge, match=str(limit)):
        pipeline.translate(TranslateRequest(text="a" * (limit + 1)))
    with pytest.raises(ValidationFailed, match="empty"):
        pipeline.summarize(SummarizeRequest(text="\u200b \n\t"))
    with pytest.raises(ValidationFailed, match="short, medium, long"):
        pipeline.summarize(SummarizeRequest(text="Berita.", length="tiny"))


def test_impossible_translation_is_refused_before_summarizing(pipeline):
    runs = pipeline.summarizer.batcher.batches_run
    with pytest.raises(ValidationFailed):
        pipeline.summarize(SummarizeRequest(text="Berita hari ini.", translate=True, target_lang="klingon"))
    assert pipeline.summarizer.batcher.batches_run == runs


def test_checkpoint_task_prefix_comes_from_its_config(pipeline, tiny_dir, tmp_path):
    folder = tmp_path / "t5-with-prefix"
    shutil.copytree(tiny_dir / "summarizer", folder)
    config = json.loads((folder / "config.json").read_text())
    config["task_specific_params"] = {"summarization": {"prefix": "ringkas: "}}
    (folder / "config.json").write_text(json.dumps(config))
    prefixed = Summarizer(
        load_seq2seq(ModelSource(str(folder))), pipeline.summarizer.batcher, pipeline.prompts.summarize
    )
    tokenizer = prefixed.tokenizer
    assert prefixed.prefix == "ringkas: "
    assert prefixed.encode("Berita.").ids == tokenizer("ringkas: Berita.").input_ids
    assert (
        pipeline.summarizer.prefix == "" and pipeline.summarizer.encode("Berita.").ids == tokenizer("Berita.").input_ids
    )


def test_translator_window_respects_the_model_position_table(pipeline):
    loaded = pipeline.translator.loaded
    # The served config is the converted folder's facts (a namespace), not a transformers config.
    small = dataclasses.replace(
        loaded, config=types.SimpleNamespace(**{**vars(loaded.config), "max_position_embeddings": 64})
    )
    translator = Translator(small, pipeline.translator.batcher, pipeline.prompts.translate)
    assert translator.window == 64 and translator.max_new_cap == 62


def test_encoding_is_safe_from_many_threads_at_once(pipeline, seed_texts):
    from concurrent.futures import ThreadPoolExecutor

    texts = [text * (1 + i % 3) for i, text in enumerate(seed_texts * 8)]
    expected = [pipeline.summarizer.encode(text) for text in texts]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(pipeline.summarizer.encode, texts)) == expected
