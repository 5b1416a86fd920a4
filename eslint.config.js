// ESLint's flat config: the recommended rules over every JavaScript file Ringkas ships, the editor's
// page and widget (api/static) and the WordPress plugin's panel. Run by tests/test_js_lint.py.
"use strict";
const js = require("@eslint/js");
const globals = require("globals");

module.exports = [
  // Built or downloaded, never written here (eslint reads no .gitignore).
  { ignores: ["site/", "build/", "artifacts/", "test-artifacts/"] },
  js.configs.recommended,
  {
    files: ["eslint.config.js"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
  },
  {
    files: ["api/static/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  {
    // Classic scripts: the widget is loaded by a CMS page's plain <script> tag, on another origin.
    files: ["api/static/widget.js", "api/static/docs.js"],
    languageOptions: { sourceType: "script" },
  },
  {
    files: ["api/static/docs.js"],
    languageOptions: { globals: { SwaggerUIBundle: "readonly", SwaggerUIStandalonePreset: "readonly" } },
  },
  {
    // WordPress loads these as classic scripts beside its own packages (wp.*) and jQuery.
    files: ["integrations/wordpress/ringkas/assets/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "script",
      globals: { ...globals.browser, wp: "readonly", jQuery: "readonly" },
    },
  },
];
