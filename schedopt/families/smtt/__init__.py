"""Single-machine (weighted) total tardiness: 1||ΣTj and 1||ΣwjTj.

Importing the package registers its methods: constructive rules
(:mod:`.heuristics`), local search (:mod:`.local_search`) and exact methods
(:mod:`.exact`, :mod:`.mip`).
"""

from . import cpsat_hook, exact, heuristics, local_search, mip, warmup  # noqa: F401  (register methods)
from .model import generate_smtt, is_single_machine, single_machine

__all__ = ["generate_smtt", "is_single_machine", "single_machine"]
