"""The family declaration and the lazy public names."""

from __future__ import annotations

import importlib

import pytest

import schedopt.families.quantum as quantum


def test_family_declaration_resolves() -> None:
    fam = quantum.FAMILY
    assert fam.name == "quantum"
    assert {m.name for m in fam.methods} == {"edf-single", "edf-block", "edf-nonblock", "cpsat"}
    for ref in fam.builders.values():
        module, attr = ref.split(":")
        assert callable(getattr(importlib.import_module(module), attr))


def test_lazy_exports() -> None:
    assert quantum.synthesize.__module__.endswith("protocol")
    assert quantum.ProtocolShape.__name__ == "ProtocolShape"
    for name in quantum.__all__:
        assert getattr(quantum, name) is not None
    with pytest.raises(AttributeError):
        quantum.nothing_here  # noqa: B018
