"""Speed of the DAG list schedulers (HEFT, CPOP, PEFT) on large random DAGs over 16 GPUs of 4 types.

    python benchmarks/dag/speed.py [--sizes 1000 10000] [--repeat 5] [--out benchmarks/dag] [--smoke]

Instances (seeded): random layered DAGs of ``n`` tasks (about sqrt(n) levels; each task below the
top has 1-6 predecessors, mean 3.5, from the level above with probability 3/4, else from any
higher level), on 16 machines: 4 each of H100, A100-80, L40S and V100 (:mod:`schedopt.gpus`).
Durations come from the roofline model (:func:`schedopt.gpus.roofline_costs`, 1 ms units) of
random FLOPs (1e12-1e14) and bytes (1e9-3e11); edges carry 10 MB-3 GB of data. Two communication
models: ``edge`` (one delay per edge, data / 50 GB/s, as in Topcuoglu et al.) and ``cluster``
(machine-pair delays of :func:`schedopt.gpus.cluster_links`: one node per GPU type, NVLink/PCIe
inside a node, 50 GB/s network between nodes).

Figures, all wall time on one core:

* *method*: the method function alone (``solve_heft`` etc.: arrays, ranks, numba kernel), median
  of ``--repeat`` calls after the kernels are loaded;
* *solve*: ``schedopt.solve(problem, name)`` (adds the registry, the re-check, the bound);
* *check*: ``schedopt.check`` of the method's schedule;
* HEFT's time split into ``prepare`` (problem to arrays), ranks (mean costs and the upward-rank
  kernel), queue keys and the list-scheduling kernel;
* compile: a fresh subprocess with an empty temporary ``NUMBA_CACHE_DIR`` times its first call of
  each method on a 4-task DAG (cold: compiles), then a second subprocess on that filled cache
  (warm: loads).

Writes ``speed.csv`` and the ``speed`` section of ``RESULTS.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1]))
sys.path.insert(0, str(HERE.parents[1] / "benchmarks" / "core"))
sys.path.insert(0, str(HERE))

from _env import ensure_results, machine_lines, timed, timings  # noqa: E402
from _sections import write_section  # noqa: E402

import schedopt  # noqa: E402
from schedopt.bounds import trivial_bound  # noqa: E402
from schedopt.families.dag import heuristics as H  # noqa: E402

TYPES = ("H100", "A100-80", "L40S", "V100")
PER_TYPE = 4
METHODS = ("heft", "cpop", "peft")
TARGET_S = 1.0  # HEFT on 10,000 tasks, after compilation


def random_dag(rng: np.random.Generator, n: int) -> list[tuple[int, int]]:
    """Arcs of a random layered DAG on ``0..n-1`` (module docstring), tasks numbered level by level."""
    h = max(2, round(np.sqrt(n)))
    width = rng.multinomial(n - h, np.full(h, 1 / h)) + 1
    first = np.concatenate([[0], np.cumsum(width)])
    level = np.repeat(np.arange(h), width)
    arcs: set[tuple[int, int]] = set()
    for j in range(first[1], n):
        lv = int(level[j])
        for _ in range(int(rng.integers(1, 7))):
            src = lv - 1 if (lv == 1 or rng.random() < 0.75) else int(rng.integers(0, lv - 1))
            arcs.add((int(rng.integers(first[src], first[src + 1])), j))
    return sorted(arcs)


def instance(n: int, comm: str, seed: int = 0) -> schedopt.Problem:
    """A seeded ``n``-task DAG on 16 GPUs with the ``edge`` or ``cluster`` communication model."""
    rng = np.random.default_rng([seed, n])
    arcs = random_dag(rng, n)
    flops = 10 ** rng.uniform(12, 14, n)
    moved = 10 ** rng.uniform(9, 11.5, n)
    costs = schedopt.gpus.roofline_costs(flops, moved, TYPES)
    data_mb = 10 ** rng.uniform(1, 3.5, len(arcs))
    name = f"gpu16-n{n}-{comm}"
    if comm == "edge":
        delay = np.ceil(data_mb / 50.0).astype(np.int64)  # 50 GB/s = 50 MB per ms
        edges = [(i, j, int(c)) for (i, j), c in zip(arcs, delay)]
        machine_type = np.repeat(np.arange(len(TYPES)), PER_TYPE)
        return schedopt.dag(costs, edges, machine_type=machine_type, type_names=TYPES, name=name)
    links = schedopt.gpus.cluster_links([[t] * PER_TYPE for t in TYPES])
    assert links.type_names == TYPES
    return schedopt.dag(
        costs, arcs, machine_type=links.machine_type, type_names=TYPES, name=name,
        data_size=data_mb, machine_node=links.machine_node, comm_latency=links.comm_latency,
        comm_bandwidth=links.comm_bandwidth,
    )  # fmt: skip


def heft_profile(problem: schedopt.Problem, repeat: int) -> dict[str, float]:
    """Median seconds of HEFT's steps: prepare, ranks, queue keys, list-scheduling kernel."""
    a, t_prep = timed(lambda: H.prepare(problem), repeat)

    def ranks() -> np.ndarray:
        wbar, cbar = H.mean_costs(a, "pairs")
        return H.K.upward_ranks(a.topo, a.succ_ptr, a.succ_idx, a.succ_edge, wbar, cbar)

    rank, t_rank = timed(ranks, repeat)
    key, t_key = timed(lambda: H.queue_keys(a, rank), repeat)
    fixed, look = np.full(problem.n_jobs, -1, np.int64), np.zeros((0, 0))
    _, t_kernel = timed(lambda: H.K.list_schedule(a.graph, a.costs, key, fixed, look), repeat)
    return {"prepare": t_prep, "ranks": t_rank, "keys": t_key, "kernel": t_kernel}


_COMPILE_SNIPPET = """
import json, time
t0 = time.perf_counter()
import schedopt
from schedopt.families.dag import heuristics as H
out = {"import": time.perf_counter() - t0}
p = schedopt.dag([[2, 3], [3, 1], [2, 2], [1, 1]], [(0, 1, 4), (0, 2, 1), (1, 3, 2), (2, 3, 1)])
for name in %r:
    t0 = time.perf_counter()
    getattr(H, "solve_" + name)(p)
    out[name] = time.perf_counter() - t0
print(json.dumps(out))
"""


def compile_times() -> dict[str, dict[str, float]]:
    """First-call seconds per method in fresh processes: an empty numba cache (cold), then it (warm)."""
    out = {}
    with tempfile.TemporaryDirectory(prefix="numba_cache_") as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        for phase in ("cold", "warm"):
            res = subprocess.run(
                [sys.executable, "-c", _COMPILE_SNIPPET % (METHODS,)],
                env=env, capture_output=True, text=True, check=True,
            )  # fmt: skip
            out[phase] = json.loads(res.stdout.strip().splitlines()[-1])
    return out


def measure(problem: schedopt.Problem, n: int, comm: str, repeat: int) -> list[dict]:
    """Method, solve and check times (median of ``repeat``) of every method on ``problem``."""
    rows = []
    base = {
        "n": n,
        "tasks": problem.n_jobs,
        "edges": len(problem.precedence),
        "machines": problem.n_machines,
        "comm": comm,
    }
    for name in METHODS:
        fn = getattr(H, f"solve_{name}")
        out, t_all = timings(lambda fn=fn: fn(problem), repeat)
        res, t_solve = timed(lambda name=name: schedopt.solve(problem, name), repeat)
        violations, t_check = timed(lambda out=out: schedopt.check(problem, out.schedule), repeat)
        _, t_bound = timed(lambda: trivial_bound(problem), repeat)
        assert not violations, violations[0]
        assert res.objective == out.schedule.makespan
        rows.append(
            {
                **base,
                "method": name,
                "makespan": int(out.schedule.makespan),
                "method_s": float(np.median(t_all)),
                "method_min_s": min(t_all),
                "solve_s": t_solve,
                "check_s": t_check,
                "bound_s": t_bound,
            }
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--out", type=Path, default=HERE)
    ap.add_argument("--smoke", action="store_true", help="200-task DAGs, 2 repeats, a temporary output dir")
    ap.add_argument("--no-compile", action="store_true", help="skip the cold/warm compile subprocesses")
    args = ap.parse_args()
    if args.smoke:
        args.sizes, args.repeat = [200], 2
        args.out = Path(tempfile.mkdtemp(prefix="dag_speed_"))
    compiles = {} if (args.no_compile or args.smoke) else compile_times()
    H.solve_heft(schedopt.dag([[1, 2], [2, 1]], [(0, 1, 1)]))  # load the kernels in this process
    rows, profiles, builds = [], {}, {}
    for n in args.sizes:
        for comm in ("edge", "cluster"):
            t0 = time.perf_counter()
            p = instance(n, comm)
            builds[(n, comm)] = time.perf_counter() - t0
            for name in METHODS:  # first call on this instance: the kernels are loaded already
                getattr(H, f"solve_{name}")(p)
            rows += measure(p, n, comm, args.repeat)
            profiles[(n, comm)] = heft_profile(p, args.repeat)
            print(n, comm, {k: round(v, 4) for k, v in profiles[(n, comm)].items()}, flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    with open(args.out / "speed.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=[*rows[0], "prepare_s", "ranks_s", "keys_s", "kernel_s"])
        w.writeheader()
        for r in rows:
            prof = profiles[(r["n"], r["comm"])] if r["method"] == "heft" else {}
            w.writerow(
                {
                    **{k: (round(v, 6) if isinstance(v, float) else v) for k, v in r.items()},
                    **{f"{k}_s": round(v, 6) for k, v in prof.items()},
                }
            )
    lines = report(rows, profiles, builds, compiles, args)
    write_section(ensure_results(args.out / "RESULTS.md"), "speed", lines)
    print("\n".join(lines))
    print(f"wrote {args.out / 'speed.csv'} and {args.out / 'RESULTS.md'}")


def report(
    rows: list[dict],
    profiles: dict,
    builds: dict,
    compiles: dict,
    args: argparse.Namespace,
) -> list[str]:
    cmd = "python benchmarks/dag/speed.py"
    if args.sizes != [1000, 10000]:
        cmd += " --sizes " + " ".join(map(str, args.sizes))
    if args.repeat != 5:
        cmd += f" --repeat {args.repeat}"
    lines = [
        "## Speed of HEFT, CPOP and PEFT on large DAGs (16 GPUs of 4 types)",
        "",
        f"- command: `{cmd}`",
        "- file: `speed.csv` (every figure below; written by the same command)",
        *machine_lines(),
        "- instances: seeded random layered DAGs, 3.5 predecessors per task on average, 16 machines"
        f" ({PER_TYPE} each of {', '.join(TYPES)}), roofline durations in ms; `edge`: one delay per edge"
        " (data / 50 GB/s); `cluster`: machine-pair delays of `schedopt.gpus.cluster_links` (one node"
        " per GPU type). Every schedule passes `schedopt.check`.",
        f"- method: median of {args.repeat} calls of `solve_<name>` once the kernels are loaded; solve:"
        " `schedopt.solve` (re-check and bound included); check: `schedopt.check` alone; bound:"
        " `schedopt.bounds.trivial_bound` alone (the generic bound `solve` adds; the same for every method).",
        "",
        "| tasks (+ source/sink) | edges | comm | method | method (s) | method min (s) | solve (s) "
        "| check (s) | bound (s) | makespan |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['n']} (+{r['tasks'] - r['n']}) | {r['edges']} | {r['comm']} | {r['method']} "
            f"| {r['method_s']:.4f} | {r['method_min_s']:.4f} | {r['solve_s']:.4f} | {r['check_s']:.4f} "
            f"| {r['bound_s']:.4f} | {r['makespan']} |"
        )
    big = [r for r in rows if r["method"] == "heft" and r["n"] >= 10000]
    if big:
        worst = max(r["method_s"] for r in big)
        verdict = "met" if worst <= TARGET_S else "missed"
        lines += [
            "",
            f"Target HEFT <= {TARGET_S:.0f} s on 10,000 tasks after compilation: **{verdict}** (slowest of"
            f" the two communication models: {worst:.3f} s for the method, "
            f"{max(r['solve_s'] for r in big):.3f} s through `schedopt.solve`).",
        ]
    lines += [
        "",
        "HEFT's method time split (median seconds of each step; `prepare` builds the CSR arrays, the"
        " topological order and the pair-delay table; ranks: mean costs and the upward-rank kernel):",
        "",
        "| tasks | comm | build problem | prepare | ranks | keys | kernel |",
        "|---|---|---|---|---|---|---|",
    ]
    for (n, comm), prof in profiles.items():
        lines.append(
            f"| {n} | {comm} | {builds[(n, comm)]:.3f} | {prof['prepare']:.4f} | {prof['ranks']:.4f} "
            f"| {prof['keys']:.4f} | {prof['kernel']:.4f} |"
        )
    if compiles:
        lines += [
            "",
            "First call per method on a 4-task DAG in a fresh process (seconds), in the order"
            f" {', '.join(METHODS)} (a method's first call compiles only the kernels not compiled by the"
            " methods before it): cold = empty `NUMBA_CACHE_DIR`, warm = the cache the cold run filled.",
            "",
            "| cache | import schedopt | " + " | ".join(METHODS) + " | total |",
            "|---|---|" + "---|" * len(METHODS) + "---|",
        ]
        for phase, t in compiles.items():
            total = sum(t[m] for m in METHODS)
            cells = " | ".join(f"{t[m]:.2f}" for m in METHODS)
            lines.append(f"| {phase} | {t['import']:.2f} | {cells} | {total:.2f} |")
    return lines


if __name__ == "__main__":
    main()
