"""The journal of a cohort's writes: JSON lines, each flushed and fsynced before the next step.

Every write to GitHub is preceded by a ``begin`` line and followed by ``done`` (with what GitHub answered)
or ``failed``. A run killed between the two leaves a ``begin`` alone: the next run checks GitHub before
it writes again, so nothing is duplicated. The journal is also the state: a step ``done`` with the same
``digest`` (a hash of the desired value) is not written again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class StepState:
    digest: str | None = None
    done: bool = False
    pending: bool = False  # a begin without a done (killed, or failed): check GitHub before writing
    result: dict[str, Any] = field(default_factory=dict)


class Journal:
    def __init__(self, path: Path, *, read_only: bool = False):
        """``read_only``: the state as the file says it, for commands that never write (nothing is created)."""
        self.path = path
        self.state: dict[tuple[str, str], StepState] = {}
        if path.is_file():
            self._replay()
        self._fh: Any = None
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._fh = path.open("a", encoding="utf-8")

    def _replay(self) -> None:
        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                try:
                    rec = json.loads(line)
                except ValueError:
                    continue  # a line torn by a crash mid-write: the step it began is checked again
                if not isinstance(rec, dict) or "repo" not in rec or "step" not in rec:
                    continue
                key = (rec["repo"], rec["step"])
                event = rec.get("event")
                st = self.state.setdefault(key, StepState())
                if event == "begin":
                    st.pending, st.digest = True, rec.get("digest")
                elif event == "done":
                    st.pending, st.done, st.digest = False, True, rec.get("digest")
                    st.result = rec.get("result") or {}
                elif event == "failed":  # it may have happened all the same (an answer lost, then give-up)
                    st.pending = True
                elif event == "forget":  # the repo was found deleted: everything about it starts over
                    for k in [k for k in self.state if k[0] == rec["repo"]]:
                        del self.state[k]

    def get(self, repo: str, step: str) -> StepState:
        return self.state.get((repo, step), StepState())

    def _append(self, rec: dict[str, Any]) -> None:
        self._fh.write(json.dumps({"at": _now(), **rec}, ensure_ascii=False, sort_keys=True) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def begin(self, repo: str, step: str, digest: str | None, detail: dict[str, Any] | None = None) -> None:
        self._append({"event": "begin", "repo": repo, "step": step, "digest": digest, **({"detail": detail}
                                                                                         if detail else {})})
        st = self.state.setdefault((repo, step), StepState())
        st.pending, st.digest = True, digest

    def done(self, repo: str, step: str, digest: str | None, result: dict[str, Any] | None = None,
             *, verified: bool = False) -> None:
        self._append({"event": "done", "repo": repo, "step": step, "digest": digest, "result": result or {},
                      **({"verified": True} if verified else {})})
        self.state[(repo, step)] = StepState(digest, True, False, result or {})

    def failed(self, repo: str, step: str, error: str) -> None:
        self._append({"event": "failed", "repo": repo, "step": step, "error": error})
        st = self.state.setdefault((repo, step), StepState())
        st.pending = True

    def forget(self, repo: str, why: str) -> None:
        self._append({"event": "forget", "repo": repo, "step": "*", "why": why})
        for k in [k for k in self.state if k[0] == repo]:
            del self.state[k]

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
