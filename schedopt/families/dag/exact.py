"""CP-SAT strengthening and lower bounds of the heterogeneous DAG family (:data:`STRENGTHENING`).

The core compiler (:mod:`schedopt.cpsat.compiler`) already models a DAG problem exactly: one
optional interval per task and allowed machine (``x_jm``), a no-overlap per machine, precedence
``S_j >= C_i + lag`` and, when ``i`` and ``j`` run on distinct machines, the edge's delay
(:meth:`schedopt.Problem.edge_delays` between the machines' nodes). :func:`strengthen_dag` adds,
on every makespan problem of the ``dag`` family:

1. **Warm start** (``dag_warm_start``, default on): the list schedulers HEFT, CPOP and PEFT
   (:mod:`.heuristics`) and the iterated local search ``ils`` (:mod:`.improve`, with the budget
   ``min(dag_ils_time, dag_ils_share * remaining limit)`` seconds and ``dag_ils_iterations`` moves,
   whichever ends first) run first; every schedule is re-checked
   by :func:`schedopt.check` and the best feasible one, of makespan ``UB``, becomes the CP-SAT
   hint (starts, ends, machine literals, makespan) unless the caller passes a hint, and caps
   ``C_max <= UB`` and every ``C_j <= UB`` (some optimal schedule satisfies both, so bounds and
   proofs stay valid). ``info`` names the heuristic (``dag_hint``) and its makespan
   (``dag_hint_makespan``), and lists every heuristic's makespan (``dag_heuristics``).
2. **Lower bounds** (``dag_bounds``, default on): ``C_max >= LB`` with ``LB`` =
   :func:`lower_bound`, plus the per-machine heads ``S_j >= H_jm`` if ``x_jm`` and tails
   ``C_max >= C_j + Q_jm`` if ``x_jm`` of :func:`machine_heads_tails`. When the warm start's
   makespan equals ``LB`` it is optimal: the search gets 0.01 s (and nothing else is added),
   and ``info["dag_proof"]`` says why the answer is optimal.
3. **Redundant cumulative** (``dag_cumulative``, default on): a cumulative of the task
   intervals (size = the chosen duration), demand 1, capacity ``M``; and one per distinct
   eligibility set ``A`` smaller than all machines, over the tasks allowed only inside ``A``,
   capacity ``|A|``. Valid: at any time each machine runs at most one task.
4. **Symmetry breaking** (``dag_symmetry``, default on): machines of one type, one node and the
   same eligibility column are interchangeable; inside each such group ``m_0 < m_1 < ...``,
   task ``j`` may use ``m_k`` (``k >= 1``) only if some task ``i < j`` uses ``m_{k-1}``.
   Valid: relabelling the machines of a group by the smallest task index they host (unused
   machines last) maps any schedule to one that satisfies the rule, with the same makespan
   (durations, eligibility and every communication delay depend only on the type, the node and
   whether two tasks share a machine). The hint is relabelled the same way (:func:`canonical`).
5. **Machine ends** (``dag_machine_ends``, default ``"auto"``: only when :func:`idle_bound`
   exceeds :func:`path_bound` and :func:`load_bound`, i.e. when the idle time at the machines'
   ends is what lifts the bound; ``True``: always; ``False``: never; ``info["dag_machine_ends"]``
   is ``True`` when they are added): per machine ``m`` literals
   ``f_jm`` / ``l_jm`` "``j`` is the first / last task on ``m``" (exactly one of each on a used
   machine, each implying ``x_jm``), ``h_m = sum_j HF[j, m] f_jm``, ``q_m = sum_j QL[j, m] l_jm``
   (:func:`first_last_heads_tails`), variables ``B_m <= S_j`` and ``E_m >= C_j`` for every ``j``
   on ``m``, ``B_m >= S_j`` if ``f_jm``, ``E_m <= C_j`` if ``l_jm``, and ``B_m >= h_m``,
   ``E_m >= B_m + sum_j p_jm x_jm``, ``C_max >= E_m + q_m``, ``C_max >= h_m + sum_j p_jm x_jm +
   q_m``, ``S_j >= h_m`` and ``C_max >= C_j + q_m`` if ``x_jm``. Valid: every schedule satisfies
   them with ``f``/``l`` set to its actual first / last tasks (only tasks with ``p_jm > 0``
   count), by the validity of ``HF``/``QL``. They tell the search and its LP that a machine ending
   on a task whose successors run elsewhere idles until the makespan for at least the delay and
   those successors (the reason why ``gen-v30-m4-14`` of ``dag-gen-topcuoglu:v=30`` sits above
   ``ceil(sum_j min_m p_jm / M)``). "auto" keeps them off elsewhere: they cost 5-7x more branches on
   two 20- and 30-task DAGs whose bound they do not raise.

:func:`finish_dag` reports the warm start in ``info`` and, when CP-SAT found no schedule within
the limit, returns the warm-start schedule (``feasible``, or ``optimal`` when it meets the bound).

Options (:data:`OPTIONS`): ``dag_strengthen`` (True: apply any of it), ``dag_warm_start`` (True),
``dag_heuristics`` (``("heft", "cpop", "peft", "ils")``: which warm-start heuristics run; those not
available are skipped), ``dag_ils_share`` (0.1), ``dag_ils_time`` (2.0 s; also the budget without a
time limit), ``dag_ils_iterations`` (``None``: the ILS default, ``ILS_DEFAULT_ITERATIONS``
moves), ``dag_bounds`` (True),
``dag_cumulative`` (True), ``dag_symmetry`` (True), ``dag_machine_ends`` (``"auto"``).

Measured (OR-Tools 9.15, ``workers=1``, a shared 2-core machine, 2026-12-03): the 14 textbook
DAGs of ``santiago_hetero/Synthetic`` (8-13 tasks) are all proven optimal in 0.1 s on average,
as by the bare compiler; on :func:`.generators.topcuoglu_dag` with ``v`` in {20, 25, 30}, 4
unrelated machines, 3 seeds, a 20 s limit: CCR 1, 9/9 proven, mean 1.3 s, max 5.3 s (bare
compiler: 9/9, mean 3.0 s, max 16 s); CCR 5, 6/6, max 1.2 s; CCR 0.1, 5/6 (one 30-task DAG stays
at 400 / 386 after 60 s on 2 workers). On ``v`` in {30, 35, 40}, 2 seeds, 2 machine types x 2
machines, CCR 1, 8 s: the full strengthening proves 3/6, without the bounds, without symmetry
breaking or without the cumulative 2/6 each (without the bounds CP-SAT's bound ends 6-24% lower);
at 100 tasks it raises CP-SAT's 10 s bound from 543 to 1013 (makespan 1185 to 1088).
``gen-v30-m4-14`` (30 tasks, out-degree 1, CCR 1, 4 machines): without the machine ends CP-SAT
stays at 408 against the bound 388 after 150 s on 2 workers; with them (and :func:`idle_bound` =
401) it proves 408 optimal in 12-41 s on 1 worker over seeds 0-4 (load 2-3 on the 2 cores); an
assignment relaxation with the first/last heads and tails alone gives 405. ``benchmarks/dag/run.py
--part gen`` (60 s, 1 worker): 40/40 proven, mean 0.38 s at 20 tasks, 1.96 s at 30 (max 30 s).

References
----------
Topcuoglu, H., Hariri, S. & Wu, M.-Y. (2002). Performance-effective and low-complexity task
scheduling for heterogeneous computing. IEEE TPDS 13(3), 260-274 (CP_MIN).
Fernandez, E. B. & Bussell, B. (1973). Bounds on the number of processors and time for
multiprocessor optimal schedules. IEEE Trans. Computers C-22(8), 745-751 (load bounds).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ...check import check
from ...cpsat.context import CpSatContext, Strengthening
from ...errors import OptionError
from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from .model import is_dag_problem

if TYPE_CHECKING:  # the compiler imports OR-Tools: lower_bound (``schedopt info``) stays light
    from ...cpsat.compiler import CpSatModel

_INF = np.iinfo(np.int64).max // 4

HEURISTICS: dict[str, str] = {
    "heft": "heuristics:solve_heft",
    "cpop": "heuristics:solve_cpop",
    "peft": "heuristics:solve_peft",
    "ils": "improve:solve_ils",
}
"""Warm-start heuristics: name -> ``module:function`` inside :mod:`schedopt.families.dag`."""


# ------------------------------------------------------------------------------- lower bounds
def _durations(problem: Problem) -> np.ndarray:
    """``(n, M)`` duration of each task on each machine; ``_INF`` where it is not allowed."""
    d = problem.duration
    per = d[:, problem.machine_type] if d.ndim == 2 else np.repeat(d[:, None], problem.n_machines, axis=1)
    return np.where(problem.allowed, per, _INF).astype(np.int64)


def _delay_matrix(problem: Problem, e: int) -> np.ndarray:
    """``(M, M)`` delay of edge ``e`` from machine ``a`` to machine ``b`` (0 on the diagonal)."""
    mcount = problem.n_machines
    if problem.has_pair_comm:
        node = problem.machine_node
        out = problem.edge_delays(e)[node[:, None], node[None, :]].astype(np.int64)
    else:
        out = np.full((mcount, mcount), int(problem.comm[e]), np.int64)
    np.fill_diagonal(out, 0)
    return out


def machine_heads_tails(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """Per task and machine: earliest start ``H[j, m]`` and least remaining time ``Q[j, m]``.

    With ``p_jm`` the duration (``inf`` where not allowed), ``D_e[a, b]`` the delay of edge
    ``e = (i, j, lag)`` from machine ``a`` to ``b`` (0 when ``a = b``), in topological order:

    * ``F[j, m] = H[j, m] + p_jm`` with
      ``H[j, m] = max(r_j, max_{e = (i, j)} min_a (F[i, a] + lag_e + D_e[a, m]))``;
    * ``Q[j, m] = max_{e = (j, k)} min_b (lag_e + D_e[m, b] + p_kb + Q[k, b])`` (0 for exits).

    Validity (induction along the order): in any feasible schedule with ``j`` on ``m``,
    ``S_j >= r_j`` and, for each in-edge, ``S_j >= C_i + lag + D_e[m_i, m] >= F[i, m_i] + lag +
    D_e[m_i, m]`` (induction), which is at least the minimum over ``a``; so ``S_j >= H[j, m]``.
    Symmetrically the makespan is at least ``C_j + Q[j, m]``. Machine capacity is relaxed, so
    these are the machine-aware critical paths (the communication an edge surely pays given the
    two tasks' machines). Entries of disallowed machines are ``inf``-like (``>= 2**60``).
    """
    import networkx as nx

    n, mcount = problem.n_jobs, problem.n_machines
    p = _durations(problem)
    head = np.where(problem.allowed, problem.release[:, None], _INF).astype(np.int64)
    tail = np.where(problem.allowed, 0, _INF).astype(np.int64)
    ins: list[list[int]] = [[] for _ in range(n)]
    outs: list[list[int]] = [[] for _ in range(n)]
    for e, (i, j, _) in enumerate(problem.precedence):
        ins[int(j)].append(e)
        outs[int(i)].append(e)
    delays = [_delay_matrix(problem, e) for e in range(len(problem.precedence))]
    order = list(nx.topological_sort(problem.graph()))
    finish = np.full((n, mcount), _INF, np.int64)
    for j in order:
        for e in ins[j]:
            i, lag = int(problem.precedence[e, 0]), int(problem.precedence[e, 2])
            ready = (np.minimum(finish[i], _INF)[:, None] + lag + delays[e]).min(axis=0)
            head[j] = np.maximum(head[j], ready)
        head[j] = np.where(problem.allowed[j], head[j], _INF)
        finish[j] = np.where(problem.allowed[j], head[j] + p[j], _INF)
    for j in reversed(order):
        for e in outs[j]:
            k, lag = int(problem.precedence[e, 1]), int(problem.precedence[e, 2])
            after = np.where(problem.allowed[k], p[k] + tail[k], _INF)
            need = (lag + delays[e] + after[None, :]).min(axis=1)
            tail[j] = np.maximum(tail[j], need)
        tail[j] = np.where(problem.allowed[j], tail[j], _INF)
    return head, tail


def path_bound(problem: Problem, heads_tails: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """``max_j min_m (H[j, m] + p_jm + Q[j, m])`` of :func:`machine_heads_tails`.

    At least the paper's ``CP_MIN`` with release dates (the longest path with each task's minimum
    cost and no communication, from the releases): ``H``, ``p`` and ``Q`` each dominate the
    corresponding zero-communication, minimum-cost terms. ``heads_tails``: the result of
    :func:`machine_heads_tails` when already computed.
    """
    if problem.n_jobs == 0:
        return 0
    head, tail = machine_heads_tails(problem) if heads_tails is None else heads_tails
    total = np.where(problem.allowed, head + _durations(problem) + tail, _INF)
    best = total.min(axis=1)
    return int(best[best < _INF].max(initial=0))


def load_bound(problem: Problem, heads_tails: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """Energy bound over machine sets, with heads and tails.

    For a set ``A`` of machines (all machines, and each distinct eligibility set of the tasks) let
    ``J_A`` be the tasks allowed only on machines of ``A``, ``w_j = min_m p_jm`` their minimum
    duration, ``h_j = min_m H[j, m]`` a lower bound on their start and ``q_j = min_m Q[j, m]`` on
    the time from their end to the makespan (:func:`machine_heads_tails`). Then, for every ``t``,

    ``C_max >= t + ceil(sum_{j in J_A, h_j >= t} w_j / |A|)`` and
    ``C_max >= t + ceil(sum_{j in J_A, q_j >= t} w_j / |A|)``.

    Validity: the tasks with ``h_j >= t`` all run inside ``[t, C_max)`` on the ``|A|`` machines of
    ``A``, each machine runs one task at a time and task ``j`` occupies its machine for at least
    ``w_j`` (unrelated machines: whichever machine it gets); so their total work ``<= |A| (C_max -
    t)``. The tails case is the mirror image on ``[0, C_max - t)``. With ``t = 0`` and ``A`` = all
    machines it is ``ceil(sum_j min_m p_jm / M)``. ``heads_tails``: as in :func:`path_bound`.
    """
    n, mcount = problem.n_jobs, problem.n_machines
    if n == 0 or mcount == 0:
        return 0
    head, tail = machine_heads_tails(problem) if heads_tails is None else heads_tails
    p = _durations(problem)
    allowed = problem.allowed
    w = np.where(allowed, p, _INF).min(axis=1)
    h = np.where(allowed, head, _INF).min(axis=1)
    q = np.where(allowed, tail, _INF).min(axis=1)
    ok = w < _INF
    sets = {tuple(np.flatnonzero(np.ones(mcount, bool)))}
    if len(np.unique(allowed, axis=0)) <= 64:
        sets |= {tuple(np.flatnonzero(row)) for row in allowed if row.any()}
    best = 0
    for a in sets:
        inside = np.zeros(mcount, bool)
        inside[list(a)] = True
        members = ok & ~(allowed & ~inside[None, :]).any(axis=1)
        if not members.any():
            continue
        for key in (h[members], q[members]):
            order = np.argsort(-key, kind="stable")
            work = np.cumsum(w[members][order])
            ts = key[order]
            values = ts + -(-work // len(a))  # ceil
            best = max(best, int(values.max()))
    return best


def first_last_heads_tails(
    problem: Problem, heads_tails: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per task and machine: head ``HF[j, m]`` if ``j`` runs *first* on ``m``, tail ``QL[j, m]`` if *last*.

    "First" and "last" count only the tasks that occupy ``m`` (``p_jm > 0``): ``j`` is first on
    ``m`` when no other task on ``m`` starts before it, last when no other task on ``m`` ends
    after it. With ``H``, ``Q`` of :func:`machine_heads_tails`, ``F[i, a] = H[i, a] + p_ia`` and
    ``D_e`` the delay matrix of edge ``e`` (0 on the diagonal):

    * ``HF[j, m] = max(H[j, m], max_{e = (i, j, lag)} min_{a in A_e} (F[i, a] + lag + D_e[a, m]))``;
    * ``QL[j, m] = max(Q[j, m], max_{e = (j, k, lag)} min_{b in B_e} (lag + D_e[m, b] + p_kb + Q[k, b]))``,

    where ``A_e`` is every machine of ``i`` except ``m`` when ``p_im > 0`` and ``p_im + lag > 0``,
    and ``B_e`` every machine of ``k`` except ``m`` when ``p_km > 0`` and ``lag + p_km > 0``.
    Validity: if ``j`` is first on ``m`` and a predecessor ``i`` ran on ``m`` with ``p_im > 0``,
    then ``S_i >= S_j >= C_i + lag = S_i + p_im + lag``, impossible when ``p_im + lag > 0``; so
    ``i`` runs elsewhere and the edge's delay to ``m`` is paid (the minimum over ``A_e`` is taken
    as in :func:`machine_heads_tails`). Mirror image for the last task and its successors: a
    successor on ``m`` would end at ``C_k >= C_j + lag + p_km > C_j``. This is what lifts the
    family's bounds on DAGs whose machines end on tasks whose successors run elsewhere
    (deviation from the plain heads and tails of the literature, which let a successor share the
    machine: the "first"/"last" condition is schedopt's). ``inf``-like (``>= 2**60``) where ``j``
    is not allowed on ``m`` or cannot be first / last there.
    """
    mcount = problem.n_machines
    head, tail = machine_heads_tails(problem) if heads_tails is None else heads_tails
    p = _durations(problem)
    allowed = problem.allowed
    finish = np.where(allowed, np.minimum(head, _INF) + np.minimum(p, _INF), _INF)
    after = np.where(allowed, np.minimum(p, _INF) + np.minimum(tail, _INF), _INF)
    first, last = head.copy(), tail.copy()
    for e, (i, j, lag) in enumerate(problem.precedence):
        i, j, lag = int(i), int(j), int(lag)
        delays = _delay_matrix(problem, e)
        for m in range(mcount):
            if allowed[j, m]:
                ready = finish[i] + lag + delays[:, m]
                if allowed[i, m] and p[i, m] > 0 and p[i, m] + lag > 0:
                    ready[m] = _INF
                first[j, m] = max(first[j, m], int(ready[allowed[i]].min(initial=_INF)))
            if allowed[i, m]:
                need = lag + delays[m, :] + after[j]
                if allowed[j, m] and p[j, m] > 0 and lag + p[j, m] > 0:
                    need[m] = _INF
                last[i, m] = max(last[i, m], int(need[allowed[j]].min(initial=_INF)))
    first = np.where(allowed & (first < _INF), first, _INF)
    last = np.where(allowed & (last < _INF), last, _INF)
    return first, last


def idle_bound(problem: Problem, heads_tails: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """Load bound with the idle time before the first and after the last task of every machine.

    With ``W = sum_j min_m p_jm``, ``hf_j = min_{m: p_jm > 0} HF[j, m]`` and ``ql_j = min_{m: p_jm
    > 0} QL[j, m]`` (:func:`first_last_heads_tails`; tasks of positive duration somewhere), and
    ``F_u`` / ``L_u`` the sums of the ``u`` smallest ``hf_j`` / ``ql_j``:

    ``C_max >= min_{u = 1..min(M, #tasks)} ceil((W + F_u + L_u) / u)``.

    Validity: let ``u`` machines run a task of positive duration. Each such machine ``m`` runs
    all its tasks inside ``[S_first, C_last]`` with ``S_first >= HF[first, m]`` and ``C_max >=
    C_last + QL[last, m]``, so ``C_max >= HF[first, m] + load_m + QL[last, m]``. Summing over the
    ``u`` machines, whose first tasks are distinct (and so are their last tasks), ``u C_max >= F_u +
    W + L_u``; the minimum over ``u`` covers every ``u >= 1``. When ``W = 0`` every task can take
    no time somewhere and a schedule may run no task of positive duration (``u = 0``): the bound
    is then 0. It adds to ``ceil(W / M)`` the
    communication that the machines' last tasks must wait for, e.g. a machine that ends on a task
    whose successor runs elsewhere. ``heads_tails``: as in :func:`path_bound`.
    """
    if problem.n_jobs == 0 or problem.n_machines == 0:
        return 0
    ht = machine_heads_tails(problem) if heads_tails is None else heads_tails
    first, last = first_last_heads_tails(problem, ht)
    p = _durations(problem)
    busy = problem.allowed & (p > 0) & (p < _INF)
    cand = busy.any(axis=1)
    if not cand.any():
        return 0
    work = int(np.where(problem.allowed, p, _INF).min(axis=1)[problem.allowed.any(axis=1)].sum())
    if work == 0:  # every task may take no time somewhere: a schedule may use no machine (u = 0)
        return 0
    hf = np.sort(np.where(busy, first, _INF).min(axis=1)[cand])
    ql = np.sort(np.where(busy, last, _INF).min(axis=1)[cand])
    best = None
    for u in range(1, min(problem.n_machines, int(cand.sum())) + 1):
        total = work + sum(int(v) for v in hf[:u]) + sum(int(v) for v in ql[:u])  # no int64 overflow
        value = -(-total // u)
        best = value if best is None else min(best, value)
    return int(best or 0)


def lower_bound(problem: Problem, heads_tails: tuple[np.ndarray, np.ndarray] | None = None) -> int:
    """The family's cheap valid lower bound on the makespan: ``max(path_bound, load_bound, idle_bound)``.

    :func:`path_bound` dominates ``CP_MIN`` (Topcuoglu et al. 2002: the critical path with minimum
    costs and zero communication, here from the release dates); :func:`load_bound` and
    :func:`idle_bound` dominate ``ceil(sum_j min_m w_jm / M)``. All are valid (see their
    docstrings), so their maximum is. ``heads_tails``: as in :func:`path_bound`.
    """
    if problem.n_jobs == 0:
        return 0
    if not problem.has_machines:
        from ...precedence import critical_path_bound

        return critical_path_bound(problem)
    ht = machine_heads_tails(problem) if heads_tails is None else heads_tails
    return max(path_bound(problem, ht), load_bound(problem, ht), idle_bound(problem, ht))


# ------------------------------------------------------------------------------- symmetry
def machine_groups(problem: Problem) -> list[list[int]]:
    """Groups (of size >= 2) of interchangeable machines: same type, node and eligibility column."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    allowed = problem.allowed
    for m in range(problem.n_machines):
        key = (
            int(problem.machine_type[m]),
            int(problem.machine_node[m]),
            allowed[:, m].tobytes(),
            problem.machine_capacity[m].tobytes(),
        )
        groups.setdefault(key, []).append(m)
    return [g for g in groups.values() if len(g) > 1]


def canonical(problem: Problem, schedule: Schedule, groups: list[list[int]] | None = None) -> Schedule:
    """``schedule`` with the machines of each :func:`machine_groups` group relabelled by the smallest
    task index they host (unused machines last): the form symmetry breaking keeps."""
    groups = machine_groups(problem) if groups is None else groups
    machine = schedule.machine.copy()
    for g in groups:
        first = {m: int(np.flatnonzero(schedule.machine == m).min(initial=problem.n_jobs)) for m in g}
        ranked = sorted(g, key=lambda m: (first[m], m))
        relabel = dict(zip(ranked, g))
        for m_old, m_new in relabel.items():
            machine[schedule.machine == m_old] = m_new
    return Schedule(schedule.start.copy(), schedule.end.copy(), machine)


def _break_symmetry(cm: CpSatModel, groups: list[list[int]]) -> None:
    """Task ``j`` on ``m_k`` (``k >= 1``) only if a task ``i < j`` is on ``m_{k-1}`` (module doc, 4)."""
    model, n = cm.model, cm.problem.n_jobs
    for g in groups:
        used_before: list[Any] = [None] * len(g)  # "some task < j is on g[k]"
        for j in range(n):
            if g[0] not in cm.assign[j]:
                continue  # a group shares its eligibility column: j is allowed on none of it
            for k in range(1, len(g)):
                prev = used_before[k - 1]
                if prev is None:
                    model.add(cm.assign[j][g[k]] == 0)
                else:
                    model.add_implication(cm.assign[j][g[k]], prev)
            for k, m in enumerate(g):
                now = cm.model.new_bool_var(f"used{m}_{j}")
                lits = [cm.assign[j][m]] + ([used_before[k]] if used_before[k] is not None else [])
                model.add_max_equality(now, lits)
                used_before[k] = now


# ------------------------------------------------------------------------------- warm start
def _heuristic(name: str) -> Any:
    """The function of warm-start heuristic ``name``, or ``None`` when its module or function is absent."""
    import importlib

    module, attr = HEURISTICS[name].split(":")
    try:
        mod = importlib.import_module(f"{__package__}.{module}")
    except ModuleNotFoundError as exc:
        if exc.name == f"{__package__}.{module}":
            return None
        raise
    return getattr(mod, attr, None)


@dataclass
class DagCpSatState:
    """What :func:`strengthen_dag` leaves for :func:`finish_dag`."""

    best: Schedule | None = None
    info: dict[str, Any] = field(default_factory=dict)


def warm_start(
    problem: Problem, names: Any, ils_time: float, ils_iterations: int | None = None, seed: int = 0
) -> tuple[str | None, Schedule | None, dict[str, int]]:
    """Run the heuristics ``names`` and return ``(best name, best schedule, {name: makespan})``.

    Heuristics that are not available are skipped; a schedule that :func:`schedopt.check`
    rejects is ignored (and reported as makespan ``-1``). ``ils`` gets ``time_limit=ils_time`` and
    ``iterations=ils_iterations`` (``None``: its default ``ILS_DEFAULT_ITERATIONS``), and stops at
    the first reached.
    """
    best_name, best, spans = None, None, {}
    for name in names:
        run = _heuristic(name)
        if run is None:
            continue
        kwargs: dict[str, Any] = {"seed": seed}
        if name == "ils":
            if ils_iterations is None:  # the ILS's own default (without a time limit)
                ils_iterations = getattr(inspect.getmodule(run), "ILS_DEFAULT_ITERATIONS", 4000)
            kwargs.update(time_limit=ils_time, iterations=ils_iterations)
        out = run(problem, **kwargs)
        sched = out.schedule
        if sched is None:
            continue
        if check(problem, sched):
            spans[name] = -1
            continue
        spans[name] = int(sched.makespan)
        if best is None or sched.makespan < best.makespan:
            best_name, best = name, sched
    return best_name, best, spans


def _flag(options: Mapping[str, Any], name: str) -> bool:
    value = options[name]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise OptionError("cpsat", name, message=f"option {name} must be True or False, got {value!r}")


def _number(options: Mapping[str, Any], name: str, high: float | None = None) -> float:
    value = options[name]
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    if not ok or not float(value) >= 0 or (high is not None and float(value) > high) or math.isnan(value):
        rng = f"in [0, {high}]" if high is not None else ">= 0"
        raise OptionError("cpsat", name, message=f"option {name} must be a number {rng}, got {value!r}")
    return float(value)


def _names(options: Mapping[str, Any]) -> tuple[str, ...]:
    value = options["dag_heuristics"]
    names = (value,) if isinstance(value, str) else tuple(value)
    for name in names:
        if name not in HEURISTICS:
            raise OptionError(
                "cpsat",
                "dag_heuristics",
                message=f"option dag_heuristics: unknown heuristic {name!r} (known: {', '.join(HEURISTICS)})",
            )
    return names


def strengthen_dag(cm: CpSatModel, ctx: CpSatContext) -> None:
    """Warm start, lower bounds, redundant cumulatives and symmetry breaking (module docstring).

    Raises
    ------
    OptionError
        For an option of :data:`OPTIONS` of the wrong type or value.
    """
    options = ctx.options
    flags = {k: _flag(options, k) for k in OPTIONS if isinstance(OPTIONS[k], bool)}
    ends = options["dag_machine_ends"]
    if isinstance(ends, (bool, np.bool_)):
        ends = bool(ends)
    elif not (isinstance(ends, str) and ends == "auto"):
        raise OptionError(
            "cpsat",
            "dag_machine_ends",
            message=f"option dag_machine_ends must be True, False or 'auto', got {ends!r}",
        )
    share = _number(options, "dag_ils_share", 1.0)
    cap = _number(options, "dag_ils_time")
    names = _names(options)
    iters = options["dag_ils_iterations"]
    if iters is not None and (
        isinstance(iters, (bool, np.bool_)) or not isinstance(iters, (int, np.integer)) or iters < 0
    ):
        raise OptionError(
            "cpsat",
            "dag_ils_iterations",
            message=f"option dag_ils_iterations must be an integer >= 0 or None, got {iters!r}",
        )
    state = cm.state = DagCpSatState()
    p, model, mk = cm.problem, cm.model, cm.objective_var
    if not flags["dag_strengthen"] or not is_dag_problem(p) or mk is None or p.n_jobs == 0:
        return
    groups = machine_groups(p) if flags["dag_symmetry"] else []
    hinted: Schedule | None = None  # the hint this strengthening sets (None: none, or the caller's)
    heads: tuple[np.ndarray, np.ndarray] | None = None
    if flags["dag_warm_start"] and names:
        left = ctx.remaining()
        budget = cap if left is None else min(cap, share * left)
        iterations = options["dag_ils_iterations"]
        name, best, spans = warm_start(p, names, max(budget, 0.01), iterations, seed=ctx.seed)
        state.info["dag_heuristics"] = ", ".join(f"{k}={v}" for k, v in spans.items())
        if best is not None:
            ub = int(best.makespan)
            state.best = best
            state.info.update(dag_hint=name, dag_hint_makespan=ub)
            model.add(mk <= ub)
            for e in cm.end:
                model.add(e <= ub)
            if ctx.hint is None:
                hinted = canonical(p, best, groups) if groups else best
                from ...cpsat.compiler import hint

                hint(cm, hinted)
                model.add_hint(mk, ub)
            else:
                state.info["dag_hint"] = "caller"
    if flags["dag_bounds"]:
        heads = head, tail = machine_heads_tails(p)
        lb = lower_bound(p, heads)
        state.info["dag_lower_bound"] = lb
        model.add(mk >= lb)
        if state.best is not None and lb >= state.best.makespan:
            # the warm start meets the bound: it is optimal, the search has nothing to do
            state.info["dag_proof"] = "warm start meets the lower bound"
            cm.search_share = 0.0
            cm.parameters["max_time_in_seconds"] = 0.01
            return
        for j in range(p.n_jobs):
            here = {m: int(head[j, m]) for m in cm.assign[j]}
            low = min(here.values(), default=int(p.release[j]))
            if low > p.release[j]:
                model.add(cm.start[j] >= low)
            for m, lit in cm.assign[j].items():
                if here[m] > low:
                    model.add(cm.start[j] >= here[m]).only_enforce_if(lit)
            after = {m: int(tail[j, m]) for m in cm.assign[j]}
            least = min(after.values(), default=0)
            if least > 0:
                model.add(mk >= cm.end[j] + least)
            for m, lit in cm.assign[j].items():
                if after[m] > least:
                    model.add(mk >= cm.end[j] + after[m]).only_enforce_if(lit)
    if ends is not False:
        heads = machine_heads_tails(p) if heads is None else heads
        if ends is True or idle_bound(p, heads) > max(path_bound(p, heads), load_bound(p, heads)):
            state.info["dag_machine_ends"] = True
            _machine_ends(cm, heads, hinted)
    if flags["dag_cumulative"]:
        _cumulatives(cm)
    if groups:
        _break_symmetry(cm, groups)


def _machine_ends(
    cm: CpSatModel, heads_tails: tuple[np.ndarray, np.ndarray], hinted: Schedule | None
) -> None:
    """First and last task of every machine (module doc, item 5); ``hinted``: hint their literals."""
    p, model, mk = cm.problem, cm.model, cm.objective_var
    first, last = first_last_heads_tails(p, heads_tails)
    dur = _durations(p)
    for m in range(p.n_machines):
        tasks = [j for j in range(p.n_jobs) if m in cm.assign[j] and dur[j, m] > 0]
        if not tasks:
            continue
        x = {j: cm.assign[j][m] for j in tasks}
        used = model.new_bool_var(f"used_m{m}")
        model.add_bool_or(list(x.values())).only_enforce_if(used)
        fst = {j: model.new_bool_var(f"first{j}_m{m}") for j in tasks}
        lst = {j: model.new_bool_var(f"last{j}_m{m}") for j in tasks}
        for j in tasks:
            model.add_implication(x[j], used)
            model.add_implication(fst[j], x[j])
            model.add_implication(lst[j], x[j])
            if first[j, m] >= _INF:
                model.add(fst[j] == 0)
            if last[j, m] >= _INF:
                model.add(lst[j] == 0)
        model.add(sum(fst.values()) == used)
        model.add(sum(lst.values()) == used)
        h = sum(int(min(first[j, m], cm.horizon)) * fst[j] for j in tasks)
        q = sum(int(min(last[j, m], cm.horizon)) * lst[j] for j in tasks)
        begin = model.new_int_var(0, cm.horizon, f"begin_m{m}")
        finish = model.new_int_var(0, cm.horizon, f"finish_m{m}")
        load = sum(int(dur[j, m]) * x[j] for j in tasks)
        model.add(begin >= h)
        model.add(finish >= begin + load)
        model.add(mk >= finish + q)
        model.add(mk >= h + load + q)
        for j in tasks:
            model.add(begin <= cm.start[j]).only_enforce_if(x[j])
            model.add(finish >= cm.end[j]).only_enforce_if(x[j])
            model.add(begin >= cm.start[j]).only_enforce_if(fst[j])
            model.add(finish <= cm.end[j]).only_enforce_if(lst[j])
            model.add(cm.start[j] >= h).only_enforce_if(x[j])
            model.add(mk >= cm.end[j] + q).only_enforce_if(x[j])
        if hinted is not None:
            on = [j for j in tasks if hinted.machine[j] == m]
            j0 = min(on, key=lambda j: (hinted.start[j], j)) if on else None
            j1 = max(on, key=lambda j: (hinted.end[j], j)) if on else None
            model.add_hint(used, bool(on))
            for j in tasks:
                model.add_hint(fst[j], j == j0)
                model.add_hint(lst[j], j == j1)
            model.add_hint(begin, int(hinted.start[j0]) if on else 0)
            model.add_hint(finish, int(hinted.end[j1]) if on else 0)


def _cumulatives(cm: CpSatModel) -> None:
    """At most ``|A|`` tasks allowed only on machine set ``A`` run at once (module doc, item 3)."""
    p, model = cm.problem, cm.model
    allowed, mcount = p.allowed, p.n_machines
    positive = p.max_duration > 0
    sets = {tuple(range(mcount))}
    if len(np.unique(allowed, axis=0)) <= 64:
        sets |= {tuple(np.flatnonzero(row)) for row in allowed if row.any()}
    for a in sets:
        inside = np.zeros(mcount, bool)
        inside[list(a)] = True
        members = np.flatnonzero(positive & allowed.any(axis=1) & ~(allowed & ~inside[None, :]).any(axis=1))
        if len(members) <= len(a):
            continue
        model.add_cumulative([cm.interval[j] for j in members], [1] * len(members), len(a))


def finish_dag(cm: CpSatModel, out: MethodOutput, ctx: CpSatContext) -> MethodOutput:
    """Report the warm start in ``info``; merge the answer with the warm start and :func:`lower_bound`.

    The bound reported is the larger of CP-SAT's and :func:`lower_bound` (CP-SAT stopped in presolve
    may report less than the constraint ``C_max >= LB`` it was given); when CP-SAT found no
    schedule within the limit, the warm-start schedule is returned; the status is ``optimal``
    when the bound meets the schedule's makespan.
    """
    state = cm.state
    if not isinstance(state, DagCpSatState):
        return out
    info = {**out.info, **state.info}
    if out.status == "infeasible":
        return MethodOutput(out.status, out.schedule, out.bound, info)
    schedule = out.schedule
    if schedule is None and state.best is not None:
        schedule = state.best
        info["dag_schedule_from"] = state.info.get("dag_hint")
    bounds = [b for b in (out.bound, state.info.get("dag_lower_bound")) if b is not None]
    bound = max(bounds) if bounds else None
    if schedule is None:
        return MethodOutput(out.status, None, bound, info)
    status = "optimal" if bound is not None and bound >= schedule.makespan else "feasible"
    return MethodOutput(status, schedule, bound, info)


OPTIONS: dict[str, Any] = {
    "dag_strengthen": True,
    "dag_warm_start": True,
    "dag_heuristics": tuple(HEURISTICS),
    "dag_ils_share": 0.1,
    "dag_ils_time": 2.0,
    "dag_ils_iterations": None,
    "dag_bounds": True,
    "dag_cumulative": True,
    "dag_symmetry": True,
    "dag_machine_ends": "auto",
}
"""The options of the DAG strengthening with their defaults (see the module docstring)."""

STRENGTHENING = Strengthening(strengthen_dag, finish_dag, OPTIONS)
"""The ``dag`` family's CP-SAT strengthening (declared in :data:`schedopt.families.dag.FAMILY`)."""
