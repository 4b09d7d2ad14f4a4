"""Trace reading: format sniffing, bad-input errors (file, line, column), named traces, speed."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.errors import ParseError
from schedopt.serving.traces import TRACES, read_trace, trace_path

from ._data import DATA
from ._data import named_trace as _named


def _write(tmp_path: Path, text: str, name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# ---------------------------------------------------------------- sniffing


def test_azure_format_rebased_with_seven_fractional_digits():
    df = read_trace(DATA / "azure_small.csv")
    assert df.attrs["format"] == "azure"
    assert list(df.columns) == ["arrival", "prompt_tokens", "output_tokens"]
    assert df["prompt_tokens"].dtype == np.int64 and df["output_tokens"].dtype == np.int64
    assert df["arrival"].iloc[0] == 0.0
    # 18:15:50.9951690 - 18:15:46.6805900 = 4.3145790 s; equal stamps allowed; 18:16:01.1 - 18:15:46.68059
    np.testing.assert_allclose(df["arrival"], [0.0, 4.314579, 4.314579, 14.41941], atol=1e-9)
    assert df["prompt_tokens"].tolist() == [374, 396, 879, 91]
    assert df["output_tokens"].tolist() == [44, 109, 2, 1]


def test_stats_format_has_no_arrivals():
    df = read_trace(DATA / "stats_small.csv")
    assert df.attrs["format"] == "stats"
    assert df["arrival"].isna().all()
    assert df["prompt_tokens"].tolist() == [3772, 2015, 74]
    assert df["output_tokens"].tolist() == [54, 156, 918]


def test_stats_format_with_arrived_at(tmp_path):
    p = _write(tmp_path, "arrived_at,num_prefill_tokens,num_decode_tokens\n5.0,10,2\n7.5,20,3\n")
    df = read_trace(p)
    assert df["arrival"].tolist() == [0.0, 2.5]


def test_generic_format_blank_line_skipped():
    df = read_trace(DATA / "generic_small.csv")
    assert df.attrs["format"] == "generic"
    assert df["arrival"].tolist() == [0.0, 0.5, 2.75]
    assert df["prompt_tokens"].tolist() == [100, 5, 42]
    assert df["output_tokens"].tolist() == [20, 300, 7]
    assert list(df.index) == [0, 1, 2]


def test_generic_without_arrival():
    df = read_trace(DATA / "generic_no_arrival.csv")
    assert df["arrival"].isna().all() and len(df) == 2


def test_header_case_and_spaces_tolerated(tmp_path):
    p = _write(tmp_path, "Arrival, Prompt_Tokens, Output_Tokens\n1, 2, 3\n")
    df = read_trace(p)
    assert df["prompt_tokens"].tolist() == [2] and df["output_tokens"].tolist() == [3]


@settings(max_examples=30, deadline=None)
@given(
    rows=st.lists(
        st.tuples(st.floats(0, 1e4, allow_nan=False), st.integers(1, 10**6), st.integers(1, 10**6)),
        min_size=1,
        max_size=30,
    ),
    with_arrival=st.booleans(),
)
def test_generic_round_trip(tmp_path_factory, rows, with_arrival):
    rows = sorted(rows)
    path = tmp_path_factory.mktemp("rt") / "t.csv"
    header = "arrival,prompt_tokens,output_tokens" if with_arrival else "prompt_tokens,output_tokens"
    lines = [f"{a!r},{p},{o}" if with_arrival else f"{p},{o}" for a, p, o in rows]
    path.write_text("\n".join([header, *lines]) + "\n")
    df = read_trace(path)
    assert df["prompt_tokens"].tolist() == [r[1] for r in rows]
    assert df["output_tokens"].tolist() == [r[2] for r in rows]
    if with_arrival:
        np.testing.assert_allclose(df["arrival"], [r[0] - rows[0][0] for r in rows], rtol=0, atol=1e-9)
    else:
        assert df["arrival"].isna().all()


# ---------------------------------------------------------------- bad input


def _error(path: Path) -> ParseError:
    with pytest.raises(ParseError) as info:
        read_trace(path)
    err = info.value
    assert err.path == str(path)
    assert str(path) in str(err)
    return err


def test_missing_columns_lists_found_and_expected(tmp_path):
    p = _write(tmp_path, "TIMESTAMP,ContextTokens,Generated\n2023-11-16 18:15:46.6805900,1,2\n")
    err = _error(p)
    msg = str(err)
    assert err.line == 1 and "line 1" in msg
    assert "'GeneratedTokens'" in msg  # missing column of the closest layout
    assert "found columns: 'TIMESTAMP', 'ContextTokens', 'Generated'" in msg
    for expected in ("num_prefill_tokens", "prompt_tokens", "output_tokens"):
        assert expected in msg


@pytest.mark.parametrize(
    ("rows", "line", "column", "value"),
    [
        ("0,5,3\n1,-4,2\n", 3, "prompt_tokens", "'-4'"),
        ("0,5,3\n1,4,0\n", 3, "output_tokens", "'0'"),
        ("0,5,3\n1,4,2\n2,4.5,2\n", 4, "prompt_tokens", "'4.5'"),
        ("0,5,3\n1,4,lots\n", 3, "output_tokens", "'lots'"),
        ("0,5,3\n1,,2\n", 3, "prompt_tokens", "missing value"),
        ("0,5,3\n\n1,4,-2\n", 4, "output_tokens", "'-2'"),
        ("0,5,3\nsoon,4,2\n", 3, "arrival", "'soon'"),
        ("3,5,3\n2.5,4,2\n", 3, "arrival", "goes backwards"),
    ],
)
def test_bad_generic_rows(tmp_path, rows, line, column, value):
    p = _write(tmp_path, "arrival,prompt_tokens,output_tokens\n" + rows)
    err = _error(p)
    assert err.line == line and f"line {line}" in str(err)
    assert f"column {column!r}" in str(err)
    assert value in str(err)


def test_bad_azure_timestamp(tmp_path):
    p = _write(
        tmp_path,
        "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,1,2\n"
        "2023-13-45 99:00:00.1,1,2\n",
    )
    err = _error(p)
    assert err.line == 3 and "column 'TIMESTAMP'" in str(err) and "'2023-13-45 99:00:00.1'" in str(err)


def test_azure_timestamp_going_backwards_names_both_lines(tmp_path):
    p = _write(
        tmp_path,
        "TIMESTAMP,ContextTokens,GeneratedTokens\n"
        "2023-11-16 18:15:46.6805900,1,2\n"
        "2023-11-16 18:15:47.0000000,1,2\n"
        "2023-11-16 18:15:46.9000000,1,2\n",
    )
    err = _error(p)
    assert err.line == 4
    assert "goes backwards" in str(err) and "on line 3" in str(err) and "column 'TIMESTAMP'" in str(err)


def test_bad_stats_length(tmp_path):
    p = _write(tmp_path, "num_prefill_tokens,num_decode_tokens,num_total_tokens\n10,2,12\n10,-2,8\n")
    err = _error(p)
    assert err.line == 3 and "column 'num_decode_tokens'" in str(err)


def test_too_many_fields(tmp_path):
    p = _write(tmp_path, "arrival,prompt_tokens,output_tokens\n0,1,2\n1,2,3,4\n")
    err = _error(p)
    assert err.line == 3 and "found 4" in str(err)


def test_empty_file_and_header_only(tmp_path):
    assert _error(_write(tmp_path, "", "empty.csv")).line == 1
    err = _error(_write(tmp_path, "prompt_tokens,output_tokens\n", "header.csv"))
    assert "no data rows" in str(err)


def test_missing_file_and_unknown_name(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        read_trace(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="known traces: azure-conv, azure-code, sharegpt, arxiv"):
        trace_path("azure")


def test_named_trace_absent_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SCHEDOPT_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="SCHEDOPT_DATA") as info:
        trace_path("sharegpt")
    assert TRACES["sharegpt"] in str(info.value)


# ---------------------------------------------------------------- real data


def test_azure_conv_trace_fast_and_complete():
    path = _named("azure-conv")
    t0 = time.perf_counter()
    df = read_trace(path)
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0, f"reading the Azure conversation trace took {elapsed:.2f} s"
    assert len(df) == 19_366
    assert df["arrival"].iloc[0] == 0.0 and np.all(np.diff(df["arrival"]) >= 0)
    # SOURCE.md: 18:15:46 -> 19:14:08 (~3502 s), mean in/out 1155/211
    assert 3490 < df["arrival"].iloc[-1] < 3510
    assert 1100 < df["prompt_tokens"].mean() < 1200 and 200 < df["output_tokens"].mean() < 220
    assert read_trace("azure-conv").equals(df)  # by name


@pytest.mark.parametrize(("name", "rows"), [("azure-code", 8_819), ("sharegpt", 30_731), ("arxiv", 28_257)])
def test_other_named_traces(name, rows):
    df = read_trace(_named(name))
    assert len(df) == rows
    assert df["arrival"].isna().all() == (name != "azure-code")
    assert (df["prompt_tokens"] >= 1).all() and (df["output_tokens"] >= 1).all()


def test_a_token_count_beyond_int64_is_a_parse_error(tmp_path):
    from schedopt.errors import ParseError
    from schedopt.serving.traces import read_trace

    bad = tmp_path / "huge.csv"
    bad.write_text("arrival,prompt_tokens,output_tokens\n0.0,10,5\n0.5,1e20,5\n")
    with pytest.raises(ParseError, match=r"huge\.csv.*line 3|line 3.*huge\.csv"):
        read_trace(bad)
