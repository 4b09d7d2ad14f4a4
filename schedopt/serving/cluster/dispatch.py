"""Global dispatchers: which serving instance gets each LLM call.

A dispatcher sees the call (a :class:`~schedopt.serving.request.Request` whose ``tag`` is its
stage) and the :class:`InstanceState` of every instance, and returns an instance index
(:meth:`Dispatcher.choose`, which commits the choice: the dispatcher updates its own bookkeeping);
the cluster simulator calls :meth:`Dispatcher.on_complete` when the call finishes.
``t(e, s)`` is the table latency of stage ``s`` on instance ``e``'s GPU
(:func:`schedopt.serving.cluster.costtable.stage_latency`, or any ``latency(gpu, stage)``).

* :class:`RoundRobin`: instances in turn (the vLLM-like baseline of Hexgen-Flow ``global_engine.py``).
* :class:`LeastLoaded`: the least outstanding table work ``InstanceState.outstanding``; ties by the
  smaller ``t(e, s)``, then the lower index.
* :class:`WorkloadBalanced`: HEXGEN-TEXT2SQL's score (``shared/docs/llm_serving.md`` §2.3;
  Hexgen-Flow ``policies/routing/workload_balance.py``)
  ``argmax_e alpha t(b, s)/t(e, s) - (1 - alpha) lambda_e W_e / W_b`` with baseline ``b = 0``
  and ``W_e`` the table work assigned to ``e``; then ``W_e += t(e, s)``.

Deviations from Hexgen-Flow (stated): by default ``W_e`` is **released** on completion
(``W_e -= t(e, s)``; ``release_on_completion=False`` is HexGen's never-released cumulative load).
While ``W_b = 0`` HexGen sends everything to ``b``; with released load ``W_b`` returns to 0 whenever
``b`` drains, so that rule would pile work on ``b``. Our default ``zero_baseline="limit"`` takes the
formula's limit instead: ``W_e / W_b`` is ``+inf`` for ``W_e > 0`` and 0 for ``W_e = 0``, so the
call goes to the idle instance (``W_e = 0``) of the best speed term, ties to the lower index
(``b`` itself when ``alpha = 0``); ``zero_baseline="baseline"`` is HexGen's rule. ``lambda_e``
defaults to 1 for every GPU; ``discount="hexgen"`` applies HexGen's hard-coded 0.5 to A6000 and
L40(S) instances, or pass a ``{gpu: lambda}`` mapping. Ties of the score go to the lower index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from ...errors import OptionError
from ..request import Request
from .costtable import HEXGEN_DISCOUNT, column, stage_latency

LatencyFn = Callable[[str, str], float]


@dataclass(slots=True)
class InstanceState:
    """What a dispatcher knows about one serving instance (the simulator keeps it current).

    Attributes
    ----------
    gpu
        The instance's GPU name (a cost-table column or alias).
    outstanding
        Table work (seconds) of the calls assigned to it and not finished yet:
        ``+= t(e, s)`` at dispatch, ``-= t(e, s)`` at completion.
    queue_length
        Calls assigned to it and not finished yet (waiting or running).
    """

    gpu: str
    outstanding: float = 0.0
    queue_length: int = 0


@runtime_checkable
class Dispatcher(Protocol):
    """Chooses an instance for each call."""

    name: str

    def reset(self, n_instances: int) -> None:
        """Start a new simulation with ``n_instances`` instances."""

    def choose(self, call: Request, instances: Sequence[InstanceState], now: float) -> int:
        """The instance index for ``call`` (the choice is committed)."""

    def on_complete(
        self, call: Request, instance: int, instances: Sequence[InstanceState] | None = None
    ) -> None:
        """``call`` finished on ``instance`` (``instances``: optional, unused by these dispatchers)."""


def _check_instances(instances: Sequence[InstanceState]) -> None:
    if not len(instances):
        raise ValueError("a dispatcher needs at least one instance")


class RoundRobin:
    """Instances ``0, 1, ..., k-1, 0, ...`` in turn, whatever their GPU or load."""

    name = "round-robin"

    def __init__(self) -> None:
        self._next = 0

    def reset(self, n_instances: int) -> None:
        self._next = 0

    def choose(self, call: Request, instances: Sequence[InstanceState], now: float) -> int:
        _check_instances(instances)
        e = self._next % len(instances)
        self._next = e + 1
        return e

    def on_complete(
        self, call: Request, instance: int, instances: Sequence[InstanceState] | None = None
    ) -> None:
        return None


class LeastLoaded:
    """``argmin_e outstanding_e``; ties by ``t(e, s)``, then the lower index.

    Parameters
    ----------
    latency
        ``latency(gpu, stage)`` in seconds (default the HexGen table).
    """

    name = "least-loaded"

    def __init__(self, latency: LatencyFn = stage_latency) -> None:
        self.latency = latency

    def reset(self, n_instances: int) -> None:
        return None

    def choose(self, call: Request, instances: Sequence[InstanceState], now: float) -> int:
        _check_instances(instances)
        keys = [(st.outstanding, self.latency(st.gpu, call.tag), e) for e, st in enumerate(instances)]
        return min(keys)[2]

    def on_complete(
        self, call: Request, instance: int, instances: Sequence[InstanceState] | None = None
    ) -> None:
        return None


class WorkloadBalanced:
    """HEXGEN-TEXT2SQL's workload-balanced dispatcher (see the module docstring).

    Parameters
    ----------
    alpha
        Weight of the speed term, in ``[0, 1]`` (0: pure load balance).
    release_on_completion
        Decrement ``W_e`` when a call finishes (default) or never (HexGen).
    discount
        ``None`` (every ``lambda_e = 1``), ``"hexgen"`` (0.5 for A6000 and L40/L40S) or a
        ``{gpu: lambda}`` mapping (missing GPUs: 1).
    zero_baseline
        ``"limit"`` (default) or ``"baseline"`` (HexGen: everything to ``b`` while ``W_b = 0``).
    latency
        ``latency(gpu, stage)`` in seconds (default the HexGen table).
    """

    name = "workload-balanced"

    def __init__(
        self,
        alpha: float = 0.2,
        release_on_completion: bool = True,
        discount: str | Mapping[str, float] | None = None,
        zero_baseline: str = "limit",
        latency: LatencyFn = stage_latency,
    ) -> None:
        if not 0.0 <= float(alpha) <= 1.0:
            raise OptionError(self.name, "alpha", message=f"alpha must lie in [0, 1], got {alpha!r}")
        if zero_baseline not in ("limit", "baseline"):
            raise OptionError(
                self.name,
                "zero_baseline",
                message=f"zero_baseline must be 'limit' or 'baseline', got {zero_baseline!r}",
            )
        if discount is None:
            table: dict[str, float] = {}
        elif discount == "hexgen":
            table = dict(HEXGEN_DISCOUNT)
        elif isinstance(discount, Mapping):
            table = {column(g): float(v) for g, v in discount.items()}
            if any(not v >= 0 for v in table.values()):
                raise OptionError(self.name, "discount", message=f"discounts must be >= 0, got {discount!r}")
        else:
            raise OptionError(
                self.name,
                "discount",
                message=f"discount must be None, 'hexgen' or a mapping, got {discount!r}",
            )
        self.alpha = float(alpha)
        self.release_on_completion = bool(release_on_completion)
        self.discount = table
        self.zero_baseline = zero_baseline
        self.latency = latency
        self.load: list[float] = []
        self._assigned: dict[int, tuple[int, float]] = {}

    def reset(self, n_instances: int) -> None:
        self.load = [0.0] * n_instances
        self._assigned = {}

    def lam(self, gpu: str) -> float:
        """``lambda_e`` of an instance with this GPU."""
        if not self.discount:
            return 1.0
        col = column(gpu)
        if gpu in self.discount:
            return self.discount[gpu]
        return self.discount.get(col, 1.0)

    def scores(self, call: Request, instances: Sequence[InstanceState]) -> list[float]:
        """The score of each instance (``-inf``: excluded by the ``W_b = 0`` rule)."""
        _check_instances(instances)
        if len(self.load) != len(instances):
            self.reset(len(instances))
        t = [self.latency(st.gpu, call.tag) for st in instances]
        a, wb = self.alpha, self.load[0]
        if wb > 0:
            return [
                a * t[0] / t[e] - (1 - a) * self.lam(st.gpu) * self.load[e] / wb
                for e, st in enumerate(instances)
            ]
        if self.zero_baseline == "baseline":
            return [0.0] + [float("-inf")] * (len(instances) - 1)
        # The limit of the load term as W_b -> 0: -inf for a loaded instance, unless its weight
        # (1 - alpha) lambda_e is 0 (then only the speed term counts: 0 * inf is not inf).
        return [
            a * t[0] / t[e] if self.load[e] <= 0 or (1 - a) * self.lam(st.gpu) == 0 else float("-inf")
            for e, st in enumerate(instances)
        ]

    def choose(self, call: Request, instances: Sequence[InstanceState], now: float) -> int:
        sc = self.scores(call, instances)
        best = max(range(len(sc)), key=lambda e: (sc[e], -e))
        work = self.latency(instances[best].gpu, call.tag)
        self.load[best] += work
        self._assigned[call.id] = (best, work)
        return best

    def on_complete(
        self, call: Request, instance: int, instances: Sequence[InstanceState] | None = None
    ) -> None:
        """Release the call's ``t(e, s)`` (when ``release_on_completion``)."""
        e, work = self._assigned.pop(call.id, (instance, 0.0))
        if e != instance:
            raise ValueError(f"call {call.id} was dispatched to instance {e}, not {instance}")
        if self.release_on_completion and work:
            w = self.load[e] - work
            self.load[e] = w if w > 1e-9 else 0.0


DISPATCHERS: dict[str, type] = {
    "round-robin": RoundRobin,
    "least-loaded": LeastLoaded,
    "workload-balanced": WorkloadBalanced,
}


def dispatcher(name: str, **options: Any) -> Any:
    """A dispatcher by name with keyword options.

    Raises
    ------
    ValueError
        For an unknown name (the known ones are listed).
    OptionError
        For an option the dispatcher does not take (the valid ones are listed with defaults).
    """
    import inspect

    try:
        cls = DISPATCHERS[name]
    except KeyError:
        raise ValueError(f"unknown dispatcher {name!r}; known: {', '.join(DISPATCHERS)}") from None
    params = {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items() if k != "self"}
    for key in options:
        if key not in params:
            raise OptionError(name, key, params)
    return cls(**options)
