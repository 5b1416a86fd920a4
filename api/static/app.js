// Ringkas editor page: calls POST /v1/summarize on this origin and shows the answer.
// No framework and no build step: one file the service serves itself (the page's CSP allows only it).
"use strict";

const TEXT = {
  id: {
    skip: "Langsung ke artikel",
    tagline: "Ringkasan berita berbahasa Indonesia, dengan terjemahan bahasa Inggris.",
    uiLangHint: "Ganti bahasa antarmuka",
    switchTo: "English",
    articleLabel: "Artikel",
    articleHint: "Tempel teks artikel atau HTML dari CMS. Ctrl+Enter untuk meringkas.",
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
      format: "Format", chars: "Karakter (setelah dibersihkan)", tokens: "Token dibaca / jendela model",
      truncated: "Dipotong", chunks: "Bagian", fraction: "Porsi artikel yang dibaca", language: "Bahasa terdeteksi",
      removed: "Boilerplate dibuang", cached: "Dari cache", timings: "Waktu (ms)",
    },
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
      detail: "Keterangan dari layanan:",
      language: "Teks ini tampaknya berbahasa {lang}, bukan bahasa Indonesia, jadi tidak diringkas.",
    },
    anyway: "Ringkas saja",
    htmlSwitched: "Teks yang ditempel tampak seperti HTML, jadi format diganti ke HTML: artikelnya diambil dari markup.",
    demo: "Mode demo: layanan memakai model kecil berbobot acak, jadi ringkasan dan terjemahannya tidak bermakna.",
    advice: {
      truncated: "Model hanya membaca {read} dari {total} token pertama. Centang \u201cArtikel panjang\u201d lalu tekan Ringkas untuk meringkas seluruhnya.",
      forced: "Pemeriksaan bahasa dilewati; teks tampaknya berbahasa {lang}.",
      chunkCut: "Ringkasan bagian tidak muat dalam satu jendela; ringkasan ini bertumpu pada sekitar {share} artikel.",
    },
  },
  en: {
    skip: "Skip to the article",
    tagline: "Summaries of Indonesian news, with an English translation.",
    uiLangHint: "Change the interface language",
    switchTo: "Bahasa Indonesia",
    articleLabel: "Article",
    articleHint: "Paste the article text or the HTML from your CMS. Ctrl+Enter to summarize.",
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
      format: "Format", chars: "Characters (after cleaning)", tokens: "Tokens read / model window",
      truncated: "Truncated", chunks: "Parts", fraction: "Share of the article read", language: "Detected language",
      removed: "Boilerplate removed", cached: "From cache", timings: "Timings (ms)",
    },
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
      detail: "The service says:",
      language: "This text looks {lang}, not Indonesian, so it was not summarized.",
    },
    anyway: "Summarize anyway",
    htmlSwitched: "The pasted text looks like HTML, so the format was switched to HTML: the article is taken from the markup.",
    demo: "Demo mode: the service runs tiny random-weight models, so its summaries and translations are meaningless.",
    advice: {
      truncated: "The model read only the first {read} of {total} tokens. Tick \u201cLong article\u201d and press Summarize to summarize all of it.",
      forced: "The language check was skipped; the text looks {lang}.",
      chunkCut: "The partial summaries did not fit one window; this summary rests on about {share} of the article.",
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

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => {
    const value = t()[node.dataset.i18n];
    if (typeof value === "string") node.textContent = value;
  });
  if ($("notice").dataset.key) showNotice($("notice").dataset.key);
  $("ui-lang").textContent = t().switchTo;
  if (last) render(last);
  if (lastError) showError(...lastError);
  if (!$("demo").hidden) $("demo").textContent = t().demo;
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
  box.replaceChildren();
  const main = document.createElement("p");
  main.textContent = typeof message === "function" ? message() : message;
  box.append(main);
  if (action) {
    const button = document.createElement("button");
    button.type = "button";
    button.id = "anyway";
    button.className = "secondary";
    button.textContent = t()[action.label];
    button.addEventListener("click", action.run);
    box.append(button);
  }
  if (detail) {
    const extra = document.createElement("p");
    extra.className = "hint";
    extra.textContent = `${t().errors.detail} ${detail}`;
    box.append(extra);
  }
  box.hidden = false;
  box.focus?.();
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
  $("notice").dataset.key = key;
  $("notice").textContent = key ? t()[key] : "";
  $("notice").hidden = !key;
}

// The service's warnings are written for API callers ("send long_input ..."); the known ones are
// told here in the page's language and point at the page's own controls. Others are shown as sent.
function advice(warning, input) {
  const a = t().advice;
  if (warning.includes('"long_input": "chunk"')) {
    return a.truncated.replace("{read}", input.max_tokens).replace("{total}", input.tokens);
  }
  let match = warning.match(/^language check skipped \(force\); the text looks (.+)$/);
  if (match) return a.forced.replace("{lang}", match[1]);
  match = warning.match(/did not condense into one window; the summary rests on about (\d+%)/);
  if (match) return a.chunkCut.replace("{share}", match[1]);
  return warning;
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
      item.textContent = advice(warning, body.input);
      return item;
    }),
  );

  const facts = $("facts");
  facts.replaceChildren();
  const input = body.input;
  const f = words.facts;
  fact(facts, f.format, input.format.toUpperCase());
  fact(facts, f.chars, String(input.chars));
  fact(facts, f.tokens, `${input.tokens} / ${input.max_tokens}`);
  fact(facts, f.truncated, input.truncated ? words.yes : words.no);
  fact(facts, f.chunks, String(input.chunks));
  fact(facts, f.fraction, `${Math.round(input.fraction_read * 100)}%`);
  fact(facts, f.language, input.language.name ? `${input.language.name} (${input.language.code})` : words.none);
  const removed = Object.entries(body.cleaning.removed).map(([rule, n]) => `${rule}: ${n}`);
  const c = body.cleaning;
  const total = c.removed_elements + c.removed_lines + c.removed_spans;
  fact(facts, f.removed, removed.length ? `${total} (${removed.join(", ")})` : words.none);
  fact(facts, f.cached, body.cached ? words.yes : words.no);
  const timings = Object.entries(body.timings_ms)
    .filter(([, ms]) => ms !== null)
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
        showError(() => t().errors.language.replace("{lang}", detected.name || detected.code), body.detail, {
          label: "anyway",
          run,
        });
        return;
      }
      const retry = response.headers.get("Retry-After");
      showError(() => problemMessage(response.status, body, retry), body && body.detail);
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

document.addEventListener("DOMContentLoaded", () => {
  $("api-key").value = sessionStorage.getItem("ringkas.key") || "";
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
}
