"""The time-indexed decision model alone: "makespan <= best known UB - 1?" on hard PSPLIB instances.

Usage (appends one CSV row per instance, so an interrupted run keeps its rows)::

    python benchmarks/rcpsp/decision.py OUT.csv [--time-limit 60] [--workers 2] [--instances j3029_3,...]
        [--cpsat-param linearization_level=1 ...]

Default instances: the J30 instances CP-SAT's interval model needed more than 3 s for and the J60
sample instances it needed more than 0.5 s for or left unproven, in a run of 2026-11-28 (its file is in
the git history of ``benchmarks/rcpsp``). ``benchmarks/rcpsp/RESULTS.md`` states the instances of each
current figure. For an instance whose best-known UB is optimal, "infeasible" is the
proof of optimality that :func:`schedopt.families.rcpsp.exact.prove_by_time_index` would give.
Every schedule found is re-checked with ``schedopt.check``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import run as R  # sets SCHEDOPT_DATA when it can guess it

import schedopt
from schedopt.families.rcpsp.timeindexed import DECISION_PARAMETERS, decide_makespan

DEFAULT = [
    "j309_2",
    "j3013_1",
    "j3013_2",
    "j3013_3",
    "j3013_5",
    "j3013_6",
    "j3013_7",
    "j3013_8",
    "j3029_3",
    "j3029_4",
    "j3029_6",
    "j3029_8",
    "j3029_9",
    "j3045_2",
    "j3045_6",
    "j605_1",
    "j6021_1",
    "j6037_1",
    "j6041_1",
    "j609_1",
    "j6025_1",
    "j6029_1",
    "j6045_1",
]
FIELDS = [
    "instance",
    "best_lb",
    "best_ub",
    "makespan_at_most",
    "parameters",
    "status",
    "literals",
    "conflicts",
    "time_s",
]


def parse_parameter(text: str) -> tuple[str, int | float | bool]:
    """``name=value`` -> ``(name, value)``, the value read as a bool, int or float."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"--cpsat-param wants NAME=VALUE, got {text!r}")
    if value.lower() in ("true", "false"):
        return name, value.lower() == "true"
    try:
        return name, int(value)
    except ValueError:
        try:
            return name, float(value)
        except ValueError:
            msg = f"--cpsat-param {name}: {value!r} is not a number or bool"
            raise argparse.ArgumentTypeError(msg) from None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--instances", default=",".join(DEFAULT), help="comma-separated PSPLIB names")
    ap.add_argument(
        "--cpsat-param",
        type=parse_parameter,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="CP-SAT parameter on top of timeindexed.DECISION_PARAMETERS (repeatable)",
    )
    args = ap.parse_args()
    ref = R.reference()
    names = [n for n in args.instances.split(",") if n]
    unknown = [n for n in names if n not in ref]
    if unknown:
        sys.exit(f"decision.py: not in psplib/values/reference.csv: {', '.join(unknown)}")
    params = dict(args.cpsat_param)
    label = ";".join(f"{k}={v}" for k, v in {**DECISION_PARAMETERS, **params}.items())
    new = not Path(args.out).exists()
    if not new:
        with open(args.out, newline="") as fh:
            header = next(csv.reader(fh), [])
        if header != FIELDS:
            sys.exit(f"decision.py: {args.out} has columns {header}, expected {FIELDS}; write to a new file")
    with open(args.out, "a", newline="") as out:
        writer = csv.writer(out)
        if new:
            writer.writerow(FIELDS)
        for name in names:
            folder = "j120" if name.startswith("j120") else name[:3]  # j3013_2 -> j30
            problem = schedopt.read(R.data_dir() / "psplib" / folder / f"{name}.sm")
            lb, ub = int(ref[name]["best_lb"]), int(ref[name]["best_ub"])
            try:
                d = decide_makespan(
                    problem, ub - 1, time_limit=args.time_limit, workers=args.workers, parameters=params
                )
            except ValueError as exc:  # a wrong --cpsat-param
                sys.exit(f"decision.py: {exc}")
            if d.schedule is not None:
                assert schedopt.check(problem, d.schedule) == [] and d.schedule.makespan < ub
            found = [d.status, d.info.get("literals"), d.info.get("conflicts"), round(d.seconds, 2)]
            row = [name, lb, ub, ub - 1, label, *found]
            writer.writerow(row)
            out.flush()
            print(*row, flush=True)


if __name__ == "__main__":
    main()
