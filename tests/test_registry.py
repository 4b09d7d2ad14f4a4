"""The family registry: plugins, strict options, clear errors, a core that imports no family."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import schedopt
from schedopt import check
from schedopt.errors import NotApplicableError, OptionError, UnknownMethodError
from schedopt.registry import Family, Method, families, refresh, register_family, unregister_family

REPO = Path(__file__).resolve().parents[1]
TOY = REPO / "tests" / "data" / "toyfamily"


# ------------------------------------------------------------------ imports
def _module_graph(root: Path) -> dict[str, set[str]]:
    """``module -> modules it imports`` over the package at ``root`` (from the source, with ``ast``).

    Every import counts, inside functions too, except those under ``if TYPE_CHECKING:``.
    """
    files = {}
    for f in root.rglob("*.py"):
        parts = list(f.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = f
    edges: dict[str, set[str]] = {m: set() for m in files}
    for mod, f in files.items():
        pkg = mod if f.name == "__init__.py" else mod.rsplit(".", 1)[0]
        tree = ast.parse(f.read_text())
        typing_only = {
            id(n)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for stmt in block.body
            for n in ast.walk(stmt)
        }
        for node in ast.walk(tree):
            if id(node) in typing_only:  # never runs: annotations only
                continue
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            else:
                continue
            for t in targets:
                while t and t not in files:
                    t = t.rsplit(".", 1)[0] if "." in t else ""
                if t and t != mod:
                    edges[mod].add(t)
    return edges


def _family_of(module: str) -> str | None:
    parts = module.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 and parts[1] == "families" else None


def test_the_core_imports_no_family():
    edges = _module_graph(REPO / "schedopt")
    applications = ("schedopt.llmeval",)  # built on top of the RCPSP family, not part of the core
    offenders = sorted(
        f"{m} -> {t}"
        for m, targets in edges.items()
        for t in targets
        if _family_of(t) and not _family_of(m) and not m.startswith(applications)
    )
    assert offenders == []


def test_no_import_cycle_leaves_a_family():
    import networkx as nx

    graph = nx.DiGraph([(m, t) for m, ts in _module_graph(REPO / "schedopt").items() for t in ts])
    bad = []
    for comp in nx.strongly_connected_components(graph):
        if len(comp) > 1:
            fams = {_family_of(m) for m in comp}
            if None in fams or len(fams) > 1:
                bad.append(sorted(comp))
    assert bad == []


def test_import_schedopt_loads_no_solver_stack():
    code = (
        "import sys, schedopt\n"
        "heavy = [m for m in ('ortools', 'numba', 'pandas', 'pulp', 'scipy', 'matplotlib', 'networkx') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ------------------------------------------------------------------ a third-party family
@pytest.fixture
def toy_installed(monkeypatch):
    """The ``toyfam`` package of ``tests/data/toyfamily``, found through its entry point."""
    sys.path.insert(0, str(TOY))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(TOY), str(REPO), os.environ.get("PYTHONPATH", "")]))
    refresh()
    try:
        yield sys.modules.get("toyfam") or __import__("toyfam")
    finally:
        sys.path.remove(str(TOY))
        refresh()


def test_an_entry_point_family_solves_checks_and_benchmarks(toy_installed, tmp_path):
    assert "toy" in families() and "rcpsp" in families()
    p = schedopt.toy([3, 1, 2])  # the family's builder, re-exported
    assert p.family == "toy"
    assert "toy-in-order" in schedopt.methods(p) and "ga" not in schedopt.methods(p)
    r = schedopt.solve(p, method="toy-in-order", reverse=True)
    assert r.status == "optimal" and r.objective == 6 and check(p, r.schedule) == []

    f = tmp_path / "three.toy"
    f.write_text("4\n5\n")
    q = schedopt.read(f)  # recognised by the family's sniffer
    assert q.family == "toy" and q.duration.tolist() == [4, 5]

    toy_installed.SEEN.clear()
    r = schedopt.solve(q, method="cpsat", time_limit=10, workers=1, toy_cap=True)
    assert r.status == "optimal" and r.objective == 9 and check(q, r.schedule) == []
    (ctx,) = toy_installed.SEEN
    assert ctx.options == {"toy_cap": True} and ctx.workers == 1 and ctx.deadline is not None
    with pytest.raises(OptionError, match="toy_cap"):
        schedopt.solve(q, method="cpsat", toy_capp=True)

    df = schedopt.bench.run("toy-gen", "toy-in-order,cpsat", time_limit=5, workers=1, progress=False)
    assert len(df) == 6 and (df["valid"] == 1).all() and (df["status"] == "optimal").all()
    assert all('"toy_idle": 0' in info for info in df[df["method"] == "toy-in-order"]["info"])


def test_a_strengthening_reaches_only_its_own_family(toy_installed):
    toy_installed.SEEN.clear()
    generic = schedopt.Problem(duration=[3, 1], capacity=[1], demand=[[1], [1]])
    assert generic.family == "generic"
    schedopt.solve(generic, method="cpsat", time_limit=10, workers=1)
    assert toy_installed.SEEN == []
    with pytest.raises(OptionError, match="no option 'toy_cap'"):
        schedopt.solve(generic, method="cpsat", toy_cap=True)


def test_register_family_rejects_a_taken_reader_format():
    from schedopt.registry import Reader

    clash = Family("clash", readers=(Reader("psplib", lambda path: None),))
    with pytest.raises(ValueError, match="already belong to 'rcpsp'"):
        register_family(clash)
    with pytest.raises(ValueError, match="reserved"):
        register_family(Family("generic"))


def test_family_methods_need_their_family():
    register_family(
        Family("other", methods=(Method("other-run", lambda p, *, time_limit=None, seed=0: None),))
    )
    try:
        rc = schedopt.rcpsp([0, 2, 0], [1], [[0], [1], [0]], successors=[[1], [2], []])
        with pytest.raises(NotApplicableError, match="method of other"):
            schedopt.solve(rc, method="other-run")
    finally:
        unregister_family("other")


def test_a_broken_plugin_is_ignored_with_a_warning_and_session_families_survive_refresh(tmp_path):
    (tmp_path / "badplug.py").write_text(
        "from schedopt.registry import Family, Reader\n"
        "FAMILY = Family('flowshop', readers=(Reader('psplib', lambda path: None),))\n"
    )
    dist = tmp_path / "badplug-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: badplug\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[schedopt.families]\nbad = badplug:FAMILY\n")
    register_family(Family("by-hand"))
    sys.path.insert(0, str(tmp_path))
    try:
        with pytest.warns(UserWarning, match="'bad' .* is ignored: ValueError: .*already belong to 'rcpsp'"):
            refresh()
        assert "flowshop" not in families() and {"rcpsp", "by-hand"} <= set(families())
        assert schedopt.solve(schedopt.single_machine([2, 1], [1, 3]), "edd").objective is not None
    finally:
        sys.path.remove(str(tmp_path))
        unregister_family("by-hand")
        refresh()
    assert "by-hand" not in families()


def test_method_names_pickle_as_strings_and_load_nothing_heavy():
    import pickle

    names = schedopt.methods(schedopt.single_machine([2, 1], [1, 3]))
    assert pickle.loads(pickle.dumps(names)) == [str(n) for n in names]
    assert type(pickle.loads(pickle.dumps(names[0]))) is str


# ------------------------------------------------------------------ options and errors
@pytest.fixture
def small():
    return schedopt.rcpsp([0, 3, 2, 0], [2], [[0], [2], [1], [0]], successors=[[1, 2], [3], [3], []])


def test_a_misspelt_option_is_named_with_a_suggestion(small):
    with pytest.raises(OptionError, match="'max_schedulez'; did you mean 'max_schedules'") as err:
        schedopt.solve(small, "ga", max_schedulez=10)
    assert err.value.option == "max_schedulez" and err.value.valid["max_schedules"] == 5000
    with pytest.raises(OptionError, match="'rcpsp_proof_sharee'; did you mean 'rcpsp_proof_share'"):
        schedopt.solve(small, "cpsat", rcpsp_proof_sharee=0.5)
    sm = schedopt.single_machine([3, 2], [2, 4])
    with pytest.raises(OptionError, match="'edd' has no option 'rule'"):
        schedopt.solve(sm, "edd", rule="x")


def test_unknown_and_inapplicable_methods_are_value_errors_with_suggestions(small):
    with pytest.raises(UnknownMethodError, match="'gaa'; did you mean 'ga'"):
        schedopt.solve(small, "gaa")
    with pytest.raises(NotApplicableError, match="'edd' does not apply .* methods that do: cpsat"):
        schedopt.solve(small, "edd")
    assert issubclass(UnknownMethodError, ValueError) and issubclass(NotApplicableError, ValueError)


@pytest.mark.parametrize("limit", [float("nan"), float("inf"), -1, 0, "5", True])
def test_time_limit_must_be_a_positive_finite_number(small, limit):
    with pytest.raises(OptionError, match="time_limit"):
        schedopt.solve(small, "sgs", time_limit=limit)


def test_workers_must_be_positive(small):
    with pytest.raises(OptionError, match="workers must be a positive integer, got -1"):
        schedopt.solve(small, "cpsat", workers=-1)


def test_methods_show_their_options_and_defaults(small):
    listed = {m: m for m in schedopt.methods(small)}
    assert listed["ga"].defaults["max_schedules"] == 5000
    assert listed["cpsat"].defaults["rcpsp_proof"] is True
    assert "max_schedules=1000" in listed["sgs"].describe()


@pytest.mark.parametrize("name", ["rcpsp", "smtt", "dag", "pods", "quantum"])
def test_every_declared_reference_of_a_builtin_family_resolves(name):
    import inspect

    from schedopt.registry import resolve

    fam = families()[name]
    for ref in fam.builders.values():
        assert callable(resolve(ref))
    for reader in fam.readers:
        assert callable(resolve(reader.read)) and reader.sniff is not None
    for method in fam.methods:
        params = inspect.signature(method.function).parameters
        assert {"time_limit", "seed"} <= set(params), method.name
        kinds = {p.kind for p in params.values()}
        assert inspect.Parameter.VAR_KEYWORD not in kinds, f"{method.name} swallows unknown options"
    if fam.cpsat is not None:
        assert resolve(fam.cpsat).options
    if fam.suites is not None:
        assert list(resolve(fam.suites))
    for w in fam.warmups:
        assert resolve(w.problem)().family == name
