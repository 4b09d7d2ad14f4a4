"""Typed bundles that the RCPSP kernels of :mod:`._kernels` take instead of long argument lists.

Three bundles, built once per problem or per search and passed as a whole:

* :class:`Project` -- the problem: durations, predecessor and successor lists
  (CSR ``ptr``/``idx``/``lag``), release dates, deadlines, disjunctive
  partners (CSR), a topological rank, the dense precedence matrix, demands,
  the time-indexed capacity profile and its change points;
* :class:`GaParams` -- the scalar parameters of the two genetic algorithms;
* :class:`Progress` -- the arrays a GA carries between kernel calls (state
  counters and the best schedule).

:class:`Project` is a numba structref: it is passed from Python on every
single SGS pass (:class:`.heuristics.Decoder`), and numba unboxes a structref
as one pointer (about 0.7 microseconds a call, measured, against about 0.1
per separate array argument), whereas it types a ``NamedTuple`` of arrays
field by field in Python on every call (about 0.3 microseconds per array).
One structref for all sixteen arrays rather than a network and a resource
bundle keeps the cost of a call from Python where it was with separate
arguments (``benchmarks/rcpsp/RESULTS.md``, "Kernel bundles"). Its fields
are set once by the constructor and read in numba code; Python code reads
the same arrays from :class:`.heuristics.Arrays`, which builds the bundle.
:class:`GaParams` and :class:`Progress` are plain ``NamedTuple`` classes
(numba types them as heterogeneous tuples); they are passed once per GA
generation.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit, types
from numba.experimental import structref

#: Fields of :class:`Project`, in constructor order.
PROJECT_FIELDS = (
    "dur",
    "pred_ptr",
    "pred_idx",
    "pred_lag",
    "succ_ptr",
    "succ_idx",
    "succ_lag",
    "release",
    "deadline",
    "dis_ptr",
    "dis_idx",
    "topo_rank",
    "is_pred",
    "demand",
    "profile",
    "change_pts",
)


@structref.register
class ProjectType(types.StructRef):
    """numba type of :class:`Project`: its fields typed as the arrays given to the constructor."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


class Project(structref.StructRefProxy):
    """The problem as the kernels read it (numba structref; fields :data:`PROJECT_FIELDS`).

    ``dur[j]`` duration; ``pred_ptr``/``pred_idx``/``pred_lag`` and
    ``succ_ptr``/``succ_idx``/``succ_lag`` the predecessor and successor
    lists with their lags (CSR: the arcs of ``j`` are ``ptr[j]:ptr[j + 1]``);
    ``release``/``deadline`` time windows; ``dis_ptr``/``dis_idx`` the
    disjunctive partners (CSR); ``topo_rank[j]`` position of ``j`` in a
    topological order; ``is_pred[i, j]`` true for every arc ``i -> j``;
    ``demand[j, k]``; ``profile[t, k]`` capacity of resource ``k`` in
    ``[t, t + 1)`` with downtime applied (its length bounds every SGS
    makespan); ``change_pts`` sorted times at which some capacity changes.
    """

    def __new__(cls, *fields: np.ndarray) -> Project:
        return _new_project(fields)


structref.define_proxy(Project, ProjectType, list(PROJECT_FIELDS))


@njit(cache=True)
def _new_project(fields):  # pragma: no cover - numba
    return Project(*fields)


class GaParams(NamedTuple):
    """Scalar parameters of the GA kernels (:func:`._kernels.ga_evolve`, :func:`._kernels.bpga_evolve`).

    Both GAs read the first seven fields; ``rounds`` to ``penalty`` are read
    by the ``fbi`` GA only, ``tsize`` to ``nondelay`` by the bi-population GA
    only. Give floats as ``float`` and integers as ``int`` (other types
    compile another specialisation).
    """

    pmut: float
    """Neighbour-swap mutation probability per list position."""
    peak_prob: float
    """Probability of the peak crossover (else two-point)."""
    wlo: float
    """Smallest peak window, as a fraction of the father's makespan."""
    whi: float
    """Largest peak window, as a fraction of the father's makespan."""
    same_cap: int
    """Individuals kept per fitness value before refilling (survival)."""
    stall_limit: int
    """Generations without a new best before a restart (0 = never)."""
    restart_moves: int
    """Random shift moves per restarted individual."""
    rounds: int = 1
    """``fbi``: forward-backward improvement rounds per child."""
    pairs: int = 0
    """``fbi``: parent pairs per generation (0: half the population)."""
    jslack: float = -1.0
    """``fbi``: improve only children within ``(1 + jslack)`` of the worst (negative: all)."""
    gene_flip: float = 0.0
    """``fbi``: probability that a child flips its parent's SGS gene."""
    penalty: int = 0
    """``fbi``: fitness = makespan + ``penalty`` * deadline excess."""
    tsize: int = 2
    """Bi-population GA: tournament size."""
    offspring: int = 0
    """Bi-population GA: children per population and generation (0: the population size)."""
    nondelay: float = 0.0
    """Bi-population GA: probability of decoding a child with the parallel SGS."""


class Progress(NamedTuple):
    """What a GA carries over between kernel calls (arrays updated in place)."""

    state: np.ndarray
    """``[generations, generations without a new best, restarts]`` (int64)."""
    best_start: np.ndarray
    """Start times of the best schedule seen (int64, one per job)."""
    best_fit: np.ndarray
    """``best_fit[0]``: its fitness (int64, one element)."""

    @classmethod
    def empty(cls, n: int) -> Progress:
        """Fresh progress for ``n`` jobs: zero counters, no best schedule yet."""
        return cls(np.zeros(3, np.int64), np.zeros(n, np.int64), np.array([np.iinfo(np.int64).max], np.int64))
