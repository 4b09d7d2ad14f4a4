"""The answer parser: accepted formats, every failure class, and hypothesis fuzzing."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schedopt.llmeval.parse import MAX_START, PARSE_ERRORS, ParseResult, TaskIndex, parse_answer

NAMES = ["T1", "T2", "T3", "T4"]
STARTS = [0, 3, 3, 7]
GOOD = json.dumps([{"task": n, "start": s} for n, s in zip(NAMES, STARTS)])


@pytest.mark.parametrize(
    "text",
    [
        GOOD,
        f"Here is my schedule.\n```json\n{GOOD}\n```\nIt respects all constraints.",
        f"```\n{GOOD}\n```",
        "Reasoning: T1 has [no predecessors]. Final answer:\n" + GOOD + "\nDone.",
        '[{"task": "T1", "start": 0}, {"task": "T2", "start": 3}, {"task": "T3", "start": 3}, '
        '{"task": "T4", "start": 7},]',
        '[{"Task": "t1", "Start_Time": 0}, {"name": "T2", "begin": 3.0}, {"task_id": "3", "start": "3"}, '
        '{"Task Name": "task 4", "start-at": 7}]',
        '{"schedule": [{"task": "T1", "start": 0}, {"task": "T2", "start": 3}, {"task": "T3", "start": 3}, '
        '{"task": "T4", "start": 7}]}',
        '{"T1": 0, "T2": 3, "T3": 3, "T4": 7}',
        'Answer: {"Solution": {"T1": 0, "T2": 3, "T3": 3, "T4": 7}}',
        '[["T1", 0], ["T2", 3], ["T3", 3], ["T4", 7]]',
        '[{"T1": 0}, {"T2": 3}, {"T3": 3}, {"T4": 7}]',
        "[{'task': 'T1', 'start': 0}, {'task': 'T2', 'start': 3}, {'task': 'T3', 'start': 3}, "
        "{'task': 'T4', 'start': 7}]",
        '[{task: "T1", start: 0}, {task: "T2", start: 3}, {task: "T3", start: 3}, {task: "T4", start: 7}]',
        '[{\u201ctask\u201d: \u201cT1\u201d, \u201cstart\u201d: 0}, {"task": "T2", "start": 3}, '
        '{"task": "T3", "start": 3}, {"task": "T4", "start": 7}]',
        # an earlier draft is superseded by the final list
        '[{"task": "T1", "start": 9}] no wait, corrected:\n' + GOOD,
        # duplicates with the same start are harmless
        GOOD[:-1] + ', {"task": "T2", "start": 3}]',
    ],
)
def test_accepted_formats(text):
    r = parse_answer(text, NAMES)
    assert r.ok, (r.error, r.detail)
    assert r.starts.tolist() == STARTS


@pytest.mark.parametrize(
    "text, error",
    [
        ("", "empty"),
        ("   \n ", "empty"),
        (None, "empty"),
        (42, "empty"),
        ("I cannot solve this problem.", "no_json"),
        ('[{"task": "T1", "start": 0}, {"task": "T2", "sta', "bad_json"),
        ("{{{{ ]]]", "bad_json"),
        ('{"makespan": 12, "ok": [true]}', "wrong_shape"),
        ("[1, 2, 3, 4]", "wrong_shape"),
        ("[]", "wrong_shape"),
        (GOOD[:-1] + ', {"task": "T9", "start": 1}]', "unknown_task"),
        (GOOD[:-1] + ', {"task": "T2", "start": 4}]', "duplicate_task"),
        (GOOD.replace('"start": 3}', '"start": 3.5}', 1), "non_integer_start"),
        (GOOD.replace('"start": 3}', '"start": "soon"}', 1), "non_integer_start"),
        (GOOD.replace('"start": 3}', '"start": null}', 1), "non_integer_start"),
        (GOOD.replace('"start": 3}', '"start": true}', 1), "non_integer_start"),
        (GOOD.replace('"start": 3}', '"start": NaN}', 1), "non_integer_start"),
        (GOOD.replace('"start": 3}', '"start": -2}', 1), "negative_start"),
        (GOOD.replace('"start": 3}', '"start": "-2"}', 1), "negative_start"),
        (GOOD.replace('"start": 3}', f'"start": {MAX_START + 1}}}', 1), "start_out_of_range"),
        (GOOD.replace('"start": 3}', '"start": 1e300}', 1), "start_out_of_range"),
        (json.dumps([{"task": n, "start": 0} for n in NAMES[:3]]), "missing_task"),
        pytest.param("[" * 50_000, "bad_json", id="unclosed"),
        pytest.param("[" * 5000 + "]" * 5000, "bad_json", id="too-deep"),  # RecursionError in json
        pytest.param("[" * 50 + "]" * 50, "wrong_shape", id="nested-lists"),
        pytest.param('[{"task": "T1", "start": ' + "9" * 5000 + "}]", "bad_json", id="huge-int"),
    ],
)
def test_failure_classes(text, error):
    r = parse_answer(text, NAMES)
    assert not r.ok and r.error == error, (r.error, r.detail)
    assert r.error in PARSE_ERRORS and r.starts is None and r.detail


def test_unknown_beats_missing_and_task_index_reuse():
    idx = TaskIndex(NAMES)
    r = parse_answer('[{"task": "T1", "start": 0}, {"task": "X", "start": 1}]', idx)
    assert r.error == "unknown_task"
    assert parse_answer(GOOD, idx).ok


def test_datacenter_names_are_matched_loosely():
    names = ["decommission rack A3", "migrate database cluster D2"]
    text = (
        '[{"task": "Decommission  Rack A3", "start": 0}, {"task": "migrate_database_cluster_D2", "start": 5}]'
    )
    assert parse_answer(text, names).starts.tolist() == [0, 5]
    # a number is not an alias of a non-numbered name
    assert parse_answer('[{"task": 1, "start": 0}, {"task": 2, "start": 0}]', names).error == "unknown_task"


def _check(r: ParseResult, n: int) -> None:
    assert isinstance(r, ParseResult)
    if r.ok:
        assert r.error is None and r.starts is not None
        assert r.starts.dtype == np.int64 and r.starts.shape == (n,)
        assert (r.starts >= 0).all() and (r.starts <= MAX_START).all()
    else:
        assert r.error in PARSE_ERRORS and r.starts is None


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
    | st.sampled_from(NAMES),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(
            st.sampled_from(["task", "start", "Task", "name", "s", "schedule", "x", *NAMES]),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)
junk = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["```", "```json\n", "\n```", "[", "]", "{", "}", ",", '"', "\\", "'", ":", "//", "\u201c"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_fuzz_arbitrary_text(text):
    _check(parse_answer(text, NAMES), len(NAMES))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values, junk, junk)
def test_fuzz_json_values_with_prose(value, before, after):
    text = before + json.dumps(value) + after
    _check(parse_answer(text, NAMES), len(NAMES))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_answers(data):
    text = GOOD
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["cut", "insert", "delete"]))
        i = data.draw(st.integers(0, len(text)))
        if op == "cut":
            text = text[:i]
        elif op == "insert":
            text = text[:i] + data.draw(junk) + text[i:]
        else:
            j = data.draw(st.integers(i, min(len(text), i + 10)))
            text = text[:i] + text[j:]
    r = parse_answer(text, NAMES)
    _check(r, len(NAMES))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 500), min_size=4, max_size=4),
    st.sampled_from(["task", "Task", "name", "task_id", "job"]),
    st.sampled_from(["start", "Start", "start_time", "begin", "s"]),
    st.booleans(),
    st.booleans(),
    st.text(alphabet="abc .:!\n", max_size=30),
)
def test_fuzz_valid_answers_round_trip(starts, tkey, skey, fence, trailing, prose):
    body = ", ".join(json.dumps({tkey: n, skey: s}) for n, s in zip(NAMES, starts))
    text = "[" + body + ("," if trailing else "") + "]"
    if fence:
        text = f"```json\n{text}\n```"
    r = parse_answer(prose + text + prose, NAMES)
    assert r.ok, (r.error, r.detail, text)
    assert r.starts.tolist() == starts
