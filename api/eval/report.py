"""The terminal table and the quality-against-speed plot of an evaluation result."""

from __future__ import annotations

from pathlib import Path

PRIMARY = {"summarize": "ROUGE-L", "digest": "ROUGE-L", "translate": "chrF++"}


def table(result: dict) -> str:
    names = list(result["configs"])
    metrics = list(result["configs"][names[0]]["metrics"])
    head = (
        f"{'configuration':22}"
        + "".join(f"{m:>22}" for m in metrics)
        + f"{'p50 s':>8}{'p95 s':>8}{'items/s':>9}{'failed':>7}"
    )
    lines = [
        f"{result['task']}: {result['items']} items, 95% bootstrap intervals ({result['bootstrap_samples']} resamples)"
    ]
    lines += [head, "-" * len(head)]
    for name in names:
        c = result["configs"][name]
        cells = "".join(
            f"{c['metrics'][m]['score']:8.2f} [{c['metrics'][m]['ci95'][0]:5.2f},{c['metrics'][m]['ci95'][1]:6.2f}]"
            for m in metrics
        )
        lines.append(
            f"{name[:22]:22}{cells}{c['latency_s']['p50']:8.2f}{c['latency_s']['p95']:8.2f}"
            f"{c['items_per_s']:9.2f}{len(c['failures']):7d}"
        )
    if result["pairs"]:
        lines.append("")
        lines.append("paired differences (b - a), 95% interval; identical: share of items with the same output")
        for pair in result["pairs"]:
            diffs = "  ".join(
                f"{m} {d['difference']:+.2f} [{d['ci95'][0]:+.2f},{d['ci95'][1]:+.2f}]"
                for m, d in pair["difference_b_minus_a"].items()
            )
            lines.append(f"{pair['b']} - {pair['a']}: {diffs}  identical {pair['identical_share']:.1%}")
    lines.append("")
    lines += [f"{m}: {sig}" for m, sig in result["signatures"].items()]
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    """One point per configuration: speed (items/s) against the primary metric, with its interval."""
    import matplotlib

    matplotlib.use("Agg")  # files only: no display, no GUI toolkit
    from matplotlib import pyplot as plt

    metric = PRIMARY[result["task"]]
    figure, axes = plt.subplots(figsize=(6.4, 4.4), dpi=120)
    for name, c in result["configs"].items():
        score, (low, high) = c["metrics"][metric]["score"], c["metrics"][metric]["ci95"]
        axes.errorbar(c["items_per_s"], score, yerr=[[score - low], [high - score]], fmt="o", capsize=4)
        axes.annotate(name, (c["items_per_s"], score), textcoords="offset points", xytext=(6, 6))
    axes.set_xlabel("items per second (higher is faster)")
    axes.set_ylabel(f"{metric} (95% bootstrap interval)")
    axes.set_title(f"ringkas eval {result['task']}: {result['items']} items")
    axes.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
