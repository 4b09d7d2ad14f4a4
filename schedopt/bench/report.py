"""Reports of a results store: markdown tables, performance profiles, gap-vs-time plots.

Tables (per suite and time limit, one line per method variant): runs, the
share of runs proven optimal, the share with a checked schedule, mean and
median gap to our own bound and to the best-known value (over runs where the
gap is defined), mean time, and the counts of failed runs and flagged rows.

Performance profiles follow Dolan & Moré (2002), Benchmarking optimization
software with performance profiles, Math. Programming 91:201-213: for
problem ``p`` (an instance and seed) and method ``s`` with cost ``t_ps``,
``r_ps = t_ps / min_s t_ps`` and ``rho_s(tau) = |{p : r_ps <= tau}| / |P|``.
Two costs are drawn: the time to a proven optimum (``inf`` when not proven)
and the objective value of the checked schedule (``inf`` without one).
Deviation: because tardiness optima are often 0, the objective ratio is
taken on ``objective + 1`` (stated on the figure).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .store import ResultsStore

FAILED = ("invalid", "timeout", "crashed", "error")


def method_label(method: str, params: str) -> str:
    """``method`` plus its options except time limit and the bench default ``workers=1``."""
    try:
        opts = json.loads(params)
    except (TypeError, json.JSONDecodeError):
        return method
    opts.pop("time_limit", None)
    if opts.get("workers") == 1:
        opts.pop("workers")
    if not opts:
        return method
    return f"{method}[{','.join(f'{k}={v}' for k, v in sorted(opts.items()))}]"


def _prepare(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["label"] = [method_label(m, p) for m, p in zip(df["method"], df["params"])]
    for c in ("gap", "gap_best", "time", "objective", "bound"):
        df[c] = pd.to_numeric(df[c], errors="coerce")
    df["flags"] = df["flags"].fillna("")
    return df


def _pct(x: float) -> str:
    return "–" if x is None or not np.isfinite(x) else f"{100 * x:.2f}%"


def _num(x: float, fmt: str = "{:.2f}") -> str:
    return "–" if x is None or not np.isfinite(x) else fmt.format(x)


def summary(df: pd.DataFrame) -> pd.DataFrame:
    """One line per (suite, time limit, method variant) with the report's statistics."""
    df = _prepare(df)
    rows = []
    for (suite, tl, label), g in df.groupby(["suite", "time_limit", "label"], sort=True):
        gap = g["gap"][np.isfinite(g["gap"])]
        best = g["gap_best"][np.isfinite(g["gap_best"])]
        rows.append(
            {
                "suite": suite,
                "time_limit": tl,
                "method": label,
                "runs": len(g),
                "optimal": float((g["status"] == "optimal").mean()),
                "with_schedule": float((g["valid"] == 1).mean()),
                "mean_gap": gap.mean() if len(gap) else np.nan,
                "median_gap": gap.median() if len(gap) else np.nan,
                "n_gap": len(gap),
                "mean_gap_best": best.mean() if len(best) else np.nan,
                "median_gap_best": best.median() if len(best) else np.nan,
                "n_gap_best": len(best),
                "mean_time": g["time"].mean(),
                "failed": int(g["status"].isin(FAILED).sum()),
                "flagged": int((g["flags"].str.len() > 0).sum()),
            }
        )
    return pd.DataFrame(rows)


def markdown_table(df: pd.DataFrame) -> str:
    """The per-method table(s) as markdown, one table per suite and time limit."""
    s = summary(df)
    if s.empty:
        return "_no results_\n"
    out = []
    for (suite, tl), g in s.groupby(["suite", "time_limit"], sort=True):
        out.append(f"### {suite} — time limit {tl:g} s\n")
        out.append(
            "| method | runs | optimal | with schedule | mean gap | median gap | mean gap to best "
            "| median gap to best | mean time (s) | failed | flagged |"
        )
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for _, r in g.iterrows():
            out.append(
                f"| {r.method} | {r.runs} | {_pct(r.optimal)} | {_pct(r.with_schedule)} "
                f"| {_pct(r.mean_gap)} | {_pct(r.median_gap)} "
                f"| {_pct(r.mean_gap_best)} (n={r.n_gap_best}) | {_pct(r.median_gap_best)} "
                f"| {_num(r.mean_time, '{:.3f}')} | {r.failed} | {r.flagged} |"
            )
        out.append("")
    out.append(
        "Gap: (objective − bound) / objective, bound = our own lower bound. Gap to best: "
        "(objective − best known) / best known, over runs where it is defined (best known > 0 or "
        "objective = best known). Optimal: proven by the method. Failed: invalid, timeout, crashed or error."
    )
    return "\n".join(out) + "\n"


def performance_ratios(costs: pd.DataFrame) -> np.ndarray:
    """``r_ps = t_ps / min_s t_ps`` for positive costs (``inf`` where failed or no method succeeded)."""
    c = costs.to_numpy(dtype=float)
    if (c <= 0).any():
        raise ValueError("performance profiles need positive costs")
    best = np.min(c, axis=1, initial=np.inf)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(c) & np.isfinite(best)[:, None], c / best[:, None], np.inf)


def performance_profile(costs: pd.DataFrame, taus: np.ndarray) -> dict[str, np.ndarray]:
    """Dolan–Moré ``rho_s(tau)``.

    ``costs`` has one row per problem and one column per method (``inf`` = failed).
    """
    ratio = performance_ratios(costs)
    n = max(len(ratio), 1)
    return {m: (ratio[:, k][None, :] <= taus[:, None]).sum(axis=1) / n for k, m in enumerate(costs.columns)}


def _profile_costs(df: pd.DataFrame, kind: str) -> pd.DataFrame:
    if kind == "time":
        cost = np.where(df["status"] == "optimal", df["time"].clip(lower=1e-3), np.inf)
    else:
        cost = np.where(df["valid"] == 1, df["objective"] + 1.0, np.inf)
    d = df.assign(cost=cost)
    return d.pivot_table(index=["instance", "seed"], columns="label", values="cost", aggfunc="min").fillna(
        np.inf
    )


def write_figures(df: pd.DataFrame, out: Path) -> list[Path]:
    """Performance profiles and gap-vs-time scatter plots (PNG) per suite and time limit."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    df = _prepare(df)
    files: list[Path] = []
    for (suite, tl), g in df.groupby(["suite", "time_limit"], sort=True):
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in f"{suite}_{tl:g}s")
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for ax, kind, title in (
            (axes[0], "time", "time to proven optimum"),
            (axes[1], "objective", "objective value (+1)"),
        ):
            costs = _profile_costs(g, kind)
            r = performance_ratios(costs)
            r = r[np.isfinite(r)]
            hi = max(2.0, float(r.max()) * 1.05) if r.size else 2.0
            taus = np.exp(np.linspace(0, np.log(hi), 200))
            for m, rho in performance_profile(costs, taus).items():
                ax.step(taus, rho, where="post", label=m)
            ax.set_xscale("log", base=2)
            ax.set_ylim(0, 1.02)
            ax.set_xlabel("τ (ratio to the best method)")
            ax.set_ylabel("share of problems with ratio ≤ τ")
            ax.set_title(f"{suite}, {tl:g} s: {title}", fontsize=9)
            ax.grid(alpha=0.3)
        axes[1].legend(fontsize=8, loc="lower right")
        fig.tight_layout()
        path = out / f"profile_{stem}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(path)

        fig, ax = plt.subplots(figsize=(6, 4))
        col = "gap_best" if np.isfinite(g["gap_best"]).any() else "gap"
        for m, h in g.groupby("label"):
            ok = np.isfinite(h[col]) & np.isfinite(h["time"])
            ax.scatter(h["time"][ok], 100 * h[col][ok], s=12, alpha=0.6, label=f"{m} (n={int(ok.sum())})")
        ax.set_xlabel("time (s)")
        ax.set_ylabel("gap to best known (%)" if col == "gap_best" else "gap to own bound (%)")
        ax.set_title(f"{suite}, time limit {tl:g} s", fontsize=9)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        path = out / f"gap_time_{stem}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        files.append(path)
    return files


def write_report(results: str | Path, out: str | Path | None = None) -> str:
    """Write ``report.md`` and the figures into ``out`` (default: beside the results file)."""
    results = Path(results)
    if not results.exists():
        raise FileNotFoundError(f"no results file {results}")
    with ResultsStore(results, readonly=True) as store:  # works on read-only files, changes nothing
        df = store.dataframe()
    out = Path(out) if out is not None else results.with_name(results.stem + "_report")
    out.mkdir(parents=True, exist_ok=True)
    md = [f"# Benchmark report: {results.name}\n", markdown_table(df)]
    flagged = df[df["flags"].fillna("").str.len() > 0]
    if len(flagged):
        md.append("## Flagged runs\n")
        md.append(
            "| suite | instance | method | seed | status | objective | bound | best lb | best ub | flags |"
        )
        md.append("|---|---|---|---:|---|---:|---:|---:|---:|---|")
        for _, r in flagged.head(200).iterrows():
            md.append(
                f"| {r.suite} | {r.instance} | {r.method} | {r.seed} | {r.status} | {r.objective} "
                f"| {r.bound} | {r.best_lb} | {r.best_ub} | {r.flags} |"
            )
        md.append("")
    if len(df):
        md.append("## Figures\n")
        for f in write_figures(df, out):
            md.append(f"![{f.stem}]({f.name})")
    text = "\n".join(md) + "\n"
    (out / "report.md").write_text(text)
    return text
