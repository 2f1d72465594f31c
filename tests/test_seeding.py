"""seeding: keyed streams for secret-seeded hidden data."""

from __future__ import annotations

from pathlib import Path

import pytest

from roadmap_ci.errors import CannotRun, InvalidInput
from roadmap_ci.seeding import derive_seed, learner_ids, read_secret, rng

SECRET = b"0123456789abcdef-course-secret"


def test_no_secret_is_the_practice_seed_whatever_the_learner():
    assert derive_seed(None, "gnn", "rows", practice=7) == 7
    assert derive_seed(None, "gnn", "rows", practice=7, learner="alice") == 7


def test_streams_differ_by_secret_deliverable_purpose_and_learner():
    base = derive_seed(SECRET, "gnn", "rows", practice=7, learner="alice")
    assert base == derive_seed(SECRET, "gnn", "rows", practice=7, learner="alice")
    assert base == derive_seed(SECRET, "gnn", "rows", practice=7, learner=" ALICE ")  # logins ignore case
    others = {
        derive_seed(SECRET + b"x", "gnn", "rows", practice=7, learner="alice"),
        derive_seed(SECRET, "recsys", "rows", practice=7, learner="alice"),
        derive_seed(SECRET, "gnn", "process", practice=7, learner="alice"),
        derive_seed(SECRET, "gnn", "rows", practice=7, learner="bob"),
        derive_seed(SECRET, "gnn", "rows", practice=7),
    }
    assert base not in others and len(others) == 5
    assert 0 <= base < 2**64


def test_rng_draws_follow_the_seed():
    a = rng(SECRET, "gnn", "process", practice=1).random(4).tolist()
    assert a == rng(SECRET, "gnn", "process", practice=1).random(4).tolist()
    assert a != rng(None, "gnn", "process", practice=1).random(4).tolist()


def test_learner_ids_are_distinct_9_digit_ids_that_follow_the_stream():
    secret = b"k" * 32
    ids = learner_ids(rng(secret, "d", "rows", practice=1, learner="alice"), 5000)
    assert ids.shape == (5000,) and len(set(ids.tolist())) == 5000
    assert ids.min() >= 100_000_000 and ids.max() <= 999_999_999
    again = learner_ids(rng(secret, "d", "rows", practice=1, learner="Alice"), 5000)
    assert again.tolist() == ids.tolist()  # the same learner's stream (logins fold case): the same ids, in order
    peer = learner_ids(rng(secret, "d", "rows", practice=1, learner="bob"), 5000)
    assert len(set(ids.tolist()) & set(peer.tolist())) < 5  # a peer's ids almost never meet


def test_read_secret(tmp_path):
    good = tmp_path / "secret"
    good.write_text(" " + "ab" * 16 + "\n")
    assert read_secret(good) == b"ab" * 16
    short = tmp_path / "short"
    short.write_text("tiny\n")
    with pytest.raises(InvalidInput, match="at least 16 bytes"):
        read_secret(short)
    with pytest.raises(CannotRun, match="no such course-secret file"):
        read_secret(tmp_path / "missing")


def test_read_secret_reads_no_more_than_its_limit(tmp_path):
    """An endless source (/dev/zero, a pipe that keeps writing) is refused after 4,097 bytes, not read forever."""
    big = tmp_path / "big"
    big.write_bytes(b"a" * 10_000_000)
    with pytest.raises(InvalidInput, match="at most 4096 bytes"):
        read_secret(big)
    with pytest.raises(InvalidInput, match="at most 4096 bytes"):
        read_secret(Path("/dev/zero"))
