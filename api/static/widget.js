// Ringkas widget: one script tag adds a "Ringkas" button before an article body and shows the summary
// in place. Served by the Ringkas service at /widget.js; every request goes back to that service.
//
//   <script src="https://ringkas.example.id/widget.js" data-target="#article-body"
//           data-translate="true" data-length="short" data-lang="id" data-api-key="rk_..." defer></script>
//
// data-target  CSS selector of the article body (default: [data-ringkas], then article)
// data-format  html (default: the service extracts and cleans the markup) or text (innerText)
// data-api-key sent as X-API-Key when the service has keys; the page's origin must be in
//              RINGKAS_CORS_ORIGINS. A key in a public page is public: give it a low rate limit.
// The widget's markup lives in a shadow root, so the CMS's styles and ours never meet. Its words come
// from the catalogue the editor's page uses (static/strings.js), imported from the service: a classic
// script may import() a module, and the service sends that one with CORS for any origin.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script) return;
  const service = new URL(".", script.src);
  const cfg = script.dataset;
  let words = null; // the catalogue in the widget's language, once start() has loaded it

  const STYLE = `
    :host { all: initial; display: block; margin: 0 0 1em; font-family: system-ui, sans-serif; color: #1b1f24; }
    button { font: inherit; font-weight: 600; border: 1px solid #0b5cad; border-radius: 6px; cursor: pointer;
             padding: 0.45em 1.1em; background: #0b5cad; color: #fff; }
    button:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
    button:disabled { opacity: 0.6; cursor: progress; }
    .box { margin-top: 0.6em; border: 1px solid #d0d7de; border-left: 4px solid #0b5cad; border-radius: 6px;
           padding: 0.6em 0.9em; background: #f6f8fa; line-height: 1.5; }
    .box h3 { margin: 0.2em 0; font-size: 1em; }
    .box p { margin: 0.2em 0 0.6em; white-space: pre-wrap; }
    .error { border-left-color: #a40e26; color: #a40e26; }
  `;

  function attach(article) {
    if (article.dataset.ringkasAttached) return;
    article.dataset.ringkasAttached = "1";
    const host = document.createElement("div");
    host.className = "ringkas-widget";
    const root = host.attachShadow({ mode: "open" });
    const style = document.createElement("style");
    style.textContent = STYLE;
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = words.submit;
    button.setAttribute("aria-expanded", "false");
    const box = document.createElement("div");
    box.className = "box";
    box.setAttribute("role", "region");
    box.setAttribute("aria-live", "polite");
    box.setAttribute("aria-label", words.widget.summary);
    box.hidden = true;
    root.append(style, button, box);
    article.parentNode.insertBefore(host, article);

    function show(nodes, isError) {
      box.replaceChildren(...nodes);
      box.classList.toggle("error", Boolean(isError));
      box.hidden = false;
      button.setAttribute("aria-expanded", "true");
    }

    function section(title, text, lang) {
      const heading = document.createElement("h3");
      heading.textContent = title;
      const body = document.createElement("p");
      body.textContent = text;
      if (lang) body.lang = lang;
      return [heading, body];
    }

    button.addEventListener("click", async () => {
      if (!box.hidden) {
        box.hidden = true;
        button.setAttribute("aria-expanded", "false");
        return;
      }
      const asText = cfg.format === "text";
      const payload = {
        [asText ? "text" : "html"]: asText ? article.innerText : article.outerHTML,
        translate: cfg.translate === "true",
      };
      if (cfg.length) payload.length = cfg.length;
      const headers = { "Content-Type": "application/json" };
      if (cfg.apiKey) headers["X-API-Key"] = cfg.apiKey;
      button.disabled = true;
      button.textContent = words.working;
      try {
        let response;
        try {
          response = await fetch(new URL("v1/summarize", service), {
            method: "POST", headers, body: JSON.stringify(payload), credentials: "omit",
          });
        } catch {
          show([Object.assign(document.createElement("p"), { textContent: words.errors.network })], true);
          return;
        }
        const body = await response.json().catch(() => null);
        if (!response.ok) {
          const message = words.widget[response.status] || words.errors[response.status] || words.errors.other;
          show([Object.assign(document.createElement("p"), { textContent: message })], true);
          return;
        }
        const nodes = section(words.widget.summary, body.summary.text, body.summary.lang === "ind_Latn" ? "id" : "");
        if (body.translation) nodes.push(...section(words.translationTitle, body.translation.text, "en"));
        show(nodes, false);
      } finally {
        button.disabled = false;
        button.textContent = words.submit;
      }
    });
  }

  async function start() {
    try {
      const { TEXT } = await import(new URL("static/strings.js", service).href);
      words = TEXT[cfg.lang === "en" ? "en" : "id"];
    } catch (error) {
      // Without its words the service cannot be reached either: no button that could only fail.
      console.error("Ringkas widget: the service's strings could not be loaded", error);
      return;
    }
    const targets = cfg.target
      ? document.querySelectorAll(cfg.target)
      : document.querySelectorAll("[data-ringkas]").length
        ? document.querySelectorAll("[data-ringkas]")
        : document.querySelectorAll("article");
    targets.forEach(attach);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
