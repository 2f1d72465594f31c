"""publish.github driven with real github3.py against the loopback fake GitHub (tests/testing/fakegithub.py)."""

from __future__ import annotations

import time

import pytest
from testing.fakegithub import FakeGitHub
from testing.reportkit import BEFORE_DUE, demo, hostile, many_failures

from roadmap_ci.errors import InvalidInput
from roadmap_ci.publish.client import Annotation, GitHubClient
from roadmap_ci.publish.github import GitHubTarget, publish_github
from roadmap_ci.publish.retry import GitHubError, Retrying
from roadmap_ci.report import COMMENT_LIMIT, render
from roadmap_ci.report.escape import marker

REPO, PR, SHA = "ada/churn", 7, "4f9c2a1d7e3b8c6a5f0e9d2c1b4a7f6e3d2c1b0a"
MARK = marker("tabular-classification")


class Clock:
    """Injected sleep + clock: sleeping advances the clock instead of waiting."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s

    def clock(self) -> float:
        return self.now


@pytest.fixture
def fake():
    with FakeGitHub() as fk:
        yield fk


def client(fk: FakeGitHub, clock: Clock | None = None, *, token: str | None = None, **kw) -> GitHubClient:
    clock = clock or Clock()
    retry = Retrying(sleep=clock.sleep, clock=clock.clock, max_tries=kw.pop("max_tries", 5))
    return GitHubClient(token or fk.installation_token, fk.url, retry=retry, **kw)


def body(card=None, ev=None) -> str:
    if card is None:
        card, ev = demo()
    return render("md", card, ev, now=BEFORE_DUE, max_chars=COMMENT_LIMIT)


def ours(fk: FakeGitHub) -> list[dict]:
    return [c for c in fk.comments(REPO, PR) if c["body"].startswith(MARK) and c["user"]["login"] == fk.bot["login"]]


def test_publish_three_times_leaves_one_comment(fake):
    card, ev = demo()
    gh = client(fake)
    actions = [gh.upsert_comment(REPO, PR, card.deliverable, body(card, ev)).action for _ in range(3)]
    assert actions == ["created", "unchanged", "unchanged"]
    changed = body(card.model_copy(update={"total": card.total - 1}), ev)
    assert gh.upsert_comment(REPO, PR, card.deliverable, changed).action == "updated"
    assert len(fake.comments(REPO, PR)) == 1 and fake.comments(REPO, PR)[0]["body"] == changed


def test_marker_on_the_third_page_is_found(fake):
    card, ev = demo()
    fake.add_comments(REPO, PR, 230)  # learners and mentors talking: pages 1-3 at 100 a page
    gh = client(fake)
    first = gh.upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    fake.add_comments(REPO, PR, 10)
    fake.reset_log()
    again = gh.upsert_comment(REPO, PR, card.deliverable, body(card.model_copy(update={"total": 1.0}), ev))
    assert again.action == "updated" and again.id == first.id
    pages = sorted(r.query.get("page", "1") for r in fake.requests if r.method == "GET")
    assert pages == ["1", "2", "3"]
    assert len(ours(fake)) == 1 and len(fake.comments(REPO, PR)) == 241


def test_a_comment_with_our_marker_by_someone_else_is_never_edited(fake):
    card, ev = demo()
    forged = fake.add_comments(REPO, PR, 1, user=fake.human, body=MARK + "\nforged")[0]
    gh = client(fake)
    result = gh.upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert result.action == "created" and result.id != forged["id"]
    assert fake.comments(REPO, PR)[0]["body"].startswith(MARK + "\nforged")
    assert fake.count("PATCH") == 0


def test_duplicates_from_a_race_are_cleaned_up(fake):
    card, ev = demo()
    fake.add_comments(REPO, PR, 2, user=fake.bot, body=MARK + "\nold")
    result = client(fake).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert result.action == "updated" and result.deleted_duplicates == 1
    assert len(ours(fake)) == 1


def test_5xx_on_listing_is_retried_with_backoff(fake):
    card, ev = demo()
    fake.fail("GET", r"/comments$", status=502, times=2)
    clock = Clock()
    client(fake, clock).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert len(ours(fake)) == 1
    assert clock.sleeps == [1.0, 2.0]


def test_lost_answer_to_a_create_never_duplicates(fake):
    card, ev = demo()
    fake.fail("POST", r"/comments$", status=502, after=True)  # created, but the answer is an error
    clock = Clock()
    result = client(fake, clock).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert result.action == "unchanged" and len(ours(fake)) == 1
    assert fake.count("POST", r"/comments$") == 1  # listed again instead of creating again


def test_timeout_on_create_relists_before_creating_again(fake):
    card, ev = demo()
    fake.fail("POST", r"/comments$", status=None, delay=1.0, after=True)  # created, answer too late
    clock = Clock()
    gh = client(fake, clock, timeout=(2.0, 0.25))
    start = time.monotonic()
    result = gh.upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert time.monotonic() - start < 30  # generous: bounded, not hanging
    time.sleep(1.0)  # let the slow request finish server-side before counting
    assert len(ours(fake)) == 1 and result.action == "unchanged"
    assert fake.count("POST", r"/comments$") == 1


def test_timeout_before_create_then_create(fake):
    card, ev = demo()
    fake.fail("POST", r"/comments$", status=504, delay=0.0)  # failed without creating
    result = client(fake).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert result.action == "created" and len(ours(fake)) == 1 and fake.count("POST", r"/comments$") == 2


def test_403_with_retry_after_is_honoured(fake):
    card, ev = demo()
    fake.fail("GET", r"/comments$", status=403, headers={"Retry-After": "7"},
              message="You have exceeded a secondary rate limit")
    clock = Clock()
    client(fake, clock).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert clock.sleeps == [7.0] and len(ours(fake)) == 1


def test_429_waits_until_the_rate_limit_resets(fake):
    card, ev = demo()
    clock = Clock()
    reset = int(clock.now) + 42
    fake.fail("POST", r"/comments$", status=429, headers={"X-RateLimit-Remaining": "0",
                                                          "X-RateLimit-Reset": str(reset)}, message="rate limit")
    client(fake, clock).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert clock.sleeps == [43.0] and len(ours(fake)) == 1


def test_permission_403_fails_fast_with_a_clear_message(fake):
    card, ev = demo()
    fake.fail("POST", r"/comments$", status=403, message="Resource not accessible by integration", times=10)
    clock = Clock()
    with pytest.raises(GitHubError) as err:
        client(fake, clock).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    msg = str(err.value)
    assert "pull-requests: write" in msg and "\n" not in msg
    assert fake.count("POST") == 1 and clock.sleeps == []


def test_persistent_5xx_gives_up_after_bounded_tries(fake):
    card, ev = demo()
    fake.fail("GET", r"/comments$", status=503, times=100)
    clock = Clock()
    with pytest.raises(GitHubError, match="gave up after 4 tries"):
        client(fake, clock, max_tries=4).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert fake.count("GET") == 4 and clock.sleeps == [1.0, 2.0, 4.0]
    assert fake.comments(REPO, PR) == []


def test_a_wait_longer_than_allowed_fails_instead_of_hanging(fake):
    card, ev = demo()
    fake.fail("GET", r"/comments$", status=429, headers={"Retry-After": "100000"})
    clock = Clock()
    with pytest.raises(GitHubError, match="limit"):
        client(fake, clock).upsert_comment(REPO, PR, card.deliverable, body(card, ev))
    assert clock.sleeps == []


def test_oversized_body_is_refused_before_any_request_and_truncated_one_fits(fake):
    card, ev = many_failures()
    full = MARK + "\n" + "x" * COMMENT_LIMIT
    gh = client(fake)
    with pytest.raises(InvalidInput, match="65,536"):
        gh.upsert_comment(REPO, PR, card.deliverable, full)
    assert fake.requests == []
    fitted = render("md", card, ev, now=BEFORE_DUE, max_chars=20_000, artifact_url="https://x.test/a")
    assert "x.test/a" in fitted and len(fitted) <= 20_000
    assert gh.upsert_comment(REPO, PR, card.deliverable, fitted).action == "created"
    assert ours(fake)[0]["body"] == fitted  # the fake answers 422 over 65,536, like GitHub


def test_hostile_learner_text_cannot_forge_the_marker_or_mention(fake):
    card, ev = hostile()
    gh = client(fake)
    text = body(card, ev)
    for _ in range(2):
        gh.upsert_comment(REPO, PR, card.deliverable, text)
    stored = ours(fake)
    assert len(stored) == 1 and stored[0]["body"].count("<!-- roadmap-ci:") == 1
    assert "@octocat" not in stored[0]["body"]


def test_full_publish_status_and_check_run_with_batched_annotations(fake):
    card, ev = demo()
    gh = client(fake)
    notes = [Annotation(f"src/m{i}.py", i + 1, f"problem {i}") for i in range(120)]
    run = gh.check_run(REPO, SHA, card.deliverable, conclusion="success", title="t", summary="s", annotations=notes)
    assert run.requests == 3 and run.annotations == 120
    assert len(fake.annotations[run.id]) == 120
    assert all(len((r.body or {}).get("output", {}).get("annotations", [])) <= 50 for r in fake.requests)
    assert fake.count("PATCH", r"/check-runs/") == 2


def test_steady_state_publish_makes_at_most_four_calls(fake):
    card, ev = demo()
    gh = client(fake)
    target = GitHubTarget(REPO, PR, SHA)
    publish_github(gh, card, ev, target, body=body(card, ev))
    fake.reset_log()
    out = publish_github(gh, card, ev, target, body=body(card.model_copy(update={"total": 50.0}), ev))
    assert out.requests == len(fake.requests) <= 4
    assert out.comment.action == "updated" and out.check_run is not None
    status = fake.statuses(REPO, SHA)[0]
    assert status["context"] == "roadmap-ci/tabular-classification" and len(status["description"]) <= 140


def test_user_token_reads_its_login_and_skips_check_runs(fake):
    card, ev = demo()
    gh = client(fake, token=fake.user_token)
    out = publish_github(gh, card, ev, GitHubTarget(REPO, PR, SHA), body=body(card, ev))
    assert gh.login == "mentor-mona" and fake.count("GET", r"^/user$") == 1
    assert out.check_run is None and out.skipped and fake.count("POST", "check-runs") == 0
    assert fake.comments(REPO, PR)[0]["user"]["login"] == "mentor-mona"


def test_enterprise_base_url(tmp_path):
    card, ev = demo()
    with FakeGitHub(api_prefix="/api/v3") as fk:
        gh = GitHubClient(fk.installation_token, fk.url, retry=Retrying(sleep=lambda s: None))
        out = publish_github(gh, card, ev, GitHubTarget(REPO, PR, SHA), body=body(card, ev))
        assert out.comment.action == "created"
        assert all(r.status < 400 for r in fk.requests)


def test_bad_token_is_one_clear_line(fake):
    card, ev = demo()
    with pytest.raises(GitHubError, match="rejected the token"):
        client(fake, token="ghs_wrong").upsert_comment(REPO, PR, card.deliverable, body(card, ev))


def test_actions_publisher_fits_ci_report(fake, tmp_path):
    from roadmap_ci.ci.publisher import ActionsPublisher
    from roadmap_ci.ci.target import Target

    card, ev = demo()
    summary = tmp_path / "summary.md"
    env = {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_SERVER_URL": "https://github.com",
           "GITHUB_REPOSITORY": REPO, "GITHUB_RUN_ID": "5"}
    pub = ActionsPublisher(client(fake), env=env)
    assert all(callable(getattr(pub, m)) for m in ("publish", "error", "mark_feedback"))
    pr = Target("pull_request", REPO, SHA, PR)
    assert pub.publish(pr, card, ev, tmp_path) == "comment"
    assert pub.publish(pr, card, ev, tmp_path) == "comment"
    assert len(ours(fake)) == 1 and len(fake.check_runs) == 2  # a PR: comment + status + check run
    push = Target("push", REPO, SHA)
    assert pub.publish(push, card, ev, tmp_path) == "status" and len(fake.check_runs) == 3
    assert len(ours(fake)) == 1, "a push posts no comment"
    assert summary.read_text().startswith(MARK)
    pub.error(push, "artifact rejected: entry '../x' leaves the artifact " + "x" * 200)
    ledger = "1" * 40
    sid = pub.mark_feedback(push, ledger, "roadmap-ci/hidden-feedback/2026-12-01/ada")
    (mark,) = fake.statuses(REPO, ledger)
    assert mark["id"] == sid and mark["context"] == "roadmap-ci/hidden-feedback/2026-12-01/ada"
    assert SHA[:12] in mark["description"] and pub.login == fake.bot["login"]
    assert fake.statuses(REPO, SHA)[0]["context"] == "roadmap-ci/evaluate"
    assert all(len(s["description"]) <= 140 for s in fake.statuses(REPO, SHA))


def test_lost_answer_to_an_annotation_batch_is_read_back_not_sent_again(fake):
    card, ev = demo()
    notes = [Annotation(f"src/m{i}.py", i + 1, f"problem {i}") for i in range(120)]
    fake.fail("PATCH", r"/check-runs/\d+$", status=502, after=True)  # appended, but the answer is lost
    run = client(fake).check_run(REPO, SHA, card.deliverable, conclusion="success", title="t", summary="s",
                                 annotations=notes)
    assert len(fake.annotations[run.id]) == 120  # GitHub appends: a blind retry would have made 170
    assert [a["message"] for a in fake.annotations[run.id]] == [f"problem {i}" for i in range(120)]
    assert fake.count("PATCH", r"/check-runs/") == 2 and fake.count("GET", r"/check-runs/\d+$") == 1


def test_an_annotation_batch_that_failed_before_applying_is_sent_again(fake):
    card, ev = demo()
    notes = [Annotation(f"src/m{i}.py", i + 1, f"problem {i}") for i in range(60)]
    fake.fail("PATCH", r"/check-runs/\d+$", status=503)  # refused before anything happened
    run = client(fake).check_run(REPO, SHA, card.deliverable, conclusion="success", title="t", summary="s",
                                 annotations=notes)
    assert len(fake.annotations[run.id]) == 60 and fake.count("PATCH", r"/check-runs/") == 2


def test_a_failed_comment_does_not_skip_the_status_and_check_run(fake):
    card, ev = demo()
    fake.fail("POST", r"/comments$", status=403, times=5, message="Resource not accessible by integration")
    with pytest.raises(GitHubError) as info:
        publish_github(client(fake), card, ev, GitHubTarget(REPO, PR, SHA), body=body(card, ev))
    assert "comment" in str(info.value) and "pull-requests: write" in str(info.value)
    assert "posted: status, check run" in str(info.value)
    assert ours(fake) == [] and len(fake.statuses(REPO, SHA)) == 1 and len(fake.check_runs) == 1
