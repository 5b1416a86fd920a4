"""Boilerplate rules on every seed: exactly the noise goes, every line of the story stays."""

from pathlib import Path

import pytest
import yaml

from api.text import normalize_text
from api.text.boilerplate import Boilerplate
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

RULES = Boilerplate.from_file(REPO_ROOT / "prompts" / "boilerplate.yaml")

MUST_GO = {
    "000": [
        "Baca Juga: Dua Negaranya Perang, Warga Rusia dan Ukraina Justru Bermitra Narkoba di Bali",
        "Artikel Terkait",
        "Putin Siap Bertemu Zelensky dengan Syarat, Rusia Pertanyakan Legitimasi Kesepakatan Ukraina",
        "Viral Video Pecatan Marinir TNI AL Satria Kumbara Luka Parah Diserang Mortir Ukraina, Sempat Ucapkan "
        "Dirgahayu RI",
        "Terkepung Pasukan Ukraina dan Luka Parah, Desertir Marinir Satria Arta Kumbara Hilang Kontak: "
        "Mati atau Tertangkap?",
        "Rupiah Hari Ini Melemah Rp16.440 per Dolar AS, Pasar Cemas Tunggu Keputusan The Fed dan Gejolak "
        "Geopolitik Ukraina-Rusia",
        "Dua Negaranya Perang, Warga Rusia dan Ukraina Justru Bermitra Narkoba di Bali",
    ],
    "001": [
        "Rahman Asmardika, Jurnalis",
        "Rabu 03 Desember 2025 10:43 WIB",
        "Pertemuan Presiden Rusia Vladimir Putin dan Utusan Trump Steve Witkoff di Moskow, 2 Desember 2025. "
        "(Foto: Pool via Reuters)",
        "Share :",
        "(Rahman Asmardika)",
        "Halaman:",
        "Follow WhatsApp Channel Okezone untuk update berita terbaru setiap hari",
        "Topik Artikel :",
        "Berita Terkait",
        "Terpopuler",
        "Telusuri berita News lainnya",
    ],
    "002": ["by", "Jakarta, Pahami.id", "(fby/mikrofon)"],
    "003": [],
    "004": ["Foto: Kristina Kormilitsyna / RIA Novosti"],
}


def _seed(prefix: str) -> str:
    [path] = (REPO_ROOT / "seeds").glob(f"{prefix}_*.txt")
    return normalize_text(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("prefix", sorted(MUST_GO))
def test_exactly_the_noise_goes(prefix):
    raw = _seed(prefix)
    cleaned = RULES.clean(raw)
    kept = set(cleaned.text.split("\n"))
    lines = [line for line in raw.split("\n") if line]
    gone = [line for line in lines if line not in kept]
    for line in MUST_GO[prefix]:
        assert line in gone, f"should have been removed: {line!r}"
    # Every other line stays, in order: no sentence of the story is lost.
    story = [line for line in lines if line not in MUST_GO[prefix]]
    assert [line for line in cleaned.text.split("\n") if line in story] == list(dict.fromkeys(story))
    assert cleaned.removed_lines == len(lines) - len([line for line in cleaned.text.split("\n") if line])


def test_captions_are_removed_and_counted_by_rule():
    cleaned = RULES.clean(_seed("001"))
    assert "(Foto: Pool via Reuters)" not in cleaned.text
    assert cleaned.removed["caption"] == 1 and cleaned.removed["share"] == 2


def test_story_sentences_that_look_like_rules_survive():
    text = "\n".join(
        [
            "Menurut foto yang beredar, kapal itu tenggelam pada Selasa.",
            "Ia mengikuti channel berita itu sejak lama, katanya.",
            "Halaman depan koran memuat berita banjir.",
            "Baca selengkapnya laporan itu di situs resmi kementerian, ujar juru bicara.",
        ]
    )
    assert RULES.clean(text).text == text


def test_editors_extend_the_rules_without_code(tmp_path):
    data = yaml.safe_load((REPO_ROOT / "prompts" / "boilerplate.yaml").read_text())
    data["drop_lines"]["kompas-promo"] = r"dapatkan update berita pilihan.*"
    path = Path(tmp_path) / "rules.yaml"
    path.write_text(yaml.safe_dump(data))
    cleaned = Boilerplate.from_file(path).clean("Berita penting hari ini.\nDapatkan update berita pilihan setiap hari")
    assert cleaned.text == "Berita penting hari ini." and cleaned.removed["kompas-promo"] == 1


def test_each_split_example_loses_only_its_glued_piece():
    """split_at's example pairs (shown on the rules page): the glued boilerplate goes and the story
    sentence beside it stays; the story line of the same shape is not split at all."""
    examples = yaml.safe_load((REPO_ROOT / "prompts" / "boilerplate-examples.yaml").read_text(encoding="utf-8"))
    assert set(examples["split_at"]) == set(RULES.rules.split_at)
    for name, (glued, story) in examples["split_at"].items():
        kept = RULES.clean(glued).text
        assert kept and kept in glued and len(kept) < len(glued), (name, kept)
        assert kept.endswith("."), (name, kept)  # a whole story sentence, not a cut-off piece
        assert RULES.clean(story).text == story, name
