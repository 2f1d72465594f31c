"""Execute one notebook with nbclient and write the outcome as JSON (run in a subprocess by notebooks.py).

    python -m roadmap_ci.collect._nbrun NOTEBOOK CELL_TIMEOUT RESULT_JSON
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    nb_path, cell_timeout, out = Path(argv[0]), float(argv[1]), Path(argv[2])
    result: dict[str, object] = {"status": "ok", "failed_cell": None, "error": ""}
    try:
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

        nb = nbformat.read(nb_path, as_version=4)
        code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        client = NotebookClient(nb, timeout=cell_timeout, kernel_name=nb.metadata.get("kernelspec", {}).get(
            "name", "python3"), resources={"metadata": {"path": str(nb_path.parent)}}, allow_errors=False)
        try:
            client.execute()
        except CellTimeoutError:
            result.update(status="timeout", error=f"a cell ran longer than {cell_timeout:g} s")
        except CellExecutionError as exc:
            result.update(status="failed", error=f"{exc.ename}: {exc.evalue}"[:500])
        except DeadKernelError as exc:
            result.update(status="failed", error=f"the kernel died: {exc}"[:500])
        if result["status"] != "ok":
            # the failing cell: the last code cell that started executing
            ran = [i for i in code_cells if nb.cells[i].get("execution_count") is not None
                   or any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))]
            errored = [i for i in code_cells if any(o.get("output_type") == "error"
                                                     for o in nb.cells[i].get("outputs", []))]
            cell = errored[0] if errored else (ran[-1] if ran else None)
            result["failed_cell"] = None if cell is None else cell + 1  # 1-based, counting every cell
    except Exception as exc:  # not a notebook, no kernel, ...
        result.update(status="error", error=f"{type(exc).__name__}: {exc}"[:500])
    out.write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
