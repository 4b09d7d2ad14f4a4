"""Start-up costs: ``import schedopt`` and the first-install compile of the numba kernels.

    python benchmarks/core/startup.py [--imports 20] [--old-tree DIR] [--out benchmarks/core]

* ``import schedopt`` in ``--imports`` fresh processes (median, min, max wall time), and
  which heavy packages it loads (none should be: OR-Tools, numba, pandas, networkx, ...
  load when first used).
* numba compile time on a fresh install: each warm-up in its own process with an empty
  ``NUMBA_CACHE_DIR`` (cold), then again in a new process on the filled cache (warm).
  The warm-ups are what runs compile: all kernels (``schedopt.warm_up()``), one family, or
  one method of a family (``schedopt bench`` compiles only what its runs use).
* ``--old-tree DIR``: a checkout of an older schedopt (e.g. ``git worktree add /tmp/old
  f984412``) whose full ``warm_up()`` is timed the same way in the same run, for the ratio.

Writes ``startup.csv`` and its section of ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _sections import write_section

HEAVY = ("ortools", "numba", "pandas", "pulp", "scipy", "matplotlib", "networkx", "psplib")
REPO = Path(__file__).resolve().parents[2]


def _python(code: str, env: dict[str, str] | None = None, cwd: Path = REPO) -> str:
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=cwd, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def import_times(n: int) -> tuple[list[float], list[str]]:
    code = (
        "import time, sys; t = time.perf_counter(); import schedopt; "
        f"print(time.perf_counter() - t, ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    times, loaded = [], set()
    for _ in range(n):
        t, _, mods = _python(code).partition(" ")
        times.append(float(t))
        loaded.update(filter(None, mods.split(",")))
    return times, sorted(loaded)


def compile_time(call: str, tree: Path) -> tuple[float, float]:
    """(cold, warm) seconds of ``call`` (a ``schedopt.warm_up(...)`` expression) in fresh processes."""
    code = f"import time, schedopt; t = time.perf_counter(); {call}; print(time.perf_counter() - t)"
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache, "PYTHONPATH": str(tree)}
        cold = float(_python(code, env, cwd=tree))
        warm = float(_python(code, env, cwd=tree))
    return cold, warm


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--imports", type=int, default=20)
    ap.add_argument("--old-tree", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = ap.parse_args()

    times, loaded = import_times(args.imports)
    stats = {"median": statistics.median(times), "min": min(times), "max": max(times)}
    rows = [
        {"what": f"import schedopt ({k})", "tree": "current", "seconds": round(v, 3)}
        for k, v in stats.items()
    ]
    print(rows[0], "heavy packages loaded:", loaded or "none")
    calls = {
        "warm_up() (all kernels)": "schedopt.warm_up()",
        "warm_up('rcpsp')": "schedopt.warm_up('rcpsp')",
        "warm_up('smtt')": "schedopt.warm_up('smtt')",
        "warm_up('rcpsp', methods=['sgs'])": "schedopt.warm_up('rcpsp', methods=['sgs'])",
        "warm_up('smtt', methods=['edd'])": "schedopt.warm_up('smtt', methods=['edd'])",
    }
    trees = [("current", REPO)] + ([("old", args.old_tree.resolve())] if args.old_tree else [])
    for tree_name, tree in trees:
        for label, call in calls.items():
            if tree_name == "old" and label != "warm_up() (all kernels)":
                continue
            cold, warm = compile_time(call, tree)
            for kind, secs in (("cold cache", cold), ("warm cache", warm)):
                rows.append({"what": f"{label}, {kind}", "tree": tree_name, "seconds": round(secs, 2)})
                print(rows[-1])
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "startup.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    old = f" --old-tree {args.old_tree}" if args.old_tree else ""
    lines = [
        "## Start-up: import time and numba compile time",
        "",
        f"- command: `python benchmarks/core/startup.py --imports {args.imports}{old}`",
        "- file: `startup.csv` (every figure below; written by the same command)",
        f"- date: {dt.date.today()}; machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average at the end {os.getloadavg()[0]:.1f} "
        "(shared machine: wall times)",
        f"- heavy packages loaded by `import schedopt`: {', '.join(loaded) or 'none'} "
        f"(checked: {', '.join(HEAVY)})",
        "",
        "| what | tree | seconds |",
        "|---|---|---|",
        *(f"| {r['what']} | {r['tree']} | {r['seconds']} |" for r in rows),
        "",
        "Cold cache: a fresh `NUMBA_CACHE_DIR`, as on a first install; warm cache: a new process",
        "on the cache the cold run filled (what every later process pays).",
        "",
        "`import schedopt` loads no solver stack: OR-Tools, numba, pandas and networkx load when first",
        "used (the first solve in a process pays their import). `schedopt bench` warms up only what",
        "its runs use (`schedopt.warmup.warm_up_for`): an `sgs`-only RCPSP run compiles the `sgs`",
        "kernels, not the GA's; a `cpsat` run on RCPSP warms the whole family (its strengthening runs",
        "the GA). The single-machine `ils` recompiles some kernels in every new process (the warm-cache",
        "rows of `smtt`; the old tree does the same): not fixed here.",
    ]
    write_section(args.out / "RESULTS.md", "startup", lines)


if __name__ == "__main__":
    main()
