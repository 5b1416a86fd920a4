// The Gabungan panel: several articles about one story as one digest (POST /v1/digest), shown
// beside its sources.
import { call, detailLine, fillProblem, problemMessage } from "./api.js";
import { $, LOOKS_HTML } from "./dom.js";
import { fill, onLanguageChange, t } from "./i18n.js";

const MAX_ARTICLES = 20; // the service's default; a deployment's own limit comes back as its 422
const SEPARATOR = /^\s*-{3,}\s*$/m;
let lastDigest = null; // [body, labels]: the last digest, re-drawn when the interface language changes
let lastError = null;

function showFiles() {
  const files = [...$("digest-files").files];
  $("digest-names").textContent = files.length ? files.map((file) => file.name).join(", ") : t().archiveNoFile;
}

// message: a function of the interface language, or a finished string.
function digestError(message, detail) {
  lastError = message ? [message, detail] : null;
  const box = $("digest-error");
  fillProblem(box, typeof message === "function" ? message() : message || "", detail);
  box.hidden = !message;
}

// The pasted articles (split at lines of ---) and then the uploaded files, each with the label the
// sources show: a file's name, or "Artikel n".
async function readArticles() {
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
  const name = fill(t().digest.article, { n: index + 1 });
  return labels[index] ? `${name} (${labels[index]})` : name;
}

function sourceMark(article) {
  const mark = document.createElement("span");
  mark.className = `source-mark source-${article % 6}`;
  mark.textContent = String(article + 1);
  return mark;
}

// Each sentence the model read, marked with the article it came from.
function composedItem(sentence, labels) {
  const item = document.createElement("li");
  const mark = sourceMark(sentence.article);
  mark.title = sourceName(labels, sentence.article);
  item.append(mark, " ", sentence.text);
  return item;
}

function sourceItem(source, body, labels) {
  const d = t().digest;
  const item = document.createElement("li");
  const name = document.createElement("strong");
  name.textContent = source.outlet || sourceName(labels, source.article);
  const mine = body.dropped.filter((x) => x.article === source.article);
  const of = [...new Set(mine.map((x) => x.duplicate_of.article + 1))];
  const parts = [
    fill(d.used, { n: source.used }),
    fill(of.length ? d.duplicateOf : d.duplicates, { n: source.duplicates, of: of.join(", ") }),
    fill(d.leftOut, { n: source.left_out }),
    fill(d.read, { share: `${Math.round(source.fraction_read * 100)}%` }),
  ];
  const line = document.createElement("span");
  line.className = "source-facts";
  line.textContent = parts.join(" · ");
  item.append(sourceMark(source.article), " ", name, line);
  return item;
}

function warningItem(warning, input) {
  const d = t().digest;
  const item = document.createElement("li");
  if (/left_out/.test(warning)) item.textContent = fill(d.leftOutWarning, { n: input.left_out });
  else if (/no sentence repeats/.test(warning)) item.textContent = d.unrelated;
  else {
    item.textContent = t().advice.other;
    item.append(detailLine(warning));
  }
  return item;
}

function showDigest([body, labels]) {
  const i = body.input;
  $("digest-summary").textContent = body.summary.text;
  $("digest-translation-box").hidden = !body.translation;
  $("digest-translation").textContent = body.translation ? body.translation.text : "";
  $("digest-composed").replaceChildren(...body.composed.map((sentence) => composedItem(sentence, labels)));
  $("digest-sources").replaceChildren(...body.sources.map((source) => sourceItem(source, body, labels)));
  $("digest-totals").textContent = fill(t().digest.totals, {
    used: i.used, sentences: i.sentences, duplicates: i.duplicates, left: i.left_out, tokens: i.tokens, max: i.max_tokens,
  });
  $("digest-warnings").replaceChildren(...body.warnings.map((warning) => warningItem(warning, i)));
  $("digest-result").hidden = false;
}

async function submitDigest(event) {
  event.preventDefault();
  digestError(null);
  lastDigest = null;
  $("digest-result").hidden = true;
  const [articles, labels] = await readArticles();
  if (articles.length < 2 || articles.length > MAX_ARTICLES) {
    const n = articles.length;
    digestError(() => fill(t().digest.count, { max: MAX_ARTICLES, n }));
    $("digest-articles").focus();
    return;
  }
  const payload = { articles, length: $("length").value, translate: $("translate").checked };
  const button = $("digest-start");
  button.disabled = true;
  button.textContent = t().digestWorking;
  $("digest-result").setAttribute("aria-busy", "true");
  try {
    const answer = await call("v1/digest", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    if (!answer) {
      digestError(() => t().errors.network);
      return;
    }
    const { response, body } = answer;
    if (!response.ok) {
      // A refused article is named by its place (the service's "articles[2]: ..."), counted from 1.
      const article = body && Number.isInteger(body.article) ? body.article + 1 : null;
      const refused = () => (article ? fill(t().digest.refused, { n: article }) + " " : "");
      digestError(() => refused() + problemMessage(response), body && body.detail);
      return;
    }
    lastDigest = [body, labels];
    showDigest(lastDigest);
    $("digest-result").scrollIntoView?.({ block: "start" });
  } finally {
    button.disabled = false;
    button.textContent = t().digestStart;
    $("digest-result").setAttribute("aria-busy", "false");
  }
}

export function startDigest() {
  $("digest-form").addEventListener("submit", submitDigest);
  $("digest-files").addEventListener("change", showFiles);
  $("digest-error").tabIndex = -1;
  onLanguageChange(() => {
    if (lastDigest) showDigest(lastDigest);
    if (lastError) digestError(...lastError);
    showFiles();
  });
}
