"""Files, job summary and MLflow sinks (MLflow against a real SQLite store and a real `mlflow server`)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from testing.reportkit import BEFORE_DUE, demo, hostile, many_failures
from testing.servers import free_port, mlflow_server

from roadmap_ci.errors import CannotRun
from roadmap_ci.publish.files import write_reports
from roadmap_ci.publish.mlflow import log_evaluation, metric_key
from roadmap_ci.publish.summary import SUMMARY_LIMIT_BYTES, write_summary
from roadmap_ci.score.scoring import Scorecard


def test_files_sink_writes_every_format_and_the_full_scorecard(tmp_path):
    card, ev = demo()
    files = write_reports(card, ev, tmp_path / "out", now=BEFORE_DUE)
    assert {p.name for p in files.values()} == {"report.md", "report.html", "report.junit.xml", "report.json",
                                               "scorecard.json", "evidence.json"}
    assert Scorecard.model_validate_json(files["scorecard"].read_text()) == card
    assert not list((tmp_path / "out").glob("*.tmp"))


def test_summary_appends_and_respects_the_byte_budget(tmp_path):
    card, ev = many_failures()
    path = tmp_path / "summary.md"
    path.write_text("é" * (SUMMARY_LIMIT_BYTES // 2 - 10_000))  # an earlier step used most of the budget
    before = path.stat().st_size
    assert write_summary(card, ev, env={"GITHUB_STEP_SUMMARY": str(path)}, now=BEFORE_DUE) == path
    assert before < path.stat().st_size <= SUMMARY_LIMIT_BYTES
    assert "roadmap-ci" in path.read_text()


def test_summary_is_skipped_outside_actions_and_refuses_a_full_file(tmp_path):
    card, ev = demo()
    assert write_summary(card, ev, env={}) is None
    full = tmp_path / "s.md"
    full.write_bytes(b"x" * SUMMARY_LIMIT_BYTES)
    with pytest.raises(CannotRun, match="1 MiB"):
        write_summary(card, ev, path=full)


@pytest.mark.parametrize("name,expected", [("metrics.json:f1", "metrics.json:f1"), ("a@b|c", "a_b_c"),
                                           ("../../etc", "_/_/etc"), ("//x", "x"), ("é", "_")])
def test_metric_key_sanitises(name, expected):
    assert metric_key(name) == expected


def _check_run(uri: str, run_id: str, card, ev) -> None:
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    run = client.get_run(run_id)
    assert run.info.status == "FINISHED"
    exp = client.get_experiment(run.info.experiment_id)
    assert exp.name == f"roadmap-ci/{card.deliverable}"
    tags = run.data.tags
    assert (tags["learner"], tags["repo"], tags["commit"], tags["rubric.hash"]) == (
        card.learner, card.repo, card.commit, card.rubric.hash)
    m = run.data.metrics
    assert m["score.total"] == card.total
    assert all(m[metric_key(c.id, "criterion.")] == c.points for c in card.criteria)
    assert all(m[metric_key(k, "learner.")] == v for k, v in ev.metrics.items())
    assert {a.path for a in client.list_artifacts(run_id)} >= {"report.md", "scorecard.json", "evidence.json"}


def test_mlflow_local_sqlite_store(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    card, ev = hostile()
    files = write_reports(card, ev, tmp_path / "out", now=BEFORE_DUE)
    first = log_evaluation(card, ev, files=files.values())
    second = log_evaluation(card, ev, files=files.values())
    assert first.tracking_uri == f"sqlite:///{tmp_path / 'mlflow.db'}"
    assert (tmp_path / "mlflow.db").is_file() and (tmp_path / "mlartifacts").is_dir()
    assert first.experiment_id == second.experiment_id and first.run_id != second.run_id
    _check_run(first.tracking_uri, first.run_id, card, ev)


@pytest.mark.slow
def test_mlflow_tracking_server(tmp_path):
    with mlflow_server(tmp_path, start_timeout=120) as uri:
        card, ev = demo()
        files = write_reports(card, ev, tmp_path / "out", now=BEFORE_DUE)
        result = log_evaluation(card, ev, files=files.values(), env={"MLFLOW_TRACKING_URI": uri})
        assert result.tracking_uri == uri
        _check_run(uri, result.run_id, card, ev)
        assert list((tmp_path / "server-artifacts").rglob("report.md"))  # stored by the server, not locally


def test_mlflow_unreachable_server_is_one_line(tmp_path, monkeypatch):
    card, ev = demo()
    port = free_port()
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    with pytest.raises(CannotRun) as err:
        log_evaluation(card, ev, env={"MLFLOW_TRACKING_URI": f"http://127.0.0.1:{port}"})
    assert "\n" not in str(err.value) and f"127.0.0.1:{port}" in str(err.value)


def test_write_reports_path_is_absolute_or_relative(tmp_path):
    card, ev = demo()
    rel = Path(os.path.relpath(tmp_path / "o"))
    assert write_reports(card, ev, rel, formats=["md"])["md"].read_text().startswith("<!-- roadmap-ci:")


def test_default_tracking_uri_honours_env_and_configured_dir(tmp_path):
    from roadmap_ci.publish.mlflow import default_tracking_uri

    assert default_tracking_uri({"MLFLOW_TRACKING_URI": "http://h:5000"}) == "http://h:5000"
    assert default_tracking_uri({"ROADMAP_CI_MLFLOW_DIR": str(tmp_path)}) == f"sqlite:///{tmp_path / 'mlflow.db'}"
