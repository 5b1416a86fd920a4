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
    },
  },
};

const $ = (id) => document.getElementById(id);
// Indonesian unless the browser prefers English or the editor switched earlier in this tab.
let lang = sessionStorage.getItem("ringkas.ui") || ((navigator.language || "id").startsWith("en") ? "en" : "id");
let last = null; // last successful response, re-rendered when the interface language changes

function t() {
  return TEXT[lang];
}

function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => {
    const value = t()[node.dataset.i18n];
    if (typeof value === "string") node.textContent = value;
  });
  $("ui-lang").textContent = t().switchTo;
  if (last) render(last);
}

function showError(message, detail) {
  const box = $("error");
  box.replaceChildren();
  const main = document.createElement("p");
  main.textContent = message;
  box.append(main);
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
  $("error").hidden = true;
  $("error").replaceChildren();
}

function problemMessage(status, problem, retryAfter) {
  const words = t().errors[status] || t().errors.other;
  return words.replace("{s}", retryAfter || "10");
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
      item.textContent = warning;
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

async function summarize(event) {
  event.preventDefault();
  clearError();
  const article = $("article").value;
  if (!article.trim()) {
    showError(t().errors.empty);
    $("article").focus();
    return;
  }
  const format = document.querySelector('input[name="format"]:checked').value;
  const payload = { [format]: article, length: $("length").value, translate: $("translate").checked };
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
      showError(t().errors.network);
      return;
    }
    const body = await response.json().catch(() => null);
    if (!response.ok) {
      if (response.status === 401 || response.status === 403) $("key-box").open = true;
      showError(problemMessage(response.status, body, response.headers.get("Retry-After")), body && body.detail);
      return;
    }
    last = body;
    render(body);
    $("summary").closest(".panel").querySelector("h2").scrollIntoView?.({ block: "nearest" });
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
});
