"""Actions secrets are encrypted on the client with the repo's (or environment's) public key: a sealed box."""

from __future__ import annotations

import base64


def seal(public_key_b64: str, value: bytes | str) -> str:
    """``value`` sealed for ``public_key_b64`` (GitHub's ``key``), base64 (GitHub's ``encrypted_value``)."""
    from roadmap_ci.extras import imports

    with imports("cohort", "GitHub secrets are encrypted with it"):
        from nacl import encoding, public
    data = value.encode("utf-8") if isinstance(value, str) else value
    key = public.PublicKey(public_key_b64.encode("ascii"), encoding.Base64Encoder)
    return base64.b64encode(public.SealedBox(key).encrypt(data)).decode("ascii")


# A secret holds 48 KB. Labels larger than that travel compressed and base64-encoded behind a marker;
# `ci-report --labels` unpacks them (text CSV files stay as they are). xz (LZMA) packs a ranking template's labels
# (one row per user and item) to about two thirds of what gzip does: recsys's course labels for 2,000 test users are
# 42 KB xz + base64 against 62 KB gzip + base64. Values packed with gzip by an earlier release are still read.
PACKED = b"roadmap-ci-labels:xz+base64:"
PACKED_GZIP = b"roadmap-ci-labels:gzip+base64:"
_XZ_MEMLIMIT = 256 * 1024 * 1024  # a damaged header cannot make the decoder allocate more than this
MARKER_MAX = max(len(PACKED), len(PACKED_GZIP))  # bytes enough to tell a packed value from a CSV file


def is_packed(head: bytes) -> bool:
    """Whether a labels value (or its first bytes) is packed, in any format this release reads."""
    head = head.lstrip()
    return any(head.startswith(m) for m in _FORMATS)


def _lzma():  # noqa: ANN202
    """The stdlib's lzma, or None on a Python built without liblzma (pyenv without liblzma-dev, some distros)."""
    try:
        import lzma
    except ImportError:
        return None
    return lzma


def pack_labels(data: bytes, limit: int) -> bytes:
    """``data`` as it fits a secret of ``limit`` bytes: itself when it fits, else xz + base64 behind a marker
    (gzip + base64 on a Python without lzma: every release reads both)."""
    import gzip

    if len(data) <= limit:
        return data
    lzma = _lzma()
    if lzma is None:
        return PACKED_GZIP + base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0))
    return PACKED + base64.b64encode(lzma.compress(data, format=lzma.FORMAT_XZ, preset=9 | lzma.PRESET_EXTREME))


def _unxz(raw: bytes, max_bytes: int) -> bytes:
    lzma = _lzma()
    if lzma is None:
        from roadmap_ci.errors import CannotRun

        raise CannotRun("the hidden labels secret is packed with xz, and this Python was built without the lzma "
                        "module: use a Python with it (actions/setup-python's have it)")
    dec = lzma.LZMADecompressor(format=lzma.FORMAT_XZ, memlimit=_XZ_MEMLIMIT)
    try:
        out = dec.decompress(raw, max_length=max_bytes + 1)
    except lzma.LZMAError:
        raise _Damaged from None
    if len(out) <= max_bytes and not dec.eof:  # cut short
        raise _Damaged
    return out


def _ungzip(raw: bytes, max_bytes: int) -> bytes:
    import gzip
    import io
    import zlib

    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            return fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error):
        raise _Damaged from None


class _Damaged(Exception):
    """A packed value whose compressed part does not decode."""


# marker -> (what the message calls it, the decoder: compressed bytes, cap -> at most cap + 1 bytes)
_FORMATS = {PACKED: ("xz + base64", _unxz), PACKED_GZIP: ("gzip + base64", _ungzip)}


def unpack_labels(data: bytes, max_bytes: int = 64 * 1024 * 1024) -> bytes:
    """The labels CSV from a secret's value (packed or not); one line on a damaged value."""
    import binascii

    from roadmap_ci.errors import InvalidInput

    stripped = data.strip()
    marker = next((m for m in _FORMATS if stripped.startswith(m)), None)
    if marker is None:
        return data
    kind, decode = _FORMATS[marker]
    try:
        out = decode(base64.b64decode(stripped[len(marker):], validate=True), max_bytes)
    except (binascii.Error, _Damaged):
        raise InvalidInput(f"the hidden labels secret is damaged (not {kind} after its marker)") from None
    if len(out) > max_bytes:
        raise InvalidInput(f"the hidden labels unpack to more than {max_bytes:,} bytes")
    return out
