"""Verification throughput of the LLM-eval harness (parse + schedopt.check) on 30-task instances.

Generates instances (30 tasks, 6 layers, levels 10/20/30, all five variants, both domains), builds
answers of several kinds, and times ``parse_answer`` and ``verify_parsed`` over many repetitions,
single-threaded. Also times instance generation including the confirming CP-SAT run (1 worker).

    python benchmarks/llmeval/run.py --out benchmarks/llmeval/results.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import platform
import time
from pathlib import Path

import numpy as np

from schedopt.llmeval.generator import VARIANTS, GeneratorConfig, generate_instance
from schedopt.llmeval.models import OfflineModel, answer_text, naive_starts
from schedopt.llmeval.parse import TaskIndex, parse_answer
from schedopt.llmeval.verify import verify_parsed


def answers(problem) -> dict[str, str]:
    witness = problem.meta["witness"]
    good = answer_text(problem, witness)
    out = {
        "feasible": good,
        "feasible_in_prose": "Let me think step by step... Final schedule:\n```json\n"
        + json.dumps([{"Task": n, "start_time": s} for n, s in zip(problem.names, witness)], indent=2)
        + "\n```\nAll constraints hold.",
        "naive": answer_text(problem, naive_starts(problem)),
        "corrupt": OfflineModel("corrupt").answer(problem),
        "garbage": OfflineModel("garbage").answer(problem),
    }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="benchmarks/llmeval/results.csv")
    ap.add_argument("--levels", default="10,20,30")
    ap.add_argument("--per-level", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=200, help="verifications per (instance, answer kind)")
    ap.add_argument("--blocks", type=int, default=5, help="timing blocks (the best block is reported too)")
    args = ap.parse_args()

    cfg = GeneratorConfig(n_tasks=30, n_layers=6, cpsat_time_limit=30.0)
    problems = []
    gen_times = []
    for level in [int(x) for x in args.levels.split(",")]:
        for i in range(args.per_level):
            for variant in VARIANTS:
                for domain in ("synthetic", "datacenter"):
                    t0 = time.perf_counter()
                    problems.append(
                        generate_instance(level, variant, seed=0, index=i, domain=domain, config=cfg)
                    )
                    gen_times.append(time.perf_counter() - t0)
    rows = []
    totals: dict[str, list[float]] = {}
    for p in problems:
        index = TaskIndex(p.names)
        for kind, text in answers(p).items():
            # warm-up, then time parse and check separately and together, in `blocks` blocks:
            # the mean is what a loaded machine gives, the best block approximates an idle one
            verify_parsed(p, parse_answer(text, index))
            per = max(1, args.repeat // args.blocks)
            parse_t, check_t, total_t = [], [], []
            for _ in range(args.blocks):
                t0 = time.perf_counter()
                for _ in range(per):
                    parsed = parse_answer(text, index)
                t1 = time.perf_counter()
                for _ in range(per):
                    verdict = verify_parsed(p, parsed)
                t2 = time.perf_counter()
                for _ in range(per):
                    verify_parsed(p, parse_answer(text, index))
                t3 = time.perf_counter()
                parse_t.append((t1 - t0) / per)
                check_t.append((t2 - t1) / per)
                total_t.append((t3 - t2) / per)
            row = {
                "instance": p.name,
                "variant": p.meta["variant"],
                "level": p.meta["level"],
                "kind": kind,
                "parse_us": 1e6 * float(np.mean(parse_t)),
                "check_us": 1e6 * float(np.mean(check_t)),
                "total_us": 1e6 * float(np.mean(total_t)),
                "best_total_us": 1e6 * min(total_t),
                "feasible": verdict.feasible,
                "outcome": verdict.parse_error or ",".join(sorted(verdict.violations)) or "feasible",
            }
            rows.append(row)
            totals.setdefault(kind, []).append(row["total_us"])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    with open(args.out, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}")
    print(f"instances: {len(problems)} (30 tasks), repeat {args.repeat}")
    print(
        f"generation incl. CP-SAT (1 worker): mean {np.mean(gen_times):.3f} s, max {np.max(gen_times):.3f} s"
    )
    print(
        "| answer kind | parse us | check us | parse+check us | answers/s | best-block us | best answers/s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind in totals:
        sel = [r for r in rows if r["kind"] == kind]
        tot = np.mean([r["total_us"] for r in sel])
        parse_us = np.mean([r["parse_us"] for r in sel])
        check_us = np.mean([r["check_us"] for r in sel])
        best = np.mean([r["best_total_us"] for r in sel])
        print(
            f"| {kind} | {parse_us:.1f} | {check_us:.1f} | {tot:.1f} | {1e6 / tot:,.0f} "
            f"| {best:.1f} | {1e6 / best:,.0f} |"
        )
    allt = np.mean([r["total_us"] for r in rows])
    allb = np.mean([r["best_total_us"] for r in rows])
    print(f"| all kinds (equal mix) | | | {allt:.1f} | {1e6 / allt:,.0f} | {allb:.1f} | {1e6 / allb:,.0f} |")


if __name__ == "__main__":
    main()
