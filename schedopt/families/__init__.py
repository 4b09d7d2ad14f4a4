"""Problem families: each builds Problems and registers its methods on import."""

from . import rcpsp, smtt  # noqa: F401
