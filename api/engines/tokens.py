"""A compact two-way map between a converted model's tokens and their ids.

CTranslate2's ``Translator`` speaks token strings, so its engine maps ids to tokens and back. Held
as a list and a dict, a 250k-token vocabulary costs ~31 MB per model (a str object and a dict entry
per token). Here it is one UTF-8 buffer with end offsets, and one sorted array of keys that pack a
token's hash (high bits) with its id (low bits): ~6 MB, built in about a tenth of a second. A lookup
is a bisection plus a string comparison, a microsecond or two: nothing next to a decoding step.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import accumulate


class TokenTable:
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
