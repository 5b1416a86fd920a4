import json
import time

import pytest

from api.errors import ModelUnavailable
from api.models.loading import ModelSource, check_available, load_seq2seq, read_licence

pytestmark = pytest.mark.integration


def test_local_folder_loads_with_licence_from_its_card(tiny_dir):
    loaded = load_seq2seq(ModelSource(str(tiny_dir / "translator")))
    assert loaded.licence == "apache-2.0"
    assert loaded.architecture == "M2M100ForConditionalGeneration"
    assert loaded.revision is None  # a folder has no hub revision


def test_licence_setting_overrides_the_card(tiny_dir):
    source = ModelSource(str(tiny_dir / "summarizer"), licence="cc-by-nc-sa-4.0")
    assert load_seq2seq(source).licence == "cc-by-nc-sa-4.0"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("card", "expected"),
    [
        ("---\nlicense: cc-by-nc-4.0\nlanguage: [id]\n---\n# NLLB", "cc-by-nc-4.0"),
        ("# no front matter\nlicense: mit", None),
        ("---\n: [broken\n---\n", None),
        ("---\ntags: [x]\n---\n", None),
    ],
)
def test_card_licence_parsing(card, expected, tmp_path):
    (tmp_path / "README.md").write_text(card, encoding="utf-8")
    assert read_licence(ModelSource(str(tmp_path))) == expected


@pytest.mark.unit
def test_hub_id_offline_and_not_cached_fails_fast_naming_model_and_command(tmp_path):
    source = ModelSource("csebuetnlp/mT5_multilingual_XLSum", revision="2437a524", cache_dir=tmp_path, offline=True)
    assert source.hub_kwargs() == {"revision": "2437a524", "cache_dir": tmp_path, "local_files_only": True}
    started = time.monotonic()
    with pytest.raises(ModelUnavailable) as info:
        load_seq2seq(source)
    assert time.monotonic() - started < 30
    detail = info.value.detail
    assert "csebuetnlp/mT5_multilingual_XLSum" in detail and "2437a524" in detail
    assert "ringkas fetch-models" in detail and "Traceback" not in detail
    with pytest.raises(ModelUnavailable):
        check_available(source)
    assert read_licence(source) is None


@pytest.mark.unit
def test_a_decoder_only_model_is_refused_clearly(tmp_path):
    folder = tmp_path / "gpt2"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"model_type": "gpt2", "n_layer": 1}))
    with pytest.raises(ModelUnavailable, match="not an encoder-decoder"):
        load_seq2seq(ModelSource(str(folder)))


def test_a_folder_without_weights_is_a_model_error_not_a_crash(tiny_dir, tmp_path):
    folder = tmp_path / "no-weights"
    folder.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (folder / name).write_bytes((tiny_dir / "summarizer" / name).read_bytes())
    with pytest.raises(ModelUnavailable, match="no-weights"):
        load_seq2seq(ModelSource(str(folder)))
