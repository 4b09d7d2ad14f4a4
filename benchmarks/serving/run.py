"""LLM-serving benchmark: admission planners on one instance (issue 24; docs ``llm_serving.md`` §1).

Usage (one part per call; each appends to its CSV under ``--out``, default ``benchmarks/serving/results``,
skipping the runs already there, then refreshes ``RESULTS.md``)::

    python benchmarks/serving/run.py --part table    # 4 planners x Dist-1/2/3, 3,000 requests at time 0
    python benchmarks/serving/run.py --part ablation # past-future settings on development seeds 100, 101
    python benchmarks/serving/run.py --part load     # goodput against closed-loop load, goodput_vs_load.png
    python benchmarks/serving/run.py --part speed    # Azure conversation trace: simulate wall time, compile
    python benchmarks/serving/run.py --report        # rewrite RESULTS.md from the CSVs
    python benchmarks/serving/run.py --smoke         # every part at toy size into a temporary folder

The goodput target at the heaviest load under the artifact's own client protocol (failed requests
re-added until every prompt succeeded) is ``heavy.py`` beside this script.

**table** (``table.csv``): the setting of the Past-Future artifact's CPU behaviour simulation (Gong et
al., ASPLOS'25; ``WuSiYu/lightllm-ae`` ``behavior-analysis/scheduler_*_dist1-3.py``; docs §1.7): 3,000
requests of Dist-1/2/3 all at time 0 (:class:`~schedopt.serving.workloads.Batch`), a KV pool of
120,000 tokens, Llama-2-7B on one A100-80 (the roofline cost model gives the step times; the artifact
does not name its GPU, docs §1.6), an admission round every 10 steps (``admission_interval=10``),
at most 32,768 prompt tokens admitted per round, the true future peak recorded after every round.
Planners: ``aggressive``, ``conservative``, ``oracle`` with their defaults, and ``past-future`` twice:
``past-future`` with the constants of the artifact's simulator (``window=1000``, ``prior_tokens=512``,
``reserve=0.03``: the table reruns that simulator, so its constants were fixed before any run) and
``past-future-default`` with the library defaults (``window=200`` as LightLLM's PR, ``reserve=0.05``
as the AE server, prior = ``max_new_tokens``). Figures per run: KV utilisation (mean over steps of
used/capacity blocks, and the same over the steps where requests wait -- the artifact's simulator
stops when the last request is admitted, so its "Util" has no drain tail), mean true future
peak/capacity after admission rounds, evictions per finished request, makespan in steps and seconds.

**ablation** (``ablation.csv``): the table's setting on seeds 100 and 101 (which the table does not use)
for past-future with the library defaults, with ``reserve=0.03`` alone, with ``window=1000,
prior_tokens=512`` alone, with all three AE constants, with ``reserve=0``, and the oracle: which
setting moves the figures (reported beside the table; the table's settings were not chosen from it).

**load** (``load.csv``, ``goodput_vs_load.png``): a closed loop of N clients
(:class:`~schedopt.serving.workloads.ClosedLoop`, ``--requests`` requests in all, no think time) on
Llama-2-7B, one A100-80, a 120,000-token pool (the AE's 7B setting, docs §1.6), lengths Dist-1/2/3
and ShareGPT (``lengths("sharegpt")``). Engine as the AE server: an admission round every 2 steps
(``max_wait_tokens``), at most 18,000 prompt tokens per round (``batch_max_tokens``), chunked prefill
under vLLM's 8,192-token step budget. SLA: TTFT <= 10 s and max inter-token gap <= 1.5 s; goodput =
(prompt + output tokens of the good requests) / makespan. Planners with their library defaults. Each
run lasts ``--duration`` simulated seconds (1,800; all N clients send at time 0). Two settings
(``--abort``): the engine as it is (``inf``: a request waits until admitted), and the AE router's SLA
abort (``10``: a request that waited 10 s unadmitted is dropped and its client sends its next request
at once, as the AE server and client do, docs §1.5-1.6): ``EngineConfig.abort_waiting_after``
with the closed loop's ``on_abort``.

**speed** (``speed.csv``): :class:`~schedopt.serving.workloads.TraceReplay` of ``azure-conv`` (19,366
requests at their trace times) on Llama-3-8B / one H100 (KV capacity from the model and the GPU),
planners ``past-future`` and ``aggressive``: wall time of :func:`~schedopt.serving.simulate.simulate`
after a warm-up (median of ``--repeat``). The numba compile time is measured in a fresh process with
an empty cache (``NUMBA_CACHE_DIR`` set to a new temporary folder): import, then a 20-request
simulation with both planners (compiles every kernel), then the Azure run once.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE.parent))

from _common import append_row, load_avg, machine_info, mean_span, now, read_rows  # noqa: E402

from schedopt.serving.costmodel import RooflineCost  # noqa: E402
from schedopt.serving.engine import EngineConfig  # noqa: E402
from schedopt.serving.metrics import SLA, summarize  # noqa: E402
from schedopt.serving.models import kv_capacity_tokens  # noqa: E402
from schedopt.serving.planners import planner as make_planner  # noqa: E402
from schedopt.serving.scenario import serve  # noqa: E402
from schedopt.serving.simulate import simulate  # noqa: E402
from schedopt.serving.workloads import Batch, ClosedLoop, TraceReplay  # noqa: E402

DEFAULT_OUT = HERE / "results"
RESULTS = HERE / "RESULTS.md"
FIGURE = HERE / "goodput_vs_load.png"

# ----------------------------------------------------------------- settings
TABLE_MODEL, TABLE_GPU, TABLE_KV = "llama-2-7b", "A100-80", 120_000
TABLE_ENGINE = {"admission_interval": 10, "max_prefill_tokens_per_round": 32_768, "record_peak": True}
#: Planner variants of the table: name -> (planner, options).
TABLE_VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "aggressive": ("aggressive", {}),
    "conservative": ("conservative", {}),
    "past-future": ("past-future", {"window": 1000, "prior_tokens": 512, "reserve": 0.03}),
    "past-future-default": ("past-future", {}),
    "oracle": ("oracle", {}),
}
#: Ablation of the past-future settings (``--part ablation``), on development seeds that the table
#: does not use: which of the AE simulator's constants moves the defaults' figures.
ABLATION_VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "pf-default": ("past-future", {}),
    "pf-reserve-0.03": ("past-future", {"reserve": 0.03}),
    "pf-window-1000-prior-512": ("past-future", {"window": 1000, "prior_tokens": 512}),
    "pf-ae-sim": ("past-future", {"window": 1000, "prior_tokens": 512, "reserve": 0.03}),
    "pf-reserve-0": ("past-future", {"reserve": 0.0}),
    "oracle": ("oracle", {}),
}
ABLATION_SEEDS = (100, 101)
TABLE_DISTS = ("dist-1", "dist-2", "dist-3")

#: Docs §1.7 (single unseeded run of the AE behaviour simulator): util %, peak %, evictions %, steps (k).
DOCS_TABLE: dict[tuple[str, str], tuple[float, float, float, float]] = {
    ("dist-1", "aggressive"): (98.4, 103.3, 91.0, 283),
    ("dist-1", "conservative"): (57.6, 60.7, 0.0, 483),
    ("dist-1", "past-future"): (93.3, 98.0, 9.1, 301),
    ("dist-1", "oracle"): (94.8, 98.9, 0.0, 293),
    ("dist-2", "aggressive"): (97.8, 103.7, 101.0, 617),
    ("dist-2", "conservative"): (71.7, 75.1, 0.0, 843),
    ("dist-2", "past-future"): (92.0, 97.5, 7.9, 658),
    ("dist-2", "oracle"): (93.0, 98.3, 0.0, 644),
    ("dist-3", "aggressive"): (98.1, 100.3, 33.9, 226),
    ("dist-3", "conservative"): (59.7, 61.7, 0.0, 378),
    ("dist-3", "past-future"): (94.6, 96.7, 3.4, 238),
    ("dist-3", "oracle"): (96.7, 98.7, 0.0, 234),
}

LOAD_MODEL, LOAD_GPU, LOAD_KV = "llama-2-7b", "A100-80", 120_000
LOAD_ENGINE = {"admission_interval": 2, "max_prefill_tokens_per_round": 18_000}
LOAD_PLANNERS = ("aggressive", "conservative", "past-future", "oracle")
LOAD_LENGTHS = ("dist-1", "dist-2", "dist-3", "sharegpt")
LOAD_CLIENTS = (10, 20, 30, 40, 60, 80, 100)
LOAD_SLA = SLA(ttft=10.0, max_gap=1.5)
#: Requests a closed loop may send (never reached within ``--duration``; lengths are drawn up front).
LOAD_MAX_REQUESTS = 100_000

SPEED_MODEL, SPEED_GPU, SPEED_TRACE = "llama-3-8b", "H100", "azure-conv"
SPEED_PLANNERS = ("past-future", "aggressive")

TABLE_FIELDS = [
    "dist",
    "variant",
    "planner",
    "planner_options",
    "seed",
    "requests",
    "model",
    "gpu",
    "kv_capacity",
    "finished",
    "unfinished",
    "kv_util",
    "kv_util_waiting",
    "peak_over_capacity",
    "evictions",
    "evictions_per_request",
    "steps",
    "makespan_s",
    "wall_s",
]
LOAD_FIELDS = [
    "abort_after",
    "lengths",
    "clients",
    "planner",
    "seed",
    "duration_s",
    "model",
    "gpu",
    "kv_capacity",
    "finished",
    "aborted",
    "good",
    "sla_attainment",
    "goodput",
    "throughput_tokens",
    "ttft_p50",
    "ttft_p99",
    "max_gap_p99",
    "evictions_per_request",
    "kv_util",
    "makespan_s",
    "wall_s",
]
SPEED_FIELDS = [
    "kind", "planner", "trace", "requests", "model", "gpu", "kv_capacity", "run", "wall_s", "cpu_s",
    "steps", "finished", "makespan_s", "evictions", "numba_cache", "load_avg",
]  # fmt: skip


# ----------------------------------------------------------------- machine, CSV helpers


def save_meta(out: Path, part: str, command: str, started: str, wall: float, runs: int) -> None:
    """``<part>_meta.json``: command, machine, date, load and wall time of the last invocation."""
    meta = {
        "command": command,
        "started": started,
        "finished": now(),
        "wall_s": round(wall, 1),
        "runs": runs,
        "machine": machine_info(),
        "load_avg_end": load_avg(),
    }
    (out / f"{part}_meta.json").write_text(json.dumps(meta, indent=1) + "\n")


def read_meta(out: Path, part: str) -> dict[str, Any] | None:
    path = out / f"{part}_meta.json"
    return json.loads(path.read_text()) if path.exists() else None


def print_header(command: str) -> None:
    print(
        f"command: {command}\nmachine: {machine_info()}\ndate: {now()}, load average {load_avg()}", flush=True
    )


# ----------------------------------------------------------------- table
def run_table_one(dist: str, variant: str, seed: int, requests: int) -> dict[str, Any]:
    """One Batch run of the table: ``requests`` requests of ``dist`` at time 0, planner ``variant``
    (a key of :data:`TABLE_VARIANTS` or :data:`ABLATION_VARIANTS`)."""
    name, options = {**ABLATION_VARIANTS, **TABLE_VARIANTS}[variant]
    res = serve(
        Batch(dist, requests),
        model=TABLE_MODEL,
        gpu=TABLE_GPU,
        planner=make_planner(name, **options),
        kv_capacity_tokens=TABLE_KV,
        engine=TABLE_ENGINE,
        seed=seed,
    )
    m = summarize(res)
    return {
        "dist": dist,
        "variant": variant,
        "planner": name,
        "planner_options": json.dumps(options, sort_keys=True),
        "seed": seed,
        "requests": requests,
        "model": TABLE_MODEL,
        "gpu": TABLE_GPU,
        "kv_capacity": TABLE_KV,
        "finished": m.finished,
        "unfinished": m.unfinished,
        "kv_util": m.kv_util,
        "kv_util_waiting": m.kv_util_waiting,
        "peak_over_capacity": m.peak_over_capacity,
        "evictions": m.evictions,
        "evictions_per_request": m.evictions_per_request,
        "steps": m.steps,
        "makespan_s": m.makespan,
        "wall_s": res.wall_time,
    }


def part_table(a: argparse.Namespace, out: Path, ablation: bool = False) -> int:
    path = out / ("ablation.csv" if ablation else "table.csv")
    done = {(r["dist"], r["variant"], int(r["seed"]), int(r["requests"])) for r in read_rows(path)}
    runs = 0
    seeds = ABLATION_SEEDS if ablation else range(a.seeds)
    for dist in a.dists:
        for seed in seeds:
            for variant in ABLATION_VARIANTS if ablation else a.variants:
                key = (dist, variant, seed, a.requests)
                if key in done:
                    continue
                row = run_table_one(dist, variant, seed, a.requests)
                append_row(path, TABLE_FIELDS, row)
                runs += 1
                print(
                    f"{'ablation' if ablation else 'table'} {dist} {variant:20s} seed {seed}: "
                    f"util {row['kv_util']:.3f} "
                    f"peak {row['peak_over_capacity']:.3f} evict/req {row['evictions_per_request']:.3f} "
                    f"steps {row['steps']} makespan {row['makespan_s']:.0f} s ({row['wall_s']:.1f} s wall)",
                    flush=True,
                )
    return runs


# ----------------------------------------------------------------- load
def run_load_one(
    lengths: str, clients: int, planner: str, seed: int, duration: float, abort_after: float = math.inf
) -> dict[str, Any]:
    """``duration`` simulated seconds of a closed loop of ``clients`` clients sending requests of
    ``lengths`` (with the AE's SLA abort of requests waiting longer than ``abort_after`` seconds, if
    finite); the run stops at the first step starting after ``duration``."""
    work = ClosedLoop(lengths, clients, LOAD_MAX_REQUESTS)
    engine = dict(LOAD_ENGINE)
    if math.isfinite(abort_after):
        engine["abort_waiting_after"] = abort_after
    res = serve(
        work,
        model=LOAD_MODEL,
        gpu=LOAD_GPU,
        planner=planner,
        kv_capacity_tokens=LOAD_KV,
        engine=engine,
        seed=seed,
        max_time=duration,
    )
    aborted = res.aborted
    m = summarize(res, LOAD_SLA)
    return {
        "abort_after": abort_after,
        "lengths": lengths,
        "clients": clients,
        "planner": planner,
        "seed": seed,
        "duration_s": duration,
        "model": LOAD_MODEL,
        "gpu": LOAD_GPU,
        "kv_capacity": LOAD_KV,
        "finished": m.finished,
        "aborted": len(aborted),
        "good": m.good,
        "sla_attainment": m.sla_attainment,
        "goodput": m.goodput,
        "throughput_tokens": m.throughput_tokens,
        "ttft_p50": m.ttft_p50,
        "ttft_p99": m.ttft_p99,
        "max_gap_p99": m.max_gap_p99,
        "evictions_per_request": m.evictions_per_request,
        "kv_util": m.kv_util,
        "makespan_s": m.makespan,
        "wall_s": res.wall_time,
    }


def part_load(a: argparse.Namespace, out: Path) -> int:
    path = out / "load.csv"
    done = {
        (
            float(r["abort_after"]),
            r["lengths"],
            int(r["clients"]),
            r["planner"],
            int(r["seed"]),
            float(r["duration_s"]),
        )
        for r in read_rows(path)
    }
    runs = 0
    for abort_after in a.abort:
        for lengths in a.lengths:
            for clients in a.clients:
                for seed in range(a.load_seeds):
                    for planner in a.planners:
                        if (abort_after, lengths, clients, planner, seed, a.duration) in done:
                            continue
                        row = run_load_one(lengths, clients, planner, seed, a.duration, abort_after)
                        append_row(path, LOAD_FIELDS, row)
                        runs += 1
                        print(
                            f"load abort {abort_after:g} {lengths} N={clients:3d} {planner:12s} seed {seed}: "
                            f"goodput {row['goodput']:.0f} "
                            f"tok/s, SLA {row['sla_attainment']:.2f}, aborted {row['aborted']}, evict/req "
                            f"{row['evictions_per_request']:.2f}, TTFT p50 {row['ttft_p50']:.1f} s "
                            f"({row['wall_s']:.1f} s wall)",
                            flush=True,
                        )
    return runs


def _abort_label(abort_after: float) -> str:
    if math.isfinite(abort_after):
        return f"SLA abort after {abort_after:g} s waiting (the AE router's rule: `abort_waiting_after`)"
    return "no abort (engine as is)"


def plot_load(out: Path, figure: Path) -> Path | None:
    """``goodput_vs_load.png``: a row per abort setting, a panel per length distribution, a line per "
    "planner."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from schedopt.serving.plots import plot_goodput

    path = out / "load.csv"
    if not path.exists():
        return None
    df = pd.read_csv(path).rename(columns={"clients": "load"})
    names = list(dict.fromkeys(df["lengths"]))
    aborts = sorted(set(df["abort_after"]), reverse=True)
    fig, axes = plt.subplots(
        len(aborts), len(names), figsize=(4.2 * len(names), 3.4 * len(aborts)), squeeze=False
    )
    for row, abort_after in zip(axes, aborts):
        for ax, name in zip(row, names):
            sub = df[(df["lengths"] == name) & (df["abort_after"] == abort_after)]
            plot_goodput(sub, x="load", y="goodput", hue="planner", ax=ax)
            ax.set_title(f"{name}; {_abort_label(abort_after).split(' (')[0]}", fontsize=9)
            ax.set_xlabel("closed-loop clients N")
    fig.suptitle(
        f"Goodput (SLA TTFT <= {LOAD_SLA.ttft:g} s, max gap <= {LOAD_SLA.max_gap:g} s), "
        f"{LOAD_MODEL} on one {LOAD_GPU}, {LOAD_KV:,} KV tokens"
    )
    fig.tight_layout()
    fig.savefig(figure, dpi=100)
    plt.close(fig)
    return figure


# ----------------------------------------------------------------- speed
def _azure(limit: int | None) -> TraceReplay:
    return TraceReplay(SPEED_TRACE, limit=limit)


def run_speed_one(planner: str, limit: int | None = None) -> dict[str, Any]:
    """One timed Azure replay: wall time (``SimResult.wall_time``) and process CPU time of
    :func:`~schedopt.serving.simulate.simulate` alone (trace reading and set-up excluded)."""
    work = _azure(limit)
    config = EngineConfig(kv_capacity_tokens=kv_capacity_tokens(SPEED_MODEL, SPEED_GPU))
    cost, chosen = RooflineCost(SPEED_MODEL, SPEED_GPU), make_planner(planner)
    cpu = time.process_time()
    res = simulate(work, config, cost, chosen, seed=0)
    cpu = time.process_time() - cpu
    m = summarize(res)
    return {
        "planner": planner,
        "trace": SPEED_TRACE,
        "requests": len(res.records) + len(res.unfinished),
        "model": SPEED_MODEL,
        "gpu": SPEED_GPU,
        "kv_capacity": res.capacity_tokens,
        "wall_s": res.wall_time,
        "cpu_s": cpu,
        "steps": m.steps,
        "finished": m.finished,
        "makespan_s": m.makespan,
        "evictions": m.evictions,
    }


_COMPILE_SCRIPT = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import run as bench
t1 = time.perf_counter()
from schedopt.serving.scenario import serve
from schedopt.serving.workloads import Batch
for p in bench.SPEED_PLANNERS + ("conservative", "oracle"):
    serve(Batch("dist-3", 20), model=bench.SPEED_MODEL, gpu=bench.SPEED_GPU, planner=p,
          kv_capacity_tokens=20000,
          engine={"record_peak": True}, seed=0)
t2 = time.perf_counter()
row = bench.run_speed_one(bench.SPEED_PLANNERS[0], None if sys.argv[2] == "all" else int(sys.argv[2]))
print(json.dumps({"import_s": t1 - t0, "compile_s": t2 - t1, "first_run": row}))
"""


def measure_compile(limit: int | None) -> dict[str, Any]:
    """Run :data:`_COMPILE_SCRIPT` in a fresh interpreter with an empty ``NUMBA_CACHE_DIR``."""
    with tempfile.TemporaryDirectory(prefix="numba-cache-") as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        proc = subprocess.run(
            [sys.executable, "-c", _COMPILE_SCRIPT, str(HERE), "all" if limit is None else str(limit)],
            env=env,
            capture_output=True,
            text=True,
            check=False,
            cwd=str(ROOT),
        )
        if proc.returncode != 0:
            raise RuntimeError(f"compile-time subprocess failed:\n{proc.stderr}")
        cached = sum(1 for p in Path(cache).rglob("*") if p.suffix in (".nbi", ".nbc"))
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    info["cache_files"] = cached
    return info


def part_speed(a: argparse.Namespace, out: Path) -> int:
    path = out / "speed.csv"
    base = {"trace": SPEED_TRACE, "model": SPEED_MODEL, "gpu": SPEED_GPU}
    info = measure_compile(a.speed_limit)
    first = info["first_run"]
    stamp = now()
    for kind, value in (("import", info["import_s"]), ("compile", info["compile_s"])):
        append_row(
            path,
            SPEED_FIELDS,
            {
                **base,
                "kind": kind,
                "planner": "+".join(SPEED_PLANNERS),
                "run": stamp,
                "wall_s": value,
                "numba_cache": f"empty ({info['cache_files']} files after)",
            },
        )
    append_row(
        path, SPEED_FIELDS, {**first, "kind": "first-after-compile", "run": stamp, "numba_cache": "fresh"}
    )
    print(
        f"speed: import {info['import_s']:.2f} s, numba compile (empty cache) {info['compile_s']:.2f} s, "
        f"first Azure run after compile {first['wall_s']:.2f} s",
        flush=True,
    )
    run_speed_one(SPEED_PLANNERS[0], 50)  # warm-up in this process (kernels loaded from the cache)
    for planner in SPEED_PLANNERS:
        for _ in range(a.repeat):
            row = run_speed_one(planner, a.speed_limit)
            append_row(
                path,
                SPEED_FIELDS,
                {**row, "kind": "simulate", "run": stamp, "numba_cache": "warm", "load_avg": load_avg()},
            )
            print(
                f"speed {planner}: simulate {row['wall_s']:.2f} s for {row['finished']} requests, "
                f"{row['steps']} steps",
                flush=True,
            )
    return 2 * a.repeat + 1


# ----------------------------------------------------------------- report
def _f(x: float, nd: int = 1) -> str:
    return "nan" if x != x else f"{x:.{nd}f}"


def _meta_lines(meta: dict[str, Any] | None) -> list[str]:
    if meta is None:
        return ["- (no run recorded)"]
    return [
        f"- command: `{meta['command']}` (last invocation; {meta['runs']} new runs, {meta['wall_s']} s wall)",
        f"- date: {meta['started']} to {meta['finished']}; machine: {meta['machine']}; "
        f"load average (1/5/15 min) at the end: {meta['load_avg_end']}",
    ]


def _section(out: Path, part: str, title: str) -> tuple[list[str], Any]:
    """The heading and run lines of a part's section, and its CSV as a DataFrame (``None`` with a
    "run this" line when the part has not run yet)."""
    import pandas as pd

    lines = [f"## {title}", "", *_meta_lines(read_meta(out, part))]
    path = out / f"{part}.csv"
    if not path.exists():
        return [
            *lines,
            "",
            f"No `{part}.csv` yet: run `python benchmarks/serving/run.py --part {part}`.",
            "",
        ], None
    return lines, pd.read_csv(path)


def table_report(out: Path) -> list[str]:
    path = out / "table.csv"
    lines, df = _section(out, "table", "Planner comparison on Dist-1/2/3 (docs §1.7 setting)")
    if df is None:
        return lines
    oracle = df[df.variant == "oracle"].set_index(["dist", "seed"])
    lines += [
        f"- data: `{path.relative_to(HERE) if path.is_relative_to(HERE) else path}`; {df.requests.iloc[0]:,} "
        f"requests at time 0, {TABLE_MODEL} on one {TABLE_GPU} (roofline step times), KV {TABLE_KV:,} "
        "tokens in "
        f"16-token blocks, engine {json.dumps(TABLE_ENGINE)}, chunked prefill (8,192-token step budget)",
        f"- {len(df)} runs; simulation wall time of all of them {df.wall_s.sum():.0f} s",
        "- past-future = the AE simulator's constants (window 1000, prior 512, reserve 0.03); "
        "past-future-default = library defaults (window 200, prior = max_new_tokens, reserve 0.05)",
        "- mean over seeds (min–max in brackets); util = mean over steps of used/capacity blocks; util-wait "
        "= "
        "the same over steps with requests waiting (no drain tail, like the AE simulator, which stops at the "
        "last admission); peak = mean true future peak / capacity after each admission round; evict = "
        "evictions"
        " / finished requests; ratio = makespan (s) / the oracle's on the same seed",
        "",
        "| dist | planner | seeds | util % | util-wait % | peak % | evict % | steps (k) | makespan (s) | "
        "ratio "
        "to oracle (s) | ratio (steps) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    ratios: dict[tuple[str, str], tuple[float, float]] = {}
    for dist in dict.fromkeys(df.dist):
        for variant in TABLE_VARIANTS:
            h = df[(df.dist == dist) & (df.variant == variant)]
            if h.empty:
                continue
            keys = [(dist, s) for s in h.seed if (dist, s) in oracle.index]
            hs = h.set_index(["dist", "seed"]).loc[keys] if keys else h.iloc[:0]
            r_s = hs.makespan_s.to_numpy() / oracle.loc[keys].makespan_s.to_numpy() if keys else np.array([])
            r_k = hs.steps.to_numpy() / oracle.loc[keys].steps.to_numpy() if keys else np.array([])
            ratios[(dist, variant)] = (
                float(r_s.mean()) if len(r_s) else np.nan,
                float(r_k.mean()) if len(r_k) else np.nan,
            )
            lines.append(
                f"| {dist} | {variant} | {len(h)} | {mean_span(h.kv_util, 100)} | "
                f"{mean_span(h.kv_util_waiting, 100)} | "
                f"{mean_span(h.peak_over_capacity, 100)} | {mean_span(h.evictions_per_request, 100)} | "
                f"{mean_span(h.steps, 1e-3, 0)} | {mean_span(h.makespan_s, 1, 0)} | {mean_span(r_s, 1, 3)} | "
                f"{mean_span(r_k, 1, 3)} |"
            )
    lines += [
        "",
        "### Side by side with docs §1.7",
        "",
        "Docs: one unseeded run of the AE behaviour simulator (token-granular KV, decode steps only, "
        "no recompute cost, stops at the last admission). Ours: mean over seeds, util-wait for util.",
        "",
        "| dist | planner | util % docs / ours | peak % docs / ours | evict % docs / ours | "
        "steps (k) docs / ours |",
        "|---|---|---|---|---|---|",
    ]
    for (dist, variant), (u, p, e, s) in DOCS_TABLE.items():
        h = df[(df.dist == dist) & (df.variant == variant)]
        if h.empty:
            continue
        lines.append(
            f"| {dist} | {variant} | {u:.1f} / {_f(100 * h.kv_util_waiting.mean())} | {p:.1f} / "
            f"{_f(100 * h.peak_over_capacity.mean())} | {e:.1f} / "
            f"{_f(100 * h.evictions_per_request.mean())} | "
            f"{s} / {h.steps.mean() / 1e3:.0f} |"
        )
    lines += [
        "",
        "### Targets (issue 24) for past-future",
        "",
        "| dist | variant | util ≥ 92 % (util / util-wait) | evictions ≤ 10 % | makespan ≤ 1.05× oracle (s "
        "/ steps) |",
        "|---|---|---|---|---|",
    ]
    for dist in dict.fromkeys(df.dist):
        for variant in ("past-future", "past-future-default"):
            h = df[(df.dist == dist) & (df.variant == variant)]
            if h.empty:
                continue
            u, uw, e = h.kv_util.mean(), h.kv_util_waiting.mean(), h.evictions_per_request.mean()
            rs, rk = ratios.get((dist, variant), (np.nan, np.nan))

            def ok(x: bool) -> str:
                return "**yes**" if x else "**no**"

            lines.append(
                f"| {dist} | {variant} | {ok(u >= 0.92)} {100 * u:.1f} / {ok(uw >= 0.92)} {100 * uw:.1f} | "
                f"{ok(e <= 0.10)} {100 * e:.1f} | {ok(rs <= 1.05)} {rs:.3f} / {ok(rk <= 1.05)} {rk:.3f} |"
            )
    lines.append("")
    return lines


def ablation_report(out: Path) -> list[str]:
    lines, df = _section(out, "ablation", "Past-future settings: ablation on development seeds")
    if df is None:
        return lines
    oracle = df[df.variant == "oracle"].set_index(["dist", "seed"])
    lines += [
        f"- same setting as the table, seeds {sorted(set(df.seed))} (not the table's), mean over them; "
        "ratio = makespan / the oracle's on the same seed",
        "",
        "| dist | variant | options | util % | util-wait % | evict % | ratio (s) | ratio (steps) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for dist in dict.fromkeys(df.dist):
        for variant in ABLATION_VARIANTS:
            h = df[(df.dist == dist) & (df.variant == variant)]
            if h.empty:
                continue
            keys = [(dist, s) for s in h.seed if (dist, s) in oracle.index]
            hs = h.set_index(["dist", "seed"]).loc[keys]
            r_s = hs.makespan_s.to_numpy() / oracle.loc[keys].makespan_s.to_numpy()
            r_k = hs.steps.to_numpy() / oracle.loc[keys].steps.to_numpy()
            lines.append(
                f"| {dist} | {variant} | `{h.planner_options.iloc[0]}` | {100 * h.kv_util.mean():.1f} | "
                f"{100 * h.kv_util_waiting.mean():.1f} | {100 * h.evictions_per_request.mean():.1f} | "
                f"{r_s.mean():.3f} | {r_k.mean():.3f} |"
            )
    lines.append("")
    return lines


def load_report(out: Path) -> list[str]:
    lines, df = _section(out, "load", "Goodput against load (closed loop)")
    if df is None:
        return lines
    lines += [
        f"- data: `load.csv`; {LOAD_MODEL} on one {LOAD_GPU}, KV {LOAD_KV:,} tokens, engine "
        f"{json.dumps(LOAD_ENGINE)}, "
        f"{df.duration_s.iloc[0]:g} simulated seconds per run (all N clients send at time 0), seeds "
        f"{sorted(set(df.seed))}; SLA TTFT ≤ {LOAD_SLA.ttft:g} s and max inter-token gap ≤ "
        f"{LOAD_SLA.max_gap:g} s; "
        "goodput = SLA-good tokens / makespan in tokens/s (mean over seeds); planners with library defaults",
        "- figure: `goodput_vs_load.png` (redrawn by `--report` from `load.csv`)",
        f"- {len(df)} runs; simulation wall time of all of them {df.wall_s.sum():.0f} s (the rest of a "
        "part's wall time is building requests and summarising)",
        "",
        "![goodput against load](goodput_vs_load.png)",
        "",
        "ratio = past-future goodput / the better of aggressive and conservative (target ≥ 1.5 at the "
        "heaviest "
        "load); SLA % = good / (finished + aborted) requests; evict = evictions per finished request.",
        "",
    ]
    g = df.groupby(["abort_after", "lengths", "clients", "planner"]).mean(numeric_only=True)
    planners = [p for p in LOAD_PLANNERS if p in set(df.planner)]
    for abort_after in sorted(set(df.abort_after), reverse=True):
        lines += [f"### {_abort_label(abort_after)}", ""]
        for lengths in dict.fromkeys(df.lengths):
            sub = df[(df.lengths == lengths) & (df.abort_after == abort_after)]
            if sub.empty:
                continue
            lines += [
                f"**{lengths}**",
                "",
                "| N | " + " | ".join(f"{p} goodput (SLA %, evict)" for p in planners) + " | ratio |",
                "|---|" + "---|" * (len(planners) + 1),
            ]
            for clients in sorted(set(sub.clients)):
                cells, gp = [], {}
                for p in planners:
                    key = (abort_after, lengths, clients, p)
                    if key not in g.index:
                        cells.append("–")
                        continue
                    r = g.loc[key]
                    gp[p] = r.goodput
                    cells.append(
                        f"{r.goodput:.0f} ({100 * r.sla_attainment:.0f}, {r.evictions_per_request:.2f})"
                    )
                base = max(gp.get("aggressive", np.nan), gp.get("conservative", np.nan))
                ratio = gp.get("past-future", np.nan) / base if base > 0 else math.inf
                lines.append(f"| {clients} | " + " | ".join(cells) + f" | {_f(ratio, 2)} |")
            lines.append("")
    return lines


def speed_report(out: Path) -> list[str]:
    lines, df = _section(out, "speed", "Speed: the Azure conversation trace on one instance")
    if df is None:
        return lines
    last = df[df.run == df.run.iloc[-1]]
    sim = last[last.kind == "simulate"]
    lines += [
        f"- `{SPEED_TRACE}` replayed at its trace times on {SPEED_MODEL} / one {SPEED_GPU} "
        f"(KV {int(sim.kv_capacity.iloc[0]) if len(sim) else '?'} tokens from the model and the GPU at "
        "gpu_memory_utilization 0.9), engine defaults; wall time of `simulate` only (trace read and request "
        "building excluded), warm numba cache, median of the repeats; target ≤ 5 s. The machine is shared: "
        "the process CPU time of the same call is given beside the wall time, with the 1-minute load average",
        "",
        "| planner | requests finished | steps | makespan (sim s) | evictions | simulate wall (s), median "
        "(min–max) | CPU (s), median | load avg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for planner, h in sim.groupby("planner", sort=False):
        cpu = f"{statistics.median(h.cpu_s):.2f}" if "cpu_s" in h and h.cpu_s.notna().all() else "–"
        lines.append(
            f"| {planner} | {int(h.finished.iloc[0])} | {int(h.steps.iloc[0])} | "
            f"{h.makespan_s.iloc[0]:.0f} | {int(h.evictions.iloc[0])} | "
            f"{statistics.median(h.wall_s):.2f} ({h.wall_s.min():.2f}–"
            f"{h.wall_s.max():.2f}) | {cpu} | {h.load_avg.iloc[0] if 'load_avg' in h else '–'} |"
        )
    comp = {k: last[last.kind == k] for k in ("import", "compile", "first-after-compile")}
    if all(len(v) for v in comp.values()):
        lines += [
            "",
            "Fresh process, empty numba cache (`NUMBA_CACHE_DIR` = a new temporary folder, "
            f"{comp['compile'].numba_cache.iloc[0]}): import of schedopt and the benchmark "
            f"{comp['import'].wall_s.iloc[0]:.2f} s; **numba compile** (a 20-request simulation with each "
            "of the "
            "four planners, which compiles every engine and planner kernel) "
            f"{comp['compile'].wall_s.iloc[0]:.2f} s; "
            f"then the full Azure run with {comp['first-after-compile'].planner.iloc[0]} "
            f"{comp['first-after-compile'].wall_s.iloc[0]:.2f} s.",
        ]
    lines.append("")
    return lines


HEADER = """# LLM-serving benchmark (issue 24)

Admission planners of `schedopt.serving` (aggressive, conservative, past-future, oracle) on one
simulated serving instance. Each section is written by `python benchmarks/serving/run.py --report`
from the CSV files under `benchmarks/serving/results/`; the protocol is the docstring of `run.py`.
The simulator is CPU-only: every time is *simulated* GPU time from the roofline cost model, except
the wall times of the speed section.
"""


def report(out: Path, results: Path = RESULTS, figure: Path = FIGURE) -> Path:
    """Rewrite ``results`` (``RESULTS.md``) from the CSVs under ``out``; redraw the load figure."""
    sys.path.insert(0, str(HERE.parent / "core"))
    from _sections import write_section

    if not results.exists():
        results.write_text(HEADER)
    plot_load(out, figure)
    write_section(results, "serving-table", table_report(out))
    write_section(results, "serving-ablation", ablation_report(out))
    write_section(results, "serving-load", load_report(out))
    write_section(results, "serving-speed", speed_report(out))
    return results


# ----------------------------------------------------------------- main
def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["table", "ablation", "load", "speed"])
    ap.add_argument("--report", action="store_true", help="rewrite RESULTS.md (and the figure) from the CSVs")
    ap.add_argument("--smoke", action="store_true", help="every part at toy size into a temporary folder")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the CSV files")
    ap.add_argument(
        "--results",
        type=Path,
        default=None,
        help="RESULTS.md to write (default: next to run.py for the default --out, else OUT/RESULTS.md)",
    )
    ap.add_argument("--seeds", type=int, default=3, help="table: seeds 0..SEEDS-1")
    ap.add_argument("--requests", type=int, default=3000, help="table: requests per run")
    ap.add_argument("--dists", nargs="+", default=list(TABLE_DISTS), help="table: length mixes")
    ap.add_argument("--variants", nargs="+", default=list(TABLE_VARIANTS), choices=list(TABLE_VARIANTS))
    ap.add_argument("--lengths", nargs="+", default=list(LOAD_LENGTHS), help="load: length distributions")
    ap.add_argument("--clients", type=int, nargs="+", default=list(LOAD_CLIENTS), help="load: values of N")
    ap.add_argument("--planners", nargs="+", default=list(LOAD_PLANNERS), help="load: planners")
    ap.add_argument("--duration", type=float, default=1800.0, help="load: simulated seconds per run")
    ap.add_argument("--load-seeds", type=int, default=3, help="load: seeds 0..LOAD_SEEDS-1")
    ap.add_argument(
        "--abort",
        type=float,
        nargs="+",
        default=[math.inf, 10.0],
        help="load: SLA-abort waits to run (inf: no abort, the engine as is; 10: the AE router)",
    )
    ap.add_argument("--repeat", type=int, default=3, help="speed: timed runs per planner")
    ap.add_argument("--speed-limit", type=int, default=None, help="speed: replay only the first requests")
    return ap


def main(argv: list[str] | None = None) -> None:
    ap = parser()
    a = ap.parse_args(argv)
    command = "python benchmarks/serving/run.py " + " ".join(shlex.quote(x) for x in (argv or sys.argv[1:]))
    print_header(command)
    if a.smoke:
        out = Path(tempfile.mkdtemp(prefix="serving-bench-"))
        t0 = time.perf_counter()
        smoke(out)
        print(f"smoke: ok in {time.perf_counter() - t0:.1f} s, files in {out}")
        return
    results = a.results or (RESULTS if a.out.resolve() == DEFAULT_OUT.resolve() else a.out / "RESULTS.md")
    figure = FIGURE if results == RESULTS else results.parent / FIGURE.name
    if a.part is None and not a.report:
        ap.error("pass --part, --report or --smoke")
    if a.part is not None:
        a.out.mkdir(parents=True, exist_ok=True)
        started, t0 = now(), time.perf_counter()
        parts = {"table": part_table, "load": part_load, "speed": part_speed}
        runs = part_table(a, a.out, ablation=True) if a.part == "ablation" else parts[a.part](a, a.out)
        save_meta(a.out, a.part, command, started, time.perf_counter() - t0, runs)
    path = report(a.out, results, figure)
    print(f"wrote {path}" + (f" and {figure}" if (a.out / "load.csv").exists() else ""))


def smoke(out: Path) -> None:
    """Every part at toy size (seconds): runs, resumes (no new run), report, figure."""
    a = parser().parse_args(
        [
            "--seeds",
            "1",
            "--requests",
            "40",
            "--dists",
            "dist-3",
            "--clients",
            "2",
            "6",
            "--lengths",
            "dist-3",
            "--duration",
            "60",
            "--load-seeds",
            "1",
            "--repeat",
            "1",
            "--speed-limit",
            "300",
        ]
    )
    assert part_table(a, out) == len(TABLE_VARIANTS)
    assert part_table(a, out) == 0  # resumed: nothing left
    assert part_load(a, out) == len(a.abort) * len(a.clients) * len(LOAD_PLANNERS)
    assert part_load(a, out) == 0
    rows = read_rows(out / "table.csv")
    assert all(int(r["finished"]) == 40 for r in rows), rows
    report(out, out / "RESULTS.md", out / FIGURE.name)
    assert (out / FIGURE.name).exists()


if __name__ == "__main__":
    main()
