"""Single-machine (weighted) total tardiness: 1||ΣTj and 1||ΣwjTj."""

from .model import is_single_machine, single_machine

__all__ = ["is_single_machine", "single_machine"]
