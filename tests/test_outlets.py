"""Newsroom input II and III: outlet-style pages (HTML, and text pasted from a browser), each rule
family next to story lines of the same shape, extraction that keeps the story, mojibake repair and
honest reporting of what was removed. Kept/removed per outlet style is printed at the end of the run."""

from pathlib import Path

import pytest

from api.text import normalize_text
from api.text.boilerplate import Boilerplate, BoilerplateRules
from api.text.html import html_to_text
from api.text.repair import repair_text
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.unit

RULES = Boilerplate.from_file(REPO_ROOT / "prompts" / "boilerplate.yaml")
OUTLETS = sorted((REPO_ROOT / "tests" / "data" / "outlets").glob("*.html"))
PASTED = sorted((REPO_ROOT / "tests" / "data" / "outlets" / "pasted").glob("*.input.txt"))


def _read(markup: str) -> tuple[str, dict, dict]:
    extracted = html_to_text(markup, RULES.rules.html_selectors())
    cleaned = RULES.clean(normalize_text(repair_text(extracted.text)[0]))
    return cleaned.text, dict(extracted.removed), dict(cleaned.removed + cleaned.cut)


def test_the_corpus_covers_twenty_styles_or_more():
    assert len(OUTLETS) >= 20 and len(PASTED) >= 4


def _judge(name: str, text: str, expected_file: Path, elements: dict, lines: dict, report) -> None:
    expected = [line for line in expected_file.read_text(encoding="utf-8").split("\n") if line]
    got = [line for line in text.split("\n") if line]
    lost = [line for line in expected if line not in got]
    leaked = [line for line in got if line not in expected]
    report(
        f"{name:<28} story kept {len(expected) - len(lost)}/{len(expected)}, boilerplate left {len(leaked)}; "
        f"removed {sum(elements.values())} elements {elements or ''}, {sum(lines.values())} lines/spans {lines}"
    )
    assert not lost, f"story lost: {lost}"
    assert not leaked, f"boilerplate kept: {leaked}"
    assert got == expected  # in order, one paragraph per line


@pytest.mark.parametrize("page", OUTLETS, ids=lambda p: p.stem)
def test_outlet_page_gives_exactly_its_story(page: Path, outlet_report):
    text, elements, lines = _read(page.read_text(encoding="utf-8"))
    _judge(page.stem, text, page.with_suffix(".txt"), elements, lines, outlet_report)


@pytest.mark.parametrize("pasted", PASTED, ids=lambda p: p.name.removesuffix(".input.txt"))
def test_text_pasted_from_a_browser_gives_exactly_its_story(pasted: Path, outlet_report):
    """What an editor gets copying a page into a text box: no markup to go by, only lines."""
    cleaned = RULES.clean(normalize_text(repair_text(pasted.read_text(encoding="utf-8"))[0]))
    name = "pasted/" + pasted.name.removesuffix(".input.txt")
    expected = pasted.with_name(pasted.name.replace(".input", ""))
    _judge(name, cleaned.text, expected, {}, dict(cleaned.removed + cleaned.cut), outlet_report)


def test_every_removed_line_is_counted_under_its_rule():
    """The cleaning report stays honest: lines in = lines kept + lines removed, by rule name."""
    for pasted in PASTED:
        text = normalize_text(pasted.read_text(encoding="utf-8"))
        cleaned = RULES.clean(text)
        lines_in = [line for line in text.split("\n") if line.strip()]
        kept = [line for line in cleaned.text.split("\n") if line]
        assert len(lines_in) == len(kept) + cleaned.removed_lines, pasted.name
        known = {*RULES.rules.drop_lines, *RULES.rules.drop_trailing, *RULES.rules.drop_blocks, *RULES.rules.inline}
        assert set(cleaned.removed) <= known | {"duplicate", RULES.rules.headline_runs.name}


# --- each rule family: what must go, next to story lines of the same shape that must stay --------
FAMILIES = {
    "syndication": (
        [
            'Artikel ini telah tayang di Kompas.com dengan judul "Banjir di Bekasi", Klik untuk baca: https://x.id/1',
            "Berita ini telah terbit di TribunJateng.com dengan judul Harga Beras Naik",
        ],
        [
            "Artikel ini ditulis berdasarkan wawancara dengan tiga saksi mata di lokasi kejadian.",
            "Berita itu telah tayang di televisi nasional sebelum polisi memberikan klarifikasi.",
        ],
    ),
    "app-promo": (
        [
            "Download aplikasi Tribunnews untuk berita terkini:",
            "Android: https://play.google.com/store/apps/x",
            "iOS: https://apps.apple.com/id/app/x",
            "Unduh aplikasi Detikcom sekarang juga",
        ],
        [
            "Warga diminta mengunduh aplikasi resmi pemerintah untuk mendaftar vaksinasi.",
            "Aplikasi itu kini tersedia di Android dan iOS, kata juru bicara perusahaan.",
        ],
    ),
    "promo": (
        [
            "Ikuti berita terbaru dari kami di WhatsApp Channel: https://whatsapp.com/channel/x",
            "Gabung grup Telegram kami untuk update berita setiap hari",
            "Dapatkan berita pilihan langsung di Google News, klik di sini",
        ],
        [
            "Polisi mengklik link WhatsApp palsu yang dikirim penipu kepada korban.",
            "Ia mengikuti channel berita itu sejak lama, katanya.",
            "Pelaku menawarkan pekerjaan palsu lewat grup Telegram dan meminta uang pendaftaran.",
        ],
    ),
    "video-prompt": (
        [
            "Saksikan Video Pilihan Berikut Ini:",
            'Simak juga video "Detik-detik Banjir Rendam Bekasi"',
            "Tonton video selengkapnya di bawah ini",
            "[Gambas:Video CNN]",
        ],
        [
            "Lihat video itu, polisi langsung bergerak menangkap pelaku.",
            "Video yang beredar di media sosial memperlihatkan air masuk ke rumah warga.",
        ],
    ),
    "caption": (
        [
            "Pemain timnas merayakan gol ke gawang Vietnam di Stadion Utama (Dok. PSSI)",
            "Penyanyi itu tampil di panggung festival musik di Jakarta. (INSTAGRAM)",
            "Petani memetik kopi di Temanggung, Senin (1/12/2026). ANTARA FOTO/Anis Efizudin/nym.",
            "Suasana rapat di gedung DPR, Jakarta. KOMPAS.com/NIRMALA MAULANA",
            "Warga mengungsi ke masjid terdekat. (KOMPAS/HERU SRI KUMORO)",
        ],
        [
            "Komisi Pemberantasan Korupsi (KPK) memeriksa tiga saksi pada Senin.",
            "Pendaftaran dibuka di laman sscasn.bkn.go.id/ mulai Senin",
            "Ia mengunggah foto itu di Instagram pribadinya pada Minggu malam.",
        ],
    ),
    "byline": (
        [
            "Oleh : Asep Kurniawan",
            "Pewarta: Rizka Khaerunnisa",
            "Editor: Budi Suyanto",
            "Laporan Wartawan Tribunnews.com, Fransiskus Adhiyuda",
            "(TribunWow.com/Anung Malik)",
            "Penulis Dimas Prasetyo | Editor Rina Wulandari",
            "Kontributor : Ayu Lestari",
        ],
        [
            "Oleh karena itu, pemerintah menaikkan harga BBM bersubsidi mulai bulan depan.",
            "Penulis buku itu meninggal dunia di Yogyakarta pada usia 80 tahun.",
            "Editor senior majalah itu mengundurkan diri setelah 20 tahun bekerja.",
        ],
    ),
    "newsletter": (
        [
            "Daftarkan email Anda untuk menerima ringkasan berita ekonomi setiap pagi.",
            "Berlangganan buletin kami untuk kabar terbaru dari Luwu Raya.",
            "Dapatkan update berita pilihan dan breaking news setiap hari dari Merdeka.com.",
            "Dapatkan ringkasan berita ekonomi setiap pagi langsung di kotak masuk Anda.",
            "Masukkan email Anda",
            "Daftar",
            "Langganan",
        ],
        [
            "Berlangganan buletin itu gratis, kata pengelola perpustakaan daerah.",
            "Daftar penerima bantuan diumumkan di kantor kelurahan pada Senin pagi.",
            "Warga diminta mendaftarkan email mereka di laman resmi pemerintah kota.",
            "Dapatkan kembali hak pilih dengan melapor ke kantor KPU setiap hari kerja, kata petugas.",
        ],
    ),
    "messaging-setup": (
        [
            "Anda harus install aplikasi Telegram terlebih dahulu di ponsel.",
            "Pastikan Anda sudah install aplikasi WhatsApp di ponsel.",
        ],
        [
            "Korban diminta menginstal aplikasi WhatsApp palsu oleh pelaku penipuan.",
            "Pengguna Telegram di Indonesia bertambah dua kali lipat tahun ini.",
            "Anda bisa melapor lewat aplikasi milik pemerintah daerah, kata kepala dinas.",
        ],
    ),
    "reading-prompt": (
        [
            "Scroll down untuk melanjutkan membaca",
            "Scroll ke bawah untuk lanjut membaca",
            "Gulir ke bawah untuk melanjutkan",
            "Lanjutkan membaca di bawah",
        ],
        [
            "Ia lanjut membaca berkas perkara itu hingga larut malam.",
            "Lanjutkan membaca buku itu sampai habis, pesan sang guru kepada murid-muridnya.",
            "Pengguna cukup menggulir ke bawah untuk melihat jadwal kereta terbaru.",
        ],
    ),
    "source-and-read-more": (
        [
            "Sumber : Antara",
            "Read more: republika.co.id/berita/x1y2/kereta-wisata",
            "kompas.com/read/2026/12/03/banjir-bekasi",
        ],
        [
            "Sumber air di desa itu mengering sejak Agustus.",
            "Menurut sumber di kepolisian, pelaku sudah diketahui identitasnya.",
            "Ia membaca lebih banyak berita di laman kompas.com sejak pandemi.",
        ],
    ),
    "list-article": (
        ["1.", "#3", "2 dari 6 halaman", "Halaman 2 dari 6"],
        [
            "2 dari 6 korban sudah dipulangkan dari rumah sakit pada Rabu.",
            "Simpan air bersih dalam wadah tertutup sebelum pasokan berkurang.",
            "Tiga dari lima warga memilih bus sebagai transportasi utama.",
        ],
    ),
    "embed": (
        [
            "— Pemkot Makassar (@pemkotmks) December 1, 2026",
            "Cek syaratnya di sini pic.twitter.com/AbC123",
            "View this post on Instagram",
            "A post shared by Pemkot Makassar (@pemkotmks)",
            "♬ suara asli - pemkotmks",
        ],
        [
            "Unggahan akun @pemkotmks di Twitter itu dibagikan ribuan kali dalam sehari.",
            "Instagram menghapus unggahan tersebut karena melanggar pedoman komunitas.",
        ],
    ),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_rule_family_removes_its_boilerplate_and_keeps_story_of_the_same_shape(family):
    noise, story = FAMILIES[family]
    text = "\n".join(["Harga beras naik di pasar induk pada Senin pagi.", *noise, *story])
    kept = RULES.clean(text).text.split("\n")
    for line in noise:
        assert line not in kept, f"should go: {line!r}"
    for line in story:
        assert line in kept, f"should stay: {line!r}"


def test_pasted_headline_runs_go_and_crossheads_and_listed_items_stay():
    story = [
        "Harga cabai rawit di pasar induk naik menjadi Rp90.000 per kilogram pekan ini.",
        "Kronologi Kenaikan Harga di Pasar Induk Kramat Jati",  # a lone crosshead
        "Pedagang menyebut pasokan dari Jawa Tengah berkurang karena hujan deras.",
        "Berikut sekolah yang menerima bantuan tahun ini:",
        "SD Negeri 1 Tanjung Harapan Barat Kabupaten Bogor",  # the story's own list, after a colon
        "SD Negeri 4 Sungai Lilin Timur Kabupaten Bogor",
        "Bantuan akan disalurkan sebelum tahun ajaran baru dimulai.",
    ]
    pasted = [
        "Pemkot Siapkan Operasi Pasar di Lima Kecamatan Jelang Natal",
        "Stok Beras Bulog Dipastikan Aman Hingga Awal Tahun Depan",
        "(ant)",
        "Warga Keluhkan Harga Bawang Merah yang Terus Naik",
        "Petani Cabai di Magelang Gagal Panen Akibat Cuaca Ekstrem",
    ]
    text = "\n".join([*story[:3], *pasted[:3], *story[3:], "", *pasted[3:]])
    cleaned = RULES.clean(text)
    assert [line for line in cleaned.text.split("\n") if line] == story
    assert cleaned.removed["pasted-headlines"] == 4 and cleaned.removed["author-initials"] == 1  # "(ant)"


def test_the_articles_own_title_is_never_a_pasted_headline():
    """The title, then a lead cut short (a quoted opening): a title-case pair, but the title is the
    article's own."""
    text = (
        "Pertemuan Lima Jam Presiden dan Utusan Khusus Gagal Capai Kesepakatan\n"
        "Pertemuan Presiden Rusia Vladimir Putin dan Utusan Khusus"
    )
    assert RULES.clean(text).text == text


def test_a_sign_off_with_a_region_goes_only_at_the_end():
    text = "Perpustakaan keliling kini rutin menyambangi sekolah di desa terpencil.\nAndi Saputra / Palopo"
    assert RULES.clean(text).text == "Perpustakaan keliling kini rutin menyambangi sekolah di desa terpencil."
    middle = "Rute baru itu dilayani dua operator.\nJakarta / Bandung\nTiket dijual mulai Senin."
    assert RULES.clean(middle).text.split("\n") == middle.split("\n")


def test_one_editors_initials_close_a_paragraph_but_an_upper_case_acronym_stays():
    assert RULES.clean("Derek baru beroperasi bulan depan. (kri)").text == "Derek baru beroperasi bulan depan."
    kept = "Laporan lengkapnya tersedia dalam format dokumen (PDF)"
    assert RULES.clean(kept).text == kept


def test_cleaning_a_page_costs_time_in_step_with_its_length(outlet_report):
    """The largest page, and the same page with its story four times over: the cost grows with the
    length (a ratio, timings are noisy); the time per page is reported beside the corpus figures."""
    import time

    from tests.helpers import LINEAR, growth

    largest = max(OUTLETS, key=lambda page: page.stat().st_size)
    markup = largest.read_text(encoding="utf-8")
    first, last = markup.index("<p"), markup.rindex("</p>") + len("</p>")
    longer = markup[:first] + markup[first:last] * 4 + markup[last:]
    assert _read(longer)[0].count(_read(markup)[0].split("\n")[-1]) >= 4  # the story four times, still read
    ratio = growth(_read, markup, longer)
    assert ratio < LINEAR, f"four times the story took {ratio:.1f} times as long"
    started = time.perf_counter()
    _read(markup)
    outlet_report(f"cleaning the largest page ({largest.name}, {len(markup)} bytes): "
                  f"{(time.perf_counter() - started) * 1000:.1f} ms")  # fmt: skip


def test_inline_rules_cut_spans_and_keep_the_story_around_them():
    text = (
        "Ahli gizi menyarankan minum delapan gelas air. Baca juga: Lima Minuman Sehat untuk Menemani Kerja "
        "di Kantor Asupan cairan juga bisa didapat dari buah.\n"
        "Ia tiba di lokasi pukul 10.00 WIB. [Gambas:Video 20detik]\n"
        "Polisi masih menyelidiki kasus tersebut hingga kini. (Yas/Ahm)\n"
        "Mereka menilai permintaan kredit masih lemah.(dis/ugo)"
    )
    cleaned = RULES.clean(text)
    assert cleaned.text.split("\n") == [
        "Ahli gizi menyarankan minum delapan gelas air. Asupan cairan juga bisa didapat dari buah.",
        "Ia tiba di lokasi pukul 10.00 WIB.",
        "Polisi masih menyelidiki kasus tersebut hingga kini.",
        "Mereka menilai permintaan kredit masih lemah.",
    ]
    assert cleaned.cut == {"read-also-inline": 1, "embed-marker": 1, "trailing-initials": 2}
    assert cleaned.removed_lines == 0


def test_dates_in_parentheses_are_not_initials():
    line = "Pertemuan digelar pada Sabtu (20/12) di Miami."
    assert RULES.clean(line).text == line


def test_case_sensitive_rule_takes_only_an_all_caps_sign_off_at_the_end():
    text = "JAKARTA\nPresiden meresmikan jalan tol baru pada Senin.\nBUDI SANTOSO"
    cleaned = RULES.clean(text)
    assert cleaned.text == "JAKARTA\nPresiden meresmikan jalan tol baru pada Senin."
    assert cleaned.removed == {"caps-signoff": 1}
    # The same name in mixed case is a story line, not a sign-off.
    assert RULES.clean("Presiden meresmikan jalan tol baru.\nBudi Santoso").text.endswith("Budi Santoso")


def test_repeated_story_sentences_stay_and_repeated_titles_go():
    text = "Harga Beras Naik\nHarga Beras Naik\nCuci tangan dengan sabun.\nCuci tangan dengan sabun."
    cleaned = RULES.clean(text)
    assert cleaned.text == "Harga Beras Naik\nCuci tangan dengan sabun.\nCuci tangan dengan sabun."
    assert cleaned.removed == {"duplicate": 1}


# --- HTML: whole-token classes, story wrappers, extraction --------------------------------------
STORY = [
    "Pemerintah daerah menyalurkan bantuan beras kepada 2.000 keluarga yang terdampak banjir pekan lalu.",
    "Penyaluran dilakukan di balai desa dengan pengawasan aparat kecamatan dan relawan setempat.",
    "Kepala desa berharap bantuan tambahan segera datang karena banyak warga belum bisa bekerja.",
]


@pytest.mark.parametrize("wrapper", ["layout__ads", "downloads-area", "shadow-box", "uploads", "page ads-wrapper"])
def test_a_page_wrapped_in_a_lookalike_or_ad_class_keeps_its_article(wrapper):
    paragraphs = "".join(f"<p>{line}</p>" for line in STORY)
    markup = f'<html><body><div class="{wrapper}"><article>{paragraphs}</article></div></body></html>'
    text, _, _ = _read(markup)
    assert text.split("\n") == STORY


def test_classes_match_by_whole_token_and_explicit_prefix():
    paragraphs = "".join(f"<p>{line}</p>" for line in STORY)
    boxes = (
        '<div class="ads">Iklan satu</div><div class="top ad-slot">Iklan dua</div><div class="shadow">Bayangan.</div>'
    )
    extracted = html_to_text(f"<div>{paragraphs}{boxes}</div>", RULES.rules.html_selectors())
    assert extracted.removed == {"ad-box": 2}
    assert "Bayangan." in extracted.text and "Iklan" not in extracted.text


def test_extraction_keeps_bare_divs_headings_and_joins_hard_wraps():
    markup = (
        "<div class='content'><p>Banjir merendam ratusan rumah di Bekasi sejak Senin malam,<br>\n"
        "kata petugas\nyang berjaga di posko.</p>"
        "<div>Kalimat berita di dalam div polos tetap menjadi bagian dari artikel ini.</div>"
        "<h2>1. Siapkan tas darurat</h2><p>Tas darurat berisi dokumen penting dan obat-obatan keluarga.</p>"
        "<p>Paragraf pertama sebelum dua baris kosong ditulis di sini.<br><br>Paragraf kedua setelahnya.</p></div>"
    )
    assert html_to_text(markup, RULES.rules.html_selectors()).text.split("\n") == [
        "Banjir merendam ratusan rumah di Bekasi sejak Senin malam, kata petugas yang berjaga di posko.",
        "Kalimat berita di dalam div polos tetap menjadi bagian dari artikel ini.",
        "1. Siapkan tas darurat",
        "Tas darurat berisi dokumen penting dan obat-obatan keluarga.",
        "Paragraf pertama sebelum dua baris kosong ditulis di sini.",
        "Paragraf kedua setelahnya.",
    ]


def test_rule_names_must_be_unique_across_stages():
    with pytest.raises(ValueError, match="used twice: caption"):
        BoilerplateRules.model_validate(
            {"version": "x", "html_drop": {"caption": {"tags": ["figure"]}}, "drop_lines": {"caption": "foto:.*"}}
        )


def test_class_tokens_are_plain():
    with pytest.raises(ValueError, match="class or id token"):
        BoilerplateRules.model_validate({"version": "x", "html_drop": {"ads": {"classes": ["ads') or true() or ('"]}}})


# --- mojibake ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("broken", "fixed"),
    [
        ("Ia berkata â€œkami siapâ€ pada Senin.", "Ia berkata “kami siap” pada Senin."),
        ("Bantuan Rp 5 juta â€“ Rp 10 juta.", "Bantuan Rp 5 juta – Rp 10 juta."),
        ("Salat Jumâ€™at digelar di masjid.", "Salat Jum’at digelar di masjid."),
    ],
)
def test_mojibake_is_repaired(broken, fixed):
    assert repair_text(broken) == (fixed, True)


@pytest.mark.parametrize("clean", ["Dia berkata “kami siap” — lalu pergi.", "Kopi di kafé itu enak.", "Harga naik 5%."])
def test_clean_text_is_left_alone(clean):
    assert repair_text(clean) == (clean, False)
