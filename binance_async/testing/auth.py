"""API keys and signature verification (HMAC-SHA256 hex, RSA PKCS#1 v1.5/SHA-256, Ed25519)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from typing import Literal

import attrs
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

__all__ = ["Credentials", "KeyEntry", "KeyKind", "KeyStore", "verify_signature"]

KeyKind = Literal["hmac", "rsa", "ed25519"]
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _token(n: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(n))


@attrs.frozen(kw_only=True)
class Credentials:
    """A key registered with the simulator; ``repr`` never shows the secret or private key."""

    kind: KeyKind
    api_key: str
    account: str = "main"
    api_secret: str | None = attrs.field(default=None, repr=False)
    private_key_pem: bytes | None = attrs.field(default=None, repr=False)


@attrs.frozen(kw_only=True)
class KeyEntry:
    """What the exchange knows about a key: its account and how to check its signatures."""

    api_key: str
    account: str
    hmac_secret: bytes | None = attrs.field(default=None, repr=False)
    public_key: PublicKey | None = attrs.field(default=None, repr=False)

    @property
    def kind(self) -> KeyKind:
        """``hmac``, ``rsa`` or ``ed25519``."""
        if self.hmac_secret is not None:
            return "hmac"
        return "rsa" if isinstance(self.public_key, rsa.RSAPublicKey) else "ed25519"


def verify_signature(entry: KeyEntry, payload: bytes, signature: str) -> bool:
    """Whether ``signature`` (form-decoded value of the parameter) signs ``payload``.

    HMAC: hex, compared case-insensitively. RSA and Ed25519: standard base64, strictly decoded
    (the client must have URL-encoded it, or ``+`` arrives as a space and fails here).
    """
    if not signature.isascii():
        return False
    if entry.hmac_secret is not None:
        expected = hmac.new(entry.hmac_secret, payload, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, signature.lower())
    try:
        raw = base64.b64decode(signature.encode("ascii"), validate=True)
    except binascii.Error:
        return False
    key = entry.public_key
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(raw, payload, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(raw, payload)
        else:
            return False
    except InvalidSignature:
        return False
    return True


def _load_public(pem: bytes) -> PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey | ed25519.Ed25519PublicKey):
        raise ValueError(f"public_key_pem: unsupported key type {type(key).__name__}")
    return key


class KeyStore:
    """Registered API keys by key string."""

    def __init__(self) -> None:
        self._keys: dict[str, KeyEntry] = {}

    def get(self, api_key: str) -> KeyEntry | None:
        """The entry for ``api_key``, if registered."""
        return self._keys.get(api_key)

    def entries(self) -> list[KeyEntry]:
        """Every registered key, in registration order."""
        return list(self._keys.values())

    def register(
        self,
        api_key: str,
        *,
        hmac_secret: str | None = None,
        public_key_pem: bytes | None = None,
        account: str = "main",
    ) -> KeyEntry:
        """Register a key with exactly one of an HMAC secret or a PEM public key."""
        if (hmac_secret is None) == (public_key_pem is None):
            raise ValueError("register_key: give exactly one of hmac_secret or public_key_pem")
        if not api_key:
            raise ValueError("register_key: api_key must not be empty")
        entry = KeyEntry(
            api_key=api_key,
            account=account,
            hmac_secret=None if hmac_secret is None else hmac_secret.encode(),
            public_key=None if public_key_pem is None else _load_public(public_key_pem),
        )
        self._keys[api_key] = entry
        return entry

    def generate(self, kind: KeyKind, *, account: str = "main") -> Credentials:
        """Make a fresh key of ``kind``, register it, and return its credentials."""
        api_key = _token(64)
        if kind == "hmac":
            secret = _token(64)
            self.register(api_key, hmac_secret=secret, account=account)
            return Credentials(kind=kind, api_key=api_key, account=account, api_secret=secret)
        private: rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
        if kind == "rsa":
            private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        elif kind == "ed25519":
            private = ed25519.Ed25519PrivateKey.generate()
        else:
            raise ValueError(f"kind: expected 'hmac', 'rsa' or 'ed25519', got {kind!r}")
        private_pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        public_pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.register(api_key, public_key_pem=public_pem, account=account)
        return Credentials(kind=kind, api_key=api_key, account=account, private_key_pem=private_pem)
