"""Side by side: CP-SAT (2 workers, 60 s) on J120 with two budgets for the hook's GA.

Usage (appends one CSV row per instance and configuration, so an interrupted run keeps its rows)::

    python benchmarks/rcpsp/heuristic_budget.py \
        '{"big": {"rcpsp_heuristic_schedules": 1000000, "rcpsp_heuristic_share": 0.5}}' \
        OUT.csv [EVERY]

Instances: instance 1 of every EVERY-th J120 parameter group (default 10: 6 instances, all with
RS = 0.1; EVERY = 6 gives 10 instances covering every RS). Every schedule is re-checked.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import run as R  # sets SCHEDOPT_DATA when it can guess it

import schedopt

FIELDS = ["instance", "config", "status", "objective", "bound", "best_ub", "dev_bks_pct", "time_s"]


def main(configs: dict[str, dict], out_path: str, every: int = 10) -> None:
    ref = R.reference()
    new = not Path(out_path).exists()
    with open(out_path, "a", newline="") as out:
        writer = csv.writer(out)
        if new:
            writer.writerow(FIELDS)
        for path in R.instances("j120", 1, every):
            problem = schedopt.read(path)
            for label, options in configs.items():
                r = schedopt.solve(problem, method="cpsat", time_limit=60, workers=2, **options)
                assert schedopt.check(problem, r.schedule) == []
                ub = int(ref[problem.name]["best_ub"])
                dev = round(100 * (r.objective - ub) / ub, 3)
                row = [problem.name, label, r.status, r.objective, r.bound, ub, dev, round(r.time, 2)]
                writer.writerow(row)
                out.flush()
                print(*row, flush=True)


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: heuristic_budget.py '{\"label\": {options}, ...}' OUT.csv [EVERY]")
    if len(sys.argv) == 4 and not (sys.argv[3].isdigit() and int(sys.argv[3]) > 0):
        sys.exit(f"heuristic_budget.py: EVERY must be a positive integer, got {sys.argv[3]!r}")
    try:
        configs = json.loads(sys.argv[1])
    except json.JSONDecodeError as exc:
        sys.exit(f"heuristic_budget.py: the configurations argument is not JSON: {exc}")
    if not isinstance(configs, dict) or not all(isinstance(v, dict) for v in configs.values()):
        sys.exit("heuristic_budget.py: configurations must map a label to a dict of solve options")
    main(configs, sys.argv[2], int(sys.argv[3]) if len(sys.argv) == 4 else 10)
