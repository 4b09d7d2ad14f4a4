"""RCPSP benchmark: PSPLIB J30/J60/J90/J120 against the best-known bounds.

Runs ``schedopt.solve`` per instance and method, re-checks every schedule with
``schedopt.check`` and appends one CSV row per run; runs already in the file
(same set, instance, method, options, time limit and workers) are skipped, so
an interrupted run resumes where it stopped (use another ``--out`` per seed).
The numba kernels are compiled (or loaded from the cache) before the first
run and that time is printed, not charged to any run.
``--summary`` aggregates CSV files into a markdown table; ``--speed`` times
the pure serial-SGS kernel (compile time reported separately).

Examples
--------
    python benchmarks/rcpsp/run.py --set j30 --method cpsat --time-limit 10 --out j30.csv
    python benchmarks/rcpsp/run.py --set j120 --per-group 1 --method ga --schedules 5000 --out h.csv
    python benchmarks/rcpsp/run.py --speed
    python benchmarks/rcpsp/run.py --summary benchmarks/rcpsp/cpsat2_j30_v9.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import re
import sys
import time
from pathlib import Path

import numpy as np

import schedopt
from schedopt.data import data_dir

FIELDS = [
    "set",
    "instance",
    "method",
    "options",
    "time_limit",
    "workers",
    "status",
    "objective",
    "bound",
    "best_lb",
    "best_ub",
    "cpm",
    "dev_bks_pct",
    "dev_cpm_pct",
    "proven_opt",
    "time_s",
    "schedules",
    "schedules_per_s",
    "check_ok",
]


_NAME = re.compile(r"j(30|60|90|120)(\d+)_(\d+)$")

if not os.environ.get("SCHEDOPT_DATA"):
    _guess = Path(__file__).resolve().parents[2].parent / "shared" / "data"
    if _guess.is_dir():
        os.environ["SCHEDOPT_DATA"] = str(_guess)


def _key(path: Path) -> tuple[int, int]:
    m = _NAME.match(path.stem)
    return (int(m.group(2)), int(m.group(3))) if m else (0, 0)


def reference() -> dict[str, dict[str, str]]:
    path = data_dir() / "psplib" / "values" / "reference.csv"
    with open(path, newline="") as fh:
        return {row["instance"]: row for row in csv.DictReader(fh)}


def instances(set_name: str, per_group: int, every: int) -> list[Path]:
    folder = data_dir() / "psplib" / set_name
    files = sorted(folder.glob("*.sm"), key=_key)
    if per_group > 0:
        files = [f for f in files if _key(f)[1] <= per_group]
    if every > 1:
        keep = set(sorted({_key(f)[0] for f in files})[::every])
        files = [f for f in files if _key(f)[0] in keep]
    return files


def _text(value: object) -> str:
    """A value as ``csv.DictWriter`` writes it (``None`` as the empty string)."""
    return "" if value is None else str(value)


def _done_rows(out: Path) -> set[tuple[str, ...]]:
    """Keys (set, instance, method, options, time limit, workers) of the rows already in ``out``."""
    if not out.exists():
        return set()
    with open(out, newline="") as fh:
        return {
            (r["set"], r["instance"], r["method"], r["options"], r["time_limit"], r["workers"])
            for r in csv.DictReader(fh)
        }


def run(args: argparse.Namespace) -> None:
    ref = reference()
    out = Path(args.out)
    new = not out.exists()
    options: dict = {}
    if args.method in ("sgs", "ga"):
        options["max_schedules"] = args.schedules
    if args.method == "cpsat":
        options["workers"] = args.workers
    if args.method == "mip":
        options["threads"] = args.workers
        options["solver"] = args.mip_solver
    opt_text = ";".join(f"{k}={v}" for k, v in options.items())
    done = _done_rows(out)
    t0 = time.perf_counter()
    spent = schedopt.warm_up(("rcpsp", "rcpsp-plain"))
    print(
        f"# warm-up (numba compile or cache load, not charged to any run): {time.perf_counter() - t0:.1f} s "
        + " ".join(f"{k}={v:.1f}" for k, v in spent.items()),
        file=sys.stderr,
    )
    with open(out, "a", newline="") as fh:
        writer = csv.DictWriter(fh, FIELDS)
        if new:
            writer.writeheader()
        for path in instances(args.set, args.per_group, args.every_group):
            key = (args.set, path.stem, args.method, opt_text, _text(args.time_limit), str(args.workers))
            if key in done:  # resume: this run is already in the file
                continue
            problem = schedopt.read(path)
            r = schedopt.solve(
                problem, method=args.method, time_limit=args.time_limit, seed=args.seed, **options
            )
            ok = r.schedule is not None and schedopt.check(problem, r.schedule) == []
            row = ref[problem.name]
            lb, ub, cpm = int(row["best_lb"]), int(row["best_ub"]), int(row["cpm_lb"])
            obj = r.objective
            writer.writerow(
                {
                    "set": args.set,
                    "instance": problem.name,
                    "method": args.method,
                    "options": opt_text,
                    "time_limit": args.time_limit,
                    "workers": args.workers,
                    "status": r.status,
                    "objective": obj,
                    "bound": r.bound,
                    "best_lb": lb,
                    "best_ub": ub,
                    "cpm": cpm,
                    "dev_bks_pct": None if obj is None else round(100 * (obj - ub) / ub, 4),
                    "dev_cpm_pct": None if obj is None else round(100 * (obj - cpm) / cpm, 4),
                    "proven_opt": int(r.status == "optimal"),
                    "time_s": round(r.time, 4),
                    "schedules": r.info.get("schedules", ""),
                    "schedules_per_s": round(r.info.get("schedules_per_s", 0.0), 1) or "",
                    "check_ok": int(ok),
                }
            )
            fh.flush()
            if args.verbose:
                print(problem.name, r, flush=True)


def speed(args: argparse.Namespace) -> None:
    """Pure-kernel timing of the serial SGS on J30 (random precedence-feasible lists)."""
    from schedopt.families.rcpsp import _kernels as K
    from schedopt.families.rcpsp.heuristics import Decoder, prepare, priority_values

    files = instances("j30", 0, 1)[:: max(1, 480 // args.speed_instances)]
    t0 = time.perf_counter()
    p0 = schedopt.read(files[0])
    dec = Decoder(prepare(p0))
    order = dec.sample(priority_values(p0, "LFT"), 1.0, 1.0, True)
    dec.serial(order)
    first_call = time.perf_counter() - t0
    total_s, total_n, loop_s = 0.0, 0, 0.0
    for path in files:
        p = schedopt.read(path)
        a = prepare(p)
        dec = Decoder(a)
        lft = priority_values(p, "LFT")
        K.seed_rng(0)
        lists = np.array([dec.sample(lft, 1.0, 1.0, False) for _ in range(args.speed_lists)])
        mks = np.empty(len(lists), np.int64)
        if path == files[0]:
            t = time.perf_counter()
            K.serial_batch(lists[:1], a.prj, mks[:1])
            batch_first = time.perf_counter() - t
        t = time.perf_counter()
        for _ in range(args.speed_reps):
            K.serial_batch(lists, a.prj, mks)
        total_s += time.perf_counter() - t
        total_n += args.speed_reps * len(lists)
        t = time.perf_counter()
        for order in lists:
            dec.serial(order)
        loop_s += time.perf_counter() - t
    print(f"serial_batch first call (compile or cache load): {batch_first:.2f} s")
    rate = len(files) * args.speed_lists / loop_s
    print(f"python loop over single-schedule kernel calls: {rate:,.0f} schedules/s")
    print(f"first call (import + prepare + compile or cache load): {first_call:.2f} s")
    print(
        f"serial SGS (pure kernel, serial_batch): {total_n} schedules on {len(files)} J30 instances "
        f"in {total_s:.2f} s = {total_n / total_s:,.0f} schedules/s (one core)"
    )


def summary(paths: list[str]) -> None:
    import pandas as pd

    df = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    df["options"] = df["options"].fillna("")
    df["bks_cpm_pct"] = 100 * (df["best_ub"] - df["cpm"]) / df["cpm"]
    g = df.groupby(["set", "method", "options", "time_limit", "workers"], dropna=False)
    rows = g.agg(
        n=("instance", "count"),
        proven_opt=("proven_opt", "sum"),
        dev_bks_pct=("dev_bks_pct", "mean"),
        dev_cpm_pct=("dev_cpm_pct", "mean"),
        bks_cpm_pct=("bks_cpm_pct", "mean"),
        mean_time_s=("time_s", "mean"),
        max_time_s=("time_s", "max"),
        sched_per_s=("schedules_per_s", "mean"),
        check_ok=("check_ok", "sum"),
    ).reset_index()
    cols = list(rows.columns)
    print("| " + " | ".join(cols) + " |")
    print("|" + "---|" * len(cols))
    for rec in rows.itertuples(index=False):
        cells = [f"{v:.3f}" if isinstance(v, float) else str(v) for v in rec]
        print("| " + " | ".join(cells) + " |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="j30", choices=["j30", "j60", "j90", "j120"])
    ap.add_argument("--method", default="ga", choices=["sgs", "ga", "cpsat", "mip"])
    ap.add_argument("--per-group", type=int, default=0, help="instances per parameter group (0 = all 10)")
    ap.add_argument("--every-group", type=int, default=1, help="keep every k-th parameter group")
    ap.add_argument("--schedules", type=int, default=5000)
    ap.add_argument("--time-limit", type=float, default=None)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--mip-solver", default="highs", choices=["highs", "cbc"])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default="results.csv")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("--speed-instances", type=int, default=48)
    ap.add_argument("--speed-lists", type=int, default=200)
    ap.add_argument("--speed-reps", type=int, default=20)
    ap.add_argument("--summary", nargs="*")
    args = ap.parse_args(argv)
    print(
        f"# {platform.node()} {platform.processor() or platform.machine()} cores={os.cpu_count()} "
        f"python={sys.version.split()[0]} {time.strftime('%Y-%m-%d %H:%M:%S %Z')}",
        file=sys.stderr,
    )
    if args.speed:
        speed(args)
    elif args.summary is not None:
        summary(args.summary)
    else:
        run(args)


if __name__ == "__main__":
    main()
