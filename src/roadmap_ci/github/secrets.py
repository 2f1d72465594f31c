"""Actions secrets are encrypted on the client with the repo's (or environment's) public key: a sealed box."""

from __future__ import annotations

import base64

from roadmap_ci.errors import CannotRun


def seal(public_key_b64: str, value: bytes | str) -> str:
    """``value`` sealed for ``public_key_b64`` (GitHub's ``key``), base64 (GitHub's ``encrypted_value``)."""
    try:
        from nacl import encoding, public
    except ImportError:  # pragma: no cover - PyNaCl is a dependency of the classroom commands
        raise CannotRun("encrypting GitHub secrets needs PyNaCl: pip install pynacl") from None
    data = value.encode("utf-8") if isinstance(value, str) else value
    key = public.PublicKey(public_key_b64.encode("ascii"), encoding.Base64Encoder)
    return base64.b64encode(public.SealedBox(key).encrypt(data)).decode("ascii")
