"""schedopt: scheduling optimization with exact checks and honest gaps.

>>> import schedopt
>>> p = schedopt.rcpsp([0, 3, 2, 0], capacity=[2], demand=[[0], [2], [1], [0]],
...                    successors=[[1, 2], [3], [3], []])
>>> r = schedopt.solve(p, method="cpsat", time_limit=5)
>>> r.status, r.objective, schedopt.check(p, r.schedule)
('optimal', 5, [])
"""

from .bounds import critical_path_bound as critical_path_bound
from .check import Violation as Violation
from .check import check as check
from .check import evaluate as evaluate
from .check import is_feasible as is_feasible
from .data import data_dir as data_dir
from .errors import NotApplicableError as NotApplicableError
from .errors import OptionError as OptionError
from .errors import ParseError as ParseError
from .errors import ProblemError as ProblemError
from .errors import ScheduleError as ScheduleError
from .errors import SolverError as SolverError
from .errors import StoreError as StoreError
from .errors import UnknownMethodError as UnknownMethodError
from .io import read as read
from .io import read_schedule as read_schedule
from .io import write as write
from .model import NO_TIME as NO_TIME
from .model import Problem as Problem
from .registry import Family as Family
from .registry import MethodOutput as MethodOutput
from .registry import families as families
from .registry import methods as methods
from .registry import register_family as register_family
from .registry import register_method as register_method
from .result import Result as Result
from .schedule import Schedule as Schedule
from .solve import solve as solve
from .warmup import warm_up as warm_up

__version__ = "0.1.0"

_SUBPACKAGES = ("bench", "gpus", "llmeval", "plot", "serving")


def __getattr__(name: str):
    """``schedopt.bench``, ``.llmeval``, ``.plot``, ``.serving`` and the families' builders
    (``schedopt.rcpsp``, ``schedopt.single_machine``, ...) load on first use."""
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if not name.startswith("_"):
        from .registry import builder

        try:
            return builder(name)
        except AttributeError:
            pass
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    from .registry import builder_names

    return sorted({*globals(), *_SUBPACKAGES, *builder_names()})
