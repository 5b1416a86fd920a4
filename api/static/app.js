// Ringkas editor page: calls POST /v1/summarize on this origin and shows the answer; its Gabungan
// panel sends several articles about one story to POST /v1/digest and shows the digest beside its
// sources; its Arsip panel sends a whole archive as one job (POST /v1/jobs) and follows it.
// No framework and no build step: one file the service serves itself (the page's CSP allows only it).
"use strict";

const TEXT = {
  id: {
    skip: "Langsung ke artikel",
    tagline: "Ringkasan berita berbahasa Indonesia, dengan terjemahan bahasa Inggris.",
    uiLangHint: "Ganti bahasa antarmuka",
    switchTo: "English",
    articleLabel: "Artikel",
    articleHint: "Tempel teks artikel atau HTML dari CMS.",
    keyHint: "{keys} untuk meringkas.",
    formatLegend: "Format",
    formatText: "Teks",
    lengthLabel: "Panjang ringkasan",
    short: "Pendek",
    medium: "Sedang",
    long: "Panjang",
    translateLabel: "Terjemahkan ke bahasa Inggris",
    chunkLabel: "Artikel panjang: ringkas seluruhnya, per bagian",
    keySummary: "Kunci API",
    keyLabel: "Kunci API (jika layanan memintanya; disimpan hanya di tab ini)",
    submit: "Ringkas",
    working: "Sedang meringkas…",
    summaryTitle: "Ringkasan (Indonesia)",
    translationTitle: "Terjemahan (Inggris)",
    copy: "Salin",
    copied: "Tersalin",
    factsTitle: "Tentang masukan",
    apiDocs: "Dokumentasi API",
    facts: {
      format: "Format", chars: "Karakter (setelah dibersihkan)", tokens: "Token artikel / jendela model",
      truncated: "Dipotong", chunks: "Bagian", fraction: "Porsi artikel yang dibaca", language: "Bahasa terdeteksi",
      removed: "Bagian non-berita dibuang", cached: "Dari tembolok", timings: "Waktu (milidetik)",
    },
    formats: { text: "Teks", html: "HTML" },
    // What cleaning removed, told by kind (the rule names are the service's).
    families: {
      links: "tautan ke berita lain", embeds: "sematan media sosial dan video", ads: "iklan dan promosi",
      media: "foto, keterangan foto, video dan elemen halaman", share: "tombol dan ajakan berbagi",
      captions: "keterangan dan kredit foto", credits: "nama penulis, editor dan hak cipta",
      navigation: "navigasi halaman dan komentar", repeated: "baris berulang", other: "lain-lain",
    },
    technical: "Detail teknis",
    yes: "ya", no: "tidak", none: "tidak ada",
    timings: { summarize: "ringkas", translate: "terjemah", total: "total" },
    errors: {
      empty: "Artikel masih kosong. Tempel teks atau HTML artikel terlebih dahulu.",
      network: "Layanan tidak dapat dihubungi. Periksa koneksi atau coba lagi sebentar lagi.",
      400: "Permintaan tidak dapat dibaca oleh layanan.",
      401: "Layanan ini memerlukan kunci API. Isi kolom Kunci API.",
      403: "Kunci API tidak diterima. Periksa kembali kuncinya.",
      413: "Artikel terlalu panjang untuk layanan ini.",
      415: "Format kiriman tidak didukung.",
      422: "Artikel tidak dapat diringkas.",
      429: "Batas pemakaian tercapai. Coba lagi dalam {s} detik.",
      503: "Layanan sedang sibuk atau belum siap. Coba lagi dalam {s} detik.",
      other: "Terjadi kesalahan pada layanan.",
      language: "Teks ini tampaknya berbahasa {lang}, bukan bahasa Indonesia, jadi tidak diringkas.",
      tooShort: "Artikel terlalu pendek untuk diringkas.",
    },
    digestTitle: "Gabungan beberapa artikel",
    digestHint: "Satu ringkasan dari 2–20 artikel tentang peristiwa yang sama: kalimat yang sudah dikatakan artikel lain dibuang. Tempel artikel-artikelnya, pisahkan dengan baris berisi ---, atau unggah berkasnya (satu artikel per berkas). Panjang dan terjemahan mengikuti pilihan di atas.",
    digestArticles: "Artikel-artikel (pisahkan dengan ---)",
    digestChoose: "Pilih berkas",
    digestStart: "Buat gabungan",
    digestWorking: "Sedang menggabungkan…",
    digestSummaryTitle: "Ringkasan gabungan (Indonesia)",
    digestComposedTitle: "Yang dibaca model, kalimat demi kalimat",
    digestSourcesTitle: "Sumber",
    digest: {
      count: "Gabungan memerlukan 2 sampai {max} artikel; yang ada sekarang {n}.",
      article: "Artikel {n}",
      used: "{n} kalimat dipakai",
      duplicates: "{n} duplikat dibuang",
      duplicateOf: "{n} duplikat dibuang (sama dengan {of})",
      leftOut: "{n} tidak muat",
      read: "{share} dibaca",
      totals: "{used} kalimat dibaca model dari {sentences}; {duplicates} duplikat dibuang, {left} tidak muat ({tokens} / {max} token).",
      leftOutWarning: "{n} kalimat yang tidak diulang artikel lain tidak muat dalam jendela model; jumlahnya per artikel ada di Sumber.",
      unrelated: "Tidak ada kalimat yang diulang antarartikel: apakah artikel-artikel ini membahas peristiwa yang sama?",
      refused: "Artikel {n} tidak dapat dipakai.",
    },
    archiveTitle: "Arsip",
    archiveHint: "Ringkas seluruh arsip: unggah CSV (kolom id, text atau html) atau JSONL (satu artikel per baris). Panjang dan terjemahan mengikuti pilihan di atas.",
    archiveFile: "Berkas arsip (.csv, .jsonl)",
    archiveChoose: "Pilih berkas",
    archiveNoFile: "Belum ada berkas dipilih",
    archiveStart: "Kirim arsip",
    archiveProgress: "Kemajuan",
    archiveDownload: "Unduh hasil ({format})",
    archiveDownloadOther: "Unduh sebagai NDJSON",
    archiveCancel: "Batalkan",
    archive: {
      noFile: "Pilih berkas CSV atau JSONL terlebih dahulu.",
      noJobs: "Arsip belum diaktifkan di layanan ini. Minta operator layanan untuk menyalakannya.",
      status: { queued: "menunggu", running: "berjalan", done: "selesai", cancelled: "dibatalkan" },
      line: "{finished} / {total} diproses ({failed} gagal) · {status}",
      cancelledItems: "{n} dibatalkan",
      rate: "{rate} artikel/detik · sisa sekitar {eta}",
      workers: "{n} pekerja aktif",
      noWorkers: "Belum ada pekerja aktif: arsip menunggu sampai operator menjalankan pekerja.",
      gone: "Pekerjaan ini tidak ditemukan lagi (mungkin sudah kedaluwarsa).",
      // Why the service refused an archive file, in the editor's words ({1}: what the service named).
      reasons: {
        header: "Baris judul CSV harus memuat kolom text atau html (kolom yang ada: {1}).",
        column: "Kolom CSV “{1}” tidak dikenal. Kolom yang dikenal: id, text, html dan pilihan ringkasan.",
        cells: "Baris {1} memiliki sel lebih banyak daripada baris judul.",
        csv: "Baris {1} bukan CSV yang sah.",
        json: "Baris {1} bukan JSON yang sah.",
        object: "Baris {1} bukan objek JSON.",
        empty: "Berkas arsip tidak berisi artikel.",
        twice: "Id {1} muncul dua kali; setiap id harus unik.",
        encoding: "Berkas ini bukan teks UTF-8. Simpan ulang sebagai UTF-8 (CSV UTF-8), lalu kirim lagi.",
        many: "Arsip berisi lebih dari {1} artikel, batas satu pekerjaan di layanan ini.",
      },
    },
    anyway: "Ringkas saja",
    htmlSwitched: "Teks yang ditempel tampak seperti HTML, jadi format diganti ke HTML: artikelnya diambil dari markup.",
    demo: "Mode demo: layanan memakai model kecil berbobot acak, jadi ringkasan dan terjemahannya tidak bermakna.",
    advice: {
      truncated: "Model hanya membaca {read} token pertama dari {total} token artikel ini. Centang \u201cArtikel panjang\u201d lalu tekan Ringkas untuk meringkas seluruhnya.",
      forced: "Pemeriksaan bahasa dilewati; teks tampaknya berbahasa {lang}.",
      chunkCut: "Ringkasan bagian tidak muat dalam satu jendela; ringkasan ini bertumpu pada sekitar {share} artikel.",
      undetected: "Bahasa teks ini tidak dapat dikenali.",
      malay: "Teks ini tampaknya berbahasa Melayu; model disetel untuk bahasa Indonesia.",
      unsure: "Teks ini mungkin berbahasa {lang}; terlalu pendek untuk dipastikan.",
      flat: "Artikel ini tidak memiliki jeda baris, jadi paragraf dan baris non-berita tidak dapat dipisahkan. Tempel artikel dengan jeda barisnya.",
      markup: "Teks berisi markup HTML, jadi dibaca sebagai HTML. Pilih format HTML untuk teks seperti ini.",
      other: "Layanan memberi catatan tentang hasil ini.",
    },
  },
  en: {
    skip: "Skip to the article",
    tagline: "Summaries of Indonesian news, with an English translation.",
    uiLangHint: "Change the interface language",
    switchTo: "Bahasa Indonesia",
    articleLabel: "Article",
    articleHint: "Paste the article text or the HTML from your CMS.",
    keyHint: "{keys} to summarize.",
    formatLegend: "Format",
    formatText: "Text",
    lengthLabel: "Summary length",
    short: "Short",
    medium: "Medium",
    long: "Long",
    translateLabel: "Translate into English",
    chunkLabel: "Long article: summarize all of it, part by part",
    keySummary: "API key",
    keyLabel: "API key (if the service asks for one; kept in this tab only)",
    submit: "Summarize",
    working: "Summarizing…",
    summaryTitle: "Summary (Indonesian)",
    translationTitle: "Translation (English)",
    copy: "Copy",
    copied: "Copied",
    factsTitle: "About the input",
    apiDocs: "API documentation",
    facts: {
      format: "Format", chars: "Characters (after cleaning)", tokens: "Article tokens / model window",
      truncated: "Truncated", chunks: "Parts", fraction: "Share of the article read", language: "Detected language",
      removed: "Non-article parts removed", cached: "From cache", timings: "Timings (ms)",
    },
    formats: { text: "Text", html: "HTML" },
    families: {
      links: "links to other stories", embeds: "social media and video embeds", ads: "ads and promotions",
      media: "photos, photo captions, videos and page elements", share: "share buttons and prompts",
      captions: "photo captions and credits", credits: "bylines, editors and copyright",
      navigation: "page navigation and comments", repeated: "repeated lines", other: "other",
    },
    technical: "Technical details",
    yes: "yes", no: "no", none: "none",
    timings: { summarize: "summarize", translate: "translate", total: "total" },
    errors: {
      empty: "The article is empty. Paste the article text or HTML first.",
      network: "The service cannot be reached. Check the connection or try again shortly.",
      400: "The service could not read the request.",
      401: "This service needs an API key. Fill in the API key field.",
      403: "The API key was not accepted. Check the key.",
      413: "The article is too long for this service.",
      415: "The request format is not supported.",
      422: "The article cannot be summarized.",
      429: "The usage limit is reached. Try again in {s} seconds.",
      503: "The service is busy or not ready yet. Try again in {s} seconds.",
      other: "The service ran into an error.",
      language: "This text looks {lang}, not Indonesian, so it was not summarized.",
      tooShort: "The article is too short to summarize.",
    },
    digestTitle: "Digest of several articles",
    digestHint: "One summary of 2–20 articles about the same event: sentences another article already said are dropped. Paste the articles separated by a line holding ---, or upload them (one article per file). Length and translation follow the choices above.",
    digestArticles: "Articles (separated by ---)",
    digestChoose: "Choose files",
    digestStart: "Make digest",
    digestWorking: "Making the digest…",
    digestSummaryTitle: "Digest (Indonesian)",
    digestComposedTitle: "What the model read, sentence by sentence",
    digestSourcesTitle: "Sources",
    digest: {
      count: "A digest needs 2 to {max} articles; there are {n} now.",
      article: "Article {n}",
      used: "{n} sentences used",
      duplicates: "{n} duplicates dropped",
      duplicateOf: "{n} duplicates dropped (the same as {of})",
      leftOut: "{n} did not fit",
      read: "{share} read",
      totals: "The model read {used} of {sentences} sentences; {duplicates} duplicates dropped, {left} did not fit ({tokens} / {max} tokens).",
      leftOutWarning: "{n} sentences no other article repeats did not fit the model's window; the count per article is under Sources.",
      unrelated: "No sentence repeats across the articles: are they about the same event?",
      refused: "Article {n} cannot be used.",
    },
    archiveTitle: "Archive",
    archiveHint: "Summarize a whole archive: upload a CSV (columns id, text or html) or JSONL (one article per line). Length and translation follow the choices above.",
    archiveFile: "Archive file (.csv, .jsonl)",
    archiveChoose: "Choose file",
    archiveNoFile: "No file chosen",
    archiveStart: "Send archive",
    archiveProgress: "Progress",
    archiveDownload: "Download results ({format})",
    archiveDownloadOther: "Download as NDJSON",
    archiveCancel: "Cancel",
    archive: {
      noFile: "Choose a CSV or JSONL file first.",
      noJobs: "Archives are not switched on for this service. Ask the service's operator to turn them on.",
      status: { queued: "queued", running: "running", done: "done", cancelled: "cancelled" },
      line: "{finished} / {total} processed ({failed} failed) · {status}",
      cancelledItems: "{n} cancelled",
      rate: "{rate} articles/s · about {eta} to go",
      workers: "{n} workers active",
      noWorkers: "No worker is active: the archive waits until the operator starts one.",
      gone: "This job cannot be found any more (it may have expired).",
      reasons: {
        header: "The CSV header must name a text or html column (columns found: {1}).",
        column: "Unknown CSV column “{1}”. Known columns: id, text, html and the summary options.",
        cells: "Line {1} has more cells than the header.",
        csv: "Line {1} is not valid CSV.",
        json: "Line {1} is not valid JSON.",
        object: "Line {1} is not a JSON object.",
        empty: "The archive file holds no articles.",
        twice: "The id {1} appears twice; each id must be unique.",
        encoding: "This file is not UTF-8 text. Save it again as UTF-8 (CSV UTF-8) and send it again.",
        many: "The archive holds more than {1} articles, this service's limit for one job.",
      },
    },
    anyway: "Summarize anyway",
    htmlSwitched: "The pasted text looks like HTML, so the format was switched to HTML: the article is taken from the markup.",
    demo: "Demo mode: the service runs tiny random-weight models, so its summaries and translations are meaningless.",
    advice: {
      truncated: "The model read only the first {read} of {total} tokens. Tick \u201cLong article\u201d and press Summarize to summarize all of it.",
      forced: "The language check was skipped; the text looks {lang}.",
      chunkCut: "The partial summaries did not fit one window; this summary rests on about {share} of the article.",
      undetected: "The language of this text could not be told.",
      malay: "This text looks Malay; the model is tuned for Indonesian.",
      unsure: "This text may be {lang}; it is too short to be sure.",
      flat: "This article has no line breaks, so paragraphs and non-article lines could not be told apart. Paste it with its line breaks.",
      markup: "The text held HTML markup, so it was read as HTML. Choose the HTML format for text like this.",
      other: "The service left a note about this result.",
    },
  },
};

const $ = (id) => document.getElementById(id);
// Indonesian unless the browser prefers English or the editor switched earlier in this tab.
let lang = sessionStorage.getItem("ringkas.ui") || ((navigator.language || "id").startsWith("en") ? "en" : "id");
let last = null; // last successful response, re-rendered when the interface language changes
let lastError = null; // last error shown, re-shown in the new language when the interface switches
// HTML pasted with Format = Text: tags a CMS body is made of.
const LOOKS_HTML = /<(p|div|article|section|br|span|a|h[1-6]|ul|ol|li|figure|img|html|body|strong|em|b|i)\b[^>]*>/i;

function t() {
  return TEXT[lang];
}

// A language's name in the page's language ("Inggris", not "English"), from its NLLB code
// (eng_Latn): the browser knows the names; the service's English name is the last resort.
function languageName(code, fallback) {
  try {
    const name = new Intl.DisplayNames([lang], { type: "language", fallback: "none" }).of(code.split("_")[0]);
    if (name) return name;
  } catch {
    // an unknown code: fall through
  }
  return fallback || code;
}

// What cleaning removed, by kind: the service names its rules (read-also, ad-box...); an editor
// reads "links to other stories". Checked in order; a rule of no known kind counts as "other".
const FAMILIES = [
  [/^embeds$/, "media"], // figures, captions, iframes, forms and buttons: not only social embeds
  [/^share/, "share"],
  [/read-also|related|topics|tags|link-only|link-list|glued-label|syndication|headlines/, "links"],
  [/embed|share|social|tweet|instagram|tiktok|video/, "embeds"],
  [/ad-|promo|newsletter|messaging|pitch/, "ads"],
  [/caption|photo/, "captions"],
  [/byline|initial|editor|credit|signoff|dateline|place-and-site|site-and-time|copyright|region/, "credits"],
  [/pagination|comments|reading-prompt|list-number|widget/, "navigation"],
  [/duplicate/, "repeated"],
];

function family(rule) {
  const found = FAMILIES.find(([pattern]) => pattern.test(rule));
  return found ? found[1] : "other";
}

// The keyboard shortcut, as this device has it: none on a touch screen, the Command key on a Mac.
function keyHint() {
  if (matchMedia("(pointer: coarse)").matches && !matchMedia("(pointer: fine)").matches) return "";
  const mac = /mac|iphone|ipad/i.test(navigator.userAgentData?.platform || navigator.platform || "");
  return t().keyHint.replace("{keys}", mac ? "\u2318+Enter" : "Ctrl+Enter");
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => {
    const value = t()[node.dataset.i18n];
    if (typeof value === "string") node.textContent = value;
  });
  $("article-hint").textContent = [t().articleHint, keyHint()].filter(Boolean).join(" ");
  if ($("notice").dataset.key) showNotice($("notice").dataset.key);
  $("ui-lang").textContent = t().switchTo;
  if (last) render(last);
  if (lastError) showError(...lastError);
  if (!$("demo").hidden) $("demo").textContent = t().demo;
  if (lastJob) showJob(lastJob);
  if (lastDigest) renderDigest(lastDigest);
  if (lastDigestError) digestError(...lastDigestError);
  showDigestFiles();
  if (archiveOffDetail) fillProblem($("archive-off"), t().archive.noJobs, archiveOffDetail);
  showChosenFile();
}

// The browser's own file input speaks the browser's language ("Choose File"); the page shows its own.
function showChosenFile() {
  const file = $("archive-file").files[0];
  $("archive-name").textContent = file ? file.name : t().archiveNoFile;
}

// A failed request must not leave the previous article's summary on screen, where an editor could
// copy it as this one's: the result is hidden and forgotten.
function clearResult() {
  last = null;
  $("result").hidden = true;
  $("summary").textContent = "";
  $("translation").textContent = "";
}

// message: a key path into TEXT (so it follows the interface language) or a finished string.
function showError(message, detail, action) {
  lastError = [message, detail, action];
  const box = $("error");
  fillProblem(box, typeof message === "function" ? message() : message, null);
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "anyway";
    button.className = "secondary";
    button.textContent = t()[action.label];
    button.addEventListener("click", action.run);
    box.append(button);
  }
  if (detail) box.append(detailLine(detail));
  box.hidden = false;
  box.focus?.();
}

// An error box's text: the page's own words, then what the service said, as a hint.
function fillProblem(box, message, detail) {
  box.replaceChildren();
  const main = document.createElement("p");
  main.textContent = message;
  box.append(main);
  if (detail) box.append(detailLine(detail));
}

// The service's own words are written for developers (in English, with API names): an editor sees
// them only on request, behind "Detail teknis".
function detailLine(detail) {
  const box = document.createElement("details");
  box.className = "technical";
  const summary = document.createElement("summary");
  summary.textContent = t().technical;
  const text = document.createElement("p");
  text.textContent = detail;
  text.lang = "en";
  box.append(summary, text);
  return box;
}

function clearError() {
  lastError = null;
  $("error").hidden = true;
  $("error").replaceChildren();
}

function problemMessage(status, problem, retryAfter) {
  const words = t().errors[status] || t().errors.other;
  return words.replace("{s}", retryAfter || "10");
}

function showNotice(key) {
  if (key) $("notice").dataset.key = key;
  else delete $("notice").dataset.key; // not the string "null", which a language switch would show
  $("notice").textContent = key ? t()[key] : "";
  $("notice").hidden = !key;
}

// The service's warnings are written for API callers ("send long_input ..."); each known one is
// told in the page's language and points at the page's own controls. An unknown one gets a plain
// sentence, with the service's words behind "Detail teknis".
function advice(warning, input) {
  const a = t().advice;
  const language = languageName(input.language.code || "", input.language.name);
  if (warning.startsWith("the model read the first")) {
    return [a.truncated.replace("{read}", input.max_tokens).replace("{total}", input.tokens)];
  }
  if (warning.startsWith("language check skipped")) return [a.forced.replace("{lang}", language)];
  const match = warning.match(/rests on about (\d+%)/);
  if (match) return [a.chunkCut.replace("{share}", match[1])];
  if (warning.startsWith("the language could not be detected")) return [a.undetected];
  if (warning.startsWith("the text looks Malay")) return [a.malay];
  if (warning.startsWith("the text may be")) return [a.unsure.replace("{lang}", language)];
  if (warning.startsWith("the text has no line breaks")) return [a.flat];
  if (warning.startsWith("the text held HTML markup")) return [a.markup];
  return [a.other, warning];
}

function fact(list, label, value) {
  const dt = document.createElement("dt");
  dt.textContent = label;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

function render(body) {
  const words = t();
  $("summary").textContent = body.summary.text;
  const hasTranslation = Boolean(body.translation);
  $("translation-panel").hidden = !hasTranslation;
  $("translation").textContent = hasTranslation ? body.translation.text : "";
  document.querySelector(".columns").classList.toggle("two", hasTranslation);

  const warnings = $("warnings");
  warnings.replaceChildren(
    ...body.warnings.map((warning) => {
      const item = document.createElement("li");
      const [told, technical] = advice(warning, body.input);
      item.textContent = told;
      if (technical) item.append(detailLine(technical));
      return item;
    }),
  );

  const facts = $("facts");
  facts.replaceChildren();
  const input = body.input;
  const f = words.facts;
  fact(facts, f.format, words.formats[input.format] || input.format);
  fact(facts, f.chars, String(input.chars));
  fact(facts, f.tokens, `${input.tokens} / ${input.max_tokens}`);
  fact(facts, f.truncated, input.truncated ? words.yes : words.no);
  fact(facts, f.chunks, String(input.chunks));
  fact(facts, f.fraction, `${Math.round(input.fraction_read * 100)}%`);
  fact(facts, f.language, input.language.code ? languageName(input.language.code, input.language.name) : words.none);
  const kinds = {};
  for (const [rule, n] of Object.entries(body.cleaning.removed)) kinds[family(rule)] = (kinds[family(rule)] || 0) + n;
  const removed = Object.entries(kinds).map(([kind, n]) => `${words.families[kind]}: ${n}`);
  const c = body.cleaning;
  const total = c.removed_elements + c.removed_lines + c.removed_spans;
  fact(facts, f.removed, removed.length ? `${total} (${removed.join(", ")})` : words.none);
  fact(facts, f.cached, body.cached ? words.yes : words.no);
  // A cached answer ran no model: its stages' zeros would read as if the models were instant.
  const timings = Object.entries(body.timings_ms)
    .filter(([stage, ms]) => ms !== null && !(body.cached && stage !== "total"))
    .map(([stage, ms]) => `${words.timings[stage] || stage} ${Math.round(ms)}`);
  fact(facts, f.timings, timings.join(" · "));
  $("result").hidden = false;
}

async function summarize(event, force = false) {
  event?.preventDefault();
  clearError();
  showNotice(null);
  const article = $("article").value;
  if (!article.trim()) {
    clearResult();
    showError(() => t().errors.empty);
    $("article").focus();
    return;
  }
  let format = document.querySelector('input[name="format"]:checked').value;
  if (format === "text" && LOOKS_HTML.test(article)) {
    document.querySelector('input[name="format"][value="html"]').checked = true;
    format = "html";
    showNotice("htmlSwitched");
  }
  const payload = { [format]: article, length: $("length").value, translate: $("translate").checked };
  if (force) payload.force = true;
  if ($("chunk").checked) payload.long_input = "chunk"; // otherwise the model reads the opening only
  const headers = { "Content-Type": "application/json" };
  const key = $("api-key").value.trim();
  if (key) headers["X-API-Key"] = key;
  sessionStorage.setItem("ringkas.key", key);

  const button = $("submit");
  button.disabled = true;
  button.textContent = t().working;
  $("result").setAttribute("aria-busy", "true");
  try {
    let response;
    try {
      response = await fetch("v1/summarize", { method: "POST", headers, body: JSON.stringify(payload) });
    } catch {
      clearResult();
      showError(() => t().errors.network);
      return;
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      clearResult();
      if (response.status === 401 || response.status === 403) {
        $("key-box").hidden = false;
        $("key-box").open = true;
      }
      const detected = response.status === 422 && body && body.detected_language;
      if (detected) {
        // Not Indonesian: say so in the page's words and offer the override, not an API field.
        const run = () => summarize(null, true);
        const name = () => languageName(detected.code || "", detected.name);
        showError(() => t().errors.language.replace("{lang}", name()), body.detail, {
          label: "anyway",
          run,
        });
        return;
      }
      const retry = response.headers.get("Retry-After");
      const short = body && (body.errors || []).some((e) => e.type === "string_too_short");
      showError(() => (short ? t().errors.tooShort : problemMessage(response.status, body, retry)), body && body.detail);
      return;
    }
    last = body;
    render(body);
    // On a phone the result is below the form: bring its start into view, not only its heading.
    $("result").scrollIntoView?.({ block: "start" });
  } finally {
    button.disabled = false;
    button.textContent = t().submit;
    $("result").setAttribute("aria-busy", "false");
  }
}

async function copy(event) {
  const button = event.currentTarget;
  const text = $(button.dataset.copy).textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API needs a secure context; fall back to selecting the text for Ctrl+C.
    const range = document.createRange();
    range.selectNodeContents($(button.dataset.copy));
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    return;
  }
  button.textContent = t().copied;
  setTimeout(() => (button.textContent = t().copy), 1500);
}

// --- Gabungan: several articles about one story as one digest (POST /v1/digest), with its sources.
const MAX_DIGEST_ARTICLES = 20; // the service's default; a deployment's own limit comes back as its 422
const SEPARATOR = /^\s*-{3,}\s*$/m;
let lastDigest = null; // [body, labels]: the last digest, re-rendered when the interface language changes
let lastDigestError = null;

function showDigestFiles() {
  const files = [...$("digest-files").files];
  $("digest-names").textContent = files.length ? files.map((file) => file.name).join(", ") : t().archiveNoFile;
}

function digestError(message, detail) {
  lastDigestError = message ? [message, detail] : null;
  const box = $("digest-error");
  fillProblem(box, typeof message === "function" ? message() : message || "", detail);
  box.hidden = !message;
}

// The pasted articles (split at lines of ---) and then the uploaded files, each with the label the
// sources show: a file's name, or "Artikel n".
async function digestArticles() {
  const pasted = $("digest-articles").value.split(SEPARATOR).map((part) => part.trim()).filter(Boolean);
  const articles = pasted.map((text) => ({ [LOOKS_HTML.test(text) ? "html" : "text"]: text }));
  const labels = pasted.map(() => null);
  for (const file of $("digest-files").files) {
    const text = await file.text();
    if (!text.trim()) continue;
    articles.push({ [/\.html?$/i.test(file.name) || LOOKS_HTML.test(text) ? "html" : "text"]: text });
    labels.push(file.name);
  }
  return [articles, labels];
}

function sourceName(labels, index) {
  const name = t().digest.article.replace("{n}", index + 1);
  return labels[index] ? `${name} (${labels[index]})` : name;
}

function renderDigest([body, labels]) {
  const d = t().digest;
  $("digest-summary").textContent = body.summary.text;
  $("digest-translation-box").hidden = !body.translation;
  $("digest-translation").textContent = body.translation ? body.translation.text : "";
  // Each sentence the model read, marked with the article it came from.
  $("digest-composed").replaceChildren(
    ...body.composed.map((sentence) => {
      const item = document.createElement("li");
      const mark = document.createElement("span");
      mark.className = `source-mark source-${sentence.article % 6}`;
      mark.textContent = String(sentence.article + 1);
      mark.title = sourceName(labels, sentence.article);
      item.append(mark, " ", sentence.text);
      return item;
    }),
  );
  $("digest-sources").replaceChildren(
    ...body.sources.map((source) => {
      const item = document.createElement("li");
      const mark = document.createElement("span");
      mark.className = `source-mark source-${source.article % 6}`;
      mark.textContent = String(source.article + 1);
      const name = document.createElement("strong");
      name.textContent = source.outlet || sourceName(labels, source.article);
      const of = [...new Set(body.dropped.filter((x) => x.article === source.article).map((x) => x.duplicate_of.article + 1))];
      const parts = [
        d.used.replace("{n}", source.used),
        (of.length ? d.duplicateOf.replace("{of}", of.join(", ")) : d.duplicates).replace("{n}", source.duplicates),
        d.leftOut.replace("{n}", source.left_out),
        d.read.replace("{share}", `${Math.round(source.fraction_read * 100)}%`),
      ];
      const line = document.createElement("span");
      line.className = "source-facts";
      line.textContent = parts.join(" · ");
      item.append(mark, " ", name, line);
      return item;
    }),
  );
  const i = body.input;
  $("digest-totals").textContent = d.totals
    .replace("{used}", i.used).replace("{sentences}", i.sentences).replace("{duplicates}", i.duplicates)
    .replace("{left}", i.left_out).replace("{tokens}", i.tokens).replace("{max}", i.max_tokens);
  $("digest-warnings").replaceChildren(
    ...body.warnings.map((warning) => {
      const item = document.createElement("li");
      if (/left_out/.test(warning)) item.textContent = d.leftOutWarning.replace("{n}", i.left_out);
      else if (/no sentence repeats/.test(warning)) item.textContent = d.unrelated;
      else {
        item.textContent = t().advice.other;
        item.append(detailLine(warning));
      }
      return item;
    }),
  );
  $("digest-result").hidden = false;
}

async function submitDigest(event) {
  event.preventDefault();
  digestError(null);
  lastDigest = null;
  $("digest-result").hidden = true;
  const [articles, labels] = await digestArticles();
  if (articles.length < 2 || articles.length > MAX_DIGEST_ARTICLES) {
    const n = articles.length;
    digestError(() => t().digest.count.replace("{max}", MAX_DIGEST_ARTICLES).replace("{n}", n));
    $("digest-articles").focus();
    return;
  }
  const payload = { articles, length: $("length").value, translate: $("translate").checked };
  const button = $("digest-start");
  button.disabled = true;
  button.textContent = t().digestWorking;
  $("digest-result").setAttribute("aria-busy", "true");
  try {
    let response;
    try {
      response = await fetch("v1/digest", {
        method: "POST",
        headers: { "Content-Type": "application/json", ...keyHeaders() },
        body: JSON.stringify(payload),
      });
    } catch {
      digestError(() => t().errors.network);
      return;
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        $("key-box").hidden = false;
        $("key-box").open = true;
      }
      const retry = response.headers.get("Retry-After");
      // A refused article is named by its place (the service's "articles[2]: ..."), counted from 1.
      const article = body && Number.isInteger(body.article) ? body.article + 1 : null;
      const said = () => (article ? t().digest.refused.replace("{n}", article) + " " : "") + problemMessage(response.status, body, retry);
      digestError(said, body && body.detail);
      return;
    }
    lastDigest = [body, labels];
    renderDigest(lastDigest);
    $("digest-result").scrollIntoView?.({ block: "start" });
  } finally {
    button.disabled = false;
    button.textContent = t().digestStart;
    $("digest-result").setAttribute("aria-busy", "false");
  }
}

// --- Archive: a whole file as one job (POST /v1/jobs), its progress polled, its results downloaded.
let lastJob = null; // the job's last status, re-shown when the interface language changes
let jobTimer = null;
const JOB_TYPES = { csv: "text/csv", json: "application/json" }; // anything else: NDJSON (JSONL)

function keyHeaders() {
  const key = $("api-key").value.trim();
  return key ? { "X-API-Key": key } : {};
}

// The service's reason for refusing an archive file (intake.py's wording), matched to the page's own.
const ARCHIVE_REASONS = [
  [/^the CSV header must name a text or html column \(found: (.*)\)$/, "header"],
  [/^unknown CSV column '([^']*)'/, "column"],
  [/^line (\d+) has more cells than the header/, "cells"],
  [/^line (\d+) is not valid CSV/, "csv"],
  [/^line (\d+) is not valid JSON/, "json"],
  [/^line (\d+) is not a JSON object/, "object"],
  [/^the job has no items/, "empty"],
  [/^id ('.*') appears twice/, "twice"],
  [/^the body is not valid /, "encoding"],
  [/^more than (\d+) items/, "many"],
];

function archiveReason(detail) {
  for (const [pattern, key] of ARCHIVE_REASONS) {
    const match = (detail || "").match(pattern);
    if (match) return t().archive.reasons[key].replaceAll("{1}", match[1] ?? "");
  }
  return null;
}

function archiveError(message, detail) {
  const box = $("archive-error");
  fillProblem(box, message, detail);
  box.hidden = !message;
}

function duration(seconds) {
  if (seconds < 90) return lang === "id" ? `${Math.round(seconds)} detik` : `${Math.round(seconds)} s`;
  if (seconds < 5400) return lang === "id" ? `${Math.round(seconds / 60)} menit` : `${Math.round(seconds / 60)} min`;
  return lang === "id" ? `${(seconds / 3600).toFixed(1)} jam` : `${(seconds / 3600).toFixed(1)} h`;
}

function showJob(job) {
  lastJob = job;
  const a = t().archive;
  const c = job.counts;
  const finished = c.done + c.failed;
  $("job").hidden = false;
  $("job-progress").max = c.total;
  $("job-progress").value = finished;
  const parts = [
    a.line.replace("{finished}", finished).replace("{total}", c.total).replace("{failed}", c.failed)
      .replace("{status}", a.status[job.status] || job.status),
  ];
  if (c.cancelled) parts.push(a.cancelledItems.replace("{n}", c.cancelled));
  if (job.rate_per_s && job.eta_s !== null) {
    parts.push(a.rate.replace("{rate}", job.rate_per_s.toFixed(2)).replace("{eta}", duration(job.eta_s)));
  }
  if (job.status === "queued" || job.status === "running") {
    parts.push(job.workers ? a.workers.replace("{n}", job.workers) : a.noWorkers);
  }
  $("job-status").textContent = parts.join(" · ");
  $("job-cancel").hidden = !(job.status === "queued" || job.status === "running");
  // The results come back in the format the archive went in (a CSV for a spreadsheet, with its own
  // delimiter); NDJSON is the other choice.
  const format = job.upload && job.upload.format === "csv" ? "csv" : "ndjson";
  $("job-download").dataset.format = format;
  $("job-download").textContent = t().archiveDownload.replace("{format}", format.toUpperCase());
  $("job-download").disabled = finished === 0;
  $("job-download-ndjson").hidden = format === "ndjson";
  $("job-download-ndjson").disabled = finished === 0;
}

async function pollJob(id) {
  clearTimeout(jobTimer);
  let response;
  try {
    response = await fetch(`v1/jobs/${encodeURIComponent(id)}`, { headers: keyHeaders() });
  } catch {
    jobTimer = setTimeout(() => pollJob(id), 3000); // the network blinked: keep watching
    return;
  }
  if (response.status === 404) {
    sessionStorage.removeItem("ringkas.job");
    $("job").hidden = true;
    archiveError(t().archive.gone);
    return;
  }
  const body = await response.json().catch(() => null);
  if (!response.ok || !body) {
    jobTimer = setTimeout(() => pollJob(id), 3000);
    return;
  }
  showJob(body);
  if (body.status === "queued" || body.status === "running") jobTimer = setTimeout(() => pollJob(id), 1000);
}

async function submitArchive(event) {
  event.preventDefault();
  archiveError("");
  // A new archive: the previous job's progress must not stand under this one's answer.
  clearTimeout(jobTimer);
  lastJob = null;
  sessionStorage.removeItem("ringkas.job");
  $("job").hidden = true;
  const file = $("archive-file").files[0];
  if (!file) {
    archiveError(t().archive.noFile);
    return;
  }
  const extension = file.name.split(".").pop().toLowerCase();
  const type = JOB_TYPES[extension] || "application/x-ndjson";
  const options = new URLSearchParams({ length: $("length").value, translate: String($("translate").checked) });
  if ($("chunk").checked) options.set("long_input", "chunk");
  const button = $("archive-start");
  button.disabled = true;
  try {
    let url = `v1/jobs?${options}`;
    let body = file;
    if (type === "application/json") {
      // A JSON file carries its own defaults; the page's choices fill in what it leaves out.
      const data = JSON.parse(await file.text());
      data.defaults = { ...Object.fromEntries([...options].map(([k, v]) => [k, v === "true" ? true : v === "false" ? false : v])), ...(data.defaults || {}) };
      body = JSON.stringify(data);
      url = "v1/jobs";
    }
    let response;
    try {
      response = await fetch(url, { method: "POST", headers: { "Content-Type": type, ...keyHeaders() }, body });
    } catch {
      archiveError(t().errors.network);
      return;
    }
    const answer = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) {
        $("key-box").hidden = false;
        $("key-box").open = true;
      }
      const noJobs = response.status === 503 && answer && answer.setting === "RINGKAS_REDIS_URL";
      if (noJobs) {
        archiveOff(answer.detail);
        return;
      }
      const retry = response.headers.get("Retry-After");
      const detail = answer && answer.detail;
      archiveError(archiveReason(detail) || problemMessage(response.status, answer, retry), detail);
      return;
    }
    sessionStorage.setItem("ringkas.job", answer.id);
    pollJob(answer.id);
  } catch (error) {
    archiveError(t().errors[400], String(error.message || error)); // a JSON file that does not parse
  } finally {
    button.disabled = Boolean(archiveOffDetail);
  }
}

async function downloadResults(event) {
  if (!lastJob) return;
  const format = event.currentTarget.dataset.format || "ndjson";
  const url = `v1/jobs/${encodeURIComponent(lastJob.id)}/results?format=${format}`;
  const response = await fetch(url, { headers: keyHeaders() }).catch(() => null);
  if (!response || !response.ok) {
    archiveError(t().errors.other);
    return;
  }
  // A blob, not a plain link: the request must carry the API key header.
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = `${lastJob.id}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

async function cancelJob() {
  if (!lastJob) return;
  const response = await fetch(`v1/jobs/${encodeURIComponent(lastJob.id)}`, { method: "DELETE", headers: keyHeaders() }).catch(() => null);
  if (response && response.ok) showJob(await response.json());
}

document.addEventListener("DOMContentLoaded", () => {
  $("api-key").value = sessionStorage.getItem("ringkas.key") || "";
  $("archive-form").addEventListener("submit", submitArchive);
  $("digest-form").addEventListener("submit", submitDigest);
  $("digest-files").addEventListener("change", showDigestFiles);
  $("digest-error").tabIndex = -1;
  $("archive-file").addEventListener("change", showChosenFile);
  $("job-download").addEventListener("click", downloadResults);
  $("job-download-ndjson").addEventListener("click", downloadResults);
  $("job-cancel").addEventListener("click", cancelJob);
  $("archive-error").tabIndex = -1;
  const watched = sessionStorage.getItem("ringkas.job"); // a reload keeps watching the job
  if (watched) pollJob(watched);
  $("error").tabIndex = -1;
  $("form").addEventListener("submit", summarize);
  $("article").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("form").requestSubmit();
  });
  document.querySelectorAll("button.copy").forEach((button) => button.addEventListener("click", copy));
  $("ui-lang").addEventListener("click", () => {
    lang = lang === "id" ? "en" : "id";
    sessionStorage.setItem("ringkas.ui", lang);
    applyLanguage();
  });
  applyLanguage();
  probeService();
});

// One call tells the page what it needs: 401 means the service has API keys (show the key box);
// otherwise /v1/models says whether the models are the tiny demo ones. 503 while loading: ask again.
async function probeService(attempt = 0) {
  const key = $("api-key").value.trim();
  let response;
  try {
    response = await fetch("v1/models", { headers: key ? { "X-API-Key": key } : {} });
  } catch {
    return;
  }
  $("key-box").hidden = !(response.status === 401 || response.status === 403 || key);
  if (response.status === 503 && attempt < 30) {
    setTimeout(() => probeService(attempt + 1), 2000);
    return;
  }
  const body = response.ok ? await response.json().catch(() => null) : null;
  if (body && body.demo) {
    $("demo").hidden = false;
    $("demo").textContent = t().demo;
  }
  if (body && body.jobs === false) archiveOff("RINGKAS_REDIS_URL is not set, so /v1/jobs answers 503; set it and start `ringkas worker`.");
}

// Archives need Redis and a worker: without them the panel says so before anyone uploads.
let archiveOffDetail = null;
function archiveOff(detail) {
  archiveOffDetail = detail;
  $("archive-file").disabled = true;
  $("archive-start").disabled = true;
  archiveError("");
  fillProblem($("archive-off"), t().archive.noJobs, detail);
  $("archive-off").hidden = false;
}
