"""CP-SAT strengthening for RCPSP problems (:data:`STRENGTHENING`, declared by the family).

:func:`strengthen_rcpsp` runs on the compiled model of every problem of the
``rcpsp`` family, so ``method="cpsat"`` stays one method (and
:func:`prove_by_time_index` finishes its answer); on an RCPSP with the
makespan objective it adds:

1. **Lower bound** ``C_max >= LB`` with ``LB`` = max(critical path, LB2
   energy bound, incompatible-set bound) (:mod:`.bounds`).
2. **Heuristic upper bound**: the GA (:func:`.heuristics.solve_ga`, budget
   ``rcpsp_heuristic_schedules``, default :func:`default_heuristic_budget`; at most
   half of the remaining time limit) finds a
   deadline-feasible schedule of makespan ``UB``; then ``e_j <= UB`` for every
   job (a horizon of ``UB``) and ``C_max <= UB``. Some optimal schedule has
   ``C_max <= UB``, so proofs and bounds stay valid.
3. **Hint**: that schedule as a complete solution hint (a hint passed by the
   caller replaces it).
4. **Precedence/energy delays** (``rcpsp_delays``, default on):
   :func:`precedence_delays` bounds ``s_j - e_i`` for every related pair by
   the longest path, the LB2 energy and the incompatible-set bound of the
   activities in between, and gives heads and tails; the constraints that
   beat the longest path (all related pairs with ``rcpsp_transitive``) are
   added, with ``s_j >= head_j`` and ``C_max >= e_j + tail_j``. A cheap
   stand-in for the sub-solve delays of OR-Tools' ``rcpsp_sat.py``.
5. **Lower-bound portfolio** (``rcpsp_portfolio="lb"``, default
   ``"default"`` = CP-SAT's own choice): with exactly 2 workers,
   :data:`TWO_WORKER_PARAMETERS` (a ``default_lp`` and an
   ``objective_lb_search`` worker) instead of CP-SAT's single full worker
   plus LNS. It raises the bound but loses the LNS upper bounds, so it is
   opt-in; ``cpsat_params`` overrides either.
6. **Set-times search** (``rcpsp_settimes``, default off): a decision
   strategy on the starts (lowest earliest start, earliest value), the
   set-times branching of Le Pape et al. used by the lazy-clause-generation
   RCPSP solver of Schutt et al. (2011); used by CP-SAT's ``fixed`` worker.
7. **Makespan-aware cumulatives** (``rcpsp_makespan_interval``, default off):
   for each resource a redundant cumulative that adds an interval
   ``[C_max, UB)`` of demand ``R_k``, as OR-Tools' ``rcpsp_sat.py`` sample
   does with its interval-encoded makespan; energetic reasoning then sees
   that capacity after ``C_max`` is unusable. Valid because no job runs after
   ``C_max``. (Only added when there is no downtime, which ``rcpsp_sat.py``
   does not model either.)
8. **Proof phase** (``rcpsp_proof``, default on): when the time-indexed
   model of :mod:`.timeindexed` at ``UB - 1`` has few enough order literals,
   :class:`.prover.TimeIndexedProver` decides "makespan ``<= UB - 1``?"
   with that model and walks down (destructive improvement), which proves
   optimality where the interval model's bound stalls. With 2 or more
   workers (``rcpsp_proof_beside``, default on) it runs *beside* the
   interval search from the start, in its own thread on one of the workers
   (cap :data:`PROOF_BESIDE_MAX_LITERALS`): the search tells it each better
   makespan, and it stops the search once it has proven the search's best
   optimal. With 1 worker (or ``rcpsp_proof_beside=False``) it runs *after*
   the search, which then keeps ``rcpsp_proof_share`` (0.25) of the limit
   (cap :data:`PROOF_MAX_LITERALS`). ``rcpsp_proof_max_literals`` overrides
   either cap. If the start windows at ``UB - 1`` are already empty,
   ``C_max >= UB`` is added instead. Without a time limit the interval
   search runs to its end and the after-phase is not needed. A model that
   would walk more than :data:`.timeindexed.MAX_TIME_POINTS` time points
   (a long horizon: large durations) is skipped whatever its literal count.

With huge durations the GA of item 2 would need more memory for its capacity
profiles than :data:`.heuristics.MAX_PROFILE_BYTES`: the hook then skips it,
CP-SAT searches without a heuristic bound or hint, and ``info["rcpsp_heuristic"]``
says so.

Options (:data:`OPTIONS`, passed through ``schedopt.solve(..., method="cpsat", **options)``):
``rcpsp_strengthen`` (default True), ``rcpsp_heuristic_schedules``
(default :func:`default_heuristic_budget`; 0 disables the heuristic),
``rcpsp_heuristic_share`` (:data:`HEURISTIC_SHARE`: the GA's share of the remaining time limit),
``rcpsp_seed`` (0: the GA's seed),
``rcpsp_delays`` (True; skipped above ``rcpsp_delays_max_jobs``, default 400),
``rcpsp_transitive`` (False), ``rcpsp_portfolio`` ("default"), ``rcpsp_settimes`` (False),
``rcpsp_makespan_interval`` (False), ``rcpsp_proof`` (True), ``rcpsp_proof_beside`` (True),
``rcpsp_proof_share`` (:data:`PROOF_SHARE`), ``rcpsp_proof_max_literals`` (:data:`PROOF_BESIDE_MAX_LITERALS`
beside the search, :data:`PROOF_MAX_LITERALS` after it).
Measurements behind the defaults: ``benchmarks/rcpsp/RESULTS.md``.

References
----------
Schutt, A., Feydy, T., Stuckey, P. J. & Wallace, M. G. (2011). Explaining the
cumulative propagator. Constraints 16(3), 250-282.
Klein, R. & Scholl, A. (1999). Computing lower bounds by destructive
improvement. EJOR 112, 322-346.
OR-Tools ``examples/python/rcpsp_sat.py`` (Apache-2.0; read, not copied).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ...cpsat.compiler import CpSatModel
from ...cpsat.context import CpSatContext, Strengthening
from ...errors import OptionError
from ...registry import MethodOutput
from ...schedule import Schedule
from .bounds import _NONE, precedence_delays, rcpsp_lower_bound
from .model import is_rcpsp
from .prover import TimeIndexedProver
from .timeindexed import MAX_TIME_POINTS, time_points, time_windows

TWO_WORKER_PARAMETERS: dict[str, Any] = {
    "subsolvers": ["default_lp", "objective_lb_search"],
    "num_full_subsolvers": 2,
}
"""CP-SAT parameters the hook sets with exactly 2 workers and ``rcpsp_portfolio="lb"``.

With 2 workers CP-SAT runs one full subsolver (``default_lp``) and
interleaves LNS on the second. Two full subsolvers, one of them
``objective_lb_search`` (search with ``C_max <= LB``, raising ``LB`` on
each proof of infeasibility), raise the bound but lose the LNS upper bounds,
so the setting is opt-in (``rcpsp_portfolio="lb"``).
"""


def default_heuristic_budget(n_jobs: int) -> int:
    """SGS passes of the GA run before CP-SAT: ``min(2000000, max(2000, n**4 // 200))``.

    ``n`` counts PSPLIB's dummies: 5,242 / 73,881 / 1,107,667 passes on
    J30 / J60 / J120, capped by the ``rcpsp_heuristic_share``
    (:data:`HEURISTIC_SHARE`) of the remaining limit, which binds on J120;
    see "The hook GA's share of the time limit on J120" in
    ``benchmarks/rcpsp/RESULTS.md``.
    """
    return int(min(2_000_000, max(2_000, n_jobs**4 // 200)))


HEURISTIC_SHARE = 0.5
"""Default ``rcpsp_heuristic_share``: the hook GA's share of the remaining time limit."""


@dataclass
class RcpspCpSatState:
    """What :func:`strengthen_rcpsp` leaves on :attr:`CpSatModel.state` for :func:`prove_by_time_index`.

    Attributes
    ----------
    heuristic
        The GA's schedule that set the horizon and the hint (``None``: no heuristic ran).
    proof_after
        A time-indexed proof phase is planned after the search (``search_share`` < 1).
    heuristic_skipped
        Why the GA did not run although its budget was positive (its capacity
        profiles would exceed :data:`.heuristics.MAX_PROFILE_BYTES`), or ``None``;
        :func:`prove_by_time_index` reports it as ``info["rcpsp_heuristic"]``.
    """

    heuristic: Schedule | None = None
    proof_after: bool = False
    heuristic_skipped: str | None = None


def _fraction(options: Mapping[str, Any], name: str, default: float) -> float:
    """The option ``name`` as a share of the time limit in ``(0, 1]``; a clear error otherwise."""
    value = options.get(name, default)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise OptionError("cpsat", name, message=f"option {name} must be a number in (0, 1], got {value!r}")
    share = float(value)
    if not 0 < share <= 1:
        raise OptionError("cpsat", name, message=f"option {name} must be in (0, 1], got {value!r}")
    return share


_FLAGS = (
    "rcpsp_strengthen",
    "rcpsp_delays",
    "rcpsp_transitive",
    "rcpsp_settimes",
    "rcpsp_makespan_interval",
    "rcpsp_proof",
    "rcpsp_proof_beside",
)
#: Integer options: name -> (smallest value, ``None`` allowed).
_INTEGERS = {
    "rcpsp_heuristic_schedules": (0, True),
    "rcpsp_seed": (None, False),
    "rcpsp_delays_max_jobs": (0, False),
    "rcpsp_proof_max_literals": (0, True),
}


def _check_options(options: Mapping[str, Any]) -> None:
    """An :class:`~schedopt.errors.OptionError` naming the first RCPSP option of a wrong type or value."""
    for name in _FLAGS:
        value = options[name]
        if not isinstance(value, (bool, np.bool_)) and not (
            isinstance(value, (int, np.integer)) and value in (0, 1)
        ):
            raise OptionError("cpsat", name, message=f"option {name} must be True or False, got {value!r}")
    for name, (low, none_ok) in _INTEGERS.items():
        value = options[name]
        if value is None and none_ok:
            continue
        bad = isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer))
        if bad or (low is not None and value < low):
            what = "an integer" if low is None else f"an integer >= {low}"
            raise OptionError(
                "cpsat",
                name,
                message=f"option {name} must be {what}{' or None' if none_ok else ''}, got {value!r}",
            )
    if options["rcpsp_portfolio"] not in ("default", "lb"):
        raise OptionError(
            "cpsat",
            "rcpsp_portfolio",
            message=f"option rcpsp_portfolio must be 'default' or 'lb', got {options['rcpsp_portfolio']!r}",
        )
    _fraction(options, "rcpsp_heuristic_share", HEURISTIC_SHARE)
    _fraction(options, "rcpsp_proof_share", PROOF_SHARE)


def strengthen_rcpsp(cm: CpSatModel, ctx: CpSatContext) -> None:
    """Add the RCPSP bound, heuristic horizon/hint and redundant cumulatives (see module docstring).

    Raises
    ------
    OptionError
        For an option of :data:`OPTIONS` of the wrong type or value (checked first,
        on every problem of the family).
    """
    p = cm.problem
    options = ctx.options
    _check_options(options)
    state = cm.state = RcpspCpSatState()
    if not options["rcpsp_strengthen"] or not is_rcpsp(p) or p.objective != "makespan":
        return
    if cm.objective_var is None or p.n_jobs == 0:
        return
    from .heuristics import HorizonTooLargeError, solve_ga

    heuristic_share = _fraction(options, "rcpsp_heuristic_share", HEURISTIC_SHARE)
    proof_share = _fraction(options, "rcpsp_proof_share", PROOF_SHARE)
    model = cm.model
    lb = rcpsp_lower_bound(p)
    model.add(cm.objective_var >= lb)
    ub = cm.horizon
    budget = options["rcpsp_heuristic_schedules"]
    budget = default_heuristic_budget(p.n_jobs) if budget is None else int(budget)
    if budget > 0:
        left = ctx.remaining()
        limit = None if left is None else max(0.01, heuristic_share * left)
        try:
            out = solve_ga(p, time_limit=limit, max_schedules=budget, seed=int(options["rcpsp_seed"]))
        except HorizonTooLargeError as exc:
            # huge durations: the GA's capacity profiles would not fit; CP-SAT goes on without a hint
            state.heuristic_skipped = f"GA skipped, CP-SAT searched without its hint: {exc}"
            out = MethodOutput("unknown")
        if out.schedule is not None:
            sched = out.schedule
            ub = min(ub, sched.makespan)
            for e in cm.end:
                model.add(e <= ub)
            model.add(cm.objective_var <= ub)
            if ctx.hint is None:
                for j in range(p.n_jobs):
                    model.add_hint(cm.start[j], int(sched.start[j]))
                    model.add_hint(cm.end[j], int(sched.end[j]))
                model.add_hint(cm.objective_var, int(sched.makespan))
            state.heuristic = sched
    if options["rcpsp_delays"] and p.n_jobs <= int(options["rcpsp_delays_max_jobs"]):
        _add_delays(cm, bool(options["rcpsp_transitive"]))
    if options["rcpsp_proof"] and ub > lb:
        _plan_proof(cm, ctx, ub, lb, proof_share)
    if options["rcpsp_portfolio"] not in ("default", "lb"):
        raise ValueError(
            f"option rcpsp_portfolio must be 'default' or 'lb', got {options['rcpsp_portfolio']!r}"
        )
    if options["rcpsp_portfolio"] == "lb" and ctx.workers == 2:
        cm.parameters.update(TWO_WORKER_PARAMETERS)
    if options["rcpsp_settimes"]:
        model.add_decision_strategy(cm.start, cp_model.CHOOSE_LOWEST_MIN, cp_model.SELECT_MIN_VALUE)
    if options["rcpsp_makespan_interval"] and len(p.downtime) == 0 and ub > lb:
        size = model.new_int_var(0, ub - lb, "tail_size")
        model.add(size == ub - cm.objective_var)
        tail = model.new_interval_var(cm.objective_var, size, ub, "tail")
        for k in range(p.n_resources):
            users = [j for j in range(p.n_jobs) if p.demand[j, k] > 0 and p.duration[j] > 0]
            if len(users) < 2:
                continue
            dem = [int(p.demand[j, k]) for j in users]
            if sum(dem) <= p.capacity[k]:
                continue
            model.add_cumulative(
                [cm.interval[j] for j in users] + [tail], [*dem, int(p.capacity[k])], int(p.capacity[k])
            )


PROOF_MAX_LITERALS = 2500
"""Default ``rcpsp_proof_max_literals``: the largest time-indexed model worth a proof phase.

2,500 admits every J30 model (at most 1,937 order literals at the hook GA's
``UB - 1``) and keeps out J60 models whose decision does not finish in the
time left after the search; chosen by runs in the git history of
``benchmarks/rcpsp/RESULTS.md`` (before f984412).
"""


PROOF_BESIDE_MAX_LITERALS = 5000
"""Default ``rcpsp_proof_max_literals`` when the proof runs beside the search (2 or more workers).

Beside the search the prover costs the interval search one worker but no
time, so the cap is wider than :data:`PROOF_MAX_LITERALS`: every J60 model
at the hook GA's ``UB - 1`` fits (the largest has 4,965 literals), and so
do about half of the J120 ones.
"""


PROOF_SHARE = 0.25
"""Default ``rcpsp_proof_share``: the interval search's share of the limit when a proof phase is planned."""


def _plan_proof(cm: CpSatModel, ctx: CpSatContext, ub: int, lb: int, proof_share: float) -> None:
    """Plan the time-indexed proof when its model at ``UB - 1`` is small (module docstring, item 8).

    With 2 or more workers a :class:`.prover.TimeIndexedProver` runs beside
    the interval search on one of them (``rcpsp_proof_beside``, default on);
    otherwise the search keeps ``proof_share`` of the limit and
    :func:`prove_by_time_index` walks after it. If the start windows at
    ``UB - 1`` are already empty, ``UB`` is optimal and ``C_max >= UB`` is
    added instead.
    """
    p = cm.problem
    win = time_windows(p, ub - 1)  # n x n, whatever the horizon
    if win.empty:
        cm.model.add(cm.objective_var >= ub)
        return
    if time_points(p, ub - 1) > MAX_TIME_POINTS:
        return  # a horizon this long (large durations) makes even building the model too slow
    options = ctx.options
    beside = bool(options["rcpsp_proof_beside"]) and ctx.workers >= 2
    default_cap = PROOF_BESIDE_MAX_LITERALS if beside else PROOF_MAX_LITERALS
    cap = options["rcpsp_proof_max_literals"]
    cap = default_cap if cap is None else int(cap)
    if win.n_literals > cap:
        return
    schedule = cm.state.heuristic
    if beside and schedule is not None:
        cm.companion = TimeIndexedProver(
            p, schedule, lb, deadline=ctx.deadline, seed=ctx.seed, max_literals=cap
        )
        return
    cm.state.proof_after = True
    cm.search_share = min(cm.search_share, proof_share)


def prove_by_time_index(cm: CpSatModel, out: MethodOutput, ctx: CpSatContext) -> MethodOutput:
    """Finish a CP-SAT answer with the time-indexed proof (:mod:`.prover`).

    Beside the search (:attr:`CpSatModel.companion`): merge the prover's best
    schedule and bound into the answer. After it (``search_share`` < 1):
    while time remains and the best makespan ``UB`` exceeds the bound, walk
    down with :meth:`.prover.TimeIndexedProver.walk`. The decisions are
    listed in ``info["time_indexed"]``. When the hook skipped its GA (huge
    durations), ``info["rcpsp_heuristic"]`` says so and why.
    """
    state = cm.state
    if isinstance(state, RcpspCpSatState) and state.heuristic_skipped is not None:
        out = MethodOutput(
            out.status, out.schedule, out.bound, {**out.info, "rcpsp_heuristic": state.heuristic_skipped}
        )
    prover = cm.companion
    if isinstance(prover, TimeIndexedProver):
        if out.status == "infeasible":
            return out
        best = out.schedule
        if best is None or prover.best.makespan < best.makespan:
            best = prover.best
        bound = max(prover.bound, int(out.bound) if out.bound is not None else 0)
        status = "optimal" if bound >= best.makespan else "feasible"
        info = {**out.info, "time_indexed": prover.steps, "proof": "beside"}
        return MethodOutput(status, best, bound, info)
    if not isinstance(state, RcpspCpSatState) or not state.proof_after:
        return out
    if out.status != "feasible" or out.schedule is None:
        return out
    prover = TimeIndexedProver(
        cm.problem,
        out.schedule,
        int(out.bound if out.bound is not None else 0),
        deadline=ctx.deadline,
        workers=ctx.workers,
        seed=ctx.seed,
    )
    prover.walk()
    status = "optimal" if prover.proven else "feasible"
    info = {**out.info, "time_indexed": prover.steps, "proof": "after"}
    return MethodOutput(status, prover.best, prover.bound, info)


def _add_delays(cm: CpSatModel, transitive: bool) -> None:
    """Add the :func:`precedence_delays` bounds that precedence propagation does not give.

    ``s_j >= e_i + delay[i, j]`` where the delay beats the longest path (all
    related pairs with ``transitive``), ``s_j >= min r + head_j`` and
    ``C_max >= e_j + tail_j``.
    """
    p, model = cm.problem, cm.model
    path, delay, head, tail = precedence_delays(p)
    pick = delay > path if not transitive else delay > _NONE
    for i, j in zip(*np.nonzero(pick)):
        model.add(cm.start[j] >= cm.end[i] + int(delay[i, j]))
    r0 = int(p.release.min(initial=0))
    for j in range(p.n_jobs):
        if head[j] > 0 and r0 + head[j] > p.release[j]:
            model.add(cm.start[j] >= r0 + int(head[j]))
        if tail[j] > 0:
            model.add(cm.objective_var >= cm.end[j] + int(tail[j]))


OPTIONS: dict[str, Any] = {
    "rcpsp_strengthen": True,
    "rcpsp_heuristic_schedules": None,
    "rcpsp_heuristic_share": HEURISTIC_SHARE,
    "rcpsp_seed": 0,
    "rcpsp_delays": True,
    "rcpsp_delays_max_jobs": 400,
    "rcpsp_transitive": False,
    "rcpsp_portfolio": "default",
    "rcpsp_settimes": False,
    "rcpsp_makespan_interval": False,
    "rcpsp_proof": True,
    "rcpsp_proof_beside": True,
    "rcpsp_proof_share": PROOF_SHARE,
    "rcpsp_proof_max_literals": None,
}
"""The options of the RCPSP strengthening with their defaults (``None``: computed, see the module doc)."""

STRENGTHENING = Strengthening(strengthen_rcpsp, prove_by_time_index, OPTIONS)
"""The RCPSP family's CP-SAT strengthening (declared in :data:`schedopt.families.rcpsp.FAMILY`)."""
