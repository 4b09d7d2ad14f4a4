"""Speed of the core: ``schedopt.check`` and ``schedopt.evaluate`` per call.

    python benchmarks/core/run.py [--repeat 2000] [--out benchmarks/core]

Schedules come from CP-SAT (1 worker, 10 s) on the first instance of each PSPLIB set
and on a 500-job OR-style single-machine instance, so the checker sees realistic,
feasible schedules (the common case in benchmarks and LLM evaluation).
Writes ``check_speed.csv`` and ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import time
from pathlib import Path

import numpy as np
from _sections import write_section

import schedopt


def cases() -> list[tuple[str, schedopt.Problem]]:
    out = []
    for s in ("j30", "j60", "j120"):
        path = schedopt.data.data_path("psplib", s, f"{s}1_1.sm")
        if path.exists():
            out.append((path.stem, schedopt.read(path)))
    rng = np.random.default_rng(0)
    p = rng.integers(1, 101, 500)
    d = rng.integers(0, int(p.sum()), 500)
    out.append(("smtt500", schedopt.single_machine(p, d, rng.integers(1, 11, 500))))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()
    rows = []
    for name, problem in cases():
        r = schedopt.solve(problem, method="cpsat", time_limit=10, workers=1)
        s = r.schedule
        assert schedopt.check(problem, s) == []
        for fn_name, fn in (("check", schedopt.check), ("evaluate", schedopt.evaluate)):
            reps = args.repeat if problem.n_jobs < 200 else max(50, args.repeat // 10)
            t0 = time.perf_counter()
            for _ in range(reps):
                fn(problem, s)
            us = (time.perf_counter() - t0) / reps * 1e6
            rows.append(
                {
                    "instance": name,
                    "jobs": problem.n_jobs,
                    "function": fn_name,
                    "us_per_call": round(us, 1),
                    "calls_per_s": round(1e6 / us),
                }
            )
            print(rows[-1])
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "check_speed.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    lines = [
        "## Core speed: check and evaluate",
        "",
        f"- command: `python benchmarks/core/run.py --repeat {args.repeat}`",
        "- file: `check_speed.csv` (every figure below; written by the same command)",
        f"- date: {dt.date.today()}; machine: {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, numpy {np.__version__}",
        f"- load average at the end: {os.getloadavg()[0]:.1f} (the machine is shared; figures are wall time)",
        "",
        "| instance | jobs | function | µs per call | calls per s |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {r['instance']} | {r['jobs']} | {r['function']} | {r['us_per_call']} | {r['calls_per_s']} |"
        for r in rows
    ]
    write_section(args.out / "RESULTS.md", "check-speed", lines)


if __name__ == "__main__":
    main()
