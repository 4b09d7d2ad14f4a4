"""``schedopt llmeval generate | run | report``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .._argparse import HelpFormatter
from .generator import VARIANTS


def _variants(text: str) -> list[str]:
    out = [v.strip() for v in text.split(",") if v.strip()]
    bad = [v for v in out if v not in VARIANTS]
    if bad or not out:
        raise argparse.ArgumentTypeError(f"unknown variant(s) {bad}; choose from {', '.join(VARIANTS)}")
    return out


def _cmd_generate(args: argparse.Namespace) -> int:
    from ..io import write
    from .generator import GeneratorConfig, generate_instance

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cfg = GeneratorConfig(
        n_tasks=args.tasks,
        n_layers=args.layers,
        n_resources=args.resources,
        p=args.p,
        cpsat_time_limit=None if args.no_cpsat else args.cpsat_time_limit,
    )
    entries = []
    for level in range(1, args.levels + 1):
        for index in range(args.per_level):
            for variant in args.variants:
                p = generate_instance(
                    level, variant, seed=args.seed, index=index, domain=args.domain, config=cfg
                )
                fname = f"{p.name}.json"
                write(out / fname, p)
                entries.append(
                    {
                        "file": fname,
                        "name": p.name,
                        "level": level,
                        "index": index,
                        "variant": variant,
                        "domain": args.domain,
                        "n_tasks": p.n_jobs,
                        "counts": p.meta["counts"],
                        "cpsat": p.meta["cpsat"],
                    }
                )
    manifest = {
        "generator": "schedopt.llmeval",
        "version": 1,
        "seed": args.seed,
        "levels": args.levels,
        "per_level": args.per_level,
        "variants": args.variants,
        "domain": args.domain,
        "config": cfg.__dict__,
        "instances": entries,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"wrote {len(entries)} instances and manifest.json to {out}")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from .client import api_key_from_env
    from .runner import make_model, run
    from .store import ResultsStore

    if args.api_key_env:
        api_key_from_env(args.api_key_env)  # a missing key is a usage error (exit 2), before any file is made
    if args.max_connect_failures < 0:
        raise ValueError(
            f"--max-connect-failures must be >= 0 (0: never stop), got {args.max_connect_failures}"
        )
    with ResultsStore(args.results) as store:
        before = len(store.samples())
        options = {}
        if args.base_url is not None:
            options = {
                "temperature": args.temperature,
                "max_tokens": args.max_tokens,
                "timeout": args.timeout,
                "max_retries": args.max_retries,
            }
        model = make_model(
            args.model,
            base_url=args.base_url,
            api_key_env=args.api_key_env,
            store=store,
            concurrency=args.concurrency,
            seed=args.seed,
            **options,
        )

        def progress(done: int, total: int, outcome: str) -> None:
            if not args.quiet:
                print(f"\r{done}/{total} {outcome:14s}", end="", file=sys.stderr, flush=True)

        stats = run(
            args.dir,
            model,
            store,
            concurrency=args.concurrency,
            limit=args.limit,
            progress=progress,
            max_connect_failures=args.max_connect_failures or None,
        )
        if not args.quiet:
            print(file=sys.stderr)
        kept = len(store.samples())
    print(json.dumps(stats.to_dict()))
    if stats.stopped or stats.all_failed:
        what = stats.stopped or (
            f"every one of the {stats.asked} request(s) failed "
            f"({stats.unreachable} could not connect, {stats.api_errors} API error(s))"
        )
        print(
            f"llmeval run: {what}. First error: {stats.first_error}\n"
            f"Kept: {kept} answer(s) in {args.results} ({kept - before} new this run); "
            f"{stats.not_asked} instance(s) not asked. Nothing was measured for the failed requests: "
            "this is not a 0 % score. Fix the endpoint (is the server running? --base-url, "
            "--api-key-env) and rerun the same command to resume; stored answers are not asked again.",
            file=sys.stderr,
        )
        return 1
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from .report import load_summary, markdown, write_report

    summary = write_report(args.results, args.out) if args.out else load_summary(args.results)
    if args.json:
        print(json.dumps(summary))
    else:
        print(markdown(summary))
        if args.out:
            print(f"report written to {args.out}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``llmeval`` and its subcommands to the ``schedopt`` CLI."""
    parser = subparsers.add_parser(
        "llmeval", help="R-ConstraintBench-style LLM feasibility evaluation", formatter_class=HelpFormatter
    )
    sub = parser.add_subparsers(dest="llmeval_command", required=True)

    p = sub.add_parser(
        "generate", help="generate feasible instances and a manifest", formatter_class=HelpFormatter
    )
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--levels", type=int, default=10, help="levels 1..K (non-redundant precedence edges)")
    p.add_argument("--per-level", type=int, default=5, help="instances per level and variant")
    p.add_argument("--variants", type=_variants, default=list(VARIANTS), help=",".join(VARIANTS))
    p.add_argument("--domain", choices=["synthetic", "datacenter"], default="synthetic")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tasks", type=int, default=12, help="tasks per instance")
    p.add_argument("--layers", type=int, default=4, help="DAG layers")
    p.add_argument("--resources", type=int, default=2)
    p.add_argument("--p", type=float, default=0.75, help="probability of each extra-axis constraint")
    p.add_argument(
        "--cpsat-time-limit", type=float, default=30.0, help="seconds for the confirming CP-SAT run"
    )
    p.add_argument("--no-cpsat", action="store_true", help="skip the CP-SAT confirmation (witness only)")
    p.set_defaults(func=_cmd_generate)

    p = sub.add_parser(
        "run", help="pose the instances to a model and verify the answers", formatter_class=HelpFormatter
    )
    p.add_argument("dir", help="directory written by 'llmeval generate'")
    p.add_argument(
        "--model", required=True, help="heuristic, naive, corrupt[:TYPE], garbage, or an endpoint model"
    )
    p.add_argument(
        "--base-url", default=None, help="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1"
    )
    p.add_argument("--api-key-env", default=None, help="environment variable holding the API key")
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--results", required=True, help="SQLite results file (cache + verdicts)")
    p.add_argument("--temperature", type=float, default=0.0)
    p.add_argument("--max-tokens", type=int, default=4096)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per HTTP request")
    p.add_argument("--max-retries", type=int, default=8)
    p.add_argument(
        "--max-connect-failures",
        type=int,
        default=5,
        help="stop after N requests in a row could not connect (default 5; 0: never stop)",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N instances")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("report", help="summarize a results file", formatter_class=HelpFormatter)
    p.add_argument("results", help="SQLite results file")
    p.add_argument("--out", default=None, help="directory for report.md, summary.json, samples.jsonl, plots")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_cmd_report)
