"""Run a subprocess that may misbehave: learner code, `dvc repro`, pytest, ruff, a notebook kernel.

Every command that runs learner code goes through :func:`run`:

* its own process group (``start_new_session``), so a timeout kills the command *and* everything it
  started (a stage's ``python train.py``, its DataLoader workers, a kernel);
* a wall-clock timeout: SIGTERM to the group, then SIGKILL after a grace period; never hangs, even when a
  grandchild keeps the output pipe open;
* bounded output: stdout and stderr are merged and streamed through a :class:`Tail` ring buffer, so a
  stage printing 100 MB costs a few hundred KiB; an optional ``sink`` sees every chunk as it arrives
  (the pipeline collector splits the stream per stage that way);
* bytes are decoded with ``errors="replace"``: non-UTF-8 output is text with U+FFFD, never an exception.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

TAIL_LINES = 60
TAIL_BYTES = 16 * 1024
CHUNK = 64 * 1024
KILL_GRACE_S = 3.0

_live: set[int] = set()  # process groups started by run() and not yet reaped
_live_lock = threading.Lock()


def kill_all() -> None:
    """Kill every process group run() started that is still alive (on Ctrl-C: they are in other sessions,
    so the terminal's SIGINT does not reach them)."""
    with _live_lock:
        groups = list(_live)
    for pgid in groups:
        _killpg(pgid, signal.SIGKILL)


def _killpg(pgid: int, sig: int) -> bool:
    """Signal a process group; False when it no longer exists."""
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class Tail:
    """The last ``max_lines`` lines / ``max_bytes`` bytes of a byte stream, in bounded memory."""

    def __init__(self, max_lines: int = TAIL_LINES, max_bytes: int = TAIL_BYTES):
        self.max_lines = max_lines
        self.max_bytes = max_bytes
        self._buf = bytearray()
        self.total = 0  # bytes seen

    def feed(self, chunk: bytes) -> None:
        self.total += len(chunk)
        if len(chunk) >= self.max_bytes:
            self._buf[:] = chunk[-self.max_bytes:]
            return
        self._buf += chunk
        if len(self._buf) > 2 * self.max_bytes:  # trim rarely: amortised O(1) per byte
            del self._buf[: len(self._buf) - self.max_bytes]

    def text(self) -> str:
        data = bytes(self._buf[-self.max_bytes:])
        text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return "\n".join(line.rsplit("\r", 1)[-1] for line in lines[-self.max_lines:])  # progress bars: last state


@dataclass
class ProcResult:
    cmd: list[str]
    returncode: int | None  # None: killed on timeout
    timed_out: bool
    duration_s: float
    tail: str
    output_bytes: int
    error: str = ""  # the command could not be started (not found, not executable)

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.error


def _kill_group(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the group, give it ``grace`` seconds, then SIGKILL whatever is left of it."""
    if _killpg(proc.pid, signal.SIGTERM):
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    _killpg(proc.pid, signal.SIGKILL)


def run(
    cmd: Sequence[str | os.PathLike[str]],
    cwd: Path,
    *,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    tail_lines: int = TAIL_LINES,
    tail_bytes: int = TAIL_BYTES,
    sink: Callable[[bytes, float], None] | None = None,
    kill_grace: float = KILL_GRACE_S,
) -> ProcResult:
    """Run ``cmd`` in ``cwd`` in its own process group; see the module docstring.

    ``sink(chunk, t)`` is called from a reader thread with each raw chunk and its arrival time
    (``time.monotonic()``). Output after the timeout is discarded.
    """
    args = [os.fspath(c) for c in cmd]
    tail = Tail(tail_lines, tail_bytes)
    t0 = time.monotonic()
    try:
        proc = subprocess.Popen(
            args, cwd=cwd, env=dict(env) if env is not None else None, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
        )
    except OSError as exc:
        return ProcResult(args, None, False, 0.0, "", 0, error=f"cannot run {args[0]}: {exc.strerror or exc}")
    assert proc.stdout is not None
    with _live_lock:
        _live.add(proc.pid)
    fd = proc.stdout.fileno()
    done = threading.Event()

    def reader() -> None:
        try:
            while True:
                chunk = os.read(fd, CHUNK)
                if not chunk:
                    break
                tail.feed(chunk)
                if sink is not None:
                    sink(chunk, time.monotonic())
        except OSError:
            pass
        finally:
            done.set()

    thread = threading.Thread(target=reader, name=f"proc-reader-{proc.pid}", daemon=True)
    thread.start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc, kill_grace)
        proc.wait()
    except BaseException:
        _kill_group(proc, 0.5)
        proc.wait()
        raise
    finally:
        # the leader exited; a grandchild may still hold the pipe open (a daemon it started).
        # Wait briefly for EOF, then kill what is left of the group so the reader ends.
        done.wait(timeout=1.0)
        _killpg(proc.pid, signal.SIGKILL)  # whatever the command left in its group (a daemon, a stray worker)
        done.wait(timeout=2.0)
        if done.is_set():
            proc.stdout.close()
        with _live_lock:
            _live.discard(proc.pid)
    duration = time.monotonic() - t0
    return ProcResult(args, None if timed_out else proc.returncode, timed_out, duration, tail.text(), tail.total)


def last_line(text: str) -> str:
    """The last non-blank line of some output (for one-line messages)."""
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""
