"""Interleaved A/B of ``solve_ga`` (5,000 schedules, seed 0): an older checkout against this one.

Two worker processes, one importing ``schedopt`` from the old checkout and
one from this tree, receive the same PSPLIB instances in alternating order
(old first on even instances, new first on odd ones), so that the load of a
shared machine hits both alike. Each worker times ``solve_ga`` alone (not the
parsing) after a warm-up call; the driver checks that the makespans and the
numbers of schedules agree instance by instance and prints the time ratio.

    git worktree add /tmp/old <commit before the change>
    python benchmarks/rcpsp/bundles_ga_ab.py --old /tmp/old j30 j60
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()


def worker(first: str, budget: int) -> None:
    """Read instance paths from stdin; print ``makespan schedules seconds`` per instance."""
    import schedopt
    from schedopt.families.rcpsp.heuristics import solve_ga

    solve_ga(schedopt.read(first), max_schedules=200)  # compile or load the kernels from the cache
    print("ready", flush=True)
    for line in sys.stdin:
        problem = schedopt.read(line.strip())
        t = time.perf_counter()
        r = solve_ga(problem, max_schedules=budget, seed=0)
        dt = time.perf_counter() - t
        print(f"{r.schedule.makespan} {r.info['schedules']} {dt:.6f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("sets", nargs="+", choices=["j30", "j60", "j90", "j120"])
    ap.add_argument("--old", type=Path, help="root of the old checkout (its schedopt package is imported)")
    ap.add_argument("--schedules", type=int, default=5000)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    sys.path.insert(0, str(HERE.parent))
    import run as bench  # benchmarks/rcpsp/run.py: instance lists (sets SCHEDOPT_DATA if unset)

    if args.worker:
        worker(str(bench.instances(args.sets[0], 1, 1)[0]), args.schedules)
        return
    roots = {"old": args.old.resolve(), "new": HERE.parents[2]}
    procs = {}
    for which, root in roots.items():
        cmd = [sys.executable, str(HERE), args.sets[0], "--worker", "--schedules", str(args.schedules)]
        env = dict(os.environ, PYTHONPATH=str(root))
        procs[which] = subprocess.Popen(
            cmd, cwd=root, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        if procs[which].stdout.readline().strip() != "ready":
            raise SystemExit(f"{which} worker failed to start")

    def solve(which: str, path: Path) -> tuple[int, int, float]:
        proc = procs[which]
        proc.stdin.write(f"{path}\n")
        proc.stdin.flush()
        mk, schedules, seconds = proc.stdout.readline().split()
        return int(mk), int(schedules), float(seconds)

    for set_name in args.sets:
        files = bench.instances(set_name, 0, 1)
        total = {"old": 0.0, "new": 0.0}
        schedules = same = 0
        for i, path in enumerate(files):
            order = ("old", "new") if i % 2 == 0 else ("new", "old")
            res = {which: solve(which, path) for which in order}
            same += res["old"][:2] == res["new"][:2]
            schedules += res["new"][1]
            for which in order:
                total[which] += res[which][2]
        print(
            f"{set_name}: {len(files)} instances, makespan and schedules identical on {same}; "
            f"old {total['old']:.2f} s ({schedules / total['old']:,.0f} schedules/s), "
            f"new {total['new']:.2f} s ({schedules / total['new']:,.0f} schedules/s); "
            f"new/old time {total['new'] / total['old']:.3f}",
            flush=True,
        )
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()


if __name__ == "__main__":
    main()
