"""Schedule-generation heuristics for the RCPSP (``method="sgs"`` and ``method="ga"``).

Wrappers around the numba kernels in :mod:`._kernels`: they turn a
:class:`~schedopt.Problem` into arrays (:func:`prepare`), compute the priority
rules, run the schemes and hand back a checked schedule. Both methods handle
the R-ConstraintBench extensions (release dates, deadlines, precedence lags,
resource downtime, disjunctive pairs). A schedule that misses a deadline is
never returned: without a deadline-feasible schedule the status is
``"unknown"``.

Counting: every forward or backward SGS pass counts as one schedule (so one
forward-backward improvement round costs two schedules), as in Kolisch &
Hartmann (2006), "Experimental investigation of heuristics for
resource-constrained project scheduling: An update", EJOR 174, 23-37. The
budget ``max_schedules`` is never exceeded: an improvement round is only
started while two passes are left, and the GA kernels check the budget
before every pass (``info["schedules"]`` reports what was spent).

Memory: the kernels keep a capacity profile with one entry per time unit and
resource up to :func:`profile_horizon`, so memory grows with the durations.
:func:`prepare` estimates it first (:func:`profile_bytes`) and raises
:class:`HorizonTooLargeError` (a :class:`~schedopt.errors.ProblemError`)
above :data:`MAX_PROFILE_BYTES` (1 GiB), naming the size and suggesting
``method="cpsat"``, which copes with large durations.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ...bounds import earliest_starts
from ...errors import OptionError, ProblemError
from ...model import Problem
from ...registry import MethodOutput
from ...schedule import Schedule
from . import _kernels as K
from ._bundles import PROJECT_FIELDS, GaParams, Progress, Project
from .bounds import rcpsp_lower_bound
from .model import is_rcpsp

#: Priority rules: name -> description; smaller value = higher priority.
RULES: dict[str, str] = {
    "LFT": "latest finish time (backward CPM)",
    "LST": "latest start time (backward CPM)",
    "MTS": "most total successors (transitive)",
    "GRPW": "greatest rank positional weight: p_j + sum of immediate successors' durations",
}


@dataclass(frozen=True)
class Arrays:
    """The problem as the kernels see it (see :mod:`._kernels` for the layout).

    The array fields are for Python code; ``prj`` bundles the same arrays (no
    copies) for the kernels (:class:`._bundles.Project`), built once here.
    """

    dur: np.ndarray
    pred_ptr: np.ndarray
    pred_idx: np.ndarray
    pred_lag: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    succ_lag: np.ndarray
    release: np.ndarray
    deadline: np.ndarray
    demand: np.ndarray
    profile: np.ndarray
    change_pts: np.ndarray
    dis_ptr: np.ndarray
    dis_idx: np.ndarray
    topo_rank: np.ndarray
    is_pred: np.ndarray
    prj: Project = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "prj", Project(*(getattr(self, name) for name in PROJECT_FIELDS)))

    @property
    def n(self) -> int:
        return int(self.dur.shape[0])


def _csr(n: int, rows: np.ndarray, key: int, other: int, lag: np.ndarray | None):
    order = np.argsort(rows[:, key], kind="stable") if len(rows) else np.zeros(0, np.int64)
    counts = np.bincount(rows[:, key], minlength=n) if len(rows) else np.zeros(n, np.int64)
    ptr = np.zeros(n + 1, np.int64)
    ptr[1:] = np.cumsum(counts)
    idx = np.ascontiguousarray(rows[order, other], dtype=np.int64)
    lg = np.ascontiguousarray(lag[order], dtype=np.int64) if lag is not None else np.zeros(0, np.int64)
    return ptr, idx, lg


def profile_horizon(problem: Problem) -> int:
    """Length of the capacity profile: an upper bound on any SGS makespan.

    A serial or parallel SGS starts a job no later than the largest of its
    precedence/release earliest start, the end of every job placed before it
    and the end of every downtime window (after those the job fits), so every
    finish is at most ``max r + max downtime end + sum p + sum lag``.
    """
    down_end = int(problem.downtime[:, 2].max(initial=0))
    return (
        int(problem.release.max(initial=0))
        + down_end
        + int(problem.duration.sum())
        + int(problem.precedence[:, 2].sum())
        + 1
    )


#: Cap on the memory the capacity profiles of ``sgs``/``ga`` may take (bytes): 1 GiB.
MAX_PROFILE_BYTES: int = 1 << 30


class HorizonTooLargeError(ProblemError):
    """The capacity profiles of the RCPSP heuristics would exceed :data:`MAX_PROFILE_BYTES`.

    The kernels keep one capacity entry per time unit and resource up to
    :func:`profile_horizon`, so their memory grows with the durations. The
    message says how much they would need and suggests ``method="cpsat"``.
    """


def profile_bytes(problem: Problem) -> int:
    """Peak bytes of the horizon-sized arrays of ``sgs``/``ga`` on ``problem``.

    With ``H`` = :func:`profile_horizon` and ``r`` resources: the profile built by
    :func:`prepare` (``8 r H``, plus as much again while it is built), the
    decoder's working copy and the GA kernels' copy (``8 r H`` each), the peak
    crossover's utilisation array (``8 H``) and a boolean comparison of the
    profile (``r H``): ``H (33 r + 8)`` bytes.
    """
    return profile_horizon(problem) * (33 * problem.n_resources + 8)


def check_profile_memory(problem: Problem, limit: int | None = None) -> None:
    """Raise :class:`HorizonTooLargeError` when :func:`profile_bytes` exceeds ``limit``.

    ``limit`` defaults to :data:`MAX_PROFILE_BYTES` (read at call time).
    """
    cap = MAX_PROFILE_BYTES if limit is None else int(limit)
    need = profile_bytes(problem)
    if need > cap:
        raise HorizonTooLargeError(
            f"the RCPSP heuristics (sgs, ga) would need {_size(need)} for their capacity profiles of "
            f"{problem.name or 'this problem'!r}: one entry per time unit and resource up to the horizon "
            f"bound {profile_horizon(problem):,} (largest release + latest downtime end + sum of durations + "
            f"sum of lags) x {problem.n_resources} resource(s), more than the cap of {_size(cap)} "
            "(heuristics.MAX_PROFILE_BYTES). Use method='cpsat', which copes with large durations, "
            "or scale the durations down"
        )


def _size(n_bytes: int) -> str:
    """``"1.5 GiB"``-style size."""
    size = float(n_bytes)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} TiB"  # pragma: no cover


def prepare(problem: Problem) -> Arrays:
    """Convert an RCPSP :class:`~schedopt.Problem` to kernel arrays.

    Raises
    ------
    HorizonTooLargeError
        Before allocating, when the capacity profiles would need more than
        :data:`MAX_PROFILE_BYTES` (:func:`check_profile_memory`).
    """
    check_profile_memory(problem)
    n = problem.n_jobs
    prec = problem.precedence
    pred_ptr, pred_idx, pred_lag = _csr(n, prec, 1, 0, prec[:, 2])
    succ_ptr, succ_idx, succ_lag = _csr(n, prec, 0, 1, prec[:, 2])
    dis = problem.disjunctive
    both = np.concatenate([dis, dis[:, ::-1]]) if len(dis) else np.zeros((0, 2), np.int64)
    dis_ptr, dis_idx, _ = _csr(n, both, 0, 1, None)
    horizon = profile_horizon(problem)
    r = problem.n_resources
    profile = np.repeat(problem.capacity.reshape(1, r), horizon, axis=0).astype(np.int64)
    for k, a, b, level in problem.downtime:
        seg = profile[int(a) : int(b), int(k)]
        np.minimum(seg, int(level), out=seg)
    change = np.unique(problem.downtime[:, 1:3]) if len(problem.downtime) else np.zeros(0, np.int64)
    topo = list(nx.topological_sort(problem.graph()))
    rank = np.empty(n, np.int64)
    rank[np.asarray(topo, dtype=np.int64)] = np.arange(n)
    is_pred = np.zeros((n, n), np.bool_)
    if len(prec):
        is_pred[prec[:, 0], prec[:, 1]] = True
    return Arrays(
        dur=np.ascontiguousarray(problem.duration, dtype=np.int64),
        pred_ptr=pred_ptr,
        pred_idx=pred_idx,
        pred_lag=pred_lag,
        succ_ptr=succ_ptr,
        succ_idx=succ_idx,
        succ_lag=succ_lag,
        release=np.ascontiguousarray(problem.release, dtype=np.int64),
        deadline=np.ascontiguousarray(problem.deadline, dtype=np.int64),
        demand=np.ascontiguousarray(problem.demand, dtype=np.int64),
        profile=np.ascontiguousarray(profile),
        change_pts=change.astype(np.int64),
        dis_ptr=dis_ptr,
        dis_idx=dis_idx,
        topo_rank=rank,
        is_pred=is_pred,
    )


# --------------------------------------------------------------------- rules
def latest_finish(problem: Problem, horizon: int | None = None) -> np.ndarray:
    """Latest finish times by backward CPM: ``LF_j = min(D_j, T, min_q LF_q - p_q - lag_jq)``.

    ``T`` defaults to the critical-path length (only the ranking matters for
    the priority rules).
    """
    es = earliest_starts(problem)
    dur = problem.duration
    t_end = int((es + dur).max(initial=0)) if horizon is None else int(horizon)
    lf = np.minimum(problem.deadline, t_end).astype(np.int64)
    succ: list[list[tuple[int, int]]] = [[] for _ in range(problem.n_jobs)]
    for i, j, lag in problem.precedence:
        succ[int(i)].append((int(j), int(lag)))
    for i in reversed(list(nx.topological_sort(problem.graph()))):
        for j, lag in succ[i]:
            lf[i] = min(lf[i], lf[j] - dur[j] - lag)
    return lf


def priority_values(problem: Problem, rule: str) -> np.ndarray:
    """Priority values of a rule (smaller = scheduled first); see :data:`RULES`.

    LFT and LST: Kolisch (1996); MTS: Alvarez-Valdes & Tamarit (1989);
    GRPW: Alvarez-Valdes & Tamarit (1989), ``p_j + sum_{q in succ(j)} p_q``.
    """
    rule = rule.upper()
    if rule == "LFT":
        return latest_finish(problem).astype(float)
    if rule == "LST":
        return (latest_finish(problem) - problem.duration).astype(float)
    if rule == "MTS":
        g = problem.graph()
        return -np.array([len(nx.descendants(g, j)) for j in range(problem.n_jobs)], dtype=float)
    if rule == "GRPW":
        w = problem.duration.astype(float).copy()
        for i, j, _ in problem.precedence:
            w[i] += problem.duration[j]
        return -w
    raise ValueError(f"unknown priority rule {rule!r}; choose from {', '.join(RULES)}")


# ------------------------------------------------------------------ decoders
class Decoder:
    """Reusable work arrays and calls to the kernels for one problem."""

    def __init__(self, arrays: Arrays) -> None:
        self.a = arrays
        self.prj = arrays.prj
        n = arrays.n
        self.avail = arrays.profile.copy()
        self.start = np.empty(n, np.int64)
        self.work = np.empty(n, np.int64)
        self.order_work = np.empty(n, np.int64)
        self.es = np.empty(n, np.int64)
        self.npred = np.empty(n, np.int64)
        self.elig = np.empty(n, np.int64)

    def serial(self, order: np.ndarray) -> tuple[int, int]:
        return K.serial_forward(order, self.prj, self.avail, self.start)

    def parallel(self, order: np.ndarray) -> tuple[int, int]:
        return K.parallel_forward(order, self.prj, self.avail, self.start, self.es, self.npred)

    def justify(self, order: np.ndarray, rounds: int, max_passes: int = 1 << 30) -> tuple[int, int, int]:
        """Serial SGS + forward-backward improvement; ``order`` becomes the justified list.

        At most ``max_passes`` SGS passes are used (the first forward pass always runs).
        """
        return K.justify(
            order, self.prj, rounds, self.avail, self.start, self.work, self.order_work, max_passes
        )

    def improve_start(
        self, start: np.ndarray, rounds: int, max_passes: int = 1 << 30
    ) -> tuple[np.ndarray, int, int, int]:
        """Forward-backward improvement of a parallel-SGS schedule (re-decoded serially)."""
        order = np.empty(self.a.n, np.int64)
        K.sort_by_start(start, self.a.dur, self.a.topo_rank, False, order)
        mk, exc, used = self.justify(order, rounds, max_passes)
        return self.start.copy(), mk, exc, used

    def sample(self, value: np.ndarray, alpha: float, eps: float, deterministic: bool) -> np.ndarray:
        order = np.empty(self.a.n, np.int64)
        return K.sample_list(value, alpha, eps, deterministic, self.prj, self.npred, self.elig, order)


def _check_applicable(problem: Problem, method: str) -> None:
    if not is_rcpsp(problem):
        raise ValueError(
            f"method {method!r} handles RCPSP problems (no machines, 1-d durations, makespan or "
            "feasibility objective)"
        )


class _Best:
    """Keeps the best deadline-feasible schedule seen (smallest makespan)."""

    def __init__(self) -> None:
        self.makespan: int | None = None
        self.start: np.ndarray | None = None
        self.source = ""

    def offer(self, start: np.ndarray, mk: int, exc: int, source: str) -> None:
        if mk >= 0 and exc == 0 and (self.makespan is None or mk < self.makespan):
            self.makespan, self.start, self.source = int(mk), start.copy(), source


def _output(
    problem: Problem, best: _Best, lb: int, info: dict[str, Any], stop_at_bound: bool = True
) -> MethodOutput:
    if best.start is None:
        return MethodOutput("unknown", None, lb if problem.objective == "makespan" else 0, info)
    schedule = Schedule.from_starts(problem, best.start)
    info["best_source"] = best.source
    if problem.objective == "feasibility":
        return MethodOutput("optimal", schedule, 0, info)
    status = "optimal" if best.makespan == lb else "feasible"
    return MethodOutput(status, schedule, lb, info)


def _done(problem: Problem, best: _Best, lb: int) -> bool:
    """Stop early: a feasible schedule for a feasibility problem, or the lower bound met."""
    if best.makespan is None:
        return False
    return problem.objective == "feasibility" or best.makespan <= lb


def _deadline(time_limit: float | None, t0: float) -> float:
    return np.inf if time_limit is None else t0 + float(time_limit)


class _PassClock:
    """Seconds per SGS pass, measured as the search runs, so that no kernel call starts that would overrun.

    A GA kernel call runs whole generations (``2 P`` passes for the bi-population GA), and numba
    code cannot read the clock; with a large population one generation can take longer than what
    is left of the time limit. :meth:`fits` predicts the end of the next call from the last measured
    rate.
    """

    def __init__(self, stop: float) -> None:
        self.stop = stop
        self.mark = time.perf_counter()
        self.per_pass = 0.0

    def measure(self, passes: int) -> None:
        """Record that ``passes`` passes ran since the last mark."""
        now = time.perf_counter()
        if passes > 0:
            self.per_pass = (now - self.mark) / passes
        self.mark = now

    def fits(self, passes: int) -> bool:
        """True if ``passes`` more passes are expected to end before the deadline."""
        return time.perf_counter() + self.per_pass * passes < self.stop


# ------------------------------------------------------------------ options
def _int_option(method: str, name: str, value: Any, low: int, none_ok: bool = False) -> None:
    """An :class:`OptionError` unless ``value`` is an integer ``>= low`` (or ``None`` when allowed)."""
    if value is None and none_ok:
        return
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) or value < low:
        extra = " or None" if none_ok else ""
        raise OptionError(
            method,
            name,
            message=f"method {method!r}: {name} must be an integer >= {low}{extra}, got {value!r}",
        )


def _float_option(
    method: str,
    name: str,
    value: Any,
    low: float = -np.inf,
    high: float = np.inf,
    *,
    low_open: bool = False,
    none_ok: bool = False,
) -> None:
    """An :class:`OptionError` unless ``value`` is a finite real number in the given range."""
    if value is None and none_ok:
        return
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))
    ok = ok and bool(np.isfinite(value)) and (value > low if low_open else value >= low) and value <= high
    if not ok:
        lo = "" if low == -np.inf else f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high == np.inf else f"<= {high:g}"
        rng = " and ".join(x for x in (lo, hi) if x)
        extra = " or None" if none_ok else ""
        raise OptionError(
            method,
            name,
            message=(
                f"method {method!r}: {name} must be a finite number{' ' + rng if rng else ''}{extra}, "
                f"got {value!r}"
            ),
        )


def _choice_option(method: str, name: str, value: Any, choices: tuple[str, ...]) -> None:
    if not isinstance(value, str) or value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise OptionError(
            method, name, message=f"method {method!r}: {name} must be one of {listed}, got {value!r}"
        )


def _bool_option(method: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise OptionError(
            method, name, message=f"method {method!r}: {name} must be True or False, got {value!r}"
        )


def _rule_option(method: str, value: Any) -> None:
    if not isinstance(value, str) or value.upper() not in RULES:
        raise OptionError(
            method,
            "rule",
            message=(
                f"method {method!r}: unknown priority rule {value!r} (option rule); "
                f"choose from {', '.join(RULES)}"
            ),
        )


def solve_sgs(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    max_schedules: int = 1000,
    rule: str = "LFT",
    scheme: str = "both",
    alpha: float = 1.0,
    eps: float = 1.0,
    justify: bool = True,
) -> MethodOutput:
    """Multi-pass priority-rule heuristic with regret-based biased random sampling.

    Passes, until ``max_schedules`` SGS passes or ``time_limit`` are used up:

    1. each rule of :data:`RULES` deterministically, decoded by the serial and
       by the parallel SGS (Kolisch 1996);
    2. lists drawn by regret-based biased random sampling on ``rule``
       (Drexl 1991; ``P(j) ~ (max_E v - v_j + eps) ** alpha``), decoded
       alternately by the serial and the parallel SGS (``scheme="both"``), or
       by one of them (``"serial"``, ``"parallel"``);
    3. with ``justify=True`` each schedule is improved by forward-backward
       improvement (Valls et al. 2005), which re-decodes serially.

    The search stops early when the critical-path / energy lower bound is met.

    Parameters
    ----------
    max_schedules
        Budget of SGS passes (forward and backward passes each count one).
    rule
        Sampling rule: one of ``LFT``, ``LST``, ``MTS``, ``GRPW``.
    scheme
        ``"serial"``, ``"parallel"`` or ``"both"``.
    alpha, eps
        Regret-bias parameters.
    justify
        Apply forward-backward improvement (one round per schedule).
    """
    _check_applicable(problem, "sgs")
    _choice_option("sgs", "scheme", scheme, ("serial", "parallel", "both"))
    _int_option("sgs", "max_schedules", max_schedules, 1)
    _rule_option("sgs", rule)
    _float_option("sgs", "alpha", alpha, 0.0)
    _float_option("sgs", "eps", eps, 0.0, low_open=True)
    _bool_option("sgs", "justify", justify)
    t0 = time.perf_counter()
    stop = _deadline(time_limit, t0)
    arrays = prepare(problem)
    dec = Decoder(arrays)
    lb = rcpsp_lower_bound(problem)
    K.seed_rng(int(seed))
    best = _Best()
    used = 0
    rounds = 1 if justify else 0
    values = {name: priority_values(problem, name) for name in RULES}
    sample_value = values[rule.upper()] if rule.upper() in values else priority_values(problem, rule)
    schemes = ("serial", "parallel") if scheme == "both" else (scheme,)

    def run(order: np.ndarray, which: str, label: str) -> None:
        nonlocal used
        if which == "serial":
            if justify:
                mk, exc, passes = dec.justify(order, rounds, max_schedules - used)
                used += passes
            else:
                mk, exc = dec.serial(order)
                used += 1
            best.offer(dec.start, mk, exc, label)
        else:
            mk, exc = dec.parallel(order)
            used += 1
            best.offer(dec.start, mk, exc, label)
            if justify and mk >= 0 and used < max_schedules:
                start, mk2, exc2, passes = dec.improve_start(dec.start, rounds, max_schedules - used)
                used += passes
                best.offer(start, mk2, exc2, label + "+fbi")

    passes_done = 0
    for name, value in values.items():
        order = dec.sample(value, alpha, eps, True)
        for which in schemes:
            if used >= max_schedules or time.perf_counter() > stop:
                break
            run(order.copy(), which, f"{name}/{which}")
            passes_done += 1
    while used < max_schedules and time.perf_counter() < stop and not _done(problem, best, lb):
        order = dec.sample(sample_value, alpha, eps, False)
        which = schemes[passes_done % len(schemes)]
        run(order, which, f"sampling-{rule}/{which}")
        passes_done += 1
    elapsed = time.perf_counter() - t0
    info = {
        "schedules": used,
        "lists": passes_done,
        "schedules_per_s": used / elapsed if elapsed > 0 else 0.0,
        "lower_bound": lb,
    }
    return _output(problem, best, lb, info)


def solve_ga(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    max_schedules: int = 5000,
    population: int | None = None,
    pmut: float | None = None,
    rounds: int = 1,
    alpha: float = 1.0,
    eps: float | None = None,
    variant: str = "auto",
    peak: float | None = None,
    peak_width: tuple[float, float] = (0.05, 0.25),
    tournament: int | None = None,
    restart: int | None = None,
    restart_moves: int = 0,
    same_cap: int | None = None,
    offspring: int = 0,
    parallel: float | None = None,
    gene_flip: float = 0.0,
    jslack: float = -1.0,
) -> MethodOutput:
    """Genetic algorithm on activity lists with justification (two variants).

    Both variants start from a population drawn by regret-based biased random
    sampling on LFT (Drexl 1991) plus the four deterministic rules of
    :data:`RULES`, keep the best deadline-feasible schedule ever decoded and
    stop at the budget, the time limit or the lower bound.

    ``variant="bipop"`` -- bi-population GA (Debels & Vanhoucke 2005; the GA
    inside Debels & Vanhoucke's 2007 DBGA, without its decomposition step).
    Population ``L`` holds left-justified schedules, ``R`` right-justified
    ones. Children of two ``L`` parents (lists by non-increasing finish) are
    decoded by one *backward* serial pass and join ``R``; children of two
    ``R`` parents (lists by start) by one *forward* pass and join ``L``. So
    every child is a justification of a recombination of justified schedules
    for one schedule of budget (forward-backward improvement, Valls et al.
    2005, would cost three). Crossover: with probability ``peak`` the peak
    crossover of Valls, Ballestin & Quintanilla (2008) (the child keeps the
    father's most resource-utilised window of ``w`` periods, ``w`` drawn in
    ``peak_width`` times the father's makespan; see
    :func:`._kernels.peak_crossover`), else Hartmann's (1998) two-point
    crossover; neighbour-swap mutation; each child decoded by the parallel
    instead of the serial SGS with probability ``parallel`` (a non-delay
    schedule, left- or right-justified as well; mixing both schemes follows
    Hartmann's 2002 self-adapting GA); ``tournament``-ary tournament
    selection; ``(P + C)`` survival without identical schedules and at most
    ``same_cap`` individuals per makespan; after ``restart`` generations
    without a new best both populations are rebuilt around their best member
    by random shift moves (phase 2 of Valls et al. 2008). It needs
    shift-invariant problems (constant capacity, no release dates, no
    deadlines; :func:`is_shiftable`).

    ``variant="fbi"`` -- Hartmann's (1998) GA with every child decoded by the
    serial SGS and improved by ``rounds`` forward-backward improvement rounds
    (Valls et al. 2005; up to ``1 + 2 * rounds`` passes per child), the
    individual inheriting the justified list (Lamarckian); binary tournament,
    two-point (or, with probability ``peak``, peak) crossover, the same
    survival. With ``parallel > 0`` an individual carries a serial/parallel
    SGS gene (Hartmann 2002's self-adapting GA). It handles every extension
    (time-varying capacity, release dates, deadlines via the penalty
    ``f = makespan + (H + 1) * deadline excess``, lags, disjunctive pairs).

    ``variant="auto"`` (default) uses ``bipop`` for shift-invariant problems
    and ``fbi`` otherwise. The rule and the defaults below were picked on
    PSPLIB, i.e. in sample (the tuning runs are in the git history of
    ``benchmarks/rcpsp/RESULTS.md`` before f984412; the current figures are its
    "GA" section).

    Counting: every forward or backward SGS pass is one schedule and the
    budget is spent exactly (``info["schedules"] <= max_schedules``, equal
    unless the search stops early at the lower bound or the time limit).

    Parameters
    ----------
    max_schedules
        Budget of SGS passes (each forward or backward pass counts one).
    population
        Population size ``P`` (per population for ``bipop``; rounded up to
        even). Default: ``fbi`` 120; ``bipop``
        :func:`default_bipop_population` (grows with the budget).
    pmut
        Neighbour-swap probability per list position. Default 0.3 (``fbi``),
        0.05 (``bipop``).
    rounds
        ``fbi``: forward-backward improvement rounds per child (0 disables it).
    alpha, eps
        Regret-bias parameters of the initial sampling (Drexl 1991: job ``j``
        of the eligible set ``E`` is drawn with probability proportional to
        ``(max_E LFT - LFT_j + eps) ** alpha``). ``eps`` default: 10
        (``bipop``), 1 (``fbi``). A larger ``eps`` flattens the bias and
        diversifies the initial population (Drexl 1991), which matters for
        the bi-population GA at small budgets.
    variant
        ``"auto"``, ``"bipop"`` or ``"fbi"`` (see above).
    peak
        Probability of the peak crossover. Default 0.5 (``bipop``), 0 (``fbi``).
    peak_width
        Range of the peak window as fractions of the father's makespan.
    tournament
        ``bipop``: tournament size for parent selection (default 4; ``fbi``
        always uses 2).
    restart
        Generations without a new best before a restart (0 = never). Default
        10 (``bipop``), 0 (``fbi``).
    restart_moves
        Random shift moves per restarted individual (0: ``max(1, n // 10)``).
    same_cap
        Individuals kept per makespan value before refilling. Default 1
        (``bipop``), 2 (``fbi``).
    offspring
        ``bipop``: children per population and generation (0 = ``P``).
    parallel
        ``bipop``: probability that a child is decoded by the parallel SGS
        (default 0.2; 0 draws no random number for it, so it reproduces the
        serial-only GA of earlier versions seed for seed). ``fbi``: share of individuals decoding with the
        parallel SGS (default 0).
    gene_flip
        ``fbi``: probability that a child flips its parent's SGS gene.
    jslack
        ``fbi``: justify only children whose forward fitness is at most
        ``(1 + jslack)`` times the worst in the population (negative: all).
    """
    _check_applicable(problem, "ga")
    _check_ga_options(locals())
    t0 = time.perf_counter()
    stop = _deadline(time_limit, t0)
    arrays = prepare(problem)
    dec = Decoder(arrays)
    n = arrays.n
    lb = rcpsp_lower_bound(problem)
    K.seed_rng(int(seed))
    penalty = int(arrays.profile.shape[0]) + 1
    best = _Best()
    used = 0
    shiftable = is_shiftable(arrays)
    if variant == "bipop" and not shiftable:
        raise ValueError("variant='bipop' needs constant capacity, no release dates and no deadlines")
    moves = restart_moves if restart_moves > 0 else max(1, n // 10)
    if variant == "bipop" or (variant == "auto" and shiftable):
        if population is None:
            population = default_bipop_population(max_schedules, n)
        size = population + (population % 2)
        params = GaParams(
            pmut=float(0.05 if pmut is None else pmut),
            peak_prob=float(0.5 if peak is None else peak),
            wlo=float(peak_width[0]),
            whi=float(peak_width[1]),
            same_cap=int(1 if same_cap is None else same_cap),
            stall_limit=int(10 if restart is None else restart),
            restart_moves=int(moves),
            tsize=int(4 if tournament is None else tournament),
            offspring=int(offspring),
            nondelay=float(0.2 if parallel is None else parallel),
        )
        eps = 10.0 if eps is None else eps
        return _bipop(problem, arrays, dec, best, lb, size, max_schedules, stop, t0, alpha, eps, params)
    population = 120 if population is None else population
    eps = 1.0 if eps is None else eps
    parallel = 0.0 if parallel is None else parallel
    pmut = 0.3 if pmut is None else pmut
    peak = 0.0 if peak is None else peak
    restart = 0 if restart is None else restart
    same_cap = 2 if same_cap is None else same_cap
    size = population + (population % 2)
    pop = np.empty((size, n), np.int64)
    pstart = np.empty((size, n), np.int64)
    fit = np.empty(size, np.int64)
    lft = priority_values(problem, "LFT")
    rules = [priority_values(problem, name) for name in RULES]
    filled = 0
    clock = _PassClock(stop)
    for i in range(size):
        if used >= max_schedules or time.perf_counter() > stop or _done(problem, best, lb):
            break
        if i < len(rules):
            order = dec.sample(rules[i], alpha, eps, True)
        else:
            order = dec.sample(lft, alpha, eps, False)
        mk, exc, passes = dec.justify(order, rounds, max_schedules - used)
        used += passes
        pop[i] = order
        pstart[i] = dec.start
        fit[i] = mk + penalty * exc if mk >= 0 else 1 << 60
        best.offer(dec.start, mk, exc, "initial population")
        filled += 1
    pop, pstart, fit = pop[:filled], pstart[:filled], fit[:filled]
    progress = Progress.empty(n)
    params = GaParams(
        pmut=float(pmut),
        peak_prob=float(peak),
        wlo=float(peak_width[0]),
        whi=float(peak_width[1]),
        same_cap=int(same_cap),
        stall_limit=int(restart),
        restart_moves=int(moves),
        rounds=int(rounds),
        pairs=0,
        jslack=float(jslack),
        gene_flip=float(gene_flip),
        penalty=int(penalty),
    )
    gene = (np.random.default_rng(seed).random(filled) < parallel).astype(np.int64)
    chunk = max(1, (2 * rounds + 1) * size)  # about one generation per call: time limit and bound checked
    clock.measure(used)
    while (
        used < max_schedules
        and clock.fits(min(chunk, max_schedules - used))
        and not _done(problem, best, lb)
        and filled >= 2
    ):
        got = K.ga_evolve(pop, pstart, fit, gene, max_schedules - used, chunk, params, arrays.prj, progress)
        used += got
        clock.measure(got)
        if progress.best_fit[0] < penalty:  # no deadline excess
            best.offer(progress.best_start, int(progress.best_fit[0]), 0, "ga")
    generations = int(progress.state[0])
    elapsed = time.perf_counter() - t0
    info = {
        "schedules": used,
        "generations": generations,
        "restarts": int(progress.state[2]),
        "population": size,
        "variant": "fbi",
        "schedules_per_s": used / elapsed if elapsed > 0 else 0.0,
        "lower_bound": lb,
    }
    return _output(problem, best, lb, info)


def _check_ga_options(given: dict[str, Any]) -> None:
    """An :class:`OptionError` naming the first option of :func:`solve_ga` with a bad type or value."""
    m = "ga"
    _int_option(m, "max_schedules", given["max_schedules"], 1)
    _int_option(m, "population", given["population"], 2, none_ok=True)
    _float_option(m, "pmut", given["pmut"], 0.0, 1.0, none_ok=True)
    _int_option(m, "rounds", given["rounds"], 0)
    _float_option(m, "alpha", given["alpha"], 0.0)
    _float_option(m, "eps", given["eps"], 0.0, low_open=True, none_ok=True)
    _choice_option(m, "variant", given["variant"], ("auto", "bipop", "fbi"))
    _float_option(m, "peak", given["peak"], 0.0, 1.0, none_ok=True)
    width = given["peak_width"]
    if not isinstance(width, (tuple, list)) or len(width) != 2:
        raise OptionError(
            m, "peak_width", message=f"method 'ga': peak_width must be a pair (low, high), got {width!r}"
        )
    for part in width:
        _float_option(m, "peak_width", part, 0.0)
    if width[0] > width[1]:
        raise OptionError(
            m, "peak_width", message=f"method 'ga': peak_width must have low <= high, got {width!r}"
        )
    _int_option(m, "tournament", given["tournament"], 1, none_ok=True)
    _int_option(m, "restart", given["restart"], 0, none_ok=True)
    _int_option(m, "restart_moves", given["restart_moves"], 0)
    _int_option(m, "same_cap", given["same_cap"], 1, none_ok=True)
    _int_option(m, "offspring", given["offspring"], 0)
    _float_option(m, "parallel", given["parallel"], 0.0, 1.0, none_ok=True)
    _float_option(m, "gene_flip", given["gene_flip"], 0.0, 1.0)
    _float_option(m, "jslack", given["jslack"])


def default_bipop_population(max_schedules: int, n_jobs: int) -> int:
    """Default size of each population of the bi-population GA.

    ``P = round(11 * B**0.73 / n**0.75)`` for a budget of ``B`` schedules and
    ``n`` jobs, clipped to ``[20, 4000]``: a least-squares fit of ``log P`` on
    ``log B`` and ``log n`` to the best sizes found by tuning on PSPLIB (the
    runs are in the git history of ``benchmarks/rcpsp/RESULTS.md`` before f984412).
    Larger budgets afford more diversity; larger projects need more
    generations per individual. Budgets above 50,000 are extrapolated.
    """
    size = 11.0 * max(max_schedules, 1) ** 0.73 / max(n_jobs, 2) ** 0.75
    return int(min(4000, max(20, round(size))))


def is_shiftable(arrays: Arrays) -> bool:
    """True if any feasible schedule stays feasible when shifted in time.

    That holds with constant capacity (no downtime), no release dates and no
    deadlines below the profile horizon; lags and disjunctive pairs are
    shift-invariant. The bi-population GA needs it (right-justified
    schedules are shifted to start at 0).
    """
    prof = arrays.profile
    return (
        bool((arrays.release == 0).all())
        and bool((arrays.deadline >= prof.shape[0]).all())
        and bool((prof == prof[0]).all())
    )


def _bipop(
    problem: Problem,
    arrays: Arrays,
    dec: Decoder,
    best: _Best,
    lb: int,
    size: int,
    max_schedules: int,
    stop: float,
    t0: float,
    alpha: float,
    eps: float,
    params: GaParams,
) -> MethodOutput:
    """Bi-population GA of :func:`solve_ga` (see :func:`._kernels.bpga_evolve`; ``params`` its parameters)."""
    n = arrays.n
    horizon_end = int(arrays.profile.shape[0])
    lft = priority_values(problem, "LFT")
    rules = [priority_values(problem, name) for name in RULES]
    lstart = np.empty((size, n), np.int64)
    rstart = np.empty((size, n), np.int64)
    lfit = np.empty(size, np.int64)
    rfit = np.empty(size, np.int64)
    order = np.empty(n, np.int64)
    used = 0
    filled = 0
    clock = _PassClock(stop)
    for i in range(size):
        if used + 2 > max_schedules or time.perf_counter() > stop or _done(problem, best, lb):
            break
        lst = dec.sample(rules[i], alpha, eps, True) if i < len(rules) else dec.sample(lft, alpha, eps, False)
        mk, _exc = dec.serial(lst)
        used += 1
        lstart[i] = dec.start
        lfit[i] = mk
        best.offer(dec.start, mk, 0, "initial population")
        K.sort_by_start(lstart[i], arrays.dur, arrays.topo_rank, True, order)
        first = K.serial_backward(order, horizon_end, arrays.prj, dec.avail, dec.work)
        used += 1
        if first >= 0:  # always in a shift-invariant problem (T is the profile horizon)
            rstart[i] = dec.work - first
            rfit[i] = int((rstart[i] + arrays.dur).max(initial=0))
            best.offer(rstart[i], int(rfit[i]), 0, "initial population (right-justified)")
        else:
            rstart[i] = lstart[i]
            rfit[i] = lfit[i]
        filled += 1
    extra = 0
    while used < max_schedules and filled < 2 and time.perf_counter() <= stop:
        if _done(problem, best, lb):
            break
        # a budget too small for two individuals: spend the rest on LFT, then sampled forward passes
        lst = dec.sample(lft, alpha, eps, extra == 0 and filled == 0)
        extra += 1
        mk, _exc = dec.serial(lst)
        used += 1
        best.offer(dec.start, mk, 0, "LFT sampling")
    lstart, rstart, lfit, rfit = lstart[:filled], rstart[:filled], lfit[:filled], rfit[:filled]
    progress = Progress.empty(n)
    chunk = max(1, 2 * size)  # one generation per kernel call: the time limit and the bound are checked
    clock.measure(used)
    while (
        used < max_schedules
        and clock.fits(min(chunk, max_schedules - used))
        and filled >= 2
        and not _done(problem, best, lb)
    ):
        got = K.bpga_evolve(
            lstart, lfit, rstart, rfit, max_schedules - used, chunk, params, arrays.prj, progress
        )
        used += got
        clock.measure(got)
        if progress.best_fit[0] < horizon_end:
            best.offer(progress.best_start, int(progress.best_fit[0]), 0, "bipop ga")
    elapsed = time.perf_counter() - t0
    info = {
        "schedules": used,
        "generations": int(progress.state[0]),
        "restarts": int(progress.state[2]),
        "population": size,
        "variant": "bipop",
        "parallel": params.nondelay,
        "schedules_per_s": used / elapsed if elapsed > 0 else 0.0,
        "lower_bound": lb,
    }
    return _output(problem, best, lb, info)
