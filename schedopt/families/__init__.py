"""The built-in problem families, one plugin package each (see :mod:`schedopt.registry`).

Each package exports one :class:`schedopt.registry.Family` as ``FAMILY``; the
registry imports them by name (:data:`schedopt.registry.BUILTIN_FAMILIES`).
This package imports none of them.

Importing a family binds this package as the attribute ``schedopt.families`` (Python binds every
imported subpackage on its parent), shadowing the function :func:`schedopt.families` that the
top-level package re-exports. So this module is callable too: ``schedopt.families()`` returns the
registered families whichever object the name holds.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _CallableModule(types.ModuleType):
    def __call__(self) -> Any:
        from ..registry import families

        return families()


sys.modules[__name__].__class__ = _CallableModule
