"""Shared fixtures: a simulator on 127.0.0.1 port 0 and clients for each key type."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from binance_async import UMFutures
from binance_async.testing import Credentials, Simulator

KEY_KINDS = ("hmac", "rsa", "ed25519")


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


@pytest.fixture
async def client(sim: Simulator) -> AsyncIterator[UMFutures]:
    """An open HMAC client on the simulator."""
    async with make_client(sim, sim.new_credentials("hmac")) as c:
        yield c
