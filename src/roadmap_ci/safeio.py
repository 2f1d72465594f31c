"""Guarded input and output, one function per format, used by every command.

Everything roadmap-ci reads may be hostile (a learner's evidence, predictions and artifact) or merely
broken (a mentor's rubric, a labels file): each reader here bounds what it costs before it keeps anything
and turns every problem into a one-line :class:`~roadmap_ci.errors.RoadmapError` naming the file and
the place. YAML has its guarded loader in :mod:`roadmap_ci.yamlio` (alias and depth limits, on top of
:func:`read_text`'s size cap).

* :func:`read_bytes` / :func:`read_text` -- a size cap checked before the file is read whole, strict
  UTF-8 (a BOM is dropped), no NUL bytes;
* :func:`parse_json` -- a nesting cap enforced while parsing (pydantic-core's Rust parser, the one
  ``model_validate_json`` uses, so the fast and the slow evidence paths agree), NaN/Infinity and lone
  surrogates (``"\\ud800"``) refused;
* :func:`csv_rows` -- a streaming CSV reader: bytes, rows, fields per row, characters per field and per
  record capped while reading, BOM dropped, strict UTF-8, no NUL;
* :func:`write_atomic` -- the one output writer (``--out``, ``--csv``, ``schema --out``, reports):
  a temporary file beside the target, then a rename; a failure is one line naming the path and why;
* :func:`plain` / :func:`markup` -- learner text made safe for a terminal (control characters shown as
  escapes; Rich markup escaped).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from roadmap_ci.errors import CannotRun, InvalidInput, Place

JSON_MAX_DEPTH = 200  # pydantic-core's parser refuses deeper nesting while it parses (its recursion limit)

# ---------------------------------------------------------------- reading bytes and text


def _display(path: Path | str) -> str:
    return plain(str(path))


def read_bytes(path: Path, what: str = "file", max_bytes: int | None = None) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` of them (checked before the file is read whole)."""
    try:
        with open(path, "rb") as fh:
            if max_bytes is None:
                return fh.read()
            st = os.fstat(fh.fileno())
            if stat.S_ISREG(st.st_mode):  # the size is known: refuse unread, else read exactly it
                if st.st_size > max_bytes:
                    raise InvalidInput(f"{what} is larger than the {max_bytes:,} bytes allowed", Place(_display(path)))
                data = fh.read(st.st_size + 1)  # (read(n) allocates n bytes up front: never read(max_bytes))
            else:  # a pipe or device: bounded chunks
                chunks, got = [], 0
                while got <= max_bytes and (chunk := fh.read(1 << 16)):
                    chunks.append(chunk)
                    got += len(chunk)
                data = b"".join(chunks)
    except InvalidInput:
        raise
    except FileNotFoundError:
        raise CannotRun(f"{what} not found", Place(_display(path))) from None
    except IsADirectoryError:
        raise CannotRun(f"is a directory, expected a {what}", Place(_display(path))) from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        why = getattr(exc, "strerror", None) or str(exc)
        raise CannotRun(f"cannot read {what}: {why}", Place(_display(path))) from None
    if len(data) > max_bytes:  # a file that grew while it was read
        raise InvalidInput(f"{what} is larger than the {max_bytes:,} bytes allowed", Place(_display(path)))
    return data


def decode_text(data: bytes, name: str, what: str = "file") -> str:
    """Strict UTF-8 (a leading BOM dropped); NUL bytes and empty files refused."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise InvalidInput(f"binary data, expected a text {what}", Place(name, line))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(f"not UTF-8 text (byte 0x{data[exc.start]:02x})", Place(name, line)) from None
    if not text.strip():
        raise InvalidInput(f"empty {what}", Place(name, 1, 1))
    return text


def read_text(path: Path, what: str = "file", max_bytes: int | None = None) -> str:
    """A UTF-8 text file, size-capped, or a one-line error naming it."""
    return decode_text(read_bytes(path, what, max_bytes), _display(path), what)


# ---------------------------------------------------------------- JSON

_JSON_AT = re.compile(r"^(?P<msg>.*?) at line (?P<line>\d+) column (?P<col>\d+)$")


def parse_json(text: str | bytes, name: str = "<json>", what: str = "JSON") -> Any:
    """Parse JSON with the limits above; every problem is one InvalidInput at file:line:column.

    pydantic-core refuses lone surrogate escapes (``"\\ud800"``) and trailing commas itself, and numbers
    too large for a float become infinity, which every contract model refuses (``allow_inf_nan=False``).
    """
    from pydantic_core import from_json

    try:
        return from_json(text, allow_inf_nan=False, cache_strings=False)
    except (TypeError, UnicodeEncodeError):  # a str holding a raw lone surrogate: not text from any file
        raise InvalidInput(f"invalid {what}: a lone surrogate, which is not text", Place(name)) from None
    except ValueError as exc:
        m = _JSON_AT.match(str(exc))
        msg, place = (m["msg"], Place(name, int(m["line"]), max(1, int(m["col"])))) if m else (str(exc), Place(name))
        if "recursion limit" in msg:
            msg = f"nested deeper than {JSON_MAX_DEPTH} levels"
        elif m and msg == "expected value" and _at(text, place).lstrip("-")[:3] in ("NaN", "Inf"):
            msg = "NaN and Infinity are not JSON numbers"
        raise InvalidInput(f"invalid {what}: {msg}", place) from None


def _at(text: str | bytes, place: Place) -> str:
    """The text from an error's 1-based line and column on, for a closer look."""
    line, column = place.line or 1, place.column or 1
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    lines = text.split("\n", line)
    return lines[line - 1][max(0, column - 1):] if 0 < line <= len(lines) else ""


# ---------------------------------------------------------------- CSV

CSV_MAX_FIELDS = 1000  # per row
CSV_MAX_FIELD_CHARS = 4096  # per cell (csv's own default is 128 KiB)
CSV_MAX_RECORD_BYTES = 1 << 20  # bytes of one record, across the lines a quoted field may span


def csv_rows(path: Path, name: str, what: str, *, max_bytes: int, max_rows: int,
             max_fields: int = CSV_MAX_FIELDS, max_field_chars: int = CSV_MAX_FIELD_CHARS,
             max_record_bytes: int = CSV_MAX_RECORD_BYTES, delimiter: str | None = None,
             ) -> Iterator[tuple[int, list[str]]]:
    """Stream ``(line, row)`` pairs -- the header first; ``line`` is where the row starts (a quoted cell may span
    lines) -- checking every cap before a row is handed on.

    Blank lines are skipped. ``delimiter``: default ``\\t`` for ``.tsv`` files, else ``,``. Nothing is read
    whole: the file is decoded as it streams, so peak memory is one record, whatever the file holds.
    """
    if delimiter is None:
        delimiter = "\t" if str(path).lower().endswith(".tsv") else ","
    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed in the finally below; this is a generator)
    except FileNotFoundError:
        raise InvalidInput(f"{what} is missing", Place(name)) from None
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"{what} is not readable ({getattr(exc, 'strerror', None) or exc})", Place(name)) from None
    try:
        lines = _Lines(fh, name, what, max_bytes, max_record_bytes)
        reader = csv.reader(lines, delimiter=delimiter, strict=True)
        rows = 0
        last = 0
        while True:
            lines.record_bytes = 0
            old_limit = csv.field_size_limit(max_field_chars)  # csv's limit is global: set for this read only
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise InvalidInput(f"{what} is not valid CSV ({exc})", Place(name, lines.line)) from None
            finally:
                csv.field_size_limit(old_limit)
            start, last = last + 1, reader.line_num
            if not row:
                continue
            if len(row) > max_fields:
                raise InvalidInput(f"{what} row has {len(row):,} fields (more than {max_fields:,})",
                                   Place(name, start))
            rows += 1
            if rows > max_rows + 1:  # + the header
                raise InvalidInput(f"{what} has more than {max_rows:,} rows", Place(name, start))
            yield start, row
        if rows == 0:
            raise InvalidInput(f"{what} is empty", Place(name))
    finally:
        fh.close()


class _Lines:
    """Decoded lines of a binary stream for csv.reader, each bounded, with the caps checked as they come."""

    def __init__(self, fh: IO[bytes], name: str, what: str, max_bytes: int, max_record_bytes: int) -> None:
        self.fh, self.name, self.what = fh, name, what
        self.max_bytes, self.max_record = max_bytes, max_record_bytes
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.read = 0
        self.line = 0
        self.record_bytes = 0
        self.first = True

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self.fh.readline(self.max_record + 1)
        if not raw:
            try:
                self.decoder.decode(b"", final=True)  # a multi-byte character cut off at the end
            except UnicodeDecodeError:
                raise InvalidInput(f"{self.what} is not UTF-8 text (it ends inside a character)",
                                   Place(self.name, max(1, self.line))) from None
            raise StopIteration
        self.read += len(raw)
        self.line += 1
        place = Place(self.name, self.line)
        if self.read > self.max_bytes:
            raise InvalidInput(f"{self.what} is larger than the {self.max_bytes:,} bytes allowed", place)
        if self.first and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            raise InvalidInput(f"{self.what} is UTF-16 text (a spreadsheet's Unicode text, Blackboard's tab-delimited "
                               "download): save or download it as comma-separated UTF-8", place)
        if b"\x00" in raw:
            raise InvalidInput(f"{self.what} holds binary data (NUL bytes)", place)
        try:
            text = self.decoder.decode(raw)
        except UnicodeDecodeError as exc:
            raise InvalidInput(f"{self.what} is not UTF-8 text (byte {self.read - len(raw) + exc.start})",
                               place) from None
        if self.first:
            text = text.removeprefix("\ufeff")
            self.first = False
        self.record_bytes += len(raw)
        if self.record_bytes > self.max_record:
            raise InvalidInput(f"{self.what} has a record longer than {self.max_record:,} bytes", place)
        return text


# ---------------------------------------------------------------- output


def write_csv(path: Path, header: list[str], rows: Any, quoting: int | None = None) -> Path:
    """A CSV file written whole through :func:`write_atomic` (the sheets grade, progress and similar write)."""
    import io

    buf = io.StringIO(newline="")
    w = csv.writer(buf, quoting=csv.QUOTE_MINIMAL if quoting is None else quoting)
    w.writerow(header)
    w.writerows(rows)
    return write_atomic(path, buf.getvalue())


def check_writable(path: Path) -> None:
    """What :func:`write_atomic` refuses before it writes (a folder in the way, or a file where a folder should
    be), for commands that must know before they start: one ``cannot write`` line, exit 2."""
    path = Path(path)
    shown = _display(path)
    try:
        if path.parent.exists() and not path.parent.is_dir():
            raise CannotRun(f"cannot write {shown}: {_display(path.parent)} is not a directory")
        if path.is_dir():
            raise CannotRun(f"cannot write {shown}: it is a directory")
    except (OSError, ValueError) as exc:
        raise CannotRun(f"cannot write {shown}: {_why(exc)}") from None


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename: readers never see half a file.

    Any failure is a CannotRun (exit 2) naming the path and why; no temporary file is left behind.
    """
    path = Path(path)
    shown = _display(path)
    check_writable(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (OSError, ValueError) as exc:
        raise CannotRun(f"cannot write {shown}: {_why(exc)}") from None
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if isinstance(data, str):
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                fh.write(data)
        else:
            with open(tmp, "wb") as fh:
                fh.write(data)
        os.replace(tmp, path)
    except (OSError, ValueError, UnicodeEncodeError) as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise CannotRun(f"cannot write {shown}: {_why(exc)}") from None
    return path


def _why(exc: BaseException) -> str:
    if isinstance(exc, UnicodeEncodeError):
        return "the text holds characters UTF-8 cannot encode"
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror[:1].lower() + exc.strerror[1:]
    return str(exc)


# ---------------------------------------------------------------- the terminal

# Unicode's control (Cc), format (Cf: zero-width, bidirectional overrides that reorder text, tags) and
# surrogate (Cs) characters and the line/paragraph separators: none is printed raw.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001-\U000e007f]")


def _escape_char(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def plain(text: str) -> str:
    """``text`` on one line with every control or invisible formatting character shown as an escape."""
    return text if _CONTROL.search(text) is None else _CONTROL.sub(_escape_char, text)


def lines(text: str) -> list[str]:
    """Each line of a multi-line message made :func:`plain`."""
    return [plain(line) for line in text.split("\n")]


def markup(text: str) -> str:
    """Learner text for a Rich console: :func:`plain`, then Rich markup escaped (``[b]`` stays text)."""
    from rich.markup import escape

    return escape(plain(text))
