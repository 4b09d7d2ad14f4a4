"""Suite registry, file suites, family suites and their reference values."""

from __future__ import annotations

from pathlib import Path

import pytest

import schedopt
from schedopt.bench.suites import get_suite, parse_spec, registered_suites
from schedopt.families.rcpsp.suites import generate_rcpsp
from schedopt.families.smtt.suites import generate_smtt
from tests.conftest import INSTANCES, require_data

FAMILY_SUITES = [f"psplib-j{n}" for n in (30, 60, 90, 120)] + [
    "orlib-wt40",
    "orlib-wt50",
    "orlib-wt100",
    "smtt-20",
    "smtt-100",
    "smtt-200",
    "smtt-500",
    "gen-rcpsp",
    "gen-smtt",
    "smoke",
]


def test_registry_lists_family_suites():
    suites = registered_suites()
    assert set(FAMILY_SUITES) <= set(suites)
    assert suites["psplib-j30"].family == "rcpsp" and suites["orlib-wt40"].family == "smtt"


def test_parse_spec():
    assert parse_spec("gen-smtt:n=12,count=3,tf=0.4,x=ab") == (
        "gen-smtt",
        {"n": 12, "count": 3, "tf": 0.4, "x": "ab"},
    )
    with pytest.raises(ValueError, match="key=value"):
        parse_spec("gen-smtt:n")


def test_smoke_touches_every_shipped_family():
    suite = get_suite("smoke")
    folders = {
        p.relative_to(INSTANCES).parts[0]
        for p in INSTANCES.rglob("*")
        if p.suffix in (".sm", ".json", ".rcp")
    }
    assert {r.name.split("/")[0] for r in suite} == folders
    for ref in suite:
        assert isinstance(ref.load(), schedopt.Problem)


def test_unknown_suite_and_bad_params():
    with pytest.raises(ValueError, match="unknown suite"):
        get_suite("no-such-suite")
    with pytest.raises(ValueError, match="unknown parameter"):
        get_suite("gen-smtt:bogus=1")


def test_folder_glob_and_sampling(tmp_path):
    folder = get_suite(str(INSTANCES / "smtt"))
    assert sorted(r.name for r in folder) == ["tt12.json", "wt15.json"]
    globbed = get_suite(str(INSTANCES / "*" / "*.json"))
    assert len(globbed) == len(list(INSTANCES.glob("*/*.json")))
    sample = get_suite("gen-smtt:n=5,count=10,every=3,start=1")
    assert [r.name for r in sample] == ["tt-n5-2", "tt-n5-5", "tt-n5-8"]
    assert sample.name == "gen-smtt:count=10,n=5,every=3,start=1"


def test_generators_are_seeded_and_valid():
    a, b = generate_rcpsp(15, seed=3), generate_rcpsp(15, seed=3)
    assert (a.duration == b.duration).all() and (a.precedence == b.precedence).all()
    assert (a.demand <= a.capacity).all()
    r = schedopt.solve(a, method="cpsat", time_limit=10, workers=1)
    assert r.schedule is not None and schedopt.check(a, r.schedule) == []
    s = generate_smtt(20, tf=0.4, rdd=0.6, weighted=True, seed=1)
    assert s.objective == "total_weighted_tardiness" and (s.due >= 0).all()
    assert (generate_smtt(20, seed=1).duration == generate_smtt(20, seed=1).duration).all()


def test_psplib_references():
    require_data("psplib", "values", "reference.csv")
    suite = get_suite("psplib-j30")
    assert len(suite) == 480 and all(r.reference.proven for r in suite)
    first = suite.instances[0]
    assert first.name == "j301_1" and first.reference.ub == 43
    j120 = get_suite("psplib-j120")
    assert 0 < sum(not r.reference.proven for r in j120) < len(j120)


def test_orlib_proven_per_source():
    require_data("orlib_wt", "wtopt40.txt")
    wt40 = {r.name: r.reference for r in get_suite("orlib-wt40")}
    assert wt40["wt40_1"].optimum == 913
    assert wt40["wt40_19"].lb is None and wt40["wt40_19"].ub is not None
    wt100 = get_suite("orlib-wt100")
    assert wt100.instances[0].reference.ub == 5988 and not any(r.reference.proven for r in wt100)
    wt50 = get_suite("orlib-wt50")
    assert sum(not r.reference.proven for r in wt50) == 10


def test_smtt_references_from_meta():
    require_data("smtt_unweighted", "tt100_shang.txt")
    suite = get_suite("smtt-100:limit=3")
    for r in suite:
        prob = r.load()
        assert r.reference.optimum == prob.meta["opt"]
    assert Path(get_suite("smtt-20:limit=1").instances[0].reference.source).name.startswith("tt20_uniform")


def test_smoke_references_are_the_proven_optima():
    """instances/reference.csv must not go stale: re-prove every optimum here."""
    from schedopt.bench.suites import get_suite

    suite = get_suite("smoke")
    assert len(suite) >= 5
    for ref in suite:
        assert ref.reference.proven, ref.name
        method = "dp" if ref.name.startswith("smtt/") else "cpsat"
        result = schedopt.solve(ref.load(), method=method, time_limit=60)
        assert result.status == "optimal" and result.objective == ref.reference.optimum, ref.name


def test_bad_smoke_reference_row_names_file_and_line(tmp_path):
    from schedopt.bench.suites import _smoke_reference

    f = tmp_path / "reference.csv"
    f.write_text("instance,lb,ub,source\na.json,1,2,x\nb.json,one,2,x\n")
    with pytest.raises(ValueError, match=r"reference.csv, line 3"):
        _smoke_reference(f)
