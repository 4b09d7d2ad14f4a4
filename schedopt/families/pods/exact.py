"""The lexicographic CP-SAT pod packer of "Priority Matters" (Christensen, Giallorenzo & Mauro,
arXiv 2511.08373, 2025), on the unified model.

Model (the paper's, with the filters it leaves out added back): a Boolean ``x[i, j]`` for every pod
``i`` and node ``j`` where ``i`` is *allowed* (eligible, meets its deadline and fits the empty node
alone); ``placed_i = sum_j x[i, j] <= 1`` (``= 1`` for a non-optional, i.e. protected, pod); per node
and resource ``sum_i d_ir x[i, j] <= C_jr``; ``x[i, j] + x[k, j] <= 1`` for every anti-affinity pair.
Then stages, over the distinct priorities ``p_1 > p_2 > ... > p_K`` of the optional pods:

* **place** ``p_t``: maximise ``P_t = sum_{i optional, prio_i >= p_t} w_i placed_i``, then pin it
  (``P_t == value`` when proven optimal, ``P_t >= value`` when only feasible);
* **disrupt** ``p_t`` (only when running pods of priority ``>= p_t`` exist): minimise
  ``D_t = sum_{i running, prio_i >= p_t} (1 + placed_i - 2 x[i, c_i])`` (stay 0, evict 1,
  move 2), then pin it likewise.

``order="core"`` (default) runs ``P_1 .. P_K`` and then one disruption stage over all running pods,
which is the order of the problem's own ``placement`` objective (:mod:`schedopt.objectives`:
unplaced weight per tier, then disruption), so ``"optimal"`` means optimal for the problem;
``order="paper"`` interleaves them as the paper does, ``(P_1, D_1, P_2, D_2, ...)``. The two differ:
the paper's order refuses to move a high-priority pod to make room for lower-priority ones (it pins
each tier's disruption before the next tier is placed), the core order accepts it. On the grid
benchmark the core order places more high-priority pods than the default scheduler far more often
(``benchmarks/pods/RESULTS.md``); the paper's order reproduces the paper.

Time (the paper's split): 60 % of the window is a guaranteed pool shared equally by the remaining
tiers, 40 % a free pool that early tiers may consume; a tier may use its share plus the free pool,
half for its place stage and the rest (whatever the place stage left) for its disruption stage
(a tier without running pods has no disruption stage and gives its place stage the whole share:
deviation, the paper's code leaves that half unused).
In core order the disruption stage counts as one more tier. Hints: the emulated default
scheduler's placement (:func:`.emulator.emulate`, which keeps the running pods in place, so it
contains the current placement), then each stage's solution for the next (or the default placement
again when it meets every pin so far and scores better on the stage). A stage that finds no
solution in time keeps its hint (which meets every pin) and the next stage goes on from there.
CP-SAT runs with :data:`CPSAT_PARAMS` (presolve keeps every feasible solution, so that complete
hints survive it; no probing).

Result: ``status="optimal"`` only when every stage was proven optimal **and** that proves the core
``placement`` objective optimal: always in core order; in paper order only when no running
pod runs (then every disruption is 0 and the orders agree). Otherwise ``"feasible"``;
``info["lexicographic_optimal"]`` says whether the schedule is proven optimal in the chosen order.
The ``bound`` is valid for the core objective: the top tier's unplaced weight from the first stage
(exact when proven, else CP-SAT's bound), later components exact while a chain of core-order
stages is proven, and otherwise the pods no node can take and the disruption no node choice avoids.
The result is never worse, in the chosen order, than the emulated default placement (which is
returned if the search ends worse). ``info["tiers"]`` reports per tier the placed weight,
disruption and proof flags; ``info["default_certified"]`` is true when all place stages are proven
and the default placement's per-tier placed vector equals the optimum's, and
``info["default_improved"]`` when the packer's vector is lexicographically larger. Both hold *in
the chosen order* (``info["certified_order"]``): in the paper's order a tier's disruption is pinned
before the lower tiers are placed, so a placement that moves a higher-priority running pod to place
more lower-priority pods is not better there, though it is in core order. The time limit covers
everything, the emulated default included: call :func:`schedopt.warm_up` (or any pods method) once
before timing short limits, else the first call's numba cache load (about 0.5--1 s) eats the window.

Deviations from the paper's code: no "place at least one pending pod" constraint (it makes the model
infeasible when nothing fits and is not part of the objective); weights ``w_i`` (1 for pods) instead
of counts; eligibility and anti-affinity are enforced (the paper ignores affinity); the default
number of workers is the cores (at most 8) rather than all cores. Problems with time windows or
precedence are not pod packing: they go to the core CP-SAT model (``info["fallback"]``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ...cpsat.compiler import apply_parameters
from ...errors import OptionError
from ...model import Problem
from ...objectives import encode_placement, placement_parts, placement_tiers
from ...registry import MethodOutput
from .emulator import allowed_nodes, emulate, placed_by_tier, schedule_of, whole_horizon_problem

#: CP-SAT parameters of every stage. Presolve would otherwise drop the pods outside a stage's
#: objective and so break the hint; probing costs more than it gives on these short stages.
CPSAT_PARAMS: dict[str, Any] = {"keep_all_feasible_solutions_in_presolve": True, "cp_model_probing_level": 0}

#: Default window in seconds when :func:`schedopt.solve` passes ``time_limit=None``.
DEFAULT_TIME_LIMIT = 10.0


def _allowed(problem: Problem) -> np.ndarray:
    """Eligible, in time, and fitting the empty node alone (the paper's candidate nodes)."""
    fits = (problem.machine_demand[:, None, :] <= problem.machine_capacity[None, :, :]).all(axis=2)
    return allowed_nodes(problem) & fits


def interleaved_key(problem: Problem, machine: np.ndarray) -> tuple[int, ...]:
    """The paper's lexicographic key (smaller is better): ``(-P_1, D_1, -P_2, D_2, ...)``."""
    machine = np.asarray(machine)
    placed = machine >= 0
    cur = problem.current_machine
    running = cur >= 0  # protected (non-optional) running pods count too: moved 2, as in the core objective
    cost = np.where(placed, np.where(machine == cur, 0, 2), 1)
    key: list[int] = []
    for lv, _ in placement_tiers(problem):
        ge = problem.optional & (problem.priority >= lv)
        key.append(-int(problem.weight[ge & placed].sum()))
        key.append(int(cost[running & (problem.priority >= lv)].sum()))
    return tuple(key)


def core_key(problem: Problem, machine: np.ndarray) -> tuple[int, ...]:
    """The core objective's lexicographic key: ``(U_1, ..., U_K, D)``."""
    parts = placement_parts(problem, schedule_of(problem, machine))
    return (*(u for _, u in parts.unplaced), parts.disruption)


class _Budget:
    """The paper's time split: a guaranteed pool shared by the remaining tiers and a free pool."""

    def __init__(self, seconds: float, tiers: int, guaranteed: float) -> None:
        self.floor = seconds * guaranteed
        self.free = seconds - self.floor
        self.tiers = max(1, tiers)

    def tier_cap(self, remaining: float) -> float:
        return min(remaining, self.floor / self.tiers + self.free)

    def spend(self, seconds: float) -> None:
        from_free = min(self.free, seconds)
        self.free -= from_free
        self.floor = max(0.0, self.floor - (seconds - from_free))

    def next_tier(self) -> None:
        self.tiers = max(1, self.tiers - 1)


def solve_packer(
    problem: Problem,
    *,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    seed: int = 0,
    workers: int | None = None,
    hint_default: bool = True,
    order: str = "core",
    guaranteed_fraction: float = 0.6,
    place_fraction: float = 0.5,
    emulator_options: Mapping[str, Any] | None = None,
    log: bool = False,
    cpsat_params: Mapping[str, Any] | None = None,
) -> MethodOutput:
    """Lexicographic CP-SAT packing by priority tier (module docstring).

    Parameters
    ----------
    problem
        A pods problem (others are passed to the core CP-SAT model).
    time_limit
        The whole window in seconds (``None``: :data:`DEFAULT_TIME_LIMIT`), split among stages.
    seed
        CP-SAT ``random_seed``.
    workers
        CP-SAT ``num_workers`` (default: the cores, at most 8).
    hint_default
        Hint the first stage with the emulated default scheduler's placement (else with the current
        placement only).
    order
        ``"paper"`` (place and disruption stages interleaved per tier) or ``"core"`` (all place
        stages, then disruption: the core ``placement`` objective).
    guaranteed_fraction, place_fraction
        The paper's split: share of the window guaranteed to the tiers (0.6) and share of a tier's
        time for its place stage (0.5).
    emulator_options
        Options of :func:`.emulator.emulate` for the default placement (hint, certification).
    log
        Print CP-SAT's search log.
    cpsat_params
        Extra CP-SAT ``SatParameters`` fields by name (they override :data:`CPSAT_PARAMS`).
    """
    t0 = time.perf_counter()
    limit = DEFAULT_TIME_LIMIT if time_limit is None else float(time_limit)
    n_workers = max(1, min(8, os.cpu_count() or 1)) if workers is None else workers
    if isinstance(n_workers, bool) or not isinstance(n_workers, (int, np.integer)) or n_workers < 1:
        raise OptionError("cpsat", "workers", message=f"workers must be a positive integer, got {workers!r}")
    if order not in ("paper", "core"):
        raise OptionError("cpsat", "order", message=f"order must be 'paper' or 'core', got {order!r}")
    for name, v in (("guaranteed_fraction", guaranteed_fraction), ("place_fraction", place_fraction)):
        if not 0.0 <= float(v) <= 1.0:
            raise OptionError("cpsat", name, message=f"{name} must lie in [0, 1], got {v!r}")
    why = whole_horizon_problem(problem)
    if why is not None:
        from ...cpsat.compiler import solve_cpsat

        out = solve_cpsat(problem, time_limit=time_limit, seed=seed, workers=int(n_workers), log=log)
        out.info["fallback"] = f"core cpsat: {why}"
        return out

    default_machine, default_info = emulate(problem, **dict(emulator_options or {}))
    n, big_m = problem.n_jobs, problem.n_machines
    allowed = _allowed(problem)
    dem, cap = problem.machine_demand, problem.machine_capacity
    opt, cur, w = problem.optional, problem.current_machine, problem.weight
    model = cp_model.CpModel()
    pod_of, node_of = (a.astype(np.int64) for a in np.nonzero(allowed))  # one Boolean x_k per allowed pair
    xs = [model.new_bool_var(f"x{i}_{j}") for i, j in zip(pod_of.tolist(), node_of.tolist())]
    x = {(int(i), int(j)): v for i, j, v in zip(pod_of, node_of, xs)}
    index = np.array([v.index for v in xs], np.int64)
    # pod i owns the Booleans x_k with start_of[i] <= k < start_of[i + 1] (pod_of is sorted)
    start_of = np.searchsorted(pod_of, np.arange(n + 1))

    def expr(ks: np.ndarray, coefs: np.ndarray, const: int = 0) -> Any:
        """``const + sum_k coefs[k] x_k`` (an int when no variable remains)."""
        keep = coefs != 0
        ks, coefs = ks[keep], coefs[keep]
        if not len(ks):
            return int(const)
        return cp_model.LinearExpr.weighted_sum([xs[k] for k in ks], coefs.tolist()) + int(const)

    for i in range(n):
        ks = np.arange(start_of[i], start_of[i + 1])
        if not opt[i]:
            model.add(expr(ks, np.ones(len(ks), np.int64)) == 1)
        elif len(ks) > 1:
            model.add_at_most_one([xs[k] for k in ks])
    by_node = np.argsort(node_of, kind="stable")
    node_start = np.searchsorted(node_of[by_node], np.arange(big_m + 1))
    for j in range(big_m):
        ks = by_node[node_start[j] : node_start[j + 1]]
        for r in range(dem.shape[1]):
            d = dem[pod_of[ks], r].astype(np.int64)
            if d.sum() > cap[j, r]:
                model.add(expr(ks, d) <= int(cap[j, r]))
    for a, b in problem.anti_affinity:
        for j in np.flatnonzero(allowed[a] & allowed[b]):
            model.add_bool_or([x[int(a), int(j)].Not(), x[int(b), int(j)].Not()])

    tiers = placement_tiers(problem)
    prio = problem.priority
    running = cur >= 0  # every running pod, protected ones included (a move costs 2 in the core objective)
    every = np.arange(len(xs))
    stay_var = node_of == cur[pod_of]

    def placed_expr(level: float) -> Any:
        sel = opt[pod_of] & (prio[pod_of] >= level)
        return expr(every, np.where(sel, w[pod_of], 0))

    def disruption_expr(level: float) -> Any:
        # sum over running pods of 1 + placed_i - 2 x_{i, c_i}: coefficient 1, or -1 on the stay variable
        sel = running[pod_of] & (prio[pod_of] >= level)
        return expr(
            every, np.where(sel, np.where(stay_var, -1, 1), 0), int((running & (prio >= level)).sum())
        )

    stages: list[tuple[str, int, Any]] = []  # (kind, tier, expression)
    for t, (lv, _) in enumerate(tiers):
        stages.append(("place", t, placed_expr(lv)))
        if order == "paper" and (running & (prio >= lv)).any():
            stages.append(("disrupt", t, disruption_expr(lv)))
    if order == "core" and running.any():
        stages.append(("disrupt", len(tiers), disruption_expr(-np.inf)))

    hint = (
        default_machine
        if hint_default and (default_machine[~problem.optional] >= 0).all()
        else np.where((cur >= 0) & allowed[np.arange(n), np.maximum(cur, 0)], cur, -1)
    )
    best = np.asarray(hint, np.int64).copy()

    def set_hints(machine: np.ndarray) -> None:
        model.clear_hints()
        hint_proto = model.proto.solution_hint
        hint_proto.vars.extend(index.tolist())
        hint_proto.values.extend((machine[pod_of] == node_of).astype(np.int64).tolist())

    set_hints(best)
    pins: list[tuple[str, float, str, int]] = []
    solver = cp_model.CpSolver()
    prm = solver.parameters
    prm.num_workers = int(n_workers)
    prm.random_seed = int(seed)
    prm.log_search_progress = bool(log)
    apply_parameters(prm, {**CPSAT_PARAMS, **dict(cpsat_params or {})})
    n_groups = len(tiers) + (1 if order == "core" and running.any() else 0)
    budget = _Budget(max(0.0, limit - (time.perf_counter() - t0)), n_groups, float(guaranteed_fraction))
    deadline = t0 + limit
    records: list[dict[str, Any]] = []
    complete = True  # every stage ran and was proven optimal
    first_bound: float | None = None
    chain = True  # the stages so far are proven (exact prefix of the core order)
    core_prefix: list[int] = []  # exact unplaced weights (core order) while the chain holds
    lb_next: int | None = None  # a lower bound on the next unplaced weight of the core order
    prev_placed = 0  # the exact placed weight of the tiers in core_prefix
    group_left = 0.0
    group_of = -1
    for kind, t, expr in stages:
        remaining = deadline - time.perf_counter()
        if kind == "place" or order == "core":
            if group_of >= 0:
                budget.next_tier()
            group_of = t
            group_left = budget.tier_cap(remaining)
            paired = any(k == "disrupt" and u == t for k, u, _ in stages)
            shared = order == "paper" and kind == "place" and paired
            cap_s = group_left * (float(place_fraction) if shared else 1.0)
        else:
            cap_s = group_left
        cap_s = min(cap_s, remaining)
        level = tiers[t][0] if t < len(tiers) else -np.inf
        if isinstance(expr, int):  # nothing to decide (no pod of the tier is allowed anywhere)
            records.append({"stage": kind, "tier": t, "status": "constant", "value": expr, "proven": True})
            if order == "core" and kind == "place" and chain:
                core_prefix.append(int(w[tiers[t][1]].sum()) - (expr - prev_placed))
                prev_placed = expr
            continue
        if cap_s <= 1e-3:
            complete = False
            records.append({"stage": kind, "tier": t, "status": "skipped (no time)"})
            break
        here = _stage_value(problem, kind, level, best)
        there = _stage_value(problem, kind, level, default_machine)
        default_valid = bool((default_machine[~problem.optional] >= 0).all())  # it may stand in
        if (
            default_valid
            and all(_holds(problem, pin, default_machine) for pin in pins)
            and (there > here if kind == "place" else there < here)
        ):
            set_hints(default_machine)  # the default placement is the better start for this stage
            start = default_machine
        else:
            start = best
        if kind == "place":
            model.maximize(expr)
        else:
            model.minimize(expr)
        prm.max_time_in_seconds = cap_s
        s0 = time.perf_counter()
        code = solver.solve(model)
        spent = time.perf_counter() - s0
        budget.spend(spent)
        group_left = max(0.0, group_left - spent)
        rec = {"stage": kind, "tier": t, "status": solver.status_name(code), "seconds": round(spent, 3)}
        if code == cp_model.INFEASIBLE:
            if not pins:  # the model itself: proven
                return MethodOutput("infeasible", None, None, {"stages": [*records, rec]})
            # a pin taken from a stand-in placement cut every solution: keep the best so far
            records.append(rec)
            complete = False
            break
        solved = code in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        # without a solution in time, the hinted placement (which meets every pin) stands in
        value = int(solver.value(expr)) if solved else _stage_value(problem, kind, level, start)
        raw = float(solver.best_objective_bound)
        bound = raw if solved and np.isfinite(raw) else None  # without a solution CP-SAT reports 0
        proven = code == cp_model.OPTIMAL
        rec.update(value=value, bound=bound, proven=proven)
        records.append(rec)
        if kind == "place" and t == 0:
            first_bound = bound
        if order == "core" and kind == "place" and chain:
            # P_t = P_{t-1} + W_t - U_t, with P_{t-1} exact while every earlier stage is proven
            tier_weight = int(w[tiers[t][1]].sum())
            if proven:
                core_prefix.append(tier_weight - (value - prev_placed))
                prev_placed = value
            else:
                if bound is not None:
                    lb_next = tier_weight - (int(np.floor(bound + 1e-9)) - prev_placed)
                chain = False
        complete = complete and proven
        op = "==" if proven else (">=" if kind == "place" else "<=")
        model.add(expr == value if proven else (expr >= value if kind == "place" else expr <= value))
        pins.append((kind, level, op, value))
        machine = np.full(n, -1, np.int64)
        if solved:
            values = np.array([solver.boolean_value(v) for v in xs], bool)
            machine[pod_of[values]] = node_of[values]
        else:
            machine = np.asarray(start, np.int64).copy()
        best = machine
        set_hints(best)

    key = interleaved_key if order == "paper" else core_key
    default_valid = bool((default_machine[~problem.optional] >= 0).all())
    fallback = default_valid and key(problem, default_machine) < key(problem, best)
    if fallback:
        best = default_machine.copy()
    if (best[~problem.optional] < 0).any():  # no stage solved and no stand-in places every protected pod
        return MethodOutput("unknown", None, None, {"stages": records, "reason": "no placement in time"})
    schedule = schedule_of(problem, best)
    vector = placed_by_tier(problem, best)
    default_vector = placed_by_tier(problem, default_machine)
    place_proven = [r.get("proven", False) for r in records if r["stage"] == "place"]
    all_place_proven = len(place_proven) == len(tiers) and all(place_proven)
    cur_parts = placement_parts(problem, schedule)
    info: dict[str, Any] = {
        "solver": "cp-sat lexicographic packer",
        "order": order,
        "workers": int(n_workers),
        "stages": records,
        "lexicographic_optimal": bool(complete and not fallback),
        "tiers": [
            {
                "priority": lv,
                "placed": vector[t],
                "pods": int(w[jobs].sum()),
                "disruption": int(interleaved_key(problem, best)[2 * t + 1]),
                "place_proven": bool(t < len(place_proven) and place_proven[t]),
            }
            for t, (lv, jobs) in enumerate(tiers)
        ],
        "disruption": cur_parts.disruption,
        "default_placed_by_tier": default_vector,
        "default_certified": bool(all_place_proven and vector == default_vector),
        "certified_order": order,
        "default_improved": vector > default_vector,
        "default_info": default_info,
        "returned_default": bool(fallback),
    }
    status = "feasible"
    exact_core = complete and not fallback and (order == "core" or not running.any())
    if exact_core:
        status = "optimal"
    bound = _core_bound(problem, allowed, first_bound, core_prefix, lb_next, order)
    if exact_core:
        bound = encode_placement(problem, [u for _, u in cur_parts.unplaced], cur_parts.disruption)
    return MethodOutput(status, schedule, bound, info)


def _stage_value(problem: Problem, kind: str, level: float, machine: np.ndarray) -> int:
    """The value of a stage's expression on a placement: placed weight or disruption at ``>= level``."""
    ge = problem.optional & (problem.priority >= level)
    placed = np.asarray(machine) >= 0
    if kind == "place":
        return int(problem.weight[ge & placed].sum())
    cur = problem.current_machine
    cost = np.where(placed, np.where(machine == cur, 0, 2), 1)
    return int(cost[(problem.priority >= level) & (cur >= 0)].sum())  # every running pod, protected too


def _holds(problem: Problem, pin: tuple[str, float, str, int], machine: np.ndarray) -> bool:
    kind, level, op, value = pin
    v = _stage_value(problem, kind, level, machine)
    return v == value if op == "==" else (v >= value if op == ">=" else v <= value)


def _core_bound(
    problem: Problem,
    allowed: np.ndarray,
    first_bound: float | None,
    core_prefix: list[int],
    lb_next: int | None,
    order: str,
) -> int | None:
    """A valid lower bound on the core ``placement`` value (module docstring), or ``None``."""
    tiers = placement_tiers(problem)
    if not tiers:
        return None
    stuck = problem.optional & ~allowed.any(axis=1)
    comps = [int(problem.weight[jobs][stuck[jobs]].sum()) for _, jobs in tiers]
    if order == "core" and core_prefix:
        comps[: len(core_prefix)] = core_prefix
        if lb_next is not None and len(core_prefix) < len(comps):
            comps[len(core_prefix)] = max(comps[len(core_prefix)], lb_next)
    elif first_bound is not None:
        top = int(problem.weight[tiers[0][1]].sum())
        comps[0] = max(comps[0], top - int(np.floor(first_bound + 1e-9)))
    cur = problem.current_machine
    rows = np.flatnonzero(cur >= 0)
    d = int((~allowed[rows, cur[rows]]).sum())
    return encode_placement(problem, comps, d)
