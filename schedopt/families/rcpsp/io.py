"""PSPLIB ``.sm`` and Patterson ``.rcp`` files, parsed by the ``psplib`` package.

The ``psplib`` package (PyJobShop/PSPLIB) does the parsing. It is lenient by
design, so before handing a file over we check the layout line by line; any
defect is reported as a :class:`~schedopt.errors.ParseError` with file and line.
PSPLIB's dummy source and sink stay jobs, so job ``j`` here is activity
``j + 1`` of the file.

Rows are matched by job number, not by position: the PRECEDENCE RELATIONS and
REQUESTS/DURATIONS rows of a PSPLIB file each start with their job number, and
row ``k`` of either section must carry job number ``k`` (a swapped or
mis-numbered row is a :class:`~schedopt.errors.ParseError` naming the line, the
expected and the found number). Patterson rows carry no job numbers: there the
activities are positional by definition, and the file must hold exactly the
declared number of activities. Every integer must lie below ``2**50``
(:data:`schedopt.model.NO_TIME`); a larger one is a ``ParseError`` naming its line.

Reference: Kolisch, R. & Sprecher, A. (1996). PSPLIB - a project scheduling
problem library. European Journal of Operational Research 96(1), 205-216.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import psplib

from ...errors import ParseError, ProblemError
from ...model import NO_TIME, Problem
from .model import rcpsp

_INT = re.compile(r"-?\d+")


def _numbered_lines(path: Path) -> list[tuple[int, str]]:
    try:
        text = path.read_text()
    except UnicodeDecodeError as exc:
        raise ParseError(f"not a text file ({exc.reason})", path) from None
    return [(no, line.strip()) for no, line in enumerate(text.splitlines(), 1) if line.strip()]


def _ints(path: Path, no: int, line: str, what: str) -> list[int]:
    tokens = line.split()
    for tok in tokens:
        if not _INT.fullmatch(tok):
            raise ParseError(f"{what}: expected integers, found {tok!r}", path, no)
    values = [int(t) for t in tokens]
    for v in values:
        if abs(v) >= NO_TIME:
            raise ParseError(
                f"{what}: {v} is out of range (|value| must be below 2**50 = {NO_TIME})", path, no
            )
    return values


def _find(path: Path, lines: list[tuple[int, str]], marker: str) -> int:
    for pos, (_, line) in enumerate(lines):
        if marker in line:
            return pos
    raise ParseError(f"section {marker!r} not found", path)


def _check_psplib_layout(path: Path, lines: list[tuple[int, str]]) -> int:
    """Validate the sections psplib reads; return the number of jobs."""
    n_declared = None
    for no, line in lines:
        if line.startswith("jobs (incl. supersource/sink )"):
            vals = _INT.findall(line.split(":", 1)[-1])
            if not vals:
                raise ParseError("jobs count is not an integer", path, no)
            n_declared = int(vals[0])
    prec = _find(path, lines, "PRECEDENCE RELATIONS")
    req = _find(path, lines, "REQUESTS/DURATIONS")
    avail = _find(path, lines, "RESOURCEAVAILABILITIES")
    if not prec < req < avail:
        raise ParseError(
            "sections out of order (expected PRECEDENCE, REQUESTS/DURATIONS, AVAILABILITIES)", path
        )
    if avail + 2 >= len(lines):
        raise ParseError("RESOURCEAVAILABILITIES has no capacity line", path, lines[avail][0])
    _kinds_no, kinds_line = lines[avail + 1]
    kinds = re.findall(r"[RND]\s*\d+", kinds_line)
    cap_no, cap_line = lines[avail + 2]
    caps = _ints(path, cap_no, cap_line, "resource capacities")
    if len(caps) != len(kinds):
        raise ParseError(f"{len(caps)} capacities for {len(kinds)} resources", path, cap_no)
    r = len(caps)
    prec_rows = lines[prec + 2 : req - 1]
    if n_declared is not None and len(prec_rows) != n_declared:
        raise ParseError(
            f"PRECEDENCE RELATIONS lists {len(prec_rows)} jobs, header declares {n_declared}",
            path,
            prec_rows[-1][0] if prec_rows else lines[prec][0],
        )
    n = len(prec_rows)
    for k, (no, line) in enumerate(prec_rows, 1):
        vals = _ints(path, no, line, "precedence row")
        if len(vals) < 3:
            raise ParseError("precedence row needs job, modes, successor count", path, no)
        if vals[0] != k:
            raise ParseError(f"expected job {k}, found {vals[0]}", path, no)
        if vals[1] != 1:
            raise ParseError(f"job {k} has {vals[1]} modes; only single-mode RCPSP is supported", path, no)
        if len(vals) - 3 != vals[2]:
            raise ParseError(f"job {k} declares {vals[2]} successors but lists {len(vals) - 3}", path, no)
        for s in vals[3:]:
            if not 1 <= s <= n:
                raise ParseError(f"job {k}: successor {s} is not a job (1..{n})", path, no)
    req_rows = lines[req + 3 : avail - 1]
    if len(req_rows) != n:
        raise ParseError(f"REQUESTS/DURATIONS lists {len(req_rows)} rows for {n} jobs", path, lines[req][0])
    for k, (no, line) in enumerate(req_rows, 1):
        vals = _ints(path, no, line, "requests/durations row")
        if len(vals) != r + 3:
            raise ParseError(f"job {k}: expected job, mode, duration and {r} demands", path, no)
        if vals[0] != k:
            # rows are matched by job number: a swapped or mis-numbered row must not load silently
            raise ParseError(
                f"REQUESTS/DURATIONS row {k}: expected job {k}, found job {vals[0]} "
                "(rows must list jobs 1..n in order)",
                path,
                no,
            )
        if vals[1] != 1:
            raise ParseError(
                f"job {k}: mode {vals[1]}; only single-mode RCPSP (mode 1) is supported", path, no
            )
        if vals[2] < 0 or min(vals[3:], default=0) < 0:
            raise ParseError(f"job {k}: negative duration or demand", path, no)
    return n


def _to_problem(path: Path, inst: psplib.ProjectInstance, fmt: str) -> Problem:
    if any(not res.renewable for res in inst.resources) and any(
        act.modes[0].demands[k]
        for act in inst.activities
        for k, res in enumerate(inst.resources)
        if not res.renewable
    ):
        raise ParseError("non-renewable resources are not supported", path)
    keep = [k for k, res in enumerate(inst.resources) if res.renewable]
    for idx, act in enumerate(inst.activities):
        if len(act.modes) != 1:
            raise ParseError(
                f"activity {idx + 1} has {len(act.modes)} modes; only single-mode is supported", path
            )
    durations = np.array([a.modes[0].duration for a in inst.activities], dtype=np.int64)
    demand = np.array([[a.modes[0].demands[k] for k in keep] for a in inst.activities], dtype=np.int64)
    demand = demand.reshape(len(durations), len(keep))
    capacity = [inst.resources[k].capacity for k in keep]
    try:
        return rcpsp(
            durations,
            capacity,
            demand,
            successors=[a.successors for a in inst.activities],
            names=[str(i + 1) for i in range(len(durations))],
            resource_names=[f"R{k + 1}" for k in keep],
            name=path.stem,
            meta={"source": str(path), "format": fmt},
        )
    except ProblemError as exc:
        raise ParseError(str(exc), path) from None


def read_psplib(path: Path) -> Problem:
    """Read a single-mode PSPLIB ``.sm`` file.

    Job names are PSPLIB's 1-based activity numbers; job ``j`` is activity ``j + 1``.
    """
    lines = _numbered_lines(path)
    _check_psplib_layout(path, lines)
    try:
        inst = psplib.parse(path, instance_format="psplib")
    except Exception as exc:  # the layout check should have caught it
        raise ParseError(f"psplib could not parse the file: {exc}", path) from None
    return _to_problem(path, inst, "psplib")


def read_patterson(path: Path) -> Problem:
    """Read a Patterson-format ``.rcp`` file (RanGen RG30/RG300 and others).

    Layout: ``n r``, then ``r`` capacities, then per activity
    ``duration d_1..d_r n_succ succ...`` (successors 1-based, rows may wrap).
    The rows carry no activity numbers, so activities are matched by position;
    the file must hold exactly ``n`` activities (data left over after the
    ``n``-th is a :class:`~schedopt.errors.ParseError` naming its line).
    """
    lines = _numbered_lines(path)
    tokens: list[tuple[int, int]] = []
    for no, line in lines:
        tokens.extend((no, v) for v in _ints(path, no, line, "Patterson data"))
    if len(tokens) < 2 or tokens[0][0] != tokens[1][0]:
        first = lines[0][0] if lines else 1
        raise ParseError("expected the job and resource counts on the first line", path, first)
    (no, n), (_, r) = tokens[0], tokens[1]
    if n < 1 or r < 0:
        raise ParseError(f"job count {n} must be >= 1 and resource count {r} >= 0", path, no)
    pos = 2 + r
    if len(tokens) < pos:
        raise ParseError(f"expected {r} capacities", path, tokens[-1][0])
    if sum(t[0] == no for t in tokens) != 2:
        raise ParseError("the first line must hold exactly the job and resource counts", path, no)
    if r and sum(t[0] == tokens[2][0] for t in tokens) != r:
        raise ParseError(f"expected a line of exactly {r} capacities", path, tokens[2][0])
    for k in range(n):
        if pos + r + 2 > len(tokens):
            raise ParseError(
                f"activity {k + 1}: data ends early (expected {n} activities)", path, tokens[-1][0]
            )
        head = tokens[pos : pos + r + 1]
        if any(v < 0 for _, v in head):
            bad_no = next(no for no, v in head if v < 0)
            raise ParseError(f"activity {k + 1}: negative duration or demand", path, bad_no)
        n_succ = tokens[pos + r + 1][1]
        if n_succ < 0:
            raise ParseError(
                f"activity {k + 1}: negative successor count {n_succ}", path, tokens[pos + r + 1][0]
            )
        for _, s in tokens[pos + r + 2 : pos + r + 2 + n_succ]:
            if not 1 <= s <= n:
                raise ParseError(f"activity {k + 1}: successor {s} is not in 1..{n}", path, tokens[pos][0])
        pos += r + 2 + n_succ
    if pos > len(tokens):
        raise ParseError("file ends in the middle of an activity", path, tokens[-1][0])
    if pos < len(tokens):
        raise ParseError(
            f"the header declares {n} activities, but data continues after the last of them "
            f"({len(tokens) - pos} more integer(s))",
            path,
            tokens[pos][0],
        )
    try:
        inst = psplib.parse(path, instance_format="patterson")
    except Exception as exc:
        raise ParseError(f"psplib could not parse the file: {exc}", path) from None
    return _to_problem(path, inst, "patterson")


def write_psplib(path: str | Path, problem: Problem) -> None:
    """Write a single-mode RCPSP in PSPLIB ``.sm`` layout (readable by :func:`read_psplib`).

    Only durations, successors (lags must be 0) and renewable resources are
    representable; anything else raises ``ValueError``.
    """
    p = problem
    if p.has_machines or p.duration.ndim != 1:
        raise ValueError("PSPLIB .sm holds no machines")
    if (
        len(p.downtime)
        or len(p.disjunctive)
        or p.has_deadlines
        or p.release.any()
        or p.precedence[:, 2].any()
    ):
        raise ValueError("PSPLIB .sm cannot hold downtime, disjunctive pairs, time windows or lags; use JSON")
    n, r = p.n_jobs, p.n_resources
    succ = p.successors()
    lines = [
        "*" * 72,
        f"file with basedata            : {p.name or 'schedopt'}.bas",
        "initial value random generator: 0",
        "*" * 72,
        "projects                      :  1",
        f"jobs (incl. supersource/sink ):  {n}",
        f"horizon                       :  {int(p.duration.sum())}",
        "RESOURCES",
        f"  - renewable                 :  {r}   R",
        "  - nonrenewable              :  0   N",
        "  - doubly constrained        :  0   D",
        "*" * 72,
        "PROJECT INFORMATION:",
        "pronr.  #jobs rel.date duedate tardcost  MPM-Time",
        f"    1     {n - 2}      0       0       0       0",
        "*" * 72,
        "PRECEDENCE RELATIONS:",
        "jobnr.    #modes  #successors   successors",
    ]
    for j in range(n):
        targets = "".join(f"  {s + 1:3d}" for s in sorted(succ[j]))
        lines.append(f"  {j + 1:3d}        1          {len(succ[j])}{targets}")
    lines += [
        "*" * 72,
        "REQUESTS/DURATIONS:",
        "jobnr. mode duration  " + "  ".join(f"R {k + 1}" for k in range(r)),
        "-" * 72,
    ]
    for j in range(n):
        dem = "".join(f"  {int(v):3d}" for v in p.demand[j])
        lines.append(f"  {j + 1:3d}      1     {int(p.duration[j]):3d}{dem}")
    lines += [
        "*" * 72,
        "RESOURCEAVAILABILITIES:",
        "  " + "  ".join(f"R {k + 1}" for k in range(r)),
        "  " + "".join(f"  {int(c):3d}" for c in p.capacity),
        "*" * 72,
    ]
    Path(path).write_text("\n".join(lines) + "\n")
