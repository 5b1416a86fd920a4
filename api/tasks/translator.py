"""Splits text into sentence segments that fit the translator's window, translates them as one batch
and joins them back, so nothing is silently cut."""

from __future__ import annotations

from dataclasses import dataclass

from api.engines.base import GenerationParams
from api.engines.batcher import Batcher
from api.engines.gather import gather
from api.models.languages import LanguageScheme, detect_scheme
from api.models.loading import LoadedModel
from api.prompts import TranslatePrompts
from api.text import split_sentences


@dataclass(frozen=True)
class Segment:
    paragraph: int
    ids: list[int]  # encoder input, special tokens included


@dataclass(frozen=True)
class Translation:
    text: str
    segments: int
    input_tokens: int
    outputs: list[list[int]]  # generated ids per segment, first one being the target language token


class Translator:
    def __init__(self, loaded: LoadedModel, batcher: Batcher, prompts: TranslatePrompts):
        self.loaded = loaded
        self.batcher = batcher
        self.prompts = prompts
        self.tokenizer = loaded.tokenizer
        self.scheme: LanguageScheme = detect_scheme(loaded.tokenizer, prompts)
        positions = getattr(loaded.config, "max_position_embeddings", None) or prompts.max_input_tokens
        self.window = min(prompts.max_input_tokens, positions)
        # The decoder shares the position table: start token + forced language token + output.
        self.max_new_cap = min(prompts.decoding.max_new_tokens, positions - 2)

    def segments(self, text: str, source: str) -> list[Segment]:
        room = self.window - self.scheme.special_tokens_per_segment
        out: list[Segment] = []
        for number, paragraph in enumerate(p for p in text.split("\n") if p.strip()):
            sentences = split_sentences(paragraph)
            encoded = self.tokenizer(sentences, add_special_tokens=False).input_ids if sentences else []
            for tokens in encoded:
                # A "sentence" longer than the window (a 40 KB run with no stop) is cut into windows.
                for start in range(0, max(len(tokens), 1), room):
                    piece = tokens[start : start + room]
                    if piece:
                        out.append(Segment(number, self.scheme.wrap_source(piece, source)))
        return out

    def params(self, segments: list[Segment], target: str) -> GenerationParams:
        longest = max(len(segment.ids) for segment in segments)
        decoding = self.prompts.decoding
        max_new = min(self.max_new_cap, decoding.max_new_for(longest))
        return GenerationParams(
            max_new_tokens=max_new,
            min_new_tokens=min(decoding.min_new_tokens, max_new),
            num_beams=decoding.num_beams,
            no_repeat_ngram_size=decoding.no_repeat_ngram_size,
            length_penalty=decoding.length_penalty,
            forced_bos_token_id=self.scheme.forced_bos(target),
            # The kept vocabulary is built for the default target; any other target decodes in full.
            restrict=target == self.prompts.default_target,
        )

    def translate(self, text: str, source: str, target: str, deadline: float) -> Translation:
        self.scheme.check(source, target)
        segments = self.segments(text, source)
        if not segments:
            return Translation(text="", segments=0, input_tokens=0, outputs=[])
        futures = self.batcher.submit([segment.ids for segment in segments], self.params(segments, target))
        outputs = gather(futures, deadline, "translation")
        paragraphs: dict[int, list[str]] = {}
        for segment, ids in zip(segments, outputs, strict=True):
            piece = self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False).strip()
            if piece:
                paragraphs.setdefault(segment.paragraph, []).append(piece)
        joined = "\n".join(" ".join(pieces) for _, pieces in sorted(paragraphs.items()))
        tokens = sum(len(segment.ids) for segment in segments)
        return Translation(text=joined, segments=len(segments), input_tokens=tokens, outputs=outputs)
