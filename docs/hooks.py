"""MkDocs hooks: the reference pages are generated from the code at build time, never copied.

A page holds a marker such as ``<!-- generated: settings -->``; ``on_page_markdown`` puts the
generated Markdown there. ``on_files`` adds the OpenAPI document the service serves, built from the
same app factory, for the API reference page's Swagger UI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
MARKER = re.compile(r"<!-- generated: ([a-z-]+) -->")


def on_files(files, config):
    from mkdocs.structure.files import File

    files.append(File.generated(config, "reference/openapi.json", content=json.dumps(openapi(), indent=1)))
    return files


def on_page_markdown(markdown, page, config, files):
    return MARKER.sub(lambda match: GENERATORS[match.group(1)](), markdown)


# --- generators --------------------------------------------------------------------------------
def openapi() -> dict:
    """The document /openapi.json serves, for a deployment with the default settings."""
    from api.app import create_app
    from api.config import Settings
    from api.metrics import Metrics
    from api.runtime import Runtime

    settings = Settings()
    return create_app(settings, Runtime(settings, Metrics())).extensions["ringkas"].openapi


def settings_table() -> str:
    """A table for the top-level settings, one per group (its variables ``RINGKAS_<GROUP>__<NAME>``),
    and the previous release's names with their new ones."""
    from api.config import GROUPS, Settings, env_name
    from api.config_check import CLIENT_VARIABLES
    from api.config_legacy import RENAMED, RETIRED_HINT

    out = ["## Top level", "", "What an operator sets on most deployments.", ""]
    out += _settings_rows({name: f for name, f in Settings.model_fields.items() if name not in GROUPS}, "")
    benchmark: dict[str, object] = {}
    for group, model in GROUPS.items():
        out += ["", f"## {group}", "", _escape_html(Settings.model_fields[group].description or ""), ""]
        fields = {}
        for name, f in model.model_fields.items():
            (benchmark if _benchmark_only(f) else fields)[f"{group}.{name}"] = f
        out += _settings_rows(fields, "")
    out += ["", "## Benchmark only", "", "Set by `ringkas bench`; leave them alone in service.", ""]
    out += _settings_rows(benchmark, "")
    out += [
        "",
        "## Other RINGKAS_ variables",
        "",
        "Not settings of the service: the service accepts them in its environment and ignores them. Any other "
        "`RINGKAS_` variable that is not a setting stops the service at start, naming the closest setting.",
        "",
        "| Variable | Read by |",
        "| --- | --- |",
    ]
    out += [f"| `{name}` | {_escape_html(what)} |" for name, what in CLIENT_VARIABLES.items()]
    out += [
        "",
        "## Previous names",
        "",
        "The flat names of the previous release still work for one release: each logs a deprecation "
        "warning at start naming its new variable. Where a previous name and its new name are both set, the "
        "new one wins and the previous one is IGNORED (the start-up line says so). The image (its `ENV`) and "
        "the systemd units (their `Environment=`) set some new names themselves, so a previous name in "
        "`docker run -e` or `/etc/ringkas/ringkas.env` loses to them: rename your variables when you upgrade.",
        "",
        "| Previous variable | Now |",
        "| --- | --- |",
    ]
    for old, path in RENAMED.items():
        now = f"`{env_name(path)}`" if path else _escape_html(f"no longer used: {RETIRED_HINT}")
        out.append(f"| `RINGKAS_{old.upper()}` | {now} |")
    return "\n".join(out)


def _benchmark_only(field) -> bool:
    return bool((field.json_schema_extra or {}).get("benchmark_only"))


def _type_name(annotation) -> str:
    """One way for every row: ``int``, ``Path (optional)``, ``one of `a`, `b` ``."""
    import types
    import typing

    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(f"`{value}`" for value in args)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [arg for arg in args if arg is not type(None)]
        return f"{_type_name(rest[0])} (optional)" if len(rest) == 1 else "any"
    return getattr(annotation, "__name__", str(annotation))


def _settings_rows(fields: dict, prefix: str) -> list[str]:
    from api.config import env_name

    # Four columns, bounds beside the type: with the grouped names a fifth column pushed the table
    # wider than the page's text column.
    rows = ["| Variable | Type | Default | What it does |", "| --- | --- | --- | --- |"]
    for name, field in fields.items():
        bounds = ", ".join(
            f"{label} {getattr(meta, attr)}"
            for meta in field.metadata
            for attr, label in (("ge", "≥"), ("gt", ">"), ("le", "≤"), ("lt", "<"))
            if getattr(meta, attr, None) is not None
        )
        shown = _shown_default(field.get_default(call_default_factory=True))
        kind = _type_name(field.annotation)
        description = _escape_html(field.description or "").replace("|", "\\|")
        kind += f", {bounds}" if bounds else ""
        rows.append(f"| `{env_name(prefix + name)}` | {kind} | {shown} | {description} |")
    return rows


def _shown_default(default) -> str:
    """A default as a reader of the site needs it: never this build machine's path, never ``."""
    if default is None:
        return "unset"
    if default == "":
        return "empty"
    if isinstance(default, Path):
        try:  # a folder that ships with the package: named by its place in the package
            return f"the packaged `{default.relative_to(ROOT)}`"
        except ValueError:
            return f"`{default}`"
    return f"`{default}`"


def _escape_html(text: str) -> str:
    """Escape < and > outside code spans: "<cache>" is a placeholder, not a tag to swallow."""
    parts = text.split("`")
    for i in range(0, len(parts), 2):  # even parts lie outside backticks
        parts[i] = parts[i].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "`".join(parts)


def cli_reference() -> str:
    import click

    from api.cli import main

    out: list[str] = []

    def walk(command: click.Command, path: list[str], parent: click.Context | None) -> None:
        ctx = click.Context(command, info_name=" ".join(path), parent=parent, terminal_width=100)
        out.extend([f"## `{' '.join(path)}`", "", "```text", command.get_help(ctx), "```", ""])
        if isinstance(command, click.Group):
            for name in sorted(command.list_commands(ctx)):
                walk(command.get_command(ctx, name), [*path, name], ctx)

    walk(main, ["ringkas"], None)
    return "\n".join(out)


def rule_families() -> str:
    rules = yaml.safe_load((ROOT / "prompts" / "boilerplate.yaml").read_text(encoding="utf-8"))
    examples = yaml.safe_load((ROOT / "prompts" / "boilerplate-examples.yaml").read_text(encoding="utf-8"))
    stages = [
        ("html_drop", "Elements removed before text extraction", None),
        ("drop_lines", "Whole lines removed", "pattern"),
        ("inline", "Spans cut out of lines that stay", "pattern"),
        ("drop_trailing", "Sign-offs removed from the end only", "pattern"),
        ("drop_blocks", "Headings that start a list of other stories", "pattern"),
        ("split_at", "Boundaries where boilerplate is glued to story text", "pattern"),
    ]
    out = [f"Rules version `{rules['version']}`: {sum(len(rules.get(s, {})) for s, _, _ in stages)} rules.", ""]
    for stage, title, kind in stages:
        header = "| Rule | Matches | Removes, for example | Keeps, for example |" if kind else "| Rule | Matches |"
        out += [f"## {title} (`{stage}`)", "", header, "| --- | --- | --- | --- |" if kind else "| --- | --- |"]
        for name, rule in rules.get(stage, {}).items():
            if isinstance(rule, str):
                what = f"`{rule}`"
            elif "pattern" in rule:
                what = f"`{rule['pattern']}`" + (" (case-sensitive)" if rule.get("case_sensitive") else "")
                what += f" (lines up to {rule['max_chars']} characters)" if rule.get("max_chars") else ""
            else:
                parts = [
                    f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
                    for key, value in rule.items()
                ]
                what = "; ".join(parts)
            row = f"| `{name}` | {what.replace('|', '&#124;')} |"
            if kind:
                removes, keeps = examples[stage][name]
                row += f" {removes.replace('|', '&#124;')} | {keeps.replace('|', '&#124;')} |"
            out.append(row)
        out.append("")
        if stage == "html_drop":
            out += [
                "After these, extraction finds the element that holds the story; inside it, a block whose "
                'text is mostly link text (a list of other stories, a paragraph of "read also" links) is '
                "removed and counted as `link-list`.",
                "",
            ]
    runs = rules.get("headline_runs")
    if runs:
        out += [
            "## Pasted headlines (`headline_runs`)",
            "",
            f"Rule `{runs['name']}`: {runs['min_lines']} or more lines in a row, each in title case with "
            f"{runs['min_words']} words or more and no closing period, go (with a tag line among them).",
        ]
    return "\n".join(out)


def speed() -> str:
    latest = sorted((ROOT / "docs" / "data").glob("bench-*.json"))[-1]
    bench = json.loads(latest.read_text(encoding="utf-8"))
    sides = [("baseline", "transformers fp32"), ("peer", "plain CTranslate2"), ("ringkas", "Ringkas"),
             ("ringkas_full_vocab", "Ringkas, full vocabulary")]  # fmt: skip
    sides = [(side, label) for side, label in sides if side in bench]  # `ringkas bench --without` leaves some out
    figures = [
        ("summarize latency (s)", "summarize_s", "{:.2f}"),
        ("summarize + translate, 3 sentences (s)", "summarize_translate_sentences_s", "{:.2f}"),
        ("throughput, 8 concurrent, 3 sentences (articles/s)", "throughput_sentences_articles_per_s", "{:.2f}"),
        ("summarize + translate, one segment (s)", "summarize_translate_s", "{:.2f}"),
        ("throughput, 8 concurrent, one segment (articles/s)", "throughput_articles_per_s", "{:.2f}"),
        ("peak RSS, both models (MB)", "peak_rss_mb", "{:.0f}"),
        ("start to ready (s)", "start_to_ready_s", "{:.2f}"),
    ]
    machine = bench["machine"]
    gemm = (bench["ringkas"].get("runtime", {}).get("summarizer", {}).get("gemm") or {}).get("backend", "?")
    cores = machine.get("cores")
    out = [
        f"Latest run: `{latest.name}` on {machine['processor']}, {machine['cpus']} vCPU"
        + (f" on {cores} cores" if cores else "")
        + f" ({', '.join(machine.get('cpu_flags', []))}); GEMM library: {gemm}.",
        "",
        "| | " + " | ".join(label for _, label in sides) + " |",
        "| --- |" + " ---: |" * len(sides),
    ]
    for label, key, fmt in figures:
        if all(key in bench[side] for side, _ in sides):  # runs before the sentences workload lack it
            out.append(f"| {label} | " + " | ".join(fmt.format(bench[side][key]) for side, _ in sides) + " |")
    out += ["", _bars(bench, sides)]
    tables = (
        (bench.get("memory"), "Ringkas's memory, component by component, in the order the service loads them"),
        (bench["peer"].get("memory"), "The peer's memory, in the same way"),
    )
    for memory, title in tables:
        if memory:
            out += ["", f"{title} (MB):", "", "| step | RSS | + | peak so far |", "| --- | ---: | ---: | ---: |"]
            previous = 0.0
            for row in memory["rows"]:
                out.append(
                    f"| {row['step']} | {row['rss_mb']:.0f} | {row['rss_mb'] - previous:.0f} | {row['peak_mb']:.0f} |"
                )
                previous = row["rss_mb"]
    out += _trade_offs(bench)
    out += ["", "## History", ""]
    out += [
        "| Date | CPU | Cores / vCPU | GEMM | Summarize + translate, one segment | 3 sentences | vs baseline "
        "| vs peer | Peak RSS vs peer | Configuration |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    history = yaml.safe_load((ROOT / "docs" / "data" / "speed-history.yaml").read_text(encoding="utf-8"))
    for row in history:
        cells = [row["date"], row["cpu"], row.get("cores") or "not recorded", row.get("gemm") or "not recorded"] + [
            "not recorded" if row.get(key) is None else f"{row[key]}{suffix}"
            for key, suffix in (("latency_s", " s"), ("sentences_s", " s"), ("vs_baseline", "x"), ("vs_peer", "x"),
                                ("rss_vs_peer", ""))
        ] + [row["configuration"]]  # fmt: skip
        out.append("| " + " | ".join(str(cell) for cell in cells) + " |")
    return "\n".join(out)


def _trade_offs(bench: dict) -> list[str]:
    """The layout's two trade-offs on the run's machine (``ringkas bench`` without ``--without layouts``)."""
    from api.bench.report import lean_line

    layouts, out = bench.get("layouts") or {}, []
    if "skipped" in layouts:
        out += ["", f"A lone request on every thread was not measured: {layouts['skipped']}."]
    elif layouts:
        out += [
            "",
            f"A lone request on one replica holding all {layouts['threads']} threads, against the service's "
            "single-thread replicas (seconds; the encoder with one decoding step apart, in milliseconds):",
            "",
            "| model | service's replicas | one replica, all threads | encoder + 1 step, replicas | the same, one "
            "replica |",
            "| --- | ---: | ---: | ---: | ---: |",
        ]
        for role in ("summarizer", "translator"):
            ours, whole = layouts[role]["replicas"], layouts[role]["one_replica"]
            out.append(
                f"| {role} | {ours['whole_s']:.2f} | {whole['whole_s']:.2f} | {ours['first_step_s'] * 1000:.0f} "
                f"| {whole['first_step_s'] * 1000:.0f} |"
            )
    lean = lean_line(bench)
    if lean:
        out += ["", lean[0].upper() + lean[1:] + "."]
    return out


def _bars(bench: dict, sides) -> str:
    """Summarize + translate latency per side, as an inline SVG bar chart (no plotting library)."""
    values = [(label, bench[side]["summarize_translate_s"]) for side, label in sides]
    top, width, row = max(v for _, v in values), 420, 28
    bars = []
    for i, (label, value) in enumerate(values):
        length = max(2, value / top * width)
        y = i * row
        bars.append(
            f'<text x="0" y="{y + 18}" font-size="13">{label}</text>'
            f'<rect x="190" y="{y + 5}" width="{length:.0f}" height="18" fill="#3f51b5"/>'
            f'<text x="{196 + length:.0f}" y="{y + 18}" font-size="13">{value:.2f} s</text>'
        )
    height = row * len(values) + 6
    return (
        f'<svg role="img" aria-label="Summarize and translate latency per side" width="700" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'
    )


GENERATORS = {"settings": settings_table, "cli": cli_reference, "rules": rule_families, "speed": speed}
