"""The dead man's switch: refreshed while the block runs, disarmed on a clean exit, left armed
when the block fails or the refreshing stops, and then the exchange cancels the orders."""

from __future__ import annotations

import asyncio

import pytest

from binance_async import InvalidRequest, RetryConfig, UMFutures
from binance_async.testing import Simulator

from .conftest import fast_client, params, ready, wire

COUNTDOWN = "/fapi/v1/countdownCancelAll"


async def resting(client: UMFutures, cid: str) -> None:
    """A LIMIT BUY far below the mark."""
    await client.new_order(
        symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.010", price="40000.0",
        new_client_order_id=cid,
    )  # fmt: skip


def countdowns(sim: Simulator) -> list[str]:
    """The countdownTime of each countdownCancelAll the exchange received, in order."""
    return [params(r)["countdownTime"] for r in wire(sim, "POST", COUNTDOWN)]


async def test_refreshed_while_running_and_disarmed_on_a_clean_exit(sim: Simulator) -> None:
    """Armed on entry, refreshed well inside the countdown, switched off on exit: the orders
    outlive several countdowns."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await resting(client, "dms-1")
        async with client.dead_mans_switch("BTCUSDT", countdown_ms=2000, refresh_s=0.3) as dms:
            await asyncio.sleep(1.0)
            sim.clock.jump(1500)  # the exchange's clock moves on: a refresh must keep up
            await asyncio.sleep(1.0)
            assert dms.refreshing and dms.refreshes >= 4 and dms.failures == 0
        assert not dms.refreshing
        sim.clock.jump(5000)
        await asyncio.sleep(0.1)
        order = await client.get_order(symbol="BTCUSDT", orig_client_order_id="dms-1")
    assert order.status == "NEW"
    sent = countdowns(sim)
    assert sent[0] == "2000" and sent[-1] == "0" and len(sent) >= 6


async def test_a_frozen_switch_lets_the_exchange_cancel_the_orders(sim: Simulator) -> None:
    """No refresh (a frozen process): once the countdown passes on the exchange's clock, the
    symbol's open orders are cancelled by the exchange itself."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await resting(client, "dms-2")
        switch = client.dead_mans_switch("BTCUSDT", countdown_ms=2000)
        async with switch:
            await switch.stop_refreshing()
            sim.clock.jump(2500)
            await asyncio.sleep(0.2)
            order = await client.get_order(symbol="BTCUSDT", orig_client_order_id="dms-2")
            assert order.status == "CANCELED"
    assert countdowns(sim) == ["2000", "0"]


async def test_a_failing_block_leaves_the_switch_armed(sim: Simulator) -> None:
    """An exception in the block stops the refreshes but does not disarm: the exchange cancels."""
    async with fast_client(sim) as client:
        await ready(client, sim)
        await resting(client, "dms-3")
        with pytest.raises(RuntimeError, match="bot crashed"):
            async with client.dead_mans_switch("BTCUSDT", countdown_ms=2000):
                raise RuntimeError("bot crashed")
        sim.clock.jump(2500)
        await asyncio.sleep(0.2)
        order = await client.get_order(symbol="BTCUSDT", orig_client_order_id="dms-3")
    assert order.status == "CANCELED" and countdowns(sim) == ["2000"]


async def test_a_failed_refresh_is_retried_sooner(sim: Simulator) -> None:
    """Refreshes that fail (a 503 the client does not retry here) are logged and tried again
    at a quarter of the period, so the countdown never passes; the orders stay."""
    no_retries = RetryConfig(max_retries=0, base_delay_s=0.05, jitter=0.0)
    async with fast_client(sim, retry=no_retries) as client:
        await ready(client, sim)
        await resting(client, "dms-4")
        async with client.dead_mans_switch("BTCUSDT", countdown_ms=4000, refresh_s=0.4) as dms:
            sim.inject_next("unavailable", count=3, endpoint=("POST", COUNTDOWN))
            await asyncio.sleep(1.2)
            assert dms.refreshing and dms.failures == 3 and dms.refreshes >= 1
        order = await client.get_order(symbol="BTCUSDT", orig_client_order_id="dms-4")
    assert order.status == "NEW"
    answered = [r.status for r in wire(sim, "POST", COUNTDOWN)]
    assert answered[:5] == [200, 503, 503, 503, 200] and answered[-1] == 200
    refreshes = [r.server_time_ms for r in wire(sim, "POST", COUNTDOWN)]
    assert refreshes[4] - refreshes[1] < 0.4 * 1000  # three retries inside one period


def test_a_countdown_too_short_to_refresh_is_refused() -> None:
    """Under 2 s, or a refresh period over half the countdown: InvalidRequest."""
    client = UMFutures()
    with pytest.raises(InvalidRequest):
        client.dead_mans_switch("BTCUSDT", countdown_ms=500)
    with pytest.raises(InvalidRequest):
        client.dead_mans_switch("BTCUSDT", countdown_ms=4000, refresh_s=3.0)
