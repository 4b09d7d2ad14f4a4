"""Improvement method of the heterogeneous DAG family: iterated local search (``method="ils"``).

A solution is a *priority list* (a topological order of the tasks) plus, per task, an optional
*forced machine*. It is decoded by insertion-based earliest-finish-time list scheduling
(:func:`._search_kernels.decode`): the tasks are taken in list order, a forced task goes to the
earliest idle gap of its machine that fits after its data are ready, a free task to the machine
where that finishes first (HEFT's rule, Topcuoglu, Hariri & Wu 2002), honouring release dates,
eligibility, precedence lags and the machine-pair communication delays.

Starts. HEFT's list with no forced machine decodes to HEFT's schedule. Every list schedule
(HEFT's own, as ``"heft-schedule"``, CPOP, PEFT) is also encoded as its tasks sorted by start
time with every machine forced; decoding that never delays a task (each task's slot stays free
and its data come no later, by induction over the list), so the decoded start is at least as
good. The search starts from the best of these starts (ties: the first) and never returns
anything worse. A start with forced machines is first relaxed: each forced task in list order
is freed when that does not lengthen the schedule.

Moves, drawn at random around the critical path of the current schedule (the tasks whose start
is set, by data, lag or machine, along a chain ending at the makespan):

- *reassign* (40 %): force a critical task onto a random other allowed machine; the later free
  tasks re-choose theirs by earliest finish time;
- *critical arc* (25 %): when a critical task waits for the task just before it on its machine,
  move it just before that task in the list, or that task just after it (the critical-arc
  reversal of Van Laarhoven, Aarts & Lenstra 1992, applied to the list);
- *shift* (25 %): move a critical task to a random position of its precedence-feasible window
  of the list (after its last predecessor, before its first successor);
- *free* (10 %): let a forced task choose its machine by earliest finish time again.

A move is decoded only from the first list position it changes (the prefix is copied from the
current schedule; :func:`._search_kernels.decode_from`), which gives the same schedule as a full
decoding.

Acceptance: a move is kept when the makespan does not grow (equal makespans walk the plateaus).
Iterated local search (Lourenço, Martin & Stützle 2003): after ``patience`` iterations without a
better best, the search restarts from the best solution perturbed by ``kick`` random moves of
any task (shifts and forced machines), accepted whatever their makespan. The search stops early
when the best makespan meets a lower bound (:func:`._search_kernels.lower_bound`: the longest
path at the shortest durations without communication, or the shortest total work spread over
the machines), which is also returned.

This is our own design, not a paper's algorithm: the decoder is HEFT's, the perturbation scheme
is the generic ILS one, and the move shares (and ``patience``, ``kick``) were chosen on subsets
(every 4th or 8th file) of the Santiago LIGO, Robot and Sparse sets. A lookahead machine
choice (Bittencourt, Sakellariou & Madeira 2010) was not added: measured best-machine
reassignments (all machines tried per move) gave no gain over random ones at equal time.

Everything hot runs in numba (:mod:`._search_kernels`); random numbers come from a seeded
xorshift64* generator (Vigna 2016), so a run with a given ``seed`` and ``iterations`` is
deterministic (a ``time_limit`` cuts it wherever the clock stops).

References
----------
Topcuoglu, H., Hariri, S. & Wu, M.-Y. (2002). Performance-effective and low-complexity task
  scheduling for heterogeneous computing. IEEE TPDS 13(3), 260-274.
Van Laarhoven, P. J. M., Aarts, E. H. L. & Lenstra, J. K. (1992). Job shop scheduling by
  simulated annealing. Operations Research 40(1), 113-125.
Lourenço, H. R., Martin, O. C. & Stützle, T. (2003). Iterated local search. In Handbook of
  Metaheuristics, 320-353. Kluwer.
Bittencourt, L. F., Sakellariou, R. & Madeira, E. R. M. (2010). DAG scheduling using a lookahead
  variant of the Heterogeneous Earliest Finish Time algorithm. Proc. PDP 2010, 27-34.
Vigna, S. (2016). An experimental exploration of Marsaglia's xorshift generators, scrambled.
  ACM Trans. Math. Softw. 42(4), 30.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from . import _search_kernels as SK
from .heuristics import DagArrays, prepare

#: iterations of ``method="ils"`` without ``time_limit`` (about 0.2 s of CPU on 100 tasks x 16 machines).
ILS_DEFAULT_ITERATIONS = 10000
#: default iterations without a better best before a kick.
ILS_PATIENCE = 300
#: default random moves per kick.
ILS_KICK = 3
#: default list schedules the search starts from (the best one is taken).
ILS_STARTS = ("heft", "cpop", "peft")
#: cumulative shares (percent) of the move kinds: free a task, critical arc, reassign, (rest) shift.
ILS_MOVE_SHARES = (10, 35, 75)
#: wall-clock cap (seconds) of a call with neither ``time_limit`` nor ``iterations`` (large DAGs).
ILS_DEFAULT_TIME = 2.0
#: seconds kept back from ``time_limit`` for building the output.
ILS_RESERVE = 0.01


def _graph(problem: Problem, a: DagArrays) -> tuple:
    lag = problem.precedence[:, 2].astype(np.int64) if len(problem.precedence) else np.zeros(0, np.int64)
    return (a.pred_ptr, a.pred_idx, a.pred_edge, lag, a.dur, a.release, a.comm, a.node, a.extra)


def _workspace(n: int, n_mach: int) -> tuple:
    return (
        np.full(n, -1, np.int64), np.full(n, -1, np.int64), np.full(n, -1, np.int64),
        np.zeros((n_mach, n), np.int64), np.zeros((n_mach, n), np.int64), np.zeros((n_mach, n), np.int64),
        np.zeros(n_mach, np.int64),
    )  # fmt: skip


def _critical_data(a: DagArrays) -> tuple:
    n = a.dur.shape[0]
    allowed = a.dur >= 0
    al_ptr = np.concatenate([[0], np.cumsum(allowed.sum(axis=1))]).astype(np.int64)
    al_idx = np.nonzero(allowed)[1].astype(np.int64)
    return (
        a.succ_ptr, a.succ_idx, np.zeros(n, np.int64), np.zeros(n, np.int64), np.full(n, -1, np.int64),
        np.zeros(n, np.bool_), np.full(n, -1, np.int64), al_ptr, al_idx,
    )  # fmt: skip


def _seed_state(seed: int) -> np.ndarray:
    """splitmix64 of ``seed`` (never 0) as the xorshift64* state."""
    z = (int(seed) + 0x9E3779B97F4A7C15) % 2**64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) % 2**64
    z ^= z >> 31
    return np.array([z or 1], np.uint64)


def _encode(schedule: Schedule, a: DagArrays) -> tuple[np.ndarray, np.ndarray]:
    """A list schedule as (tasks by start time, ties in topological order; every machine forced)."""
    n = a.dur.shape[0]
    topo_pos = np.empty(n, np.int64)
    topo_pos[a.topo] = np.arange(n)
    order = np.lexsort((topo_pos, schedule.start)).astype(np.int64)
    return order, np.asarray(schedule.machine, np.int64).copy()


def _starts(problem: Problem, a: DagArrays, names: Sequence[str]) -> list[tuple[str, np.ndarray, np.ndarray]]:
    from . import heuristics

    out = []
    for name in names:
        fn = getattr(heuristics, f"solve_{name}", None)
        if fn is None:
            raise ValueError(f"unknown start {name!r}; known: heft, cpop, peft")
        if name == "heft":
            out.append(("heft", *_heft_list(problem, a)))
        res = fn(problem)
        if res.schedule is not None:
            out.append((name if name != "heft" else "heft-schedule", *_encode(res.schedule, a)))
    return out


def _heft_list(problem: Problem, a: DagArrays) -> tuple[np.ndarray, np.ndarray]:
    """HEFT's priority list, no machine forced: the static task list of
    :func:`.heuristics.solve_heft` (decreasing upward rank, ties by topological position)."""
    from . import _kernels as K
    from .heuristics import mean_costs, queue_keys

    wbar, cbar = mean_costs(a)
    rank = K.upward_ranks(a.topo, a.succ_ptr, a.succ_idx, a.succ_edge, wbar, cbar)
    order = np.argsort(queue_keys(a, rank)).astype(np.int64)
    return order, np.full(problem.n_jobs, -1, np.int64)


def _ensure_compiled() -> None:
    """Compile (or load from numba's cache) the search kernels on a 4-task DAG, once a process."""
    if not SK.ils_run.signatures:
        from .model import dag

        tiny = dag([[2, 3], [3, 1], [2, 2], [1, 1]], [(0, 1, 4), (0, 2, 1), (1, 3, 2), (2, 3, 1)])
        solve_ils(tiny, iterations=20)


class _Clock:
    """Chunks of work that fit in what is left of a time limit (``None``: no limit, one chunk).

    The first chunk is one unit; later ones are sized from the measured time per unit, to at most
    a quarter of the time left (and at most 4 times the previous chunk).
    """

    def __init__(self, t0: float, limit: float | None) -> None:
        self.deadline = None if limit is None else t0 + limit - min(ILS_RESERVE, 0.1 * limit)
        self.reset()

    def reset(self) -> None:
        self.size, self.per, self.began = 1, 0.0, time.perf_counter()

    def out(self) -> bool:
        """Whether the next unit would end after the deadline."""
        return self.deadline is not None and time.perf_counter() + self.per > self.deadline

    def chunk(self, left: int) -> int:
        self.began = time.perf_counter()
        return int(left) if self.deadline is None else int(max(1, min(left, self.size)))

    def done(self, units: int) -> None:
        if self.deadline is None:
            return
        now = time.perf_counter()
        self.per = (now - self.began) / max(units, 1)
        room = 0.25 * max(self.deadline - now, 0.0) / max(self.per, 1e-9)
        self.size = int(max(1, min(4 * self.size, room)))


def solve_ils(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    iterations: int | None = None,
    patience: int = ILS_PATIENCE,
    kick: int = ILS_KICK,
    starts: Sequence[str] = ILS_STARTS,
    relax: bool = True,
) -> MethodOutput:
    """Iterated local search over priority lists and forced machines (module docstring).

    Parameters
    ----------
    time_limit
        Seconds for the whole call (the starts, one pass each, are not cut; the relaxation and
        the search run in chunks sized to end before the limit). With a ``time_limit`` and no
        ``iterations``, the search runs until the limit. With neither, the default iterations
        are capped at :data:`ILS_DEFAULT_TIME` (2 s; reached only on large DAGs).
    seed
        Seed of the random moves; a run with a given seed and ``iterations`` is deterministic.
    iterations
        Moves to try (kicks included). Default: :data:`ILS_DEFAULT_ITERATIONS` (10000, about
        0.2 s of CPU on a 100-task DAG with 16 machines, 0.5 s with 64) without a ``time_limit``;
        unbounded with one.
    patience
        Iterations without a better best before a kick restarts from the best.
    kick
        Random moves (shift or forced machine of any task) of a kick.
    starts
        List schedulers to start from (``"heft"``, ``"cpop"``, ``"peft"``); the best is taken.
        ``"heft"`` gives two starts: HEFT's list with free machines, and HEFT's schedule encoded
        (``"heft-schedule"``), so the result is never worse than :func:`.heuristics.solve_heft`.
    relax
        Before the search, free each forced machine of the start in turn when that does not
        lengthen the schedule (:func:`._search_kernels.relax`), so later moves re-choose machines.

    Returns
    -------
    MethodOutput
        ``"feasible"``, the best schedule found, a lower bound (:func:`._search_kernels.lower_bound`:
        the search stops when it is reached); ``info``: ``start`` (the start taken),
        ``start_makespans``, ``freed`` (tasks freed by ``relax``), ``iterations``, ``improvements``,
        ``kicks``, ``accepted``, ``stopped`` (``"iterations"``, ``"time"`` or ``"bound"``).
    """
    t0 = time.perf_counter()
    if iterations is not None and (isinstance(iterations, bool) or int(iterations) < 0):
        raise ValueError(f"iterations must be a non-negative integer, got {iterations!r}")
    if int(patience) < 1 or int(kick) < 1:
        raise ValueError(f"patience and kick must be at least 1, got {patience!r} and {kick!r}")
    names = [starts] if isinstance(starts, str) else list(starts)
    if not names:
        raise ValueError("starts: give at least one of heft, cpop, peft")
    default_budget = iterations is None and time_limit is None
    if iterations is None:
        iterations = ILS_DEFAULT_ITERATIONS if time_limit is None else -1
    iterations = int(iterations)
    if default_budget:
        _ensure_compiled()  # compiling is no part of the default time cap
        t0 = time.perf_counter()
    a = prepare(problem)
    n, n_mach = a.dur.shape
    G = _graph(problem, a)
    W = _workspace(n, n_mach)
    C = _critical_data(a)
    bound = int(SK.lower_bound(a.topo, G))

    # the best start (ties: the first listed)
    candidates = _starts(problem, a, names)
    start_makespans = {}
    best = None
    for name, order, forced in candidates:
        mk = int(SK.decode(order, forced, G, W))
        start_makespans[name] = mk
        if best is None or mk < best[0]:
            best = (mk, name, order, forced)
    if best is None:  # no start gave a schedule: fall back on HEFT's list
        order, forced = _heft_list(problem, a)
        best = (int(SK.decode(order, forced, G, W)), "heft", order, forced)
    _, used, order, forced = best
    stats = np.zeros(SK.N_STATS, np.int64)
    S = (
        order.copy(),
        forced.copy(),
        np.zeros(n, np.int64),
        order.copy(),
        forced.copy(),
        _seed_state(seed),
        stats,
    )
    WW = (W, _workspace(n, n_mach))
    SK.start_search(S, G, WW, C)
    clock = _Clock(t0, ILS_DEFAULT_TIME if default_budget else time_limit)
    freed, k = 0, 0
    while relax and k < n and not clock.out() and stats[SK.ST_BEST] > bound:
        step = clock.chunk(n - k)
        freed += int(SK.relax(S, G, WW, C, k, k + step))
        clock.done(step)
        k += step

    params = np.zeros(SK.N_PARAMS, np.int64)
    params[SK.P_PATIENCE], params[SK.P_KICK] = int(patience), int(kick)
    params[SK.P_UNFORCE], params[SK.P_ARC], params[SK.P_MACHINE] = ILS_MOVE_SHARES
    params[SK.P_TARGET] = bound
    done = 0
    clock.reset()
    while (iterations < 0 or done < iterations) and not clock.out() and stats[SK.ST_BEST] > bound:
        todo = clock.chunk(iterations - done if iterations >= 0 else 1 << 40)
        params[SK.P_ITER] = todo
        SK.ils_run(S, G, WW, C, params)
        clock.done(todo)
        done += todo

    best_order, best_forced = S[3], S[4]
    SK.decode(best_order, best_forced, G, W)
    start, end, machine = (x.copy() for x in W[:3])
    info = {
        "start": used,
        "start_makespans": start_makespans,
        "iterations": int(stats[SK.ST_ITER]),
        "improvements": int(stats[SK.ST_IMPROVE]),
        "kicks": int(stats[SK.ST_KICKS]),
        "accepted": int(stats[SK.ST_ACCEPT]),
        "stopped": "bound"
        if stats[SK.ST_BEST] <= bound
        else "iterations"
        if 0 <= iterations <= done
        else "time",
        "freed": freed,
    }
    return MethodOutput("feasible", Schedule(start, end, machine), bound, info)


__all__ = ["ILS_DEFAULT_ITERATIONS", "solve_ils"]
