"""Request signers: HMAC-SHA256, RSA (PKCS#1 v1.5, SHA-256) and Ed25519.

A signer is chosen once, from the key it is given (:func:`make_signer`), and owns only its
own key. ``sign`` takes the exact payload bytes and returns the raw signature: lower-case hex
for HMAC, base64 for RSA and Ed25519 (``url_safe`` False: a REST transport URL-encodes it, the
WebSocket API puts it raw in its JSON). No repr shows key material.

``cryptography`` is imported only when a private key is loaded or an RSA or Ed25519 signer
is built: an HMAC client never pays for loading it.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from .errors import InvalidRequest

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

__all__ = ["Ed25519Signer", "HmacSigner", "RsaSigner", "Signer", "load_private_key", "make_signer"]


#: SHA-256's block size, and the byte maps of HMAC's inner and outer pads (RFC 2104).
_SHA256_BLOCK = 64
_IPAD = bytes(b ^ 0x36 for b in range(256))
_OPAD = bytes(b ^ 0x5C for b in range(256))


class Signer(Protocol):
    """Signs a request payload."""

    kind: str
    #: True when the signature needs no URL-encoding (hex).
    url_safe: bool

    def sign(self, payload: bytes) -> str:
        """The raw signature of ``payload`` (hex, or base64)."""
        ...


class HmacSigner:
    """HMAC-SHA256 over the payload, lower-case hex.

    HMAC is SHA-256(K ^ opad, SHA-256(K ^ ipad, payload)) (RFC 2104): the two keyed states
    are hashed once here, and each signature continues copies of them (0.5 us against
    ``hmac.digest``'s 1.4, which sets up the key again on every call).
    """

    __slots__ = ("_inner", "_outer")
    kind = "HMAC"
    url_safe = True

    def __init__(self, secret: str | bytes) -> None:
        if not isinstance(secret, str | bytes) or not secret:
            raise InvalidRequest(
                f"api_secret must be a non-empty str or bytes, got {type(secret).__name__}"
            )
        key = secret.encode() if isinstance(secret, str) else bytes(secret)
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        key = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def sign(self, payload: bytes) -> str:
        """Hex HMAC-SHA256 of ``payload``."""
        inner = self._inner.copy()
        inner.update(payload)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()

    def __repr__(self) -> str:
        return "HmacSigner(secret=<redacted>)"


class RsaSigner:
    """RSASSA-PKCS1-v1_5 with SHA-256, base64."""

    __slots__ = ("_hash", "_key", "_padding")
    kind = "RSA"
    url_safe = False

    def __init__(self, key: rsa.RSAPrivateKey) -> None:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        self._key = key
        self._padding = padding.PKCS1v15()
        self._hash = hashes.SHA256()

    def sign(self, payload: bytes) -> str:
        """Base64 RSA signature of ``payload``."""
        return base64.b64encode(self._key.sign(payload, self._padding, self._hash)).decode()

    def __repr__(self) -> str:
        return f"RsaSigner(bits={self._key.key_size}, key=<redacted>)"


class Ed25519Signer:
    """Ed25519 signature, base64."""

    __slots__ = ("_key",)
    kind = "Ed25519"
    url_safe = False

    def __init__(self, key: ed25519.Ed25519PrivateKey) -> None:
        self._key = key

    def sign(self, payload: bytes) -> str:
        """Base64 Ed25519 signature of ``payload``."""
        return base64.b64encode(self._key.sign(payload)).decode()

    def __repr__(self) -> str:
        return "Ed25519Signer(key=<redacted>)"


def load_private_key(
    key: bytes | str | Path, passphrase: bytes | str | None = None
) -> rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey:
    """Load a PEM (or DER) private key from bytes, PEM text, or a file path."""
    if isinstance(key, Path) or (isinstance(key, str) and "-----BEGIN" not in key):
        try:
            data = Path(key).read_bytes()
        except OSError as exc:
            raise InvalidRequest(f"cannot read private key file: {exc.strerror}") from None
    else:
        data = key.encode() if isinstance(key, str) else bytes(key)
    password = passphrase.encode() if isinstance(passphrase, str) else passphrase
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    try:
        if b"-----BEGIN" in data:
            loaded = serialization.load_pem_private_key(data, password=password)
        else:
            loaded = serialization.load_der_private_key(data, password=password)
    except (ValueError, TypeError) as exc:
        # The message of cryptography's error names the problem, never the key bytes.
        raise InvalidRequest(f"cannot load private key: {exc}") from None
    if isinstance(loaded, rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey):
        return loaded
    raise InvalidRequest(
        f"unsupported private key type {type(loaded).__name__}: Binance accepts RSA or Ed25519"
    )


def make_signer(
    *,
    api_secret: str | bytes | None = None,
    private_key: bytes | str | Path | None = None,
    private_key_passphrase: bytes | str | None = None,
) -> Signer | None:
    """Pick the signer for the key given: HMAC for a secret, RSA or Ed25519 from the key."""
    if api_secret is not None and private_key is not None:
        raise InvalidRequest("give either api_secret (HMAC) or private_key (RSA/Ed25519), not both")
    if api_secret is not None:
        return HmacSigner(api_secret)
    if private_key is None:
        return None
    from cryptography.hazmat.primitives.asymmetric import rsa

    loaded = load_private_key(private_key, private_key_passphrase)
    if isinstance(loaded, rsa.RSAPrivateKey):
        return RsaSigner(loaded)
    return Ed25519Signer(loaded)
