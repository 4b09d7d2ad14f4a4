"""Quantum-network periodic scheduling benchmark (issue 23 item 6; Skrzypczyk & Wehner, arXiv 2111.13124).

Parts (all by default; each appends rows to its CSV in the output folder, skipping rows already there)::

    python benchmarks/quantum/run.py                 # sweep + surfnet, then RESULTS.md and the plot
    python benchmarks/quantum/run.py --part sweep    # (a) + (b): sweep.csv
    python benchmarks/quantum/run.py --part surfnet  # (d): surfnet.csv (--gml PATH for the real graph)
    python benchmarks/quantum/run.py --report        # RESULTS.md + fidelity_throughput.png from the CSVs
    python benchmarks/quantum/run.py --smoke         # < 20 s, into /tmp/quantum_smoke (not this folder)

**Sweep** (small topologies line-6, star-4, H-6, symmetric-8; NV 5 km links): for each coherence
setting (``none``: nominal fidelity, LinkScheduling's admission; ``nv``: decoherence while links
wait), fidelity floor 0.55 ... 0.85 (step 0.05), load (number of offered demands) and repetition, a
seeded random demand set is drawn (:func:`schedopt.families.quantum.suites.offered_demands`:
uniform end-node pairs, rates ``1 / (slot 2^i)``, ``i`` in 0..9). Each demand gets a protocol or is
rejected (fidelity / rate / qubits); the tasks with a protocol then go through

* admission control with each EDF variant (``single``, ``block``, ``nonblock``; demands added one at
  a time in the drawn order, kept when the whole set still meets every deadline), and
* the exact CP-SAT periodic model (non-block view, maximise admitted, then minimise jitter;
  ``--cp-limit`` seconds, 1 worker), hinted with the best EDF admission so it never starts below it.

Every schedule is re-checked with :func:`schedopt.check`: single/block admissions on the block
problem, non-block admissions and CP-SAT on the non-block verification problem (over the full
horizon), and every admitted task's delivered fidelity is recomputed
(:func:`schedopt.families.quantum.fidelity.check_fidelity`). A failed check is a row with
``check_ok = 0`` and is listed in RESULTS.md.

**SURFnet** (d): the 108-node network (the generated stand-in unless ``--gml`` is given), ``--surf-demands``
offered demands at floor 0.98 (coherence ``none``; with the single F = 0.999 link point NV decoherence
rejects almost every demand), admission control with each EDF variant, then the admitted set's EDF
schedule over its hyperperiod timed through ``schedopt.solve`` (after a warm-up; the numba compile time
of the EDF kernel is measured separately in a fresh process with an empty cache).
"""

from __future__ import annotations

import argparse
import csv
import datetime as _dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))

import schedopt  # noqa: E402
from schedopt import Schedule, check  # noqa: E402
from schedopt.families.quantum.admission import admission_control  # noqa: E402
from schedopt.families.quantum.exact import periodic_cpsat  # noqa: E402
from schedopt.families.quantum.fidelity import check_fidelity  # noqa: E402
from schedopt.families.quantum.metrics import network_metrics  # noqa: E402
from schedopt.families.quantum.network import topology  # noqa: E402
from schedopt.families.quantum.periodic import (  # noqa: E402
    PeriodicTask,
    nonblock_problem,
    nonblock_schedule,
    periodic_problem,
)
from schedopt.families.quantum.protocol import admit  # noqa: E402
from schedopt.families.quantum.suites import SMALL_TOPOLOGIES, coherence_of, offered_demands  # noqa: E402

FLOORS = (0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85)
LOADS = (2, 4, 8, 12, 16)
VARIANTS = ("single", "block", "nonblock")
METHODS = (*(f"edf-{v}" for v in VARIANTS), "cpsat")
SWEEP_FIELDS = [
    "coherence",
    "topology",
    "floor",
    "load",
    "rep",
    "seed",
    "method",
    "offered",
    "offered_rate",
    "with_protocol",
    "skipped",
    "admitted",
    "admitted_ratio",
    "throughput_ebit_s",
    "wcrt_slots",
    "jitter_slots",
    "min_fidelity_margin",
    "hyperperiod",
    "jobs",
    "check_ok",
    "fidelity_ok",
    "proven",
    "seconds",
]
SURF_FIELDS = [
    "network",
    "stand_in",
    "floor",
    "coherence",
    "offered",
    "with_protocol",
    "synth_seconds",
    "variant",
    "admitted",
    "admission_seconds",
    "hyperperiod",
    "jobs",
    "edf_seconds",
    "kernel_seconds",
    "check_seconds",
    "check_ok",
    "fidelity_ok",
    "throughput_ebit_s",
    "wcrt_slots",
    "jitter_slots",
]


# ------------------------------------------------------------------ CSV helpers (resumable)
def read_rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


class Appender:
    """Append rows to a CSV (header written once)."""

    def __init__(self, path: Path, fields: list[str]) -> None:
        self.path, self.fields = path, fields
        new = not path.exists() or path.stat().st_size == 0
        self.fh = path.open("a", newline="")
        self.w = csv.DictWriter(self.fh, fieldnames=fields)
        if new:
            self.w.writeheader()

    def write(self, row: dict[str, Any]) -> None:
        self.w.writerow({k: row.get(k) for k in self.fields})
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def sweep_key(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(str(row[k]) for k in ("coherence", "topology", "floor", "load", "rep", "method"))


# ------------------------------------------------------------------ verification
def horizon_task(h: int) -> PeriodicTask:
    """A dummy task of period ``h`` on its own qubit: appended to a subset of tasks, it makes
    :func:`nonblock_problem` / :func:`periodic_problem` cover the full horizon ``h`` (a schedule
    of the full task set's hyperperiod), with its one instance started at 0."""
    return PeriodicTask("horizon", h, 1, (("_horizon", 0, 1),))


def verify(
    tasks: list[PeriodicTask], admitted: list[int], starts: np.ndarray, task_of_job: np.ndarray, view: str
) -> bool:
    """Check the schedule of the admitted tasks (starts per job of the full problem, task-major).

    ``view="block"``: :func:`schedopt.check` on the block problem; ``"nonblock"``: on the non-block
    verification problem. The horizon is the full task set's hyperperiod (via :func:`horizon_task`).
    """
    if not admitted:
        return True
    periods = [t.period for t in tasks]
    h = int(np.lcm.reduce(np.array(periods, np.int64)))
    sub = [tasks[i] for i in sorted(admitted)] + [horizon_task(h)]
    sel = np.isin(task_of_job, sorted(admitted))
    s = np.concatenate([starts[sel], [0]]).astype(np.int64)
    if view == "block":
        prob = periodic_problem(sub)
        return check(prob, Schedule(s, s + prob.duration)) == []
    nb = nonblock_problem(sub, s)
    return check(nb, nonblock_schedule(nb, s)) == []


def fidelity_ok(tasks: list[PeriodicTask], admitted: list[int]) -> bool:
    return all(check_fidelity(tasks[i].shape, tasks[i].floor)[1] for i in admitted)


def expand(res: Any, tasks: list[PeriodicTask], full: Any) -> np.ndarray:
    """Starts per job of ``full`` (all tasks, its hyperperiod ``H``) from an admission result over
    the admitted set's hyperperiod ``H'`` (``H' | H``; the EDF schedule over ``[0, H')`` repeats,
    every instance ending by ``H'``); ``-1`` for tasks not admitted."""
    task = np.asarray(full.meta["task"], np.int64)
    kk = np.asarray(full.meta["instance"], np.int64)
    out = np.full(full.n_jobs, -1, np.int64)
    if res.problem is None:
        return out
    hs = int(res.problem.meta["hyperperiod"])
    sub_task = np.asarray(res.problem.meta["task"], np.int64)
    sub_k = np.asarray(res.problem.meta["instance"], np.int64)
    where = {(int(a), int(b)): j for j, (a, b) in enumerate(zip(sub_task, sub_k))}
    pos = {orig: s for s, orig in enumerate(res.admitted_index)}
    for j in range(full.n_jobs):
        i = int(task[j])
        if i not in pos:
            continue
        per = hs // tasks[i].period
        k = int(kk[j])
        out[j] = int(res.starts[where[(pos[i], k % per)]]) + (k // per) * hs
    return out


# ------------------------------------------------------------------ part (a) + (b): the sweep
def warm_up() -> None:
    """Load (or compile) the EDF kernel before anything is timed."""
    from schedopt.families.quantum.edf import edf_starts
    from schedopt.families.quantum.periodic import warmup_problem

    for v in VARIANTS:
        edf_starts(warmup_problem(), v)


def case_seed(topo: str, load: int, rep: int) -> int:
    return 7919 * SMALL_TOPOLOGIES.index(topo) + 101 * load + rep


def run_case(coh: str, topo: str, floor: float, load: int, rep: int, cp_limit: float) -> list[dict[str, Any]]:
    net = topology(topo)
    seed = case_seed(topo, load, rep)
    demands = offered_demands(net, load, floor, seed)
    coherence = coherence_of(coh)
    tasks: list[PeriodicTask] = []
    skipped: dict[str, int] = {}
    for j, d in enumerate(demands):
        a = admit(net, d, coherence=coherence)
        if a.admitted:
            tasks.append(PeriodicTask.from_shape(a.shape, name=f"D{j}: {d}"))
        else:
            skipped[a.reason] = skipped.get(a.reason, 0) + 1
    base = {
        "coherence": coh,
        "topology": topo,
        "floor": floor,
        "load": load,
        "rep": rep,
        "seed": seed,
        "offered": len(demands),
        "offered_rate": round(sum(d.rate for d in demands), 4),
        "with_protocol": len(tasks),
        "skipped": json.dumps(skipped, sort_keys=True),
    }
    rows: list[dict[str, Any]] = []
    if not tasks:
        for m in METHODS:
            rows.append(
                {
                    **base,
                    "method": m,
                    "admitted": 0,
                    "admitted_ratio": 0.0,
                    "throughput_ebit_s": 0.0,
                    "check_ok": 1,
                    "fidelity_ok": 1,
                    "seconds": 0.0,
                }
            )
        return rows
    full = periodic_problem(tasks)
    task_of_job = np.asarray(full.meta["task"], np.int64)
    best_hint, best_n = None, -1
    for v in VARIANTS:
        t0 = time.perf_counter()
        res = admission_control(tasks, variant=v)
        dt = time.perf_counter() - t0
        adm = list(res.admitted_index)
        starts = expand(res, tasks, full)
        ok = verify(tasks, adm, starts, task_of_job, "nonblock" if v == "nonblock" else "block")
        if res.problem is not None and v != "nonblock":  # also on the admission's own problem
            ok = ok and check(res.problem, Schedule(res.starts, res.starts + res.problem.duration)) == []
        met = network_metrics(full, starts, offered=len(demands))
        if len(adm) > best_n:
            best_n, best_hint = len(adm), starts
        rows.append(_metric_row(base, f"edf-{v}", met, tasks, adm, ok, None, dt))
    t0 = time.perf_counter()
    raw = periodic_cpsat(full, view="nonblock", time_limit=cp_limit, workers=1, seed=0, hint=best_hint)
    dt = time.perf_counter() - t0
    if raw["starts"] is None:  # no solution within the limit: nothing admitted by CP-SAT
        starts, adm = np.full(full.n_jobs, -1, np.int64), []
    else:
        starts, adm = np.asarray(raw["starts"], np.int64), list(raw["admitted"])
    ok = verify(tasks, adm, starts, task_of_job, "nonblock")
    met = network_metrics(full, starts, offered=len(demands))
    rows.append(_metric_row(base, "cpsat", met, tasks, adm, ok, bool(raw.get("admission_optimal")), dt))
    return rows


def _metric_row(
    base: dict[str, Any],
    method: str,
    met: dict[str, Any],
    tasks: list[PeriodicTask],
    adm: list[int],
    ok: bool,
    proven: bool | None,
    seconds: float,
) -> dict[str, Any]:
    """A sweep row; the fidelity margin and check cover the admitted tasks only."""
    margin = min((tasks[i].fidelity - tasks[i].floor for i in adm), default=None)
    return {
        **base,
        "method": method,
        "admitted": met["admitted"],
        "admitted_ratio": round(met["admitted_ratio"], 4),
        "throughput_ebit_s": round(met["throughput_ebit_s"], 4),
        "wcrt_slots": met["wcrt_slots"] if met["admitted"] else None,
        "jitter_slots": met["jitter_slots"] if met["admitted"] else None,
        "min_fidelity_margin": None if margin is None else round(margin, 5),
        "hyperperiod": met["hyperperiod_slots"],
        "jobs": int(sum(met["hyperperiod_slots"] // t.period for t in tasks)),
        "check_ok": int(ok),
        "fidelity_ok": int(fidelity_ok(tasks, adm)),
        "proven": "" if proven is None else int(proven),
        "seconds": round(seconds, 4),
    }


def part_sweep(
    out: Path,
    cohs: list[str],
    topos: list[str],
    floors: list[float],
    loads: list[int],
    reps: int,
    cp_limit: float,
) -> None:
    path = out / "sweep.csv"
    done = {sweep_key(r) for r in read_rows(path)}
    warm_up()
    app = Appender(path, SWEEP_FIELDS)
    n_cases = n_run = 0
    t0 = time.perf_counter()
    try:
        for coh in cohs:
            for topo in topos:
                for floor in floors:
                    for load in loads:
                        for rep in range(reps):
                            n_cases += 1
                            keys = [
                                sweep_key(
                                    {
                                        "coherence": coh,
                                        "topology": topo,
                                        "floor": floor,
                                        "load": load,
                                        "rep": rep,
                                        "method": m,
                                    }
                                )
                                for m in METHODS
                            ]
                            if all(k in done for k in keys):
                                continue
                            n_run += 1
                            for row in run_case(coh, topo, floor, load, rep, cp_limit):
                                if sweep_key(row) not in done:
                                    app.write(row)
                print(
                    f"sweep {coh}: {n_cases} cases ({n_run} run) {time.perf_counter() - t0:.0f} s", flush=True
                )
    finally:
        app.close()


# ------------------------------------------------------------------ part (d): SURFnet
def compile_seconds() -> float:
    """Seconds of the first EDF kernel call in a fresh process with an empty numba cache."""
    code = (
        "import time;from schedopt.families.quantum.periodic import warmup_problem;"
        "from schedopt.families.quantum.edf import edf_starts;p=warmup_problem();"
        "t=time.perf_counter();edf_starts(p,'nonblock');print(time.perf_counter()-t)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "NUMBA_CACHE_DIR": tmp}
        r = subprocess.run(
            [sys.executable, "-c", code],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            cwd=str(HERE.parents[1]),
        )
    return float(r.stdout.strip().splitlines()[-1])


def part_surfnet(out: Path, n_demands: int, gml: str | None, floor: float, seed: int) -> None:
    path = out / "surfnet.csv"
    net = topology("surfnet", path=gml)
    tag = net.name if not net.meta.get("stand_in") else "surfnet-standin"
    done = {(r["network"], r["offered"], r["floor"], r["variant"]) for r in read_rows(path)}
    todo = [v for v in VARIANTS if (tag, str(n_demands), str(floor), v) not in done]
    if not todo:
        return
    t0 = time.perf_counter()
    demands = offered_demands(net, n_demands, floor, seed)
    tasks = []
    for j, d in enumerate(demands):
        a = admit(net, d, coherence=None)
        if a.admitted:
            tasks.append(PeriodicTask.from_shape(a.shape, name=f"D{j}: {d}"))
    synth = time.perf_counter() - t0
    from schedopt.families.quantum.periodic import warmup_problem

    for v in VARIANTS:  # warm-up: numba kernels loaded (from cache) before timing
        schedopt.solve(warmup_problem(), f"edf-{v}")
    app = Appender(path, SURF_FIELDS)
    try:
        for v in todo:
            t1 = time.perf_counter()
            res = admission_control(tasks, variant=v)
            adm_s = time.perf_counter() - t1
            prob = res.problem
            t2 = time.perf_counter()
            r = (
                schedopt.solve(prob, f"edf-{v}", verify=False)
                if v == "nonblock"
                else schedopt.solve(prob, f"edf-{v}")
            )
            edf_s = time.perf_counter() - t2
            starts = np.asarray(r.info["starts"], np.int64)
            t3 = time.perf_counter()
            if v == "nonblock":
                nb = nonblock_problem(res.admitted, starts)
                ok = check(nb, nonblock_schedule(nb, starts)) == []
            else:
                ok = r.schedule is not None and check(prob, r.schedule) == []
            chk = time.perf_counter() - t3
            met = network_metrics(prob, starts, offered=len(demands))
            app.write(
                {
                    "network": tag,
                    "stand_in": int(bool(net.meta.get("stand_in"))),
                    "floor": floor,
                    "coherence": "none",
                    "offered": n_demands,
                    "with_protocol": len(tasks),
                    "synth_seconds": round(synth, 3),
                    "variant": v,
                    "admitted": len(res.admitted),
                    "admission_seconds": round(adm_s, 4),
                    "hyperperiod": int(prob.meta["hyperperiod"]),
                    "jobs": prob.n_jobs,
                    "edf_seconds": round(edf_s, 5),
                    "kernel_seconds": round(float(r.info["kernel_seconds"]), 6),
                    "check_seconds": round(chk, 4),
                    "check_ok": int(ok),
                    "fidelity_ok": int(all(check_fidelity(t.shape, t.floor)[1] for t in res.admitted)),
                    "throughput_ebit_s": round(met["throughput_ebit_s"], 3),
                    "wcrt_slots": met["wcrt_slots"],
                    "jitter_slots": met["jitter_slots"],
                }
            )
            print(f"surfnet edf-{v}: admitted {len(res.admitted)}/{n_demands}, EDF {edf_s:.4f} s", flush=True)
    finally:
        app.close()
    comp = out / "compile.csv"
    with comp.open("w") as fh:
        fh.write("kernel,first_call_seconds_empty_cache\n")
        fh.write(f"edf_kernel,{compile_seconds():.3f}\n")


# ------------------------------------------------------------------ report
def machine() -> str:
    import numba
    import ortools

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}, "
        f"numba {numba.__version__}, OR-Tools {ortools.__version__}; 1-min load average at report time "
        f"{load:.2f}"
    )


def plot(df: Any, out: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(16, 3.8), sharey=False)
    styles = {"none": "-", "nv": "--"}
    colors = {
        "edf-single": "tab:gray",
        "edf-block": "tab:blue",
        "edf-nonblock": "tab:orange",
        "cpsat": "tab:green",
    }
    for ax, topo in zip(axes, SMALL_TOPOLOGIES):
        sub = df[df.topology == topo]
        for (coh, m), g in sub.groupby(["coherence", "method"]):
            y = g.groupby("floor").throughput_ebit_s.mean()
            ax.plot(
                y.index,
                y.values,
                styles.get(coh, ":"),
                color=colors[m],
                marker="o",
                ms=3,
                label=f"{m} ({coh})",
            )
        ax.set_title(topo)
        ax.set_xlabel("fidelity floor F_min")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("throughput (ebit/s), mean over demand sets")
    seen: dict[str, Any] = {}
    for ax in axes:
        for hnd, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, hnd)
    if seen:
        axes[-1].legend(list(seen.values()), list(seen), fontsize=7, loc="upper right")
    fig.suptitle("Fidelity-throughput trade-off (solid: nominal fidelity; dashed: NV decoherence)")
    fig.tight_layout()
    png = out / "fidelity_throughput.png"
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png


def cp_limit_note(df: Any) -> str:
    """The largest CP-SAT time per demand set, as a hint of the limit used."""
    t = df[df.method == "cpsat"].seconds
    return f"slowest CP-SAT run {t.max():.2f} s" if len(t) else "n/a"


NOTES = """## Notes and deviations

* **Load** is the number of offered demands per set (LinkScheduling sweeps an offered rate in ebit/s);
  each demand's rate is drawn from 1/(0.01 s 2^i), i = 0..9, so periods are 1-512 slots and hyperperiods
  stay <= 512 slots. Rates of 25-100 pairs/s are above what most multi-hop paths give, so many demands are
  rejected at protocol synthesis (reason `rate`) before any scheduling: the `protocol` column.
* **Admission**: EDF admission adds demands one at a time in drawn order and keeps one only if the whole
  set still meets every deadline (greedy, order-dependent: a variant that is more permissive on one set
  can admit fewer demands overall). CP-SAT maximises the number admitted over the whole set in the
  non-block view; it is hinted with the best EDF admission (expanded to the full hyperperiod), so it
  starts from that count; the violation count checks that this held.
* **Checks**: block schedules on the block problem; non-block ones on the non-block verification problem
  (one job per qubit occupation, pinned), over the full task set's hyperperiod (a dummy task of that
  period on its own qubit fixes the horizon when the admitted subset has a shorter hyperperiod). With
  `coherence=none` the fidelity check is the nominal (no-decoherence) fidelity of the protocol, as
  LinkScheduling admits; with `nv` it includes decoherence while links wait.
* **CP-SAT's objective** is the number of admitted demands, then the jitter; not throughput nor
  response time. It may admit two low-rate demands instead of one high-rate one, so its throughput can be
  below an EDF variant's while it admits more demands, and its WCRT is higher while its jitter is lower.
* **Throughput is dominated by a few high-rate demands** (a 50 pairs/s demand on one 5 km hop outweighs
  ten slow multi-hop ones), and admission is greedy in drawn order. So throughput is not monotone in
  the floor or the coherence setting: on line-6 at F_min 0.6 NV decoherence rejects slow multi-hop demands
  that, judged nominally, are admitted first and then block a later 50 pairs/s demand (e.g. load 4, rep 1:
  nominal admits 3 demands, 1.17 ebit/s; NV admits 2, 50.8 ebit/s), hence the dashed lines above the solid.
* **Throughput** counts one delivered pair per scheduled instance (distillation assumed to succeed, as
  in LinkScheduling); WCRT and jitter are in 10 ms slots, over the admitted demands of a set.
"""


def report(out: Path, command: str) -> str:
    import pandas as pd

    lines = ["# Quantum-network periodic scheduling benchmark", ""]
    info_path = out / "run_info.json"
    if info_path.exists():  # the last run that computed rows (a --report call keeps it)
        info = json.loads(info_path.read_text())
        command = info["command"]
        lines += [
            f"**Last run:** started {info['started_utc']} UTC, wall time {info['wall_seconds']:.0f} s "
            f"(numba kernels already in the disk cache), 1-min load average at its end "
            f"{info['load_average_1min_at_end']}.",
            "",
        ]
    lines += [
        f"**Date:** {_dt.datetime.now(_dt.UTC).strftime('%Y-%m-%d %H:%M UTC')} (report written). "
        f"**Machine:** {machine()}.",
        "",
        f"**Command:** `{command}` (with `SCHEDOPT_DATA=/work/shared/data`; "
        "`python benchmarks/quantum/run.py --report` rewrites this file from the CSVs). "
        "Model, methods and checks: see the docstring of `benchmarks/quantum/run.py`; "
        "Skrzypczyk & Wehner (arXiv 2111.13124) as `mdskrzypczyk/LinkScheduling` runs it.",
        "",
    ]
    sw = out / "sweep.csv"
    if sw.exists():
        df = pd.read_csv(sw)
        n_cases = len(df.groupby(["coherence", "topology", "floor", "load", "rep"]))
        lines += [
            "## Sample",
            "",
            f"{n_cases} demand sets: coherence {', '.join(sorted(df.coherence.unique()))} x topologies "
            f"{', '.join(df.topology.unique())} x floors "
            f"{', '.join(f'{f:g}' for f in sorted(df.floor.unique()))}"
            f" x loads (offered demands) {', '.join(str(x) for x in sorted(df.load.unique()))} x "
            f"{df.rep.nunique()} repetitions; rates 1/(0.01 s 2^i), i = 0..9. "
            "`coherence=none` judges the nominal fidelity (LinkScheduling's admission); `nv` adds "
            "decoherence while links wait (NV: 1.46 s comm, 1 s storage). Admission order: as drawn.",
            "",
            "## Verification",
            "",
        ]
        bad = df[(df.check_ok != 1) | (df.fidelity_ok != 1)]
        lines.append(
            f"{len(df)} schedules (one per demand set and method) re-checked with `schedopt.check` "
            f"(block problem for edf-single/-block, non-block verification problem for edf-nonblock and "
            f"CP-SAT) and the fidelity check of every admitted task: **{len(bad)} failures**."
        )
        for _, r in bad.head(20).iterrows():
            lines.append(f"- FAILED {r.coherence} {r.topology} F={r.floor} L={r.load} rep {r.rep} {r.method}")
        lines += ["", "## (a) Sweep: admitted ratio and throughput per fidelity floor", ""]
        for coh, dc in df.groupby("coherence"):
            lines += [
                f"### coherence = {coh}",
                "",
                "Mean over loads and repetitions. `protocol` = share of offered demands with a protocol; "
                "then admitted ratio (admitted / offered) and throughput (ebit/s) per method.",
                "",
                "| topology | F_min | protocol | "
                + " | ".join(f"adm {m}" for m in METHODS)
                + " | "
                + " | ".join(f"thr {m}" for m in METHODS)
                + " |",
                "|---" * (3 + 2 * len(METHODS)) + "|",
            ]
            for (topo, floor), g in dc.groupby(["topology", "floor"], sort=False):
                piv = g.groupby("method")
                prot = (g.with_protocol / g.offered).groupby(g.method).mean().iloc[0]
                adm = piv.admitted_ratio.mean()
                thr = piv.throughput_ebit_s.mean()
                lines.append(
                    f"| {topo} | {floor:.2f} | {prot:.2f} | "
                    + " | ".join(f"{adm.get(m, float('nan')):.2f}" for m in METHODS)
                    + " | "
                    + " | ".join(f"{thr.get(m, float('nan')):.2f}" for m in METHODS)
                    + " |"
                )
            lines.append("")
        lines += [
            "### WCRT, jitter and time per method (slots of 10 ms; over demand sets with an admitted demand)",
            "",
            "| coherence | topology | method | mean WCRT | max WCRT | mean jitter | max jitter "
            "| mean s | max s |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for (coh, topo, m), g in df.groupby(["coherence", "topology", "method"], sort=False):
            h = g[g.admitted > 0]
            if not len(h):
                continue
            lines.append(
                f"| {coh} | {topo} | {m} | {h.wcrt_slots.mean():.1f} | {h.wcrt_slots.max():.0f} | "
                f"{h.jitter_slots.mean():.1f} | {h.jitter_slots.max():.0f} | {g.seconds.mean():.3f} | "
                f"{g.seconds.max():.3f} |"
            )
        lines += [
            "",
            "### Admitted ratio by load (all topologies and floors)",
            "",
            "| coherence | load | " + " | ".join(METHODS) + " |",
            "|---" * (2 + len(METHODS)) + "|",
        ]
        for (coh, load), g in df.groupby(["coherence", "load"]):
            a = g.groupby("method").admitted_ratio.mean()
            lines.append(
                f"| {coh} | {load} | " + " | ".join(f"{a.get(m, float('nan')):.3f}" for m in METHODS) + " |"
            )
        # (b) CP-SAT vs best EDF
        piv = df.pivot_table(
            index=["coherence", "topology", "floor", "load", "rep"],
            columns="method",
            values="admitted",
            aggfunc="first",
        )
        proven = df[df.method == "cpsat"].set_index(["coherence", "topology", "floor", "load", "rep"]).proven
        best = piv[[f"edf-{v}" for v in VARIANTS]].max(axis=1)
        diff = piv["cpsat"] - best
        with_tasks = df[df.method == "cpsat"].set_index(["coherence", "topology", "floor", "load", "rep"])
        nontriv = with_tasks.with_protocol >= 2
        viol = diff[diff < 0]
        more = diff[diff > 0]
        lines += [
            "",
            "## (b) EDF variants against CP-SAT (admitted demands per demand set)",
            "",
            f"Cases: {len(diff)} ({int(nontriv.sum())} with at least two demands that have a protocol). "
            f"CP-SAT (non-block view, hinted with the best EDF admission) admits **more** than the best EDF "
            f"variant in **{len(more)}** cases ({100 * len(more) / max(len(diff), 1):.1f} %), by "
            f"{more.mean() if len(more) else 0:.2f} demands on average "
            f"(max {int(more.max()) if len(more) else 0}); "
            f"the same number in {int((diff == 0).sum())}. **Violations (CP-SAT below the best EDF): "
            f"{len(viol)}**. CP-SAT proved its admission optimal in {int((proven == 1).sum())} of the "
            f"{int(proven.notna().sum())} cases with a demand that has a protocol "
            f"({cp_limit_note(df)}; limit `--cp-limit`).",
            "",
            "| coherence | cases | CP-SAT > best EDF | mean excess | max excess | "
            + " | ".join(f"CP-SAT > {m}" for m in METHODS[:3])
            + " | proven |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for coh in piv.index.get_level_values(0).unique():
            p = piv.loc[coh]
            d = diff.loc[coh]
            mo = d[d > 0]
            lines.append(
                f"| {coh} | {len(d)} | {len(mo)} | {mo.mean() if len(mo) else 0:.2f} | "
                f"{int(mo.max()) if len(mo) else 0} | "
                + " | ".join(str(int((p["cpsat"] > p[m]).sum())) for m in METHODS[:3])
                + f" | {int((proven.loc[coh] == 1).sum())} |"
            )
        for idx in viol.head(20).index:
            lines.append(
                f"- VIOLATION {idx}: CP-SAT {int(piv.loc[idx, 'cpsat'])} < best EDF {int(best.loc[idx])}"
            )
        png = plot(df, out)
        lines += [
            "",
            "## (c) Fidelity-throughput trade-off",
            "",
            f"![fidelity-throughput]({png.name})",
            "",
            "Mean throughput of the admitted set (ebit/s) against the fidelity floor, per topology and "
            "method; solid lines judge nominal fidelity, dashed lines NV decoherence.",
        ]
    sf = out / "surfnet.csv"
    if sf.exists():
        ds = pd.read_csv(sf)
        lines += [
            "",
            "## (d) EDF on the 108-node SURFnet",
            "",
            "Network: "
            + ", ".join(
                f"`{n}` ("
                + ("generated stand-in with SURFnet counts, NOT the real topology" if s else "GML file")
                + ")"
                for n, s in ds[["network", "stand_in"]].drop_duplicates().itertuples(index=False)
            )
            + ". Single link point F 0.999 @ 1400 pairs/s; coherence none. `edf s` is `schedopt.solve` "
            "of the admitted set's problem over its hyperperiod (after warm-up); `kernel s` the numba "
            "kernel alone; the check is timed apart. Target: EDF <= 1 s.",
            "",
            "| network | F_min | offered | with protocol | variant | admitted | H (slots) | jobs | "
            "admission s | edf s | kernel s | check s | check | fidelity | ebit/s | WCRT | jitter |",
            "|---" * 17 + "|",
        ]
        for _, r in ds.iterrows():
            lines.append(
                f"| {r.network} | {r.floor} | {r.offered} | {r.with_protocol} | edf-{r.variant} "
                f"| {r.admitted} | {r.hyperperiod} | {r.jobs} | {r.admission_seconds:.3f} "
                f"| {r.edf_seconds:.4f} | "
                f"{r.kernel_seconds:.5f} | {r.check_seconds:.3f} | {'ok' if r.check_ok else 'FAIL'} | "
                f"{'ok' if r.fidelity_ok else 'FAIL'} | {r.throughput_ebit_s:.1f} | {r.wcrt_slots} | "
                f"{r.jitter_slots} |"
            )
        comp = out / "compile.csv"
        if comp.exists():
            c = pd.read_csv(comp)
            lines.append(
                f"\nEDF kernel compile (first call in a fresh process, empty numba cache): "
                f"{c.first_call_seconds_empty_cache.iloc[0]:.2f} s (not included above)."
            )
        lines.append(f"Synthesis of the offered demands: {ds.synth_seconds.iloc[0]:.2f} s.")
    lines += ["", NOTES]
    text = "\n".join(lines) + "\n"
    (out / "RESULTS.md").write_text(text)
    return text


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=["sweep", "surfnet"], help="run one part (default: both)")
    ap.add_argument(
        "--report", action="store_true", help="only rewrite RESULTS.md and the plot from the CSVs"
    )
    ap.add_argument(
        "--smoke", action="store_true", help="tiny run (< 20 s) into --out (default /tmp/quantum_smoke)"
    )
    ap.add_argument("--out", type=Path, default=None, help="output folder (default: this folder)")
    ap.add_argument("--coherence", nargs="+", default=["none", "nv"], choices=["none", "nv"])
    ap.add_argument("--topologies", nargs="+", default=list(SMALL_TOPOLOGIES), choices=list(SMALL_TOPOLOGIES))
    ap.add_argument("--floors", type=float, nargs="+", default=list(FLOORS))
    ap.add_argument("--loads", type=int, nargs="+", default=list(LOADS), help="offered demands per set")
    ap.add_argument("--reps", type=int, default=3, help="demand sets per (topology, floor, load)")
    ap.add_argument("--cp-limit", type=float, default=2.0, help="CP-SAT seconds per demand set (1 worker)")
    ap.add_argument("--surf-demands", type=int, default=200, help="offered demands on SURFnet")
    ap.add_argument("--surf-floor", type=float, default=0.98)
    ap.add_argument("--gml", default=None, help="SURFnet GML file (default: the generated stand-in)")
    args = ap.parse_args()
    out = args.out or (Path("/tmp/quantum_smoke") if args.smoke else HERE)
    out.mkdir(parents=True, exist_ok=True)
    command = " ".join(["python benchmarks/quantum/run.py", *sys.argv[1:]])
    if args.smoke:
        args.coherence, args.floors, args.loads, args.reps = ["none"], [0.6, 0.8], [3], 1
        args.surf_demands, args.cp_limit = 30, 1.0
    t0 = time.perf_counter()
    started = _dt.datetime.now(_dt.UTC)
    if not args.report:
        if args.part in (None, "sweep"):
            part_sweep(
                out, args.coherence, args.topologies, args.floors, args.loads, args.reps, args.cp_limit
            )
        if args.part in (None, "surfnet"):
            part_surfnet(out, args.surf_demands, args.gml, args.surf_floor, seed=0)
        info = {
            "command": command,
            "started_utc": started.strftime("%Y-%m-%d %H:%M:%S"),
            "wall_seconds": round(time.perf_counter() - t0, 1),
            "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        }
        (out / "run_info.json").write_text(json.dumps(info, indent=1) + "\n")
    report(out, command)
    print(f"done in {time.perf_counter() - t0:.1f} s; wrote {out / 'RESULTS.md'}", flush=True)


if __name__ == "__main__":
    main()
