"""Fixtures for the simulator's tests: a running Simulator and a raw client that signs by hand.

The signing here is written out in the test on purpose (hmac/hashlib, cryptography); it never
uses the client library, so the simulator is checked against the reference, not against
the code it is meant to test.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any
from urllib.parse import quote

import aiohttp
import orjson
import pytest
import yarl
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from binance_async.testing import Credentials, RateLimitConfig, Simulator


def sign(creds: Credentials, payload: bytes) -> str:
    """The ``signature`` value as it goes on the wire (RSA/Ed25519 base64, URL-encoded)."""
    if creds.api_secret is not None:
        return hmac.new(creds.api_secret.encode(), payload, hashlib.sha256).hexdigest()
    assert creds.private_key_pem is not None
    key = serialization.load_pem_private_key(creds.private_key_pem, password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        raw = key.sign(payload, padding.PKCS1v15(), hashes.SHA256())
    else:
        assert isinstance(key, ed25519.Ed25519PrivateKey)
        raw = key.sign(payload)
    return quote(base64.b64encode(raw).decode(), safe="")


def encode(params: Mapping[str, object]) -> str:
    """Parameters as a query string, values percent-encoded (UTF-8)."""
    return "&".join(f"{k}={quote(str(v), safe='')}" for k, v in params.items())


class Reply:
    """Status, headers and decoded body of one response."""

    def __init__(self, status: int, headers: Mapping[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self) -> Any:
        return orjson.loads(self.body)

    @property
    def code(self) -> int | None:
        data = self.json
        return data.get("code") if isinstance(data, dict) else None

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body[:200]!r})"


class RawClient:
    """Sends requests to the simulator, signing exactly the bytes it sends."""

    def __init__(self, session: aiohttp.ClientSession, sim: Simulator, creds: Credentials | None):
        self.session = session
        self.sim = sim
        self.creds = creds

    async def send(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        body: str = "",
        api_key: str | None = None,
        content_type: str = "application/x-www-form-urlencoded",
    ) -> Reply:
        """Send raw query and body as given."""
        url = self.sim.base_url + path + (f"?{query}" if query else "")
        headers = {}
        key = api_key if api_key is not None else (self.creds.api_key if self.creds else None)
        if key is not None:
            headers["X-MBX-APIKEY"] = key
        if body:
            headers["Content-Type"] = content_type
        async with self.session.request(
            method, yarl.URL(url, encoded=True), data=body.encode() or None, headers=headers
        ) as resp:
            return Reply(resp.status, dict(resp.headers), await resp.read())

    async def public(
        self, method: str, path: str, params: Mapping[str, object] | None = None
    ) -> Reply:
        """An unsigned request."""
        return await self.send(method, path, query=encode(params or {}))

    async def signed(
        self,
        method: str,
        path: str,
        params: Mapping[str, object] | None = None,
        *,
        in_body: bool = False,
        timestamp: int | None = None,
        recv_window: int | None = None,
        tamper: Callable[[str], str] | None = None,
    ) -> Reply:
        """A SIGNED request: timestamp from the simulator clock unless given, signature last."""
        assert self.creds is not None
        full = dict(params or {})
        if recv_window is not None:
            full["recvWindow"] = recv_window
        full["timestamp"] = self.sim.clock.now_ms() if timestamp is None else timestamp
        payload = encode(full)
        signature = sign(self.creds, payload.encode())
        if tamper is not None:
            signature = tamper(signature)
        wire = f"{payload}&signature={signature}"
        if in_body:
            return await self.send(method, path, body=wire)
        return await self.send(method, path, query=wire)


@pytest.fixture
def limits() -> RateLimitConfig | None:
    """Rate limits of the ``sim`` fixture (override in a module for short windows)."""
    return None


@pytest.fixture
async def sim(limits: RateLimitConfig | None) -> AsyncIterator[Simulator]:
    """A running simulator."""
    async with Simulator(rate_limits=limits) as simulator:
        yield simulator


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """An aiohttp session from 127.0.0.1."""
    async with aiohttp.ClientSession() as s:
        yield s


@pytest.fixture
def creds(sim: Simulator) -> Credentials:
    """A fresh HMAC key on account ``main``."""
    return sim.new_credentials("hmac")


@pytest.fixture
def client(session: aiohttp.ClientSession, sim: Simulator, creds: Credentials) -> RawClient:
    """A raw client signing with ``creds``."""
    return RawClient(session, sim, creds)


@pytest.fixture
async def make_client(sim: Simulator) -> AsyncIterator[Callable[..., RawClient]]:
    """Factory for raw clients from other source addresses (127.0.0.x) or with other keys."""
    sessions: list[aiohttp.ClientSession] = []

    def factory(creds: Credentials | None = None, *, source_ip: str | None = None) -> RawClient:
        connector = aiohttp.TCPConnector(local_addr=(source_ip, 0) if source_ip else None)
        new = aiohttp.ClientSession(connector=connector)
        sessions.append(new)
        return RawClient(new, sim, creds)

    yield factory
    for opened in sessions:
        await opened.close()
