"""The learner's first push, as GitHub runs it: a rendered template, `git init`, and the shipped caller workflows
(roadmap-ci.yml on pull_request, roadmap-ci-report.yml on workflow_run) executed from their YAML files with
tests/testing/workflow_runner.py -- every `run:` step in a fresh runner, `make setup` and the install of roadmap-ci
from git at the release tag included -- ending with the PR comment, the status and the check run on the
loopback fake GitHub. Installs come from the package registry with uv's cache.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from testing.fakegithub import FakeGitHub
from testing.workflow_runner import (
    SHARED,
    Expr,
    FirstPush,
    Runner,
    WorkflowError,
    first_push,
    git,
    publish_this_tree,
    render,
    report_run,
)

from roadmap_ci.report.escape import marker
from roadmap_ci.score.load import load_rubric

ROOT = Path(__file__).resolve().parent.parent


def mentor_settings(deliverable: str) -> tuple[dict[str, str], dict[str, str]]:
    version = load_rubric(ROOT / "rubrics" / f"{deliverable}.yaml").rubric.version
    return ({"ROADMAP_CI_RUBRIC": deliverable, "ROADMAP_CI_RUBRIC_VERSION": str(version)},
            {"ROADMAP_CI_HIDDEN_LABELS": (ROOT / "labels" / f"{deliverable}.csv").read_text().rstrip("\n")})


# ---------------------------------------------------------------- the runner's own rules (fast)


def test_expressions_cover_our_workflows_and_refuse_the_rest():
    ctx = {"inputs": {"rubrics-repository": "", "n": 30}, "github": {"token": "t", "event": {"workflow_run": {
        "conclusion": "success"}}}, "secrets": {"rubrics-token": ""}, "runner": {"temp": "/rt"}}
    e = Expr(ctx, lambda f: f != "cancelled" and f != "failure")
    assert e.render("${{ secrets.rubrics-token || github.token }}") == "t"
    assert e.render("${{ inputs.n }}") == 30 and e.render("x-${{ inputs.n }}") == "x-30"
    assert e.render("${{ runner.temp }}/roadmap-ci-bundle/") == "/rt/roadmap-ci-bundle/"
    assert e.condition("${{ inputs.rubrics-repository != '' }}") is False
    assert e.condition("${{ !cancelled() }}") is True
    assert e.condition("${{ github.event.workflow_run.conclusion != 'cancelled' && "
                       "github.event.workflow_run.conclusion != 'skipped' }}") is True
    assert e.render("${{ fromJSON(inputs.missing || '7') }}") == 7  # a repository variable that is not set
    assert e.render("${{ fromJSON('[1]') }}") == [1]
    for bad in ("${{ steps.x.outputs.y }}", "${{ fromJSON('not json') }}", "${{ toJSON(inputs.n) }}",
                "${{ inputs.n > 3 }}"):
        with pytest.raises(WorkflowError):
            e.render(bad)


def test_every_step_of_our_workflows_is_one_the_runner_knows():
    """No `uses:` the runner would refuse in the workflows a learner's push runs (release.yml aside)."""
    from testing.workflow_runner import load

    known = {"actions/checkout", "actions/setup-python", "astral-sh/setup-uv", "actions/upload-artifact",
             "actions/download-artifact"}
    for path in (ROOT / ".github/workflows/evaluate.yml", ROOT / ".github/workflows/report.yml"):
        for job in load(path)["jobs"].values():
            for step in job["steps"]:
                if "uses" in step:
                    assert step["uses"].split("@")[0] in known, (path.name, step["uses"])


# ---------------------------------------------------------------- the whole path (slow)


# one per deliverable family: tabular, PyTorch, RAG, MLOps
FAMILIES = ["tabular-classification", "image-classifier", "rag-chatbot", "ml-pipeline"]


@pytest.fixture(scope="module")
def pushed(tmp_path_factory):
    """``pushed(template)``: that template's first push (both workflow runs, against its own fake GitHub, left
    running), made once for this module: the tabular push's evaluate run also serves the report-run test below."""
    pushes: dict[str, tuple[FirstPush, Path]] = {}
    fakes: list[FakeGitHub] = []

    def push_of(template: str) -> tuple[FirstPush, Path]:
        if template not in pushes:
            fake = FakeGitHub().start()
            fakes.append(fake)
            base = tmp_path_factory.mktemp(f"push-{template}")
            vars, secrets = mentor_settings(template)
            pushes[template] = first_push(base, fake, template=template, vars=vars, secrets=secrets), base
        return pushes[template]

    yield push_of
    for fake in fakes:
        fake.stop()


@pytest.mark.slow
@pytest.mark.parametrize("template", FAMILIES)
def test_first_push_ends_with_comment_status_and_check_run(pushed, template):
    push, base = pushed(template)
    fake = push.fake
    context = f"roadmap-ci/{template}"
    ev = push.evaluate
    assert ev.result == "success", ev.log()
    assert [s.name for s in ev.steps if s.outcome == "success"][-3:] == [
        "Install roadmap-ci[collect] at the workflow's ref, into the project's .venv", "Collect evidence",
        "Upload evidence and declared outputs"]
    # the evidence came from the learner's own pipeline and tests, run in the runner's fresh .venv
    with zipfile.ZipFile(base / "runner" / "artifacts" / "roadmap-ci-evidence.zip") as zf:
        evidence = json.loads(zf.read("evidence.json"))
    assert evidence["commit"] == push.head_sha
    assert evidence["pipeline"]["status"] == "ok", evidence["pipeline"]
    assert evidence["tests"]["status"] == "ok"
    assert evidence.get("predictions") is None or evidence["predictions"]["status"] == "ok"
    assert not evidence.get("errors"), evidence["errors"]

    rep = push.report
    assert rep is not None and rep.result == "success", rep.log()
    assert "posted: comment" in rep.step("Score and post").output
    # on the fake GitHub: one comment on the PR, a status and a check run for the head commit
    mark = marker(template)
    (comment,) = [c for c in fake.comments("learner/churn", 1) if c["user"]["login"] == fake.bot["login"]]
    assert comment["body"].startswith(mark)
    statuses = [s for s in fake.statuses("learner/churn", push.head_sha)
                if s["context"] == context]
    assert len(statuses) == 1 and statuses[0]["state"] in ("success", "failure")
    runs = [r for r in fake.check_runs.values() if r["name"] == context]
    assert len(runs) == 1 and runs[0]["head_sha"] == push.head_sha and runs[0]["status"] == "completed"
    # the hidden labels reached the score (the report job recomputed the metrics from the predictions)
    out = rep.runner_temp / "roadmap-ci-report" / "out"
    card = json.loads((out / "scorecard.json").read_text())
    # before the due date the after-due criteria (the private split) are pending in everything a learner reads
    after_due = sum(c["max"] for c in card["criteria"] if c["visibility"] == "after_due")
    assert card["pending_points"] == after_due and card["rubric"]["name"]
    hidden = json.loads((out / "evidence.json").read_text()).get("hidden")
    assert hidden and not [k for k in hidden if k.startswith("private.")], hidden
    # the report job installed only the github extra: no dvc, no pandas in its venv
    site = list((rep.runner_temp / "roadmap-ci-venv" / "lib").glob("python3.*/site-packages"))[0]
    assert (site / "github3").is_dir() and not (site / "dvc").exists() and not (site / "pandas").exists()


# ---------------------------------------------------------------- wrong inputs: one line naming the input


@pytest.mark.slow
def test_a_ref_that_does_not_resolve_is_one_line_naming_the_input(tmp_path):
    server = tmp_path / "server"
    publish_this_tree(server, "roadmap-ci/roadmap-ci", "v0.0.9")  # the caller asks for v0.1.0: not there
    project = render("tabular-classification", tmp_path / "render")
    repo = server / "learner/churn"
    repo.parent.mkdir(parents=True)
    project.rename(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    sha = git(repo, "rev-parse", "HEAD")
    with FakeGitHub() as fake:
        runner = Runner(tmp_path / "runner", server=server, api_url=fake.url, token=fake.installation_token)
        (job,) = runner.run_caller(repo / ".github/workflows/roadmap-ci.yml", event_name="push", event={},
                                   repository="learner/churn", sha=sha, ref="refs/heads/main")
    assert job.result == "failure"
    failed = [s for s in job.steps if s.outcome == "failure"]
    assert [s.name for s in failed] == ["Check the roadmap-ci inputs"]  # before anything is installed
    (line,) = job.annotations
    assert line.startswith("::error title=roadmap-ci-ref::input roadmap-ci-ref 'v0.1.0' is no tag or branch of ")
    assert "Traceback" not in failed[0].output


def test_the_caller_passes_only_inputs_the_reusable_workflows_declare(tmp_path):
    """A caller input the reusable workflow does not declare fails the run at start, as on GitHub."""
    bad = tmp_path / "caller.yml"
    bad.write_text((SHARED / "roadmap-ci.yml").read_text().replace("{% raw %}", "").replace("{% endraw %}", "")
                   .replace('python-version: "{{ cookiecutter.python_version }}"', "pyhton-version: '3.11'"))
    runner = Runner(tmp_path / "runner", server=tmp_path / "server", api_url="http://127.0.0.1:9", token="t")
    with pytest.raises(WorkflowError, match="input 'pyhton-version', which it does not declare"):
        runner.run_caller(bad, event_name="push", event={}, repository="learner/churn", sha="0" * 40,
                          ref="refs/heads/main")


@pytest.mark.slow
def test_a_rubric_that_does_not_exist_is_one_line_naming_the_input(pushed, tmp_path):
    """The report run of the tabular first push, with the rubric misspelt (the evaluate run reads no rubric:
    it is that push's own, re-used), on a fresh fake GitHub and a fresh runner."""
    push, _ = pushed("tabular-classification")
    assert push.evaluate.result == "success", push.evaluate.log()
    vars, secrets = mentor_settings("tabular-classification")
    vars["ROADMAP_CI_RUBRIC"] = "tabular-clasification"
    with FakeGitHub() as fake:
        runner = Runner(tmp_path / "runner", server=push.repo.parents[1], api_url=fake.url,
                        token=fake.installation_token)
        rep = report_run(push, runner, fake, vars=vars, secrets=secrets)
        assert rep.result == "failure"
        out = rep.step("Score and post").output
        assert "Traceback" not in out
        errors = [line for line in out.splitlines() if "tabular-clasification" in line]
        assert errors and "input rubric" in errors[0] and "vars.ROADMAP_CI_RUBRIC" in errors[0], out
        assert not fake.comments("learner/churn", 1) and not fake.statuses("learner/churn", push.head_sha)


# ---------------------------------------------------------------- labels in the mentors' rubrics repository (slow)


@pytest.mark.slow
def test_report_reads_the_labels_from_the_rubrics_repository_cohort_apply_points_it_at(tmp_path):
    """What `cohort apply` with `rubrics:` sets up, run from report.yml's YAML: the variables name the private
    rubrics repository, the commit and the labels path; the read-only token is a secret of the report
    environment (the caller cannot pass it). The report job checks that commit out with that token and scores
    the hidden criteria from the labels file there; a path that leaves the checkout is an error status."""
    from testing.ci_fixtures import GOOD_PREDS, HIDDEN_RUBRIC, LABELS
    from testing.workflow_runner import LEARNER

    from roadmap_ci.cohort.apply import ENVIRONMENT

    server = tmp_path / "server"
    publish_this_tree(server, "roadmap-ci/roadmap-ci", "v0.1.0")
    repo = server / LEARNER
    repo.parent.mkdir(parents=True)
    render("tabular-classification", tmp_path / "render").rename(repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Start from the template")
    main_sha = git(repo, "rev-parse", "HEAD")
    grading = server / "mentors/grading"
    (grading / "rubrics").mkdir(parents=True)
    (grading / "rubrics" / "churn.yaml").write_text(HIDDEN_RUBRIC)
    (grading / "labels" / "churn").mkdir(parents=True)
    (grading / "labels" / "churn" / "learner.csv").write_text(LABELS)
    git(grading, "init", "-q", "-b", "main")
    git(grading, "add", "-A")
    git(grading, "commit", "-q", "-m", "labels")
    pinned = git(grading, "rev-parse", "HEAD")
    (grading / "labels" / "churn" / "learner.csv").write_text("id,label,split\n")  # a later commit: not pinned
    git(grading, "commit", "-q", "-am", "later")

    head = "d" * 40
    evidence = {"schema_version": 1, "deliverable": "tabular-classification", "commit": head,
                "predictions": {"path": "data/predictions.csv", "status": "ok", "rows": 4,
                                "bundled_as": "predictions/predictions.csv"}}
    buf = tmp_path / "artifact.zip"
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("evidence.json", json.dumps(evidence))
        zf.writestr("predictions/predictions.csv", GOOD_PREDS)
    owner = {"login": "learner"}
    wr_event = {"action": "completed", "repository": {"full_name": LEARNER, "owner": owner},
                "workflow_run": {"id": 4242, "name": "roadmap-ci", "event": "pull_request", "status": "completed",
                                 "conclusion": "success", "head_sha": head, "head_branch": "feature",
                                 "pull_requests": [], "head_repository": {"full_name": LEARNER, "owner": owner}}}
    vars = {"ROADMAP_CI_RUBRIC": "rubrics/churn.yaml", "ROADMAP_CI_RUBRIC_VERSION": "t1",
            "ROADMAP_CI_RUBRICS_REPOSITORY": "mentors/grading", "ROADMAP_CI_RUBRICS_REF": pinned,
            "ROADMAP_CI_HIDDEN_LABELS_PATH": "labels/churn/learner.csv", "ROADMAP_CI_REPORT_ENVIRONMENT": ENVIRONMENT}
    token = "ghp_grading_read_only"
    caller = repo / ".github" / "workflows" / "roadmap-ci-report.yml"

    def report(fake: FakeGitHub, **override: str):
        fake.add_pull(LEARNER, 1, head_sha=head, head_branch="feature")
        fake.add_workflow_run(LEARNER, 4242, head_sha=head, event="pull_request", head_branch="feature")
        fake.add_artifact(LEARNER, 4242, "roadmap-ci-evidence", buf.read_bytes(), head_sha=head)
        runner = Runner(tmp_path / f"runner-{len(override)}", server=server, api_url=fake.url,
                        token=fake.installation_token, environments={ENVIRONMENT: {"ROADMAP_CI_RUBRICS_TOKEN": token}},
                        private={"mentors/grading": token})
        (job,) = runner.run_caller(caller, event_name="workflow_run", event=wr_event, repository=LEARNER,
                                   sha=main_sha, ref="refs/heads/main", vars={**vars, **override}, secrets={})
        return job

    with FakeGitHub() as fake:
        job = report(fake)
        assert job.result == "success", job.log()
        assert job.step("Check out the mentor's rubrics (pinned; never the learner's code)").outcome == "success"
        assert "posted: comment" in job.step("Score and post").output
        out = job.runner_temp / "roadmap-ci-report" / "out"
        card = json.loads((out / "scorecard.json").read_text())
        assert card["labels"] == "course"
        points = {c["id"]: c["points"] for c in card["criteria"]}
        assert points["hidden-accuracy"] == 10  # scored against the pinned commit's labels (the later one is empty)

    with FakeGitHub() as fake:
        job = report(fake, ROADMAP_CI_HIDDEN_LABELS_PATH="../../../../etc/passwd")
        assert job.result == "failure"
        output = job.step("Score and post").output
        assert "Traceback" not in output
        assert "posted: error (the hidden labels path '../../../../etc/passwd' leaves the rubrics repository" in output
        (status,) = [s for s in fake.statuses(LEARNER, head) if s["state"] == "error"]
        assert status["description"].startswith("could not score: the hidden labels path")
