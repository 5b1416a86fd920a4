"""Turns article text into summarizer input ids and generated ids back into text."""

from __future__ import annotations

from dataclasses import dataclass

from api.engines.base import GenerationParams
from api.engines.batcher import Batcher
from api.engines.gather import gather
from api.models.loading import LoadedModel
from api.prompts import Preset, SummarizePrompts
from api.text import split_sentences


@dataclass(frozen=True)
class EncodedArticle:
    ids: list[int]
    tokens: int  # of the whole templated article, before any truncation
    window: int

    @property
    def truncated(self) -> bool:
        return self.tokens > self.window


@dataclass(frozen=True)
class SummarizerOutput:
    text: str
    ids: list[int]
    article: EncodedArticle


class Summarizer:
    def __init__(self, loaded: LoadedModel, batcher: Batcher, prompts: SummarizePrompts):
        self.loaded = loaded
        self.batcher = batcher
        self.prompts = prompts
        self.tokenizer = loaded.tokenizer
        # The checkpoint's own task prefix ("summarize: " for original T5), from its config.
        task_params = getattr(loaded.config, "task_specific_params", None) or {}
        self.prefix = (task_params.get("summarization") or {}).get("prefix", "") or ""
        positions = getattr(loaded.config, "max_position_embeddings", None)
        self.window = min(prompts.input.max_tokens, positions) if positions else prompts.input.max_tokens
        self.special_prefix, self.special_suffix = self._special_layout()

    def encode(self, text: str) -> EncodedArticle:
        body = self.tokenizer(self.prompts.render(text, self.prefix), add_special_tokens=False).input_ids
        total = len(self.special_prefix) + len(body) + len(self.special_suffix)
        room = self.window - len(self.special_prefix) - len(self.special_suffix)
        # Truncate by hand, keeping the closing EOS: asking the tokenizer to truncate would change
        # its shared Rust state on every call, which concurrent request threads race on
        # ("Already borrowed").
        ids = [*self.special_prefix, *body[:room], *self.special_suffix]
        return EncodedArticle(ids=ids, tokens=total, window=self.window)

    def _special_layout(self) -> tuple[list[int], list[int]]:
        """The special tokens the checkpoint puts around a text: none/</s> for T5, <s>/</s> for BART."""
        probe = "Berita"
        body = self.tokenizer(probe, add_special_tokens=False).input_ids
        wrapped = self.tokenizer(probe).input_ids
        for start in range(len(wrapped) - len(body) + 1):
            if wrapped[start : start + len(body)] == body:
                return wrapped[:start], wrapped[start + len(body) :]
        return [], [self.tokenizer.eos_token_id]

    @staticmethod
    def params(preset: Preset) -> GenerationParams:
        return GenerationParams(
            max_new_tokens=preset.max_new_tokens,
            min_new_tokens=preset.min_new_tokens,
            num_beams=preset.num_beams,
            no_repeat_ngram_size=preset.no_repeat_ngram_size,
            length_penalty=preset.length_penalty,
            restrict=True,  # the summary is always in the summarizer's one language
        )

    def chunks(self, text: str) -> list[list[int]]:
        """Windows of whole sentences, each with the template's prefix and the closing tokens; a
        sentence longer than a window is cut by tokens. Every token of the article is in one window."""
        prefix = self.tokenizer(self.prefix, add_special_tokens=False).input_ids if self.prefix else []
        room = self.window - len(self.special_prefix) - len(self.special_suffix) - len(prefix)
        sentences = split_sentences(text)
        windows: list[list[int]] = []
        current: list[int] = []
        for tokens in self.tokenizer(sentences, add_special_tokens=False).input_ids if sentences else []:
            pieces = [tokens[i : i + room] for i in range(0, len(tokens), room)] or [[]]
            for piece in pieces:
                if current and len(current) + len(piece) > room:
                    windows.append(current)
                    current = []
                current = [*current, *piece]
        if current:
            windows.append(current)
        return [[*self.special_prefix, *prefix, *window, *self.special_suffix] for window in windows]

    def run(self, inputs: list[list[int]], preset: Preset, deadline: float) -> list[list[int]]:
        """Generate for several encoder inputs at once: they share one trip through the batcher."""
        return gather(self.batcher.submit(inputs, self.params(preset)), deadline, "summarization")

    def summarize(self, text: str, preset: Preset, deadline: float) -> SummarizerOutput:
        article = self.encode(text)
        [ids] = self.run([article.ids], preset, deadline)
        return SummarizerOutput(text=self.decode(ids), ids=ids, article=article)

    def decode(self, ids: list[int]) -> str:
        return self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False).strip()
