"""Builders shared by the cohort collect/grade/progress/similar/report tests: a cohort on disk, its rubric and
labels, predictions with a chosen number of errors, and commit folders as ``cohort collect`` stores them."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

RUBRIC = """\
version: "t1"
deliverable: tabular-classification
pass_mark: 12
hidden_labels:
  source: labels.csv
  target_column: label
  prediction_column: pred
  positive_label: "1"
  metrics: [accuracy]
criteria:
  - id: public-accuracy
    points: 10
    rule: threshold
    evidence: hidden:public.accuracy
    min: 0.0
    target: 1.0
  - id: private-accuracy
    points: 10
    rule: threshold
    evidence: hidden:private.accuracy
    min: 0.0
    target: 1.0
    visibility: after_due
"""
N_PUBLIC = 20
N_PRIVATE = 20


def ids(prefix: str = "c") -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(N_PUBLIC + N_PRIVATE)]


def truth(i: int) -> str:
    return "1" if (i * 7) % 3 == 0 else "0"


def labels_csv(prefix: str = "c") -> str:
    rows = [f"{k},{truth(i)},{'public' if i < N_PUBLIC else 'private'}" for i, k in enumerate(ids(prefix))]
    return "id,label,split\n" + "\n".join(rows) + "\n"


def predictions_csv(wrong_public: int, wrong_private: int, prefix: str = "c", shift: int = 0) -> str:
    """Predictions with exactly this many errors per split (``shift`` moves which rows are wrong)."""
    out = ["id,pred"]
    for i, k in enumerate(ids(prefix)):
        j = i if i < N_PUBLIC else i - N_PUBLIC
        n = N_PUBLIC if i < N_PUBLIC else N_PRIVATE
        wrong = ((j + shift) % n) < (wrong_public if i < N_PUBLIC else wrong_private)
        t = truth(i)
        out.append(f"{k},{('0' if t == '1' else '1') if wrong else t}")
    return "\n".join(out) + "\n"


def expected_points(wrong_public: int, wrong_private: int) -> float:
    """What the rubric gives, computed here from its definition: 10 × accuracy per split."""
    return round(10 * (N_PUBLIC - wrong_public) / N_PUBLIC + 10 * (N_PRIVATE - wrong_private) / N_PRIVATE, 2)


def evidence(login: str, sha: str) -> dict:
    return {"schema_version": 1, "deliverable": "tabular-classification", "commit": sha, "repo": f"org/churn-{login}",
            "learner": login, "predictions": {"path": "outputs/predictions.csv", "status": "ok", "rows": 40,
                                              "columns": ["id", "pred"], "bundled_as": "predictions.csv"}}


def artifact_zip(login: str, sha: str, preds: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("evidence.json", json.dumps(evidence(login, sha)))
        z.writestr("predictions.csv", preds)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def sha_of(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def write_cohort(base: Path, logins: list[str], *, deliverables: tuple[str, ...] = ("churn",),
                 due: str = "2027-01-24T23:59:00Z", cutoff: str = "2027-01-31T23:59:00Z",
                 extensions: list[dict] | None = None, late: str = "{per: day, penalty: 10, cap: 30, floor: 0}",
                 names: dict[str, str] | None = None, shared_labels: bool = True,
                 templates: dict[str, str] | None = None, opens: str = "2027-01") -> Path:
    base.mkdir(parents=True, exist_ok=True)
    (base / "rubric.yaml").write_text(RUBRIC)
    if shared_labels:
        (base / "labels.csv").write_text(labels_csv())
    names = names or {}
    lines = ["github,name,email,lms_id,section"]
    for i, lg in enumerate(logins):
        name = names.get(lg, f"Learner {i}").replace('"', '""')
        lines.append(f'{lg},"{name}",{lg}@example.test,{1000 + i},{"A" if i % 2 else "B"}')
    (base / "roster.csv").write_text("\n".join(lines) + "\n")
    ds = []
    for k, d in enumerate(deliverables):
        ds.append(f"""  - id: {d}
    template: {(templates or {}).get(d, "tabular-classification")}
    opens: {opens}-{10 + k:02d}T09:00:00Z
    due: {due}
    cutoff: {cutoff}
    rubric: {{path: rubric.yaml, version: "t1"}}""")
    ext = "\n".join(f"  - {json.dumps(e)}" for e in (extensions or []))
    text = f"""version: 1
organisation: ml-roadmap-2027
roster: roster.csv
mentors: mentors
late_policy: {late}
deliverables:
{chr(10).join(ds)}
extensions:{chr(10) + ext if ext else " []"}
"""
    (base / "cohort.yaml").write_text(text)
    return base / "cohort.yaml"


def store_commit(store: Path, d: str, login: str, sha: str, preds: str, *, created_at: str, run_id: int,
                 late: bool = False, extra: dict | None = None, digests: bool = True) -> Path:
    """A commit folder exactly as collect writes it (evidence, predictions copy, provenance with the stored
    files' sha256; ``digests=False``: as collect wrote it before it recorded them)."""
    import hashlib

    folder = store / d / login / sha
    folder.mkdir(parents=True)
    (folder / "evidence.json").write_text(json.dumps({**evidence(login, sha), **(extra or {})}))
    (folder / "predictions.csv").write_text(preds)
    prov = {"schema": "roadmap-ci-provenance/1", "run_id": run_id, "created_at": created_at, "sha": sha,
            "repo": f"ml-roadmap-2027/{d}-{login}", "artifact_id": run_id + 1, "artifact_digest": "0" * 64,
            "late": late}
    if digests:
        prov["files"] = {n: hashlib.sha256((folder / n).read_bytes()).hexdigest()
                         for n in ("evidence.json", "predictions.csv")}
    (folder / "provenance.json").write_text(json.dumps(prov))
    return folder
