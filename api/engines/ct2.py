"""The fast engine: CTranslate2 (int8 by default), running a model that ``api.models.convert`` made.
At serve time only the tokenizer, the converted model and its vocabulary map are in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from api.engines.base import GenerationParams
from api.engines.gemm import GemmChoice
from api.engines.tokens import TokenNames
from api.models.convert import vocabulary
from api.models.vocab import KeptVocabulary


class CTranslate2Engine:
    """CTranslate2 speaks token strings; ids are mapped through the converted model's own vocabulary,
    read back in the tokenizer's id order (undoing the translator's lead-token row move; the parity
    tests hold it to that)."""

    name = "ctranslate2"

    def __init__(
        self,
        model_dir: Path,
        *,
        tokenizer,
        compute_type: str,
        threads: int,
        parallel: int = 1,
        kept: KeptVocabulary | None = None,
        gemm: GemmChoice | None = None,
    ):
        import ctranslate2

        self.model_dir = model_dir
        # Restriction needs both the kept set (for reporting) and the map file CTranslate2 reads.
        self.kept = kept if kept is not None and (model_dir / "vmap.txt").is_file() else None
        self.compute_type = compute_type
        self.gemm = gemm
        self.name = f"ctranslate2-{compute_type}"
        # ``tokenizer``: the fast tokenizer's ``tokenizers.Tokenizer``, which already holds the id map.
        self.vocab = TokenNames(tokenizer, vocabulary(model_dir))
        # inter_threads: batches that may run at once (one per batcher thread); intra: math threads each.
        self.intra_threads = max(1, threads // parallel)
        self.translator = ctranslate2.Translator(
            str(model_dir),
            device="cpu",
            compute_type=compute_type,
            inter_threads=parallel,
            intra_threads=self.intra_threads,
        )

    def describe(self) -> dict:
        """What runs, for /v1/models: the compute type CTranslate2 selected, its GEMM library and why,
        and the thread layout. (Its own instruction set is only in its log; `ringkas bench` reports it.)"""
        return {
            "engine": "ctranslate2",
            "compute_type": self.translator.compute_type,
            "gemm": self.gemm.describe() if self.gemm else None,
            "intra_threads": self.intra_threads,
            "inter_threads": self.translator.num_translators,
            "vocabulary": self.kept.summary() if self.kept else {"kept": "full"},
        }

    def tokens(self, ids: Sequence[int]) -> list[str]:
        return [self.vocab.token(i) for i in ids]

    def generate(self, batch: Sequence[Sequence[int]], params: GenerationParams) -> list[list[int]]:
        if not batch:
            return []
        prefix = None
        if params.forced_bos_token_id is not None:
            # transformers counts the forced language token among the new tokens; so does CTranslate2
            # when it is given as the target prefix, so the length limits carry over unchanged.
            prefix = [[self.vocab.token(params.forced_bos_token_id)]] * len(batch)
        results = self.translator.translate_batch(
            [self.tokens(seq) for seq in batch],
            target_prefix=prefix,
            beam_size=params.num_beams,
            length_penalty=params.length_penalty,
            no_repeat_ngram_size=params.no_repeat_ngram_size,
            max_decoding_length=params.max_new_tokens,
            min_decoding_length=params.min_new_tokens,
            max_input_length=0,  # inputs are already cut to the window; never truncate silently here
            use_vmap=params.restrict and self.kept is not None,
        )
        return [[self.vocab.id(token) for token in result.hypotheses[0]] for result in results]
