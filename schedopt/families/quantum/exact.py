"""Exact periodic network schedule by CP-SAT: maximise admitted demands, then minimise jitter.

The issue's exact model for small task sets (Skrzypczyk & Wehner, arXiv 2111.13124, schedule the
admitted set over the hyperperiod; LinkScheduling has no exact periodic model -- this one is ours).

Model
-----
* ``x_i`` (Boolean): task ``i`` is admitted.
* ``S_ik`` in ``[k p_i, (k + 1) p_i - c_i]``: start of instance ``k`` (window = release and implicit
  deadline).
* Per instance and occupation ``(q, a, b)`` of the pattern (``view="nonblock"``: the shape's
  occupations; ``view="block"``: every qubit of the shape over ``[0, c)``), an optional interval
  ``[S_ik + a, S_ik + b)`` present iff ``x_i`` -- rigid offsets of one start variable, which
  CP-SAT expresses although the unified model cannot; ``NoOverlap`` per qubit.
* Jitter: the start offset within the period is ``o_ik = S_ik - k p_i``; task ``i``'s jitter is
  ``max_k o_ik - min_k o_ik`` and the schedule's jitter ``J`` is the largest over admitted tasks.

Phase 1 maximises ``sum x_i`` (every task counts 1: admitted *demands*); phase 2 fixes
``sum x_i >= best`` and minimises ``J``, hinted with phase 1's solution (lexicographic by two solves).

Guarantees
----------
The method receives the block problem (:func:`.periodic.periodic_problem`, every instance
mandatory, objective ``"feasibility"``).

* Every schedule it returns is block-feasible (checked with :func:`schedopt.check`), so it is
  returned only when every task is admitted: for ``view="nonblock"``, the non-block starts when
  they are block-feasible as well, else (``block_fallback``) the block view's solution.
* ``"infeasible"`` only when phase 1 is *proven* optimal with fewer than all tasks admitted (in
  either view: a block-feasible schedule is non-block feasible, so a non-block proof covers the
  block problem too).
* ``status="unknown"`` otherwise (time limit, or every task admitted in the non-block view only:
  then ``info["starts"]`` is a non-block schedule of every task, checkable with
  :func:`.periodic.nonblock_problem`).
* ``info`` holds ``admitted`` (task indices), ``starts`` (per job, ``-1`` for rejected tasks),
  ``jitter``, and whether each phase was proven optimal (``admission_optimal``, ``jitter_optimal``).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from ...errors import ProblemError
from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from .periodic import PeriodicTask, job_index, nonblock_problem, nonblock_schedule, tasks_of


def _pattern(t: PeriodicTask, view: str) -> list[tuple[str, int, int]]:
    if view == "block":
        return [(q, 0, t.c) for q in t.qubits]
    return list(t.occupations)


def periodic_cpsat(
    problem: Problem,
    *,
    view: str = "nonblock",
    time_limit: float | None = 10.0,
    workers: int = 1,
    seed: int = 0,
    jitter: bool = True,
    hint: np.ndarray | None = None,
) -> dict[str, Any]:
    """Solve the admission + jitter model; the raw result (see the module docstring for ``info``).

    ``hint``: starts per job (``-1``: task not admitted) used as a solution hint, e.g. from EDF.
    """
    from ortools.sat.python import cp_model

    if view not in ("block", "nonblock"):
        raise ProblemError(f"cpsat: view must be 'block' or 'nonblock', got {view!r}")
    tasks = tasks_of(problem)
    task, kk = job_index(problem)
    n = problem.n_jobs

    def build() -> tuple[Any, list[Any], list[Any], Any]:
        m = cp_model.CpModel()
        x = [m.new_bool_var(f"x{i}") for i in range(len(tasks))]
        s = []
        per_q: dict[str, list[Any]] = {}
        for j in range(n):
            t = tasks[task[j]]
            lo = int(problem.release[j])
            hi = int(problem.deadline[j]) - t.c
            sv = m.new_int_var(lo, hi, f"s{j}")
            s.append(sv)
            for q, a, b in _pattern(t, view):
                per_q.setdefault(q, []).append(
                    m.new_optional_fixed_size_interval_var(sv + a, b - a, x[task[j]], f"o{j}_{q}_{a}")
                )
        for ivs in per_q.values():
            if len(ivs) > 1:
                m.add_no_overlap(ivs)
        big = max(t.period for t in tasks)
        jit = m.new_int_var(0, big, "J")
        for i, t in enumerate(tasks):
            js = [j for j in range(n) if task[j] == i]
            if len(js) < 2:
                continue
            lo = m.new_int_var(0, t.period, f"lo{i}")
            hi = m.new_int_var(0, t.period, f"hi{i}")
            for j in js:
                off = s[j] - int(kk[j]) * t.period
                m.add(off >= lo)
                m.add(off <= hi)
            m.add(jit >= hi - lo).only_enforce_if(x[i])
        return m, x, s, jit

    def solver(limit: float | None) -> Any:
        sv = cp_model.CpSolver()
        sv.parameters.num_workers = max(1, int(workers))
        sv.parameters.random_seed = int(seed)
        if limit is not None:
            sv.parameters.max_time_in_seconds = max(float(limit), 0.01)
        return sv

    t0 = time.perf_counter()
    m, x, s, _ = build()
    m.maximize(sum(x))
    if hint is not None:
        h_arr = np.asarray(hint, np.int64)
        for i in range(len(tasks)):
            m.add_hint(x[i], int(all(h_arr[j] >= 0 for j in range(n) if task[j] == i)))
        for j in range(n):
            if h_arr[j] >= 0:
                m.add_hint(s[j], int(h_arr[j]))
    limit1 = None if time_limit is None else (time_limit / 2 if jitter else time_limit)
    sv1 = solver(limit1)
    st1 = sv1.solve(m)
    out: dict[str, Any] = {"view": view, "status1": sv1.status_name(st1)}
    if st1 not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        out.update(admitted=[], starts=None, admission_optimal=False, jitter_optimal=False, jitter=None)
        return out
    admitted = [i for i in range(len(tasks)) if sv1.value(x[i])]
    starts = [int(sv1.value(s[j])) if task[j] in admitted else -1 for j in range(n)]
    out.update(admitted=admitted, starts=starts, admission_optimal=st1 == cp_model.OPTIMAL)
    out["admission_bound"] = round(sv1.best_objective_bound)
    jit_opt = False
    if jitter and admitted:
        m2, x2, s2, jit2 = build()
        m2.add(sum(x2) >= len(admitted))
        m2.minimize(jit2)
        for i in range(len(tasks)):
            m2.add_hint(x2[i], int(i in admitted))
        for j in range(n):
            m2.add_hint(s2[j], int(sv1.value(s[j])))
        rest = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.05)
        sv2 = solver(rest)
        st2 = sv2.solve(m2)
        out["status2"] = sv2.status_name(st2)
        if st2 in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            adm2 = [i for i in range(len(tasks)) if sv2.value(x2[i])]
            if len(adm2) >= len(admitted):
                admitted = adm2
                starts = [int(sv2.value(s2[j])) if task[j] in admitted else -1 for j in range(n)]
                jit_opt = st2 == cp_model.OPTIMAL
    out.update(admitted=admitted, starts=starts, jitter_optimal=jit_opt)
    out["jitter"] = jitter_of(problem, starts, admitted)
    return out


def jitter_of(problem: Problem, starts: Any, admitted: list[int] | None = None) -> int:
    """``max`` over (admitted) tasks of ``max_k o_ik - min_k o_ik``, ``o_ik = S_ik - k p_i`` (slots;
    :func:`.metrics.jitter`)."""
    from .metrics import jitter

    s = np.asarray(starts, np.int64).copy()
    if admitted is not None:
        s[~np.isin(problem.meta["task"], admitted)] = -1
    return max(jitter(problem, s).values(), default=0)


def solve_periodic_cpsat(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    view: str = "nonblock",
    workers: int = 1,
    jitter: bool = True,
    hint_edf: bool = True,
    block_fallback: bool = True,
) -> MethodOutput:
    """The family's ``cpsat`` for quantum periodic problems (see the module docstring).

    Options: ``view`` (``"nonblock"``: occupations only, admits at least as many tasks as every EDF
    variant; ``"block"``: whole-duration reservations), ``workers``, ``jitter`` (run phase 2),
    ``hint_edf`` (hint phase 1 with the best EDF run that meets every deadline),
    ``block_fallback`` (when every task is admitted in the non-block view but those starts are not
    block-feasible, solve the block view too, so that a block schedule can be returned; ``info``
    then describes the block solve, ``info["nonblock"]`` the non-block one).
    """
    t0 = time.perf_counter()
    hint = None
    if hint_edf:
        from .edf import edf_starts

        for variant in (view, "block", "single"):
            run = edf_starts(problem, variant)
            if run.ok:
                hint = run.starts
                break
    raw = periodic_cpsat(
        problem, view=view, time_limit=time_limit, workers=workers, seed=seed, jitter=jitter, hint=hint
    )
    tasks = tasks_of(problem)
    info = dict(raw)
    info["n_tasks"] = len(tasks)
    if raw["starts"] is None:
        return MethodOutput("unknown", None, None, info)
    if len(raw["admitted"]) < len(tasks):
        status = "infeasible" if raw["admission_optimal"] else "unknown"
        return MethodOutput(status, None, None, info)
    from ...check import check

    starts = np.asarray(raw["starts"], np.int64)
    if view == "nonblock":
        nb = nonblock_problem(tasks, starts)
        bad = check(nb, nonblock_schedule(nb, starts))
        if bad:  # pragma: no cover - a modelling bug
            raise RuntimeError(f"cpsat produced an invalid non-block schedule: {bad[0]}")
    sched = Schedule(starts, starts + problem.duration)
    if not check(problem, sched):
        info["block_feasible"] = True
        return MethodOutput("feasible", sched, None, info)
    info["block_feasible"] = False
    if view == "block" or not block_fallback:  # (block-view starts are always block-feasible)
        return MethodOutput("unknown", None, None, info)
    # the non-block starts are not block-feasible: look for a block schedule of every task
    rest = None if time_limit is None else max(time_limit - (time.perf_counter() - t0), 0.05)
    raw_b = periodic_cpsat(problem, view="block", time_limit=rest, workers=workers, seed=seed, jitter=jitter)
    info = {**raw_b, "n_tasks": len(tasks), "nonblock": {k: v for k, v in info.items() if k != "n_tasks"}}
    if raw_b["starts"] is None or len(raw_b["admitted"]) < len(tasks):
        proven = raw_b["starts"] is not None and raw_b["admission_optimal"]
        return MethodOutput("infeasible" if proven else "unknown", None, None, info)
    info["block_feasible"] = True
    sb = np.asarray(raw_b["starts"], np.int64)
    return MethodOutput("feasible", Schedule(sb, sb + problem.duration), None, info)


__all__ = ["jitter_of", "periodic_cpsat", "solve_periodic_cpsat"]
