"""Quantum-network periodic scheduling suites for ``schedopt bench``.

Each instance is the block-view periodic problem (:func:`.periodic.periodic_problem`) of a seeded
random demand set, as in the experiments of Skrzypczyk & Wehner (arXiv 2111.13124) run by
``mdskrzypczyk/LinkScheduling``:

* a demand joins two distinct end nodes drawn uniformly, with rate ``1 / (slot * 2**i)`` pairs/s,
  ``i`` uniform in ``0..9`` (periods of 1 to 512 slots of 10 ms, so hyperperiods stay <= 512
  slots), and the instance's fidelity floor;
* each demand is turned into a protocol by :func:`.protocol.synthesize`; demands with no protocol
  (reason ``fidelity``, ``rate`` or ``qubits``) are skipped and drawing goes on until ``load``
  demands have one (at most :data:`MAX_DRAWS_PER_DEMAND` draws per demand wanted). So ``load`` is
  the number of periodic tasks, all mandatory in the problem (objective ``"feasibility"``); the
  draws made and the skipped demands' reasons are in ``meta["offered"]`` and
  ``meta["skipped_reasons"]``. Deviation: LinkScheduling's load is an offered rate in ebit/s; here
  it is a number of demands.

Suites:

* ``quantum-small``: the small topologies line-6, star-4, H-6, symmetric-8 (``topology=all``
  cycles through them; or one name), NV 5 km links. Parameters ``topology``, ``load``, ``floor``,
  ``count``, ``seed``, ``coherence`` (``"none"``, the default: nominal fidelity judged, as
  LinkScheduling admits; ``"nv"``: decoherence while links wait, NV times 1.46 s / 1 s, under which
  floors above about 0.6 admit few demands on the star, H and symmetric networks).
* ``quantum-surfnet``: the 108-node SURFnet topology with the single (0.999, 1400/s) link point,
  read from ``gml=PATH`` when given, else the **generated stand-in** of
  :func:`.network.surfnet` (same counts, not the real graph; ``meta["stand_in"]`` says which).

No reference values exist for these sets. This module is imported lazily by
:mod:`schedopt.bench.suites`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ...bench.suites import InstanceRef, suite_spec
from ...errors import ProblemError
from ...model import Problem
from .actions import SLOT
from .network import Network, topology
from .werner import NV_COHERENCE

#: The small topologies of LinkScheduling's experiments, in the order ``topology=all`` cycles.
SMALL_TOPOLOGIES: tuple[str, ...] = ("line-6", "star-4", "H-6", "symmetric-8")
#: Rate exponents ``i`` of the demand rates ``1 / (slot * 2**i)`` (LinkScheduling: ``i = 0..9``).
RATE_EXPONENTS: tuple[int, ...] = tuple(range(10))
#: Draws allowed per wanted demand before an instance gives up (then it keeps what it found).
MAX_DRAWS_PER_DEMAND: int = 50
#: Coherence settings by name: ``"none"`` (nominal fidelity, LinkScheduling) or ``"nv"``.
COHERENCE: dict[str, tuple[float, float] | None] = {"none": None, "nv": NV_COHERENCE}


def coherence_of(name: str) -> tuple[float, float] | None:
    """The coherence times for ``"none"`` or ``"nv"`` (``ProblemError`` otherwise)."""
    try:
        return COHERENCE[str(name)]
    except KeyError:
        raise ProblemError(f"coherence must be one of {', '.join(COHERENCE)}, got {name!r}") from None


def random_demand(network: Network, floor: float, rng: random.Random, *, slot: float = SLOT) -> Any:
    """One demand: two distinct end nodes (uniform), rate ``1 / (slot * 2**i)`` with ``i`` uniform
    in :data:`RATE_EXPONENTS`, fidelity floor ``floor``."""
    from .protocol import Demand

    ends = network.end_nodes
    if len(ends) < 2:
        raise ProblemError(f"network {network.name!r} has fewer than two end nodes")
    s, d = rng.sample(ends, 2)
    i = rng.choice(RATE_EXPONENTS)
    return Demand(s, d, floor, 1.0 / (slot * 2**i))


def offered_demands(network: Network, load: int, floor: float, seed: int, *, slot: float = SLOT) -> list[Any]:
    """``load`` random demands (:func:`random_demand`) from ``random.Random(seed)``."""
    rng = random.Random(seed)
    return [random_demand(network, floor, rng, slot=slot) for _ in range(int(load))]


@dataclass
class DemandDraw:
    """Outcome of :func:`draw_tasks`: the demands with a protocol as periodic tasks, and the rest.

    Attributes
    ----------
    tasks
        :class:`~.periodic.PeriodicTask` per demand with a protocol, named ``D<j>: <demand>``
        (``j`` = draw number).
    demands
        Every demand drawn, in order.
    skipped
        ``(draw number, reason)`` of the demands with no protocol.
    """

    tasks: list[Any]
    demands: list[Any]
    skipped: list[tuple[int, str]]


def draw_tasks(
    network: Network,
    load: int,
    floor: float,
    seed: int,
    *,
    coherence: tuple[float, float] | None = None,
    slot: float = SLOT,
    max_draws: int | None = None,
) -> DemandDraw:
    """Draw demands (seeded) until ``load`` have a protocol (:func:`.protocol.admit`) or
    ``max_draws`` (default ``MAX_DRAWS_PER_DEMAND * load``) demands were drawn."""
    from .periodic import PeriodicTask
    from .protocol import admit

    if int(load) < 1:
        raise ProblemError(f"load must be a number of demands >= 1, got {load!r}")
    limit = MAX_DRAWS_PER_DEMAND * int(load) if max_draws is None else int(max_draws)
    rng = random.Random(seed)
    out = DemandDraw([], [], [])
    while len(out.tasks) < int(load) and len(out.demands) < limit:
        j = len(out.demands)
        d = random_demand(network, floor, rng, slot=slot)
        out.demands.append(d)
        a = admit(network, d, slot=slot, coherence=coherence)
        if a.admitted:
            out.tasks.append(PeriodicTask.from_shape(a.shape, name=f"D{j}: {d}", slot=slot))
        else:
            out.skipped.append((j, a.reason))
    return out


def demand_problem(
    network: Network,
    load: int,
    floor: float,
    seed: int,
    *,
    coherence: str = "none",
    name: str = "",
    slot: float = SLOT,
) -> Problem:
    """The periodic problem of :func:`draw_tasks` (see the module docstring).

    Raises
    ------
    ProblemError
        When no drawn demand has a protocol (naming the network, floor and coherence setting).
    """
    from .periodic import periodic_problem

    draw = draw_tasks(network, load, floor, seed, coherence=coherence_of(coherence), slot=slot)
    if not draw.tasks:
        why = sorted({r for _, r in draw.skipped})
        raise ProblemError(
            f"network {network.name!r}: none of {len(draw.demands)} random demands at fidelity floor "
            f"{floor} (coherence {coherence!r}) has a protocol (reasons: {', '.join(why)}); "
            "lower the floor or use coherence='none'"
        )
    prob = periodic_problem(draw.tasks, name=name or f"{network.name}-L{load}-F{floor}-s{seed}")
    reasons: dict[str, int] = {}
    for _, r in draw.skipped:
        reasons[r] = reasons.get(r, 0) + 1
    prob.meta.update(
        topology=network.name,
        stand_in=bool(network.meta.get("stand_in", False)),
        load=int(load),
        floor=float(floor),
        seed=int(seed),
        coherence=str(coherence),
        offered=len(draw.demands),
        skipped_reasons=reasons,
    )
    return prob


@dataclass(frozen=True)
class _Small:
    topology: str
    load: int
    floor: float
    seed: int
    coherence: str
    name: str

    def __call__(self) -> Problem:
        return demand_problem(
            topology(self.topology),
            self.load,
            self.floor,
            self.seed,
            coherence=self.coherence,
            name=self.name,
        )


def _seed(seed: int, k: int) -> int:
    return int(seed) * 100003 + k


def _small(
    topology: str = "all",
    load: int = 4,
    floor: float = 0.7,
    count: int = 8,
    seed: int = 0,
    coherence: str = "none",
) -> Iterator[InstanceRef]:
    """``count`` instances; ``topology="all"`` cycles through :data:`SMALL_TOPOLOGIES`."""
    topos = SMALL_TOPOLOGIES if topology == "all" else (str(topology),)
    for t in topos:
        if t not in SMALL_TOPOLOGIES:
            raise ValueError(f"quantum-small: topology must be 'all' or one of {', '.join(SMALL_TOPOLOGIES)}")
    coherence_of(coherence)
    for k in range(int(count)):
        topo = topos[k % len(topos)]
        name = f"{topo}-L{load}-F{floor:g}-{coherence}-{k + 1}"
        yield InstanceRef(name, _Small(topo, int(load), float(floor), _seed(seed, k), str(coherence), name))


@dataclass(frozen=True)
class _Surfnet:
    gml: str | None
    load: int
    floor: float
    seed: int
    coherence: str
    name: str

    def __call__(self) -> Problem:
        net = topology("surfnet", path=self.gml)
        return demand_problem(net, self.load, self.floor, self.seed, coherence=self.coherence, name=self.name)


def _surfnet(
    load: int = 20,
    floor: float = 0.98,
    count: int = 2,
    seed: int = 0,
    coherence: str = "none",
    gml: str | None = None,
) -> Iterator[InstanceRef]:
    coherence_of(coherence)
    tag = "gml" if gml else "standin"
    for k in range(int(count)):
        name = f"surfnet-{tag}-L{load}-F{floor:g}-{coherence}-{k + 1}"
        yield InstanceRef(name, _Surfnet(gml, int(load), float(floor), _seed(seed, k), str(coherence), name))


SUITES = [
    suite_spec(
        "quantum-small",
        _small,
        description="periodic quantum-network schedules on line-6/star-4/H-6/symmetric-8 (LinkScheduling); "
        "params topology, load (demands with a protocol), floor, count, seed, coherence (none|nv)",
        family="quantum",
    ),
    suite_spec(
        "quantum-surfnet",
        _surfnet,
        description="periodic schedules on SURFnet, 108 nodes (gml=PATH, else a generated stand-in); "
        "params load, floor, count, seed, coherence, gml",
        family="quantum",
    ),
]
"""The family's bench suites (declared in :data:`schedopt.families.quantum.FAMILY`)."""
