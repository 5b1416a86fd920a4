"""The reference engine: transformers ``generate`` in fp32 on CPU."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from api.engines.base import GenerationParams
from api.models.vocab import KeptVocabulary, source_candidates


class TransformersEngine:
    name = "transformers"

    def __init__(
        self,
        model: torch.nn.Module,
        *,
        pad_id: int,
        eos_id: int,
        kept: KeptVocabulary | None = None,
        never: frozenset[int] = frozenset(),
    ):
        self.model = model.eval()
        self.pad_id = pad_id
        self.eos_id = eos_id
        self.kept = kept
        self.never = never
        self._kept_bias: torch.Tensor | None = None
        if kept is not None:
            rows = model.get_output_embeddings().out_features
            self._kept_bias = torch.full((rows,), float("-inf"))
            self._kept_bias[list(kept.ids)] = 0.0

    def describe(self) -> dict:
        return {
            "engine": "transformers",
            "compute_type": str(next(self.model.parameters()).dtype).removeprefix("torch."),
            "intra_threads": torch.get_num_threads(),
            "inter_threads": 1,
            "vocabulary": self.kept.summary() if self.kept else {"kept": "full"},
        }

    def _restriction(self, batch: Sequence[Sequence[int]]) -> torch.Tensor:
        """0 for the batch's candidates (kept set + copyable source tokens), -inf elsewhere."""
        bias = self._kept_bias.clone()
        bias[list(source_candidates(batch, self.never))] = 0.0
        return bias

    def generate(self, batch: Sequence[Sequence[int]], params: GenerationParams) -> list[list[int]]:
        if not batch:
            return []
        width = max(len(seq) for seq in batch)
        input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, seq in enumerate(batch):
            input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            attention_mask[row, : len(seq)] = 1
        # The bias goes onto the output layer's logits, before generate's log-softmax: probabilities are
        # renormalised over the candidates, as CTranslate2 does when it computes only those rows.
        hook = None
        if params.restrict and self._kept_bias is not None:
            bias = self._restriction(batch)
            hook = self.model.get_output_embeddings().register_forward_hook(lambda _m, _i, out: out + bias)
        try:
            return self._generate(input_ids, attention_mask, params)
        finally:
            if hook is not None:
                hook.remove()

    def _generate(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, params: GenerationParams):
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids,
                attention_mask=attention_mask,
                do_sample=False,
                num_return_sequences=1,
                pad_token_id=self.pad_id,
                eos_token_id=self.eos_id,
                **params.as_kwargs(),
            )
        return [self._trim(row.tolist()[1:]) for row in out]

    def _trim(self, tokens: list[int]) -> list[int]:
        """Cut at the first EOS; what follows is padding for sequences that finished early."""
        if self.eos_id in tokens:
            tokens = tokens[: tokens.index(self.eos_id)]
        return tokens
