"""notebooks collector: real nbclient + ipykernel; the failing cell and its error are recorded."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from testing.collect_util import ctx, make_repo

from roadmap_ci.collect import notebooks


def _nb(*cells: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# title")] + [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(nb)


@pytest.mark.slow  # starts Jupyter kernels
def test_ok_raising_timeout_missing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {
        "nb/ok.ipynb": _nb("x = 1", "open('data.txt').read()"),
        "nb/data.txt": "hello",
        "nb/raises.ipynb": _nb("x = 1", "raise ValueError('bad data')", "y = 2"),
        "nb/slow.ipynb": _nb("import time; time.sleep(600)"),
        "nb/broken.ipynb": "{not a notebook",
    })
    c = ctx(repo, {"notebooks": {"paths": ["nb/ok.ipynb", "nb/raises.ipynb", "nb/slow.ipynb", "nb/gone.ipynb",
                                           "nb/broken.ipynb"], "cell_timeout": 3}})
    before = (repo / "nb/raises.ipynb").read_text()
    got = {n.path: n for n in notebooks.collect(c)["notebooks"]}
    assert got["nb/ok.ipynb"].status == "ok", got["nb/ok.ipynb"].error  # runs in the notebook's directory
    r = got["nb/raises.ipynb"]
    assert (r.status, r.failed_cell, r.error) == ("failed", 3, "ValueError: bad data")
    s = got["nb/slow.ipynb"]
    assert s.status == "timeout" and s.failed_cell == 2
    assert got["nb/gone.ipynb"].status == "missing"
    assert got["nb/broken.ipynb"].status == "error" and got["nb/broken.ipynb"].error
    assert (repo / "nb/raises.ipynb").read_text() == before  # not modified
