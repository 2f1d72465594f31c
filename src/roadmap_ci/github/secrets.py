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
