"""How ``ringkas bench`` reports: ratios against a reference side, the machine it ran on, and the
tables it prints."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from api.bench.workload import CONCURRENCY, SENTENCES


def memory_table(memory: dict, side: str = "ringkas") -> str:
    lines = [f"{f'memory, step by step ({side})':66} {'RSS MB':>7} {'+MB':>6} {'peak':>6}"]
    previous = 0.0
    for row in memory["rows"]:
        lines.append(f"{row['step']:66} {row['rss_mb']:7.0f} {row['rss_mb'] - previous:6.0f} {row['peak_mb']:6.0f}")
        previous = row["rss_mb"]
    return "\n".join(lines)


def ratios(reference: dict, side: dict) -> dict:
    """How much better ``side`` is than ``reference`` (latency and start: x faster; RSS: fraction)."""
    return {
        "summarize_latency_x": reference["summarize_s"] / side["summarize_s"],
        "summarize_translate_latency_x": reference["summarize_translate_s"] / side["summarize_translate_s"],
        "summarize_translate_sentences_latency_x": reference["summarize_translate_sentences_s"]
        / side["summarize_translate_sentences_s"],
        "throughput_x": side["throughput_articles_per_s"] / reference["throughput_articles_per_s"],
        "throughput_sentences_x": side["throughput_sentences_articles_per_s"]
        / reference["throughput_sentences_articles_per_s"],
        "peak_rss_fraction": side["peak_rss_mb"] / reference["peak_rss_mb"],
        "start_to_ready_x": reference["start_to_ready_s"] / side["start_to_ready_s"],
    }


def machine_facts() -> dict:
    """The CPU, its flags that matter here, and its cores as the guest is told them."""
    return {
        "cpus": os.cpu_count(),
        "processor": _cpu_name(),
        "cpu_flags": _cpu_flags(("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_tile")),
        "cores": physical_cores(),  # vCPUs that are cores of their own, as the guest is told
        "python": platform.python_version(),
    }


def _cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _cpu_flags(names: tuple[str, ...]) -> list[str]:
    text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return [name for name in names if name in flags]


def physical_cores(text: str | None = None) -> int | None:
    """Distinct (package, core) pairs in /proc/cpuinfo: two vCPUs that are one core's two hardware
    threads count once. A hypervisor may still hide that two cores share one physical core."""
    if text is None:
        text = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    cores, package = set(), "0"
    for line in text.splitlines():
        name, _, value = (part.strip() for part in line.partition(":"))
        if name == "physical id":
            package = value
        elif name == "core id":
            cores.add((package, value))
    return len(cores) or None


METRICS = [
    ("summarize latency (s)", "summarize_s", "summarize_latency_x", "x faster"),
    (
        f"summarize+translate, {SENTENCES} sentences (s)",
        "summarize_translate_sentences_s",
        "summarize_translate_sentences_latency_x",
        "x faster",
    ),
    (
        f"throughput, {SENTENCES} sentences (articles/s)",
        "throughput_sentences_articles_per_s",
        "throughput_sentences_x",
        "x more",
    ),
    ("summarize+translate, one segment (s)", "summarize_translate_s", "summarize_translate_latency_x", "x faster"),
    ("throughput, one segment (articles/s)", "throughput_articles_per_s", "throughput_x", "x more"),
    ("peak RSS, both models (MB)", "peak_rss_mb", "peak_rss_fraction", "of it"),
    ("start to ready (s)", "start_to_ready_s", "start_to_ready_x", "x faster"),
]


SIDES = (("baseline", "baseline"), ("peer", "peer"), ("ringkas", "ringkas"), ("ringkas_full_vocab", "full voc"))


def table(result: dict) -> str:
    sides = [(key, label) for key, label in SIDES if key in result]
    ratios = [
        (key, label) for key, label in (("vs_baseline", "vs base"), ("vs_peer", "vs peer")) if key in result["ratios"]
    ]
    head = (
        f"{'':40} "
        + " ".join(f"{label:>9}" for _, label in sides)
        + " "
        + " ".join(f"{label:>8}" for _, label in ratios)
    )
    lines = [head, "-" * len(head)]
    for name, key, ratio, _unit in METRICS:
        lines.append(
            f"{name:40} "
            + " ".join(f"{result[side][key]:9.2f}" for side, _ in sides)
            + " "
            + " ".join(f"{result['ratios'][which][ratio]:8.2f}" for which, _ in ratios)
        )
    full = result["ratios"].get("full_vocab_vs_baseline")
    lines.append(
        "baseline: transformers fp32, one at a time; peer: plain CTranslate2 int8, full vocabulary, one at a time; "
        f"ringkas: default, kept vocabulary padded to {result['workload']['kept_vocab_stand_in']:,}; "
        "full voc: ringkas with RINGKAS_MODELS__VOCAB=full"
        + (f" ({full['summarize_translate_latency_x']:.2f}x baseline, summarize+translate)" if full else "")
        + ". RSS and latency ratios: x faster / fraction of the reference."
    )
    r, p = result["ringkas"], result["peer"]
    if "machine" in result:
        lines.append(machine_line(result))
    lines.append(f"engine: {r['engine']}  settings: {r['settings']}")
    if "digest" in r:
        d = r["digest"]
        lines.append(
            f"digest of {d['articles']} articles (ringkas): {d['digest_s']:.2f} s beside {d['summarize_s']:.2f} s "
            f"for one article's summary ({d['digest_over_summary_x']:.2f}x; reading and composing "
            f"{d['read_compose_ms']:.0f} ms, {d['duplicates']} of {d['sentences']} sentences dropped as duplicates)"
            + (f"; peak RSS with the digests {d['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in d else "")
        )
    if "memory" in result:
        lines.append(memory_table(result["memory"]))
    if "memory" in p:
        lines.append(memory_table(p["memory"], "peer"))
    lines.extend(trade_off_lines(result))
    for side, run in (("ringkas", r), ("peer", p)):
        cpu = run.get("ct2_cpu") or {}
        if cpu:
            lines.append(f"CTranslate2 on this CPU ({side}): " + "; ".join(f"{k}: {v}" for k, v in cpu.items()))
    return "\n".join(lines)


def machine_line(result: dict) -> str:
    """The CPU, its cores against its vCPUs, and the GEMM library each CTranslate2 side ran on."""
    machine = result["machine"]
    cores = machine.get("cores")
    gemm = (result["ringkas"].get("runtime", {}).get("summarizer", {}).get("gemm") or {}).get("backend", "?")
    peer = (result["peer"].get("ct2_cpu") or {}).get("GEMM_S8 backend", "CTranslate2's default").split(" (")[0]
    return (
        f"machine: {machine['processor']}, {machine['cpus']} vCPU "
        + (f"on {cores} cores" if cores else "(cores not reported)")
        + f" ({', '.join(machine.get('cpu_flags', []))}); GEMM library: ringkas {gemm}, peer {peer}"
    )


def trade_off_lines(result: dict) -> list[str]:
    """What the default layout's two trade-offs cost on this box: a lone request on one replica with
    every thread (against the service's single-thread replicas), and the leanest burst's memory
    against the peer's and its time against the default layout's."""
    lines = []
    layouts = result.get("layouts") or {}
    if "skipped" in layouts:
        lines.append(f"a lone request on every thread: not measured ({layouts['skipped']})")
    elif layouts:
        lines.append(
            f"a lone request on one replica with all {layouts['threads']} threads, against the service's "
            "single-thread replicas (x: how much faster it would be):"
        )
        for role in ("summarizer", "translator"):
            ours, whole = layouts[role]["replicas"], layouts[role]["one_replica"]
            lines.append(
                f"  {role}: {ours['whole_s']:.2f} s -> {whole['whole_s']:.2f} s "
                f"({ours['whole_s'] / whole['whole_s']:.2f}x); the encoder and one step "
                f"{ours['first_step_s'] * 1000:.0f} ms -> {whole['first_step_s'] * 1000:.0f} ms "
                f"({ours['first_step_s'] / whole['first_step_s']:.2f}x)"
            )
    lean = lean_line(result)
    return lines + ([lean] if lean else [])


def lean_line(result: dict) -> str | None:
    """The leanest burst's peak against the peer's, and its time against the default layout's."""
    lean, default, peer = result.get("memory_lean"), result.get("memory"), result["peer"]
    if not lean:
        return None
    o = lean.get("overrides", {})
    line = (
        f"the leanest burst ({o.get('serving.math_threads')} math thread: one batch at a time; at most "
        f"{o.get('serving.max_batch_size')} sequences and {o.get('serving.max_batch_tokens')} padded input "
        f"tokens a batch): peak {lean['peak_rss_mb']:.0f} MB, {lean['peak_rss_mb'] / peer['peak_rss_mb']:.2f} "
        "of the peer's (its burst: one-segment articles; the peer's peak: its whole workload)"
    )
    if default and "burst_s" in default:
        line += (
            f"; its burst of {CONCURRENCY} took {lean['burst_s']:.1f} s against the default layout's "
            f"{default['burst_s']:.1f} s ({default['burst_s'] / lean['burst_s']:.2f}x the throughput)"
        )
    return line
