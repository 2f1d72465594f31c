"""evaluate: collect -> score -> report, locally exactly as CI does.

Writes ``evidence.json``, ``scorecard.json`` and ``report.md`` under ``<repo>/.roadmap-ci/`` (or
``out_dir``). The rubric is ``--rubric`` or the one ``.roadmap-ci.yml`` pins. ``base`` is a git revision
(its committed metrics become ``base_metrics``) or the base branch's ``evidence.json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from roadmap_ci.collect.config import load_config
from roadmap_ci.collect.run import OUT_DIR, Progress, collect, resolve_rubric
from roadmap_ci.errors import CannotRun, Place
from roadmap_ci.evidence import Evidence, load_evidence, write_json
from roadmap_ci.safeio import write_atomic
from roadmap_ci.score.scoring import Scorecard, score


@dataclass
class Evaluation:
    evidence: Evidence
    scorecard: Scorecard
    out_dir: Path

    @property
    def passed(self) -> bool:
        """Passed; on a local run with hidden-label criteria pending, on track for the pass mark."""
        return self.scorecard.on_track


def evaluate(repo: Path | str, rubric: Path | str | None = None, base: str | None = None,
             out_dir: Path | str | None = None, progress: Progress | None = None) -> Evaluation:
    repo = Path(repo)
    if not repo.is_dir():
        raise CannotRun("not a directory", Place(str(repo)))
    repo = repo.resolve()
    config = load_config(repo)
    loaded = resolve_rubric(repo, config, rubric, required=True)
    assert loaded is not None
    base_rev: str | None = None
    base_evidence: Evidence | None = None
    if base is not None:
        if base.endswith(".json") and Path(base).is_file():
            base_evidence = load_evidence(Path(base))
        else:
            base_rev = base
    out = Path(out_dir).resolve() if out_dir is not None else repo / OUT_DIR
    evidence = collect(repo, out, loaded, base_rev, config=config, progress=progress)
    from roadmap_ci.score import hidden

    # the labels are not here, so the hidden-label criteria are pending -- unless the report step's own readers
    # already refuse the predictions: then they are 0, with the reason CI will give (evidence.json stays as
    # collected: the report step recomputes this part whatever it says)
    why = hidden.local_check(evidence, loaded, out)
    if why is not None:
        evidence = hidden.apply(evidence, hidden.HiddenResult(None, why))
    card = score(evidence, loaded, base=base_evidence)
    write_json(card, out / "scorecard.json")

    from roadmap_ci.report import render

    report = render("md", card, evidence, base=base_evidence, rubric=loaded)
    write_atomic(out / "report.md", report)
    return Evaluation(evidence=evidence, scorecard=card, out_dir=out)
