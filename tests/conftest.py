"""Shared fixtures and helpers: a simulator on 127.0.0.1 port 0, clients for each key type,
and readers of what the simulated exchange received."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl

import pytest

from binance_async import RetryConfig, Spot, UMFutures
from binance_async.testing import Credentials, RequestRecord, Simulator

KEY_KINDS = ("hmac", "rsa", "ed25519")
ORDER = "/fapi/v1/order"
#: Fast clients: a 1 s recvWindow, a 300 ms settle margin and a 100/200/400/800 ms backoff
#: without jitter, so "how many" and "when" are exact, with wide room for slow hosts.
RECV_WINDOW_MS = 1000
MARGIN_MS = 300
RETRY = RetryConfig(base_delay_s=0.1, max_delay_s=0.8, jitter=0.0, settle_margin_ms=MARGIN_MS)


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A fresh simulator."""
    async with Simulator(seed=1) as simulator:
        yield simulator


def make_client(sim: Simulator, creds: Credentials, **kwargs: Any) -> UMFutures:
    """A client for ``creds`` pointed at ``sim``."""
    if creds.kind == "hmac":
        return UMFutures(creds.api_key, creds.api_secret, base_url=sim.base_url, **kwargs)
    return UMFutures(
        creds.api_key, private_key=creds.private_key_pem, base_url=sim.base_url, **kwargs
    )


def make_spot(sim: Simulator, creds: Credentials, **kwargs: Any) -> Spot:
    """A Spot client for ``creds`` pointed at ``sim``."""
    if creds.kind == "hmac":
        return Spot(creds.api_key, creds.api_secret, base_url=sim.base_url, **kwargs)
    return Spot(creds.api_key, private_key=creds.private_key_pem, base_url=sim.base_url, **kwargs)


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[UMFutures]:
    """An open HMAC client on the simulator."""
    async with make_client(sim, sim.new_credentials("hmac")) as c:
        yield c


def fast_client(sim: Simulator, creds: Credentials | None = None, **kwargs: Any) -> UMFutures:
    """A client with a short recvWindow, request timeout and backoff."""
    options: dict[str, Any] = {
        "recv_window_ms": RECV_WINDOW_MS,
        "request_timeout_s": 0.5,
        "call_deadline_s": 10.0,
        "retry": RETRY,
        **kwargs,
    }
    return make_client(sim, creds or sim.new_credentials("hmac"), **options)


def params(record: RequestRecord) -> dict[str, str]:
    """The request's parameters (query and form body) as the exchange parsed them."""
    return dict(parse_qsl(record.query + "&" + record.body.decode(), keep_blank_values=True))


def wire(sim: Simulator, method: str, path: str = ORDER) -> list[RequestRecord]:
    """What the exchange received on one endpoint, in the order it processed it."""
    return [r for r in sim.audit.requests if r.method == method and r.path == path]


async def ready(client: UMFutures, sim: Simulator) -> None:
    """Load exchangeInfo, then forget the requests so far."""
    await client.exchange_info()
    sim.audit.clear()
