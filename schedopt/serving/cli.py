"""``schedopt serve-sim``: simulate one LLM serving instance from the command line."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .._argparse import HelpFormatter

if TYPE_CHECKING:
    from .metrics import SLA


def _workload(args: argparse.Namespace, sla: SLA):
    from .workloads import ClosedLoop, Poisson, TraceReplay, empirical_lengths, lengths

    if args.rate is not None and args.clients is not None:
        raise ValueError("give --rate (open loop) or --clients (closed loop), not both")
    if args.trace is not None:
        if args.rate is None and args.clients is None:
            return TraceReplay(args.trace, limit=args.requests)
        source = empirical_lengths(args.trace)
    else:
        source = lengths(args.dist)
    n = args.requests if args.requests is not None else 500
    if args.rate is not None:
        return Poisson(source, rate=args.rate, n=n)
    if args.clients is not None:
        retry = {"resubmit": sla} if args.resubmit else {}
        if args.max_failures is not None:
            retry["max_failures"] = args.max_failures
        return ClosedLoop(source, clients=args.clients, n=n, **retry)
    from .workloads import Batch

    return Batch(source, n=n)


def _cmd_serve_sim(args: argparse.Namespace) -> int:
    from .metrics import SLA, records_frame, summarize
    from .scenario import serve

    if args.requests is not None and args.requests < 1:
        raise ValueError(f"--requests must be >= 1, got {args.requests}")
    if args.abort_after is not None and not (math.isfinite(args.abort_after) and args.abort_after > 0):
        raise ValueError(f"--abort-after must be a finite number of seconds > 0, got {args.abort_after}")
    if args.resubmit and args.clients is None:
        raise ValueError("--resubmit needs --clients (it re-sends the prompts of a closed loop)")
    if args.max_failures is not None:
        if not args.resubmit:
            raise ValueError("--max-failures needs --resubmit")
        if args.max_failures < 1:
            raise ValueError(f"--max-failures must be >= 1, got {args.max_failures}")
    sla = SLA(ttft=args.sla_ttft, max_gap=args.sla_gap)  # checked before the simulation runs
    out = Path(args.out) if args.out else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    engine = {
        "block_size": args.block_size,
        "max_batched_tokens": args.max_batched_tokens,
        "max_running": args.max_running,
        "chunked_prefill": not args.prefill_first,
        "preemption": args.preemption,
        "admission_interval": args.admission_interval,
        "record_peak": True,
        "abort_waiting_after": args.abort_after,
    }
    workload = _workload(args, sla)
    result = serve(
        workload,
        model=args.model,
        gpu=args.gpu,
        tp=args.tp,
        planner=args.planner,
        kv_capacity_tokens=args.kv_tokens,
        engine=engine,
        seed=args.seed,
        progress="off" if args.json else None,
    )
    metrics = summarize(result, sla)
    summary = {
        "model": result.config["model"],
        "gpu": result.config["gpu"],
        "tp": args.tp,
        "planner": args.planner,
        "kv_capacity_tokens": result.capacity_tokens,
        "sla": {"ttft": sla.ttft, "max_gap": sla.max_gap},
        "wall_time": result.wall_time,
        "interrupted": bool(result.config.get("interrupted")),
        "abort_after": args.abort_after,
        **metrics.as_dict(),
    }
    if args.resubmit:
        summary["given_up"] = len(workload.given_up)
    written = []
    if out is not None:
        (out / "summary.json").write_text(json.dumps(summary, indent=2, default=float) + "\n")
        records_frame(result.records, sla).to_csv(out / "requests.csv", index=False)
        import pandas as pd

        steps = result.steps
        pd.DataFrame({name: getattr(steps, name) for name in steps.__slots__}).to_csv(
            out / "steps.csv", index=False
        )
        written = ["summary.json", "requests.csv", "steps.csv"]
        if not args.no_plot:
            import matplotlib

            matplotlib.use("Agg")
            from .plots import plot_kv

            ax = plot_kv(result)
            ax.figure.savefig(out / "kv.png", dpi=120, bbox_inches="tight")
            written.append("kv.png")
    if args.json:
        print(json.dumps(summary, default=float))
    else:
        for key, value in summary.items():
            text = f"{value:.4g}" if isinstance(value, float) else str(value)
            print(f"{key:24s} {text}")
        if out is not None:
            print(f"wrote {', '.join(str(out / w) for w in written)}")
    if summary["interrupted"]:
        kept = f"{metrics.finished} finished requests summarised"
        if out is not None:
            kept += f" and written to {out}"
        print(f"interrupted: {kept}; the rest of the workload was not simulated", file=sys.stderr)
        return 130
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``serve-sim`` to the ``schedopt`` CLI."""
    p = subparsers.add_parser(
        "serve-sim",
        help="simulate one LLM serving instance (continuous batching, paged KV, admission planners)",
        formatter_class=HelpFormatter,
        description=(
            "Simulate a workload on one serving instance. --trace replays a trace (a CSV path or "
            "azure-conv, azure-code, sharegpt, arxiv); --dist draws lengths (dist-1, dist-2, dist-3 or a "
            "trace name). With --rate the arrivals are Poisson, with --clients a closed loop, otherwise a "
            "trace keeps its timestamps and a distribution sends every request at time 0. --abort-after "
            "drops requests that wait too long; with --clients, --resubmit sends dropped and SLA-failed "
            "requests again (the Past-Future artifact client's --re-adding-failed-reqs)."
        ),
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--trace", help="trace CSV file or name")
    source.add_argument("--dist", help="length distribution name")
    p.add_argument("--gpu", default="H100", help="GPU type (schedopt.gpus catalogue)")
    p.add_argument("--model", default="llama-3-8b", help="model (schedopt.serving.models catalogue)")
    p.add_argument("--tp", type=int, default=1, help="tensor-parallel degree")
    p.add_argument(
        "--planner",
        default="past-future",
        help="admission planner: aggressive, conservative, past-future, oracle",
    )
    p.add_argument("--rate", type=float, default=None, help="Poisson arrival rate (requests/s)")
    p.add_argument("--clients", type=int, default=None, help="closed-loop clients")
    p.add_argument(
        "--requests",
        type=int,
        default=None,
        help="requests to send (a replayed trace: its first N; a distribution, or a trace with --rate or "
        "--clients whose lengths are resampled: N, default 500)",
    )
    p.add_argument(
        "--kv-tokens", type=int, default=None, help="KV capacity in tokens (default: from GPU memory)"
    )
    p.add_argument("--block-size", type=int, default=16, help="tokens per KV block")
    p.add_argument("--max-batched-tokens", type=int, default=8192, help="token budget per step")
    p.add_argument("--max-running", type=int, default=256, help="most requests in the batch")
    p.add_argument(
        "--prefill-first", action="store_true", help="prefill-first steps instead of chunked prefill"
    )
    p.add_argument("--preemption", choices=["recompute", "swap"], default="recompute", help="eviction mode")
    p.add_argument("--admission-interval", type=int, default=1, help="steps between admission rounds")
    p.add_argument("--sla-ttft", type=float, default=10.0, help="SLA: most seconds to the first token")
    p.add_argument("--sla-gap", type=float, default=1.5, help="SLA: most seconds between two tokens")
    p.add_argument(
        "--abort-after",
        type=float,
        default=None,
        metavar="S",
        help="drop a request that has waited S seconds without being admitted (LightLLM's "
        "--router_sla_abort_ttft; default: never drop)",
    )
    p.add_argument(
        "--resubmit",
        action="store_true",
        help="closed loop only: a dropped request, or one that finished outside the --sla-ttft/--sla-gap "
        "SLA, puts its prompt back at the tail of the queue to be sent again (the Past-Future artifact "
        "client's --re-adding-failed-reqs); the summary gains given_up",
    )
    p.add_argument(
        "--max-failures",
        type=int,
        default=None,
        metavar="N",
        help="with --resubmit: give a prompt up after N finishes outside the SLA (drops do not count; "
        "default 100)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (workload and planner)")
    p.add_argument("--json", action="store_true", help="print only the summary, as JSON, on standard output")
    p.add_argument("--out", help="directory for summary.json, requests.csv, steps.csv and kv.png")
    p.add_argument("--no-plot", action="store_true", help="do not draw kv.png in --out")
    p.set_defaults(func=_cmd_serve_sim)
