"""What a CTranslate2 worker needs of a checkpoint, without transformers.

transformers' configuration module imports torch (~230 MB of RSS and over a second per worker) even
to read a tokenizer, and a checkpoint that ships only a sentencepiece model is converted to a fast
tokenizer again on every start. A converted model folder therefore also holds the fast tokenizer
(``tokenizer.json``) and the few config facts serving reads (``ringkas_serving.json``), written once
at conversion; a worker loads them with the ``tokenizers`` library alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

SERVING_FILE = "ringkas_serving.json"
TOKENIZER_FILE = "tokenizer.json"
# The config facts the stages read (window, task prefix, model type for /v1/models).
CONFIG_KEYS = (
    "model_type",
    "architectures",
    "task_specific_params",
    "max_position_embeddings",
    "is_encoder_decoder",
    "vocab_size",
)


def write_serving_files(tokenizer: Any, config: Any, folder: Path) -> None:
    """Called at conversion, where transformers is loaded anyway."""
    tokenizer.backend_tokenizer.save(str(folder / TOKENIZER_FILE))
    meta = {
        "special": {name: getattr(tokenizer, f"{name}_token_id", None) for name in ("bos", "eos", "unk", "pad")},
        "all_special_ids": sorted(set(tokenizer.all_special_ids)),
        "legacy_behaviour": bool(getattr(tokenizer, "legacy_behaviour", False)),
        "config": {key: getattr(config, key, None) for key in CONFIG_KEYS},
    }
    (folder / SERVING_FILE).write_text(json.dumps(meta), encoding="utf-8")


def has_serving_files(folder: Path) -> bool:
    return (folder / SERVING_FILE).is_file() and (folder / TOKENIZER_FILE).is_file()


class LightTokenizer:
    """The part of a transformers fast tokenizer the stages use, on the same Rust tokenizer: the same
    ids and the same decoded text (a test holds the two to that on every seed)."""

    def __init__(self, folder: Path):
        from tokenizers import Tokenizer

        meta = json.loads((folder / SERVING_FILE).read_text(encoding="utf-8"))
        # Named as in transformers: the CTranslate2 engine maps ids to tokens through it.
        self.backend_tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        special = meta["special"]
        self.bos_token_id = special.get("bos")
        self.eos_token_id = special.get("eos")
        self.unk_token_id = special.get("unk")
        self.pad_token_id = special.get("pad")
        self.all_special_ids = list(meta["all_special_ids"])
        self.legacy_behaviour = meta["legacy_behaviour"]

    def __call__(self, text: str | Sequence[str], add_special_tokens: bool = True) -> SimpleNamespace:
        if isinstance(text, str):
            return SimpleNamespace(
                input_ids=self.backend_tokenizer.encode(text, add_special_tokens=add_special_tokens).ids
            )
        encoded = self.backend_tokenizer.encode_batch(list(text), add_special_tokens=add_special_tokens)
        return SimpleNamespace(input_ids=[item.ids for item in encoded])

    def decode(self, ids: Sequence[int], skip_special_tokens: bool = False, **_: Any) -> str:
        return self.backend_tokenizer.decode(list(ids), skip_special_tokens=skip_special_tokens)

    def get_vocab(self) -> dict[str, int]:
        # Built on demand (checks at start only): held for a worker's life it would cost memory, and
        # lookups go to the Rust tokenizer instead.
        return self.backend_tokenizer.get_vocab(with_added_tokens=True)

    def convert_ids_to_tokens(self, ids: int | Sequence[int]):
        if isinstance(ids, int):
            return self.backend_tokenizer.id_to_token(ids)
        return [self.backend_tokenizer.id_to_token(i) for i in ids]

    def convert_tokens_to_ids(self, tokens: str | Sequence[str]):
        if isinstance(tokens, str):
            return self._to_id(tokens)
        return [self._to_id(token) for token in tokens]

    def _to_id(self, token: str) -> int | None:
        found = self.backend_tokenizer.token_to_id(token)
        return self.unk_token_id if found is None else found

    def __len__(self) -> int:
        return self.backend_tokenizer.get_vocab_size(with_added_tokens=True)


def light_config(folder: Path) -> SimpleNamespace:
    meta = json.loads((folder / SERVING_FILE).read_text(encoding="utf-8"))
    return SimpleNamespace(**meta["config"])
