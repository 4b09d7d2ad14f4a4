import contextlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import schedopt
from schedopt.errors import ParseError
from schedopt.families.smtt.orlib import read_orlib_values, read_orlib_wt
from tests.conftest import require_data


def test_reads_two_instances(tmp_path):
    f = tmp_path / "wt2.txt"
    f.write_text("3 4\n1 2\n5 0\n7 8\n 9 2 \n1 1\n")
    probs = read_orlib_wt(f)
    assert len(probs) == 2
    assert probs[0].duration.tolist() == [3, 4] and probs[0].weight.tolist() == [1, 2]
    assert probs[0].due.tolist() == [5, 0] and probs[0].objective == "total_weighted_tardiness"
    assert read_orlib_wt(f, index=1).due.tolist() == [1, 1]
    with pytest.raises(IndexError):
        read_orlib_wt(f, index=2)


def test_index_out_of_range_names_file_index_and_count(tmp_path):
    # issue 20: "--index 999 on an OR-Library file -> raw IndexError"; now a ParseError (still an IndexError)
    f = tmp_path / "wt2.txt"
    f.write_text("3 4\n1 2\n5 0\n7 8\n 9 2 \n1 1\n")
    for bad in (999, -1):
        with pytest.raises(
            ParseError, match=rf"wt2.txt: instance index {bad} is out of range: the file holds 2 instances"
        ):
            read_orlib_wt(f, index=bad)
    with pytest.raises(ValueError, match=r"valid indexes: 0\.\.1"):
        schedopt.read(f, index=999)


def test_empty_file_and_huge_numbers(tmp_path):
    f = tmp_path / "wt2.txt"
    f.write_text("\n")
    with pytest.raises(ParseError, match="wt2.txt: the file holds no instances"):
        read_orlib_wt(f)
    f.write_text(f"3 {10**30}\n1 2\n5 0\n")
    with pytest.raises(ParseError, match=r"wt2.txt, line 1: 10{30} is out of range"):
        read_orlib_wt(f)


def test_errors_name_file_and_line(tmp_path):
    f = tmp_path / "wt2.txt"
    f.write_text("3 4\n1 x\n5 0\n")
    with pytest.raises(ParseError, match=r"wt2.txt, line 2"):
        read_orlib_wt(f)
    f.write_text("3 4 1 2 5\n")
    with pytest.raises(ParseError, match="whole number"):
        read_orlib_wt(f)
    f.write_text("0 4\n1 2\n5 0\n")
    with pytest.raises(ParseError, match="job 1 has processing time 0"):
        read_orlib_wt(f)
    g = tmp_path / "weird.txt"
    g.write_text("1 1 1\n")
    with pytest.raises(ParseError, match="pass n="):
        read_orlib_wt(g)
    assert read_orlib_wt(g, n=1)[0].n_jobs == 1


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="0123456789 -\nx", max_size=60))
def test_parser_never_crashes(tmp_path_factory, text):
    f = tmp_path_factory.mktemp("o") / "wt2.txt"
    f.write_text(text)
    with contextlib.suppress(ValueError):
        read_orlib_wt(f)


def test_real_files_and_values():
    for n, vfile in ((40, "wtopt40.txt"), (50, "wtopt50.txt"), (100, "wtbest100b.txt")):
        path = require_data("orlib_wt", f"wt{n}.txt")
        probs = schedopt.read(path)
        vals = read_orlib_values(require_data("orlib_wt", vfile))
        assert len(probs) == len(vals) == 125
        assert all(p.n_jobs == n for p in probs)
        # a listed optimum / best-known is never below what ILS can reach ... and never below 0
        assert (vals >= 0).all()
    first = schedopt.read(require_data("orlib_wt", "wt40.txt"))[0]
    r = schedopt.solve(first, method="ils", time_limit=0.5)
    assert r.objective >= int(read_orlib_values(require_data("orlib_wt", "wtopt40.txt"))[0])
    assert np.isin(r.info["sequence"], np.arange(40)).all()
