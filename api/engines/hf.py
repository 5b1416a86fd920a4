"""The reference engine: transformers ``generate`` in fp32 on CPU."""

from __future__ import annotations

from collections.abc import Sequence

import torch

from api.engines.base import GenerationParams


class TransformersEngine:
    name = "transformers"

    def __init__(self, model: torch.nn.Module, *, pad_id: int, eos_id: int):
        self.model = model.eval()
        self.pad_id = pad_id
        self.eos_id = eos_id

    def generate(self, batch: Sequence[Sequence[int]], params: GenerationParams) -> list[list[int]]:
        if not batch:
            return []
        width = max(len(seq) for seq in batch)
        input_ids = torch.full((len(batch), width), self.pad_id, dtype=torch.long)
        attention_mask = torch.zeros((len(batch), width), dtype=torch.long)
        for row, seq in enumerate(batch):
            input_ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
            attention_mask[row, : len(seq)] = 1
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
