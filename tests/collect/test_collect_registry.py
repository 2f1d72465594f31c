"""The collector registry is the one list: every collector is a whole :class:`Collector`, and the repo config, the
Evidence model and the fact namespaces hold exactly what the collectors declare."""

from __future__ import annotations

import re
import tomllib
import types
import typing

import pytest
from testing.common import ROOT

from roadmap_ci import facts
from roadmap_ci.collect.base import CollectorError, Fact, Namespace
from roadmap_ci.collect.config import RepoConfig
from roadmap_ci.collect.registry import COLLECTORS, Collector
from roadmap_ci.evidence import Evidence
from roadmap_ci.score.model import RULES

NAMES = list(COLLECTORS)
# the protocol's members: its annotated names and its methods
REQUIRED = [*Collector.__annotations__, *(n for n, v in vars(Collector).items() if callable(v) and n[0] != "_")]


def _collect_extra() -> set[str]:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["collect"]
    return {re.split(r"[<>=\[ ;]", req, maxsplit=1)[0].lower() for req in extra}


def test_the_protocol_names_what_each_collector_carries():
    assert set(REQUIRED) == {"NAME", "NEEDS", "TOOLS", "MODULES", "EVIDENCE", "NAMESPACES",
                             "config", "enabled", "collect", "summary"}


@pytest.mark.parametrize("name", NAMES)
def test_each_collector_is_a_whole_collector(name):
    c = COLLECTORS[name]
    assert isinstance(c, types.ModuleType) and c.__name__ == f"roadmap_ci.collect.{name}"
    missing = [m for m in REQUIRED if not hasattr(c, m)]
    assert not missing, f"{name} lacks {missing}"
    assert name == c.NAME
    for fn in ("config", "enabled", "collect", "summary", *(n for n in ("needs", "warm") if hasattr(c, n))):
        assert callable(getattr(c, fn)), f"{name}.{fn}"
    assert set(c.NEEDS) <= set(COLLECTORS) - {name}
    assert all(isinstance(t, str) for t in (*c.TOOLS, *c.MODULES))
    assert c.EVIDENCE, f"{name} fills no evidence section"


@pytest.mark.parametrize("name", NAMES)
def test_what_a_collector_runs_comes_with_the_collect_extra(name):
    extra = _collect_extra()
    c = COLLECTORS[name]
    assert {t.lower() for t in c.TOOLS} <= extra
    assert {m.replace("_", "-") for m in c.MODULES} <= extra


def test_the_config_keys_are_the_collectors_own_in_registry_order():
    keys = [n for n, c in COLLECTORS.items() if c.config() is not None]
    assert list(RepoConfig.model_fields) == ["deliverable", "rubric", *keys, "files"]
    schema = RepoConfig.model_json_schema()["properties"]
    for name in keys:
        assert name in schema, name
        ann, _ = COLLECTORS[name].config()
        assert COLLECTORS[name].config() is COLLECTORS[name].config(), f"{name}: its key is built once"
        assert type(None) in typing.get_args(ann), f"{name}: an absent key must mean the collector is off"


def test_the_evidence_sections_are_the_collectors_own_each_filled_by_one():
    owners: dict[str, str] = {}
    for name, c in COLLECTORS.items():
        for field in c.EVIDENCE:
            assert field not in owners, f"{field} is filled by {owners[field]} and {name}"
            owners[field] = name
    fields = list(Evidence.model_fields)
    head = fields[: fields.index(next(iter(owners)))]
    assert fields == [*head, *owners, "hidden", "errors"]
    assert set(owners) <= set(Evidence.model_json_schema()["properties"])
    empty = Evidence(deliverable="d")
    assert all(getattr(empty, f) in (None, {}) for f in owners)  # a collector that did not run: nothing


def test_the_namespaces_are_unique_and_all_reach_facts():
    seen: dict[str, str] = {}
    for name, c in COLLECTORS.items():
        for ns, spec in c.NAMESPACES.items():
            assert ns not in seen, f"namespace {ns!r} is declared by {seen[ns]} and {name}"
            seen[ns] = name
            assert isinstance(spec, Namespace) and facts.NAMESPACES[ns] is spec
            assert spec.rules <= set(RULES) and spec.rules
    assert set(facts.NAMESPACES) == {*seen, "hidden"}


@pytest.mark.parametrize("ns", sorted(facts.NAMESPACES))
def test_each_namespace_parses_and_resolves_a_collector_that_did_not_run_to_missing(ns):
    spec = facts.NAMESPACES[ns]
    if spec.key == "required":  # its example names a key, and the error for a missing key shows it
        assert spec.example.startswith(f"{ns}:")
        with pytest.raises(ValueError, match=re.escape(spec.example)):
            facts.parse_ref(ns)
    ref = facts.parse_ref(spec.example if spec.key == "required" else ns)
    ev = Evidence(deliverable="d")
    for want in ("bool", "number", "fraction"):
        fact = facts.resolve(ev, ref, want)
        assert isinstance(fact, Fact) and fact.kind == "missing" and fact.detail, (ns, want, fact)


@pytest.mark.parametrize("name", NAMES)
def test_each_summary_is_one_line_and_says_a_collector_error(name):
    c = COLLECTORS[name]
    line = c.summary({"errors": [CollectorError(collector=name, message="disk on fire")]})
    assert isinstance(line, str) and line and "\n" not in line
    if name != "metrics":  # metrics always counts its values
        assert line == "error: disk on fire"
