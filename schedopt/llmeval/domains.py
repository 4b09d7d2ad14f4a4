"""Renderings of generated instances: names and wording per domain.

Two domains, following R-ConstraintBench (Jain & Wetter, arXiv 2508.15204):

* ``synthetic``: tasks ``T1 .. Tn``, resources ``R1 .. Rr``, plain wording;
* ``datacenter``: a data-centre migration (tasks such as "decommission rack A3",
  resources such as IT teams and forklifts, maintenance windows as downtime,
  shared equipment as disjunctive pairs).

The vocabulary below is ours; the paper's exact wording is not public.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DOMAINS: tuple[str, ...] = ("synthetic", "datacenter")

_VERBS = (
    "decommission",
    "migrate",
    "back up",
    "power down",
    "re-cable",
    "image",
    "install",
    "configure",
    "validate",
    "relocate",
    "patch",
    "label",
)
_ASSETS = (
    ("rack", "ABCDEFGH"),
    ("storage array", "STUV"),
    ("core switch", "CDE"),
    ("database cluster", "DB"),
    ("hypervisor host", "HK"),
    ("firewall", "FW"),
    ("PDU", "PQ"),
    ("backup appliance", "BN"),
    ("web tier", "W"),
)
_RESOURCES = (
    ("network team", "engineers"),
    ("forklift pool", "forklifts"),
    ("server team", "technicians"),
    ("storage team", "engineers"),
    ("electrical crew", "electricians"),
    ("pallet-jack pool", "pallet jacks"),
)
_EQUIPMENT = (
    "the crash cart",
    "the fibre splicer",
    "the serial console",
    "the cable tester",
    "the loading dock",
    "the label printer",
    "the thermal camera",
    "the spare-parts cage key",
)


@dataclass(frozen=True)
class Rendering:
    """Names and wording of one instance.

    Attributes
    ----------
    domain
        ``"synthetic"`` or ``"datacenter"``.
    task_names, resource_names
        Display names (unique), used as the problem's ``names`` and ``resource_names``.
    resource_units
        Plural unit of each resource ("forklifts", "units").
    equipment
        One shared-equipment phrase per disjunctive pair (datacenter) or ``""``.
    time_unit
        "time units" or "hours".
    """

    domain: str
    task_names: tuple[str, ...]
    resource_names: tuple[str, ...]
    resource_units: tuple[str, ...]
    equipment: tuple[str, ...]
    time_unit: str


def render(domain: str, n_tasks: int, n_resources: int, n_pairs: int, rng: np.random.Generator) -> Rendering:
    """Draw the names of an instance with ``n_tasks`` tasks in ``domain``."""
    if domain == "synthetic":
        return Rendering(
            domain,
            tuple(f"T{j + 1}" for j in range(n_tasks)),
            tuple(f"R{k + 1}" for k in range(n_resources)),
            ("units",) * n_resources,
            ("",) * n_pairs,
            "time units",
        )
    if domain != "datacenter":
        raise ValueError(f"unknown domain {domain!r}; choose one of {', '.join(DOMAINS)}")
    if n_resources > len(_RESOURCES):
        raise ValueError(f"the datacenter domain has names for at most {len(_RESOURCES)} resources")
    assets = [
        f"{kind} {letter}{num}" for kind, letters in _ASSETS for letter in letters for num in range(1, 10)
    ]
    order = rng.permutation(len(assets))
    names: list[str] = []
    for idx in order[:n_tasks]:
        verb = _VERBS[int(rng.integers(len(_VERBS)))]
        names.append(f"{verb} {assets[int(idx)]}")
    if len(names) < n_tasks:
        raise ValueError(f"the datacenter domain has names for at most {len(assets)} tasks")
    res = [_RESOURCES[int(i)] for i in rng.permutation(len(_RESOURCES))[:n_resources]]
    equipment = tuple(_EQUIPMENT[int(rng.integers(len(_EQUIPMENT)))] for _ in range(n_pairs))
    return Rendering(
        domain,
        tuple(names),
        tuple(r[0] for r in res),
        tuple(r[1] for r in res),
        equipment,
        "hours",
    )
