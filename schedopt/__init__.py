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
from .errors import ParseError as ParseError
from .errors import ProblemError as ProblemError
from .errors import SolverError as SolverError
from .families.rcpsp import rcpsp as rcpsp
from .families.rcpsp import rcpsp_lower_bound as rcpsp_lower_bound
from .families.smtt import generate_smtt as generate_smtt
from .families.smtt import single_machine as single_machine
from .io import read as read
from .io import read_schedule as read_schedule
from .io import write as write
from .model import NO_TIME as NO_TIME
from .model import Problem as Problem
from .registry import MethodOutput as MethodOutput
from .registry import methods as methods
from .registry import register_method as register_method
from .registry import warm_up as warm_up
from .result import Result as Result
from .schedule import Schedule as Schedule
from .solve import solve as solve

__version__ = "0.1.0"

_SUBPACKAGES = ("bench", "llmeval", "plot")


def __getattr__(name: str):
    """``schedopt.bench``, ``schedopt.llmeval`` and ``schedopt.plot`` load on first use."""
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
