import pytest

from api.config import DEFAULT_PROMPTS
from api.errors import ValidationFailed
from api.models.languages import detect_scheme
from api.prompts import load_prompts

pytestmark = pytest.mark.integration

PROMPTS = load_prompts(DEFAULT_PROMPTS).translate


class VocabOnly:
    """Stands in for a tokenizer of another family: only its vocabulary is read."""

    def __init__(self, tokens, eos_id=2):
        self._vocab = {token: index for index, token in enumerate(tokens)}
        self.eos_token_id = eos_id

    def get_vocab(self):
        return dict(self._vocab)


def test_nllb_scheme_from_the_tiny_tokenizer(pipeline):
    translator = pipeline.translator
    scheme = translator.scheme
    tokenizer = translator.tokenizer
    assert scheme.kind == "nllb"
    assert {"ind_Latn", "eng_Latn", "zsm_Latn"} <= set(scheme.targets)
    ind = tokenizer.convert_tokens_to_ids("ind_Latn")
    # Same layout the tokenizer itself produces for src_lang=ind_Latn: code, tokens, </s>.
    expected = tokenizer("Rusia dan Ukraina").input_ids
    body = tokenizer("Rusia dan Ukraina", add_special_tokens=False).input_ids
    assert scheme.wrap_source(body, "ind_Latn") == expected == [ind, *body, tokenizer.eos_token_id]
    assert scheme.forced_bos("eng_Latn") == tokenizer.convert_tokens_to_ids("eng_Latn")


@pytest.mark.unit
def test_m2m100_scheme_maps_nllb_codes_to_iso_tokens():
    scheme = detect_scheme(VocabOnly(["<s>", "<pad>", "</s>", "__id__", "__en__", "__fr__", "halo"]), PROMPTS)
    assert scheme.kind == "m2m100"
    assert scheme.targets == ["eng_Latn", "fra_Latn", "ind_Latn"]
    assert scheme.wrap_source([6], "ind_Latn") == [3, 6, 2]
    assert scheme.forced_bos("eng_Latn") == 4


@pytest.mark.unit
def test_checkpoint_without_language_tokens_is_a_fixed_pair():
    scheme = detect_scheme(VocabOnly(["<pad>", "</s>", "halo", "dunia"], eos_id=1), PROMPTS)
    assert scheme.kind == "fixed"
    assert (scheme.sources, scheme.targets) == (["ind_Latn"], ["eng_Latn"])
    assert scheme.wrap_source([2, 3], "ind_Latn") == [2, 3, 1]
    assert scheme.forced_bos("eng_Latn") is None
    with pytest.raises(ValidationFailed) as info:
        scheme.check("ind_Latn", "fra_Latn")
    assert info.value.extra["errors"][0]["loc"] == ["target_lang"]


def test_unknown_codes_name_the_offending_fields(pipeline):
    with pytest.raises(ValidationFailed) as info:
        pipeline.translator.scheme.check("xx", "eng")
    assert [e["loc"] for e in info.value.extra["errors"]] == [["source_lang"], ["target_lang"]]
