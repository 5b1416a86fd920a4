"""The torch-free serving path: the converted folder's own tokenizer against transformers'."""

import json
import subprocess
import sys

import pytest
from transformers import AutoTokenizer

from api.models.convert import ensure_converted
from api.models.light import SERVING_FILE, LightTokenizer, light_config
from api.models.loading import ModelSource

pytestmark = pytest.mark.integration

ROLES = ("summarizer", "translator")


@pytest.fixture(scope="module")
def pairs(tiny_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("light")
    out = {}
    for role in ROLES:
        folder = ensure_converted(ModelSource(str(tiny_dir / role)), None, "int8", root)
        out[role] = (AutoTokenizer.from_pretrained(tiny_dir / role), LightTokenizer(folder), folder)
    return out


@pytest.mark.parametrize("role", ROLES)
def test_same_ids_and_text_as_transformers_on_every_seed(pairs, seed_texts, role):
    hf, light, _ = pairs[role]
    lines = [line for text in seed_texts for line in text.splitlines() if line.strip()]
    lines += ["", "  spasi  ganda ", "Harga Rp4.750,25 — “naik” 3,5%", "Émile Zola & Łódź 🙂"]
    assert light(lines, add_special_tokens=False).input_ids == hf(lines, add_special_tokens=False).input_ids
    for line in lines[:20]:
        assert light(line).input_ids == hf(line).input_ids  # with the checkpoint's special tokens
        ids = hf(line).input_ids
        expected = hf.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
        assert light.decode(ids, skip_special_tokens=True) == expected
    assert light.get_vocab() == hf.get_vocab() and len(light) == len(hf)
    assert sorted(light.all_special_ids) == sorted(set(hf.all_special_ids))
    for name in ("bos", "eos", "unk", "pad"):
        assert getattr(light, f"{name}_token_id") == getattr(hf, f"{name}_token_id")
    assert light.convert_ids_to_tokens([5, 6]) == hf.convert_ids_to_tokens([5, 6])
    tokens = [*hf.get_vocab(), "no-such-piece"]
    assert light.convert_tokens_to_ids(tokens) == hf.convert_tokens_to_ids(tokens)
    assert light.convert_tokens_to_ids("no-such-piece") == hf.unk_token_id


def test_the_config_facts_serving_reads_are_kept(pairs, tiny_dir):
    from transformers import AutoConfig

    for role in ROLES:
        config = AutoConfig.from_pretrained(tiny_dir / role)
        light = light_config(pairs[role][2])
        assert light.model_type == config.model_type
        assert light.max_position_embeddings == getattr(config, "max_position_embeddings", None)
        assert light.architectures == config.architectures
    assert json.loads((pairs["translator"][2] / SERVING_FILE).read_text())["special"]["eos"] == 2


def test_a_ctranslate2_worker_never_imports_torch_or_transformers(settings, runtime):
    """The runtime fixture already converted everything; a fresh process then loads and serves."""
    code = (
        "import sys, json\n"
        "from api.config import Settings\n"
        "from api.runtime import Runtime\n"
        "from api.schemas import SummarizeRequest\n"
        f"s = Settings.model_validate_json({settings.model_dump_json()!r})\n"
        "rt = Runtime(s).start(background=False)\n"
        "assert rt.state == 'ready', rt.error\n"
        "out = rt.require().summarize(SummarizeRequest(text='Pemerintah Indonesia mengumumkan rencana baru. ' * 5,"
        " translate=True))\n"
        "assert out.translation.text\n"
        "print(json.dumps(sorted(m for m in ('torch', 'transformers') if m in sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


@pytest.mark.unit
def test_a_failed_conversion_names_the_model_and_the_reason(tmp_path):
    from api.errors import ModelUnavailable

    folder = tmp_path / "not-a-model"
    folder.mkdir()
    (folder / "config.json").write_text('{"model_type": "gpt2", "architectures": ["GPT2LMHeadModel"]}')
    with pytest.raises(ModelUnavailable) as caught:
        ensure_converted(ModelSource(str(folder)), None, "int8", tmp_path / "ct2")
    assert "not-a-model" in caught.value.detail and "encoder-decoder" in caught.value.detail
    assert not list((tmp_path / "ct2").glob("*--int8"))  # nothing half-written is taken for a model
