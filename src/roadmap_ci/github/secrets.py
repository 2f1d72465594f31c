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


# A secret holds 48 KB. Labels larger than that travel gzip-compressed and base64-encoded behind this marker;
# `ci-report --labels` unpacks them (text CSV files stay as they are).
PACKED = b"roadmap-ci-labels:gzip+base64:"


def pack_labels(data: bytes, limit: int) -> bytes:
    """``data`` as it fits a secret of ``limit`` bytes: itself when it fits, else gzip + base64 behind a marker."""
    import gzip

    if len(data) <= limit:
        return data
    packed = PACKED + base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0))
    return packed


def unpack_labels(data: bytes, max_bytes: int = 64 * 1024 * 1024) -> bytes:
    """The labels CSV from a secret's value (packed or not); one line on a damaged value."""
    import binascii
    import gzip
    import zlib

    from roadmap_ci.errors import InvalidInput

    stripped = data.strip()
    if not stripped.startswith(PACKED):
        return data
    try:
        raw = base64.b64decode(stripped[len(PACKED):], validate=True)
        with gzip.GzipFile(fileobj=__import__("io").BytesIO(raw)) as fh:
            out = fh.read(max_bytes + 1)
    except (binascii.Error, OSError, EOFError, zlib.error):
        raise InvalidInput("the hidden labels secret is damaged (not gzip + base64 after its marker)") from None
    if len(out) > max_bytes:
        raise InvalidInput(f"the hidden labels unpack to more than {max_bytes:,} bytes")
    return out
