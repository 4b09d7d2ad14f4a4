"""Kubernetes quantities: the documented examples, rounding, errors and a fuzz test."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from schedopt.errors import ParseError
from schedopt.families.pods.quantities import parse_fraction, parse_quantity, resource_amount


@pytest.mark.parametrize(
    ("text", "cpu", "memory"),
    [
        # the examples of https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
        ("500m", 500, 1),
        ("0.1", 100, 1),
        ("1", 1000, 1),
        ("128974848", 128974848000, 128974848),
        ("129e6", 129000000000, 129000000),
        ("129M", 129000000000, 129000000),
        ("123Mi", 128974848000, 128974848),
        ("1e3", 1000000, 1000),
        ("1E3", 1000000, 1000),
        ("1k", 1000000, 1000),
        ("1Ki", 1024000, 1024),
        ("1Gi", 1073741824000, 1073741824),
        ("1.5Gi", 1610612736000, 1610612736),
        ("100n", 1, 1),  # 1e-7 cpu: rounded up to one millicore
        ("1u", 1, 1),
        ("1500m", 1500, 2),
        (".5", 500, 1),
        ("5.", 5000, 5),
        ("+2", 2000, 2),
        ("1e-3", 1, 1),
        ("0", 0, 0),
        (2, 2000, 2),  # YAML numbers
        (0.25, 250, 1),
    ],
)
def test_documented_examples(text, cpu, memory):
    assert resource_amount("cpu", text) == cpu
    assert resource_amount("memory", text) == memory


def test_exact_values_and_exa_suffix():
    assert parse_fraction("1E") == 10**18  # E alone is exa, E3 an exponent
    assert parse_fraction("1Ei") == 2**60
    assert parse_fraction("-1.5k") == -1500
    assert parse_quantity("-1500m") == -2  # away from zero, as Kubernetes RoundUp


@pytest.mark.parametrize(
    "bad", ["12x", "", "Ki", "1 Gi", "1e", "1KI", "1.2.3", "--1", "1m1", "e3", None, True, [1]]
)
def test_malformed_names_object_and_field(bad):
    where = "Pod default/web-1: spec.containers[0].resources.requests.cpu"
    with pytest.raises(ParseError) as err:
        resource_amount("cpu", bad, where=where, path="cluster.json")
    msg = str(err.value)
    assert msg.startswith(f"cluster.json: {where}: ") and "is not a quantity" in msg


def test_exact_message():
    with pytest.raises(
        ParseError,
        match=r'^Pod default/web-1: spec.containers\[0\].resources.requests.cpu: "12x" '
        r"is not a quantity$",
    ):
        resource_amount("cpu", "12x", where="Pod default/web-1: spec.containers[0].resources.requests.cpu")


@pytest.mark.parametrize("big", ["1e99", "9Ei", "1E"])
def test_out_of_range(big):
    with pytest.raises(ParseError, match="out of range"):
        resource_amount("cpu", big)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.text(max_size=20), st.text(alphabet="0123456789.+-eEkKMGTPinum ", max_size=12)))
def test_never_crashes_with_anything_but_parse_error(text):
    try:
        value = resource_amount("cpu", text)
    except ParseError:
        return
    assert isinstance(value, int) and abs(value) < 2**63


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10**6), st.sampled_from(["", "k", "M", "Ki", "Mi", "Gi", "m"]))
def test_integers_with_suffix(n, suffix):
    mult = {"": 1, "k": 1000, "M": 10**6, "Ki": 1024, "Mi": 2**20, "Gi": 2**30}
    if suffix == "m":
        assert resource_amount("cpu", f"{n}m") == n and resource_amount("memory", f"{n}m") == -(-n // 1000)
    else:
        assert resource_amount("memory", f"{n}{suffix}") == n * mult[suffix]
