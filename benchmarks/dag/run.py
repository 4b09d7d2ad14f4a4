"""Heterogeneous DAG benchmark on the Santiago sets: list schedulers, the improvement method, CP-SAT.

Usage (each part resumes its SQLite store in ``results/dag/`` and exports a CSV next to this file)::

    python benchmarks/dag/run.py --part heuristics   # heft, heft[saga], cpop, peft, ils on all 314 DAGs
    python benchmarks/dag/run.py --part cpsat        # cpsat 60 s (+ the heuristics) on a stratified sample
    python benchmarks/dag/run.py --report            # the "santiago" section of RESULTS.md from the CSVs

Everything goes through ``schedopt.bench.run``: every schedule is re-checked by ``schedopt.check``
and its SLR/speedup/efficiency come from the family evaluator (:mod:`schedopt.families.dag.metrics`).
Makespans are in the files' time unit (the reader scales times by ``meta["time_scale"]``; the
table divides it back out). Gaps are ``(C - LB) / LB`` with LB the CP-SAT bound of the same
instance (a valid lower bound; equal to the optimum where CP-SAT proved it).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks" / "core"))

from _sections import write_section  # noqa: E402

from schedopt.bench import run as bench_run  # noqa: E402
from schedopt.bench.report import method_label  # noqa: E402
from schedopt.bench.store import ResultsStore  # noqa: E402

SETS = ("synthetic", "ligo", "robot", "sparse")
HEURISTICS = ["heft", ("heft", {"averaging": "saga"}), "cpop", "peft", "ils"]
STORE = ROOT / "results" / "dag"
CPSAT_SAMPLE = {"synthetic": "", "ligo": ":every=8", "robot": ":every=8", "sparse": ":every=8"}


def _export(store: Path, csv: Path) -> None:
    with ResultsStore(store) as st:
        n = st.export_csv(csv)
    print(f"{n} rows -> {csv.relative_to(ROOT)}")


def part_heuristics(time_limit: float, workers: int) -> None:
    STORE.mkdir(parents=True, exist_ok=True)
    for s in SETS:
        bench_run(
            f"dag-santiago-{s}", HEURISTICS, time_limit=time_limit, workers=workers,
            results=STORE / "heuristics.sqlite",
        )  # fmt: skip
    _export(STORE / "heuristics.sqlite", HERE / "santiago_heuristics.csv")


def part_cpsat(time_limit: float, workers: int) -> None:
    STORE.mkdir(parents=True, exist_ok=True)
    for s in SETS:
        bench_run(
            f"dag-santiago-{s}{CPSAT_SAMPLE[s]}", [("cpsat", {"workers": 1})], time_limit=time_limit,
            workers=workers, results=STORE / "cpsat.sqlite",
        )  # fmt: skip
    _export(STORE / "cpsat.sqlite", HERE / "santiago_cpsat.csv")


def _set_of(suite: str) -> str:
    return suite.split(":")[0].removeprefix("dag-santiago-")


def report() -> None:
    heur = pd.read_csv(HERE / "santiago_heuristics.csv")
    heur["label"] = [method_label(m, p) for m, p in zip(heur["method"], heur["params"].fillna(""))]
    heur["set"] = heur["suite"].map(_set_of)
    info = heur["info"].map(lambda s: json.loads(s) if isinstance(s, str) else {})
    heur["slr"] = info.map(lambda d: d.get("slr"))
    scale = 1000.0  # the .dag reader's default time_scale
    assert (heur["valid"] == 1).all(), "a schedule failed the check"
    lines = [
        "## Santiago sets: list schedulers and the improvement method",
        "",
        "Command: `python benchmarks/dag/run.py --part heuristics && python benchmarks/dag/run.py --report`",
        f"Machine: {platform.processor() or platform.machine()}, 2 cores; one process per run "
        f"(`schedopt bench`), every schedule re-checked. Report written {time.strftime('%Y-%m-%d')}.",
        "",
        "Mean makespan (file time units) per set; in brackets the mean SLR. `ils < heft`: instances",
        "where the improvement method's makespan is strictly below HEFT's.",
        "",
    ]
    wanted = ["heft", "heft[averaging=saga]", "cpop", "peft", "ils"]
    labels = [lab for lab in wanted if lab in set(heur["label"])]
    lines.append("| set | n | " + " | ".join(labels) + " | ils < heft | ils time (s) |")
    lines.append("|---|---|" + "---|" * len(labels) + "---|---|")
    for s in SETS:
        sub = heur[heur["set"] == s]
        if sub.empty:
            continue
        piv = sub.pivot_table(index="instance", columns="label", values="objective")
        slr = sub.pivot_table(index="instance", columns="label", values="slr")
        cells = [f"{piv[lab].mean() / scale:.2f} ({slr[lab].mean():.3f})" for lab in labels]
        better = int((piv["ils"] < piv["heft"]).sum()) if "ils" in piv and "heft" in piv else 0
        t_ils = sub[sub["label"] == "ils"]["time"].mean()
        lines.append(f"| {s} | {len(piv)} | " + " | ".join(cells) + f" | {better}/{len(piv)} | {t_ils:.2f} |")
    cp_csv = HERE / "santiago_cpsat.csv"
    if cp_csv.exists():
        cp = pd.read_csv(cp_csv)
        cp["set"] = cp["suite"].map(_set_of)
        lines += [
            "",
            "## Santiago sets: CP-SAT at 60 s and the gap of the heuristics to its bound",
            "",
            "Command: `python benchmarks/dag/run.py --part cpsat && python benchmarks/dag/run.py --report`",
            "(CP-SAT with 1 worker per run, 2 runs at once; sample: all Synthetic, every 8th file of the",
            "others).",
            "Gap = (C - LB) / LB with LB the CP-SAT bound (the optimum where proven).",
            "",
            "| set | n | tasks | proven | CP-SAT mean gap | HEFT mean / worst gap | ILS mean / worst gap |",
            "|---|---|---|---|---|---|---|",
        ]
        for s in SETS:
            c = cp[cp["set"] == s].set_index("instance")
            if c.empty:
                continue
            h = heur[(heur["set"] == s)].pivot_table(index="instance", columns="label", values="objective")
            h = h.loc[h.index.intersection(c.index)]
            lb = c.loc[h.index, "bound"].astype(float)

            def gaps(col: str, h: pd.DataFrame = h, lb: pd.Series = lb) -> str:
                g = (h[col] - lb) / lb * 100
                return f"{g.mean():.2f} % / {g.max():.2f} %"

            cg = ((c.loc[h.index, "objective"] - lb) / lb * 100).mean()
            tasks = c["n_jobs"].median() if "n_jobs" in c else float("nan")
            lines.append(
                f"| {s} | {len(h)} | {tasks:.0f} | {int((c['status'] == 'optimal').sum())} | {cg:.2f} % | "
                f"{gaps('heft')} | {gaps('ils')} |"
            )
    write_section(HERE / "RESULTS.md", "santiago", lines)
    print("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["heuristics", "cpsat"])
    ap.add_argument("--report", action="store_true")
    ap.add_argument("--time-limit", type=float, default=None, help="heuristics: 10 s; cpsat: 60 s")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if args.part == "heuristics":
        part_heuristics(args.time_limit or 10.0, args.workers)
    elif args.part == "cpsat":
        part_cpsat(args.time_limit or 60.0, args.workers)
    if args.report:
        report()
    if not args.part and not args.report:
        ap.print_help()


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
