"""Goodput at the heaviest load under the Past-Future artifact's own client protocol (issue 24).

The ``load`` part of ``run.py`` runs each closed loop for a fixed simulated time and drops the
requests that fail. The artifact's client (``WuSiYu/lightllm-ae``,
``benchmark_serving_overload_*.py --re-adding-failed-reqs``; docs ``llm_serving.md`` §1.5-1.6) does
otherwise: N client threads take prompts from one queue of ``--num-prompts`` (500 for Dist-1/2/3); a
request the server dropped (waited longer than the TTFT bound) or that finished outside the SLA
(TTFT > 10 s or a gap > 1.5 s) goes back to the tail of the queue; the run ends when every prompt has
succeeded, and goodput is the tokens of the 500 prompts over that time. This script runs that
protocol at its heaviest load (N = 100) with
:class:`~schedopt.serving.workloads.ClosedLoop` ``(lengths, 100, 500, resubmit=SLA(10, 1.5))``::

    python benchmarks/serving/heavy.py            # runs what results/heavy.csv lacks, rewrites its section
    python benchmarks/serving/heavy.py --report   # only rewrite the section of RESULTS.md
    python benchmarks/serving/heavy.py --smoke    # toy size into a temporary folder

Setting: the AE's 7B server (one GPU, a 120,000-token KV pool, an admission round every 2 steps,
at most 18,000 prompt tokens per round) on one A100-80 for the roofline step times. Waiting requests
are dropped after ``--abort`` s: 8 as the artifact's 7B servers (they pass no
``--router_sla_abort_ttft``, whose LightLLM-AE default is 8 s, "10 - 2 (prefill time)"), and 10 (the
SLA bound itself) as a second setting. Prefill: prefill-first as the artifact's LightLLM (no
splitfuse), and chunked under an 8,192-token step budget (vLLM V1). Models: Llama-2-7B (the AE's;
MHA, 512 KiB of KV per token) and Llama-3-8B (GQA, 128 KiB; the issue's CLI example). Output caps
(``max_new_tokens``: what conservative reserves and past-future's sampler reaches to):
``dist-N@exact``, each request's true length (the artifact's client sends ``max_new_tokens`` = the
dataset length with ``ignore_eos``, docs §1.6); ``dist-N``, the mix's bound (4,096 / 5,000 / 4,096,
as the artifact's CPU simulator); ``dist-N@ctx18000``, ``18,000 - prompt`` (a client that sets no
cap, on the AE server's ``max_req_total_len``).

Planners: ``aggressive``, ``conservative``, ``oracle`` and ``past-future`` with the library defaults,
and ``past-future-ae`` with the AE *server's* constants (window 40, prior 6,000 =
``max_req_total_len - max_req_input_len`` filling half the window, reserve 0.05; docs §1.3-1.4),
fixed from the docs before any run. Seeds 0, 1, 2. A run stops at ``MAX_TIME`` simulated seconds
if prompts are still pending (reported as ``pending``).

The artifact's conservative and past-future servers admit at most one request per round while its
aggressive server has no such limit: the variants ``conservative-one`` and ``past-future-ae-one`` add
that limit (``--variants``; not in the default grid, reported in a table of their own). A running
request that broke the SLA decodes to its end, as with the artifact's aggressive server (its
running-request SLA abort is disabled in ``router/manager.py``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parent))

from _common import append_row, load_avg, machine_info, mean_span, now, read_rows  # noqa: E402

from schedopt.serving.metrics import SLA, SLA_TOLERANCE, summarize  # noqa: E402
from schedopt.serving.scenario import serve  # noqa: E402
from schedopt.serving.workloads import ClosedLoop  # noqa: E402

RESULTS = HERE / "RESULTS.md"
DEFAULT_OUT = HERE / "results"
GPU, KV, CLIENTS, PROMPTS, MAX_TIME = "A100-80", 120_000, 100, 500, 30_000.0
ENGINE = {"admission_interval": 2, "max_prefill_tokens_per_round": 18_000}
SLA_AE = SLA(ttft=10.0, max_gap=1.5)
MODELS = ("llama-2-7b", "llama-3-8b")
LENGTHS = tuple(f"dist-{k}{cap}" for cap in ("@exact", "", "@ctx18000") for k in (1, 2, 3))
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "aggressive": ("aggressive", {}),
    "conservative": ("conservative", {}),
    "past-future": ("past-future", {}),
    "past-future-ae": ("past-future", {"window": 40, "prior_tokens": 6000, "reserve": 0.05}),
    "oracle": ("oracle", {}),
}
#: The artifact's conservative and past-future *servers* also admit at most one request per round
#: (its aggressive server has no limit): these variants add that engine limit (``--variants``; not
#: in the default grid). Reported apart, against ``aggressive`` and ``conservative-one``.
ONE_PER_ROUND: dict[str, tuple[str, dict[str, Any]]] = {
    "conservative-one": VARIANTS["conservative"],
    "past-future-ae-one": VARIANTS["past-future-ae"],
}
BASELINES = ("aggressive", "conservative")
PREFILL_MODES = {
    "first": "prefill-first (the AE's LightLLM without splitfuse)",
    "chunked": "chunked prefill (8,192-token steps, decodes first)",
}
FIELDS = [
    "abort_after", "prefill", "model", "lengths", "variant", "seed", "clients", "prompts", "goodput", "good",
    "finished", "aborted", "failed_ttft", "failed_gap", "given_up", "pending", "evictions_per_request",
    "makespan_s", "wall_s", "date",
]  # fmt: skip


def run_one(
    abort_after: float, prefill: str, model: str, lengths: str, variant: str, seed: int, prompts: int
) -> dict:
    """One AE-protocol run: ``prompts`` prompts of ``lengths`` through ``CLIENTS`` resubmitting clients;
    ``prefill`` is ``"chunked"`` (vLLM V1 / Sarathi) or ``"first"`` (the AE's LightLLM)."""
    planner, options = {**VARIANTS, **ONE_PER_ROUND}[variant]
    limit = {"max_admit_per_round": 1} if variant in ONE_PER_ROUND else {}
    work = ClosedLoop(lengths, CLIENTS, prompts, resubmit=SLA_AE)
    res = serve(
        work,
        model=model,
        gpu=GPU,
        planner=planner,
        planner_options=options,
        kv_capacity_tokens=KV,
        engine={
            **ENGINE,
            **limit,
            "abort_waiting_after": abort_after,
            "chunked_prefill": prefill == "chunked",
        },
        seed=seed,
        max_time=MAX_TIME,
    )
    m = summarize(res, SLA_AE)
    ttft = np.array([r.ttft for r in res.records])
    gap = np.array([r.max_gap for r in res.records])
    tol = SLA_TOLERANCE
    return {
        "abort_after": abort_after,
        "prefill": prefill,
        "model": model,
        "lengths": lengths,
        "variant": variant,
        "seed": seed,
        "clients": CLIENTS,
        "prompts": prompts,
        "goodput": round(m.goodput, 2),
        "good": m.good,
        "finished": m.finished,
        "aborted": len(res.aborted),
        "failed_ttft": int((ttft > SLA_AE.ttft + tol).sum()),
        "failed_gap": int(((ttft <= SLA_AE.ttft + tol) & (gap > SLA_AE.max_gap + tol)).sum()),
        "given_up": len(work.given_up),
        "pending": prompts - m.good - len(work.given_up),
        "evictions_per_request": round(m.evictions_per_request, 4),
        "makespan_s": round(m.makespan, 2),
        "wall_s": round(res.wall_time, 2),
        "date": now(),
    }


def run(a: argparse.Namespace, out: Path) -> int:
    """Run the missing (abort, model, lengths, variant, seed) cells, ``a.jobs`` at a time; each row is
    appended as soon as it is done (an interrupted run resumes)."""
    path = out / "heavy.csv"
    keys = ("prefill", "model", "lengths", "variant")
    done = {
        (float(r["abort_after"]), *(r[k] for k in keys), int(r["seed"]), int(r["prompts"]))
        for r in read_rows(path)
    }
    todo = [
        (abort, prefill, model, lengths, variant, seed, a.prompts)
        for abort in a.abort
        for prefill in a.prefill
        for model in a.models
        for lengths in a.lengths
        for seed in range(a.seeds)
        for variant in a.variants
        if (abort, prefill, model, lengths, variant, seed, a.prompts) not in done
    ]
    print(f"{len(todo)} runs to do ({len(done)} in {path}); machine: {machine_info()}", flush=True)
    runs = 0
    try:
        for row in _results(todo, a.jobs):
            append_row(path, FIELDS, row)
            runs += 1
            print(
                f"[{runs}/{len(todo)}] abort {row['abort_after']:g} prefill {row['prefill']} "
                f"{row['model']} {row['lengths']} "
                f"{row['variant']} seed {row['seed']}: goodput {row['goodput']:.0f} tok/s, "
                f"{row['finished']} finished for {row['good']} good, pending {row['pending']} "
                f"({row['wall_s']:.1f} s wall)",
                flush=True,
            )
    except KeyboardInterrupt:
        print(f"interrupted: {runs} runs kept in {path}; run again to resume", file=sys.stderr)
        raise SystemExit(130) from None
    return runs


def _ignore_sigint() -> None:
    """Workers leave Ctrl-C to the parent, which reports what was kept in one line."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _results(todo: list[tuple], jobs: int):
    """The rows of the ``todo`` runs as they finish (in this process when ``jobs == 1``)."""
    if jobs <= 1:
        for job in todo:
            yield run_one(*job)
        return
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)
    try:
        for fut in as_completed([pool.submit(run_one, *job) for job in todo]):
            yield fut.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _ratio(mean: dict[str, float], variant: str) -> float:
    """Mean goodput of ``variant`` over the better mean of the two baselines (``nan`` if one is absent)."""
    base = [mean.get(b, math.nan) for b in BASELINES]
    if any(math.isnan(x) for x in base) or math.isnan(mean.get(variant, math.nan)):
        return math.nan
    return mean[variant] / max(base)


def _ratio_text(r: float) -> str:
    return "–" if math.isnan(r) else (f"**{r:.2f}**" if r >= 1.5 else f"{r:.2f}")


def report_lines(out: Path) -> list[str]:
    """The RESULTS.md section: per (abort, prefill mode, model, prompts), a row per length mix."""
    import pandas as pd

    path = out / "heavy.csv"
    lines = ["## Goodput at the heaviest load: the artifact's client protocol", ""]
    meta_path = out / "heavy_meta.json"
    if meta_path.exists():
        lines += [f"- {k}: {v}" for k, v in json.loads(meta_path.read_text()).items()]
    if not path.exists():
        return [*lines, "", "No `heavy.csv` yet: run `python benchmarks/serving/heavy.py`.", ""]
    full = pd.read_csv(path)
    df, one = full[full.variant.isin(list(VARIANTS))], full[full.variant.isin(list(ONE_PER_ROUND))]
    lines += [
        f"- data: `results/heavy.csv` ({len(full)} runs); N = {CLIENTS} clients resubmitting failed "
        f"requests until each prompt succeeded; {GPU}, KV {KV:,} tokens, engine {ENGINE} + the drop time; "
        "SLA TTFT <= 10 s, max gap <= 1.5 s",
        "- caps: `dist-N@exact` = each request's true length (the artifact client: `max_new_tokens` = "
        "the dataset length); `dist-N` = the mix's bound (4,096 / 5,000 / 4,096); `dist-N@ctx18000` = "
        "`18,000 - prompt` (a client that sets no cap, an 18,000-token window)",
        "- goodput = tokens (prompt + output) of the prompts / time until the last succeeded, tok/s: mean "
        "over seeds (min–max); ratio = mean goodput / the better mean of aggressive and conservative "
        "(bold when >= 1.5); waste = finishes that failed the SLA (TTFT > 10 s / gap > 1.5 s) per prompt, "
        "mean over seeds; given up / pending = prompts given up after 100 failed finishes / not done at "
        f"{MAX_TIME:,.0f} simulated s, summed over seeds and planners (a cell with either is marked †: its "
        "goodput is not the protocol's)",
        "",
    ]
    variants = list(VARIANTS)
    order = {m: i for i, m in enumerate(PREFILL_MODES)}
    groups = sorted(
        df.groupby(["abort_after", "prefill", "model", "prompts"]),
        key=lambda kv: (kv[0][0], order.get(kv[0][1], 99), kv[0][2], kv[0][3]),
    )
    for (abort, prefill, model, prompts), part in groups:
        mode = PREFILL_MODES.get(prefill, prefill)
        lines += [f"### {model}, {mode}, waiting requests dropped after {abort:g} s, {prompts} prompts", ""]
        lines += [
            f"| lengths | {' | '.join(variants)} | past-future ratio | past-future-ae ratio | oracle ratio | "
            "waste (TTFT/gap) agg · cons · pf · pf-ae · oracle | given up / pending |",
            "|---|" + "---|" * (len(variants) + 5),
        ]
        known = [x for x in LENGTHS if x in set(part.lengths)]
        for lengths in known + sorted(set(part.lengths) - set(known)):
            cell = part[part.lengths == lengths]
            mean: dict[str, float] = {}
            cells, waste = [], []
            for v in variants:
                g = cell[cell.variant == v]
                if not len(g):
                    cells.append("–")
                    waste.append("–")
                    continue
                mean[v] = float(g.goodput.mean())
                cells.append(mean_span(g.goodput.to_numpy(), nd=0))
                per = 1.0 / g.prompts.to_numpy()
                waste.append(f"{(g.failed_ttft * per).mean():.2f}/{(g.failed_gap * per).mean():.2f}")
            given_up, pending = int(cell.given_up.sum()), int(cell.pending.sum())
            mark = " †" if given_up or pending else ""
            ratios = " | ".join(
                _ratio_text(_ratio(mean, v)) for v in ("past-future", "past-future-ae", "oracle")
            )
            lines.append(
                f"| {lengths}{mark} | {' | '.join(cells)} | {ratios} | {' · '.join(waste)} | "
                f"{given_up} / {pending} |"
            )
        lines.append("")
    return lines + _one_per_round_lines(one, full)


def _one_per_round_lines(one: Any, df: Any) -> list[str]:
    """The subsection of the artifact's per-server admission limit: past-future-ae-one over the better
    of aggressive (no limit) and conservative-one, beside the same cell without the limit."""
    if not len(one):
        return []
    lines = [
        "### The artifact's admission limits: one request per round for conservative and past-future",
        "",
        "Its conservative and past-future servers admit at most one request per admission round, its "
        "aggressive server any number; ratio = past-future-ae-one / the better of aggressive and "
        "conservative-one (means over seeds), beside the ratio without the limit (past-future-ae / the "
        "better of aggressive and conservative).",
        "",
        "| drop (s) | prefill | model | lengths | aggressive | conservative-one | past-future-ae-one | ratio "
        "with the limit | ratio without |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    keys = ["abort_after", "prefill", "model", "prompts", "lengths"]
    for key, _ in one.groupby(keys, sort=True):
        same = df
        for k, v in zip(keys, key, strict=True):
            same = same[same[k] == v]
        mean = {v: float(g.goodput.mean()) for v, g in same.groupby("variant")}
        limited = {"aggressive": mean.get("aggressive", math.nan)}
        limited["conservative"] = mean.get("conservative-one", math.nan)
        limited["x"] = mean.get("past-future-ae-one", math.nan)
        spans = [
            mean_span(same[same.variant == v].goodput.to_numpy(), nd=0) if v in mean else "–"
            for v in ("aggressive", "conservative-one", "past-future-ae-one")
        ]
        abort, prefill, model, _, lengths = key
        lines.append(
            f"| {abort:g} | {prefill} | {model} | {lengths} | {' | '.join(spans)} | "
            f"{_ratio_text(_ratio(limited, 'x'))} | {_ratio_text(_ratio(mean, 'past-future-ae'))} |"
        )
    return [*lines, ""]


def write_report(out: Path, results: Path) -> None:
    sys.path.insert(0, str(HERE.parent / "core"))
    from _sections import write_section

    write_section(results, "serving-heavy", report_lines(out))


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--report", action="store_true", help="only rewrite the section of RESULTS.md")
    ap.add_argument("--smoke", action="store_true", help="toy size into a temporary folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of heavy.csv")
    ap.add_argument(
        "--abort",
        type=float,
        nargs="+",
        default=[8.0, 10.0],
        help="seconds before a waiting request is dropped (8: the artifact's 7B servers; 10: the SLA bound)",
    )
    ap.add_argument("--prefill", nargs="+", default=list(PREFILL_MODES), choices=list(PREFILL_MODES))
    ap.add_argument("--models", nargs="+", default=list(MODELS))
    ap.add_argument("--lengths", nargs="+", default=list(LENGTHS))
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=[*VARIANTS, *ONE_PER_ROUND])
    ap.add_argument("--seeds", type=int, default=3, help="seeds 0..SEEDS-1")
    ap.add_argument("--prompts", type=int, default=PROMPTS, help="prompts per run (the AE: 500)")
    ap.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="runs in parallel")
    return ap


def main(argv: list[str] | None = None) -> None:
    a = parser().parse_args(argv)
    if a.smoke:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            smoke = ["--out", str(out), "--models", "llama-3-8b", "--lengths", "dist-3", "--seeds", "1"]
            main([*smoke, "--prompts", "20", "--jobs", "1", "--variants", "aggressive", "past-future-ae"])
            text = (out / "RESULTS.md").read_text()
            assert "dist-3" in text and "heavy.csv" in text, text
            print("smoke: ok")
        return
    results = RESULTS if a.out == DEFAULT_OUT else a.out / "RESULTS.md"
    if not a.report:
        started, t0 = now(), time.perf_counter()
        runs = run(a, a.out)
        args = " ".join(argv if argv is not None else sys.argv[1:])
        meta = {
            "command (last invocation)": f"`python benchmarks/serving/heavy.py{' ' + args if args else ''}`",
            "date": f"{started} to {now()} ({runs} new runs, {time.perf_counter() - t0:.0f} s wall)",
            "machine": f"{machine_info()}; load average (1/5/15 min) at the end {load_avg()}",
        }
        (a.out / "heavy_meta.json").write_text(json.dumps(meta, indent=1) + "\n")
    write_report(a.out, results)
    print(f"wrote {results}")


if __name__ == "__main__":
    main()
