"""Goodput at the heaviest load with a GQA model: does the planner matter more when KV is cheap?

The load part of ``run.py`` uses Llama-2-7B (512 KiB of KV per token, as the Past-Future artifact).
This check repeats its heaviest setting (N = 100 closed-loop clients, the 10 s SLA abort,
context-window output caps) with Llama-3-8B (GQA, 128 KiB per token) and the same 120,000-token
pool on one A100-80, where a step's time depends less on the KV held.

    python benchmarks/serving/gqa_check.py     # writes results/gqa_check.csv and prints a table
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parent))

from _common import append_row, machine_info, now, read_rows  # noqa: E402

from schedopt.serving import SLA, serve, summarize  # noqa: E402
from schedopt.serving.workloads import ClosedLoop  # noqa: E402

MODEL, GPU, KV, CLIENTS, DURATION = "llama-3-8b", "A100-80", 120_000, 100, 1800.0
ENGINE = {"admission_interval": 2, "max_prefill_tokens_per_round": 18_000, "abort_waiting_after": 10.0}
LENGTHS = ("dist-1@ctx18000", "dist-2@ctx18000", "dist-3@ctx18000", "sharegpt@ctx8192")
PLANNERS = ("aggressive", "conservative", "past-future", "oracle")
FIELDS = ["lengths", "planner", "seed", "model", "clients", "goodput", "sla_attainment", "aborted", "date"]


def main() -> None:
    path = HERE / "results" / "gqa_check.csv"
    done = {(r["lengths"], r["planner"], int(r["seed"])) for r in read_rows(path)}
    print(f"machine: {machine_info()}; {now()}", flush=True)
    for lengths in LENGTHS:
        for seed in range(3):
            for planner in PLANNERS:
                if (lengths, planner, seed) in done:
                    continue
                res = serve(ClosedLoop(lengths, CLIENTS, 100_000), model=MODEL, gpu=GPU, planner=planner,
                            kv_capacity_tokens=KV, engine=ENGINE, seed=seed, max_time=DURATION)  # fmt: skip
                m = summarize(res, SLA(10.0, 1.5))
                row = {
                    "lengths": lengths,
                    "planner": planner,
                    "seed": seed,
                    "model": MODEL,
                    "clients": CLIENTS,
                    "goodput": round(m.goodput, 1),
                    "sla_attainment": round(m.sla_attainment, 4),
                    "aborted": m.aborted,
                    "date": now(),
                }
                append_row(path, FIELDS, row)
    rows = read_rows(path)
    print("| lengths | aggressive | conservative | past-future | oracle | ratio |\n|---|---|---|---|---|---|")
    for lengths in LENGTHS:
        mean = {
            p: sum(float(r["goodput"]) for r in rows if r["lengths"] == lengths and r["planner"] == p) / 3
            for p in PLANNERS
        }
        ratio = mean["past-future"] / max(mean["aggressive"], mean["conservative"])
        cells = " | ".join(f"{mean[p]:.0f}" for p in PLANNERS)
        print(f"| {lengths} | {cells} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
