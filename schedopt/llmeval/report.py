"""Summaries of a results file: feasibility curves, WAUC, thresholds, error taxonomy, plots.

Metrics
-------
* **Feasibility rate** per (model, domain, variant, level): ``feasible / n``,
  with the Wilson score 95% interval (Wilson 1927), computed by
  ``scipy.stats.binomtest(k, n).proportion_ci(method="wilson")``:
  ``(p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)``.
* **WAUC** (weighted area under the feasibility-vs-level curve):
  ``sum_k w_k f_k / sum_k w_k`` over the levels present, with ``w_k = k``
  (harder levels weigh more). R-ConstraintBench reports a WAUC, but its
  weights are not public: **these weights are ours**.
* **Degradation threshold**: the first level (ascending) whose feasibility
  rate is below 50%, or ``None``.
* **Error taxonomy**: per (model, domain, variant), the number of answers
  with at least one violation of each type, the total violations per type,
  and the number of answers per parse-failure class (parse failures and API
  errors count as infeasible answers).
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from .generator import VARIANTS
from .parse import PARSE_ERRORS
from .redact import redact_json
from .store import ResultsStore
from .verify import VIOLATION_TYPES

THRESHOLD = 0.5
FAILURE_CLASSES: tuple[str, ...] = (*PARSE_ERRORS, "api_error")


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for ``k`` successes in ``n`` trials (``None`` when ``n == 0``)."""
    if n == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def wauc(rates: dict[int, float]) -> float | None:
    """Weighted mean of feasibility rates over levels, weights ``w_k = k`` (ours)."""
    if not rates:
        return None
    total = sum(max(k, 0) for k in rates)
    if total == 0:
        return sum(rates.values()) / len(rates)
    return sum(k * f for k, f in rates.items()) / total


def degradation_threshold(rates: dict[int, float], threshold: float = THRESHOLD) -> int | None:
    """The first level whose rate is below ``threshold`` (``None`` if none)."""
    for k in sorted(rates):
        if rates[k] < threshold:
            return k
    return None


def _variant_order(v: str) -> tuple[int, str]:
    return (VARIANTS.index(v) if v in VARIANTS else len(VARIANTS), v)


def summarize(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON-ready summary of sample rows (see the module docstring)."""
    groups: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for s in samples:
        groups[(s["model"], s["domain"], s["variant"], s["level"])].append(s)
    levels = []
    for (model, domain, variant, level), rows in sorted(
        groups.items(),
        key=lambda kv: (kv[0][0], kv[0][1] or "", _variant_order(kv[0][2] or ""), kv[0][3] or 0),
    ):
        n = len(rows)
        k = sum(1 for r in rows if r["feasible"])
        ci = wilson_interval(k, n)
        levels.append(
            {
                "model": model,
                "domain": domain,
                "variant": variant,
                "level": level,
                "n": n,
                "feasible": k,
                "rate": k / n,
                "ci_low": ci[0],
                "ci_high": ci[1],
            }
        )
    curves: dict[tuple, dict[int, float]] = defaultdict(dict)
    for row in levels:
        curves[(row["model"], row["domain"], row["variant"])][int(row["level"] or 0)] = row["rate"]
    fam: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    for s in samples:
        fam[(s["model"], s["domain"], s["variant"])].append(s)
    families = []
    for key in sorted(fam, key=lambda t: (t[0], t[1] or "", _variant_order(t[2] or ""))):
        rows = fam[key]
        n = len(rows)
        k = sum(1 for r in rows if r["feasible"])
        ci = wilson_interval(k, n)
        answers_with = {t: 0 for t in VIOLATION_TYPES}
        totals = {t: 0 for t in VIOLATION_TYPES}
        first = {t: 0 for t in VIOLATION_TYPES}
        parse = {c: 0 for c in FAILURE_CLASSES}
        for r in rows:
            for t, c in (r["violations"] or {}).items():
                answers_with[t] = answers_with.get(t, 0) + 1
                totals[t] = totals.get(t, 0) + int(c)
            if r.get("first_violation"):
                first[r["first_violation"]] = first.get(r["first_violation"], 0) + 1
            if r.get("parse_error"):
                parse[r["parse_error"]] = parse.get(r["parse_error"], 0) + 1
        families.append(
            {
                "model": key[0],
                "domain": key[1],
                "variant": key[2],
                "n": n,
                "feasible": k,
                "rate": k / n,
                "ci_low": ci[0],
                "ci_high": ci[1],
                "wauc": wauc(curves[key]),
                "threshold": degradation_threshold(curves[key]),
                "answers_with_violation": answers_with,
                "violations": totals,
                "first_violation": first,
                "parse_failures": parse,
                "parse_failure_total": sum(parse.values()),
            }
        )
    parse_by_model: dict[str, dict[str, int]] = defaultdict(lambda: {c: 0 for c in FAILURE_CLASSES})
    for s in samples:
        counts = parse_by_model[s["model"]]
        if s.get("parse_error"):
            counts[s["parse_error"]] += 1
    return {
        "n_samples": len(samples),
        "wauc_weights": "w_k = k (ours; R-ConstraintBench's weights are not public)",
        "threshold": THRESHOLD,
        "levels": levels,
        "families": families,
        "parse_failures": {m: dict(v) for m, v in sorted(parse_by_model.items())},
    }


def _fmt_ci(lo: float, hi: float) -> str:
    return f"[{lo:.2f}, {hi:.2f}]"


def markdown(summary: dict[str, Any]) -> str:
    """A Markdown report of :func:`summarize`'s output."""
    out = ["# LLM feasibility evaluation", "", f"{summary['n_samples']} answers.", ""]
    out += [
        "## Per variant family",
        "",
        f"WAUC weights: {summary['wauc_weights']}. Threshold: first level with feasibility < "
        f"{summary['threshold']:.0%}.",
        "",
        "| model | domain | variant | n | feasible | rate | Wilson 95% | WAUC | threshold | parse failures |",
        "|---|---|---|---:|---:|---:|---|---:|---:|---:|",
    ]
    for f in summary["families"]:
        w = "n/a" if f["wauc"] is None else f"{f['wauc']:.3f}"
        th = "-" if f["threshold"] is None else f["threshold"]
        ci = _fmt_ci(f["ci_low"], f["ci_high"])
        out.append(
            f"| {f['model']} | {f['domain']} | {f['variant']} | {f['n']} | {f['feasible']} | "
            f"{f['rate']:.2f} | {ci} | {w} | {th} | {f['parse_failure_total']} |"
        )
    out += [
        "",
        "## Feasibility per level",
        "",
        "| model | domain | variant | level | n | feasible | rate | Wilson 95% |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for r in summary["levels"]:
        out.append(
            f"| {r['model']} | {r['domain']} | {r['variant']} | {r['level']} | {r['n']} | {r['feasible']} | "
            f"{r['rate']:.2f} | {_fmt_ci(r['ci_low'], r['ci_high'])} |"
        )
    out += [
        "",
        "## Error taxonomy (answers with at least one violation of each type / total violations)",
        "",
        "| model | domain | variant | " + " | ".join(VIOLATION_TYPES) + " |",
        "|---|---|---|" + "---:|" * len(VIOLATION_TYPES),
    ]
    for f in summary["families"]:
        cells = [
            f"{f['answers_with_violation'].get(t, 0)} / {f['violations'].get(t, 0)}" for t in VIOLATION_TYPES
        ]
        out.append(f"| {f['model']} | {f['domain']} | {f['variant']} | " + " | ".join(cells) + " |")
    used = [c for c in FAILURE_CLASSES if any(f["parse_failures"].get(c) for f in summary["families"])]
    if used:
        out += [
            "",
            "## Parse failures",
            "",
            "| model | domain | variant | " + " | ".join(used) + " |",
            "|---|---|---|" + "---:|" * len(used),
        ]
        for f in summary["families"]:
            out.append(
                f"| {f['model']} | {f['domain']} | {f['variant']} | "
                + " | ".join(str(f["parse_failures"].get(c, 0)) for c in used)
                + " |"
            )
    return "\n".join(out) + "\n"


def plot(summary: dict[str, Any], out_dir: Path) -> list[Path]:
    """Feasibility curves (with Wilson bands) per (model, domain) and a taxonomy bar chart."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths: list[Path] = []
    by: dict[tuple, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for r in summary["levels"]:
        by[(r["model"], r["domain"])][r["variant"]].append(r)
    for (model, domain), variants in by.items():
        fig, ax = plt.subplots(figsize=(7, 4))
        for variant in sorted(variants, key=_variant_order):
            rows = sorted(variants[variant], key=lambda r: r["level"])
            x = [r["level"] for r in rows]
            ax.plot(x, [r["rate"] for r in rows], marker="o", label=variant)
            ax.fill_between(x, [r["ci_low"] for r in rows], [r["ci_high"] for r in rows], alpha=0.15)
        ax.axhline(THRESHOLD, color="grey", lw=0.8, ls="--")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("level (non-redundant precedence constraints)")
        ax.set_ylabel("feasibility rate")
        ax.set_title(f"{model} - {domain}")
        ax.legend(fontsize=8)
        fig.tight_layout()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in f"{model}-{domain}")
        path = out_dir / f"feasibility-{safe}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    fams = summary["families"]
    if fams:
        fig, ax = plt.subplots(figsize=(max(6, 0.9 * len(fams) + 2), 4))
        bottom = [0.0] * len(fams)
        labels = [f"{f['model']}\n{f['domain']}\n{f['variant']}" for f in fams]
        for t in VIOLATION_TYPES:
            vals = [f["answers_with_violation"].get(t, 0) / max(1, f["n"]) for f in fams]
            ax.bar(range(len(fams)), vals, bottom=bottom, label=t)
            bottom = [b + v for b, v in zip(bottom, vals)]
        vals = [f["parse_failure_total"] / max(1, f["n"]) for f in fams]
        ax.bar(range(len(fams)), vals, bottom=bottom, label="parse failure", color="black")
        ax.set_xticks(range(len(fams)), labels, fontsize=6)
        ax.set_ylabel("answers with the error / answers")
        ax.legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / "taxonomy.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths


def write_report(results: str | Path, out_dir: str | Path) -> dict[str, Any]:
    """Write ``summary.json``, ``report.md``, ``samples.jsonl`` and plots; return the summary."""
    with ResultsStore(results, readonly=True) as store:  # works on read-only files, changes nothing
        samples = store.samples()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(samples)
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    (out / "report.md").write_text(markdown(summary))
    with (out / "samples.jsonl").open("w") as fh:
        for s in samples:
            fh.write(json.dumps(redact_json(s)) + "\n")  # files written by older versions may hold keys
    summary["plots"] = [str(p) for p in plot(summary, out)]
    return summary


def load_summary(results: str | Path) -> dict[str, Any]:
    """:func:`summarize` the samples in a results file."""
    path = Path(results)
    with ResultsStore(path, readonly=True) as store:  # a missing file or a directory: StoreError naming it
        return summarize(store.samples())
