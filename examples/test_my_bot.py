"""How to test your own bot offline against the embedded simulator (run with pytest).

The simulator is an independent implementation of the exchange's rules on 127.0.0.1: it
checks your signatures, timestamps, filters and rate limits, and injects real faults.
"""

from __future__ import annotations

from decimal import Decimal

from binance_async import UMFutures
from binance_async.testing import Simulator


async def place_entry(client: UMFutures, signal_id: str) -> str:
    """The code under test: one entry per signal."""
    order = await client.new_order(
        symbol="ETHUSDT",
        side="BUY",
        type="MARKET",
        quantity=Decimal("0.05"),
        new_client_order_id=signal_id,
    )
    return order.status


async def test_entry_survives_a_lost_answer() -> None:
    """The exchange executes the order but the answer is lost: placed exactly once."""
    async with Simulator() as sim:
        creds = sim.new_credentials("hmac")
        async with UMFutures(creds.api_key, creds.api_secret, base_url=sim.base_url) as client:
            sim.inject_next("unknown_executed")
            assert await place_entry(client, "sig-1") in ("NEW", "FILLED")
        assert sim.audit.accepted["sig-1"] == 1
