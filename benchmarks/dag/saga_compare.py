"""schedopt's HEFT and CPOP against anrg-saga's HEFT and CPoP on the same related-machine instances.

    python benchmarks/dag/saga_compare.py [--repeat 3] [--out benchmarks/dag] [--smoke]

One run, side by side, on every instance: schedopt ``heft`` with ``averaging="saga"`` and
``averaging="pairs"`` (Topcuoglu's), ``cpop`` with both averagings, and saga's ``HeftScheduler``
and ``CpopScheduler`` (``anrg-saga``, imported, never copied).

Instances (seeded, :func:`instances`) are related machines whose times are whole numbers in both
models: node speeds in {1, 2, 4}, task work a multiple of 4 (so ``work / speed`` is an integer),
one link speed 1 between distinct nodes (so a transfer takes ``size``), integer sizes. Shapes:
saga's synthetic data sets (in-trees and out-trees of 2-4 levels and branching 2-3, 2-5 parallel
chains of 2-5 tasks, on 3-5 nodes; work and sizes drawn around a mean with sd mean/3 as saga
draws them) and Topcuoglu-like layered random DAGs (v tasks, shape alpha, out-degree, CCR) on
3-5 and on 16 nodes, plus 100- and 1,000-task ones for the timing.

Each instance becomes two schedopt problems (one machine per saga node, ``schedopt.dag``):

* *natural*: tasks and machines numbered as generated (schedopt adds its own source/sink);
* *aligned*: read back from saga's objects, tasks numbered in saga's topological order
  (``TaskGraph.topological_sort``) and machines in the iteration order of its nodes'
  ``frozenset`` (names kept). saga breaks rank ties by that topological order and EFT ties by the
  first node of the ``frozenset``; schedopt by its own topological order (Kahn's, lowest ready
  index first: here the identity) and the lower machine index, so with this numbering both rules
  see the same orders. It is the same instance, only renumbered.

Every schedopt schedule passes ``schedopt.check``; every saga schedule is converted to a
``schedopt.Schedule`` of the natural problem and checked too (an independent check of saga).
Times are medians over ``--repeat`` calls, after a first call that loads or compiles the numba
kernels (reported apart); saga's ``lru_cache``\\ d ranks are cleared before each of its calls.
``PYTHONHASHSEED`` is fixed (0) so that saga's set orders, and hence the natural-numbering
figures, are reproducible. Writes ``saga_compare.csv`` and the ``saga`` section of ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parents[1] / "benchmarks" / "core"))
sys.path.insert(0, str(HERE))

from _env import ensure_results, machine_lines, timed  # noqa: E402
from _sections import write_section  # noqa: E402

import schedopt  # noqa: E402
from schedopt.families.dag.heuristics import solve_cpop, solve_heft  # noqa: E402

SPEEDS = (1, 2, 4)


@dataclass
class Instance:
    """A related-machine DAG instance: integer work per task, speed per node, edges ``(i, j, size)``."""

    set: str
    name: str
    work: np.ndarray
    speed: np.ndarray
    edges: list[tuple[int, int, int]]
    ccr: float
    timed: bool = False
    meta: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------- generators
def _work(rng: np.random.Generator, n: int) -> np.ndarray:
    """Multiples of 4 in 4..40, around 20 with sd 20/3 (saga: mean 1, sd 1/3, clipped to (0, 2])."""
    return 4 * np.clip(np.rint(rng.normal(5, 5 / 3, n)), 1, 10).astype(np.int64)


def _sizes(rng: np.random.Generator, k: int, mean: float) -> np.ndarray:
    """Integer transfer sizes around ``mean`` with sd ``mean / 3``, clipped to ``[0, 2 mean]``."""
    return np.clip(np.rint(rng.normal(mean, mean / 3, k)), 0, max(1, round(2 * mean))).astype(np.int64)


def _finish(
    rng: np.random.Generator, set_: str, name: str, n: int, arcs: list[tuple[int, int]], m: int, ccr: float
) -> Instance:
    work = _work(rng, n)
    speed = rng.choice(SPEEDS, m).astype(np.int64)
    mean_exec = float(work.mean() * np.mean(1.0 / speed))
    sizes = _sizes(rng, len(arcs), ccr * mean_exec)
    edges = [(i, j, int(s)) for (i, j), s in zip(arcs, sizes)]
    return Instance(set_, name, work, speed, edges, ccr)


def out_tree_arcs(levels: int, branching: int) -> tuple[int, list[tuple[int, int]]]:
    """A complete out-tree: the root, then ``branching`` children per task, ``levels`` levels."""
    arcs, frontier, n = [], [0], 1
    for _ in range(levels - 1):
        nxt = []
        for parent in frontier:
            for _ in range(branching):
                arcs.append((parent, n))
                nxt.append(n)
                n += 1
        frontier = nxt
    return n, arcs


def chain_arcs(lengths: list[int]) -> tuple[int, list[tuple[int, int]]]:
    """Parallel chains of the given lengths."""
    arcs, n = [], 0
    for length in lengths:
        arcs += [(n + k, n + k + 1) for k in range(length - 1)]
        n += length
    return n, arcs


def layered_arcs(rng: np.random.Generator, n: int, alpha: float, out_degree: int) -> list[tuple[int, int]]:
    """A Topcuoglu-like random layered DAG on tasks ``0..n-1``.

    Height ``round(sqrt(n) / alpha)`` (at least 2), level widths random (multinomial, at least 1 each);
    each task below the top gets one predecessor in the level above; each task above the bottom gets
    ``0..out_degree - 1`` further successors, in the next level (probability 3/4) or a lower one.
    """
    h = max(2, min(n, round(np.sqrt(n) / alpha)))
    width = rng.multinomial(n - h, np.full(h, 1 / h)) + 1
    first = np.concatenate([[0], np.cumsum(width)])
    level = np.repeat(np.arange(h), width)
    arcs: set[tuple[int, int]] = set()
    for j in range(first[1], n):
        lv = level[j]
        arcs.add((int(rng.integers(first[lv - 1], first[lv])), j))
    for i in range(first[h - 1]):
        lv = level[i]
        for _ in range(int(rng.integers(0, out_degree))):
            to = lv + 1 if (rng.random() < 0.75 or lv + 1 == h - 1) else int(rng.integers(lv + 2, h))
            arcs.add((i, int(rng.integers(first[to], first[to + 1]))))
    return sorted(arcs)


def instances(smoke: bool, seed: int = 2026) -> list[Instance]:
    """The instance sets (fewer and smaller with ``smoke``)."""
    rng = np.random.default_rng(seed)
    k_saga, k_layered, k_100, k_1000 = (4, 4, 1, 0) if smoke else (100, 50, 10, 3)
    out: list[Instance] = []
    for kind in ("in_trees", "out_trees", "chains"):
        for k in range(k_saga):
            m = int(rng.integers(3, 6))
            if kind == "chains":
                n, arcs = chain_arcs([int(x) for x in rng.integers(2, 6, int(rng.integers(2, 6)))])
            else:
                n, arcs = out_tree_arcs(int(rng.integers(2, 5)), int(rng.integers(2, 4)))
                if kind == "in_trees":
                    arcs = [(j, i) for i, j in arcs]
            out.append(_finish(rng, kind, f"{kind}-{k}", n, arcs, m, 1.0))
    for set_, machines in (("layered-m3to5", None), ("layered-m16", 16)):
        for k in range(k_layered):
            m = machines or int(rng.integers(3, 6))
            n = int(rng.integers(20, 101))
            alpha, deg = float(rng.choice([0.5, 1.0, 2.0])), int(rng.integers(1, 6))
            ccr = float(rng.choice([0.1, 0.5, 1.0, 5.0, 10.0]))
            inst = _finish(rng, set_, f"{set_}-{k}", n, layered_arcs(rng, n, alpha, deg), m, ccr)
            inst.meta = {"alpha": alpha, "out_degree": deg}
            out.append(inst)
    for n, count in ((100, k_100), (1000, k_1000)):
        for k in range(count):
            m = 16 if k % 2 == 0 else 4
            inst = _finish(rng, f"time-n{n}", f"time-n{n}-{k}", n, layered_arcs(rng, n, 1.0, 4), m, 1.0)
            inst.timed, inst.meta = True, {"alpha": 1.0, "out_degree": 4}
            out.append(inst)
    return out


# -------------------------------------------------------------------------------------- conversions
def to_saga(inst: Instance) -> tuple[object, object]:
    """saga's ``(Network, TaskGraph)``: nodes ``m0..``, complete links of speed 1, tasks named by index."""
    from saga import Network, TaskGraph

    m = len(inst.speed)
    net = Network.create(
        [(f"m{k}", float(s)) for k, s in enumerate(inst.speed)],
        [(f"m{a}", f"m{b}", 1.0) for a in range(m) for b in range(a + 1, m)],
    )
    graph = TaskGraph.create(
        [(str(i), float(w)) for i, w in enumerate(inst.work)],
        [(str(i), str(j), float(s)) for i, j, s in inst.edges],
    )
    return net, graph


def _durations(work: np.ndarray, speed: np.ndarray) -> np.ndarray:
    assert (work[:, None] % speed[None, :] == 0).all(), "work / speed must be whole"
    return work[:, None] // speed[None, :]


def natural_problem(inst: Instance) -> schedopt.Problem:
    """The instance as generated: task ``i`` is task ``i``, machine ``k`` is node ``m{k}``."""
    return schedopt.dag(_durations(inst.work, inst.speed), inst.edges, name=inst.name)


def aligned_problem(net: object, graph: object) -> tuple[schedopt.Problem, list[str], list[str]]:
    """saga's objects read back in saga's orders (module docstring): ``(problem, task names, node names)``."""
    tasks = graph.topological_sort()
    nodes = list(net.nodes)
    index = {t.name: k for k, t in enumerate(tasks)}
    work = np.array([round(t.cost) for t in tasks], np.int64)
    speed = np.array([round(v.speed) for v in nodes], np.int64)
    edges = [(index[d.source], index[d.target], round(d.size)) for d in graph.dependencies]
    p = schedopt.dag(_durations(work, speed), edges, add_terminals=False)
    names = [t.name for t in tasks]
    return p.replace(names=names), names, [v.name for v in nodes]


def saga_to_schedule(problem: schedopt.Problem, sched: object) -> schedopt.Schedule:
    """saga's ``Schedule`` as a ``schedopt.Schedule`` of the natural problem (times must be whole)."""
    n = problem.n_jobs
    terminals = problem.meta.get("terminals", {})
    index = {str(j): j for j in range(problem.meta.get("original_tasks", n))}
    index.update({f"__super_{k}__": v for k, v in terminals.items()})
    start, end, machine = np.full(n, -1, np.int64), np.full(n, -1, np.int64), np.full(n, -1, np.int64)
    for node, tasks in sched.items():
        for t in tasks:
            j = index[t.name]
            for arr, x in ((start, t.start), (end, t.end)):
                if abs(x - round(x)) > 1e-9:
                    raise AssertionError(f"saga time {x} of task {t.name} is not whole")
                arr[j] = round(x)
            machine[j] = int(node[1:])
    return schedopt.Schedule(start, end, machine)


# ------------------------------------------------------------------------------------------------ runs
METHODS = ("heft_saga", "heft_pairs", "cpop_saga", "cpop_pairs")
COLUMNS = (
    ["set", "instance", "tasks", "machines", "edges", "ccr", "speeds"]
    + ["heft_saga_aligned", "heft_saga", "heft_pairs", "cpop_saga_aligned", "cpop_saga", "cpop_pairs"]
    + ["saga_heft", "saga_cpop", "saga_heft_valid", "saga_cpop_valid", "saga_heft_near_ties"]
    + ["saga_cpop_near_ties", "repeats"]
    + [f"ms_{m}" for m in METHODS]
    + ["ms_solve_heft", "ms_saga_heft", "ms_saga_cpop"]
)


def _run(fn, problem: schedopt.Problem, averaging: str, repeat: int) -> tuple[int, float]:
    out, secs = timed(lambda: fn(problem, averaging=averaging), repeat)
    v = schedopt.check(problem, out.schedule)
    if v:
        raise AssertionError(f"{fn.__name__}({averaging}) on {problem.name}: {v[0]}")
    return int(out.schedule.makespan), secs * 1e3


def run_instance(inst: Instance, repeat: int) -> dict:
    """Every method on one instance; makespans, validity of saga's schedules, median times (ms)."""
    from saga.schedulers import CpopScheduler, HeftScheduler
    from saga.schedulers.cpop import cpop_ranks, upward_rank

    reps = repeat if inst.timed else 1
    net, graph = to_saga(inst)
    nat = natural_problem(inst)
    ali, _, _ = aligned_problem(net, graph)
    row: dict = {
        "set": inst.set,
        "instance": inst.name,
        "tasks": len(inst.work),
        "machines": len(inst.speed),
        "edges": len(inst.edges),
        "ccr": inst.ccr,
        "speeds": " ".join(map(str, inst.speed)),
        "repeats": reps,
    }

    def clear() -> None:
        upward_rank.cache_clear()
        cpop_ranks.cache_clear()

    for key, sch in (("saga_heft", HeftScheduler()), ("saga_cpop", CpopScheduler())):
        s, secs = timed(lambda sch=sch: sch.schedule(net, graph), reps, setup=clear)
        row[key] = round(s.makespan)
        row[f"ms_{key}"] = secs * 1e3
        violations = schedopt.check(nat, saga_to_schedule(nat, s))
        row[f"{key}_valid"] = int(not violations)
        if violations:
            print(f"  saga {key} on {inst.name}: {violations[0]}")
    for name, fn, avg in (
        ("heft_saga", solve_heft, "saga"),
        ("heft_pairs", solve_heft, "pairs"),
        ("cpop_saga", solve_cpop, "saga"),
        ("cpop_pairs", solve_cpop, "pairs"),
    ):
        row[name], row[f"ms_{name}"] = _run(fn, nat, avg, reps)
        if avg == "saga":
            row[f"{name}_aligned"], _ = _run(fn, ali, avg, 1)
    ranks = {"heft": upward_rank(net, graph), "cpop": cpop_ranks(net, graph)}
    for m in ("heft", "cpop"):
        row[f"saga_{m}_near_ties"] = near_ties(list(ranks[m].values()))
    res, secs = timed(lambda: schedopt.solve(nat, "heft"), reps)
    assert res.objective == row["heft_pairs"]
    row["ms_solve_heft"] = secs * 1e3
    return row


def near_ties(values: list[float]) -> int:
    """Pairs of priorities that differ, but by less than 1e-9 (equal in exact arithmetic, apart in floats)."""
    v = np.sort(np.asarray(values, float))
    d = np.diff(v)
    return int(((d > 0) & (d < 1e-9 * np.maximum(1.0, np.abs(v[1:])))).sum())


def first_calls() -> dict[str, float]:
    """Seconds of the first call in this process of each method (numba load from cache or compile)."""
    tiny = schedopt.dag([[2, 3], [3, 1], [2, 2]], [(0, 1, 1), (0, 2, 2)])
    out = {}
    for name, fn in (("heft", solve_heft), ("cpop", solve_cpop)):
        t0 = time.perf_counter()
        fn(tiny)
        out[name] = time.perf_counter() - t0
        t0 = time.perf_counter()
        fn(tiny)
        out[f"{name} (second call)"] = time.perf_counter() - t0
    return out


# --------------------------------------------------------------------------------------------- report
def _count(rows: list[dict], a: str, b: str) -> str:
    eq = sum(r[a] == r[b] for r in rows)
    return f"{eq}/{len(rows)}"


def _bew(rows: list[dict], a: str, b: str) -> str:
    """better / equal / worse of ``a`` against ``b`` (smaller makespan is better)."""
    better = sum(r[a] < r[b] for r in rows)
    equal = sum(r[a] == r[b] for r in rows)
    return f"{better} / {equal} / {len(rows) - better - equal}"


def report(rows: list[dict], first: dict[str, float], args: argparse.Namespace, csv_name: str) -> list[str]:
    sets = list(dict.fromkeys(r["set"] for r in rows))
    cmd = "python benchmarks/dag/saga_compare.py" + (f" --repeat {args.repeat}" if args.repeat != 3 else "")
    lines = [
        "## Makespan and speed against anrg-saga's HEFT and CPoP",
        "",
        f"- command: `{cmd}` (one run; every figure below comes from it)",
        f"- file: `{csv_name}` (one row per instance: makespans, validity of saga's schedules, times in ms)",
        *machine_lines(("numpy", "numba", "anrg-saga")),
        "- instances: related machines with whole times (speeds in {1, 2, 4}, work a multiple of 4, links"
        " of speed 1, integer sizes); saga-style in-trees/out-trees/chains on 3-5 nodes; Topcuoglu-like"
        " layered DAGs of 20-100 tasks on 3-5 and on 16 nodes; layered DAGs of 100 and 1,000 tasks"
        " (out-degree up to 4, CCR 1) on 16 and 4 nodes for the timing. Seeded (`instances()`).",
        "- *aligned*: schedopt on the instance renumbered as saga orders it (tasks in its topological"
        " order, machines in its nodes' frozenset order), so both tie rules see the same orders;"
        " *natural*: numbered as generated"
        " (saga's tie orders then come from string hashes, fixed by `PYTHONHASHSEED=0`).",
        "",
        "### Makespans",
        "",
        'Equal makespans (count/instances). HEFT and CPOP with `averaging="saga"` implement saga\'s',
        'rules; `"pairs"` is Topcuoglu\'s average over distinct machine pairs (natural numbering;',
        "better / equal / worse than saga). Valid: saga's schedules, converted, that pass `schedopt.check`.",
        "",
        "| set | instances | tasks (mean) | HEFT saga = saga HEFT, aligned | natural "
        "| HEFT pairs vs saga HEFT (b/e/w) | CPOP saga = saga CPoP, aligned | natural "
        "| CPOP pairs vs saga CPoP (b/e/w) | saga valid |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    groups = [(s, [r for r in rows if r["set"] == s]) for s in sets] + [("all", rows)]
    for s, sub in groups:
        valid = sum(r["saga_heft_valid"] + r["saga_cpop_valid"] for r in sub)
        lines.append(
            f"| {s} | {len(sub)} | {np.mean([r['tasks'] for r in sub]):.0f} "
            f"| {_count(sub, 'heft_saga_aligned', 'saga_heft')} | {_count(sub, 'heft_saga', 'saga_heft')} "
            f"| {_bew(sub, 'heft_pairs', 'saga_heft')} "
            f"| {_count(sub, 'cpop_saga_aligned', 'saga_cpop')} | {_count(sub, 'cpop_saga', 'saga_cpop')} "
            f"| {_bew(sub, 'cpop_pairs', 'saga_cpop')} | {valid}/{2 * len(sub)} |"
        )
    mean_ratio = np.mean([r["heft_pairs"] / r["saga_heft"] for r in rows])
    lines += [
        "",
        f"Mean makespan ratio HEFT pairs / saga HEFT over all instances: {mean_ratio:.4f}.",
        "",
        "Aligned mismatches and float near-ties: two of saga's priorities that differ by less than 1e-9"
        " (equal in exact arithmetic, apart by a rounding error). saga compares the raw floats, so it"
        ' orders such a pair by the rounding error. With `averaging="saga"` schedopt compares the raw'
        ' floats too (`queue_keys(exact=True)`); with `"pairs"` it rounds priorities to 9 decimals and'
        " applies its tie rule. CPOP's downward rank (saga: cost / mean speed; schedopt: the harmonic"
        " mean of the durations) can still differ by a rounding error.",
    ]
    for m in ("heft", "cpop"):
        bad = [r for r in rows if r[f"{m}_saga_aligned"] != r[f"saga_{m}"]]
        with_ties = sum(r[f"saga_{m}_near_ties"] > 0 for r in bad)
        names = ", ".join(r["instance"] for r in bad[:8]) + (", ..." if len(bad) > 8 else "")
        lines.append(
            f"- {m.upper()}: {len(bad)} aligned mismatches"
            + (f" ({names}), {with_ties} of them with near-ties in saga's priorities" if bad else "")
            + f"; instances with near-ties overall: {sum(r[f'saga_{m}_near_ties'] > 0 for r in rows)}"
            f"/{len(rows)}."
        )
    lines += [
        "",
        "### Times",
        "",
        f"Median of {args.repeat} calls per instance (ms), then the median over the instances of a row."
        " schedopt: the method function alone (`solve_heft`/`solve_cpop`: arrays, ranks, numba kernel);"
        " `solve` adds the registry, the re-check and the bound. saga: `Scheduler.schedule` (its rank"
        " caches cleared first). Ratio = saga time / schedopt time per instance: median (and minimum) over"
        " the instances of a row; `vs solve` divides by the `schedopt.solve` wall time instead.",
        "",
        "| set | instances | tasks | machines | saga HEFT | schedopt HEFT (saga avg) | HEFT pairs "
        "| solve(heft) | ratio HEFT | ratio HEFT vs solve | saga CPoP | schedopt CPOP (saga) | ratio CPOP |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    timed_rows = [r for r in rows if r["set"].startswith("time-")]
    for s in dict.fromkeys(r["set"] for r in timed_rows):
        for m in sorted({r["machines"] for r in timed_rows if r["set"] == s}, reverse=True):
            sub = [r for r in timed_rows if r["set"] == s and r["machines"] == m]

            def med(key: str, sub: list[dict] = sub) -> float:
                return float(np.median([r[key] for r in sub]))

            def ratio(num: str, den: str, sub: list[dict] = sub) -> str:
                x = [r[num] / r[den] for r in sub]
                return f"{np.median(x):.0f}x (min {min(x):.0f}x)"

            lines.append(
                f"| {s} | {len(sub)} | {sub[0]['tasks']} | {m} | {med('ms_saga_heft'):.1f} "
                f"| {med('ms_heft_saga'):.2f} | {med('ms_heft_pairs'):.2f} | {med('ms_solve_heft'):.2f} "
                f"| {ratio('ms_saga_heft', 'ms_heft_saga')} | {ratio('ms_saga_heft', 'ms_solve_heft')} "
                f"| {med('ms_saga_cpop'):.1f} | {med('ms_cpop_saga'):.2f} "
                f"| {ratio('ms_saga_cpop', 'ms_cpop_saga')} |"
            )
    lines += [
        "",
        "First call in the process (numba kernels loaded from the on-disk cache, or compiled when the"
        " cache is cold), on a 3-task DAG: "
        + ", ".join(f"{k} {v * 1e3:.0f} ms" for k, v in first.items())
        + ". The cold-cache compile time is in the speed section.",
    ]
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="calls per timed instance (median)")
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--smoke", action="store_true", help="tiny sets, 1 repeat, writes to a temporary dir")
    args = ap.parse_args()
    if os.environ.get("PYTHONHASHSEED") != "0":  # saga's set orders depend on string hashes
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    logging.disable(logging.WARNING)  # saga logs a warning for every super source/sink it adds
    if args.smoke:
        args.repeat = min(args.repeat, 2)
        args.out = Path(tempfile.mkdtemp(prefix="saga_compare_"))
    first = first_calls()
    rows = []
    t0 = time.perf_counter()
    for inst in instances(args.smoke):
        rows.append(run_instance(inst, args.repeat))
        r = rows[-1]
        if inst.timed:
            print(
                f"{inst.name}: n={r['tasks']} m={r['machines']} saga HEFT {r['ms_saga_heft']:.1f} ms, "
                f"schedopt {r['ms_heft_saga']:.2f} ms; makespans {r['saga_heft']} / {r['heft_saga']}",
                flush=True,
            )
    print(f"{len(rows)} instances in {time.perf_counter() - t0:.1f} s")
    args.out.mkdir(parents=True, exist_ok=True)
    csv_name = "saga_compare.csv"
    with open(args.out / csv_name, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        for r in rows:
            w.writerow({k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()})
    lines = report(rows, first, args, csv_name)
    write_section(ensure_results(args.out / "RESULTS.md"), "saga", lines)
    print("\n".join(lines))
    print(f"wrote {args.out / csv_name} and {args.out / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
