"""Time-indexed CP-SAT decision model: is there a schedule of makespan at most ``T``?

The interval model of :mod:`schedopt.cpsat.compiler` finds good schedules
fast, but on small, highly cumulative instances its lower bound can stall far
below the optimum. A time-indexed, *order-encoded* Boolean
model of the decision problem "makespan ``<= T``" lets CP-SAT's clause
learning work on time points directly, which is how the SAT encodings of
RCPSP close such instances (Horbach 2010; the order encoding of Tamura et
al. 2009 used by Ansótegui et al. 2011). :func:`decide_makespan` answers
the question; :func:`schedopt.families.rcpsp.exact` uses it at ``UB - 1``
to prove the interval model's best schedule optimal.

Encoding
--------
For each job ``j`` with start window ``[ES_j, LS_j]`` and each
``ES_j <= t < LS_j`` a literal ``y_jt`` means ``S_j <= t``
(``y_jt -> y_j,t+1``; ``S_j <= LS_j`` always holds).

* Precedence ``i -> j`` with minimum delay ``d_ij`` (lag, or the
  energy-strengthened delay of :func:`.bounds.precedence_delays`):
  ``y_jt -> y_i,t-p_i-d_ij``.
* Job ``j`` runs at ``t`` iff ``S_j <= t`` and not ``S_j <= t - p_j``: a
  literal ``x_jt <-> y_jt AND NOT y_j,t-p_j`` (a constant where the window
  decides it, e.g. in the compulsory part ``[LS_j, ES_j + p_j)``).
* Resources, with the capacity profile ``R_k(t)`` lowered by downtime:
  ``sum_j r_jk x_jt <= R_k(t)`` for every ``t`` where the demands could
  exceed it.
* Disjunctive pairs: ``NOT x_it OR NOT x_jt``.

The windows are ``ES_j`` = the longest delay path from the heads
(``S_j >= min_l r_l + head_j``, releases) and ``LF_j`` = the shortest one
back from ``min(T - tail_j, D_j)`` (deadlines); every feasible schedule of
makespan ``<= T`` lies inside them, so "infeasible" is a proof that the
optimum exceeds ``T``. (Variants with linear resource rows over ``y`` alone,
or with the interval variables and cumulatives added back, are in the git
history of ``benchmarks/rcpsp/RESULTS.md``.)

CP-SAT runs the model with ``linearization_level = 0``
(:data:`DECISION_PARAMETERS`): the model is pure Boolean with one small
knapsack row per resource and time point, so the LP relaxation of level 1
costs time without pruning more; see "Linearization level of the
time-indexed decision model" in ``benchmarks/rcpsp/RESULTS.md``.

References
----------
Pritsker, A. A. B., Watters, L. J. & Wolfe, P. M. (1969). Multiproject
scheduling with limited resources: a zero-one programming approach.
Management Science 16(1), 93-108.
Tamura, N., Taga, A., Kitagawa, S. & Banbara, M. (2009). Compiling finite
linear CSP into SAT. Constraints 14(2), 254-272.
Horbach, A. (2010). A Boolean satisfiability approach to the
resource-constrained project scheduling problem. Annals of OR 181, 89-107.
Ansótegui, C., Bofill, M., Palahí, M., Suy, J. & Villaret, M. (2011).
Satisfiability modulo theories: an efficient approach for the
resource-constrained project scheduling problem. SARA 2011.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
from ortools.sat.python import cp_model

from ...cpsat.compiler import apply_parameters
from ...errors import ProblemError, SolverError
from ...model import NO_TIME, Problem
from ...schedule import Schedule
from .bounds import _NONE, _capacity_profile, precedence_delays

#: CP-SAT parameters of the decision model (module docstring); ``parameters=`` overrides them.
DECISION_PARAMETERS: dict[str, Any] = {"linearization_level": 0}

MAX_TIME_POINTS: int = 200_000
"""Largest :func:`time_points` the decision model is built for.

Building the model walks every time point of the horizon in Python, once per
resource (its resource rows) and disjunctive pair, and keeps a capacity profile
of ``horizon`` entries, whatever the literal count: with durations of ``10**9``
that is hours and gigabytes. PSPLIB J120 needs under 2,000 time points.
"""


def time_points(problem: Problem, horizon: int) -> int:
    """Time points the decision model at ``horizon`` walks: ``horizon * max(1, resources + pairs)``.

    ``pairs`` counts the disjunctive pairs; each is walked over the horizon like a resource.
    """
    return max(int(horizon), 0) * max(1, problem.n_resources + len(problem.disjunctive))


@dataclass
class Windows:
    """Start windows ``[es_j, ls_j]`` of every schedule with makespan ``<= horizon``.

    ``delay[i, j]`` is the minimum ``S_j - (S_i + p_i)`` for related pairs
    (``-2**40`` otherwise) and ``path`` the plain longest-path part of it.
    """

    horizon: int
    es: np.ndarray
    ls: np.ndarray
    path: np.ndarray
    delay: np.ndarray

    @property
    def empty(self) -> bool:
        """True when some job has no start time left: no such schedule exists."""
        return bool((self.ls < self.es).any())

    @property
    def n_literals(self) -> int:
        """Order literals ``y_jt`` the model needs: ``sum_j max(0, ls_j - es_j)``."""
        return int(np.maximum(self.ls - self.es, 0).sum())


def time_windows(problem: Problem, horizon: int) -> Windows:
    """Start windows of the jobs in any feasible schedule of makespan ``<= horizon``.

    ``ES_j = max(r_j, min_l r_l + head_j, max_i ES_i + p_i + d_ij)`` and
    ``LF_j = min(D_j, T - tail_j, min_k LF_k - p_k - d_jk)``,
    ``LS_j = LF_j - p_j``, over all related pairs with the delays, heads and
    tails of :func:`.bounds.precedence_delays` (valid with downtime: they use
    the full capacity).
    """
    dur = problem.duration.astype(np.int64)
    path, delay, head, tail = precedence_delays(problem)
    rel = delay > _NONE
    order = list(nx.topological_sort(problem.graph()))
    r0 = int(problem.release.min(initial=0))
    es = np.maximum(problem.release.astype(np.int64), r0 + head)
    for j in order:
        m = rel[:, j]
        if m.any():
            es[j] = max(es[j], int((es[m] + dur[m] + delay[m, j]).max()))
    lf = np.minimum(np.minimum(problem.deadline, NO_TIME), horizon - tail).astype(np.int64)
    for j in reversed(order):
        m = rel[j, :]
        if m.any():
            lf[j] = min(lf[j], int((lf[m] - dur[m] - delay[j, m]).min()))
    return Windows(int(horizon), es, lf - dur, path, delay)


@dataclass
class Decision:
    """Answer of :func:`decide_makespan`.

    ``status`` is ``"feasible"`` (with a schedule of makespan ``<= horizon``),
    ``"infeasible"`` (proven: every schedule ends after ``horizon``) or
    ``"unknown"`` (time limit).
    """

    status: str
    horizon: int
    schedule: Schedule | None = None
    seconds: float = 0.0
    info: dict[str, Any] = field(default_factory=dict)


class _OrderModel:
    """The order-encoded model of :func:`decide_makespan` (see module docstring)."""

    def __init__(self, problem: Problem, win: Windows) -> None:
        self.p, self.w = problem, win
        self.model = cp_model.CpModel()
        self.y: list[dict[int, Any]] = []
        for j in range(problem.n_jobs):
            lits = {t: self.model.new_bool_var(f"y{j}_{t}") for t in range(int(win.es[j]), int(win.ls[j]))}
            for a, b in itertools.pairwise(sorted(lits)):
                self.model.add_implication(lits[a], lits[b])
            self.y.append(lits)
        self._running: dict[tuple[int, int], Any] = {}

    def le(self, j: int, t: int) -> Any:
        """The literal ``S_j <= t``, or ``True``/``False`` where the window decides it."""
        if t < self.w.es[j]:
            return False
        if t >= self.w.ls[j]:
            return True
        return self.y[j][t]

    def running(self, j: int, t: int) -> Any:
        """The literal "job ``j`` runs at ``t``", or ``True``/``False``."""
        key = (j, t)
        if key not in self._running:
            a, b = self.le(j, t), self.le(j, t - int(self.p.duration[j]))
            if a is False or b is True:
                lit: Any = False
            elif a is True and b is False:
                lit = True
            else:
                parts = ([] if a is True else [a]) + ([] if b is False else [b.Not()])
                lit = self.model.new_bool_var(f"x{j}_{t}")
                self.model.add_bool_and(parts).only_enforce_if(lit)
                self.model.add_bool_or([lit] + [q.Not() for q in parts])
            self._running[key] = lit
        return self._running[key]

    def may_run(self, j: int, t: int) -> bool:
        return int(self.w.es[j]) <= t < int(self.w.ls[j]) + int(self.p.duration[j])

    def add_precedence(self) -> None:
        p, w = self.p, self.w
        pairs = {(int(i), int(j)) for i, j, _ in p.precedence}
        pairs |= {(int(i), int(j)) for i, j in zip(*np.nonzero(w.delay > w.path))}
        for i, j in sorted(pairs):
            gap = int(p.duration[i]) + int(w.delay[i, j])
            for t, lit in self.y[j].items():
                before = self.le(i, t - gap)
                if before is True:
                    continue
                if before is False:
                    self.model.add_bool_or([lit.Not()])
                else:
                    self.model.add_implication(lit, before)

    def add_resources(self) -> None:
        p, w = self.p, self.w
        for k in range(p.n_resources):
            cap = _capacity_profile(p, k, w.horizon)
            users = [j for j in range(p.n_jobs) if p.demand[j, k] > 0 and p.duration[j] > 0]
            for t in range(w.horizon):
                near = [j for j in users if self.may_run(j, t)]
                if sum(int(p.demand[j, k]) for j in near) <= cap[t]:
                    continue
                const, terms = 0, []
                for j in near:
                    lit = self.running(j, t)
                    if lit is True:
                        const += int(p.demand[j, k])
                    elif lit is not False:
                        terms.append(int(p.demand[j, k]) * lit)
                if terms:
                    self.model.add(sum(terms) <= int(cap[t]) - const)
                elif const > cap[t]:
                    self.model.add_bool_or([])  # compulsory parts alone overload t

    def add_disjunctive(self) -> None:
        p = self.p
        for i, j in p.disjunctive:
            i, j = int(i), int(j)
            if p.duration[i] == 0 or p.duration[j] == 0:
                continue
            for t in range(self.w.horizon):
                if not (self.may_run(i, t) and self.may_run(j, t)):
                    continue
                a, b = self.running(i, t), self.running(j, t)
                if a is False or b is False:
                    continue
                self.model.add_bool_or([q.Not() for q in (a, b) if q is not True])

    def starts(self, solver: cp_model.CpSolver) -> np.ndarray:
        start = self.w.ls.astype(np.int64).copy()
        for j, lits in enumerate(self.y):
            for t in sorted(lits):
                if solver.boolean_value(lits[t]):
                    start[j] = t
                    break
        return start


def decide_makespan(
    problem: Problem,
    horizon: int,
    *,
    time_limit: float | None = None,
    workers: int = 1,
    seed: int = 0,
    windows: Windows | None = None,
    on_solver: Callable[[cp_model.CpSolver], None] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> Decision:
    """Decide whether some feasible schedule has makespan ``<= horizon`` (module docstring).

    Parameters
    ----------
    problem
        An RCPSP (:func:`.model.is_rcpsp`), with any downtime, windows and
        disjunctive pairs.
    horizon
        The makespan ``T`` to reach.
    time_limit, workers, seed
        CP-SAT's limits (seconds, ``num_workers``, ``random_seed``).
    windows
        :func:`time_windows` for this horizon, if already computed.
    on_solver
        Called with the ``CpSolver`` just before the search, so that another
        thread can interrupt it with ``stop_search()`` (the answer is then
        ``unknown``).
    parameters
        CP-SAT parameters set on top of :data:`DECISION_PARAMETERS`, by
        their ``SatParameters`` field names (e.g. ``{"linearization_level": 1}``).

    Returns
    -------
    Decision
        ``infeasible`` is a proof that the optimum exceeds ``horizon``.

    Raises
    ------
    ProblemError
        When :func:`time_points` exceeds :data:`MAX_TIME_POINTS` (checked before
        anything horizon-sized is built).
    """
    t0 = time.perf_counter()
    points = time_points(problem, horizon)
    if points > MAX_TIME_POINTS:
        raise ProblemError(
            f"decide_makespan: the time-indexed model of {problem.name or 'this problem'!r} at makespan "
            f"{int(horizon):,} would walk {points:,} time points (horizon x resources and disjunctive "
            f"pairs), more than MAX_TIME_POINTS = {MAX_TIME_POINTS:,}: building it takes time and memory "
            "that grow with the durations. Use method='cpsat' (interval variables), which copes with "
            "large durations"
        )
    win = windows if windows is not None else time_windows(problem, horizon)
    if win.empty:
        return Decision("infeasible", horizon, None, time.perf_counter() - t0, {"windows": "empty"})
    om = _OrderModel(problem, win)
    om.add_precedence()
    om.add_resources()
    om.add_disjunctive()
    solver = cp_model.CpSolver()
    try:
        apply_parameters(solver.parameters, {**DECISION_PARAMETERS, **(parameters or {})})
    except ValueError as exc:
        raise ValueError(f"decide_makespan: {exc}") from None
    solver.parameters.num_workers = int(workers)
    solver.parameters.random_seed = int(seed)
    if time_limit is not None:
        solver.parameters.max_time_in_seconds = max(0.01, time_limit - (time.perf_counter() - t0))
    if on_solver is not None:
        on_solver(solver)
    code = solver.solve(om.model)
    info = {
        "literals": win.n_literals,
        "conflicts": solver.num_conflicts,
        "cpsat_status": solver.status_name(code),
    }
    seconds = time.perf_counter() - t0
    if code == cp_model.MODEL_INVALID:  # a schedopt bug, never user input
        raise SolverError(f"CP-SAT rejected the time-indexed model: {om.model.validate()}")
    if code == cp_model.INFEASIBLE:
        return Decision("infeasible", horizon, None, seconds, info)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Decision("unknown", horizon, None, seconds, info)
    start = om.starts(solver)
    sched = Schedule(start, start + problem.duration.astype(np.int64), np.full(problem.n_jobs, -1, np.int64))
    return Decision("feasible", horizon, sched, seconds, info)
