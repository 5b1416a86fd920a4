// Ringkas editor page: its article form calls POST /v1/summarize on this origin; its Gabungan panel
// sends several articles about one story to POST /v1/digest; its Arsip panel sends a whole archive
// as one job (POST /v1/jobs) and follows it. ES modules the service serves itself, no build step;
// each panel attaches its own handlers, so the page's CSP can forbid inline code.
import { keyHeaders } from "./api.js";
import { startDigest } from "./digest.js";
import { $ } from "./dom.js";
import { startForm } from "./form.js";
import { applyLanguage, onLanguageChange, switchLanguage, t } from "./i18n.js";
import { archiveOff, startJobs } from "./jobs.js";

// One call tells the page what it needs: 401 means the service has API keys (show the key box);
// otherwise /v1/models says whether the models are the tiny demo ones. 503 while loading: ask again.
async function probeService(attempt = 0) {
  let response;
  try {
    response = await fetch("v1/models", { headers: keyHeaders() });
  } catch {
    return;
  }
  $("key-box").hidden = !(response.status === 401 || response.status === 403 || $("api-key").value.trim());
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

// A module runs once the document is parsed: the elements are there.
startForm(); // first: it restores the key the other panels send
startDigest();
startJobs();
onLanguageChange(() => {
  if (!$("demo").hidden) $("demo").textContent = t().demo;
});
$("ui-lang").addEventListener("click", switchLanguage);
applyLanguage();
probeService();
