import warnings

import pytest

import schedopt
from schedopt.errors import ParseError
from schedopt.families.smtt.unweighted_format import read_smtt_unweighted
from tests.conftest import require_data

TEXT = """# comment
1 3 0.2 0.4 1 4
2 3 1
0 4 4
2 2 0.2 0.4 2 0
1 1
5 5
"""


def test_reads_meta(tmp_path):
    f = tmp_path / "tt3_x.txt"
    f.write_text(TEXT)
    probs = read_smtt_unweighted(f)
    assert [p.n_jobs for p in probs] == [3, 2]
    assert probs[0].meta["opt"] == 4 and probs[0].meta["rdd"] == 0.2 and probs[0].meta["tf"] == 0.4
    assert probs[0].objective == "total_tardiness"
    assert read_smtt_unweighted(f, index=1).meta["id"] == 2
    # the listed optimum is right: dp proves it
    assert schedopt.solve(probs[0], method="dp").objective == 4


def test_index_out_of_range_names_file_index_and_count(tmp_path):
    # issue 20: an index beyond the file was a raw IndexError; now a ParseError (still an IndexError)
    f = tmp_path / "tt3_x.txt"
    f.write_text(TEXT)
    with pytest.raises(
        ParseError, match=r"tt3_x.txt: instance index 999 is out of range: the file holds 2 instances"
    ):
        read_smtt_unweighted(f, index=999)
    with pytest.raises(IndexError):
        read_smtt_unweighted(f, index=-1)
    g = tmp_path / "tt3_bad.txt"
    g.write_text(TEXT.replace("2 3 1\n", "2 -3 1\n"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ParseError, match=r"holds 1 instance \(valid indexes: 0\.\.0\); 1 more skipped"):
            read_smtt_unweighted(g, index=1, invalid="skip")


def test_empty_and_huge(tmp_path):
    f = tmp_path / "tt3_e.txt"
    f.write_text("# only a comment\n")
    with pytest.raises(ParseError, match="tt3_e.txt: the file holds no instances"):
        read_smtt_unweighted(f)
    f.write_text(TEXT.replace("0 4 4", f"0 4 {10**30}"))
    with pytest.raises(ParseError, match=r"tt3_e.txt, line 4: due dates: 10{30} is out of range"):
        read_smtt_unweighted(f)


def test_nonpositive_p_raise_or_skip(tmp_path):
    f = tmp_path / "tt3_bad.txt"
    f.write_text(TEXT.replace("2 3 1\n", "2 -3 1\n"))
    with pytest.raises(ParseError, match=r"line 3: instance 1: job 2 has processing time -3"):
        read_smtt_unweighted(f)
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        probs = read_smtt_unweighted(f, invalid="skip")
    assert [p.meta["id"] for p in probs] == [2]
    assert any("skipped 1 instance" in str(w.message) for w in rec)
    assert read_smtt_unweighted(f, index=0, invalid="skip").meta["id"] == 2
    with pytest.raises(ValueError, match="invalid must be"):
        read_smtt_unweighted(f, invalid="flag")


def test_bad_headers(tmp_path):
    f = tmp_path / "tt3_h.txt"
    f.write_text("1 3 0.2 0.4 1\n1 1 1\n1 1 1\n")
    with pytest.raises(ParseError, match="line 1"):
        read_smtt_unweighted(f)
    f.write_text("1 3 0.2 0.4 1 5\n1 1\n1 1 1\n")
    with pytest.raises(ParseError, match="2 processing times"):
        read_smtt_unweighted(f)


def test_real_sets():
    for name, count in (
        ("tt20_uniform_cetinkaya.txt", 800),
        ("tt100_shang.txt", 200),
        ("tt500_shang.txt", 200),
    ):
        assert len(schedopt.read(require_data("smtt_unweighted", name))) == count
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        normal = schedopt.read(require_data("smtt_unweighted", "tt20_normal_cetinkaya.txt"), invalid="skip")
    assert len(normal) == 675
