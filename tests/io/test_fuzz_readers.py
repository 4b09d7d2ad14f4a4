"""Fuzzing every reader (issue 20): mutated small valid files load correctly or fail cleanly.

Each test starts from a small valid file (the shipped ``toy12.sm`` and
``instances/smtt/*.json``, and synthetic Patterson, OR-Library and unweighted
SMTT files written here) and applies random truncations, line swaps, line
deletions and duplications, token mutations and huge numbers (``10**30``).
The only outcomes allowed are

* a :class:`~schedopt.Problem` (or a list of them) that agrees with an
  independent, naive reading of the same file, or
* a :class:`~schedopt.ParseError` / :class:`~schedopt.ProblemError` whose
  message names the file.

Any other exception (``IndexError``, ``OverflowError``, ``TypeError`` ...) fails.
Sized for CI on two cores: the whole file runs in well under 30 s.
"""

from __future__ import annotations

import re
import tempfile
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import schedopt
from schedopt import ParseError, Problem, ProblemError
from tests.conftest import INSTANCES

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

PATTERSON = "4 1\n3\n0 0 2 2 3\n2 2 1 4\n3 2 1 4\n0 0 0\n"
ORLIB = "3 4 2\n1 2 1\n5 0 9\n7 8 1\n 9 2 3\n1 1 4\n"  # two 3-job instances (p, w, d each)
UNWEIGHTED = "# id n RDD TF rep opt\n1 3 0.2 0.4 1 4\n2 3 1\n0 4 4\n2 2 0.2 0.4 2 0\n1 1\n5 5\n"

#: Replacement values for a number: small, negative, huge, and not numbers at all.
ODD_VALUES = st.one_of(
    st.integers(-3, 60).map(str),
    st.sampled_from(
        [str(10**30), str(-(10**30)), str(2**63), str(2**50), "x", "", "1.5", "nan", "-", "1e3", "null"]
    ),
)
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@st.composite
def mutated(draw, text: str) -> str:
    """``text`` after 1-4 random edits: truncation, line swap/delete/duplicate, number change, huge number."""
    lines = text.split("\n")
    for op in draw(
        st.lists(
            st.sampled_from(["truncate", "swap", "delete", "duplicate", "number", "huge"]),
            min_size=1,
            max_size=4,
        )
    ):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "truncate":
            joined = "\n".join(lines)
            lines = joined[: draw(st.integers(0, len(joined)))].split("\n")
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        else:
            found = list(_NUMBER.finditer(lines[i]))
            if not found:
                continue
            m = found[draw(st.integers(0, len(found) - 1))]
            value = str(10**30) if op == "huge" else draw(ODD_VALUES)
            lines[i] = lines[i][: m.start()] + value + lines[i][m.end() :]
    return "\n".join(lines)


def _read(text: str, name: str, fmt: str, **kwargs):
    """Write ``text`` to a fresh file ``name``, read it: ``(path, result)``, ``None`` on a clean error.

    Any exception other than a ``ParseError``/``ProblemError`` naming the file propagates (the test fails).
    """
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        path = Path(tmp) / name
        path.write_text(text)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out = schedopt.read(path, format=fmt, **kwargs)
        except (ParseError, ProblemError) as exc:
            assert str(path) in str(exc), f"the message does not name the file: {exc}"
            return path, None
    problems = out if isinstance(out, list) else [out]
    assert problems and all(isinstance(p, Problem) for p in problems), out
    return path, out


def _ints(text: str) -> list[int]:
    return [int(t) for t in text.split()]


# --------------------------------------------------------------------------- PSPLIB .sm


def _psplib_oracle(text: str) -> tuple[list[int], list[int]]:
    """Durations by job number and capacities, read naively from the file's text.

    Rows of REQUESTS/DURATIONS start after its two header lines (column names, dashes).
    """
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    start = next(i for i, line in enumerate(lines) if "REQUESTS/DURATIONS" in line)
    by_job: dict[int, int] = {}
    for line in lines[start + 3 :]:
        if line.startswith("*") or line.endswith(":"):  # the next section (its separator may be gone)
            break
        if re.match(r"\d", line):
            vals = _ints(line)
            by_job[vals[0]] = vals[2]
    avail = next(i for i, line in enumerate(lines) if "RESOURCEAVAILABILITIES" in line)
    return [by_job[j] for j in sorted(by_job)], _ints(lines[avail + 2])


@FUZZ
@given(mutated((INSTANCES / "rcpsp" / "toy12.sm").read_text()))
def test_psplib_reader(text):
    _, p = _read(text, "toy.sm", "psplib")
    if p is not None:
        durations, capacity = _psplib_oracle(text)
        assert p.duration.tolist() == durations and p.capacity.tolist() == capacity


def test_psplib_seed_file_reads():
    _, p = _read((INSTANCES / "rcpsp" / "toy12.sm").read_text(), "toy.sm", "psplib")
    assert (
        p.n_jobs == 12
        and p.duration.tolist() == _psplib_oracle((INSTANCES / "rcpsp" / "toy12.sm").read_text())[0]
    )


# --------------------------------------------------------------------------- Patterson .rcp


def _patterson_durations(text: str) -> list[int]:
    toks = _ints(text)
    n, r = toks[0], toks[1]
    pos, out = 2 + r, []
    for _ in range(n):
        out.append(toks[pos])
        pos += r + 2 + toks[pos + r + 1]
    return out


@FUZZ
@given(mutated(PATTERSON))
def test_patterson_reader(text):
    _, p = _read(text, "tiny.rcp", "patterson")
    if p is not None:
        assert p.duration.tolist() == _patterson_durations(text)


# --------------------------------------------------------------------------- OR-Library wt*.txt


@FUZZ
@given(mutated(ORLIB), st.one_of(st.none(), st.integers(-2, 3)))
def test_orlib_reader(text, index):
    _, out = _read(text, "wt3.txt", "orlib-wt", **({} if index is None else {"index": index}))
    if out is None:
        return
    toks = _ints(text)
    problems = out if index is None else [out]
    picks = range(len(toks) // 9) if index is None else [index]
    assert len(problems) == len(picks)
    for p, k in zip(problems, picks):
        chunk = toks[9 * k : 9 * (k + 1)]
        assert (
            p.duration.tolist() == chunk[:3]
            and p.weight.tolist() == chunk[3:6]
            and p.due.tolist() == chunk[6:]
        )


def test_orlib_seed_file_reads():
    _, out = _read(ORLIB, "wt3.txt", "orlib-wt")
    assert [p.n_jobs for p in out] == [3, 3]


# --------------------------------------------------------------------------- unweighted SMTT tt*.txt


@FUZZ
@given(mutated(UNWEIGHTED), st.one_of(st.none(), st.integers(-2, 3)))
def test_unweighted_reader(text, index):
    _, out = _read(text, "tt3_x.txt", "smtt-unweighted", **({} if index is None else {"index": index}))
    if out is None:
        return
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    triples = [(lines[k + 1], lines[k + 2]) for k in range(0, len(lines), 3)]
    problems = out if index is None else [out]
    expected = triples if index is None else [triples[index]]
    assert len(problems) == len(expected)
    for p, (pline, dline) in zip(problems, expected):
        assert p.duration.tolist() == _ints(pline) and p.due.tolist() == _ints(dline)


def test_unweighted_seed_file_reads():
    _, out = _read(UNWEIGHTED, "tt3_x.txt", "smtt-unweighted")
    assert [p.n_jobs for p in out] == [3, 2]


# --------------------------------------------------------------------------- schedopt JSON


@FUZZ
@given(
    st.sampled_from(["tt12.json", "wt15.json"]).flatmap(
        lambda n: mutated((INSTANCES / "smtt" / n).read_text())
    )
)
def test_json_reader(text):
    _read(text, "p.json", "json")


@pytest.mark.parametrize("name", ["tt12.json", "wt15.json"])
def test_json_seed_files_read(name):
    _, p = _read((INSTANCES / "smtt" / name).read_text(), "p.json", "json")
    assert p.n_jobs > 0


DAG = (
    "#critical\n0\n#tasks\n0: 14, 16, 9\n1: 13, 19.5, 18\n2: 11, 13, 19\n3: 13, 8, 17\n"
    "#edges\n0: 0, 1, 18\n1: 0, 2, 12\n2: 1, 3, 19\n3: 2, 3, 23.25\n#end\n"
)


def _dag_costs(text: str) -> list[list[float]]:
    """An independent reading of the ``#tasks`` rows (costs in file units)."""
    body = text.split("#tasks", 1)[1].split("#", 1)[0]
    rows = [line.split(":", 1)[1] for line in body.splitlines() if ":" in line]
    return [[float(v.rstrip(".")) for v in row.split(",") if v.strip()] for row in rows]


@FUZZ
@given(mutated(DAG))
def test_dag_reader(text):
    _, p = _read(text, "g.dag", "dag")
    if p is not None:
        costs = _dag_costs(text)
        scale = p.meta["time_scale"]
        assert p.duration[: len(costs)].tolist() == [[round(v * scale) for v in row] for row in costs]


def test_dag_seed_file_reads():
    _, p = _read(DAG, "g.dag", "dag")
    assert p.meta["time_scale"] == 100 and p.n_jobs == 4
