// The interface language: the catalogue's words in it, and every panel re-drawn when it changes.
import { TEXT } from "../strings.js";
import { $ } from "./dom.js";

// Indonesian unless the browser prefers English or the editor switched earlier in this tab.
let lang = sessionStorage.getItem("ringkas.ui") || ((navigator.language || "id").startsWith("en") ? "en" : "id");
const redraws = [];

export function t() {
  return TEXT[lang];
}

export function currentLanguage() {
  return lang;
}

// A catalogue entry with its {name} slots filled: fill("{n} kalimat", { n: 3 }).
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (slot, name) => (Object.hasOwn(values, name) ? String(values[name]) : slot));
}

// A language's name in the page's language ("Inggris", not "English"), from its NLLB code
// (eng_Latn): the browser knows the names; the service's English name is the last resort.
export function languageName(code, fallback) {
  try {
    const name = new Intl.DisplayNames([lang], { type: "language", fallback: "none" }).of(code.split("_")[0]);
    if (name) return name;
  } catch {
    // an unknown code: fall through
  }
  return fallback || code;
}

// A panel's way to show what it shows now in the new language.
export function onLanguageChange(redraw) {
  redraws.push(redraw);
}

export function applyLanguage() {
  document.documentElement.lang = lang;
  document.querySelectorAll("[data-i18n]").forEach((node) => {
    const value = t()[node.dataset.i18n];
    if (typeof value === "string") node.textContent = value;
  });
  $("ui-lang").textContent = t().switchTo;
  redraws.forEach((redraw) => redraw());
}

export function switchLanguage() {
  lang = lang === "id" ? "en" : "id";
  sessionStorage.setItem("ringkas.ui", lang);
  applyLanguage();
}
