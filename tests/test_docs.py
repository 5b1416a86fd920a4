"""The README is part of the product: its commands and settings table must stay true."""

import re

from api.config import REPO_ROOT, Settings

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_install_and_test_commands():
    first_block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(first_block) == 2
    assert first_block[0].startswith("pip install -e . && ringkas serve")
    assert first_block[1].startswith("pip install -e '.[dev]' && python -m pytest")
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert "pip install -e '.[dev]'" in ci and "python -m pytest" in ci


def test_every_setting_is_documented_in_the_table():
    documented = set(re.findall(r"^\| `(RINGKAS_[A-Z0-9_]+)` \|", README, flags=re.M))
    expected = {f"RINGKAS_{name.upper()}" for name in Settings.model_fields}
    assert documented == expected


def test_every_route_has_a_curl_example():
    for path in ("/v1/summarize", "/v1/translate", "/v1/models", "/healthz", "/readyz"):
        assert re.search(rf"curl .*{re.escape(path)}", README), path
