"""Resource-constrained project scheduling (RCPSP) and its R-ConstraintBench extensions."""

from .model import is_rcpsp, rcpsp

__all__ = ["is_rcpsp", "rcpsp"]
