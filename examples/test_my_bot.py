"""How to test your own bot offline against the embedded simulator (run with pytest).

Installing binance_async installs its pytest plugin: the fixtures ``binance_simulator`` (the
exchange on 127.0.0.1), ``binance_credentials`` (a key of each type) and ``binance_client`` (a
UMFutures signed with it, connected to the simulator) need no conftest. The simulator is an
independent implementation of the exchange's rules: it checks your signatures, timestamps,
filters and rate limits, and injects real faults.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

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


async def test_entry_survives_a_lost_answer(
    binance_client: UMFutures, binance_simulator: Simulator
) -> None:
    """The exchange executes the order but the answer is lost: placed exactly once (this runs
    once per key type: HMAC, RSA and Ed25519)."""
    binance_simulator.inject_next("unknown_executed")
    assert await place_entry(binance_client, "sig-1") in ("NEW", "FILLED")
    assert binance_simulator.audit.accepted["sig-1"] == 1


@pytest.mark.binance_faults(unknown_executed=0.3, unavailable=0.2, seed=7)
@pytest.mark.parametrize("binance_credentials", ["ed25519"], indirect=True)
async def test_entries_survive_random_faults(
    binance_client: UMFutures, binance_simulator: Simulator
) -> None:
    """Half of the order requests meet a fault; every signal still enters exactly once."""
    for n in range(10):
        await place_entry(binance_client, f"sig-{n}")
    assert binance_simulator.audit.duplicates() == {}
    assert sorted(binance_simulator.audit.accepted) == sorted(f"sig-{n}" for n in range(10))
    assert any(r.fault for r in binance_simulator.audit.requests)
