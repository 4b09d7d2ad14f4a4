"""Simulation-based tuning of the workload-balanced dispatcher's ``alpha`` and the urgency weight ``w1``.

HEXGEN-TEXT2SQL (Peng et al., arXiv 2505.05286; ``shared/docs/llm_serving.md`` §2.5) picks the
dispatcher's ``alpha`` by re-running its simulator (Hexgen-Flow ``cli/run_multiple_simulations.py``:
a grid ``alpha in {0, 0.1, ..., 0.5}`` x arrival rates ``{0.5, 1.0}`` queries/s) and keeping the
``alpha`` with the best SLO attainment: "lightweight simulation-based tuning". :func:`tune` does the
same with :func:`~schedopt.serving.cluster.sim.simulate_cluster`:

* the **objective** of a point ``(alpha, w1)`` is the mean SLO attainment of the runs
  ``rates x seeds`` (one simulation each; the workload of a run is ``factory(rate, seed)``, the
  simulation seed is ``seed``), with the workload-balanced dispatcher and the chosen local queue
  (least-slack-first by default: ``w1`` is its urgency weight; with ``queue="fcfs"`` ``w1`` has no
  effect);
* ``method="grid"`` evaluates every ``(alpha, w1)`` of ``alphas x w1s``;
* ``method="bounded"`` runs :func:`scipy.optimize.minimize_scalar` (``method="bounded"``, Brent on
  ``alpha in [0, 1]``) on ``-attainment`` for each ``w1`` of ``w1s``. Attainment is a step function
  of ``alpha`` (a dispatch decision flips at discrete values), so the bounded search is a local
  heuristic with no optimality claim; every point it evaluates is kept in the table;
* the **best** point has the highest mean attainment; ties go to the lower mean P95 latency, then
  the smaller ``alpha``, then the smaller ``w1`` (deviation: Hexgen-Flow keeps the first best
  ``alpha`` of its grid, i.e. the smallest; the P95 tie-break is ours).

The runs of a grid (or of one bounded evaluation) go to a Dask cluster when ``client`` (a
``dask.distributed.Client``) is given: one task per simulation, submitted with ``pure=False`` and
gathered, as :mod:`schedopt.bench.executors` does; ``dask`` is never imported by this module (the
client brings it). Tuning should use workload seeds different from the evaluation seeds of a
benchmark, so that the tuned ``alpha`` is not fitted to the evaluated workloads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .sim import InstanceSpec, simulate_cluster
from .workflows import Query

#: Hexgen-Flow's tuning grid (docs §2.5).
HEXGEN_ALPHAS: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)

QueryFactory = Callable[[float, int], Sequence[Query]]


@dataclass
class TuningResult:
    """The outcome of :func:`tune`.

    Attributes
    ----------
    table
        One row per evaluated point: ``alpha, w1, attainment`` (mean over its runs),
        ``attainment_min``, ``p95_latency`` (mean), ``runs``, in evaluation order.
    runs
        One row per simulation: ``alpha, w1, rate, seed, attainment, p95_latency, throughput``.
    alpha, w1
        The best point (see the module docstring for the tie-breaks).
    attainment
        Its mean attainment.
    method
        ``"grid"`` or ``"bounded"``.
    settings
        SLO scale, queue, dispatcher options, rates and seeds.
    """

    table: pd.DataFrame
    runs: pd.DataFrame
    alpha: float
    w1: float
    attainment: float
    method: str
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def best(self) -> dict[str, float]:
        """``{"alpha", "w1", "attainment"}`` of the best point."""
        return {"alpha": self.alpha, "w1": self.w1, "attainment": self.attainment}


def _run_one(
    queries: Sequence[Query],
    instances: Sequence[InstanceSpec | str],
    alpha: float,
    w1: float,
    rate: float,
    seed: int,
    options: dict[str, Any],
) -> dict[str, Any]:
    """One simulation of a point (module-level: Dask ships it to its workers)."""
    res = simulate_cluster(
        queries,
        instances,
        dispatch="workload-balanced",
        dispatch_options={**options["dispatch_options"], "alpha": float(alpha)},
        queue=options["queue"],
        w1=float(w1),
        planner=options["planner"],
        slo_scale=options["slo_scale"],
        slo=options["slo"],
        seed=int(seed),
    )
    return {
        "alpha": float(alpha),
        "w1": float(w1),
        "rate": rate,
        "seed": int(seed),
        "attainment": res.attainment(),
        "p95_latency": res.p95_latency(),
        "throughput": res.throughput(),
    }


def _check_values(name: str, values: Sequence[float], low: float, high: float) -> list[float]:
    out = [float(v) for v in values]
    if not out:
        raise ValueError(f"{name}: give at least one value")
    for v in out:
        if not (low <= v <= high):
            raise ValueError(f"{name}: {v} lies outside [{low}, {high}]")
    return out


def tune(
    queries_or_factory: Sequence[Query] | QueryFactory,
    instances: Sequence[InstanceSpec | str],
    *,
    alphas: Sequence[float] = HEXGEN_ALPHAS,
    w1s: Sequence[float] = (1.0,),
    rates: Sequence[float] | None = None,
    slo_scale: float = 5.0,
    slo: float | None = None,
    method: str = "grid",
    seeds: Sequence[int] = (0,),
    client: Any = None,
    queue: str = "least-slack",
    planner: str = "aggressive",
    dispatch_options: dict[str, Any] | None = None,
    xatol: float = 0.02,
    maxiter: int = 12,
) -> TuningResult:
    """Choose the workload-balanced ``alpha`` (and ``w1``) that maximise SLO attainment by simulation.

    Parameters
    ----------
    queries_or_factory
        A fixed workload (then ``rates`` must be ``None``; the seeds only seed the simulations),
        or ``factory(rate, seed) -> queries`` (then ``rates`` is required), e.g.
        ``lambda r, s: text2sql_queries(100, r, tenants=3, rng=s)``.
    instances
        The cluster (:func:`~schedopt.serving.cluster.sim.cluster` or GPU names).
    alphas
        The grid of ``alpha`` (``method="grid"``), in ``[0, 1]``; default Hexgen-Flow's
        :data:`HEXGEN_ALPHAS`. Ignored by ``"bounded"``, which searches ``[0, 1]``.
    w1s
        Urgency weights (``>= 0``) tried (grid: crossed with ``alphas``; bounded: one search each).
    rates
        Arrival rates (queries/s) passed to the factory.
    slo_scale, slo
        The per-query SLO of :func:`~schedopt.serving.cluster.sim.simulate_cluster`.
    method
        ``"grid"`` or ``"bounded"`` (:func:`scipy.optimize.minimize_scalar`).
    seeds
        Workload and simulation seeds; use seeds distinct from those of the evaluation.
    client
        A ``dask.distributed.Client``: the simulations of a grid (or of one bounded evaluation) run
        as Dask tasks. ``None``: in this process, one after the other.
    queue, planner, dispatch_options
        Local queue, admission planner and further workload-balanced options
        (e.g. ``{"release_on_completion": False}``) of every run.
    xatol, maxiter
        Tolerance and evaluation cap of the bounded search.

    Returns
    -------
    TuningResult
        Every evaluated point and the best one.
    """
    if method not in ("grid", "bounded"):
        raise ValueError(f"method must be 'grid' or 'bounded', got {method!r}")
    w1_list = _check_values("w1s", w1s, 0.0, math.inf)
    seed_list = [int(s) for s in seeds]
    if not seed_list:
        raise ValueError("seeds: give at least one seed")
    dopts = dict(dispatch_options or {})
    if "alpha" in dopts:
        raise ValueError("dispatch_options: alpha is what tune chooses; do not fix it")
    if callable(queries_or_factory):
        if rates is None or not len(rates):
            raise ValueError("rates: a query factory needs at least one arrival rate")
        rate_list: list[float | None] = [float(r) for r in rates]
        factory = queries_or_factory
        workloads = {(r, s): list(factory(r, s)) for r in rate_list for s in seed_list}
    else:
        if rates is not None:
            raise ValueError("rates: only with a query factory (a fixed workload has its own arrivals)")
        fixed = list(queries_or_factory)
        if not fixed:
            raise ValueError("queries: the workload is empty")
        rate_list = [None]
        workloads = {(None, s): fixed for s in seed_list}
    options = {
        "dispatch_options": dopts,
        "queue": queue,
        "planner": planner,
        "slo_scale": slo_scale,
        "slo": slo,
    }
    specs = list(instances)
    rows: list[dict[str, Any]] = []

    def evaluate(points: list[tuple[float, float]]) -> None:
        jobs = [(a, w, r, s) for a, w in points for r in rate_list for s in seed_list]
        if client is None:
            rows.extend(_run_one(workloads[(r, s)], specs, a, w, r, s, options) for a, w, r, s in jobs)
        else:
            futures = [
                client.submit(_run_one, workloads[(r, s)], specs, a, w, r, s, options, pure=False)
                for a, w, r, s in jobs
            ]
            rows.extend(client.gather(futures))

    def mean_attainment(a: float, w: float) -> float:
        got = [x["attainment"] for x in rows if x["alpha"] == a and x["w1"] == w]
        return float(np.mean(got))

    if method == "grid":
        alpha_list = _check_values("alphas", alphas, 0.0, 1.0)
        evaluate([(a, w) for w in w1_list for a in alpha_list])
    else:
        from scipy.optimize import minimize_scalar

        for w in w1_list:
            cache: dict[float, float] = {}

            def objective(a: float, w: float = w, cache: dict[float, float] = cache) -> float:
                a = float(min(1.0, max(0.0, a)))
                if a not in cache:
                    evaluate([(a, w)])
                    cache[a] = mean_attainment(a, w)
                return -cache[a]

            minimize_scalar(
                objective, bounds=(0.0, 1.0), method="bounded", options={"xatol": xatol, "maxiter": maxiter}
            )

    runs = pd.DataFrame(
        rows, columns=["alpha", "w1", "rate", "seed", "attainment", "p95_latency", "throughput"]
    )
    table = (
        runs.groupby(["alpha", "w1"], sort=False)
        .agg(
            attainment=("attainment", "mean"),
            attainment_min=("attainment", "min"),
            p95_latency=("p95_latency", "mean"),
            runs=("attainment", "size"),
        )
        .reset_index()
    )
    ranked = table.assign(_p95=table["p95_latency"].fillna(math.inf)).sort_values(
        ["attainment", "_p95", "alpha", "w1"], ascending=[False, True, True, True], kind="stable"
    )
    top = ranked.iloc[0]
    settings = {
        "slo_scale": slo_scale if slo is None else None,
        "slo": slo,
        "queue": queue,
        "planner": planner,
        "dispatch_options": dopts,
        "rates": [r for r in rate_list if r is not None],
        "seeds": seed_list,
    }
    return TuningResult(
        table, runs, float(top["alpha"]), float(top["w1"]), float(top["attainment"]), method, settings
    )
