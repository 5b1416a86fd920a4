import shutil

import pytest
import yaml
from pydantic import ValidationError

from api.config import DEFAULT_PROMPTS
from api.prompts import load_prompts

pytestmark = pytest.mark.unit


@pytest.fixture()
def prompts_copy(tmp_path):
    folder = tmp_path / "prompts"
    shutil.copytree(DEFAULT_PROMPTS, folder)
    return folder


def _edit(folder, name, change):
    path = folder / f"{name}.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data))


def test_medium_preset_is_xlsum_published_decoding():
    prompts = load_prompts(DEFAULT_PROMPTS)
    medium = prompts.summarize.presets["medium"]
    assert prompts.summarize.default_preset == "medium"
    assert (medium.num_beams, medium.no_repeat_ngram_size, medium.length_penalty, medium.max_new_tokens) == (
        4,
        2,
        0.6,
        84,
    )
    assert prompts.summarize.input.max_tokens == 512
    assert set(prompts.summarize.presets) == {"short", "medium", "long"}
    lengths = [prompts.summarize.presets[n].max_new_tokens for n in ("short", "medium", "long")]
    assert lengths == sorted(lengths) and len(set(lengths)) == 3


def test_bare_text_template_with_checkpoint_prefix():
    prompts = load_prompts(DEFAULT_PROMPTS)
    assert prompts.summarize.render("Isi berita.", "") == "Isi berita."
    assert prompts.summarize.render("Isi berita.", "summarize: ") == "summarize: Isi berita."


def test_translation_always_has_an_explicit_bucketed_capped_limit():
    decoding = load_prompts(DEFAULT_PROMPTS).translate.decoding
    short, similar = decoding.max_new_for(10), decoding.max_new_for(12)
    assert short > 20  # NLLB's implicit default would cut at 20
    assert short == similar and short % decoding.bucket == 0
    assert decoding.max_new_for(10_000) == decoding.max_new_tokens


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("summarize", lambda d: d["presets"]["short"].update(min_new_tokens=500), "min_new_tokens"),
        ("summarize", lambda d: d["input"].update(template="no placeholder"), "{text}"),
        ("summarize", lambda d: d.update(default_preset="huge"), "default_preset"),
        ("summarize", lambda d: d["presets"]["short"].update(beams=4), "beams"),
        ("translate", lambda d: d.update(max_input_tokens=0), "max_input_tokens"),
    ],
)
def test_bad_prompt_files_fail_at_load_with_the_field_named(prompts_copy, name, change, message):
    _edit(prompts_copy, name, change)
    with pytest.raises(ValidationError, match=message.replace("{", r"\{").replace("}", r"\}")):
        load_prompts(prompts_copy)
