"""Problems that compile the single-machine numba kernels ahead of timed runs (:func:`schedopt.warm_up`)."""

from __future__ import annotations

from ...model import Problem
from .model import single_machine

_P = [4, 7, 2, 6, 3, 5, 8, 1]
_D = [6, 10, 3, 20, 9, 14, 12, 4]

#: every numba-backed method; the MIPs and CP-SAT compile nothing
_RULES = ("edd", "spt", "wspt", "mdd", "atc", "interchange", "insertion", "dp")


def tiny_unweighted() -> Problem:
    """Eight jobs of 1||ΣTj (the Challengers, PSK and ``exact`` apply only here)."""
    return single_machine(_P, _D, name="warm-up")


def tiny_weighted() -> Problem:
    """Eight jobs of 1||ΣwjTj (weighted MDD, ATC)."""
    return single_machine(_P, _D, [3, 1, 2, 5, 1, 4, 2, 3], name="warm-up-weighted")


_ILS = {"ils": {"max_iterations": 3}}

#: method -> options of the unweighted warm-up (every numba-backed method; MIPs and CP-SAT compile nothing)
UNWEIGHTED: dict[str, dict[str, int]] = {
    **{m: {} for m in (*_RULES, "psk", "eddc", "mddc", "aug-mdd", "aug-mddc", "aug-psk", "exact")},
    **_ILS,
}
#: method -> options of the weighted warm-up
WEIGHTED: dict[str, dict[str, int]] = {**{m: {} for m in _RULES}, **_ILS}
