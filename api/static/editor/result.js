// The summary panel: the summary beside its translation, the service's warnings told in the page's
// words, and the facts about the input.
import { detailLine } from "./api.js";
import { $ } from "./dom.js";
import { fill, languageName, onLanguageChange, t } from "./i18n.js";

let last = null; // the last answer shown, re-drawn when the interface language changes

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

export function family(rule) {
  const found = FAMILIES.find(([pattern]) => pattern.test(rule));
  return found ? found[1] : "other";
}

// The service's warnings are written for API callers ("send long_input ..."); each known one is
// told in the page's language and points at the page's own controls. An unknown one gets a plain
// sentence, with the service's words behind "Detail teknis".
function advice(warning, input) {
  const a = t().advice;
  const language = languageName(input.language.code || "", input.language.name);
  if (warning.startsWith("the model read the first")) {
    return [fill(a.truncated, { read: input.max_tokens, total: input.tokens })];
  }
  if (warning.startsWith("language check skipped")) return [fill(a.forced, { lang: language })];
  const match = warning.match(/rests on about (\d+%)/);
  if (match) return [fill(a.chunkCut, { share: match[1] })];
  if (warning.startsWith("the language could not be detected")) return [a.undetected];
  if (warning.startsWith("the text looks Malay")) return [a.malay];
  if (warning.startsWith("the text may be")) return [fill(a.unsure, { lang: language })];
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

// What cleaning removed: the total, then the count of each kind.
function removedParts(cleaning, words) {
  const kinds = {};
  for (const [rule, n] of Object.entries(cleaning.removed)) kinds[family(rule)] = (kinds[family(rule)] || 0) + n;
  const removed = Object.entries(kinds).map(([kind, n]) => `${words.families[kind]}: ${n}`);
  const total = cleaning.removed_elements + cleaning.removed_lines + cleaning.removed_spans;
  return removed.length ? `${total} (${removed.join(", ")})` : words.none;
}

function showFacts(body, words) {
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
  fact(facts, f.removed, removedParts(body.cleaning, words));
  fact(facts, f.cached, body.cached ? words.yes : words.no);
  // A cached answer ran no model: its stages' zeros would read as if the models were instant.
  const timings = Object.entries(body.timings_ms)
    .filter(([stage, ms]) => ms !== null && !(body.cached && stage !== "total"))
    .map(([stage, ms]) => `${words.timings[stage] || stage} ${Math.round(ms)}`);
  fact(facts, f.timings, timings.join(" · "));
}

export function showResult(body) {
  last = body;
  const words = t();
  $("summary").textContent = body.summary.text;
  const hasTranslation = Boolean(body.translation);
  $("translation-panel").hidden = !hasTranslation;
  $("translation").textContent = hasTranslation ? body.translation.text : "";
  document.querySelector(".columns").classList.toggle("two", hasTranslation);
  $("warnings").replaceChildren(
    ...body.warnings.map((warning) => {
      const item = document.createElement("li");
      const [told, technical] = advice(warning, body.input);
      item.textContent = told;
      if (technical) item.append(detailLine(technical));
      return item;
    }),
  );
  showFacts(body, words);
  $("result").hidden = false;
}

// A failed request must not leave the previous article's summary on screen, where an editor could
// copy it as this one's: the result is hidden and forgotten.
export function clearResult() {
  last = null;
  $("result").hidden = true;
  $("summary").textContent = "";
  $("translation").textContent = "";
}

onLanguageChange(() => last && showResult(last));
