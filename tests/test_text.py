import pytest

from api.text import normalize_text, split_sentences

pytestmark = pytest.mark.unit


def test_normalize_removes_what_breaks_tokenizers_and_keeps_paragraphs():
    raw = "Satu\u200b dua\x00 tiga\ud800.\r\n\r\n\r\n\tParagraf\u00a0kedua.\u2028Baris"
    out = normalize_text(raw)
    assert out == "Satu dua tiga\ufffd.\n\nParagraf kedua.\nBaris"
    out.encode("utf-8")  # no lone surrogate survives


def test_normalize_composes_unicode_and_empties_whitespace_only_input():
    assert normalize_text("Cafe\u0301") == "Caf\u00e9"
    assert normalize_text(" \n\t\x07\u200b ") == ""


def test_sentences_respect_abbreviations_initials_and_quotes():
    text = 'Kata Dr. Budi, "Ini penting." Lalu H. Agus pergi ke Jl. Merdeka. Harga naik 5.5 persen! Benarkah?'
    assert split_sentences(text) == [
        'Kata Dr. Budi, "Ini penting."',
        "Lalu H. Agus pergi ke Jl. Merdeka.",
        "Harga naik 5.5 persen!",
        "Benarkah?",
    ]


def test_newlines_are_always_sentence_boundaries():
    assert split_sentences("Judul tanpa titik\nKalimat satu. kalimat kecil\n\n") == [
        "Judul tanpa titik",
        "Kalimat satu. kalimat kecil",
    ]


def test_seed_articles_split_into_many_sentences(seed_texts):
    for text in seed_texts:
        sentences = split_sentences(normalize_text(text))
        assert len(sentences) >= 10
        # Nothing is lost: every word of the article is in some sentence.
        assert "".join(sentences).replace(" ", "") == normalize_text(text).replace(" ", "").replace("\n", "")
