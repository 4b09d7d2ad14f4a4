"""List-scheduling heuristics of the heterogeneous DAG family: HEFT, CPOP and PEFT.

All three rank the tasks, then place them one by one, each in the earliest idle gap that fits on
its chosen machine (insertion-based), honouring release dates, eligibility (a task only goes to a
machine it is allowed on), edge lags and the machine-pair communication delays of the model. They
share one numba kernel (:func:`._kernels.list_schedule`): a ready queue ordered by priority,
ties by the earlier task of the smallest topological order by task index (Kahn's algorithm
taking the lowest ready index, :func:`._kernels.topological_order`), so the result is
deterministic.

**HEFT** (Topcuoglu, Hariri & Wu, "Performance-effective and low-complexity task scheduling for
heterogeneous computing", IEEE TPDS 13(3):260-274, 2002):

1. mean costs ``wbar_i`` = the mean of task ``i``'s duration over the machines it may use, and
   ``cbar_e`` = the mean delay of edge ``e`` over ordered pairs of distinct machines (with a
   constant delay per edge, as in the paper's example, ``cbar_e = c_e``), plus the edge's lag;
2. upward ranks ``rank_u(i) = wbar_i + max_{(i, k)} (cbar_(i,k) + rank_u(k))``;
3. tasks in decreasing ``rank_u`` (ties: the earlier task of a topological order, so the list
   stays topological even for zero-cost tasks), each placed on the machine that finishes it
   first (insertion-based EFT; ties: the lower machine index).

**CPOP** (same paper, Fig. 5): downward ranks ``rank_d(entry) = 0``,
``rank_d(i) = max_{(p, i)} (rank_d(p) + wbar_p + cbar_(p,i))``; priority ``rank_u + rank_d``;
the critical path (CP) starts at the entry task of largest priority ``|CP|`` (ties: the lower
index) and follows, from each CP task, its successor of largest priority (``= |CP|`` in exact
arithmetic; ties: the lower task index) until an exit task. The CP processor minimises
``sum_{i in CP} w_(i,p)``; ready tasks leave a max-priority queue (ties: topological order); CP
tasks go to the CP processor, the others to their minimum-EFT machine, both with insertion.
*Eligibility (not in the paper):* the CP processor minimises, lexicographically, the number of
CP tasks not allowed on it, then the sum of the costs of those allowed, then the index; a CP task
not allowed there is placed like a non-CP task (minimum EFT).

**PEFT** (Arabnejad & Barbosa, "List scheduling algorithm for heterogeneous systems by an
optimistic cost table", IEEE TPDS 25(3):682-694, 2014): the optimistic cost table
``OCT(i, k) = max_{(i, j)} min_w (OCT(j, w) + w(j, w) + cbar_(i,j) [w != k])``, ``OCT(exit, .) = 0``
(minima over the machines ``w`` allowed for ``j``; an edge's lag, not in the paper, is added to
its term); ``rank_oct(i)`` = the mean of ``OCT(i, .)`` over the machines ``i`` may use; ready
tasks by decreasing ``rank_oct`` (ties: topological order); each goes to the machine minimising
``O_EFT(i, k) = EFT(i, k) + OCT(i, k)`` (ties: the smaller EFT, then the lower index), with
insertion. By default (``oct_comm="pairs"``) the communication term of the OCT is the edge's
actual delay between machines ``k`` and ``w`` (0 on the same machine), which equals the paper's
``cbar`` when every edge has one constant delay; ``oct_comm="mean"`` uses the paper's average
``cbar`` over distinct machine pairs.

**Averaging** (HEFT and CPOP option ``averaging``): ``"pairs"`` is the paper's (above).
``"saga"`` follows the anrg-saga package (``saga.schedulers.cpop.upward_rank``): the mean
communication is taken over all network links *including the self-loops* (zero transfer time),
``m (m + 1) / 2`` links for ``m`` machines of which ``m (m - 1) / 2`` are real, so
``cbar_saga = cbar_pairs (m - 1) / (m + 1)``; the execution mean is the same (the mean of
cost/speed over the machines). For HEFT, saga breaks rank ties by the earlier task of its own
networkx topological order of its own graph (built from ``frozenset``s, so its order depends on
string hashing) and EFT ties by the first machine of its network's ``frozenset`` (hash order
too); here rank ties go to the earlier task of the topological order above and EFT ties to the
lower machine index, so the makespans agree with saga's whenever neither kind of tie decides.
For CPOP, ``"saga"`` also takes saga's CPoP conventions: its downward rank
``rank_d(i) = max_{(p, i)} (rank_d(p) + cbar_(p,i)) + cost_i / mean speed`` (the task's own
cost, on the harmonic mean of its durations, instead of the predecessor's mean cost), the CP
tasks are all tasks whose priority is ``numpy.isclose`` to ``|CP|``, the CP processor minimises
the sum of their costs, and priority ties in the ready queue go to the task whose name is
smaller as a string (saga's heap compares task names).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...errors import OptionError, ProblemError
from ...model import Problem, pair_delay
from ...registry import MethodOutput
from ...schedule import Schedule
from . import _kernels as K

#: The values of the ``averaging`` option of HEFT and CPOP.
AVERAGINGS: tuple[str, ...] = ("pairs", "saga")

#: The values of PEFT's ``oct_comm`` option.
OCT_COMMS: tuple[str, ...] = ("pairs", "mean")


@dataclass(frozen=True)
class DagArrays:
    """The problem as the kernels need it (see :mod:`._kernels`); ``lag`` ``None`` means zeros."""

    topo: np.ndarray
    pred_ptr: np.ndarray
    pred_idx: np.ndarray
    pred_edge: np.ndarray
    succ_ptr: np.ndarray
    succ_idx: np.ndarray
    succ_edge: np.ndarray
    dur: np.ndarray
    release: np.ndarray
    comm: np.ndarray
    node: np.ndarray
    extra: np.ndarray
    lag: np.ndarray | None = None

    @property
    def lags(self) -> np.ndarray:
        """The lag of every edge (int64, zeros when ``lag`` is ``None``)."""
        return np.zeros(len(self.comm), np.int64) if self.lag is None else self.lag

    @property
    def graph(self) -> tuple[np.ndarray, ...]:
        """``(pred_ptr, pred_idx, pred_edge, succ_ptr, succ_idx, succ_edge)`` for the kernels."""
        return (self.pred_ptr, self.pred_idx, self.pred_edge, self.succ_ptr, self.succ_idx, self.succ_edge)

    @property
    def costs(self) -> tuple[np.ndarray, ...]:
        """``(dur, release, comm, lag, node, extra)`` for the kernels."""
        return (self.dur, self.release, self.comm, self.lags, self.node, self.extra)


def _csr(n: int, keys: np.ndarray, others: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, np.int64)
    np.add.at(ptr, keys + 1, 1)
    return np.cumsum(ptr), others[order].astype(np.int64), order.astype(np.int64)


def prepare(problem: Problem) -> DagArrays:
    """Kernel arrays of ``problem`` (machines required).

    The pair delays are computed for all edges at once with :func:`schedopt.model.pair_delay`
    (the formula of :func:`schedopt.check`): ``extra[e, a, b] = pair_delay(...)[e, a, b] - comm[e]``
    between nodes ``a`` and ``b``.
    """
    n, prec = problem.n_jobs, problem.precedence
    src, dst = prec[:, 0].astype(np.int64), prec[:, 1].astype(np.int64)
    pred_ptr, pred_idx, pred_edge = _csr(n, dst, src)
    succ_ptr, succ_idx, succ_edge = _csr(n, src, dst)
    topo = K.topological_order(pred_ptr, succ_ptr, succ_idx)
    if len(topo) < n:  # the model refuses cycles; this guards arrays built otherwise
        import networkx as nx

        cycle = nx.find_cycle(problem.graph())
        raise ProblemError(
            "precedence: the constraints form a cycle through tasks " + str([u for u, _ in cycle])
        )
    dur = problem.duration[:, problem.machine_type] if problem.duration.ndim == 2 else None
    if dur is None:
        dur = np.repeat(problem.duration[:, None], problem.n_machines, axis=1)
    dur = np.where(problem.allowed, dur, -1).astype(np.int64)
    comm = problem.comm.astype(np.int64)
    if problem.has_pair_comm:
        full = pair_delay(
            comm[:, None, None],
            problem.data_size[:, None, None],
            problem.comm_latency[None, :, :],
            problem.comm_bandwidth[None, :, :],
        )
        extra = full - comm[:, None, None]
        node = problem.machine_node.astype(np.int64)
    else:
        extra = np.zeros((len(prec), 1, 1), np.int64)
        node = np.zeros(problem.n_machines, np.int64)
    return DagArrays(
        topo, pred_ptr, pred_idx, pred_edge, succ_ptr, succ_idx, succ_edge, dur,
        problem.release.astype(np.int64), comm, node, extra.astype(np.int64), prec[:, 2].astype(np.int64),
    )  # fmt: skip


def _check_option(method: str, option: str, value: object, valid: tuple[str, ...]) -> None:
    if value not in valid:
        raise OptionError(
            method,
            option,
            message=f"method {method!r}: {option}={value!r} is not one of {', '.join(map(repr, valid))}",
        )


def mean_costs(a: DagArrays, averaging: str = "pairs") -> tuple[np.ndarray, np.ndarray]:
    """``(wbar, cbar)`` of HEFT's step 1 (module docstring), with the given ``averaging``.

    ``wbar_i`` is the mean duration over the machines task ``i`` may use; ``cbar_e`` is the edge's
    lag plus its mean communication delay over ordered pairs of distinct machines (``"pairs"``),
    times ``(m - 1) / (m + 1)`` for ``"saga"`` (self-loops counted as zero-delay links).
    """
    _check_option("heft", "averaging", averaging, AVERAGINGS)
    allowed = a.dur >= 0
    wbar = np.where(allowed, a.dur, 0).sum(axis=1) / np.maximum(allowed.sum(axis=1), 1)
    m = a.dur.shape[1]
    lag = a.lags.astype(float)
    if m < 2:
        return wbar, lag
    if a.extra.shape[1] == 1 and a.extra.shape[2] == 1:
        cbar = a.comm + a.extra[:, 0, 0].astype(float)
    else:
        # mean over distinct machine pairs, through the node pairs (counts of machines per node)
        n_nodes = a.extra.shape[1]
        per_node = np.bincount(a.node, minlength=n_nodes).astype(float)
        weight = np.outer(per_node, per_node) - np.diag(per_node)  # ordered distinct machine pairs
        cbar = a.comm + (a.extra * weight[None]).sum(axis=(1, 2)) / (m * (m - 1))
    if averaging == "saga":
        cbar = cbar * (m - 1) / (m + 1)
    return wbar, lag + cbar


def heft_ranks(problem: Problem, averaging: str = "pairs") -> np.ndarray:
    """HEFT's upward ranks ``rank_u`` of every task (floats, in the problem's task order)."""
    a = prepare(problem)
    wbar, cbar = mean_costs(a, averaging)
    return K.upward_ranks(a.topo, a.succ_ptr, a.succ_idx, a.succ_edge, wbar, cbar)


def queue_keys(
    a: DagArrays, priority: np.ndarray, tie: np.ndarray | None = None, *, exact: bool = False
) -> np.ndarray:
    """Keys of the ready queue (a permutation, smallest first): decreasing priority, ties by ``tie``.

    ``tie`` defaults to the position in ``a.topo``. For HEFT, ``np.argsort(queue_keys(a, rank_u))``
    is the static task list the ready queue follows.

    Priorities are compared after rounding to 9 decimals, so sums taken in different orders tie;
    ``exact=True`` compares the raw floats instead, as saga does (``averaging="saga"``), so that
    near-ties one float step apart are ordered the way saga orders them.
    """
    if tie is None:
        tie = np.empty(len(priority), np.int64)
        tie[a.topo] = np.arange(len(priority))
    order = np.lexsort((tie, -(priority if exact else np.round(priority, 9))))
    key = np.empty(len(priority), np.int64)
    key[order] = np.arange(len(priority))
    return key


def _run(
    a: DagArrays, key: np.ndarray, fixed: np.ndarray | None = None, look: np.ndarray | None = None
) -> Schedule:
    n = len(key)
    fixed = np.full(n, -1, np.int64) if fixed is None else fixed.astype(np.int64)
    look = np.zeros((0, 0)) if look is None else np.ascontiguousarray(look, float)
    start, end, machine = K.list_schedule(a.graph, a.costs, key.astype(np.int64), fixed, look)
    return Schedule(start, end, machine)


def solve_heft(
    problem: Problem, *, time_limit: float | None = None, seed: int = 0, averaging: str = "pairs"
) -> MethodOutput:
    """HEFT: upward ranks and insertion-based EFT (module docstring). Deterministic; one pass.

    Parameters
    ----------
    averaging
        ``"pairs"`` (Topcuoglu et al. 2002: mean communication over distinct machine pairs) or
        ``"saga"`` (anrg-saga's: over all links with self-loops, ``(m - 1) / (m + 1)`` of it).
        Ties: equal ranks go to the earlier task of a topological order, equal EFTs to the lower
        machine index.
    """
    _check_option("heft", "averaging", averaging, AVERAGINGS)
    a = prepare(problem)
    wbar, cbar = mean_costs(a, averaging)
    rank = K.upward_ranks(a.topo, a.succ_ptr, a.succ_idx, a.succ_edge, wbar, cbar)
    schedule = _run(a, queue_keys(a, rank, exact=averaging == "saga"))
    return MethodOutput("feasible", schedule, None, {"rule": "heft", "averaging": averaging})


def _harmonic_mean_durations(dur: np.ndarray) -> np.ndarray:
    """``cost_i / mean speed`` of saga for related machines: the harmonic mean of the allowed durations."""
    allowed = dur >= 0
    zero = (allowed & (dur == 0)).any(axis=1)
    inv = np.where(allowed & (dur > 0), 1.0 / np.maximum(dur, 1), 0.0).sum(axis=1)
    count = allowed.sum(axis=1)
    return np.where(zero | (inv == 0), 0.0, count / np.where(inv == 0, 1.0, inv))


def cpop_priorities(problem: Problem, averaging: str = "pairs") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CPOP's ``(rank_u, rank_d, priority)`` of every task (module docstring)."""
    _check_option("cpop", "averaging", averaging, AVERAGINGS)
    return _cpop_priorities(prepare(problem), averaging)


def _cpop_priorities(a: DagArrays, averaging: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    wbar, cbar = mean_costs(a, averaging)
    ru = K.upward_ranks(a.topo, a.succ_ptr, a.succ_idx, a.succ_edge, wbar, cbar)
    if averaging == "saga":
        wpred, wself = np.zeros(len(wbar)), _harmonic_mean_durations(a.dur)
    else:
        wpred, wself = wbar, np.zeros(len(wbar))
    rd = K.downward_ranks(a.topo, a.pred_ptr, a.pred_idx, a.pred_edge, wpred, cbar, wself)
    return ru, rd, ru + rd


def _critical_path(a: DagArrays, priority: np.ndarray, averaging: str) -> np.ndarray:
    """The CP tasks (bool mask), by the paper's walk or saga's ``isclose`` rule."""
    n = len(priority)
    entries = np.flatnonzero(a.pred_ptr[1:] == a.pred_ptr[:-1])
    rounded = np.round(priority[entries], 9)
    entry = int(entries[np.flatnonzero(rounded == rounded.max())[0]])
    if averaging == "saga":
        return np.isclose(priority, priority[entry])
    on_cp = np.zeros(n, bool)
    k = entry
    while True:
        on_cp[k] = True
        succ = a.succ_idx[a.succ_ptr[k] : a.succ_ptr[k + 1]]
        if not len(succ):
            return on_cp
        best = np.round(priority[succ], 9)
        k = int(np.min(succ[best == best.max()]))


def _cp_machine(dur: np.ndarray, on_cp: np.ndarray) -> int:
    """The CP processor: fewest CP tasks not allowed, then the smallest sum of CP costs, then the index."""
    d = dur[on_cp]
    bad = (d < 0).sum(axis=0)
    total = np.where(d >= 0, d, 0).sum(axis=0)
    return int(np.lexsort((np.arange(dur.shape[1]), total, bad))[0])


def solve_cpop(
    problem: Problem, *, time_limit: float | None = None, seed: int = 0, averaging: str = "pairs"
) -> MethodOutput:
    """CPOP: critical path on one processor, the other tasks by insertion-based EFT (module docstring).

    Parameters
    ----------
    averaging
        ``"pairs"`` (Topcuoglu et al. 2002) or ``"saga"`` (anrg-saga's CPoP conventions, see the
        module docstring). Deterministic; one pass.
    """
    _check_option("cpop", "averaging", averaging, AVERAGINGS)
    a = prepare(problem)
    _, _, priority = _cpop_priorities(a, averaging)
    on_cp = _critical_path(a, priority, averaging)
    cp_machine = _cp_machine(a.dur, on_cp)
    tie = None
    if averaging == "saga":
        names = [str(x) for x in problem.names]
        tie = np.empty(len(names), np.int64)
        tie[sorted(range(len(names)), key=names.__getitem__)] = np.arange(len(names))
    fixed = np.where(on_cp, cp_machine, -1)
    schedule = _run(a, queue_keys(a, priority, tie, exact=averaging == "saga"), fixed)
    info = {
        "rule": "cpop",
        "averaging": averaging,
        "cp_length": float(priority[on_cp].max()),
        "cp_machine": cp_machine,
        "cp_tasks": int(on_cp.sum()),
    }
    return MethodOutput("feasible", schedule, None, info)


def optimistic_cost_table(problem: Problem, oct_comm: str = "pairs") -> np.ndarray:
    """PEFT's ``(n, M)`` optimistic cost table ``OCT`` (module docstring)."""
    _check_option("peft", "oct_comm", oct_comm, OCT_COMMS)
    return _oct(prepare(problem), oct_comm)


def _oct(a: DagArrays, oct_comm: str) -> np.ndarray:
    _, cbar = mean_costs(a)
    comm_only = cbar - a.lags  # the kernel adds the lag itself
    return K.optimistic_cost_table(a.topo, a.graph, a.costs, comm_only, oct_comm == "pairs")


def peft_ranks(problem: Problem, oct_comm: str = "pairs") -> np.ndarray:
    """PEFT's ``rank_oct``: the mean of ``OCT(i, .)`` over the machines task ``i`` may use."""
    a = prepare(problem)
    return _rank_oct(a, optimistic_cost_table(problem, oct_comm))


def _rank_oct(a: DagArrays, table: np.ndarray) -> np.ndarray:
    allowed = a.dur >= 0
    return np.where(allowed, table, 0).sum(axis=1) / np.maximum(allowed.sum(axis=1), 1)


def solve_peft(
    problem: Problem, *, time_limit: float | None = None, seed: int = 0, oct_comm: str = "pairs"
) -> MethodOutput:
    """PEFT: optimistic cost table, ``rank_oct`` order, minimum ``EFT + OCT`` (module docstring).

    Parameters
    ----------
    oct_comm
        Communication term of the OCT between distinct machines: ``"pairs"`` the edge's actual
        delay between the two machines (default), ``"mean"`` the paper's average ``cbar`` over
        distinct pairs (the same when each edge has one constant delay). Deterministic; one pass.
    """
    _check_option("peft", "oct_comm", oct_comm, OCT_COMMS)
    a = prepare(problem)
    table = _oct(a, oct_comm)
    schedule = _run(a, queue_keys(a, _rank_oct(a, table)), look=table)
    return MethodOutput("feasible", schedule, None, {"rule": "peft", "oct_comm": oct_comm})
