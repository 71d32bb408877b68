"""The user data stream against the simulator: the account mirror equal to the exchange's
through fills and reconnects, listenKey renewal, and unknown order outcomes settled by the
stream's events before any query or resend."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import orjson
import pytest

from binance_async import InvalidRequest, OrderUpdate, StreamGap, UMFutures
from binance_async.testing import Simulator
from binance_async.testing.streams import StreamServerConfig

from .conftest import RETRY, wire
from .test_stream_parts import order_event

FAST = StreamServerConfig(interval_scale=0.1, tick_s=0.01)
BTC = "BTCUSDT"
SIDES = ("BOTH", "LONG", "SHORT")


@pytest.fixture
async def sim() -> AsyncIterator[Simulator]:
    """A simulator whose stream intervals are a tenth of the exchange's."""
    async with Simulator(streams=FAST, seed=3) as simulator:
        yield simulator


def user_client(sim: Simulator, **kwargs: Any) -> UMFutures:
    """An HMAC client on the simulator's REST and streams: a 1 s recvWindow, fast retries."""
    creds = sim.new_credentials("hmac")
    options: dict[str, Any] = {
        "recv_window_ms": 1000,
        "request_timeout_s": 0.5,
        "retry": RETRY,
        "stream_idle_timeout_s": 0.6,
        **kwargs,
    }
    return UMFutures(
        creds.api_key,
        creds.api_secret,
        base_url=sim.base_url,
        stream_url=sim.stream_url,
        **options,
    )


async def limit(client: UMFutures, side: str, price: str, qty: str = "0.01", **kw: Any) -> Any:
    """A resting (or crossing) GTC LIMIT order."""
    return await client.new_order(
        symbol=BTC,
        side=side,
        type="LIMIT",
        time_in_force="GTC",
        quantity=Decimal(qty),
        price=Decimal(price),
        **kw,
    )


async def until(condition: Any, within_s: float = 3.0) -> None:
    """Poll ``condition()`` until true (bounded)."""
    async with asyncio.timeout(within_s):
        while True:
            if condition():
                return
            await asyncio.sleep(0.02)


def mirror_matches(sim: Simulator, user: Any) -> bool:
    """The mirror shows the exchange's open orders, statuses, positions and wallet."""
    open_ids = {o.client_order_id for o in sim.open_orders()}
    if {cid for cid, o in user.orders.items() if o.is_open} != open_ids:
        return False
    for cid, order in user.orders.items():
        held = sim.order(client_order_id=cid)
        if held is None or (held.status, held.executed_qty) != (order.status, order.executed_qty):
            return False
    positions = {
        key: (p.position_amt, round(p.entry_price, 6)) for key, p in user.positions.items()
    }
    held = [sim.position(s, "main", side) for s in sim.symbols for side in SIDES]
    exchange = {
        (p.symbol, p.position_side): (p.amount, round(p.entry_price, 6)) for p in held if p.amount
    }
    usdt = user.balances.get("USDT")
    wallet = sim.wallet_balance().quantize(Decimal("1e-8"))  # the exchange prints 8 decimals
    return positions == exchange and usdt is not None and usdt.balance == wallet


async def test_mirror_follows_orders_fills_and_a_reconnect(sim: Simulator) -> None:
    """user.orders / positions / balances equal the exchange's through placements, fills,
    a cancel, and changes made while the connection was down (re-read and merged)."""
    async with user_client(sim) as client, client.user_stream() as user:
        assert user.synced and user.orders == {} and user.balances["USDT"].balance == 100000
        await limit(client, "BUY", "49000", new_client_order_id="sig-42")
        await limit(client, "BUY", "48000", new_client_order_id="sig-43")
        await client.new_order(symbol=BTC, side="BUY", type="MARKET", quantity=Decimal("0.02"))
        await until(lambda: "sig-43" in user.orders and mirror_matches(sim, user))
        assert user.orders["sig-42"].status == "NEW"
        sim.streams.drop("/private")
        sim.trade(BTC, Decimal("49000"), Decimal("0.004"))  # fills sig-42 partly, unseen
        await client.cancel_order(symbol=BTC, orig_client_order_id="sig-43")  # unseen
        await until(lambda: user.stats.resyncs == 2 and user.synced)
        await until(lambda: mirror_matches(sim, user))
        assert user.orders["sig-42"].status == "PARTIALLY_FILLED"
        assert user.orders["sig-43"].status == "CANCELED"
        assert user.positions[(BTC, "BOTH")].position_amt == Decimal("0.024")
        events = []
        async with asyncio.timeout(2):
            async for event in user:
                events.append(event)
                if isinstance(event, StreamGap):
                    break
        assert {type(e) for e in events} >= {OrderUpdate, StreamGap}
        assert events[-1].stream == "user" and events[-1].reason == "reconnect"


async def test_an_expired_listen_key_is_replaced(sim: Simulator) -> None:
    """listenKeyExpired: a new key, a new connection, the mirror read again; events flow on."""
    async with user_client(sim) as client, client.user_stream() as user:
        assert sim.streams.expire_listen_key("main")
        await until(lambda: user.stats.renewals == 1 and user.stats.resyncs == 2 and user.synced)
        await limit(client, "SELL", "51000", new_client_order_id="after")
        await until(lambda: "after" in user.orders)
        assert sim.streams.connections("/private") == 1 and mirror_matches(sim, user)


async def test_a_failed_keepalive_takes_a_new_key(sim: Simulator) -> None:
    """A keep-alive refused (-1125: the key expired without a word) takes a new key and
    reconnects."""
    async with user_client(sim) as client, client.user_stream(keepalive_s=0.2) as user:
        sim.streams.expire_listen_key("main", notify=False)  # no listenKeyExpired comes
        await until(lambda: user.stats.renewals >= 1 and user.synced)
        await limit(client, "SELL", "51000", new_client_order_id="renewed")
        await until(lambda: "renewed" in user.orders)


@pytest.mark.parametrize("family", ["order", "algo"])
async def test_an_unknown_outcome_is_settled_by_the_stream(sim: Simulator, family: str) -> None:
    """503 "Unknown error" after executing: with the user stream open, the order's event
    settles it: no query, no resend, the order returned marked reconciled."""
    async with user_client(sim) as client, client.user_stream() as user:
        sim.audit.clear()
        if family == "order":
            sim.inject_next("unknown_executed")
            order = await limit(client, "BUY", "49000", new_client_order_id="ack-1")
            assert order.client_order_id == "ack-1" and order.status == "NEW"
            path = "/fapi/v1/order"
        else:
            sim.inject_next("unknown_executed", endpoint=("POST", "/fapi/v1/algoOrder"))
            order = await client.new_algo_order(
                symbol=BTC,
                side="SELL",
                type="STOP_MARKET",
                quantity=Decimal("0.01"),
                trigger_price=Decimal("45000"),
                client_algo_id="ack-2",
            )
            assert order.client_algo_id == "ack-2" and order.status == "NEW"
            path = "/fapi/v1/algoOrder"
        assert order.reconciled
        assert len(wire(sim, "POST", path)) == 1  # no resend
        assert wire(sim, "GET", path) == []  # no query
        assert client.stats.resubmissions == 0 and user.stats.settled == 1


async def test_a_stream_event_cancels_a_pending_resubmission(sim: Simulator) -> None:
    """The request times out while the exchange holds it; queries find nothing yet; the
    order is then placed and its event ends the settling: no second POST."""
    async with user_client(sim) as client, client.user_stream() as user:
        sim.audit.clear()
        sim.inject_next("delay_before_execute", delay_s=0.8)
        order = await limit(client, "BUY", "49000", new_client_order_id="late-1")
        assert order.client_order_id == "late-1" and order.reconciled
        assert len(wire(sim, "POST", "/fapi/v1/order")) == 1
        assert client.stats.resubmissions == 0 and user.stats.settled == 1
        assert sim.order(client_order_id="late-1") is not None


async def test_a_user_stream_needs_a_key(sim: Simulator) -> None:
    """Without an API key the listenKey cannot be taken: InvalidRequest, nothing left open."""
    async with UMFutures(base_url=sim.base_url, stream_url=sim.stream_url) as client:
        with pytest.raises(InvalidRequest):
            async with client.user_stream():
                pass
        assert sim.streams.connections() == 0


async def test_a_full_user_queue_drops_the_oldest_and_reports_it(sim: Simulator) -> None:
    """Nobody reads while 6 orders are placed into a queue of 4: the connection stays up, the
    oldest events go (counted), the iteration starts with a StreamGap saying how many, and
    the mirror, fed before the queue, holds every order."""
    async with (
        user_client(sim, stream_queue_size=4) as client,
        client.user_stream() as user,
    ):
        for i in range(6):
            await limit(client, "BUY", str(48000 + i), new_client_order_id=f"q-{i}")
        await until(lambda: len(user.orders) == 6 and mirror_matches(sim, user))
        events = []
        async with asyncio.timeout(2):
            async for event in user:
                events.append(event)
                if len(events) == 5:
                    break
        assert user.stats.reconnects == 0 and user.stats.dropped == 2
    gap, *kept = events
    assert isinstance(gap, StreamGap) and (gap.stream, gap.reason, gap.dropped) == (
        "user",
        "overflow",
        2,
    )
    assert gap.start_ms is not None and gap.end_ms is not None
    assert [e.client_order_id for e in kept] == ["q-2", "q-3", "q-4", "q-5"]


async def test_an_event_delivered_twice_is_applied_and_yielded_once(sim: Simulator) -> None:
    """The same ORDER_TRADE_UPDATE twice (a redelivery: same bytes, same E) is dropped and
    counted; another event of the same transaction time is not a duplicate."""
    async with user_client(sim) as client, client.user_stream() as user:
        placed = orjson.dumps(order_event("NEW", "NEW", "0", 1_000))
        user.put(placed)
        user.put(placed)
        partial = order_event("PARTIALLY_FILLED", "TRADE", "0.0005", 1_000)
        user.put(orjson.dumps(partial))
        events = []
        async with asyncio.timeout(2):
            async for event in user:
                events.append(event)
                if len(events) == 2:
                    break
        assert user.stats.stale == 1
    assert [(e.order.status, e.order.executed_qty) for e in events] == [
        ("NEW", Decimal("0")),
        ("PARTIALLY_FILLED", Decimal("0.0005")),
    ]
    assert user.orders["sig-42"].status == "PARTIALLY_FILLED"
