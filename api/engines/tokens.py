"""Token ids to the converted model's token strings and back, for CTranslate2 (which speaks strings).

The tokenizer already holds this map in memory (the ``tokenizers`` library's Rust vocabulary), so the
engine asks it, instead of keeping a second copy of 250k strings per model. What the tokenizer does
not know are the rows the checkpoints add past its size: mT5's embedding has 250,112 rows for
250,100 tokens, NLLB-200's 256,206 for 256,204, and CTranslate2 names them (``<unused_N>``,
``madeupwordN``). Those few are kept here.
"""

from __future__ import annotations

from collections.abc import Sequence


class VocabularyMismatch(ValueError):
    """The converted model's rows and the tokenizer disagree: the conversion came from other files."""


class TokenNames:
    def __init__(self, backend, rows: Sequence[str]):
        """``backend``: the fast tokenizer's ``tokenizers.Tokenizer``; ``rows``: the converted model's
        tokens by id (``api.models.convert.vocabulary``), checked against it once, here."""
        size = backend.get_vocab_size(with_added_tokens=True)
        if size > len(rows):
            raise VocabularyMismatch(f"the tokenizer has {size} tokens, the converted model only {len(rows)} rows")
        differ = [i for i in range(size) if backend.id_to_token(i) != rows[i]]
        if differ:
            first = differ[0]
            raise VocabularyMismatch(
                f"{len(differ)} token ids differ between the tokenizer and the converted model (first: id "
                f"{first}, {backend.id_to_token(first)!r} vs {rows[first]!r}); convert the model again "
                "(ringkas fetch-models)"
            )
        self._backend = backend
        self._size = size
        self._extra = list(rows[size:])
        # A padding row's name could repeat a real token's; the lower id wins, as in the tokenizer.
        self._extra_ids = {name: size + i for i, name in reversed(list(enumerate(self._extra)))}

    def __len__(self) -> int:
        return self._size + len(self._extra)

    def token(self, index: int) -> str:
        if 0 <= index < self._size:
            return self._backend.id_to_token(index)
        if self._size <= index < len(self):
            return self._extra[index - self._size]
        raise IndexError(f"token id {index} is outside the vocabulary of {len(self)}")

    def id(self, token: str) -> int:
        found = self._backend.token_to_id(token)
        if found is None:
            found = self._extra_ids.get(token)
        if found is None:
            raise KeyError(token)
        return found

    def tokens(self) -> list[str]:
        return [self.token(i) for i in range(len(self))]
