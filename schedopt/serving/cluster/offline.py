"""The offline reference: dispatch and sequence a batch of known queries optimally (CP-SAT).

For a batch of Text-to-SQL queries whose arrivals are all known, the dispatch-and-sequencing
problem is a :class:`schedopt.Problem` of the unified model (``schedopt/model.py``):

* **jobs** = the LLM calls, plus one zero-duration **sink** per query;
* **machines** = the cluster's instances, typed by GPU (``type_names`` = the distinct GPUs);
  each instance serves **one call at a time** (unary machines): this is the service model of
  the cost table (a call's table latency is its latency served alone), and the lead's engine
  reproduces it with ``max_running=1``, which is how the online policies are compared with it;
* **durations** per GPU type: :meth:`StageTableCost.call_time` of the call's stage and lengths
  (the table latency for a call of typical length), in integer units of ``time_unit`` seconds
  (default 0.01 s), **rounded up** (``ceil(x / unit)``, at least 1);
* **precedence**: every call of stage ``k`` precedes every call of stage ``k + 1`` of the same
  query; the calls of the last stage precede the query's sink;
* **release** = the query's arrival on its first-stage calls, rounded **up** to a unit;
* the sink carries the **due date** ``arrival + SLO`` rounded **down** to a unit (weight 1).

Because durations and releases round up and due dates round down, a schedule in units runs in
continuous time with the same starts and every query on time in units is on time in seconds
(the offline on-time count is achievable; the rounding may cost a query at the margin). So the
solver's "optimal" and its bound are those of the unit model; :func:`on_time_upper_bound` gives a
bound on the on-time queries that holds in seconds (an energy relaxation over time windows).

Objective ``late_then_max_lateness`` (:mod:`schedopt.objectives`): first the number of late
queries (maximise on-time queries), then the maximum lateness. :func:`solve_offline` runs
``schedopt.solve(problem, "cpsat", ...)`` with a greedy schedule (:func:`greedy_schedule`) as a hint
and decodes the result into on-time queries, max lateness and a per-call
``(instance, start, end)`` table.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ...model import NO_TIME, Problem
from ...objectives import decode_late_lateness
from ...result import Result
from ...schedule import Schedule
from ...solve import solve
from .costtable import StageTableCost, column
from .workflows import Query

OBJECTIVE = "late_then_max_lateness"
_EPS = 1e-9


@dataclass(frozen=True)
class CallRef:
    """Which call a job is: query index (in the batch), stage index, call index within the stage."""

    query: int
    stage: int
    call: int
    name: str


@dataclass(frozen=True)
class OfflineInstance:
    """An offline batch as a :class:`~schedopt.Problem`, with the map back to calls.

    Attributes
    ----------
    problem
        The problem (objective ``late_then_max_lateness``).
    queries
        The batch.
    gpus
        GPU of each instance (machine).
    slo
        SLO of each query (seconds).
    time_unit
        Seconds per time unit.
    calls
        ``calls[j]`` for each call job ``j`` (jobs ``0 .. n_calls - 1``).
    sinks
        Job index of each query's sink.
    """

    problem: Problem
    queries: tuple[Query, ...]
    gpus: tuple[str, ...]
    slo: tuple[float, ...]
    time_unit: float
    calls: tuple[CallRef, ...]
    sinks: tuple[int, ...]


@dataclass(frozen=True)
class CallSlot:
    """One call of the offline schedule (times in seconds)."""

    query_id: int
    stage: int
    call: int
    stage_name: str
    instance: int
    start: float
    end: float


@dataclass
class OfflineSchedule:
    """The decoded offline result.

    Attributes
    ----------
    status
        ``schedopt.solve``'s status (``"optimal"``: the lexicographic optimum is proven).
    on_time
        Queries whose sink ends by its due date.
    max_lateness
        Maximum over the queries of ``finish - (arrival + SLO)`` in seconds, from the units
        (negative when every query is early), capped as the objective caps it.
    on_time_bound
        An upper bound on the on-time queries of any schedule of the unit model (the solver's bound
        and, from :func:`solve_offline`, the energy bound :func:`on_time_upper_bound`), or ``None``.
        The unit model rounds durations up and due dates down, so its bound need not hold in
        seconds: a schedule in continuous time may have more queries on time by a rounding margin.
    on_time_bound_seconds
        :func:`on_time_upper_bound`: valid in continuous time, so for the online policies too
        (``None`` from :func:`decode` alone).
    calls
        One :class:`CallSlot` per call, in job order.
    finish
        Each query's finish time in seconds (its sink's time).
    result
        The :class:`schedopt.Result`.
    instance
        The :class:`OfflineInstance`.
    """

    status: str
    on_time: int
    max_lateness: float
    on_time_bound: int | None
    calls: list[CallSlot]
    finish: list[float]
    result: Result
    instance: OfflineInstance
    info: dict[str, Any] = field(default_factory=dict)
    on_time_bound_seconds: int | None = None


def _per_query_slo(slo: float | Sequence[float], n: int) -> tuple[float, ...]:
    if isinstance(slo, (int, float, np.integer, np.floating)):
        vals = [float(slo)] * n
    else:
        vals = [float(x) for x in slo]
        if len(vals) != n:
            raise ValueError(f"slo: {len(vals)} values for {n} queries")
    for i, v in enumerate(vals):
        if not (v > 0 and math.isfinite(v)):
            raise ValueError(f"slo of query {i}: must be positive and finite, got {v}")
    return tuple(vals)


def offline_problem(
    queries: Sequence[Query],
    gpus: Sequence[str],
    slo: float | Sequence[float],
    *,
    time_unit: float = 0.01,
    costs: Sequence[StageTableCost] | None = None,
) -> OfflineInstance:
    """The offline problem of ``queries`` on instances ``gpus`` (see the module docstring).

    Parameters
    ----------
    queries
        The batch (arrivals known).
    gpus
        GPU of each instance (cost-table columns or aliases).
    slo
        One SLO in seconds for every query, or one per query.
    time_unit
        Seconds per integer time unit.
    costs
        One :class:`StageTableCost` per distinct GPU column, in order of first appearance in ``gpus``
        (default: ``StageTableCost(gpu)``).
    """
    if not len(queries):
        raise ValueError("queries: the batch is empty")
    if not len(gpus):
        raise ValueError("gpus: a cluster needs at least one instance")
    if not (time_unit > 0 and math.isfinite(time_unit)):
        raise ValueError(f"time_unit must be positive and finite, got {time_unit}")
    cols = [column(g) for g in gpus]
    types = list(dict.fromkeys(cols))
    if costs is None:
        models = [StageTableCost(t) for t in types]
    else:
        models = list(costs)
        if [m.gpu for m in models] != types:
            raise ValueError(f"costs: expected one model per GPU type {types}, got {[m.gpu for m in models]}")
    slos = _per_query_slo(slo, len(queries))
    ids = [q.id for q in queries]
    if len(set(ids)) != len(ids):
        raise ValueError("queries: query ids must be distinct")

    def units_up(seconds: float) -> int:
        return max(0, math.ceil(seconds / time_unit - _EPS))

    dur: list[list[int]] = []
    release: list[int] = []
    names: list[str] = []
    refs: list[CallRef] = []
    prec: list[tuple[int, int]] = []
    stage_jobs: list[list[list[int]]] = []
    for qi, q in enumerate(queries):
        jobs_q: list[list[int]] = []
        for k, stage in enumerate(q.stages):
            jobs_k = []
            for c, call in enumerate(stage):
                j = len(dur)
                dur.append(
                    [max(1, units_up(m.call_time(call.stage, call.prompt, call.output))) for m in models]
                )
                release.append(units_up(q.arrival) if k == 0 else 0)
                name = f"q{q.id}.s{k}.c{c}:{call.stage}"
                names.append(name)
                refs.append(CallRef(qi, k, c, name))
                jobs_k.append(j)
            if jobs_q:
                prec += [(i, j) for i in jobs_q[-1] for j in jobs_k]
            jobs_q.append(jobs_k)
        stage_jobs.append(jobs_q)
    n_calls = len(dur)
    sinks = []
    due = [NO_TIME] * n_calls
    for qi, q in enumerate(queries):
        s = len(dur)
        dur.append([0] * len(types))
        release.append(0)
        due.append(math.floor((q.arrival + slos[qi]) / time_unit + _EPS))
        names.append(f"q{q.id}:done")
        prec += [(i, s) for i in stage_jobs[qi][-1]]
        sinks.append(s)
    problem = Problem(
        duration=np.asarray(dur, np.int64),
        release=release,
        due=due,
        names=names,
        precedence=prec,
        machine_type=[types.index(c) for c in cols],
        type_names=types,
        machine_names=[f"{c}#{e}" for e, c in enumerate(cols)],
        objective=OBJECTIVE,
        name=f"text2sql-offline-{len(queries)}q-{len(gpus)}i",
        meta={"time_unit": time_unit, "source": "schedopt.serving.cluster.offline"},
    )
    return OfflineInstance(
        problem, tuple(queries), tuple(cols), slos, float(time_unit), tuple(refs), tuple(sinks)
    )


def _earliest_gap(busy: list[tuple[int, int]], ready: int, d: int) -> int:
    """Earliest ``t >= ready`` with ``[t, t + d)`` free among the sorted busy intervals."""
    t = ready
    for a, b in busy:
        if b <= t:
            continue
        if a >= t + d:
            break
        t = max(t, b)
    return t


def greedy_schedule(inst: OfflineInstance) -> Schedule:
    """A feasible schedule: calls by (query due date, query arrival, stage), each placed where it ends first.

    Serial schedule generation with insertion: a call is ready when its query's previous stage is
    over (or at the release for the first stage); on each instance it takes the earliest idle gap
    that fits it, and it goes to the instance where it ends first (ties: the lower index). Sinks
    end at their last stage's end (machine 0; they take no time).
    """
    p = inst.problem
    n = p.n_jobs
    start = np.zeros(n, np.int64)
    end = np.zeros(n, np.int64)
    mach = np.zeros(n, np.int64)
    busy: list[list[tuple[int, int]]] = [[] for _ in range(p.n_machines)]
    order = sorted(
        range(len(inst.queries)),
        key=lambda i: (int(p.due[inst.sinks[i]]), inst.queries[i].arrival, inst.queries[i].id),
    )
    by_query: dict[int, list[list[int]]] = {}
    for j, ref in enumerate(inst.calls):
        stages = by_query.setdefault(ref.query, [])
        while len(stages) <= ref.stage:
            stages.append([])
        stages[ref.stage].append(j)
    for qi in order:
        ready = int(p.release[by_query[qi][0][0]])
        for jobs in by_query[qi]:
            stage_end = ready
            for j in jobs:
                best = None
                for m in range(p.n_machines):
                    d = int(p.duration[j, p.machine_type[m]])
                    t = _earliest_gap(busy[m], ready, d)
                    if best is None or t + d < best[0]:
                        best = (t + d, t, m)
                assert best is not None
                fin, t, m = best
                start[j], end[j], mach[j] = t, fin, m
                busy[m].append((t, fin))
                busy[m].sort()
                stage_end = max(stage_end, fin)
            ready = stage_end
        s = inst.sinks[qi]
        start[s] = end[s] = ready
    return Schedule(start, end, mach)


def decode(inst: OfflineInstance, result: Result) -> OfflineSchedule:
    """Turn a :class:`schedopt.Result` of ``inst.problem`` into an :class:`OfflineSchedule`."""
    p, u = inst.problem, inst.time_unit
    sched = result.schedule
    if sched is None:
        raise ValueError(f"no schedule to decode (status {result.status})")
    late, lmax = decode_late_lateness(p, int(result.objective))
    nq = len(inst.queries)
    bound = None
    if result.bound is not None:
        late_lb, _ = decode_late_lateness(p, max(0, int(result.bound)))
        bound = nq - late_lb
    slots = [
        CallSlot(
            inst.queries[r.query].id,
            r.stage,
            r.call,
            inst.queries[r.query].stages[r.stage][r.call].stage,
            int(sched.machine[j]),
            float(sched.start[j] * u),
            float(sched.end[j] * u),
        )
        for j, r in enumerate(inst.calls)
    ]
    finish = [float(sched.end[s] * u) for s in inst.sinks]
    return OfflineSchedule(
        status=result.status,
        on_time=nq - late,
        max_lateness=float(lmax * u),
        on_time_bound=bound,
        calls=slots,
        finish=finish,
        result=result,
        instance=inst,
    )


def on_time_upper_bound(
    queries: Sequence[Query],
    gpus: Sequence[str],
    slo: float | Sequence[float],
    *,
    costs: Sequence[StageTableCost] | None = None,
) -> int:
    """An upper bound on the on-time queries of any schedule, in continuous time (an energy relaxation).

    Each query ``q`` has release ``r_q`` (its arrival), due date ``d_q = r_q + SLO_q``, least work
    ``W_q = sum_calls min_g t_g(call)`` (every call runs on some instance for at least its fastest
    call time) and least path ``P_q = sum_stages max_calls min_g t_g(call)``. If the set ``S`` of
    queries is on time, every call of ``q in S`` runs inside ``[r_q, d_q]`` on one of the ``M``
    one-call-at-a-time instances, so for every window ``[a, b]``

    ``sum_{q in S: r_q >= a, d_q <= b} W_q <= M (b - a)``, and ``P_q <= d_q - r_q`` for ``q in S``.

    The bound is the largest such ``|S|``, a 0/1 program over at most ``n^2`` windows solved exactly
    by HiGHS (:func:`scipy.optimize.milp`). It holds in seconds, so for the online policies simulated
    in the same service model as well as for the unit model of :func:`offline_problem` (whose
    durations are rounded up and due dates down).
    """
    cols = [column(g) for g in gpus]
    types = list(dict.fromkeys(cols))
    models = [StageTableCost(t) for t in types] if costs is None else list(costs)
    slos = _per_query_slo(slo, len(queries))
    n, m = len(queries), len(cols)
    work = np.zeros(n)
    feasible = np.ones(n, bool)
    for qi, q in enumerate(queries):
        fastest = [
            [min(md.call_time(c.stage, c.prompt, c.output) for md in models) for c in st] for st in q.stages
        ]
        work[qi] = sum(sum(st) for st in fastest)
        feasible[qi] = sum(max(st) for st in fastest) <= slos[qi] * (1 + 1e-12) + _EPS
    release = np.array([q.arrival for q in queries], float)
    due = release + np.array(slos, float)
    rows, caps = [], []
    for a in np.unique(release):
        for b in np.unique(due):
            inside = (release >= a) & (due <= b)
            if b > a and inside.any() and work[inside].sum() > m * (b - a):
                rows.append(np.where(inside, work, 0.0))
                caps.append(m * (b - a) * (1 + 1e-12) + _EPS)
    if not rows:
        return int(feasible.sum())
    from scipy.optimize import Bounds, LinearConstraint, milp

    res = milp(
        c=-np.ones(n),
        constraints=[LinearConstraint(np.array(rows), -np.inf, np.array(caps))],
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), feasible.astype(float)),
    )
    if not res.success:  # pragma: no cover - the all-zero vector is always feasible
        return int(feasible.sum())
    return round(float(-res.fun))


def solve_offline(
    queries: Sequence[Query],
    gpus: Sequence[str],
    slo: float | Sequence[float],
    *,
    time_limit: float | None = 60.0,
    workers: int = 2,
    seed: int = 0,
    time_unit: float = 0.01,
    hint: bool = True,
) -> OfflineSchedule:
    """Build the offline problem, solve it with CP-SAT and decode it.

    Parameters
    ----------
    queries, gpus, slo, time_unit
        As :func:`offline_problem`.
    time_limit
        CP-SAT seconds (``None``: until optimal).
    workers
        CP-SAT workers.
    seed
        CP-SAT seed.
    hint
        Give CP-SAT :func:`greedy_schedule` as a hint.
    """
    inst = offline_problem(queries, gpus, slo, time_unit=time_unit)
    options: dict[str, Any] = {"workers": workers}
    if hint:
        options["hint_schedule"] = greedy_schedule(inst)
    result = solve(inst.problem, "cpsat", time_limit=time_limit, seed=seed, **options)
    out = decode(inst, result)
    out.info["n_jobs"] = inst.problem.n_jobs
    energy = on_time_upper_bound(queries, gpus, slo)
    out.info["on_time_energy_bound"] = energy
    out.on_time_bound_seconds = energy
    out.on_time_bound = energy if out.on_time_bound is None else min(out.on_time_bound, energy)
    return out
