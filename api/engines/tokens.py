"""Token ids to the converted model's token strings and back, for CTranslate2 (which speaks strings).

The tokenizer already holds this map in memory (the ``tokenizers`` library's Rust vocabulary), so the
engine asks it, instead of keeping a second copy of 250k strings per model. What the tokenizer does
not know are the rows the checkpoints add past its size: mT5's embedding has 250,112 rows for
250,100 tokens, NLLB-200's 256,206 for 256,204, and CTranslate2 names them (``<unused_N>``,
``madeupwordN``). Those few are kept here, in a compact table: compact because the bench's stand-in
models pair a small seed-trained tokenizer with the real 250k-row embeddings, so there nearly every
row is past the tokenizer.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import accumulate


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
        self._extra = TokenTable(rows[size:])

    def __len__(self) -> int:
        return self._size + len(self._extra)

    def token(self, index: int) -> str:
        if 0 <= index < self._size:
            return self._backend.id_to_token(index)
        if self._size <= index < len(self):
            return self._extra.token(index - self._size)
        raise IndexError(f"token id {index} is outside the vocabulary of {len(self)}")

    def id(self, token: str) -> int:
        found = self._backend.token_to_id(token)  # a padding row's name that repeats a token: the token's id
        return found if found is not None else self._size + self._extra.id(token)

    def tokens(self) -> list[str]:
        return [self.token(i) for i in range(len(self))]


class TokenTable:
    """A compact two-way map for a list of tokens. Held as a list and a dict, 250k tokens cost ~31 MB
    (a str object and a dict entry per token). Here it is one UTF-8 buffer with end offsets, and one
    sorted array of keys that pack a token's hash (high bits) with its index (low bits): ~6.7 MB. A
    lookup is a bisection plus a string comparison, a microsecond or two."""

    def __init__(self, tokens: Sequence[str], hash_fn: Callable[[str], int] = hash):
        # hash() is stable within a process, which is all the table lives for.
        self._hash = hash_fn
        self._blob = "".join(tokens).encode("utf-8")
        self._ends = array("I", accumulate(map(len, map(str.encode, tokens))))
        self._id_bits = max(1, (len(tokens) - 1).bit_length())
        self._id_mask = (1 << self._id_bits) - 1
        self._hash_mask = (1 << (63 - self._id_bits)) - 1  # keys stay non-negative 64-bit integers
        mask, bits = self._hash_mask, self._id_bits
        self._keys = array("q", sorted([(h & mask) << bits | i for i, h in enumerate(map(hash_fn, tokens))]))

    def _key(self, token: str) -> int:
        return (self._hash(token) & self._hash_mask) << self._id_bits

    def __len__(self) -> int:
        return len(self._ends)

    def token(self, index: int) -> str:
        if not 0 <= index < len(self._ends):
            raise IndexError(f"token id {index} is outside the vocabulary of {len(self._ends)}")
        start = self._ends[index - 1] if index else 0
        return self._blob[start : self._ends[index]].decode("utf-8")

    def id(self, token: str) -> int:
        key = self._key(token)
        at = bisect_left(self._keys, key)
        while at < len(self._keys) and self._keys[at] >> self._id_bits == key >> self._id_bits:
            index = self._keys[at] & self._id_mask  # equal hashes: compare the text
            if self.token(index) == token:
                return index
            at += 1
        raise KeyError(token)

    def tokens(self) -> list[str]:
        return [self.token(i) for i in range(len(self))]
