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
    # Newsroom input IV: families as real pages vary them, each beside a story line of its shape.
    "caption-with-credit": (
        [
            "Relawan membagikan nasi bungkus di posko pengungsian. (Sari Anggraini/tempatberita)",
            "Pelari melintasi garis akhir di Senayan. (Reuters/Andrew Fielding)",
            "Penyanyi itu semasa kecil © instagram.com/penyanyi.cilik",
            "Pemain merayakan gelar juara bersama pendukung/©KabarBola.com®/R. Fauzan",
            "Wali kota meninjau tanggul yang jebol. Foto: Humas Pemkot",
        ],
        [
            "Relawan membagikan nasi bungkus di posko (Jalan Merdeka/Sudirman) sejak pagi.",
            "Polisi menyita barang bukti berupa foto: dua ponsel dan sebuah dompet.",
            "Logo itu diberi tanda © sejak 1990, kata pengacara perusahaan.",
            "Pertandingan itu berakhir imbang (1-1) di Stadion Manahan.",
        ],
    ),
    "short-labels": (
        ["Baca: Harga Cabai Rawit Naik Lagi di Pasar Induk", "Rep: Dimas Prasetyo Red: Rina Wulandari"],
        [
            "Bacaan doa itu dilantunkan bersama ratusan jamaah di masjid agung.",
            "Reputasi klub itu naik setelah menjuarai liga musim lalu.",
        ],
    ),
    "channel-pitch": (
        [
            "Cek berita dan artikel lainnya di Google News",
            "Cek berita dan artikel yg lain di Google News dan ikuti WhatsApp channel kabarkita.id",
            "Pantau terus kabar terbaru di WhatsApp Channel kami",
            "Follow Telegram Channel KabarKita untuk update berita setiap hari",
        ],
        [
            "Cek fakta: video di TikTok soal banjir itu ternyata rekaman lama.",
            "Polisi memantau grup WhatsApp yang dipakai para pelaku untuk berkoordinasi.",
            "Warga mengikuti kanal resmi pemerintah untuk memantau ketinggian air sungai.",
        ],
    ),
    "widget-label": (
        [
            "Rate artikel ini",
            "Artikel Asli",
            "Tulis komentar",
            "Simak Lifestyle Populer Lainnya",
            "Baca Berita Menarik Lainnya",
        ],
        [
            "Artikel itu dinilai melanggar kode etik oleh dewan pers.",
            "Komentar warganet soal kebijakan itu beragam, dari yang mendukung hingga menolak.",
            "Simak penjelasan lengkap petugas soal jadwal pemadaman listrik berikut ini.",
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


def test_initials_in_square_brackets_and_a_reporters_name_close_the_story():
    story = "Jalan itu dibuka kembali setelah perbaikan selesai pada Jumat sore."
    for glued in ("[ian]", "(kpl/sry)", "[dan/ram]", "(Dewi Lestari)", "(FHM)"):
        assert RULES.clean(f"{story} {glued}").text == story, glued
        assert RULES.clean(f"{story}\n{glued}").text == story, glued
    # A named credit after a short line makes it a caption (caption-with-credit); after a paragraph
    # longer than any caption, only the credit goes.
    long = " ".join([story] * 5)
    assert RULES.clean(f"{long} (Rudi Hartono/kabarkita)").text == long
    # The reporter, outlet first, after a short last paragraph: the credit goes, the paragraph stays.
    assert RULES.clean(f"{story} (Kabarkita.com/Rudi Hartono)").text == story
    # Story text in parentheses after the sentence is not a sign-off.
    for kept in (
        "Jalan itu dibuka kembali (Jalan Sudirman dan Jalan Thamrin).",
        "Jalan itu dibuka kembali setelah diperbaiki (PUPR)",
    ):
        assert RULES.clean(kept).text == kept


RUN_TOGETHER = [
    # (a line with boilerplate glued to its story part, what must stay of it, rules that must count)
    (
        '"Kami ingin pasar ini ramai lagi," kata Siti.Oleh : Rina Marlina, (Humas)Sumber : kabarsungai.id',
        '"Kami ingin pasar ini ramai lagi," kata Siti.',
        {"byline", "editor-line"},
    ),
    (
        "Banjir surut pada sore hari dan warga mulai membersihkan rumah. Gabung saluran WhatsApp kami untuk "
        "kabar terbaru",
        "Banjir surut pada sore hari dan warga mulai membersihkan rumah.",
        {"promo"},
    ),
    (
        'Pemain merayakan gol kedua. (Antara/Rudi Hartono) "Kami bersyukur bisa menang," kata pelatih.',
        '"Kami bersyukur bisa menang," kata pelatih.',
        {"caption-credit"},
    ),
    (
        "Warga diminta tetap waspada terhadap banjir susulan. Dapatkan update berita pilihan setiap hari dari "
        'kabarkita.id. Mari bergabung di Grup Telegram "KabarKita Update", caranya klik link '
        "https://t.me/kabarkita, kemudian join. Anda harus install aplikasi Telegram terlebih dulu di ponsel.",
        "Warga diminta tetap waspada terhadap banjir susulan.",
        {"newsletter", "promo"},
    ),
    (
        "Kebakaran itu menghanguskan tiga rumah. Editor: Rina Wulandari",
        "Kebakaran itu menghanguskan tiga rumah.",
        {"editor-line"},
    ),
]


@pytest.mark.parametrize(("line", "story", "rules"), RUN_TOGETHER, ids=lambda v: str(v)[:30])
def test_run_together_boilerplate_is_split_off_and_only_it_goes(line, story, rules):
    cleaned = RULES.clean(f"Harga beras naik di pasar induk pada Senin pagi.\n{line}")
    assert cleaned.text.split("\n")[1:] == [story]
    assert rules <= set(cleaned.cut), cleaned.cut  # pieces of a line that stayed: counted as spans


def test_a_label_word_inside_a_story_sentence_is_no_boundary():
    for line in (
        "Warga diminta waspada. Sumber air bersih kini dijaga petugas.",
        "Banjir surut sore hari. Gabung bersama warga, relawan membersihkan lumpur.",
        "Ia menunjukkan bukti. Foto itu diambil pada malam kejadian.",
        "Polisi menyebut sumber: seorang warga yang melihat kejadian itu.",
        "Banjir datang tiap tahun. Ayo bersihkan saluran air di lingkungan masing-masing, kata lurah.",
        "Relawan kewalahan. Mari bergabung lewat aplikasi Peduli Banjir, ajak koordinator relawan.",
    ):
        assert RULES.clean(line).text == line


def test_a_split_rule_must_name_its_boundary():
    with pytest.raises(ValueError, match="group named at"):
        BoilerplateRules.model_validate({"version": "t", "split_at": {"x": "[.]\\s*Sumber"}})


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


# --- Newsroom input IV: the right block, and structure before words ------------------------------
SIDEBAR_FIRST = (REPO_ROOT / "tests" / "data" / "outlets" / "sidebar_first.html").read_text(encoding="utf-8")


def test_an_extractor_that_returns_a_sidebar_is_outvoted_by_the_story_beside_it():
    """trafilatura took a list of other stories (headline + one-sentence teaser each) on real pages;
    here its answer is that list, and the story container the other vote finds wins."""
    from collections import Counter

    from lxml import html as lxml_html

    from api.text.story import whole_story

    tree = lxml_html.document_fromstring(SIDEBAR_FIRST)
    sidebar = "\n".join(e.text_content().strip() for li in tree.iter("li") for e in li.iter("h4", "p"))
    text = whole_story(tree, sidebar, Counter())
    assert "Puluhan pedagang datang dengan perahu kecil" in text
    assert "BANJARMASIN - Pasar terapung" in text  # the lead, glued to its dateline, stays
    assert "Warga tiga desa" not in text and "Festival Perahu Hias" not in text


def test_two_votes_that_nest_read_the_inner_container():
    from lxml import html as lxml_html

    from api.text.story import choose, read_blocks

    tree = lxml_html.document_fromstring(
        "<div id='page'><div id='story'>" + "".join(f"<p>{line}</p>" for line in STORY) + "</div>"
        "<div id='more'><p>Satu kalimat teaser dari berita lain yang ikut terambil di samping.</p></div></div>"
    )
    blocks = read_blocks(tree)
    page, story = tree.get_element_by_id("page"), tree.get_element_by_id("story")
    assert choose(blocks, [page, story]) is story and choose(blocks, [story, page]) is story


def test_a_list_of_links_inside_the_story_goes_as_link_list_and_a_linked_sentence_stays():
    linked = 'Data itu dirilis <a href="/bps">Badan Pusat Statistik</a> pada Senin pagi di Jakarta.'
    markup = (
        f"<article><p>{STORY[0]}</p><p>{linked}</p>"
        '<ul><li><a href="/1">Harga Cabai Naik Lagi di Pasar Induk</a></li>'
        '<li><a href="/2">Operasi Pasar Digelar di Lima Kecamatan</a></li></ul>'
        '<p><a href="/3">Bantuan Beras Tahap Dua Segera Cair</a></p>'
        f"<p>{STORY[1]}</p></article>"
    )
    text, elements, _ = _read(markup)
    linked_text = "Data itu dirilis Badan Pusat Statistik pada Senin pagi di Jakarta."
    assert text.split("\n") == [STORY[0], linked_text, STORY[1]]
    assert elements["link-list"] == 3


def test_a_story_in_one_span_of_br_paragraphs_keeps_its_dateline_lead():
    lead = "KABARKITA.id - Pemerintah kota membuka posko kesehatan baru di tiga kecamatan pada Senin."
    markup = (
        "<div class='detail'><span itemprop='articleBody'><strong>KABARKITA.id</strong>"
        + lead.removeprefix("KABARKITA.id")
        + "<br><br>"
        + "<br><br>".join(STORY)
        + "</span></div>"
    )
    text, _, _ = _read(markup)
    assert text.split("\n") == [lead, *STORY]


def test_a_paragraph_that_holds_an_ad_div_keeps_its_text():
    first = "Komisi itu belum menerima surat keputusan resmi soal pencabutan izin tambang di pulau itu."
    markup = (
        f"<div class='article'><p>{first}<div class='flying-carpet'><div class='dfp-ad'>"
        "<ins class='adsbygoogle'></ins></div></div></p>" + "".join(f"<p>{line}</p>" for line in STORY) + "</div>"
    )
    text, elements, _ = _read(markup)
    assert text.split("\n") == [first, *STORY] and elements["ad-box"] >= 1


def test_a_quoted_tweet_goes_when_the_story_is_written_in_divs():
    markup = (
        "<div class='content'>" + "".join(f"<div>{line}</div><div><br></div>" for line in STORY)
        + "<blockquote class='twitter-tweet'><p>Great night for the young pianist! #Awards</p>"
        "&mdash; Awards (@awards) <a href='https://twitter.com/awards/status/1'>February 2026</a></blockquote></div>"
    )  # fmt: skip
    text, elements, _ = _read(markup)
    assert text.split("\n") == STORY and elements["social-embed"] == 1


def test_the_pages_own_description_breaks_a_tie_between_two_blocks():
    """trafilatura's vote (a list of long teasers) and the densest block (the story) disagree, and
    the teasers hold more text: the page's og:description, the story's lead, decides."""
    from collections import Counter

    from lxml import html as lxml_html

    from api.text.story import whole_story

    lead = "Pemerintah kota membuka posko kesehatan baru di tiga kecamatan pada Senin pagi."
    teasers = "".join(
        f"<li><p>Teaser nomor {n} tentang berita lain ditulis cukup panjang supaya lebih banyak dari cerita"
        " utama di halaman ini.</p></li>"
        for n in range(6)
    )
    markup = (
        f"<html><head><meta property='og:description' content='{lead}'></head><body>"
        f"<ul>{teasers}</ul><div class='isi'><p>{lead}</p><p>{STORY[0]}</p></div></body></html>"
    )
    tree = lxml_html.document_fromstring(markup)
    sidebar = "\n".join(p.text_content() for p in tree.iter("p") if p.text_content().startswith("Teaser"))
    assert whole_story(tree, sidebar, Counter(), lead).split("\n") == [lead, STORY[0]]
    assert "Teaser" in whole_story(tree, sidebar, Counter(), None)  # without it, the longer block won


def test_an_amp_page_loses_its_ads_menu_and_embeds_by_tag():
    markup = (
        "<html amp><body><amp-sidebar id='menu'><ul><li><a href='/'>Beranda</a></li><li><a href='/n'>Nasional"
        "</a></li></ul></amp-sidebar><article><h1>Posko Kesehatan Dibuka</h1>"
        f"<p>{STORY[0]}</p><amp-ad type='doubleclick'><div fallback>Advertisement</div></amp-ad>"
        f"<p>{STORY[1]}</p><amp-twitter data-tweetid='1'><blockquote placeholder>Twit warga soal posko baru."
        f"</blockquote></amp-twitter><p>{STORY[2]}</p></article></body></html>"
    )
    text, elements, _ = _read(markup)
    assert text.split("\n") == ["Posko Kesehatan Dibuka", *STORY]
    assert elements["amp-embeds"] == 3


def test_a_linked_crosshead_stays_and_a_linked_headline_in_a_card_goes():
    markup = (
        f"<article><p>{STORY[0]}</p><h3><a href='/wisata/kuta'>2. Pantai Kuta</a></h3><p>{STORY[1]}</p>"
        "<ul><li><div><h3><a href='/b/1'>Harga Tiket Pesawat ke Bali Turun</a></h3><p>Maskapai menurunkan"
        " harga tiket untuk rute Jakarta ke Denpasar mulai pekan depan.</p></div></li></ul></article>"
    )
    text, elements, _ = _read(markup)
    assert "2. Pantai Kuta" in text.split("\n") and "Harga Tiket Pesawat ke Bali Turun" not in text
    assert elements["link-list"] == 1


def test_a_lead_kept_apart_from_the_body_is_read_with_it():
    """The first paragraph in its own block before the body, with headline lists beside both: the
    container is the body, and the page's description brings the lead back."""
    lead = "Pemerintah kota membuka posko kesehatan baru di tiga kecamatan pada Senin pagi."
    headlines = "".join(f"<div class='judul'>Judul Berita Lain Nomor {n} Hari Ini</div>" for n in range(12))
    markup = (
        f"<html><head><meta property='og:description' content='{lead} Posko buka 24 jam.'></head><body>"
        f"<div class='main'><div class='lead'><p>{lead}</p></div>{headlines}"
        "<div class='body'>" + "".join(f"<p>{line}</p>" for line in STORY) + "</div></div></body></html>"
    )
    text, _, _ = _read(markup)
    assert text.split("\n") == [lead, *STORY]
