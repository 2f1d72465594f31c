"""The JSON Schemas committed under schemas/ are exactly what the models export (editors read them)."""

from __future__ import annotations

import json

import pytest
from testing.common import ROOT


@pytest.mark.parametrize("name", ["rubric", "evidence", "scorecard", "cohort"])
def test_committed_schema_matches_the_model(cli, name):
    res = cli("schema", name)
    assert res.returncode == 0, res.stderr
    committed = json.loads((ROOT / "schemas" / f"{name}.schema.json").read_text())
    assert json.loads(res.stdout) == committed, f"run `make schemas` to refresh schemas/{name}.schema.json"


def test_unknown_schema_name(cli):
    res = cli("schema", "gradebook")
    assert res.returncode == 1
    assert res.stderr.strip() == "error: unknown schema 'gradebook' (allowed: evidence, rubric, scorecard, cohort)"
