"""The built-in problem families, one plugin package each (see :mod:`schedopt.registry`).

Each package exports one :class:`schedopt.registry.Family` as ``FAMILY``; the
registry imports them by name (:data:`schedopt.registry.BUILTIN_FAMILIES`).
This package imports none of them.
"""
