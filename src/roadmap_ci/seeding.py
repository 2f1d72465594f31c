"""Secret-seeded hidden data: what a template's generator may draw, and from what.

The generators under ``templates/<id>/generate_data.py`` are public (they ship in the wheel), so a fixed
seed is no secret: anyone can re-run them and read the hidden labels. A mentor's **course secret** fixes
that. Everything about a graded hidden split -- its rows, their ids, the generating process's own
parameters (coefficients, centres, planted signals, hidden questions) -- comes from a random stream keyed
by ``HMAC-SHA256(course secret, deliverable | purpose [| learner])``. Without the secret, neither the code
nor a guessed seed reproduces it.

Each generator asks for one stream per *purpose*:

* ``purpose="process"`` with no learner: the course's generating process (shared by every learner of the
  course, so the task is the same task for all of them and the rubric's thresholds are fair);
* ``purpose="rows"`` (or ``"ids"``, ``"split"``, …) with ``learner=LOGIN``: that learner's own sample and
  ids, so a peer's predictions file matches no id.

With no secret (``secret=None``) every stream is the template's fixed ``practice`` seed: the practice data
shipped in the template, byte for byte, whose labels are public (``labels/``) -- feedback, never a grade.

This module is pure and imports nothing heavy at import time (numpy only inside :func:`rng`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from roadmap_ci.errors import CannotRun, InvalidInput

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np

DOMAIN = "roadmap-ci/hidden-data/v1"
MIN_SECRET_BYTES = 16
MAX_SECRET_BYTES = 4096


def read_secret(path: Path) -> bytes:
    """The course secret from a file (surrounding white space stripped); one-line errors."""
    try:
        with path.open("rb") as fh:  # at most the limit + 1 byte: /dev/zero or an endless pipe is refused
            data = fh.read(MAX_SECRET_BYTES + 1)
    except FileNotFoundError:
        raise CannotRun(f"{path}: no such course-secret file") from None
    except OSError as exc:
        raise CannotRun(f"{path}: cannot read the course secret: {exc.strerror or exc}") from None
    if len(data) > MAX_SECRET_BYTES:
        raise InvalidInput(f"{path}: a course secret is at most {MAX_SECRET_BYTES} bytes (this file has more)")
    secret = data.strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise InvalidInput(f"{path}: a course secret needs at least {MIN_SECRET_BYTES} bytes "
                           f"(has {len(secret)}); make one with "
                           "`python -c \"import secrets; print(secrets.token_hex(32))\"`")
    return secret


def derive_seed(secret: bytes | None, deliverable: str, purpose: str, *, practice: int,
                learner: str | None = None) -> int:
    """A 64-bit seed for one stream; ``practice`` when there is no secret (the shipped practice data).

    GitHub logins are case-insensitive, so ``learner`` is folded to lower case.
    """
    if secret is None:
        return practice
    if not secret:
        raise InvalidInput("the course secret is empty")
    parts = [DOMAIN, deliverable, purpose, (learner or "").strip().lower()]
    digest = hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big")


def rng(secret: bytes | None, deliverable: str, purpose: str, *, practice: int,
        learner: str | None = None) -> np.random.Generator:
    """``numpy.random.default_rng`` on :func:`derive_seed`'s seed."""
    import numpy as np

    return np.random.default_rng(derive_seed(secret, deliverable, purpose, practice=practice, learner=learner))


def learner_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct 9-digit row ids (100000000–999999999) drawn from a learner's stream, in draw order.

    Under a course secret the hidden split's ids are the learner's own, so a peer's predictions file matches
    none of them; with 9 digits a guessed id almost never hits. A generator sorts them where its export is
    ascending.
    """
    return rng.choice(900_000_000, size=n, replace=False) + 100_000_000



def generator_cli(generate: Callable[..., None], raw: Path, labels: Path | None, doc: str | None, *,
                  argv: list[str] | None = None, positional: bool = False) -> None:
    """The command line every ``templates/<id>/generate_data.py`` shares (repo-only, never in a learner repo)::

        generate_data.py [--out DIR] [--labels FILE] [--secret-file FILE [--learner LOGIN]]

    A bad or unreadable secret file is one line and exit 1 or 2, never a traceback. ``positional`` also takes
    ``DIR [FILE]`` as plain arguments (a generator that always did). ``labels`` None: no hidden labels.
    """
    import argparse
    import sys

    from roadmap_ci.errors import RoadmapError

    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0] if doc else None)
    if positional:
        parser.add_argument("raw", nargs="?", type=Path, help="directory for the raw data files")
        if labels is not None:
            parser.add_argument("labels", nargs="?", type=Path, help="where the hidden labels go")
    parser.add_argument("--out", type=Path, help=f"directory for the raw data files (default: {raw})")
    if labels is not None:
        parser.add_argument("--labels", dest="labels_opt", type=Path,
                            help=f"where the hidden labels go (default: {labels})")
    parser.add_argument("--secret-file", type=Path, help="the course secret (default: the public practice data)")
    parser.add_argument("--learner", help="the learner's login: their own rows and ids (needs --secret-file)")
    args = parser.parse_args(argv)
    if args.learner and not args.secret_file:
        parser.error("--learner needs --secret-file")
    try:
        secret = read_secret(args.secret_file) if args.secret_file else None
    except RoadmapError as exc:  # one line, exit 1 (a bad secret file) or 2 (unreadable)
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
    out = args.out or getattr(args, "raw", None) or raw
    if labels is None:
        generate(out, secret=secret, learner=args.learner)
        return
    generate(out, getattr(args, "labels_opt", None) or getattr(args, "labels", None) or labels, secret=secret,
             learner=args.learner)
