"""The sink registry (roadmap_ci.publish.sinks.SINKS): every entry keeps the Sink contract, `publish` offers
each as a flag, and the one loop posts to each sink on its own."""

from __future__ import annotations

import subprocess
import sys

import pytest
from testing.common import run_cli

from roadmap_ci.errors import CannotRun
from roadmap_ci.publish.sinks import SINKS, Job, Posted, Sink, post


@pytest.mark.parametrize("name", sorted(SINKS))
def test_every_sink_keeps_the_contract(name):
    sink = SINKS[name]
    assert isinstance(sink, Sink)
    assert sink.name == name and sink.label.strip() and callable(sink.post)


def test_publish_offers_one_flag_per_sink():
    help_text = run_cli("publish", "--help").stdout
    for name in SINKS:
        assert f"--{name}" in help_text, name


def test_the_registry_imports_no_sink_library():
    code = ("import sys, roadmap_ci.publish.sinks; "
            "print([m for m in ('github3', 'mlflow', 'requests', 'jinja2') if m in sys.modules])")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "[]", r.stdout + r.stderr


class _Failing:
    name, label = "failing", "failing sink"

    def post(self, job: Job) -> Posted:
        raise CannotRun("the store is down")


class _Ok:
    name, label = "ok", "ok sink"

    def post(self, job: Job) -> Posted:
        return Posted(f"{self.label}: {job.card}", [f"posted {job.card}"])


def test_one_failing_sink_does_not_stop_the_next(monkeypatch):
    monkeypatch.setitem(SINKS, "failing", _Failing())
    monkeypatch.setitem(SINKS, "ok", _Ok())
    out = post(["failing", "ok"], Job(card="card-1", evidence=None, env={}))  # type: ignore[arg-type]
    assert list(out.posted) == ["ok"] and out.posted["ok"].items == ["posted card-1"]
    assert out.errors() == ["failing sink: the store is down"]
