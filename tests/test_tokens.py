"""The CTranslate2 engine's compact token <-> id table."""

import json

import pytest

from api.engines.tokens import TokenTable
from api.models.convert import ensure_converted
from api.models.loading import ModelSource


@pytest.fixture(scope="module")
def vocabularies(tiny_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("tokens")
    out = {}
    for role in ("summarizer", "translator"):
        folder = ensure_converted(ModelSource(str(tiny_dir / role)), None, "int8", root)
        name = next(n for n in ("shared_vocabulary.json", "target_vocabulary.json") if (folder / n).is_file())
        out[role] = json.loads((folder / name).read_text(encoding="utf-8"))
    return out


@pytest.mark.parametrize("role", ["summarizer", "translator"])
def test_every_token_maps_to_its_id_and_back(vocabularies, role):
    tokens = vocabularies[role]
    table = TokenTable(tokens)
    assert len(table) == len(tokens)
    assert table.tokens() == tokens
    assert [table.id(token) for token in tokens] == list(range(len(tokens)))


def test_non_ascii_tokens_and_hash_collisions():
    # hash_fn=len makes every token of the same length collide: the text comparison decides.
    tokens = ["▁rumah", "▁Łódź", "🙂", "é", "ß", "ab", "▁", "</s>", "东京"]
    table = TokenTable(tokens, hash_fn=len)
    assert [table.id(token) for token in tokens] == list(range(len(tokens)))
    assert [table.token(i) for i in range(len(tokens))] == tokens
    with pytest.raises(KeyError):
        table.id("zz")  # same length as "ab", "东京": collides, matches neither


def test_unknown_tokens_and_ids_out_of_range_raise():
    table = TokenTable(["<pad>", "</s>", "▁kota"])
    with pytest.raises(KeyError):
        table.id("▁desa")
    for index in (-1, 3, 10**6):  # a list would quietly wrap -1 to the last token
        with pytest.raises(IndexError):
            table.token(index)
