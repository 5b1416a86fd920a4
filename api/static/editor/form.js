// The article form: one article to POST /v1/summarize, its errors and notices, the copy buttons.
import { call, detailLine, fillProblem, problemMessage } from "./api.js";
import { $, LOOKS_HTML } from "./dom.js";
import { fill, languageName, onLanguageChange, t } from "./i18n.js";
import { clearResult, showResult } from "./result.js";

let lastError = null; // the error shown, re-shown in the new language when the interface switches

// The keyboard shortcut, as this device has it: none on a touch screen, the Command key on a Mac.
function keyHint() {
  if (matchMedia("(pointer: coarse)").matches && !matchMedia("(pointer: fine)").matches) return "";
  const mac = /mac|iphone|ipad/i.test(navigator.userAgentData?.platform || navigator.platform || "");
  return fill(t().keyHint, { keys: mac ? "\u2318+Enter" : "Ctrl+Enter" });
}

// message: a function of the interface language (so it follows a switch) or a finished string;
// action: a button beside it ({label: a catalogue key, run}).
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

function clearError() {
  lastError = null;
  $("error").hidden = true;
  $("error").replaceChildren();
}

function showNotice(key) {
  if (key) $("notice").dataset.key = key;
  else delete $("notice").dataset.key; // not the string "null", which a language switch would show
  $("notice").textContent = key ? t()[key] : "";
  $("notice").hidden = !key;
}

// The format chosen, or HTML when text pasted as Text is plainly HTML (and the page says so).
function chosenFormat(article) {
  const format = document.querySelector('input[name="format"]:checked').value;
  if (format !== "text" || !LOOKS_HTML.test(article)) return format;
  document.querySelector('input[name="format"][value="html"]').checked = true;
  showNotice("htmlSwitched");
  return "html";
}

// A refusal in the editor's words; for a text in another language, with the override beside it.
function showRefusal(response, body) {
  const detected = response.status === 422 && body && body.detected_language;
  if (detected) {
    // Not Indonesian: say so in the page's words and offer the override, not an API field.
    const name = () => languageName(detected.code || "", detected.name);
    showError(() => fill(t().errors.language, { lang: name() }), body.detail, {
      label: "anyway",
      run: () => summarize(null, true),
    });
    return;
  }
  const short = body && (body.errors || []).some((e) => e.type === "string_too_short");
  showError(() => (short ? t().errors.tooShort : problemMessage(response)), body && body.detail);
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
  const format = chosenFormat(article);
  const payload = { [format]: article, length: $("length").value, translate: $("translate").checked };
  if (force) payload.force = true;
  if ($("chunk").checked) payload.long_input = "chunk"; // otherwise the model reads the opening only
  sessionStorage.setItem("ringkas.key", $("api-key").value.trim());

  const button = $("submit");
  button.disabled = true;
  button.textContent = t().working;
  $("result").setAttribute("aria-busy", "true");
  try {
    const answer = await call("v1/summarize", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload),
    });
    if (!answer || !answer.response.ok) {
      clearResult();
      if (answer) showRefusal(answer.response, answer.body);
      else showError(() => t().errors.network);
      return;
    }
    showResult(answer.body);
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

export function startForm() {
  $("api-key").value = sessionStorage.getItem("ringkas.key") || "";
  $("error").tabIndex = -1;
  $("form").addEventListener("submit", summarize);
  $("article").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) $("form").requestSubmit();
  });
  document.querySelectorAll("button.copy").forEach((button) => button.addEventListener("click", copy));
  onLanguageChange(() => {
    $("article-hint").textContent = [t().articleHint, keyHint()].filter(Boolean).join(" ");
    if ($("notice").dataset.key) showNotice($("notice").dataset.key);
    if (lastError) showError(...lastError);
  });
}
