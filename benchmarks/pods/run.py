"""Kubernetes pod packing benchmark: the "Priority Matters" grid (Christensen, Giallorenzo & Mauro,
arXiv 2511.08373, 2025) and the large case.

Usage (one part per call; each appends to / writes its own CSV in this folder)::

    python benchmarks/pods/run.py --part grid      # failing grid scenarios: default, ffd, cpsat 1 s / 10 s
    python benchmarks/pods/run.py --part large     # 1,000 nodes / 10,000 pods: kube-default and ffd times
    python benchmarks/pods/run.py --smoke          # a tiny run of both parts into a temporary folder (< 20 s)
    python benchmarks/pods/run.py --report         # rewrite the RESULTS.md sections from the CSVs

**Grid** (``grid.csv``; every scenario screened is listed in ``grid_screen.csv``). For every point
of the paper's grid (nodes {4, 8, 16, 32} x pods per node {4, 8} x tiers {1, 2, 4} x utilisation
{0.90, 0.95, 1.00, 1.05}) and seeds ``0 .. --seeds - 1``, the instance of
:func:`schedopt.families.pods.generators.pods_grid_instance` (every pod pending) is given to the
emulated default scheduler (``kube-default``); a scenario is *failing* when it leaves a pod pending
(the paper's selection). At most ``--max-scenarios`` failing scenarios are kept, the same number per
cluster size where possible, evenly spaced in grid order within a size. In the default mode
``rerun`` (the paper's set-up: the optimiser is called after the default scheduler left pods
pending) the scenario is the cluster *as the default left it*: the default's placement becomes the
current placement (``current_machine``) and its pending pods stay pending, so moves and evictions
count as disruption; mode ``fresh`` packs the all-pending cluster instead. On each scenario:

* ``kube-default``: the emulator (its vector is the reference);
* ``ffd``: best-fit decreasing, ``repack=True`` (every pod packed again, by priority and size);
* ``cpsat-<t>s`` for each ``--limits`` value: the lexicographic packer (``order="paper"``) with a
  ``t`` second window on ``--workers`` CP-SAT workers (default 2, the issue's "2 cores").

Each schedule is re-checked by :func:`schedopt.check` and by an independent recount (no node over
capacity in any resource, every pod on an eligible node, non-optional (protected) pods on their
current node, no anti-affinity pair on one node), and turned into a placement plan
(:func:`schedopt.families.pods.plan.placement_plan`). A method *improves* on the default when its
per-tier placed vector, highest priority first, is lexicographically larger than the default's;
``certified`` is the packer's proof that the default's vector is optimal
(``info["default_certified"]``: every place stage proven and the vectors equal). The part is
resumable: rows are appended per scenario, and scenarios already in the CSV are skipped.

**Large** (``large.csv``): :func:`schedopt.families.pods.generators.pods_large_instance` (1,000
nodes, 10,000 pending pods, 4 tiers, utilisation 1.00): a first call of each method on a small grid
instance (numba compile or cache load, reported as ``compile``), then ``--repeat`` timed calls of
the method function on the large case (median reported), and one ``schedopt.check`` of its schedule.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parent / "core"))

from _sections import write_section  # noqa: E402

import schedopt  # noqa: E402
from schedopt.families.pods.generators import (  # noqa: E402
    GRID_NODES,
    GRID_PODS_PER_NODE,
    GRID_TIERS,
    GRID_UTIL,
    grid_name,
    pods_grid_instance,
    pods_large_instance,
)
from schedopt.families.pods.plan import placement_plan, tier_counts  # noqa: E402

GRID_FIELDS = [
    "mode", "scenario", "nodes", "pods_per_node", "tiers", "util", "seed", "pods", "method", "time_limit",
    "workers", "status", "placed", "placed_by_tier", "default_by_tier", "improved", "worse", "certified",
    "place_proven", "lex_optimal", "returned_default", "disruption", "binds", "moves", "evictions", "pending",
    "time", "checked", "error",
]  # fmt: skip
SCREEN_FIELDS = [
    "scenario",
    "nodes",
    "pods_per_node",
    "tiers",
    "util",
    "seed",
    "pods",
    "default_pending",
    "failing",
]
LARGE_FIELDS = [
    "instance",
    "nodes",
    "pods",
    "method",
    "run",
    "time",
    "placed",
    "pending",
    "check_time",
    "checked",
]


# ----------------------------------------------------------------- helpers
def machine_info() -> str:
    import ortools

    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, numpy {np.__version__}, OR-Tools {ortools.__version__}"
    )


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def vector(problem: schedopt.Problem, machine: np.ndarray) -> tuple[int, ...]:
    """Placed pods per priority tier, highest priority first (the paper's comparison vector)."""
    return tuple(t["placed"] for t in tier_counts(problem, machine))


def recount(problem: schedopt.Problem, machine: np.ndarray) -> list[str]:
    """Independent of :func:`schedopt.check`: capacity, eligibility, protected pods, anti-affinity."""
    bad = []
    placed = machine >= 0
    load = np.zeros_like(problem.machine_capacity)
    np.add.at(load, machine[placed], problem.machine_demand[placed])
    over = np.argwhere(load > problem.machine_capacity)
    bad += [
        f"node {problem.machine_names[m]} over capacity in {problem.machine_resource_names[r]}"
        for m, r in over
    ]
    rows = np.flatnonzero(placed)
    bad += [
        f"pod {problem.names[i]} on an ineligible node" for i in rows if not problem.eligible[i, machine[i]]
    ]
    fixed = np.flatnonzero(~problem.optional)
    bad += [
        f"protected pod {problem.names[i]} moved" for i in fixed if machine[i] != problem.current_machine[i]
    ]
    for a, b in problem.anti_affinity:
        if machine[a] >= 0 and machine[a] == machine[b]:
            bad.append(f"anti-affinity pair {problem.names[a]}, {problem.names[b]} on one node")
    return bad


def _bars(v: tuple[int, ...]) -> str:
    return "|".join(str(x) for x in v)


# ----------------------------------------------------------------- grid
def screen(seeds: int, axes: dict[str, tuple]) -> list[dict[str, Any]]:
    """Every grid scenario with the number of pods ``kube-default`` leaves pending."""
    rows = []
    for n, ppn, t, u in itertools.product(axes["nodes"], axes["pods_per_node"], axes["tiers"], axes["util"]):
        for s in range(seeds):
            p = pods_grid_instance(n, ppn, t, u, s)
            r = schedopt.solve(p, "kube-default")
            pending = int((r.schedule.machine < 0).sum())
            rows.append(
                {"scenario": grid_name(n, ppn, t, u, s), "nodes": n, "pods_per_node": ppn, "tiers": t,
                 "util": u, "seed": s, "pods": p.n_jobs, "default_pending": pending, "failing": pending > 0}
            )  # fmt: skip
    return rows


def select(failing: list[dict[str, Any]], limit: int) -> list[dict[str, Any]]:
    """At most ``limit`` scenarios, an equal share per cluster size (unused shares go to the other
    sizes), evenly spaced in grid order within a size; ``limit <= 0`` keeps all."""
    if limit <= 0 or len(failing) <= limit:
        return failing
    by_size: dict[int, list[dict[str, Any]]] = {}
    for row in failing:
        by_size.setdefault(row["nodes"], []).append(row)
    quota = dict.fromkeys(by_size, 0)
    left = limit
    while left > 0:
        open_sizes = [k for k in sorted(by_size) if quota[k] < len(by_size[k])]
        if not open_sizes:
            break
        share = max(1, left // len(open_sizes))
        for k in open_sizes:
            take = min(share, len(by_size[k]) - quota[k], left)
            quota[k] += take
            left -= take
    chosen = []
    for k in sorted(by_size):
        rows = by_size[k]
        idx = np.unique(np.linspace(0, len(rows) - 1, quota[k]).round().astype(int)) if quota[k] else []
        chosen += [rows[i] for i in idx]
    order = {id(r): i for i, r in enumerate(failing)}
    return sorted(chosen, key=lambda r: order[id(r)])


def run_method(
    problem: schedopt.Problem, method: str, default: tuple[int, ...], **kw: Any
) -> tuple[dict[str, Any], schedopt.Result | None]:
    row: dict[str, Any] = {"status": "error", "checked": False, "error": ""}
    t0 = time.perf_counter()
    try:
        r = schedopt.solve(problem, method, **kw)
    except Exception as exc:  # recorded; the run goes on
        row.update(time=f"{time.perf_counter() - t0:.4f}", error=f"{type(exc).__name__}: {exc}"[:300])
        return row, None
    wall = time.perf_counter() - t0
    row.update(status=r.status, time=f"{wall:.4f}")
    if r.schedule is None:
        row["error"] = "no schedule"
        return row, r
    machine = np.where(r.schedule.start >= 0, r.schedule.machine, -1)
    bad = [str(v) for v in schedopt.check(problem, r.schedule)] + recount(problem, machine)
    plan = placement_plan(problem, r.schedule, verify=False)
    v = vector(problem, machine)
    s = plan["summary"]
    info = r.info
    row.update(
        placed=s["placed"], placed_by_tier=_bars(v), default_by_tier=_bars(default),
        improved=v > default, worse=v < default, disruption=s["disruption"], binds=s["binds"],
        moves=s["moves"], evictions=s["evictions"], pending=s["pending"], checked=not bad,
        error="; ".join(bad[:3]),
    )  # fmt: skip
    if "default_certified" in info:
        row.update(
            certified=bool(info["default_certified"]),
            place_proven=_bars(tuple(int(t["place_proven"]) for t in info["tiers"])),
            lex_optimal=bool(info["lexicographic_optimal"]),
            returned_default=bool(info["returned_default"]),
        )
        if bool(info["default_improved"]) != (v > default):
            row["error"] = (row["error"] + "; " if row["error"] else "") + "info default_improved disagrees"
    return row, r


def planned_runs(a: argparse.Namespace) -> list[tuple[str, str, dict[str, Any]]]:
    """``(label, method, options)`` run on every scenario."""
    tag = "" if a.order == "paper" else f"-{a.order}"
    runs: list[tuple[str, str, dict[str, Any]]] = [
        ("kube-default", "kube-default", {}),
        ("ffd", "ffd", {"repack": True}),
    ]
    runs += [
        (f"cpsat{tag}-{t:g}s", "cpsat", {"time_limit": t, "workers": a.workers, "order": a.order})
        for t in a.limits
    ]
    return runs


def _save_meta(out: Path, mode: str, meta: dict[str, Any]) -> None:
    """Record a run in ``grid_meta.json`` (``{mode: [run, ...]}``; a run is replaced by its own update)."""
    path = out / "grid_meta.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    runs = [
        r for r in data.get(mode, []) if r["started"] != meta["started"] or r["command"] != meta["command"]
    ]
    data[mode] = [*runs, meta]
    path.write_text(json.dumps(data, indent=2) + "\n")


def part_grid(a: argparse.Namespace, out: Path) -> None:
    axes = {"nodes": a.nodes, "pods_per_node": a.pods_per_node, "tiers": a.tiers, "util": a.util}
    t0 = time.perf_counter()
    warm = pods_grid_instance(4, 4, 2, 1.05, 0)  # numba compile / cache load, CP-SAT's first-call overhead
    for _label, method, kw in planned_runs(a):
        schedopt.solve(warm, method, **{**kw, **({"time_limit": 0.2} if "time_limit" in kw else {})})
    print(f"warm-up {time.perf_counter() - t0:.1f} s", flush=True)
    rows = screen(a.seeds, axes)
    with open(out / "grid_screen.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=SCREEN_FIELDS)
        w.writeheader()
        w.writerows(rows)
    failing = [r for r in rows if r["failing"]]
    chosen = select(failing, a.max_scenarios)
    path = out / "grid.csv"
    done = set()
    if path.exists() and path.stat().st_size:
        with open(path, newline="") as fh:
            done = {(r["mode"], r["scenario"], r["method"]) for r in csv.DictReader(fh)}
    runs = planned_runs(a)
    todo = [c for c in chosen if any((a.mode, c["scenario"], label) not in done for label, _, _ in runs)]
    est = len(todo) * (sum(a.limits) + 0.5)
    print(
        f"screened {len(rows)}, failing {len(failing)}, chosen {len(chosen)}, to run {len(todo)} "
        f"(at most ~{est / 60:.1f} min)",
        flush=True,
    )
    if a.dry_run:
        for c in todo:
            print(c["scenario"], "default pending", c["default_pending"])
        return
    meta = {
        "command": a.command,
        "started": now(),
        "machine": machine_info(),
        "load_start": round(os.getloadavg()[0], 1),
        "seeds": a.seeds,
        "max_scenarios": a.max_scenarios,
        "methods": [label for label, _, _ in runs],
        "limits": a.limits,
        "workers": a.workers,
        "order": a.order,
        "axes": axes,
        "screened": len(rows),
        "failing": len(failing),
        "chosen": len(chosen),
        "ran": 0,
    }
    _save_meta(out, a.mode, meta)
    new = not path.exists() or not path.stat().st_size
    with open(path, "a", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=GRID_FIELDS)
        if new:
            w.writeheader()
        for k, c in enumerate(todo):
            problem = pods_grid_instance(c["nodes"], c["pods_per_node"], c["tiers"], c["util"], c["seed"])
            rd = schedopt.solve(problem, "kube-default")
            default_machine = np.where(rd.schedule.start >= 0, rd.schedule.machine, -1)
            if a.mode == "rerun":
                problem = problem.replace(current_machine=default_machine)
            default = vector(problem, default_machine)
            common = {
                key: c[key] for key in ("scenario", "nodes", "pods_per_node", "tiers", "util", "seed", "pods")
            }
            common["mode"] = a.mode
            out_rows = []
            for label, method, kw in runs:
                if (a.mode, c["scenario"], label) in done:
                    continue
                row, _ = run_method(problem, method, default, **kw)
                row.update(
                    common, method=label, time_limit=kw.get("time_limit", ""), workers=kw.get("workers", "")
                )
                out_rows.append(row)
            w.writerows(out_rows)
            fh.flush()
            flags = " ".join(
                f"{r['method']}:{r.get('placed_by_tier')}{'+' if r.get('improved') else ''}"
                f"{'C' if r.get('certified') else ''}{'' if r['checked'] else '!'}"
                for r in out_rows
                if r["method"] != "kube-default"
            )
            print(f"[{k + 1}/{len(todo)}] {c['scenario']} default {_bars(default)} {flags}", flush=True)
            meta["ran"] = k + 1
            if (k + 1) % 5 == 0:
                _save_meta(out, a.mode, meta)
    meta["finished"] = now()
    meta["load_end"] = round(os.getloadavg()[0], 1)
    _save_meta(out, a.mode, meta)


#: Issue 22's targets (improved share of failing scenarios) and the paper's figures, per CP-SAT window.
TARGETS = {1.0: (60.0, "> 44 %"), 10.0: (80.0, "> 73 %")}


def targets(g: Any) -> list[str]:
    """The target table: improved and certified shares over all scenarios, per CP-SAT window."""
    lines = [
        "Targets (issue 22; paper: Christensen et al. 2025, certification > 19 % at 1 s and 10 s):",
        "",
        "| method | improved | target | paper | certified | met? |",
        "|---|---|---|---|---|---|",
    ]
    for m in [m for m in g.method.unique() if m.startswith("cpsat")]:
        h = g[g.method == m]
        limit = float(h.time_limit.iloc[0])
        if limit not in TARGETS:
            continue
        want, paper = TARGETS[limit]
        imp = 100 * h.improved.fillna(False).astype(bool).mean()
        cert = 100 * h.certified.fillna(False).astype(bool).mean()
        lines.append(
            f"| {m} | {imp:.1f} % of {len(h)} | ≥ {want:g} % | {paper} | {cert:.1f} % | "
            f"{'yes' if imp >= want else 'no'} |"
        )
    return lines


def cross_check(g: Any) -> list[str]:
    """Scenarios where the packer certified the default's vector but another method beat it."""
    piv = g.pivot_table(index="scenario", columns="method", values="improved", aggfunc="first")
    cert = g[g.certified.fillna(False).astype(bool)].groupby("method").scenario.apply(set)
    lines = []
    for m, scen in cert.items():
        for other in piv.columns:
            if other == m or other == "kube-default":
                continue
            beat = sorted(sc for sc in scen if str(piv.loc[sc, other]) == "True")
            if beat:
                lines.append(
                    f"- {m} certified the default in {len(scen)} scenarios; {other} improved on the default "
                    f"in {len(beat)} of them (e.g. `{beat[0]}`). The certificate holds in the packer's stage "
                    "order (`paper`: the disruption of higher tiers is pinned before lower tiers are "
                    "placed), "
                    "not over all placements."
                )
    return lines or ["- No method improved on a default placement the packer certified."]


def grid_report(out: Path) -> list[str]:
    import pandas as pd

    path = out / "grid.csv"
    if not path.exists():
        return ["## Grid", "", "No `grid.csv` yet: run `python benchmarks/pods/run.py --part grid`."]
    df = pd.read_csv(path, dtype={"placed_by_tier": str, "default_by_tier": str, "place_proven": str})
    lines = ["## Grid: failing scenarios of the default scheduler", ""]
    for mode, g in df.groupby("mode", sort=False):
        meta_path = out / "grid_meta.json"
        metas = json.loads(meta_path.read_text()).get(mode, []) if meta_path.exists() else []
        screen_path = out / "grid_screen.csv"
        lines += [f"### mode `{mode}`", ""]
        for meta in metas:
            finished = meta.get("finished", f"(interrupted after {meta['ran']} scenarios)")
            lines += [
                f"- run: `{meta['command']}` — {meta['started']} to {finished}; load average "
                f"{meta['load_start']} at the start, {meta.get('load_end', '?')} at the end; "
                f"machine: {meta['machine']}",
                f"  - sample: seeds 0..{meta['seeds'] - 1} of every grid point of {json.dumps(meta['axes'])} "
                f"({meta['screened']} scenarios screened, {meta['failing']} failing, i.e. `kube-default` "
                f"leaves a pod pending); {meta['chosen']} failing scenarios kept "
                f"(`--max-scenarios {meta['max_scenarios']}`: an equal share per cluster size, evenly spaced "
                f"in grid order); methods {', '.join(meta['methods'])}; CP-SAT on {meta['workers']} workers, "
                f"stage order `{meta['order']}`",
            ]
        if screen_path.exists():
            sc = pd.read_csv(screen_path)
            per = sc.groupby("util").failing.agg(["sum", "count"])
            lines.append(
                "- failing share of the scenarios screened by the last run, by utilisation: "
                + ", ".join(f"{u:.2f}: {int(r['sum'])}/{int(r['count'])}" for u, r in per.iterrows())
            )
        n_s = g.scenario.nunique()
        bad = g[~g.checked.astype(bool)]
        lines += [
            f"- files: `grid.csv` ({n_s} scenarios, one row per scenario and method), `grid_screen.csv`",
            f"- schedules re-checked (`schedopt.check` + independent recount): {len(g) - len(bad)}/{len(g)} "
            f"feasible{'' if bad.empty else ' — FAILURES: ' + '; '.join(bad.error.astype(str).head(3))}",
            "",
            "Share of failing scenarios where the method places lexicographically more pods per priority "
            "tier (highest first) than `kube-default` (**improved**), where the packer proved the default's "
            "vector optimal (**certified**), where it proved every place stage (**all tiers proven**); "
            "worse = lexicographically fewer than the default (the packer never returns worse by "
            "construction). Disruption: evictions + 2 moves against the default's placement.",
            "",
            "| nodes | method | scenarios | improved | certified | all tiers proven | worse | errors "
            "| mean disruption | mean s | max s |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        g = g.copy()
        g["all_proven"] = g.place_proven.fillna("").map(lambda s: bool(s) and set(s.split("|")) == {"1"})
        methods = [m for m in g.method.unique() if m != "kube-default"]
        for m in methods:
            h0 = g[g.method == m]
            for size, h in [*h0.groupby("nodes"), ("all", h0)]:
                cpsat = m.startswith("cpsat")

                def pct(col: str, h: pd.DataFrame = h) -> str:
                    x = h[col].fillna(False).astype(bool)
                    return f"{100 * x.mean():.1f} % ({int(x.sum())})"

                lines.append(
                    f"| {size} | {m} | {len(h)} | {pct('improved')} | {pct('certified') if cpsat else '—'} | "
                    f"{pct('all_proven') if cpsat else '—'} | {pct('worse')} | "
                    f"{int((h.status == 'error').sum())} | {h.disruption.mean():.2f} | "
                    f"{h.time.mean():.3f} | {h.time.max():.3f} |"
                )
        lines += ["", *targets(g), "", *cross_check(g), "", "By number of tiers (improved share):", ""]
        lines += ["| tiers | " + " | ".join(m for m in methods) + " |", "|---" * (len(methods) + 1) + "|"]
        for t, h in g.groupby("tiers"):
            cells = [f"{100 * h[h.method == m].improved.astype(bool).mean():.1f} %" for m in methods]
            lines.append(f"| {t} | " + " | ".join(cells) + " |")
        lines.append("")
        lines += ["By utilisation (improved share):", ""]
        lines += ["| util | " + " | ".join(m for m in methods) + " |", "|---" * (len(methods) + 1) + "|"]
        for u, h in g.groupby("util"):
            cells = [f"{100 * h[h.method == m].improved.astype(bool).mean():.1f} %" for m in methods]
            lines.append(f"| {u:.2f} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


# ----------------------------------------------------------------- large
def part_large(a: argparse.Namespace, out: Path) -> None:
    from schedopt.families.pods.emulator import solve_kube_default
    from schedopt.families.pods.heuristics import solve_ffd

    nodes, per = a.large_nodes, a.large_pods_per_node
    small = pods_grid_instance(8, 4, 4, 1.0, 0)
    t0 = time.perf_counter()
    problem = (
        pods_large_instance(0) if (nodes, per) == (1000, 10) else pods_grid_instance(nodes, per, 4, 1.0, 0)
    )
    gen = time.perf_counter() - t0
    rows = []
    started, load0 = now(), os.getloadavg()[0]
    for label, fn in (("kube-default", solve_kube_default), ("ffd", solve_ffd)):
        t0 = time.perf_counter()
        fn(small)
        rows.append({"instance": small.name, "nodes": 8, "pods": small.n_jobs, "method": label,
                     "run": "compile", "time": f"{time.perf_counter() - t0:.4f}"})  # fmt: skip
        for k in range(a.repeat):
            t0 = time.perf_counter()
            r = fn(problem)
            dt_ = time.perf_counter() - t0
            row = {"instance": problem.name, "nodes": problem.n_machines, "pods": problem.n_jobs,
                   "method": label, "run": str(k + 1), "time": f"{dt_:.4f}"}  # fmt: skip
            if k == 0:
                t1 = time.perf_counter()
                viol = schedopt.check(problem, r.schedule)
                machine = np.where(r.schedule.start >= 0, r.schedule.machine, -1)
                bad = [str(v) for v in viol] + recount(problem, machine)
                row.update(check_time=f"{time.perf_counter() - t1:.4f}", checked=not bad)
                row.update(placed=int((machine >= 0).sum()), pending=int((machine < 0).sum()))
            rows.append(row)
            print(row, flush=True)
    with open(out / "large.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=LARGE_FIELDS)
        w.writeheader()
        w.writerows(rows)
    meta = {"command": a.command, "started": started, "finished": now(), "machine": machine_info(),
            "load_start": round(load0, 1), "load_end": round(os.getloadavg()[0], 1),
            "generation_seconds": round(gen, 2), "repeat": a.repeat}  # fmt: skip
    (out / "large_meta.json").write_text(json.dumps(meta, indent=2) + "\n")


def large_report(out: Path) -> list[str]:
    import pandas as pd

    path = out / "large.csv"
    if not path.exists():
        return ["## Large case", "", "No `large.csv` yet: run `python benchmarks/pods/run.py --part large`."]
    df = pd.read_csv(path)
    meta_path = out / "large_meta.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    big = df[df.run != "compile"]
    inst = big.iloc[0]
    lines = ["## Large case: emulator and FFD speed", ""]
    if meta:
        lines += [
            f"- command: `{meta['command']}`",
            f"- date: {meta['started']}; machine: {meta['machine']}; load average {meta['load_start']} at "
            f"the start, {meta['load_end']} at the end (shared machine; wall clock)",
            f"- instance: `{inst.instance}` ({int(inst.nodes)} nodes, {int(inst.pods)} pending pods, 4 "
            f"tiers, utilisation 1.00), generated in {meta['generation_seconds']} s (not counted)",
        ]
    lines += [
        "- file: `large.csv`; time = the method function alone (`solve_kube_default` / `solve_ffd`), median "
        "of the timed calls after a first call on an 8-node instance (`compile`: numba compile or cache "
        "load)",
        "",
        "| method | compile s | median s | min s | max s | runs | placed | pending | `check` s | checked |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m, h in big.groupby("method", sort=False):
        comp = df[(df.method == m) & (df.run == "compile")].time
        first = h.iloc[0]
        lines.append(
            f"| {m} | {comp.iloc[0]:.3f} | {statistics.median(h.time):.3f} | {h.time.min():.3f} | "
            f"{h.time.max():.3f} | {len(h)} | {int(first.placed)} | {int(first.pending)} | "
            f"{first.check_time:.3f} | {bool(first.checked)} |"
        )
    lines.append("")
    return lines


# ----------------------------------------------------------------- report
def report(out: Path) -> None:
    results = out / "RESULTS.md"
    if not results.exists():
        results.write_text(
            "# Kubernetes pod packing benchmark\n\n"
            'The "Priority Matters" grid (Christensen, Giallorenzo & Mauro, arXiv 2511.08373, 2025) and the '
            "large case of issue 22. Each section below is written by "
            "`python benchmarks/pods/run.py --report` from the CSV files it names; see the docstring of "
            "`run.py` for the protocol.\n"
        )
    write_section(results, "pods-grid", grid_report(out))
    write_section(results, "pods-large", large_report(out))
    print(results.read_text())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["grid", "large"])
    ap.add_argument("--smoke", action="store_true", help="tiny grid and large runs into a temporary folder")
    ap.add_argument("--report", action="store_true", help="rewrite the RESULTS.md sections from the CSVs")
    ap.add_argument("--out", type=Path, default=HERE, help="folder of the CSV files and RESULTS.md")
    ap.add_argument("--seeds", type=int, default=1, help="grid: seeds 0..SEEDS-1 screened per grid point")
    ap.add_argument("--max-scenarios", type=int, default=72, help="grid: failing scenarios kept (0: all)")
    ap.add_argument("--mode", choices=["rerun", "fresh"], default="rerun", help="grid: see the docstring")
    ap.add_argument("--limits", type=float, nargs="+", default=[1.0, 10.0], help="grid: CP-SAT windows (s)")
    ap.add_argument("--workers", type=int, default=2, help="grid: CP-SAT workers")
    ap.add_argument(
        "--order", choices=["paper", "core"], default="paper", help="grid: the packer's stage order"
    )
    ap.add_argument("--nodes", type=int, nargs="+", default=list(GRID_NODES))
    ap.add_argument("--pods-per-node", type=int, nargs="+", default=list(GRID_PODS_PER_NODE))
    ap.add_argument("--tiers", type=int, nargs="+", default=list(GRID_TIERS))
    ap.add_argument("--util", type=float, nargs="+", default=list(GRID_UTIL))
    ap.add_argument("--dry-run", action="store_true", help="grid: list the scenarios to run, run nothing")
    ap.add_argument("--repeat", type=int, default=3, help="large: timed calls per method")
    ap.add_argument("--large-nodes", type=int, default=1000, help="large: nodes (with --large-pods-per-node)")
    ap.add_argument("--large-pods-per-node", type=int, default=10)
    a = ap.parse_args()
    a.command = "python benchmarks/pods/run.py " + " ".join(shlex.quote(x) for x in sys.argv[1:])
    if a.smoke:
        out = Path(tempfile.mkdtemp(prefix="pods-bench-"))
        t0 = time.perf_counter()
        a.nodes, a.pods_per_node, a.tiers, a.util = [4, 8], [4], [2], [1.05]
        a.seeds, a.max_scenarios, a.limits, a.dry_run = 1, 0, [0.2, 0.5], False
        part_grid(a, out)
        part_grid(a, out)  # resumed: nothing left to run
        a.large_nodes, a.large_pods_per_node, a.repeat = 50, 10, 1
        part_large(a, out)
        report(out)
        with open(out / "grid.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == 2 * (2 + len(a.limits)), len(rows)
        assert all(r["checked"] == "True" for r in rows), [r["error"] for r in rows]
        print(f"smoke: ok in {time.perf_counter() - t0:.1f} s, files in {out}")
        return
    if a.report:
        report(a.out)
        return
    if a.part is None:
        ap.error("pass --part, --smoke or --report")
    a.out.mkdir(parents=True, exist_ok=True)
    if a.part == "grid":
        part_grid(a, a.out)
        if a.dry_run:
            return
    else:
        part_large(a, a.out)
    report(a.out)


if __name__ == "__main__":
    main()
