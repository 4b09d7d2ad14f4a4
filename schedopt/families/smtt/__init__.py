"""Single-machine (weighted) total tardiness: 1||ΣTj and 1||ΣwjTj.

The family declaration :data:`FAMILY` names the builders (:mod:`.model`), the
OR-Library and unweighted-benchmark readers (:mod:`.orlib`,
:mod:`.unweighted_format`), the methods — constructive rules
(:mod:`.heuristics`), local search (:mod:`.local_search`), exact methods
(:mod:`.exact`, :mod:`.mip`) — the CP-SAT strengthening (:mod:`.cpsat_hook`),
the bench suites (:mod:`.suites`) and the warm-up problems (:mod:`.warmup`).
"""

from __future__ import annotations

import re
from pathlib import Path

from ...registry import Family, Method, Reader, WarmUp
from .model import generate_smtt, is_single_machine, is_smtt, is_unweighted, single_machine
from .warmup import UNWEIGHTED, WEIGHTED, tiny_unweighted, tiny_weighted

_H = "schedopt.families.smtt.heuristics"

#: (name, applies, priority, one line) of the constructive rules; their docs are in :mod:`.heuristics`.
_RULES = (
    ("edd", is_smtt, "EDD: earliest due date first"),
    ("spt", is_smtt, "SPT: shortest processing time first"),
    ("wspt", is_smtt, "WSPT (Smith's rule): p_j / w_j ascending"),
    ("mdd", is_smtt, "MDD (Baker & Bertrand 1982); weighted MDD (Kanet & Li 2004)"),
    ("psk", is_unweighted, "PSK (Panwalkar, Smith & Koulamas 1993) as MDD with SPT ties (1||ΣTj)"),
    ("eddc", is_unweighted, "EDD Challenger as the authors' code runs it (Cetinkaya et al. 2025; 1||ΣTj)"),
    ("mddc", is_unweighted, "MDD Challenger (Cetinkaya et al. 2025, Algorithm 2; 1||ΣTj)"),
    ("atc", is_smtt, "ATC (Vepsalainen & Morton 1987), best of seven look-ahead values K"),
    ("aug-mdd", is_unweighted, "augmented MDD (Bean & Hall 1985 step; 1||ΣTj)"),
    ("aug-mddc", is_unweighted, "augmented MDDC (Bean & Hall 1985 step; 1||ΣTj)"),
    ("aug-psk", is_unweighted, "augmented PSK (Bean & Hall 1985 step; 1||ΣTj)"),
)


def _applies_dp(problem) -> bool:
    from .exact import DP_MAX_JOBS

    return is_smtt(problem) and problem.n_jobs <= DP_MAX_JOBS


def _sniff_orlib(path: Path, head: str) -> bool:
    return re.fullmatch(r"wt\d+\.txt", path.name.lower()) is not None


def _sniff_unweighted(path: Path, head: str) -> bool:
    return re.fullmatch(r"tt\d+_\w+\.txt", path.name.lower()) is not None


FAMILY = Family(
    name="smtt",
    description="single-machine total (weighted) tardiness, 1||ΣTj and 1||ΣwjTj",
    builders={
        "single_machine": "schedopt.families.smtt.model:single_machine",
        "generate_smtt": "schedopt.families.smtt.model:generate_smtt",
    },
    readers=(
        Reader("orlib-wt", "schedopt.families.smtt.orlib:read_orlib_wt", _sniff_orlib),
        Reader(
            "smtt-unweighted",
            "schedopt.families.smtt.unweighted_format:read_smtt_unweighted",
            _sniff_unweighted,
        ),
    ),
    methods=(
        *(
            Method(name, f"{_H}:run_{name.replace('-', '_')}", applies=applies, description=line)
            for name, applies, line in _RULES
        ),
        Method(
            "interchange",
            "schedopt.families.smtt.local_search:run_interchange",
            applies=is_smtt,
            description="adjacent pairwise interchange descent from MDD/ATC",
        ),
        Method(
            "insertion",
            "schedopt.families.smtt.local_search:run_insertion",
            applies=is_smtt,
            description="insertion descent from MDD/ATC (best position per job, repeated)",
        ),
        Method(
            "ils",
            "schedopt.families.smtt.local_search:run_ils",
            applies=is_smtt,
            description="iterated dynasearch + insertion (Congram, Potts & van de Velde 2002), time-limited",
            priority=1,
        ),
        Method(
            "dp",
            "schedopt.families.smtt.exact:run_dp",
            applies=_applies_dp,
            exact=True,
            description="subset DP (Held-Karp) for 1||ΣwjTj, n <= 22; proves optimality",
            priority=20,
        ),
        Method(
            "exact",
            "schedopt.families.smtt.exact:run_exact",
            applies=is_unweighted,
            exact=True,
            description="Lawler decomposition with memorisation for 1||ΣTj; proves optimality",
            priority=15,
        ),
        Method(
            "mip",
            "schedopt.families.smtt.mip:run_mip_time_indexed",
            applies=is_smtt,
            exact=True,
            description="time-indexed MIP (Sousa & Wolsey; PuLP + HiGHS) for 1||ΣwjTj; small instances",
        ),
        Method(
            "mip-positional",
            "schedopt.families.smtt.mip:run_mip_positional",
            applies=is_smtt,
            exact=True,
            description="positional MIP of Keha et al. (2009) with its valid inequality (PuLP + HiGHS)",
        ),
    ),
    cpsat="schedopt.families.smtt.cpsat_hook:STRENGTHENING",
    kernels=("schedopt.families.smtt._kernels",),
    recognise=lambda problem: is_single_machine(problem) and problem.objective != "makespan",
    suites="schedopt.families.smtt.suites:SUITES",
    warmups=(
        WarmUp("smtt", tiny_unweighted, UNWEIGHTED),
        WarmUp("smtt-weighted", tiny_weighted, WEIGHTED),
    ),
)

__all__ = ["FAMILY", "generate_smtt", "is_single_machine", "is_smtt", "is_unweighted", "single_machine"]
