"""Reader of the ``.dag`` format of Santiago et al.'s heterogeneous scheduling instances.

Sections, one per ``#`` line: ``#critical`` (one number, ignored), ``#tasks`` (``i: w_i0, ...,
w_i(m-1)``, the execution time of task ``i`` on processor ``0 .. m-1``), ``#edges`` (``k: src,
dst, c``, the communication cost paid when the two tasks run on different processors) and
``#end`` (required: a file without it is taken as truncated). The same layout is used by the
textbook examples in ``Synthetic/*.txt`` (for example Topcuoglu et al. 2002, Fig. 2). Task
indices are kept; where a graph has several entry or exit tasks a zero-cost source or sink is
added after them (:func:`.model.dag`).

schedopt's time is integer, so times are scaled: by the smallest of 1, 10, 100 and 1000 that makes
every cost whole, else by ``time_scale`` (default 1000) with rounding to the nearest unit (the
large sets give costs to 6 decimals; rounding to 1e-3 changes a makespan by at most 0.0005 per
task and edge on its critical path). The factor is in ``problem.meta["time_scale"]`` (divide
objectives by it to compare with published tables).

Santiago, A. et al. (2020), GRASP and Iterated Local Search-Based Cellular Processing algorithm
for Precedence-Constraint Task List Scheduling on Heterogeneous Systems, Appl. Sci. 10, 7500.
"""

from __future__ import annotations

from pathlib import Path

from ...errors import ParseError, ProblemError
from ...model import Problem
from .model import dag

_SECTIONS = ("#critical", "#tasks", "#edges", "#end")


def looks_like_dag(path: Path, head: str) -> bool:
    """The sniffer: a ``#tasks`` and an ``#edges`` section near the top."""
    return "#tasks" in head and ("#edges" in head or path.suffix.lower() == ".dag")


def _number(text: str, path: Path, no: int) -> float:
    try:
        value = float(text.strip().rstrip("."))
    except ValueError:
        raise ParseError(f"expected a number, got {text.strip()!r}", path, no) from None
    if value != value or value in (float("inf"), float("-inf")) or abs(value) >= 2**50:
        raise ParseError(f"number {text.strip()!r} is out of range", path, no)
    return value


def read_dag(path: str | Path, time_scale: int = 1000) -> Problem:
    """Read one ``.dag`` (or ``Synthetic/*.txt``) file into a ``dag`` family :class:`Problem`.

    ``time_scale`` is the factor applied when no power of ten up to 1000 makes every cost whole
    (module docstring).

    Raises
    ------
    ParseError
        Naming the file and, where it applies, the line: a malformed line (a non-numeric or
        missing field, an empty field between commas, a line outside any section), a missing or
        repeated section, a missing ``#end`` (a truncated file), a task numbered out of order or
        given twice, rows of different processor counts, a negative cost, an edge naming an
        unknown task, a task itself or a pair already given, or a cycle (naming its tasks).
    """
    path = Path(path)
    section = None
    tasks: list[list[float]] = []
    edges: list[tuple[int, int, float]] = []
    edge_line: dict[tuple[int, int], int] = {}
    seen: set[str] = set()
    try:
        lines = path.read_text().splitlines()
    except UnicodeDecodeError:
        raise ParseError("not a text file", path) from None
    for no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            section = line.split()[0].lower()
            if section not in _SECTIONS:
                msg = f"unknown section {line!r} (expected one of {', '.join(_SECTIONS)})"
                raise ParseError(msg, path, no)
            if section in seen:
                raise ParseError(f"section {section} appears twice", path, no)
            seen.add(section)
            if section == "#end":
                break
            continue
        if section is None:
            raise ParseError(f"expected a section line such as #tasks, got {line!r}", path, no)
        if section == "#critical":
            continue
        label, sep, rest = line.partition(":")
        if not sep:
            raise ParseError(f"expected 'index: values', got {line!r}", path, no)
        index = _number(label, path, no)
        fields = rest.split(",")
        if any(not v.strip() for v in fields[:-1]):  # a trailing comma is tolerated
            raise ParseError(f"an empty field between commas in {rest.strip()!r}", path, no)
        values = [_number(v, path, no) for v in fields if v.strip()]
        if any(v < 0 for v in values):
            raise ParseError(f"values must be >= 0, got {rest.strip()!r}", path, no)
        if section == "#tasks":
            if "#edges" in seen:
                raise ParseError("a task line after the #edges section", path, no)
            if index != len(tasks):
                if index == int(index) and 0 <= index < len(tasks):
                    raise ParseError(
                        f"task {int(index)} is given twice (expected task {len(tasks)})", path, no
                    )
                raise ParseError(f"expected task {len(tasks)}, found task {label.strip()}", path, no)
            if tasks and len(values) != len(tasks[0]):
                msg = f"task {len(tasks)} has {len(values)} costs, task 0 has {len(tasks[0])}"
                raise ParseError(msg, path, no)
            if not values:
                raise ParseError(f"task {len(tasks)} has no costs", path, no)
            tasks.append(values)
        else:
            if len(values) != 3:
                raise ParseError(f"an edge needs 'k: src, dst, cost', got {line!r}", path, no)
            if not tasks:
                raise ParseError("an edge before any task (the #tasks section comes first)", path, no)
            src, dst, cost = values
            for task in (src, dst):
                if task != int(task) or task >= len(tasks):
                    msg = f"edge names task {task:g}, but the tasks are 0..{len(tasks) - 1}"
                    raise ParseError(msg, path, no)
            key = (int(src), int(dst))
            if key[0] == key[1]:
                raise ParseError(f"edge from task {key[0]} to itself", path, no)
            if key in edge_line:
                msg = f"edge {key[0]} -> {key[1]} is given twice (first on line {edge_line[key]})"
                raise ParseError(msg, path, no)
            edge_line[key] = no
            edges.append((key[0], key[1], cost))
    for needed in ("#tasks", "#edges"):
        if needed not in seen:
            raise ParseError(f"missing section {needed}", path)
    if "#end" not in seen:
        raise ParseError(f"no #end line: the file looks truncated (it ends at line {len(lines)})", path)
    if not tasks:
        raise ParseError("no tasks", path)
    values = [v for row in tasks for v in row] + [c for *_, c in edges]
    exact = (f for f in (1, 10, 100, 1000) if all(abs(v * f - round(v * f)) < 1e-9 for v in values))
    scale = next(exact, None)
    rounded = scale is None
    scale = time_scale if scale is None else scale
    costs = [[round(v * scale) for v in row] for row in tasks]
    scaled = [(i, j, round(c * scale)) for i, j, c in edges]
    meta = {"source": str(path), "time_scale": scale, "rounded": rounded}
    try:
        return dag(costs, scaled, name=path.stem, meta=meta)
    except ProblemError as exc:
        raise ParseError(str(exc), path) from None
