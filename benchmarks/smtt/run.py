"""Single-machine tardiness benchmark: the Cetinkaya et al. (2025) table on corrected data, local search,
exact methods, OR-Library wt40/50/100.

Usage (one part per call; each appends rows to its own CSV in this folder)::

    python benchmarks/smtt/run.py --part table      # constructive rules, all 1,400 instances
    python benchmarks/smtt/run.py --part ls         # insertion descent and 20 ms ILS, all instances
    python benchmarks/smtt/run.py --part exact      # dp (n=20), exact (n=100 all, 200/500 samples)
    python benchmarks/smtt/run.py --part orlib      # OR-Library: rules, insertion, ils 1 s
    python benchmarks/smtt/run.py --report          # summary tables (markdown) from the CSVs

Times are wall-clock per instance after a warm-up call (numba compile excluded and reported
separately in ``compile.csv``). Gaps: mean over instances with a non-zero reference of
``(H - ref) / ref * 100`` and the sum-based ``(sum H - sum ref) / sum ref * 100``.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import schedopt  # noqa: E402
from schedopt.families.smtt import _kernels as K  # noqa: E402
from schedopt.families.smtt.heuristics import CONSTRUCTIVE  # noqa: E402

DATA = Path(os.environ.get("SCHEDOPT_DATA", HERE.parents[2] / "shared" / "data"))
SETS = {
    20: "tt20_uniform_cetinkaya.txt",
    100: "tt100_shang.txt",
    200: "tt200_shang.txt",
    500: "tt500_shang.txt",
}
FIELDS = ["part", "set", "instance", "n", "rdd", "tf", "method", "value", "ref", "ref_kind", "status", "time"]
TABLE_RULES = ["edd", "eddc", "mdd", "mddc", "psk", "aug-mdd", "aug-mddc"]


def load(n: int) -> list[schedopt.Problem]:
    return schedopt.read(DATA / "smtt_unweighted" / SETS[n])


def writer(name: str) -> tuple[csv.DictWriter, object]:
    f = open(HERE / name, "w", newline="")  # noqa: SIM115  (closed by the caller)
    w = csv.DictWriter(f, fieldnames=FIELDS)
    w.writeheader()
    return w, f


def arrays(pr: schedopt.Problem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from schedopt.families.smtt._common import arrays as a

    return a(pr)


def part_table() -> None:
    out, f = writer("table.csv")
    comp = []
    for rule in TABLE_RULES:
        pr = load(20)[0]
        t0 = time.perf_counter()
        CONSTRUCTIVE[rule](*arrays(pr))
        comp.append((rule, time.perf_counter() - t0))
    with open(HERE / "compile.csv", "w") as g:
        g.write("kernel,first_call_seconds\n")
        for rule, t in comp:
            g.write(f"{rule},{t:.3f}\n")
    for n in SETS:
        for pr in load(n):
            p, d, w = arrays(pr)
            for rule in TABLE_RULES:
                fn = CONSTRUCTIVE[rule]
                t0 = time.perf_counter()
                seq = fn(p, d, w)
                dt = time.perf_counter() - t0
                assert K.is_permutation(seq, len(p))
                v = int(K.total_tardiness(seq, p, d, w))
                out.writerow(_row("table", n, pr, rule, v, "opt", "heuristic", dt))
        f.flush()
        print("table", n, flush=True)
    f.close()


def _row(
    part: str, n: int, pr: schedopt.Problem, method: str, v: int, kind: str, status: str, dt: float
) -> dict:
    m = pr.meta
    return {
        "part": part,
        "set": f"tt{n}",
        "instance": pr.name,
        "n": pr.n_jobs,
        "rdd": m.get("rdd"),
        "tf": m.get("tf"),
        "method": method,
        "value": v,
        "ref": m.get("opt"),
        "ref_kind": kind,
        "status": status,
        "time": f"{dt:.6f}",
    }


def _solve_row(part: str, n: int, pr: schedopt.Problem, label: str, method: str, **kw) -> dict:
    r = schedopt.solve(pr, method=method, **kw)
    assert not schedopt.check(pr, r.schedule)
    seq = np.array(r.info["sequence"])
    p, d, w = arrays(pr)
    assert K.is_permutation(seq, pr.n_jobs) and int(K.total_tardiness(seq, p, d, w)) == r.objective
    return _row(part, n, pr, label, int(r.objective), "opt", r.status, r.time)


def part_ls(ils_time: float, sizes: list[int], ils_start: list[str] | None, insertion: bool) -> None:
    ms = round(ils_time * 1000)
    out, f = writer("ls.csv" if ils_time == 0.02 and insertion else f"ls_{ms}ms.csv")
    for n in sizes:  # warm-up: compile every kernel the ILS uses, on each size
        for k in range(3):
            schedopt.solve(load(n)[k], method="ils", time_limit=0.2, start=ils_start)
    label = f"ils-{ms}ms" + ("" if ils_start is None else "-" + "+".join(ils_start))
    for n in sizes:
        for pr in load(n):
            if insertion:
                out.writerow(_solve_row("ls", n, pr, "mdd+insertion", "insertion", start="mdd"))
                out.writerow(_solve_row("ls", n, pr, "mddc+insertion", "insertion", start="mddc"))
            out.writerow(_solve_row("ls", n, pr, label, "ils", time_limit=ils_time, start=ils_start))
        f.flush()
        print("ls", n, flush=True)
    f.close()


def part_exact(limit: float, sample500: int, sample200: int, sizes: list[int]) -> None:
    every = sorted(sizes) == sorted(SETS)
    out, f = writer("exact.csv" if every else "exact_" + "_".join(map(str, sizes)) + ".csv")
    if 20 in sizes:
        schedopt.solve(load(20)[0], method="dp")
        for pr in load(20):
            out.writerow(_solve_row("exact", 20, pr, "dp", "dp"))
        f.flush()
        print("exact dp", flush=True)
    for n, step in ((100, 1), (200, 10 // max(1, sample200 // 20)), (500, 10 // max(1, sample500 // 20))):
        if n not in sizes:
            continue
        probs = load(n)
        # stratified: the first `step`-th replicate of every (rdd, tf) class
        chosen = probs if step == 1 else [pr for pr in probs if (int(pr.meta["rep"]) - 1) % step == 0]
        for pr in chosen:
            out.writerow(_solve_row("exact", n, pr, "exact", "exact", time_limit=limit))
        f.flush()
        print("exact", n, len(chosen), flush=True)
    f.close()


def part_orlib(ils_time: float) -> None:
    from schedopt.families.smtt.orlib import read_orlib_values
    from schedopt.families.smtt.suites import ORLIB_UNPROVEN, ORLIB_VALUES

    out, f = writer("orlib.csv")
    base = DATA / "orlib_wt"
    warm = schedopt.read(base / "wt40.txt")[:3]
    for pr in warm:  # warm-up: long enough that every ILS kernel is compiled (or loaded from cache)
        schedopt.solve(pr, method="ils", time_limit=0.3, start=["atc", "mdd"])
    for n in (40, 50, 100):
        probs = schedopt.read(base / f"wt{n}.txt")
        vals = read_orlib_values(base / ORLIB_VALUES[n])
        for k, pr in enumerate(probs):
            ref = int(vals[k])
            kind = "best-known" if n == 100 or (k + 1) in ORLIB_UNPROVEN.get(n, ()) else "opt"
            for label, method, kw in (
                ("edd", "edd", {}),
                ("wspt", "wspt", {}),
                ("mdd", "mdd", {}),
                ("atc", "atc", {}),
                ("atc+insertion", "insertion", {"start": "atc"}),
                (f"ils-{ils_time:g}s", "ils", {"time_limit": ils_time, "start": ["atc", "mdd"]}),
            ):
                r = schedopt.solve(pr, method=method, **kw)
                assert not schedopt.check(pr, r.schedule)
                row = _row("orlib", n, pr, label, int(r.objective), kind, r.status, r.time)
                row["set"] = f"wt{n}"
                row["ref"] = ref
                out.writerow(row)
        f.flush()
        print("orlib", n, flush=True)
    f.close()


def report() -> str:
    import pandas as pd

    frames = []
    for c in [
        "table.csv",
        *sorted(p.name for p in HERE.glob("ls*.csv")),
        *sorted(p.name for p in HERE.glob("exact*.csv")),
        "orlib.csv",
    ]:
        try:
            frames.append(pd.read_csv(HERE / c))
        except (FileNotFoundError, pd.errors.EmptyDataError):
            continue
    df = pd.concat(frames, ignore_index=True)
    df["gap"] = np.where(df.ref > 0, (df.value - df.ref) / df.ref.where(df.ref > 0, 1) * 100, np.nan)
    lines = []
    for part, g in df.groupby("part", sort=False):
        lines.append(f"\n### {part}\n")
        lines.append(
            "| set | method | #inst | #nz ref | mean gap % (nz) | sum gap % | #= ref | #< ref "
            "| #optimal status | mean ms | max ms |"
        )
        lines.append("|---|---|---|---|---|---|---|---|---|---|---|")
        for (s, m), h in g.groupby(["set", "method"], sort=False):
            nz = h[h.ref > 0]
            sumgap = (h.value.sum() - h.ref.sum()) / max(1, h.ref.sum()) * 100
            lines.append(
                f"| {s} | {m} | {len(h)} | {len(nz)} | {nz.gap.mean():.2f} | {sumgap:.2f} | "
                f"{int((h.value == h.ref).sum())} | {int((h.value < h.ref).sum())} | "
                f"{int((h.status == 'optimal').sum())} | {h.time.mean() * 1e3:.2f} | "
                f"{h.time.max() * 1e3:.1f} |"
            )
    below = df[(df.value < df.ref) & (df.ref_kind == "opt")]
    lines.append(f"\nValues below a listed optimum: {len(below)}")
    for _, r in below.head(20).iterrows():
        lines.append(f"- {r.set} {r.instance} {r.method}: {r.value} < {r.ref}")
    t = df[df.part == "table"]
    if len(t):
        lines.append("\n### head-to-head (win/tie/loss of the first vs the second, on value)\n")
        lines.append("| set | pair | win | tie | loss |")
        lines.append("|---|---|---|---|---|")
        piv = t.pivot_table(index=["set", "instance"], columns="method", values="value")
        pairs = [("mddc", "psk"), ("mddc", "mdd"), ("aug-mddc", "aug-mdd"), ("eddc", "edd")]
        for s in piv.index.get_level_values(0).unique():
            h = piv.loc[s]
            for a, b in pairs:
                lines.append(
                    f"| {s} | {a} vs {b} | {int((h[a] < h[b]).sum())} | {int((h[a] == h[b]).sum())} | "
                    f"{int((h[a] > h[b]).sum())} |"
                )
        lines.append("\n### per class, n = 500 (RDD, TF): mean gap % over non-zero optima\n")
        t5 = t[(t.set == "tt500") & (t.ref > 0)]
        cls = t5.pivot_table(index=["rdd", "tf"], columns="method", values="gap", aggfunc="mean").round(2)
        cls = cls[TABLE_RULES]
        lines.append("| (RDD, TF) | " + " | ".join(TABLE_RULES) + " |")
        lines.append("|---" * (len(TABLE_RULES) + 1) + "|")
        for idx, row in cls.iterrows():
            lines.append(f"| {idx} | " + " | ".join(f"{x:.2f}" for x in row) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["table", "ls", "exact", "orlib"])
    ap.add_argument("--ils-time", type=float, default=0.02, help="ILS seconds per instance (part ls)")
    ap.add_argument("--sizes", type=int, nargs="+", default=list(SETS), help="set sizes (parts ls, exact)")
    ap.add_argument(
        "--ils-start", nargs="+", default=None, help="start rule(s) of the ILS (part ls; default: MDD)"
    )
    ap.add_argument("--no-insertion", action="store_true", help="part ls: only the ILS rows")
    ap.add_argument("--orlib-time", type=float, default=1.0, help="ILS seconds per OR-Library instance")
    ap.add_argument("--exact-limit", type=float, default=20.0, help="seconds per instance for 'exact'")
    ap.add_argument("--sample500", type=int, default=20, help="n=500 instances for 'exact' (stratified)")
    ap.add_argument("--sample200", type=int, default=40, help="n=200 instances for 'exact' (stratified)")
    ap.add_argument("--report", action="store_true", help="print the summary tables from the CSVs")
    a = ap.parse_args()
    if a.report:
        print(report())
        return
    if a.part == "table":
        part_table()
    elif a.part == "ls":
        part_ls(a.ils_time, a.sizes, a.ils_start, not a.no_insertion)
    elif a.part == "exact":
        part_exact(a.exact_limit, a.sample500, a.sample200, a.sizes)
    elif a.part == "orlib":
        part_orlib(a.orlib_time)
    else:
        ap.error("pass --part or --report")


if __name__ == "__main__":
    main()
