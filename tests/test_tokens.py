"""The CTranslate2 engine's ids <-> token strings: the tokenizer's own map, plus the padding rows the
checkpoints add past it."""

import pytest

from api.engines.tokens import TokenNames, TokenTable, VocabularyMismatch
from api.models.convert import ensure_converted, vocabulary
from api.models.loading import ModelSource
from api.tiny_models import PADDING_ROWS
from tests.helpers import fast_tokenizer

pytestmark = pytest.mark.integration

ARCH = {"summarizer": "mt5", "translator": "m2m100"}


@pytest.fixture(scope="module")
def rows(tiny_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("tokens")
    lead = {"summarizer": None, "translator": "eng_Latn"}  # as the factory converts them
    return {
        role: vocabulary(ensure_converted(ModelSource(str(tiny_dir / role)), None, "int8", root, lead[role]))
        for role in ARCH
    }


@pytest.mark.parametrize("role", sorted(ARCH))
def test_every_row_maps_to_its_id_and_back(tiny_dir, rows, role):
    backend = fast_tokenizer(tiny_dir / role)
    names = TokenNames(backend, rows[role])
    assert len(names) == len(rows[role]) == backend.get_vocab_size() + PADDING_ROWS[ARCH[role]]
    assert names.tokens() == rows[role]
    assert [names.id(token) for token in rows[role]] == list(range(len(rows[role])))
    # The padding rows are CTranslate2's own names, which the tokenizer does not know.
    padding = rows[role][backend.get_vocab_size() :]
    assert padding and all(backend.token_to_id(name) is None for name in padding)


def test_a_converted_model_from_another_tokenizer_is_refused(tiny_dir, rows):
    backend = fast_tokenizer(tiny_dir / "summarizer")
    swapped = list(rows["summarizer"])
    swapped[5], swapped[6] = swapped[6], swapped[5]
    with pytest.raises(VocabularyMismatch, match="2 token ids differ"):
        TokenNames(backend, swapped)
    with pytest.raises(VocabularyMismatch, match="only"):
        TokenNames(backend, rows["summarizer"][:10])


def test_unknown_tokens_and_ids_out_of_range_raise(tiny_dir, rows):
    names = TokenNames(fast_tokenizer(tiny_dir / "summarizer"), rows["summarizer"])
    with pytest.raises(KeyError):
        names.id("▁kata-yang-tidak-ada")
    for index in (-1, len(rows["summarizer"]), 10**6):  # a list would quietly wrap -1 to the last token
        with pytest.raises(IndexError):
            names.token(index)


@pytest.mark.unit
def test_the_compact_table_handles_non_ascii_tokens_and_hash_collisions():
    # hash_fn=len makes every token of the same length collide: the text comparison decides.
    tokens = ["▁rumah", "▁Łódź", "🙂", "é", "ß", "ab", "▁", "</s>", "东京"]
    table = TokenTable(tokens, hash_fn=len)
    assert [table.id(token) for token in tokens] == list(range(len(tokens)))
    assert [table.token(i) for i in range(len(tokens))] == tokens
    with pytest.raises(KeyError):
        table.id("zz")  # same length as "ab", "东京": collides, matches neither
    with pytest.raises(IndexError):
        TokenTable([]).token(0)
