"""The ``.dag`` reader: every shipped example parses; bad lines name the file and line."""

from __future__ import annotations

import pytest

import schedopt
from schedopt import ParseError
from tests.conftest import require_data


def test_every_synthetic_example_and_a_sample_of_the_sets_parse():
    root = require_data("dags", "santiago_hetero")
    files = sorted((root / "Synthetic").glob("*.txt")) + sorted(root.glob("*/*-8-*-0.1-*.dag"))[:6]
    assert len(files) >= 14
    for f in files:
        p = schedopt.read(f)
        assert p.family == "dag" and p.n_machines >= 2
        r = schedopt.solve(p, method="heft")
        assert schedopt.check(p, r.schedule) == []


def test_several_entries_get_a_source_after_the_original_tasks(tmp_path):
    f = tmp_path / "two.dag"
    f.write_text("#critical\n0\n#tasks\n0: 1, 2\n1: 2, 1\n2: 3, 3\n#edges\n0: 0, 2, 4\n1: 1, 2, 1\n#end\n")
    p = schedopt.read(f)
    assert p.n_jobs == 4 and p.names[3] == "source" and p.meta["terminals"] == {"source": 3}
    assert {(int(i), int(j)) for i, j, _ in p.precedence} == {(0, 2), (1, 2), (3, 0), (3, 1)}
    assert p.duration[3].tolist() == [0, 0]


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("#tasks\n0: 1, 2\n1: 2\n#edges\n#end\n", 3, "task 1 has 1 costs"),
        ("#tasks\n0: 1, 2\n2: 2, 2\n#edges\n#end\n", 3, "expected task 1, found task 2"),
        ("#tasks\n0: 1, x\n#edges\n#end\n", 2, "expected a number, got 'x'"),
        ("#tasks\n0: 1, 2\n#edges\n0: 0, 5, 1\n#end\n", 4, "names task 5"),
        ("#tasks\n0: -1, 2\n#edges\n#end\n", 2, ">= 0"),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path, body, line, message):
    f = tmp_path / "bad.dag"
    f.write_text(body)
    with pytest.raises(ParseError, match=f"bad.dag, line {line}: .*{message}"):
        schedopt.read(f)


def test_fractional_costs_are_scaled_to_integer_time(tmp_path):
    f = tmp_path / "half.dag"
    f.write_text("#tasks\n0: 1.5, 2\n1: 1, 1\n#edges\n0: 0, 1, 0.25\n#end\n")
    p = schedopt.read(f)
    assert p.meta["time_scale"] == 100 and not p.meta["rounded"]
    assert p.duration.tolist() == [[150, 200], [100, 100]] and p.comm.tolist() == [25]
    g = tmp_path / "fine.dag"
    g.write_text("#tasks\n0: 1.23456\n#edges\n#end\n")
    q = schedopt.read(g)
    assert q.meta["time_scale"] == 1000 and q.meta["rounded"] and q.duration.tolist() == [[1235]]


def test_a_cycle_is_a_parse_error_naming_the_tasks(tmp_path):
    f = tmp_path / "cyc.dag"
    f.write_text("#tasks\n0: 1\n1: 1\n#edges\n0: 0, 1, 0\n1: 1, 0, 0\n#end\n")
    with pytest.raises(ParseError, match="cyc.dag: .*cycle"):
        schedopt.read(f)


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("#tasks\n0: 1, 2\n0: 2, 2\n#edges\n#end\n", 3, r"task 0 is given twice \(expected task 1\)"),
        (
            "#tasks\n0: 1, 2\n1: 2, 2\n#edges\n0: 0, 1, 1\n1: 0, 1, 2\n#end\n",
            6,
            r"edge 0 -> 1 is given twice",
        ),
        ("#tasks\n0: 1, 2\n1: 2, 2\n#edges\n0: 1, 1, 1\n#end\n", 5, r"edge from task 1 to itself"),
        ("#tasks\n0: 1, 2\n1: 2, 2\n#edges\n0: 0, 1\n#end\n", 5, r"an edge needs 'k: src, dst, cost'"),
        ("#tasks\n0: 1, 2\n1: 2, 2\n#edges\n0: 0, 1.5, 1\n#end\n", 5, r"edge names task 1.5"),
        ("#tasks\n0: 1,, 2\n#edges\n#end\n", 2, r"an empty field between commas"),
        ("#tasks\n0: 1, 2\n1 2, 2\n#edges\n#end\n", 3, r"expected 'index: values'"),
        ("#edges\n0: 0, 1, 1\n#tasks\n0: 1\n#end\n", 2, r"an edge before any task"),
        ("#tasks\n0: 1\n#edges\n#tasks\n1: 1\n#end\n", 4, r"section #tasks appears twice"),
        ("junk\n#tasks\n0: 1\n#edges\n#end\n", 1, r"expected a section line such as #tasks, got 'junk'"),
        ("#tasks\n0: 1\n#weights\n#end\n", 3, r"unknown section '#weights'"),
        ("#tasks\n0: 1\n#edges\n0: 0, 0, 1e400\n#end\n", 4, r"out of range"),
    ],
)
def test_more_malformed_lines_name_file_and_line(tmp_path, body, line, message):
    f = tmp_path / "bad.dag"
    f.write_text(body)
    with pytest.raises(ParseError, match=f"bad.dag, line {line}: .*{message}"):
        schedopt.read(f)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "#critical\n0\n#tasks\n0: 1, 2\n1: 2, 1\n#edges\n0: 0, 1, 4\n",
            r"no #end line: the file looks truncated",
        ),
        ("#tasks\n0: 1, 2\n", r"missing section #edges"),
        ("#tasks\n#edges\n#end\n", r"no tasks"),
        ("", r"missing section #tasks"),
    ],
)
def test_a_truncated_file_is_a_parse_error_naming_the_file(tmp_path, body, message):
    f = tmp_path / "cut.dag"
    f.write_text(body)
    with pytest.raises(ParseError, match=f"cut.dag: {message}"):
        schedopt.read(f, format="dag")


def test_a_trailing_comma_is_tolerated(tmp_path):
    f = tmp_path / "comma.dag"
    f.write_text("#tasks\n0: 1, 2,\n1: 2, 1,\n#edges\n0: 0, 1, 3\n#end\n")
    assert schedopt.read(f).duration.tolist() == [[1, 2], [2, 1]]
