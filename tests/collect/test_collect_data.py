"""data collector: real Great Expectations 1.x on suites stored as JSON; every bad suite is one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testing.collect_util import ctx, make_repo

from roadmap_ci.collect import data

CSV = "id,label,score\n1,cat,0.5\n2,dog,0.9\n3,cat,1.7\n4,emu,\n"


def suite(name: str, data_file: str | None, exps: list[dict], **extra: object) -> str:
    body: dict[str, object] = {"name": name, "expectations": exps, **extra}
    if data_file is not None:
        body["meta"] = {"data_file": data_file}
    return json.dumps(body)


def by_name(result: dict) -> dict:
    return {s.name: s for s in result["data"]}


@pytest.mark.slow  # imports great_expectations (seconds)
def test_suites_good_bad_and_broken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = [{"type": "expect_column_values_to_be_unique", "kwargs": {"column": "id"}},
            {"type": "expect_table_row_count_to_be_between", "kwargs": {"min_value": 1, "max_value": 10}}]
    failing = [{"type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "label", "value_set": ["cat", "dog"]}},
               {"type": "expect_column_values_to_be_between", "kwargs": {"column": "score", "min_value": 0,
                                                                         "max_value": 1}},
               {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "score"}}]
    repo = make_repo(tmp_path / "r", {
        "data/t.csv": CSV,
        "gx/a_good.json": suite("good", "data/t.csv", good),
        "gx/b_failing.json": suite("failing", "data/t.csv", failing),
        "gx/c_missing_file.json": suite("missing_file", "data/nope.csv", good),
        "gx/d_missing_column.json": suite("missing_column", "data/t.csv",
                                          [{"type": "expect_column_values_to_not_be_null",
                                            "kwargs": {"column": "age"}}]),
        "gx/e_old.json": json.dumps({"expectation_suite_name": "old", "expectations": [
            {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}}]}),
        "gx/f_unknown.json": suite("unknown", "data/t.csv", [{"type": "expect_magic", "kwargs": {}}]),
        "gx/g_bad_kwargs.json": suite("bad_kwargs", "data/t.csv",
                                      [{"type": "expect_column_values_to_be_between", "kwargs": {"colum": "id"}}]),
        "gx/h_no_meta.json": suite("no_meta", None, good),
        "gx/i_not_json.json": "{not json",
    })
    # a developer's run: the local cache is on (CI runs this suite with CI=true, which turns it off)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("ROADMAP_CI_NO_CACHE", raising=False)
    got = by_name(data.collect(ctx(repo, {"data": {"suites": "gx/*.json"}})))

    assert got["good"].status == "ok" and [e.success for e in got["good"].expectations] == [True, True]

    f = got["failing"]
    assert f.status == "failed" and f.data_file == "data/t.csv"
    in_set, between, not_null = f.expectations  # in the suite's order
    assert (in_set.type, in_set.column, in_set.success) == ("expect_column_values_to_be_in_set", "label", False)
    assert in_set.unexpected_count == 1 and in_set.unexpected_percent == 25.0 and in_set.partial_unexpected == ["emu"]
    assert between.success is False and between.partial_unexpected == ["1.7"]
    assert between.kwargs == {"column": "score", "min_value": 0.0, "max_value": 1.0}
    assert not_null.success is False and not_null.unexpected_count == 1

    errors = {n: s.message for n, s in got.items() if s.status == "error"}
    assert errors["missing_file"] == "gx/c_missing_file.json: data file 'data/nope.csv' not found"
    assert errors["missing_column"].startswith(
        "gx/d_missing_column.json: expectation 1 (expect_column_values_to_not_be_null) names column 'age', "
        "which data/t.csv does not have (columns: id, label, score)")
    assert "Great Expectations 0.x suite" in errors["e_old"]
    assert errors["unknown"] == "gx/f_unknown.json: expectation 1 (expect_magic) is invalid: expect_magic not found"
    assert errors["bad_kwargs"].startswith("gx/g_bad_kwargs.json: expectation 1 (expect_column_values_to_be_between) "
                                           "is invalid: column: field required")
    assert "names no data file" in errors["h_no_meta"]
    assert errors["i_not_json"].startswith("gx/i_not_json.json: not valid JSON")
    assert all("\n" not in m for m in errors.values())

    # unchanged suites and data: answered from the local cache, GX is not asked again
    c = ctx(repo, {"data": {"suites": "gx/*.json"}})
    assert data._cache_hits(c) is False  # suites in error are never cached
    calls: list[str] = []
    real = data._validate
    monkeypatch.setattr(data, "_validate", lambda *a: calls.append(a[3]["name"]) or real(*a))
    valid = {"good", "failing"}  # the suites in error (invalid expectations) are validated every time
    again = data.collect(c)["data"]
    assert [s.model_dump() for s in again] == [s.model_dump() for s in got.values()]
    assert valid.isdisjoint(calls)
    (repo / "data/t.csv").write_text(CSV.replace("emu", "dog"))  # the data changed: validated afresh
    fresh = by_name(data.collect(c))
    assert sorted(valid.intersection(calls)) == ["failing", "good"]
    assert fresh["failing"].expectations[0].success is True
    monkeypatch.setenv("CI", "true")  # CI never uses the cache
    calls.clear()
    data.collect(c)
    assert sorted(valid.intersection(calls)) == ["failing", "good"]


def test_a_suite_that_is_not_utf8_is_refused_with_its_file_and_line(tmp_path: Path) -> None:
    """As a non-UTF-8 .roadmap-ci.yml is: one line naming the file (its text was decoded with U+FFFD and the
    suite ran as if the learner had written that)."""
    latin1 = b'{\n  "name": "caf\xe9", "expectations": [], "meta": {"data_file": "data/t.csv"}\n}\n'
    repo = make_repo(tmp_path / "r", {"data/t.csv": CSV, "gx/latin.json": latin1,
                                      "gx/nul.json": b'{"name": "x\x00"}'})
    got = data.collect(ctx(repo, {"data": {"suites": "gx/*.json"}}))["data"]
    assert [(s.status, s.message) for s in got] == [
        ("error", "gx/latin.json:2: not UTF-8 text (byte 0xe9)"),
        ("error", "gx/nul.json:1: binary data, expected a text suite")]


def test_long_unexpected_values_are_truncated() -> None:
    assert data._text("x" * 500) == "x" * (data.VALUE_CHARS - 1) + "…"


def test_no_suites_found_is_an_empty_list(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "# r\n"})
    assert data._suite_files(ctx(repo, {"data": {"suites": ["gx/*.json"]}})) == []
