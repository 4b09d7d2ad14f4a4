"""How a family strengthens the CP-SAT model of its problems (light: imports no OR-Tools).

``method="cpsat"`` compiles every problem with one compiler
(:mod:`schedopt.cpsat.compiler`). The family that owns the problem
(:attr:`schedopt.Problem.family`) may declare one :class:`Strengthening`:

* :attr:`Strengthening.strengthen` runs after the base model is built. It
  may add constraints that some optimal schedule satisfies (so bounds stay
  valid), tighten the horizon, set a hint, recommend CP-SAT parameters, keep
  part of the time limit back (``cm.search_share``) or start a companion
  search; it keeps whatever it needs later in its own object on
  ``cm.state``.
* :attr:`Strengthening.finish` runs on the search's answer and returns the
  answer to report (a better schedule, a higher valid bound, a proof).

Both receive a :class:`CpSatContext`: the call's deadline, workers, seed,
the caller's hint and log flag, and the strengthening's own options (those
it declares in :attr:`Strengthening.options`, with the caller's values).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..schedule import Schedule


@dataclass(frozen=True)
class CpSatContext:
    """What a strengthening knows about the ``cpsat`` call.

    Attributes
    ----------
    deadline
        Wall-clock deadline on the :func:`time.perf_counter` clock (``None``: no limit).
    workers
        CP-SAT ``num_workers`` of the call.
    seed
        CP-SAT ``random_seed`` of the call.
    hint
        The caller's ``hint_schedule`` (a strengthening must not replace it).
    log
        Whether the caller asked for CP-SAT's search log.
    options
        The strengthening's options: its declared defaults updated by the caller's values.
    """

    deadline: float | None = None
    workers: int = 1
    seed: int = 0
    hint: Schedule | None = None
    log: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)

    def remaining(self) -> float | None:
        """Seconds left before :attr:`deadline` (``None`` without a limit; never negative)."""
        return None if self.deadline is None else max(0.0, self.deadline - time.perf_counter())


@dataclass(frozen=True)
class Strengthening:
    """A family's additions to the CP-SAT model of its problems.

    Parameters
    ----------
    strengthen
        ``strengthen(cm, ctx) -> None``, called once the base model
        (:class:`schedopt.cpsat.compiler.CpSatModel`) is built.
    finish
        ``finish(cm, output, ctx) -> MethodOutput``, called on the search's
        answer (``None``: report the answer as it is).
    options
        The options it takes through ``solve(..., method="cpsat", **options)``,
        with their defaults; any other option is an error.
    """

    strengthen: Callable[[Any, CpSatContext], None]
    finish: Callable[[Any, Any, CpSatContext], Any] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
