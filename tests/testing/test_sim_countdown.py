"""countdownCancelAll: the symbol's open orders are cancelled when the countdown passes on the
exchange's clock without a refresh, checked on every request and by a background ticker."""

from __future__ import annotations

import asyncio
from typing import Any

from binance_async.testing import Simulator

from .conftest import RawClient

COUNTDOWN = "/fapi/v1/countdownCancelAll"


def limit(symbol: str, price: str, cid: str) -> dict[str, Any]:
    """A resting LIMIT BUY."""
    return {
        "symbol": symbol,
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.01",
        "price": price,
        "newClientOrderId": cid,
    }


async def resting(client: RawClient) -> None:
    """Two BTCUSDT orders and one ETHUSDT order."""
    for params in (
        limit("BTCUSDT", "49000", "b1"),
        limit("BTCUSDT", "48000", "b2"),
        limit("ETHUSDT", "2900", "e1"),
    ):
        assert (await client.signed("POST", "/fapi/v1/order", params)).status == 200


def open_ids(sim: Simulator) -> list[str]:
    """Client ids of the open orders of ``main``."""
    return sorted(o.client_order_id for o in sim.open_orders())


async def test_answer_and_cancel_without_requests(sim: Simulator, client: RawClient) -> None:
    """The answer echoes symbol and countdown (a string); when it passes with no request at all,
    the background ticker cancels only that symbol's orders."""
    await resting(client)
    reply = await client.signed("POST", COUNTDOWN, {"symbol": "BTCUSDT", "countdownTime": 200})
    assert reply.json == {"symbol": "BTCUSDT", "countdownTime": "200"}
    assert sim.audit.requests[-1].weight == 10
    for _ in range(250):  # bounded: 5 s at most
        await asyncio.sleep(0.02)
        if open_ids(sim) == ["e1"]:
            break
    assert open_ids(sim) == ["e1"]
    assert sim.order(client_order_id="b1").status == "CANCELED"  # type: ignore[union-attr]


async def test_refreshing_keeps_orders_and_zero_switches_off(
    sim: Simulator, client: RawClient
) -> None:
    """Refreshed before it passes, nothing is cancelled; countdownTime 0 switches it off."""
    await resting(client)
    for _ in range(5):
        await client.signed("POST", COUNTDOWN, {"symbol": "BTCUSDT", "countdownTime": 2000})
        await asyncio.sleep(0.1)
    assert open_ids(sim) == ["b1", "b2", "e1"]
    off = await client.signed("POST", COUNTDOWN, {"symbol": "BTCUSDT", "countdownTime": 0})
    assert off.json == {"symbol": "BTCUSDT", "countdownTime": "0"}
    sim.clock.jump(3000)  # well past the last countdown
    await client.public("GET", "/fapi/v1/ping")
    await asyncio.sleep(0.05)
    assert open_ids(sim) == ["b1", "b2", "e1"]


async def test_on_the_exchange_clock(sim: Simulator, client: RawClient) -> None:
    """With the clock frozen nothing passes; a jump past the deadline cancels, checked by
    the next request before it is answered (and countdowns are per account)."""
    other = RawClient(client.session, sim, sim.new_credentials("hmac", account="other"))
    await resting(client)
    await other.signed("POST", "/fapi/v1/order", limit("BTCUSDT", "47000", "o1"))
    sim.clock.freeze()
    await client.signed("POST", COUNTDOWN, {"symbol": "BTCUSDT", "countdownTime": 60_000})
    await asyncio.sleep(0.05)
    assert open_ids(sim) == ["b1", "b2", "e1"]
    sim.clock.jump(60_000)
    opened = (await client.signed("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"})).json
    assert opened == []
    assert [o.client_order_id for o in sim.open_orders("other")] == ["o1"]


async def test_aclose_stops_the_ticker() -> None:
    """The background ticker ends with the simulator."""
    sim = Simulator(tick_interval_s=0.005)
    await sim.start()
    tasks = [t for t in asyncio.all_tasks() if t.get_name() == "simulator-ticker"]
    assert len(tasks) == 1 and not tasks[0].done()
    await sim.aclose()
    assert tasks[0].done()
    assert not [t for t in asyncio.all_tasks() if t.get_name() == "simulator-ticker"]
