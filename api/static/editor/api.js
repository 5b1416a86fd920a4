// Calls to this origin's API with the editor's key, and a refusal told in the editor's words: the
// page's own sentence first, the service's detail (written for developers) behind "Detail teknis".
import { $ } from "./dom.js";
import { fill, t } from "./i18n.js";

export function keyHeaders() {
  const key = $("api-key").value.trim();
  return key ? { "X-API-Key": key } : {};
}

// One call and its JSON answer (null when the answer is not JSON); null when the service cannot be
// reached. A refusal for want of a key opens the key box.
export async function call(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { ...options, headers: { ...keyHeaders(), ...options.headers } });
  } catch {
    return null;
  }
  const body = await response.json().catch(() => null);
  if (response.status === 401 || response.status === 403) {
    $("key-box").hidden = false;
    $("key-box").open = true;
  }
  return { response, body };
}

export function problemMessage(response) {
  const words = t().errors[response.status] || t().errors.other;
  return fill(words, { s: response.headers.get("Retry-After") || "10" });
}

// An error box's text: the page's own words, then what the service said, as a hint.
export function fillProblem(box, message, detail) {
  box.replaceChildren();
  const main = document.createElement("p");
  main.textContent = message;
  box.append(main);
  if (detail) box.append(detailLine(detail));
}

// The service's own words are written for developers (in English, with API names): an editor sees
// them only on request, behind "Detail teknis".
export function detailLine(detail) {
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
