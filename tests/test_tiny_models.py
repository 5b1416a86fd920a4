import hashlib

import pytest
import torch
from transformers import AutoConfig, AutoModelForSeq2SeqLM, AutoTokenizer

from api.tiny_models import build_tiny_models

pytestmark = pytest.mark.integration


def _digest(folder):
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_builder_is_deterministic(tiny_dir, tmp_path):
    again = tmp_path / "again"
    build_tiny_models(again)
    assert _digest(again) == _digest(tiny_dir)


def test_real_architectures_and_files(tiny_dir):
    summarizer = AutoConfig.from_pretrained(tiny_dir / "summarizer")
    translator = AutoConfig.from_pretrained(tiny_dir / "translator")
    assert summarizer.architectures == ["MT5ForConditionalGeneration"] and summarizer.model_type == "mt5"
    assert translator.architectures == ["M2M100ForConditionalGeneration"] and translator.model_type == "m2m_100"
    assert (tiny_dir / "summarizer" / "spiece.model").is_file()
    assert (tiny_dir / "translator" / "sentencepiece.bpe.model").is_file()
    assert "license: apache-2.0" in (tiny_dir / "summarizer" / "README.md").read_text()


def test_mt5_output_layer_is_untied_like_the_real_checkpoint(tiny_dir):
    model = AutoModelForSeq2SeqLM.from_pretrained(tiny_dir / "summarizer")
    assert model.lm_head.weight.shape == model.shared.weight.shape
    assert model.lm_head.weight.data_ptr() != model.shared.weight.data_ptr()
    assert not torch.equal(model.lm_head.weight, model.shared.weight)


def test_tokenizers_are_trained_on_the_seeds(tiny_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir / "summarizer")
    # Words frequent in the seeds are whole pieces; a word never seen there falls apart.
    seen = tokenizer("Ukraina", add_special_tokens=False).input_ids
    unseen = tokenizer("Zxqwv", add_special_tokens=False).input_ids
    assert len(seen) <= 2 < len(unseen)
    assert tokenizer.eos_token_id == 1 and tokenizer.pad_token_id == 0  # mT5 layout


def test_nllb_tokenizer_has_language_code_tokens(tiny_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_dir / "translator")
    eng, ind = tokenizer.convert_tokens_to_ids(["eng_Latn", "ind_Latn"])
    assert tokenizer.unk_token_id not in (eng, ind) and eng != ind
    ids = tokenizer("Rusia dan Ukraina").input_ids
    assert ids[0] == tokenizer.convert_tokens_to_ids(tokenizer.src_lang) and ids[-1] == tokenizer.eos_token_id


@pytest.mark.unit
def test_missing_seeds_folder_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no seed articles"):
        build_tiny_models(tmp_path / "out", tmp_path / "empty")
