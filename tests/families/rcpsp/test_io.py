"""PSPLIB .sm and Patterson .rcp reading (through the psplib package) and writing."""

from __future__ import annotations

import numpy as np
import pytest

import schedopt
from schedopt import ParseError
from tests.conftest import INSTANCES, require_data

TOY = INSTANCES / "rcpsp" / "toy12.sm"


def test_reads_shipped_instance():
    p = schedopt.read(TOY)
    assert p.n_jobs == 12 and p.n_resources == 2
    assert p.names[0] == "1" and p.duration[0] == 0 and p.duration[-1] == 0
    assert p.meta["format"] == "psplib"


def test_reads_j301_1():
    p = schedopt.read(require_data("psplib", "j30", "j301_1.sm"))
    assert p.n_jobs == 32 and p.capacity.tolist() == [12, 13, 4, 12]
    assert p.duration[1] == 8 and sorted(p.successors()[0]) == [1, 2, 3]
    assert schedopt.critical_path_bound(p) == 38  # the CPM value of reference.csv


def test_write_round_trip(tmp_path):
    p = schedopt.read(TOY)
    out = tmp_path / "copy.sm"
    schedopt.write(out, p)
    q = schedopt.read(out)
    for f in ("duration", "precedence", "capacity", "demand"):
        assert np.array_equal(getattr(p, f), getattr(q, f))


def test_writer_refuses_what_psplib_cannot_hold(tmp_path):
    p = schedopt.read(INSTANCES / "rcpsp" / "windows15.json")
    with pytest.raises(ValueError, match="use JSON"):
        schedopt.write(tmp_path / "x.sm", p)


def _corrupt(tmp_path, old: str, new: str, count: int = 1):
    text = TOY.read_text()
    assert old in text, old
    path = tmp_path / "bad.sm"
    path.write_text(text.replace(old, new, count))
    return path


def _line_of(path, needle):
    for no, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return no
    raise AssertionError(needle)


def test_non_integer_token_names_the_line(tmp_path):
    lines = TOY.read_text().splitlines()
    idx = next(i for i, line in enumerate(lines) if line.strip().startswith("3 ") and "1" in line)
    lines[idx] = lines[idx] + " x7"
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ParseError, match=rf"bad.sm, line {idx + 1}: .*'x7'"):
        schedopt.read(path)


def test_missing_section(tmp_path):
    path = _corrupt(tmp_path, "RESOURCEAVAILABILITIES", "RESOURCES AVAILABLE")
    with pytest.raises(ParseError, match="section 'RESOURCEAVAILABILITIES' not found"):
        schedopt.read(path)


def test_successor_out_of_range(tmp_path):
    text = TOY.read_text().splitlines()
    idx = next(i for i, line in enumerate(text) if line.startswith("    1        1"))
    head = text[idx].split()
    text[idx] = "    1        1          1    99"
    assert head[0] == "1"
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(ParseError, match=rf"line {idx + 1}: job 1: successor 99 is not a job"):
        schedopt.read(path)


def test_multi_mode_refused(tmp_path):
    text = TOY.read_text().splitlines()
    idx = next(i for i, line in enumerate(text) if line.startswith("    2        1"))
    text[idx] = text[idx].replace("    2        1", "    2        2", 1)
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(ParseError, match=rf"line {idx + 1}: job 2 has 2 modes"):
        schedopt.read(path)


def test_cycle_in_file_is_named(tmp_path):
    text = TOY.read_text().splitlines()
    # make the sink (12) precede activity 2: 2 -> ... -> 12 -> 2
    idx = next(i for i, line in enumerate(text) if line.startswith("   12        1"))
    text[idx] = "   12        1          1    2"
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(ParseError, match=r"bad.sm: precedence: the constraints form a cycle: .*job '12'"):
        schedopt.read(path)


def test_demand_above_capacity_is_named(tmp_path):
    text = TOY.read_text().splitlines()
    idx = len(text) - 2  # capacity line
    text[idx] = "    1    1"
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(
        ParseError, match=r"job '\d+' \(index \d+\): demand \d+ for resource 'R\d' exceeds its capacity 1"
    ):
        schedopt.read(path)


def test_truncated_file(tmp_path):
    text = TOY.read_text().splitlines()
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(text[:30]) + "\n")
    with pytest.raises(ParseError, match="bad.sm"):
        schedopt.read(path)


def test_binary_garbage(tmp_path):
    path = tmp_path / "bad.sm"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ParseError, match="bad.sm"):
        schedopt.read(path)


PATTERSON = """\
4 1
3
0 0 2 2 3
2 2 1 4
3 2 1 4
0 0 0
"""


def test_patterson(tmp_path):
    path = tmp_path / "tiny.rcp"
    path.write_text(PATTERSON)
    p = schedopt.read(path)
    assert p.duration.tolist() == [0, 2, 3, 0] and p.capacity.tolist() == [3]
    r = schedopt.solve(p, method="cpsat", time_limit=5)
    assert r.objective == 5  # 2 + 2 > 3 units: the two jobs run one after the other


def test_patterson_bad_successor(tmp_path):
    path = tmp_path / "bad.rcp"
    path.write_text(PATTERSON.replace("2 2 1 4", "2 2 1 9"))
    with pytest.raises(ParseError, match="bad.rcp, line 4: activity 2: successor 9"):
        schedopt.read(path)


def test_unknown_format_and_missing_file(tmp_path):
    path = tmp_path / "x.xyz"
    path.write_text("1")
    with pytest.raises(ParseError, match="cannot tell the file format"):
        schedopt.read(path)
    with pytest.raises(FileNotFoundError):
        schedopt.read(tmp_path / "nope.sm")
    with pytest.raises(ValueError, match="unknown format"):
        schedopt.read(path, format="nope")


def _swap_lines(src, dst, first: int) -> None:
    """Copy ``src`` to ``dst`` with 1-based lines ``first`` and ``first + 1`` swapped (awk of issue 20)."""
    lines = src.read_text().splitlines()
    lines[first - 1], lines[first] = lines[first], lines[first - 1]
    dst.write_text("\n".join(lines) + "\n")


def test_swapped_requests_rows_are_refused(tmp_path):
    # issue 20: j301_1.sm with lines 56/57 swapped loaded with durations [0 4 8] instead of [0 8 4]
    path = tmp_path / "s.sm"
    _swap_lines(require_data("psplib", "j30", "j301_1.sm"), path, 56)
    with pytest.raises(
        ParseError, match=r"s.sm, line 56: REQUESTS/DURATIONS row 2: expected job 2, found job 3"
    ):
        schedopt.read(path)


def test_wrong_job_number_in_requests_row(tmp_path):
    text = TOY.read_text().splitlines()
    idx = next(i for i, line in enumerate(text) if line.startswith("    5      1       5"))
    text[idx] = text[idx].replace("    5", "    7", 1)
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(ParseError, match=rf"bad.sm, line {idx + 1}: .*expected job 5, found job 7"):
        schedopt.read(path)


def test_requests_row_mode_other_than_one(tmp_path):
    text = TOY.read_text().splitlines()
    idx = next(i for i, line in enumerate(text) if line.startswith("    5      1       5"))
    text[idx] = text[idx].replace("    5      1", "    5      2", 1)
    path = tmp_path / "bad.sm"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(ParseError, match=rf"line {idx + 1}: job 5: mode 2"):
        schedopt.read(path)


def test_huge_number_is_a_parse_error(tmp_path):
    path = _corrupt(tmp_path, "    2      1       3", "    2      1       " + str(10**30))
    with pytest.raises(ParseError, match=rf"bad.sm, line {_line_of(path, str(10**30))}: .*out of range"):
        schedopt.read(path)


def test_patterson_extra_activity_data_is_refused(tmp_path):
    # rows carry no numbers: a header that declares fewer activities than the file holds must not load
    path = tmp_path / "bad.rcp"
    path.write_text("3 1\n3\n0 0 2 2 3\n2 2 1 3\n3 2 0\n0 0 0\n")  # 3 declared, 4 in the file
    with pytest.raises(ParseError, match=r"bad.rcp, line 6: the header declares 3 activities"):
        schedopt.read(path)


def test_patterson_negative_counts_and_values(tmp_path):
    path = tmp_path / "bad.rcp"
    path.write_text(PATTERSON.replace("4 1\n", "-4 1\n", 1))
    with pytest.raises(ParseError, match=r"bad.rcp, line 1: job count -4"):
        schedopt.read(path)
    path.write_text(PATTERSON.replace("3 2 1 4", "-3 2 1 4"))
    with pytest.raises(ParseError, match=r"bad.rcp, line 5: activity 3: negative duration"):
        schedopt.read(path)
