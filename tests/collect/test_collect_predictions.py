"""predictions collector: rows, columns, digest, a copy in the bundle; missing/invalid files are facts."""

from __future__ import annotations

import hashlib
from pathlib import Path

from testing.collect_util import ctx, make_repo

from roadmap_ci.collect import predictions
from roadmap_ci.evidence import Evidence


def test_csv_is_described_and_bundled(tmp_path: Path) -> None:
    body = "id,label\na,1\nb,0\nc,1\n"
    repo = make_repo(tmp_path / "r", {"out/preds.csv": body})
    c = ctx(repo, {"predictions": {"path": "out/preds.csv", "id_column": "id"}})
    got = predictions.collect(c)["predictions"]
    assert (got.status, got.rows, got.columns) == ("ok", 3, ["id", "label"])
    assert got.sha256 == hashlib.sha256(body.encode()).hexdigest()
    assert got.bundled_as == "bundle/predictions/preds.csv"
    assert (c.out_dir / got.bundled_as).read_text() == body


def test_parquet(tmp_path: Path) -> None:
    import pandas as pd

    repo = make_repo(tmp_path / "r", {"README.md": "# r\n"})
    pd.DataFrame({"id": [1, 2], "p": [0.1, 0.9]}).to_parquet(repo / "p.parquet")
    got = predictions.collect(ctx(repo, {"predictions": {"path": "p.parquet"}}))["predictions"]
    assert (got.status, got.rows, got.columns) == ("ok", 2, ["id", "p"])


def test_missing_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"README.md": "# r\n"})
    got = predictions.collect(ctx(repo, {"predictions": {"path": "out/preds.csv"}}))["predictions"]
    assert got.status == "missing" and got.message.startswith("out/preds.csv not found") and got.sha256 is None


def test_invalid_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"ragged.csv": "id,label\na,1\nb\n", "noid.csv": "x,label\n1,2\n",
                                      "latin.csv": b"id\ncaf\xe9\n", "empty.csv": ""})
    (tmp_path / "outside.csv").write_text("id\n1\n")
    (repo / "link.csv").symlink_to(tmp_path / "outside.csv")

    def status(path: str) -> tuple[str, str]:
        got = predictions.collect(ctx(repo, {"predictions": {"path": path, "id_column": "id"}}))["predictions"]
        return got.status, got.message

    assert status("ragged.csv") == ("invalid", "unreadable: row 3 has 1 fields, the header has 2")
    assert status("noid.csv") == ("invalid", "no 'id' column (columns: x, label)")
    assert status("latin.csv") == ("invalid", "the predictions file is not UTF-8 text (byte 6)")
    assert status("empty.csv") == ("invalid", "the predictions file is empty")
    assert status("link.csv") == ("invalid", "a symlink pointing outside the repository (not read)")


def test_the_progress_line_names_the_file_and_says_stale_once(tmp_path: Path) -> None:
    from roadmap_ci.collect.pipeline import Pipeline, Stage

    dvc_yaml = "stages:\n  predict:\n    cmd: python p.py\n    outs: [out/preds.csv]\n"
    repo = make_repo(tmp_path / "r", {"dvc.yaml": dvc_yaml, "out/preds.csv": "id\n1\n"})
    c = ctx(repo, {"predictions": {"path": "out/preds.csv"}})
    c.put("pipeline", {"pipeline": Pipeline(status="failed", failed_stage="predict",
                                            stages=[Stage(name="predict", status="failed")])})
    fields = predictions.collect(c)
    assert predictions.summary(fields) == ("stale: out/preds.csv: written by stage 'predict', which failed in "
                                           "this run")
    fact = predictions._resolve(Evidence.model_validate({"deliverable": "demo", **fields}), None, "bool", None)
    assert fact.detail == "out/preds.csv is stale: written by stage 'predict', which failed in this run"
    # too large: the size check reads no byte (a sparse file), and the line says which file
    with (repo / "big.csv").open("wb") as fh:
        fh.truncate(34898073)
    fields = predictions.collect(ctx(repo, {"predictions": {"path": "big.csv"}}))
    assert predictions.summary(fields) == "invalid: big.csv: 34898073 bytes (33.3 MiB): larger than the 32 MiB allowed"
