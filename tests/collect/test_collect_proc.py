"""proc.run: own process group, wall-clock timeout that kills the whole group, bounded output, never hangs."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from roadmap_ci.collect import proc


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by init) counts as dead
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_ok_and_exit_code(tmp_path: Path) -> None:
    res = proc.run([sys.executable, "-c", "import sys; print('hi'); sys.exit(3)"], tmp_path)
    assert res.returncode == 3 and not res.timed_out and not res.ok
    assert res.tail == "hi"


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time\n"
        f"c = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pidfile)!r}, 'w').write(str(c.pid))\n"
        "print('started', flush=True)\n"
        "time.sleep(600)\n"
    )
    t0 = time.monotonic()
    res = proc.run([sys.executable, "-c", script], tmp_path, timeout=2, kill_grace=0.5)
    elapsed = time.monotonic() - t0
    assert res.timed_out and res.returncode is None
    assert "started" in res.tail
    assert elapsed < 30  # generous sanity bound: it must not wait for the 600 s sleeps
    child = int(pidfile.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the grandchild survived the timeout"


def test_sigterm_ignored_still_killed(tmp_path: Path) -> None:
    script = ("import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
              "print('x', flush=True)\ntime.sleep(600)")
    res = proc.run([sys.executable, "-c", script], tmp_path, timeout=1, kill_grace=0.3)
    assert res.timed_out


def test_a_daemon_holding_the_pipe_does_not_hang(tmp_path: Path) -> None:
    # the leader exits at once; its child keeps stdout open for 600 s
    script = ("import subprocess, sys\n"
              "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\nprint('bye')")
    t0 = time.monotonic()
    res = proc.run([sys.executable, "-c", script], tmp_path, timeout=60)
    assert res.returncode == 0 and "bye" in res.tail
    assert time.monotonic() - t0 < 30


def test_100_mb_of_output_is_bounded(tmp_path: Path) -> None:
    script = ("import sys\nline = b'x' * 1023 + b'\\n'\nblock = line * 1024\n"
              "for _ in range(100): sys.stdout.buffer.write(block)\nprint('the end')")
    seen = []
    res = proc.run([sys.executable, "-c", script], tmp_path, tail_lines=5, tail_bytes=4096,
                   sink=lambda chunk, t: seen.append(len(chunk)))
    assert res.returncode == 0
    assert res.output_bytes >= 100 * 1024 * 1024
    assert sum(seen) == res.output_bytes
    assert max(seen) <= proc.CHUNK
    assert res.tail.splitlines()[-1] == "the end"
    assert len(res.tail.splitlines()) <= 5 and len(res.tail) <= 4096


def test_tail_ring_buffer_keeps_only_the_end() -> None:
    tail = proc.Tail(max_lines=3, max_bytes=64)
    for i in range(10_000):
        tail.feed(f"line {i}\n".encode())
        assert len(tail._buf) <= 2 * 64
    assert tail.text() == "line 9997\nline 9998\nline 9999"
    assert tail.total == sum(len(f"line {i}\n") for i in range(10_000))


def test_non_utf8_output_is_replaced(tmp_path: Path) -> None:
    res = proc.run([sys.executable, "-c", "import sys; sys.stdout.buffer.write(b'caf\\xe9 \\xff\\xfe ok\\n')"],
                   tmp_path)
    assert res.returncode == 0
    assert res.tail == "caf\ufffd \ufffd\ufffd ok"


def test_carriage_return_progress_keeps_the_last_state(tmp_path: Path) -> None:
    res = proc.run([sys.executable, "-c", "print('10%\\r50%\\r100%')"], tmp_path)
    assert res.tail == "100%"


def test_missing_command_is_an_error_not_an_exception(tmp_path: Path) -> None:
    res = proc.run(["definitely-not-a-command-xyz"], tmp_path)
    assert not res.ok and res.error.startswith("cannot run definitely-not-a-command-xyz")
