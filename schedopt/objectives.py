"""The objective registry: every objective's value, trivial bound and CP-SAT term in one place.

An :class:`Objective` bundles

* ``evaluate(problem, schedule) -> int``: the value of a schedule (the ground
  truth; :func:`schedopt.evaluate` calls it),
* ``bound(problem) -> int``: a lower bound on the optimum that holds for every
  problem of the model (:func:`schedopt.bounds.trivial_bound` calls it),
* ``cpsat(cm) -> IntVar | None``: builds the objective's variable on a compiled
  :class:`schedopt.cpsat.compiler.CpSatModel` (the compiler's ``_objective``
  minimises it; ``None`` for pure feasibility). It only calls methods of the
  ``cm.model`` object, so this module never imports OR-Tools.

:data:`REGISTRY` maps each name to its objective; :data:`schedopt.model.OBJECTIVES`
is its tuple of names. All values are integers to minimise.

Placed and unplaced jobs
------------------------
An *optional* job (``Problem.optional``) may stay unplaced (``start < 0`` in the
schedule). An unplaced job contributes nothing to any objective below except
``placement``; so with ``makespan`` or the tardiness objectives an optimum leaves
every optional job unplaced. ``C_j`` is the end time of job ``j``; ``d_j`` its
due date (jobs without a due date, ``due == NO_TIME``, are never late).

Objectives
----------
``makespan``
    ``max_{j placed} C_j`` (0 when nothing is placed).
``total_tardiness``
    ``sum_{j placed, d_j given} max(0, C_j - d_j)``.
``total_weighted_tardiness``
    ``sum_{j placed, d_j given} w_j max(0, C_j - d_j)``.
``max_lateness``
    ``L_max = max_{j placed, d_j given} (C_j - d_j)``; 0 when no such job exists.
    It may be **negative** (every job early). :func:`schedopt.result.relative_gap`
    divides by ``|objective|``, so the gap stays ``>= 0`` but is not bounded by 1
    for a negative objective, and is ``inf`` when the objective is 0 and the bound
    is lower.
``weighted_completion``
    ``sum_{j placed} w_j C_j``.
``placement``
    Lexicographic, for packing problems: first the weight ``U_t = sum w_j`` of the
    *unplaced* optional jobs of each priority tier ``t`` (the tiers are the distinct
    ``priority`` values of the optional jobs, from the highest to the lowest), then
    the *disruption* ``D`` against ``Problem.current_machine``: each job ``j`` with
    ``current_machine[j] = c >= 0`` costs 1 when it is unplaced (evicted), 2 when
    it runs on a machine other than ``c`` (moved), 0 when it stays on ``c``.
    It is encoded as the one integer ``sum_t U_t * B_t + D`` with mixed radices
    ``B_{K-1} = D_max + 1`` and ``B_t = B_{t+1} (U_{t+1}^max + 1)``, where
    ``U_t^max`` is the total weight of tier ``t`` and ``D_max = 2 #{j: c_j >= 0}``,
    so minimising it minimises ``(U_0, U_1, ..., D)`` lexicographically.
    :func:`decode_placement` splits a value back into its parts. The encoding
    must stay below ``2**53`` (exact in a double, as CP-SAT reports objective
    values), else the problem is rejected.
``late_then_max_lateness``
    Lexicographic, for deadline-driven work (the offline reference of the serving
    cluster, :mod:`schedopt.serving.cluster.offline`): first the weight of the late jobs
    ``U = sum_{j placed, d_j given, C_j > d_j} w_j``, then the maximum lateness
    ``L = max_{j placed, d_j given} (C_j - d_j)`` (0 when no such job), capped at
    ``L_hi = max(0, H - min_j d_j)``, with ``H`` the semi-active horizon
    ``max r + sum p^max + sum lag + sum_e max delay_e + sum_w (b_w - a_w + max p)``
    (the bound of :func:`schedopt.cpsat.compiler.safe_horizon` without its deadline cap):
    no job of a semi-active schedule ends after ``H``, so the cap never changes an
    optimum, and a schedule with idle time so long that ``L > L_hi`` only ties with
    those at ``L_hi``. With ``L_lo = min(0, min_j (r_j + p_j^min - d_j))`` (no
    schedule is below it) and the radix ``B = L_hi - L_lo + 1`` it is encoded as the
    one integer ``U B + (min(L, L_hi) - L_lo) >= 0``, so minimising it minimises
    ``(U, L)`` lexicographically. :func:`decode_late_lateness` splits a value back.
    The encoding must stay below ``2**53``, else the problem is rejected.
``feasibility``
    Always 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import ProblemError
from .precedence import critical_path_bound, earliest_starts

# ``schedopt.model`` imports this module, so the two types are named here, not imported (an
# import, even under ``TYPE_CHECKING``, would be a cycle model -> objectives -> model).
Problem = Any  # a schedopt.model.Problem
Schedule = Any  # a schedopt.schedule.Schedule

#: Largest encoded ``placement`` value allowed (exact in a double).
PLACEMENT_LIMIT: int = 1 << 53


@dataclass(frozen=True)
class Objective:
    """One objective: its value, its trivial lower bound and its CP-SAT term.

    Attributes
    ----------
    name
        The ``Problem.objective`` string.
    formula
        One line stating the value.
    evaluate
        ``evaluate(problem, schedule) -> int``.
    bound
        ``bound(problem) -> int``: a lower bound valid for every problem.
    cpsat
        ``cpsat(cm) -> IntVar | None``: adds the objective's variable and its defining
        constraints to the compiled model ``cm`` (``None``: nothing to minimise).
    validate
        ``validate(problem) -> None`` raising :class:`~schedopt.errors.ProblemError`
        when the objective cannot be used with the problem (``None``: always usable).
    may_be_negative
        Whether values below 0 occur.
    """

    name: str
    formula: str
    evaluate: Callable[[Problem, Schedule], int]
    bound: Callable[[Problem], int]
    cpsat: Callable[[Any], Any]
    validate: Callable[[Problem], None] | None = None
    may_be_negative: bool = False


# ----------------------------------------------------------------- helpers
def _placed(problem: Problem, schedule: Schedule) -> np.ndarray:
    """``(n,)`` placed mask; a non-optional job left out is an error for sum objectives."""
    placed = np.zeros(problem.n_jobs, bool)
    placed[: schedule.n_jobs] = schedule.start[: problem.n_jobs] >= 0
    missing = ~placed & ~problem.optional
    if missing.any():
        j = int(np.argmax(missing))
        raise ValueError(
            f"cannot evaluate {problem.objective} of a schedule that leaves out {problem.job_label(j)}"
        )
    return placed


def _ends(problem: Problem, schedule: Schedule) -> np.ndarray:
    end = np.zeros(problem.n_jobs, np.int64)
    end[: schedule.n_jobs] = schedule.end[: problem.n_jobs]
    return end


def _earliest_ends(problem: Problem) -> np.ndarray:
    return earliest_starts(problem) + problem.min_duration


def _gate(cm: Any, j: int) -> list[Any]:
    """Enforcement literals of "job ``j`` is placed" (empty: always placed)."""
    lit = cm.present[j] if cm.present else None
    return [] if lit is None else [lit]


# ----------------------------------------------------------------- makespan
def _makespan_value(problem: Problem, schedule: Schedule) -> int:
    return schedule.makespan


def _makespan_bound(problem: Problem) -> int:
    """The critical-path bound ``max_{j not optional} (ES_j + p_j^min)`` (:mod:`schedopt.precedence`)."""
    return critical_path_bound(problem)


def _makespan_cpsat(cm: Any) -> Any:
    model = cm.model
    mk = model.new_int_var(0, cm.horizon, "makespan")
    n = cm.problem.n_jobs
    if n and not cm.problem.optional.any():
        model.add_max_equality(mk, cm.end)
    else:
        for j in range(n):
            model.add(mk >= cm.end[j]).only_enforce_if(_gate(cm, j))
    return mk


# ----------------------------------------------------------------- tardiness
def _tardiness_value(weighted: bool) -> Callable[[Problem, Schedule], int]:
    def value(problem: Problem, schedule: Schedule) -> int:
        placed = _placed(problem, schedule)
        end = _ends(problem, schedule)
        tard = np.where(placed & problem.due_given, np.maximum(0, end - problem.due), 0)
        return int(((problem.weight if weighted else 1) * tard).sum())

    return value


def _tardiness_bound(weighted: bool) -> Callable[[Problem], int]:
    def bound(problem: Problem) -> int:
        """``sum_{j not optional, d_j given} w_j max(0, ES_j + p_j^min - d_j)``."""
        ect = _earliest_ends(problem)
        tard = np.where(problem.due_given & ~problem.optional, np.maximum(0, ect - problem.due), 0)
        return int(((problem.weight if weighted else 1) * tard).sum())

    return bound


def _tardiness_cpsat(weighted: bool) -> Callable[[Any], Any]:
    def term(cm: Any) -> Any:
        p, model = cm.problem, cm.model
        terms = []
        ub = 0
        for j in range(p.n_jobs):
            if not p.due_given[j]:
                continue
            w = int(p.weight[j]) if weighted else 1
            if w == 0:
                continue
            tmax = max(0, cm.horizon - int(p.due[j]))
            t = model.new_int_var(0, tmax, f"T{j}")
            model.add(t >= cm.end[j] - int(p.due[j])).only_enforce_if(_gate(cm, j))
            terms.append(w * t)
            ub += w * tmax
        obj = model.new_int_var(0, max(ub, 0), "objective")
        model.add(obj == sum(terms))
        return obj

    return term


# ----------------------------------------------------------------- max lateness
def _max_lateness_value(problem: Problem, schedule: Schedule) -> int:
    placed = _placed(problem, schedule) & problem.due_given
    if not placed.any():
        return 0
    return int((_ends(problem, schedule) - problem.due)[placed].max())


def _max_lateness_bound(problem: Problem) -> int:
    """``max_{j not optional, d_j given} (ES_j + p_j^min - d_j)``.

    Without such a job the value is 0 (nothing with a due date placed) or the
    lateness of some placed optional job, so ``min(0, min_j (ES_j + p_j^min - d_j))``
    over the optional jobs with a due date bounds it.
    """
    late = _earliest_ends(problem) - problem.due
    fixed = problem.due_given & ~problem.optional
    if fixed.any():
        return int(late[fixed].max())
    opt = problem.due_given & problem.optional
    return min(0, int(late[opt].min())) if opt.any() else 0


def _max_lateness_cpsat(cm: Any) -> Any:
    p, model = cm.problem, cm.model
    due = [j for j in range(p.n_jobs) if p.due_given[j]]
    if not due:
        return model.new_int_var(0, 0, "max_lateness")
    lo = min(0, min(int(p.release[j] + p.min_duration[j] - p.due[j]) for j in due))
    hi = max(0, max(cm.horizon - int(p.due[j]) for j in due))
    lmax = model.new_int_var(lo, hi, "max_lateness")
    for j in due:
        model.add(lmax >= cm.end[j] - int(p.due[j])).only_enforce_if(_gate(cm, j))
    if all(_gate(cm, j) for j in due):  # every job with a due date is optional
        none = model.new_bool_var("no_due_job_placed")
        model.add_bool_or([*(cm.present[j] for j in due), none])
        model.add(lmax >= 0).only_enforce_if(none)
    return lmax


# ----------------------------------------------------------------- weighted completion
def _weighted_completion_value(problem: Problem, schedule: Schedule) -> int:
    placed = _placed(problem, schedule)
    return int((problem.weight * np.where(placed, _ends(problem, schedule), 0)).sum())


def _weighted_completion_bound(problem: Problem) -> int:
    """``sum_{j not optional} w_j (ES_j + p_j^min)``."""
    fixed = ~problem.optional
    return int((problem.weight * _earliest_ends(problem))[fixed].sum())


def _weighted_completion_cpsat(cm: Any) -> Any:
    p, model = cm.problem, cm.model
    terms = []
    ub = 0
    for j in range(p.n_jobs):
        w = int(p.weight[j])
        if w == 0:
            continue
        gate = _gate(cm, j)
        if gate:  # C_j counts only when placed: c_j >= e_j if placed, c_j >= 0 otherwise
            c = model.new_int_var(0, cm.horizon, f"C{j}")
            model.add(c >= cm.end[j]).only_enforce_if(gate)
            terms.append(w * c)
        else:
            terms.append(w * cm.end[j])
        ub += w * cm.horizon
    obj = model.new_int_var(0, max(ub, 0), "objective")
    model.add(obj == sum(terms))
    return obj


# ----------------------------------------------------------------- placement
@dataclass(frozen=True)
class PlacementValue:
    """The parts of a ``placement`` value.

    Attributes
    ----------
    unplaced
        ``((priority, unplaced weight), ...)`` per tier, from the highest priority.
    disruption
        Evictions (1 each) plus moves (2 each) against ``current_machine``.
    """

    unplaced: tuple[tuple[float, int], ...]
    disruption: int


def placement_tiers(problem: Problem) -> list[tuple[float, np.ndarray]]:
    """``[(priority, optional jobs of that priority), ...]`` from the highest priority to the lowest."""
    opt = np.flatnonzero(problem.optional)
    levels = sorted({float(problem.priority[j]) for j in opt}, reverse=True)
    return [(lv, opt[problem.priority[opt] == lv]) for lv in levels]


def placement_radices(problem: Problem) -> tuple[list[int], int]:
    """``(B_t per tier, B_D = 1)`` multipliers of the encoding; see the module docstring."""
    tiers = placement_tiers(problem)
    d_max = 2 * int((problem.current_machine >= 0).sum())
    mult = d_max + 1
    out: list[int] = []
    for _, jobs in reversed(tiers):
        out.append(mult)
        mult *= int(problem.weight[jobs].sum()) + 1
    return out[::-1], 1


def _placement_limit(problem: Problem) -> int:
    """``(prod_t (U_t^max + 1)) (D_max + 1)``: one more than the largest encoded value."""
    total = 2 * int((problem.current_machine >= 0).sum()) + 1
    for _, jobs in placement_tiers(problem):
        total *= int(problem.weight[jobs].sum()) + 1
    return total


def _placement_validate(problem: Problem) -> None:
    if _placement_limit(problem) > PLACEMENT_LIMIT:
        raise ProblemError(
            "objective 'placement': the tier weights and disruption do not fit one exact integer "
            "(the encoding needs more than 2**53 values); use fewer priority tiers or smaller weights"
        )


def encode_placement(problem: Problem, unplaced: Sequence[int], disruption: int) -> int:
    """``sum_t U_t B_t + D`` for the unplaced weight ``U_t`` of each tier (highest first)."""
    radices, _ = placement_radices(problem)
    if len(unplaced) != len(radices):
        raise ValueError(f"expected {len(radices)} tier weights, got {len(unplaced)}")
    return int(sum(int(u) * b for u, b in zip(unplaced, radices)) + int(disruption))


def decode_placement(problem: Problem, value: int) -> PlacementValue:
    """Split an encoded ``placement`` value (or a bound) into tier weights and disruption.

    A bound that is not an exact value decodes to the lexicographic parts of the
    largest value not above it.
    """
    radices, _ = placement_radices(problem)
    tiers = placement_tiers(problem)
    rest = int(value)
    parts = []
    for (lv, _), b in zip(tiers, radices):
        u, rest = divmod(rest, b)
        parts.append((lv, int(u)))
    return PlacementValue(tuple(parts), int(rest))


def placement_parts(problem: Problem, schedule: Schedule) -> PlacementValue:
    """The tier weights and disruption of ``schedule`` (unplaced: ``start < 0``)."""
    n = problem.n_jobs
    placed = np.zeros(n, bool)
    mach = np.full(n, -1, np.int64)
    placed[: schedule.n_jobs] = schedule.start[:n] >= 0
    mach[: schedule.n_jobs] = schedule.machine[:n]
    unplaced = tuple(
        (lv, int(problem.weight[jobs][~placed[jobs]].sum())) for lv, jobs in placement_tiers(problem)
    )
    cur = problem.current_machine
    evicted = (cur >= 0) & ~placed
    moved = (cur >= 0) & placed & (mach != cur)
    return PlacementValue(unplaced, int(evicted.sum() + 2 * moved.sum()))


def _placement_value(problem: Problem, schedule: Schedule) -> int:
    parts = placement_parts(problem, schedule)
    return encode_placement(problem, [u for _, u in parts.unplaced], parts.disruption)


def _placement_bound(problem: Problem) -> int:
    """Encode the weight of optional jobs with no allowed machine, and the disruption they force.

    A job with no allowed machine (:attr:`Problem.allowed`) is unplaced in every
    schedule; a job whose current machine is not allowed for it costs at least 1
    (evicted or moved).
    """
    if not problem.has_machines:
        return 0
    stuck = problem.optional & ~problem.allowed.any(axis=1)
    u = [int(problem.weight[jobs][stuck[jobs]].sum()) for _, jobs in placement_tiers(problem)]
    cur = problem.current_machine
    rows = np.flatnonzero(cur >= 0)
    d = int((~problem.allowed[rows, cur[rows]]).sum())
    return encode_placement(problem, u, d)


def _placement_cpsat(cm: Any) -> Any:
    """``sum_t B_t sum_{j in t} w_j (1 - p_j) + sum_{c_j >= 0} (1 + p_j - 2 x_{j c_j})``.

    ``p_j`` is the presence literal of job ``j`` (1 for a job that must be placed) and
    ``x_{j c}`` its literal of machine ``c`` (0 when ``c`` is not allowed): linear in literals.
    """
    p, model = cm.problem, cm.model
    radices, _ = placement_radices(p)
    const = 0
    terms: list[Any] = []

    def placed(j: int) -> Any:  # 1 or the presence literal
        return 1 if cm.present[j] is None else cm.present[j]

    for (_, jobs), b in zip(placement_tiers(p), radices):
        for j in jobs:
            w = int(p.weight[j]) * b
            if w:
                const += w
                terms.append(-w * placed(int(j)))
    for j in np.flatnonzero(p.current_machine >= 0):
        j = int(j)
        const += 1
        terms.append(placed(j))
        lit = cm.assign[j].get(int(p.current_machine[j]))
        if lit is not None:
            terms.append(-2 * lit)
    obj = model.new_int_var(0, _placement_limit(p) - 1, "placement")
    model.add(obj == const + sum(terms))
    return obj


# ----------------------------------------------------------------- late, then max lateness
@dataclass(frozen=True)
class LateLatenessScale:
    """The encoding of ``late_then_max_lateness``: ``value = late * radix + (min(L, hi) - lo)``.

    Attributes
    ----------
    lo, hi
        The range ``[L_lo, L_hi]`` of the (capped) maximum lateness.
    radix
        ``B = hi - lo + 1``.
    late_max
        ``sum_{j, d_j given} w_j``: the largest late weight.
    """

    lo: int
    hi: int
    radix: int
    late_max: int

    @property
    def limit(self) -> int:
        """One more than the largest encoded value: ``(late_max + 1) * radix``."""
        return (self.late_max + 1) * self.radix


def semi_active_horizon(problem: Problem) -> int:
    """``max r + sum p^max + sum lag + sum_e max delay_e + sum_w (b_w - a_w + max p)``.

    No job of a semi-active schedule (no job can start earlier) ends later: each start is fixed
    by a chain of releases, predecessor ends plus lags, other jobs' ends and downtime window
    ends, and no such chain is longer. ``delay_e`` is the largest communication delay of edge
    ``e`` over all node pairs (``comm[e]`` without pair-dependent communication).
    :func:`schedopt.cpsat.compiler.safe_horizon` caps it by the deadlines.
    """
    dmax = problem.max_duration
    if problem.has_pair_comm:
        comm = sum(int(problem.edge_delays(e).max()) for e in range(len(problem.precedence)))
    else:
        comm = int(problem.comm.sum())
    h = int(problem.release.max(initial=0) + dmax.sum() + problem.precedence[:, 2].sum() + comm)
    if len(problem.downtime):
        h += int((problem.downtime[:, 2] - problem.downtime[:, 1]).sum()) + len(problem.downtime) * int(
            dmax.max(initial=0)
        )
    return h


def late_lateness_scale(problem: Problem) -> LateLatenessScale:
    """The range of the capped maximum lateness and the radix of ``late_then_max_lateness``."""
    due = problem.due_given
    if not due.any():
        return LateLatenessScale(0, 0, 1, 0)
    d = problem.due[due]
    lo = min(0, int((problem.release[due] + problem.min_duration[due] - d).min()))
    hi = max(0, semi_active_horizon(problem) - int(d.min()))
    return LateLatenessScale(lo, hi, hi - lo + 1, int(problem.weight[due].sum()))


def encode_late_lateness(problem: Problem, late: int, max_lateness: int) -> int:
    """``late * B + (min(max_lateness, L_hi) - L_lo)``: the ``late_then_max_lateness`` value.

    Raises
    ------
    ValueError
        When ``late`` is outside ``[0, sum w]`` or ``max_lateness`` below ``L_lo``.
    """
    sc = late_lateness_scale(problem)
    if not 0 <= int(late) <= sc.late_max:
        raise ValueError(f"late weight {late} outside [0, {sc.late_max}]")
    if int(max_lateness) < sc.lo:
        raise ValueError(f"max lateness {max_lateness} is below the least possible {sc.lo}")
    return int(late) * sc.radix + min(int(max_lateness), sc.hi) - sc.lo


def decode_late_lateness(problem: Problem, value: int) -> tuple[int, int]:
    """``(late weight, capped max lateness)`` of an encoded value.

    A bound that is not an exact value decodes to the parts of the largest value not above it
    (both parts are then lower bounds in the lexicographic sense).
    """
    sc = late_lateness_scale(problem)
    late, rest = divmod(int(value), sc.radix)
    return int(late), int(rest) + sc.lo


def _late_lateness_validate(problem: Problem) -> None:
    if late_lateness_scale(problem).limit > PLACEMENT_LIMIT:
        raise ProblemError(
            "objective 'late_then_max_lateness': the late weight and the lateness range do not fit one "
            "exact integer (the encoding needs more than 2**53 values); use smaller weights or a coarser "
            "time unit"
        )


def _late_lateness_value(problem: Problem, schedule: Schedule) -> int:
    placed = _placed(problem, schedule) & problem.due_given
    if not placed.any():
        return encode_late_lateness(problem, 0, 0)
    lateness = (_ends(problem, schedule) - problem.due)[placed]
    late = int(problem.weight[placed][lateness > 0].sum())
    return encode_late_lateness(problem, late, int(lateness.max()))


def _late_lateness_bound(problem: Problem) -> int:
    """``U_lb B + min(L_lb, L_hi) - L_lo``.

    ``U_lb`` is the weight of the non-optional jobs with a due date that are late even
    at their earliest end ``ES_j + p_j^min`` (late in every schedule), ``L_lb`` the
    ``max_lateness`` bound. Every schedule has ``U >= U_lb``; when ``U = U_lb`` its
    capped lateness is at least ``min(L_lb, L_hi)``; when ``U > U_lb`` its value is at
    least ``(U_lb + 1) B``, above the bound.
    """
    sc = late_lateness_scale(problem)
    ect = _earliest_ends(problem)
    sure = problem.due_given & ~problem.optional & (ect > problem.due)
    late = int(problem.weight[sure].sum())
    lmax = max(sc.lo, min(_max_lateness_bound(problem), sc.hi))
    return late * sc.radix + lmax - sc.lo


def _late_lateness_cpsat(cm: Any) -> Any:
    """``B sum_j w_j u_j + min(L, L_hi) - L_lo`` with ``C_j <= d_j`` unless ``u_j`` (placed jobs)."""
    p, model = cm.problem, cm.model
    sc = late_lateness_scale(p)
    terms: list[Any] = []
    for j in range(p.n_jobs):
        if not p.due_given[j] or int(p.weight[j]) == 0:
            continue
        u = model.new_bool_var(f"late{j}")
        model.add(cm.end[j] <= int(p.due[j])).only_enforce_if([u.Not(), *_gate(cm, j)])
        terms.append(int(p.weight[j]) * sc.radix * u)
    lmax = _max_lateness_cpsat(cm)
    capped = model.new_int_var(sc.lo, sc.hi, "capped_max_lateness")
    model.add_min_equality(capped, [lmax, sc.hi])
    obj = model.new_int_var(0, sc.limit - 1, "late_then_max_lateness")
    model.add(obj == sum(terms) + capped - sc.lo)
    return obj


# ----------------------------------------------------------------- feasibility
def _zero_value(problem: Problem, schedule: Schedule) -> int:
    return 0


def _zero_bound(problem: Problem) -> int:
    return 0


def _no_term(cm: Any) -> None:
    return None


REGISTRY: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective("makespan", "max_{j placed} C_j", _makespan_value, _makespan_bound, _makespan_cpsat),
        Objective(
            "total_tardiness",
            "sum_j max(0, C_j - d_j)",
            _tardiness_value(False),
            _tardiness_bound(False),
            _tardiness_cpsat(False),
        ),
        Objective(
            "total_weighted_tardiness",
            "sum_j w_j max(0, C_j - d_j)",
            _tardiness_value(True),
            _tardiness_bound(True),
            _tardiness_cpsat(True),
        ),
        Objective("feasibility", "0", _zero_value, _zero_bound, _no_term),
        Objective(
            "max_lateness",
            "max_j (C_j - d_j), 0 without jobs with due dates",
            _max_lateness_value,
            _max_lateness_bound,
            _max_lateness_cpsat,
            may_be_negative=True,
        ),
        Objective(
            "weighted_completion",
            "sum_j w_j C_j",
            _weighted_completion_value,
            _weighted_completion_bound,
            _weighted_completion_cpsat,
        ),
        Objective(
            "placement",
            "lexicographic (unplaced weight per priority tier, high first; then disruption)",
            _placement_value,
            _placement_bound,
            _placement_cpsat,
            validate=_placement_validate,
        ),
        Objective(
            "late_then_max_lateness",
            "lexicographic (late weight sum_j w_j [C_j > d_j]; then max_j (C_j - d_j), capped)",
            _late_lateness_value,
            _late_lateness_bound,
            _late_lateness_cpsat,
            validate=_late_lateness_validate,
        ),
    )
}

#: The objective names, in registry order.
OBJECTIVES: tuple[str, ...] = tuple(REGISTRY)


def get_objective(name: str) -> Objective:
    """The :class:`Objective` called ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown objective {name!r}; known: {', '.join(OBJECTIVES)}") from None
