// The Arsip panel: a whole file as one job (POST /v1/jobs), its progress polled, its results
// downloaded. Without Redis and a worker the panel says so before anyone uploads.
import { call, fillProblem, keyHeaders, problemMessage } from "./api.js";
import { $ } from "./dom.js";
import { currentLanguage, fill, onLanguageChange, t } from "./i18n.js";

let lastJob = null; // the job's last status, re-shown when the interface language changes
let jobTimer = null;
let offDetail = null; // why this service runs no jobs, once it said so
const JOB_TYPES = { csv: "text/csv", json: "application/json" }; // anything else: NDJSON (JSONL)

// The service's reason for refusing an archive file (intake.py's wording), matched to the page's own.
const REASONS = [
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
  for (const [pattern, key] of REASONS) {
    const match = (detail || "").match(pattern);
    if (match) return fill(t().archive.reasons[key], { 1: match[1] ?? "" });
  }
  return null;
}

function archiveError(message, detail) {
  const box = $("archive-error");
  fillProblem(box, message, detail);
  box.hidden = !message;
}

// The browser's own file input speaks the browser's language ("Choose File"); the page shows its own.
function showChosenFile() {
  const file = $("archive-file").files[0];
  $("archive-name").textContent = file ? file.name : t().archiveNoFile;
}

function duration(seconds) {
  const id = currentLanguage() === "id";
  if (seconds < 90) return id ? `${Math.round(seconds)} detik` : `${Math.round(seconds)} s`;
  if (seconds < 5400) return id ? `${Math.round(seconds / 60)} menit` : `${Math.round(seconds / 60)} min`;
  return id ? `${(seconds / 3600).toFixed(1)} jam` : `${(seconds / 3600).toFixed(1)} h`;
}

function statusLine(job) {
  const a = t().archive;
  const c = job.counts;
  const finished = c.done + c.failed;
  const status = a.status[job.status] || job.status;
  const parts = [fill(a.line, { finished, total: c.total, failed: c.failed, status })];
  if (c.cancelled) parts.push(fill(a.cancelledItems, { n: c.cancelled }));
  if (job.rate_per_s && job.eta_s !== null) {
    parts.push(fill(a.rate, { rate: job.rate_per_s.toFixed(2), eta: duration(job.eta_s) }));
  }
  if (job.status === "queued" || job.status === "running") {
    parts.push(job.workers ? fill(a.workers, { n: job.workers }) : a.noWorkers);
  }
  return parts.join(" · ");
}

function showJob(job) {
  lastJob = job;
  const c = job.counts;
  const finished = c.done + c.failed;
  $("job").hidden = false;
  $("job-progress").max = c.total;
  $("job-progress").value = finished;
  $("job-status").textContent = statusLine(job);
  $("job-cancel").hidden = !(job.status === "queued" || job.status === "running");
  // The results come back in the format the archive went in (a CSV for a spreadsheet, with its own
  // delimiter); NDJSON is the other choice.
  const format = job.upload && job.upload.format === "csv" ? "csv" : "ndjson";
  $("job-download").dataset.format = format;
  $("job-download").textContent = fill(t().archiveDownload, { format: format.toUpperCase() });
  $("job-download").disabled = finished === 0;
  $("job-download-ndjson").hidden = format === "ndjson";
  $("job-download-ndjson").disabled = finished === 0;
}

async function pollJob(id) {
  clearTimeout(jobTimer);
  const answer = await call(`v1/jobs/${encodeURIComponent(id)}`);
  if (answer && answer.response.status === 404) {
    sessionStorage.removeItem("ringkas.job");
    $("job").hidden = true;
    archiveError(t().archive.gone);
    return;
  }
  if (!answer || !answer.response.ok || !answer.body) {
    jobTimer = setTimeout(() => pollJob(id), 3000); // the network blinked: keep watching
    return;
  }
  showJob(answer.body);
  if (answer.body.status === "queued" || answer.body.status === "running") jobTimer = setTimeout(() => pollJob(id), 1000);
}

// The upload's URL, type and body: the page's choices as query options, or, for a JSON file (which
// carries its own defaults), filled into what its defaults leave out.
async function upload(file) {
  const extension = file.name.split(".").pop().toLowerCase();
  const type = JOB_TYPES[extension] || "application/x-ndjson";
  const options = new URLSearchParams({ length: $("length").value, translate: String($("translate").checked) });
  if ($("chunk").checked) options.set("long_input", "chunk");
  if (type !== "application/json") return [`v1/jobs?${options}`, type, file];
  const data = JSON.parse(await file.text());
  const chosen = Object.fromEntries([...options].map(([k, v]) => [k, v === "true" ? true : v === "false" ? false : v]));
  data.defaults = { ...chosen, ...(data.defaults || {}) };
  return ["v1/jobs", type, JSON.stringify(data)];
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
  const button = $("archive-start");
  button.disabled = true;
  try {
    const [url, type, body] = await upload(file);
    const answer = await call(url, { method: "POST", headers: { "Content-Type": type }, body });
    if (!answer) {
      archiveError(t().errors.network);
      return;
    }
    const { response, body: problem } = answer;
    if (!response.ok) {
      if (response.status === 503 && problem && problem.setting === "RINGKAS_REDIS_URL") {
        archiveOff(problem.detail);
        return;
      }
      const detail = problem && problem.detail;
      archiveError(archiveReason(detail) || problemMessage(response), detail);
      return;
    }
    sessionStorage.setItem("ringkas.job", problem.id);
    pollJob(problem.id);
  } catch (error) {
    archiveError(t().errors[400], String(error.message || error)); // a JSON file that does not parse
  } finally {
    button.disabled = Boolean(offDetail);
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
  const answer = await call(`v1/jobs/${encodeURIComponent(lastJob.id)}`, { method: "DELETE" });
  if (answer && answer.response.ok && answer.body) showJob(answer.body);
}

// Archives need Redis and a worker: without them the panel says so before anyone uploads.
export function archiveOff(detail) {
  offDetail = detail;
  $("archive-file").disabled = true;
  $("archive-start").disabled = true;
  archiveError("");
  fillProblem($("archive-off"), t().archive.noJobs, detail);
  $("archive-off").hidden = false;
}

export function startJobs() {
  $("archive-form").addEventListener("submit", submitArchive);
  $("archive-file").addEventListener("change", showChosenFile);
  $("job-download").addEventListener("click", downloadResults);
  $("job-download-ndjson").addEventListener("click", downloadResults);
  $("job-cancel").addEventListener("click", cancelJob);
  $("archive-error").tabIndex = -1;
  onLanguageChange(() => {
    if (lastJob) showJob(lastJob);
    if (offDetail) fillProblem($("archive-off"), t().archive.noJobs, offDetail);
    showChosenFile();
  });
  const watched = sessionStorage.getItem("ringkas.job"); // a reload keeps watching the job
  if (watched) pollJob(watched);
}
