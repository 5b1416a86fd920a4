"""The Engine protocol: token ids in, token ids out, so engines can be swapped and compared."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Protocol


@dataclass(frozen=True)
class GenerationParams:
    """Decoding settings for one generate call. Hashable: the batcher groups equal params together."""

    max_new_tokens: int
    min_new_tokens: int = 0
    num_beams: int = 1
    no_repeat_ngram_size: int = 0
    length_penalty: float = 1.0
    forced_bos_token_id: int | None = None
    # Decode over the engine's kept vocabulary plus the batch's source tokens (when it has one):
    # true for the summary's language and the kept set's translation target, false for any other.
    restrict: bool = False

    def as_kwargs(self) -> dict:
        """The transformers ``generate`` keywords (``restrict`` is the engine's own business)."""
        return {k: v for k, v in asdict(self).items() if v is not None and k != "restrict"}


class Engine(Protocol):
    """Runs one batch. Each input is a full encoder sequence (special tokens included); each output
    holds the generated tokens after the decoder start token, without padding or the final EOS."""

    name: str

    def generate(self, batch: Sequence[Sequence[int]], params: GenerationParams) -> list[list[int]]: ...

    def describe(self) -> dict:
        """What runs (precision, threads, kept vocabulary), for /v1/models and the bench."""
        ...
