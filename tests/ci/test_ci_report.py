"""`roadmap-ci ci-report`, the privileged step: synthetic workflow_run payloads (a fork PR with an empty
pull_requests list, a push), and one test per attack on the trust boundary.

The GitHub API is an in-memory double of the few read endpoints ci-report calls itself (pulls, artifacts,
runs, statuses) and posting is recorded by a Publisher double; the real-HTTP simulation through
roadmap_ci.publish against tests/testing/fakegithub.py, through the real command, is tests/test_ci_simulation.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from testing.ci_fixtures import (
    API,
    LABELS,
    OLD_SHA,
    POOR_PREDS,
    ROOT_SHA,
    RUBRIC,
    SHA,
    FakeAPI,
    Recorder,
    bundle,
    event,
    evidence,
    make_zip,
    pull,
)
from testing.ci_fixtures import setup as setup  # noqa: F401 (a fixture, used by name)
from testing.common import run_cli

from roadmap_ci.ci.artifact import ArtifactError, download_artifact, extract_artifact
from roadmap_ci.ci.event import Run, read_event
from roadmap_ci.ci.quota import HIDDEN_CONTEXT, feedback_used, ledger_context
from roadmap_ci.ci.step import ci_report
from roadmap_ci.errors import CannotRun, InvalidInput


def crit(card, cid):
    return next(c for c in card.criteria if c.id == cid)


# ---------------------------------------------------------------- the simulations


def test_fork_pr_with_empty_pull_requests_is_found_through_the_api(setup):
    api = FakeAPI(pulls=[pull(7)], artifact=bundle())
    out, rec = setup(event(), api)
    assert out.posted == "comment"
    (target, card, ev), = rec.published
    assert (target.kind, target.number, target.sha, target.repo) == ("pull_request", 7, SHA, "mentor/course")
    assert api.calls[0] == (f"{API}/repos/mentor/course/pulls", {"head": "learner:feature", "state": "open",
                                                                 "per_page": 30})
    # no due date is set, so the after-due criterion (private split) stays out of everything the learner reads
    assert ev.hidden == {"public.accuracy": 1.0, "public.f1": 1.0}
    assert card.total == 10 and card.pending_points == 10 and card.passed
    assert crit(card, "hidden-f1").status == "pending" and crit(card, "hidden-f1").value is None
    assert (ev.commit, ev.repo, ev.learner) == (SHA, "learner/course", "learner")
    written = json.loads((out.files[1]).read_text())
    assert written["total"] == 10


def test_nothing_after_due_reaches_any_file_before_due_and_everything_after(setup, tmp_path):
    rubric = tmp_path / "mentor" / "rubric.yaml"
    rubric.write_text(RUBRIC.replace("pass_mark: 5", "pass_mark: 5\ndue: 2026-11-30T23:59:00Z"))
    api = FakeAPI(pulls=[pull(7)], artifact=bundle(POOR_PREDS))  # private accuracy 0.5, f1 0
    before = datetime(2026, 11, 30, 12, tzinfo=UTC)
    out, rec = setup(event(), api, now=before)
    files = {f.name: f for f in out.files}  # evidence.json, scorecard.json, report.md/.html/.junit.xml/.json
    assert set(files) >= {"evidence.json", "scorecard.json", "report.md", "report.html", "report.json"}
    assert sorted(json.loads(files["evidence.json"].read_text())["hidden"]) == ["public.accuracy", "public.f1"]
    for name in ("scorecard.json", "report.json"):
        (c,) = [c for c in json.loads(files[name].read_text())["criteria"] if c["id"] == "hidden-f1"]
        assert (c["status"], c["points"], c["value"], c["children"]) == ("pending", 0.0, None, []), name
        assert c["reason"].startswith("scored after the due date (2026-11-30"), name
    for f in out.files:
        assert "private.accuracy" not in f.read_text(), f.name
    card = json.loads((out.files[1]).read_text())
    digests = {card["evidence_digest"]}
    assert card["total"] == 0 and card["pending_points"] == 10
    after = datetime(2026, 12, 1, 0, 1, tzinfo=UTC)
    out, rec = setup(event(), api, now=after)
    (_, card, ev), = rec.published
    assert ev.hidden["private.accuracy"] == 0.5 and crit(card, "hidden-f1").status == "fail"
    assert card.pending_points == 0 and card.evidence_digest not in digests


def test_push_to_own_repo_posts_status_not_comment(setup):
    api = FakeAPI(artifact=bundle(), repo="learner/course")
    out, rec = setup(event("push", branch="main", repo="learner/course"), api)
    assert out.posted == "status"
    (target, _, _), = rec.published
    assert (target.kind, target.number, target.repo) == ("push", None, "learner/course")
    assert not any(url.endswith("/pulls") for url, _ in api.calls)


def test_cli_dry_run_on_a_push(tmp_path):
    (tmp_path / "rubric.yaml").write_text(RUBRIC)
    (tmp_path / "labels.csv").write_text(LABELS)
    (tmp_path / "a.zip").write_bytes(bundle(POOR_PREDS))
    (tmp_path / "event.json").write_text(json.dumps(event("push", repo="learner/course")))
    import os
    import subprocess
    import sys

    env = {**os.environ, "GITHUB_EVENT_PATH": str(tmp_path / "event.json"), "GITHUB_API_URL": API}
    proc = subprocess.run([sys.executable, "-m", "roadmap_ci", "ci-report", "--rubric", str(tmp_path / "rubric.yaml"),
                           "--rubric-version", "t1", "--artifact", str(tmp_path / "a.zip"), "--workdir",
                           str(tmp_path / "w"), "--dry-run"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "tabular-classification: 0/20 (below the pass mark)" in proc.stdout
    assert "posted: nothing (dry run)" in proc.stdout
    card = json.loads((tmp_path / "w" / "out" / "scorecard.json").read_text())
    assert card["total"] == 0


# ---------------------------------------------------------------- attacks


def test_perfect_hidden_claim_is_replaced_by_the_predictions(setup):
    claimed = {"public.accuracy": 1.0, "public.f1": 1.0, "private.accuracy": 1.0, "private.f1": 1.0}
    api = FakeAPI(pulls=[pull(7)], artifact=bundle(POOR_PREDS, hidden=claimed,
                                                    errors=[{"collector": "other", "message": "x"}]))
    out, rec = setup(event(), api)
    (_, card, ev), = rec.published
    assert ev.hidden == {"public.accuracy": 0.0, "public.f1": 0.0}  # the private split is after-due
    assert crit(card, "hidden-accuracy").points == 0 and crit(card, "hidden-f1").points == 0
    assert card.total == 0 and not card.passed


def test_head_sha_moved_posts_nothing_for_the_stale_run(setup):
    api = FakeAPI(pulls=[pull(7, sha=OLD_SHA)], artifact=bundle())  # the PR's head is now another commit
    out, rec = setup(event(), api)
    assert out.posted == "nothing" and "stale run" in out.reason
    assert not rec.published and not rec.errors
    assert not any("artifacts" in url for url, _ in api.calls), "a stale run's artifact is not even downloaded"


def test_forged_pr_number_is_ignored(setup):
    # the artifact names PR 99 (someone else's) in every place a learner controls; the API decides: PR 7
    api = FakeAPI(pulls=[pull(7), pull(99, branch="feature", owner="victim")],
                  artifact=bundle(ref="refs/pull/99/merge", repo="mentor/course", learner="victim"))
    payload = event()
    payload["workflow_run"]["pull_requests"] = [{"number": 99}]  # ignored even when present
    out, rec = setup(payload, api)
    (target, _, ev), = rec.published
    assert target.number == 7
    assert (ev.ref, ev.repo, ev.learner) == ("feature", "learner/course", "learner")


def test_same_branch_name_in_another_fork_is_not_our_pr(setup):
    other = pull(8, owner="learner")
    other["head"]["repo"]["full_name"] = "learner/other-repo"  # same owner and branch, different head repo
    out, rec = setup(event(), FakeAPI(pulls=[other], artifact=bundle()))
    assert out.posted == "nothing" and not rec.published


@pytest.mark.parametrize("branch", ["$(touch PWNED)", "a;touch PWNED", "`touch PWNED`", "x' && touch PWNED #",
                                    'x"$IFS"y', "feature/${{ github.token }}"])
def test_branch_names_and_titles_with_shell_metacharacters(setup, tmp_path, monkeypatch, branch):
    monkeypatch.chdir(tmp_path)
    title = "$(touch PWNED) `id` ${{ secrets.X }} <!-- roadmap-ci -->"
    api = FakeAPI(pulls=[pull(7, branch=branch, title=title)], artifact=bundle())
    out, rec = setup(event(branch=branch), api)
    (target, _, ev), = rec.published
    assert api.calls[0][1]["head"] == f"learner:{branch}"  # passed as data (URL-encoded by requests), never a shell
    assert target.title == title and ev.ref == branch
    assert not list(tmp_path.rglob("PWNED"))


@pytest.mark.parametrize(("entries", "symlinks", "message"), [
    ({"../evil.txt": "x"}, None, "leaves the artifact"),
    ({"a/../../evil.txt": "x"}, None, "leaves the artifact"),
    ({"/etc/evil.txt": "x"}, None, "is an absolute path"),
    ({"C:/evil.txt": "x"}, None, "is an absolute path"),
    ({"a\\..\\evil.txt": "x"}, None, "backslash"),
    ({}, {"predictions/predictions.csv": "/etc/passwd"}, "is a symlink"),
])
def test_hostile_artifact_entries_are_rejected(setup, tmp_path, entries, symlinks, message):
    data = make_zip({"evidence.json": json.dumps(evidence()), **entries}, symlinks)
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=data))
    assert out.posted == "error" and message in out.reason
    (target, msg), = rec.errors
    assert target.number == 7 and msg.startswith("artifact rejected:")
    assert not rec.published
    assert not (tmp_path / "evil.txt").exists() and not (tmp_path / "rt" / "evil.txt").exists()
    assert not (tmp_path / "rt" / "roadmap-ci-report" / "bundle").exists(), "nothing is extracted"


def test_oversized_artifact_is_rejected(tmp_path):
    data = make_zip({"evidence.json": json.dumps(evidence()), "big.bin": b"0" * 200_000})
    z = tmp_path / "a.zip"
    z.write_bytes(data)
    with pytest.raises(ArtifactError, match=r"is 200,000 bytes \(more than 100,000\)"):
        extract_artifact(z, tmp_path / "x", max_entry_bytes=100_000)
    with pytest.raises(ArtifactError, match=r"the artifact is \d[\d,]* bytes, more than the 100 allowed"):
        extract_artifact(z, tmp_path / "x", max_zip_bytes=100)
    many = tmp_path / "many.zip"
    many.write_bytes(make_zip({f"f{i}": "" for i in range(30)}))
    with pytest.raises(ArtifactError, match="30 entries, more than the 10 allowed"):
        extract_artifact(many, tmp_path / "y", max_entries=10)
    assert not (tmp_path / "x").exists()


def test_oversized_download_stops_streaming(tmp_path):
    run = Run("mentor/course", 1, "pull_request", SHA, "f", "learner/course", "learner", "success")
    api = FakeAPI(artifact=b"z" * 5000)
    with pytest.raises(ArtifactError, match="more than the 1,000 allowed"):
        download_artifact(api, API, "mentor/course", run, "roadmap-ci-evidence", tmp_path / "a.zip",
                             max_bytes=1000)


def test_schema_invalid_evidence_is_rejected(setup):
    data = make_zip({"evidence.json": json.dumps({"schema_version": 1, "deliverable": "d", "surprise": 1})})
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=data))
    assert out.posted == "error" and "unknown key" in out.reason


def test_bundled_predictions_path_may_not_leave_the_artifact(setup):
    ev = evidence()
    ev["predictions"]["bundled_as"] = "../../mentor/labels.csv"  # try to score the labels against themselves
    data = make_zip({"evidence.json": json.dumps(ev)})
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=data))
    assert out.posted == "error" and "not a path inside the artifact" in out.reason


def test_missing_predictions_score_zero_with_reason(setup):
    data = make_zip({"evidence.json": json.dumps(evidence())})  # predictions declared but not bundled
    out, rec = setup(event(), FakeAPI(pulls=[pull(7)], artifact=data))
    (_, card, _), = rec.published
    c = crit(card, "hidden-accuracy")
    assert c.points == 0 and "the predictions file is missing" in c.reason


def test_rubric_version_is_pinned(setup):
    with pytest.raises(CannotRun, match="is version 't1', but the workflow pins 't2'"):
        setup(event(), FakeAPI(pulls=[pull(7)], artifact=bundle()), version="t2")


def test_feedback_rubric_refuses_a_path_as_deliverable(setup, tmp_path):
    ev_path = tmp_path / "e.json"
    ev_path.write_text(json.dumps(event()))
    rec = Recorder()
    api = FakeAPI(pulls=[pull(7)], artifact=bundle(deliverable="../../mentor/rubric"))
    out = ci_report(rubric="", rubric_version="", env={"GITHUB_EVENT_PATH": str(ev_path), "GITHUB_API_URL": API,
                                                           "RUNNER_TEMP": str(tmp_path)}, session=api, publisher=rec)
    assert out.posted == "error" and "is not a deliverable id" in out.reason


def test_malformed_event_is_refused(tmp_path):
    p = tmp_path / "e.json"
    bad = event()
    bad["workflow_run"]["head_sha"] = "$(id)"
    p.write_text(json.dumps(bad))
    with pytest.raises(InvalidInput, match="malformed head_sha"):
        read_event(p)
    p.write_text(json.dumps({"pull_request": {}}))
    with pytest.raises(InvalidInput, match="runs on the workflow_run event"):
        read_event(p)


# ---------------------------------------------------------------- daily limit


def test_feedback_used_counts_one_login_one_day_and_the_creator():
    day = "2026-11-20"
    ctx = ledger_context("Ann", day)
    assert ctx == f"{HIDDEN_CONTEXT}/{day}/ann"
    bot = {"login": "github-actions[bot]"}
    statuses = [{"id": 9, "context": ctx, "created_at": f"{day}T09:00:00Z", "creator": bot},
                {"id": 8, "context": ctx, "created_at": f"{day}T08:00:00Z", "creator": {"login": "ann"}},
                {"id": 7, "context": ledger_context("bob", day), "created_at": f"{day}T08:00:00Z", "creator": bot},
                {"id": 6, "context": ctx, "created_at": f"{day}T07:00:00Z", "creator": bot},
                {"id": 5, "context": ledger_context("ann", "2026-11-19"), "created_at": "2026-11-19T23:00:00Z",
                 "creator": bot}]
    assert feedback_used(statuses, ctx, day) == 3
    assert feedback_used(statuses, ctx, day, creator="github-actions[bot]") == 2  # a learner's own fake mark
    assert feedback_used(statuses, ctx, day, creator="github-actions[bot]", upto_id=6) == 1


NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)


def limited_rubric(tmp_path: Path, limit: int) -> None:
    rubric = tmp_path / "mentor" / "rubric.yaml"
    rubric.write_text(RUBRIC.replace("  metrics: [accuracy, f1]", f"  metrics: [accuracy, f1]\n  daily_limit: {limit}"))


def feedback_given(setup, payload, api) -> bool:
    out, rec = setup(payload, api, now=NOW)
    (_, card, ev), = rec.published
    if ev.hidden is None:
        assert "daily limit of" in crit(card, "hidden-accuracy").reason
    return ev.hidden is not None


def test_daily_limit_counts_reruns_of_the_same_commit(setup, tmp_path):
    limited_rubric(tmp_path, 2)
    api = FakeAPI(pulls=[pull(7)], artifact=bundle())
    assert [feedback_given(setup, event(), api) for _ in range(4)] == [True, True, False, False]
    assert len(api.statuses[ROOT_SHA]) == 2  # withheld runs post no mark
    assert {s["context"] for s in api.statuses[ROOT_SHA]} == {ledger_context("learner", "2026-11-20")}


def test_daily_limit_survives_new_prs_force_pushes_and_deleted_runs(setup, tmp_path):
    limited_rubric(tmp_path, 2)
    api = FakeAPI(pulls=[pull(7)], artifact=bundle())
    assert feedback_given(setup, event(), api)
    api.pulls = [pull(8, sha=OLD_SHA, branch="again")]  # closed #7, a new PR on another branch and commit
    api.runs = []  # every workflow run deleted: the ledger does not read runs
    api.artifact, api.artifact_sha = bundle(commit=OLD_SHA), OLD_SHA
    assert feedback_given(setup, event(sha=OLD_SHA, branch="again"), api)
    api.artifact, api.artifact_sha = bundle(), SHA
    api.pulls = [pull(9, sha=SHA, branch="forced")]  # the first commit force-pushed to a third branch
    assert not feedback_given(setup, event(branch="forced"), api)


def test_other_learners_marks_never_count_even_past_the_first_page(setup, tmp_path):
    limited_rubric(tmp_path, 1)
    others = [{"id": 1000 - i, "context": ledger_context(f"peer{i}", "2026-11-20"),
               "created_at": "2026-11-20T11:00:00Z"} for i in range(250)]
    mine = {"id": 10, "context": ledger_context("learner", "2026-11-20"), "created_at": "2026-11-20T06:00:00Z"}
    api = FakeAPI(pulls=[pull(7)], artifact=bundle(), statuses={ROOT_SHA: [*others, mine]})
    assert not feedback_given(setup, event(), api)  # the learner's one mark sits on page 3
    assert sum(1 for url, _ in api.calls if url.endswith(f"{ROOT_SHA}/statuses")) == 3
    api.statuses[ROOT_SHA] = others
    assert feedback_given(setup, event(), api)


def test_a_race_for_the_last_feedback_is_decided_by_the_marks_order(setup, tmp_path):
    limited_rubric(tmp_path, 1)
    api = FakeAPI(pulls=[pull(7)], artifact=bundle())
    # another run of this learner posted its mark between this run's count and its own mark
    rival = {"id": 1, "context": ledger_context("learner", "2026-11-20"), "created_at": "2026-11-20T11:59:00Z"}
    real_get = api.get
    reads = []

    def get(url, params=None, **kw):
        if url.endswith(f"{ROOT_SHA}/statuses"):
            reads.append(url)
            if len(reads) == 2:
                api.statuses[ROOT_SHA].append(rival)  # older id than ours: it was first
        return real_get(url, params, **kw)

    api.get = get
    assert not feedback_given(setup, event(), api)


def test_the_ledger_commit_is_pinned_by_the_mentor(setup, tmp_path):
    limited_rubric(tmp_path, 1)
    pinned = "d" * 40
    api = FakeAPI(pulls=[pull(7)], artifact=bundle())
    out, rec = setup(event(), api, now=NOW, env={"ROADMAP_CI_LEDGER_SHA": pinned})
    assert list(api.statuses) == [pinned] and api.commit_reads == 0
    with pytest.raises(CannotRun, match="ROADMAP_CI_LEDGER_SHA"):
        setup(event(), api, now=NOW, env={"ROADMAP_CI_LEDGER_SHA": "main"})


def test_run_cli_helper_is_the_real_entry_point():
    proc = run_cli("ci-report", "--help")
    assert proc.returncode == 0 and "GITHUB_EVENT_PATH" in proc.stdout


def test_without_a_mentors_labels_the_score_says_practice(tmp_path):
    from roadmap_ci.paths import labels_dir

    ids = [line.split(",")[0] for line in (labels_dir() / "tabular-classification.csv").read_text().splitlines()[1:]]
    preds = "id,churned,churn_probability\n" + "".join(f"{i},0,0.2\n" for i in ids)
    api = FakeAPI(pulls=[pull(7)], artifact=make_zip({"evidence.json": json.dumps(evidence()),
                                                     "predictions/predictions.csv": preds}))
    (tmp_path / "event.json").write_text(json.dumps(event()))
    env = {"GITHUB_EVENT_PATH": str(tmp_path / "event.json"), "GITHUB_API_URL": API, "RUNNER_TEMP": str(tmp_path)}
    rec = Recorder(api)
    ci_report(rubric="", rubric_version="", env=env, session=api, publisher=rec)  # no rubric, no labels
    (_, card, ev), = rec.published
    assert card.labels == "practice" and ev.hidden and "public.roc_auc" in ev.hidden
    mine = tmp_path / "course-labels.csv"
    mine.write_bytes((labels_dir() / "tabular-classification.csv").read_bytes())
    ci_report(rubric="", rubric_version="", labels=mine, env=env, session=api, publisher=rec)
    assert rec.published[-1][1].labels == "course"


def test_labels_packed_to_fit_a_secret_are_unpacked(setup, tmp_path):
    from roadmap_ci.github.secrets import pack_labels, unpack_labels

    packed = pack_labels(LABELS.encode(), limit=10)  # forced: these labels are tiny
    assert packed.startswith(b"roadmap-ci-labels:xz+base64:") and unpack_labels(packed) == LABELS.encode()
    secret = tmp_path / "hidden-labels.txt"
    secret.write_bytes(packed + b"\n")  # as report.yml writes the secret's text
    api = FakeAPI(pulls=[pull(7)], artifact=bundle())
    out, rec = setup(event(), api, labels=secret)
    (_, card, ev), = rec.published
    assert ev.hidden == {"public.accuracy": 1.0, "public.f1": 1.0} and card.labels == "course"
    secret.write_bytes(b"roadmap-ci-labels:gzip+base64:not base64!")
    with pytest.raises(InvalidInput, match="damaged"):
        setup(event(), api, labels=secret)


def test_labels_packed_by_an_earlier_release_or_damaged_in_transit_are_read_or_named(tmp_path):
    """A secret written by a release that packed with gzip still unpacks; a cut or altered xz value is one line."""
    import base64
    import gzip

    from roadmap_ci.github.secrets import pack_labels, unpack_labels

    data = LABELS.encode() * 50
    old = b"roadmap-ci-labels:gzip+base64:" + base64.b64encode(gzip.compress(data, mtime=0))
    assert unpack_labels(old + b"\n") == data
    packed = pack_labels(data, limit=10)
    assert unpack_labels(packed) == data
    body = base64.b64decode(packed[len(b"roadmap-ci-labels:xz+base64:"):])
    cut = b"roadmap-ci-labels:xz+base64:" + base64.b64encode(body[: len(body) // 2])
    flipped = b"roadmap-ci-labels:xz+base64:" + base64.b64encode(body[:20] + bytes([body[20] ^ 0xFF]) + body[21:])
    for bad in (cut, flipped, b"roadmap-ci-labels:xz+base64:bm90IHh6"):
        with pytest.raises(InvalidInput, match=r"damaged \(not xz \+ base64"):
            unpack_labels(bad)
    with pytest.raises(InvalidInput, match="more than 100 bytes"):
        unpack_labels(packed, max_bytes=100)


def test_a_python_without_lzma_packs_with_gzip_and_names_what_it_cannot_read(monkeypatch):
    """A Python built without liblzma (pyenv without liblzma-dev) still packs (gzip, which every release reads)
    and says in one line why it cannot read an xz value, instead of an ImportError."""
    from roadmap_ci.errors import CannotRun
    from roadmap_ci.github import secrets

    data = LABELS.encode() * 50
    xz = secrets.pack_labels(data, limit=10)
    monkeypatch.setattr(secrets, "_lzma", lambda: None)
    packed = secrets.pack_labels(data, limit=10)
    assert packed.startswith(b"roadmap-ci-labels:gzip+base64:") and secrets.unpack_labels(packed) == data
    with pytest.raises(CannotRun, match="built without the lzma module"):
        secrets.unpack_labels(xz)
