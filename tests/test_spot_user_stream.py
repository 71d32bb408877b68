"""Spot's user data stream over the WebSocket API subscription, against the simulator on
real WebSocket connections: typed events with exact values, the account mirror equal to the
exchange's through orders, fills, cancels and a dropped connection, unknown order outcomes
settled by the stream, and nothing left running after close."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest

from binance_async import (
    AccountPosition,
    ExecutionReport,
    InvalidRequest,
    ListStatus,
    Spot,
    SpotBalanceUpdate,
    SpotOrder,
    StreamGap,
)
from binance_async.models.spotaccount import SpotBalance
from binance_async.spot.userstream import SpotUserStream
from binance_async.testing import Credentials, Simulator

from .conftest import RECV_WINDOW_MS, RETRY, make_spot

BTC = "BTCUSDT"
ORDER = ("POST", "/api/v3/order")
QUERY = ("GET", "/api/v3/order")
OCO = ("POST", "/api/v3/orderList/oco")
LIST_QUERY = ("GET", "/api/v3/orderList")


def user_client(sim: Simulator, creds: Credentials | None = None, **kwargs: Any) -> Spot:
    """A fast Spot client on the simulator's REST and WebSocket API (HMAC by default)."""
    options: dict[str, Any] = {
        "ws_api_url": sim.spot_ws_api_url,
        "recv_window_ms": RECV_WINDOW_MS,
        "request_timeout_s": 0.5,
        "call_deadline_s": 10.0,
        "retry": RETRY,
        "stream_idle_timeout_s": 0.6,
        **kwargs,
    }
    return make_spot(sim, creds or sim.new_credentials("hmac"), **options)


async def limit(
    client: Spot, cid: str, side: str = "BUY", price: str = "49000", qty: str = "0.01"
) -> SpotOrder:
    """A GTC LIMIT order (below the price it rests)."""
    return await client.new_order(
        symbol=BTC, side=side, type="LIMIT", time_in_force="GTC", quantity=D(qty),
        price=D(price), new_client_order_id=cid,
    )  # fmt: skip


async def until(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    """Poll ``condition()`` until true (bounded)."""
    async with asyncio.timeout(within_s):
        while True:
            if condition():
                return
            await asyncio.sleep(0.02)


async def take(user: SpotUserStream, count: int) -> list[Any]:
    """The next ``count`` events (bounded in time)."""
    out: list[Any] = []
    async with asyncio.timeout(5):
        async for event in user:
            out.append(event)
            if len(out) == count:
                break
    return out


def mirror_matches(sim: Simulator, user: SpotUserStream) -> bool:
    """The mirror shows the exchange's open orders, each order's status and filled quantity,
    and every asset's free and locked amounts."""
    open_ids = {o.placed_client_order_id for o in sim.spot_open_orders()}
    if {cid for cid, o in user.orders.items() if o.is_open} != open_ids:
        return False
    for cid, order in user.orders.items():
        held = sim.spot_order(order_id=order.order_id)
        if held is None or held.placed_client_order_id != cid:
            return False
        if (held.status, held.executed_qty) != (order.status, order.executed_qty):
            return False
    for asset, balance in user.balances.items():
        exchange = sim.spot_balance(asset)
        if (exchange.free, exchange.locked) != (balance.free, balance.locked):
            return False
    return {"BTC", "USDT"} <= set(user.balances)


def sent(sim: Simulator, method: str, path: str) -> list[Any]:
    """What the exchange received on one route, in order."""
    return [r for r in sim.audit.requests if (r.method, r.path) == (method, path)]


async def test_events_are_typed_with_exact_values(sim: Simulator) -> None:
    """An order's NEW, the position with its funds locked, its maker fill and the position
    after, a cancel's report (named by the order's own id), a deposit's balanceUpdate and an
    OCO's listStatus arrive typed: Decimal amounts, the exchange's times and ids."""
    sim.spot.set_commission(maker=D("0.001"), taker=D("0.001"))
    async with user_client(sim) as client, client.user_stream() as user:
        assert user.synced and user.orders == {}
        assert user.balances["USDT"] == SpotBalance(asset="USDT", free=D(100000), locked=D(0))
        placed = await limit(client, "t-1")
        new, locked = await take(user, 2)
        held = sim.spot_order(client_order_id="t-1")
        assert held is not None
        assert isinstance(new, ExecutionReport)
        assert (new.symbol, new.client_order_id, new.order_id, new.side, new.order_type) == (
            BTC, "t-1", placed.order_id, "BUY", "LIMIT",
        )  # fmt: skip
        assert (new.execution_type, new.status, new.quantity, new.price) == (
            "NEW", "NEW", D("0.01"), D("49000"),
        )  # fmt: skip
        assert (new.cumulative_qty, new.trade_id, new.orig_client_order_id) == (D(0), -1, "")
        assert new.transaction_time_ms == new.order_time_ms == held.time_ms
        assert new.is_working and new.time_in_force == "GTC"
        assert isinstance(locked, AccountPosition)
        assert [(b.asset, b.free, b.locked) for b in locked.balances] == [
            ("USDT", D("99510"), D("490"))
        ]
        sim.spot_set_price(BTC, D("48000"))
        fill, after = await take(user, 2)
        (trade,) = sim.spot.user_trades()
        assert isinstance(fill, ExecutionReport)
        assert (fill.execution_type, fill.status, fill.last_qty, fill.cumulative_qty) == (
            "TRADE", "FILLED", D("0.01"), D("0.01"),
        )  # fmt: skip
        assert (fill.last_price, fill.commission, fill.commission_asset) == (
            D("49000"), D("0.00001"), "BTC",
        )  # fmt: skip
        assert (fill.trade_id, fill.is_maker, fill.cumulative_quote_qty) == (
            trade.trade_id, True, D("490"),
        )  # fmt: skip
        assert fill.order.status == "FILLED" and fill.order.executed_qty == D("0.01")
        assert isinstance(after, AccountPosition)
        assert {b.asset: (b.free, b.locked) for b in after.balances} == {
            "USDT": (D("99510"), D(0)),
            "BTC": (D("10.00999"), D(0)),
        }
        await limit(client, "t-2", price="47000")
        await take(user, 2)
        await client.cancel_order(symbol=BTC, orig_client_order_id="t-2", new_client_order_id="x-2")
        cancelled, _ = await take(user, 2)
        assert isinstance(cancelled, ExecutionReport)
        assert (cancelled.client_order_id, cancelled.orig_client_order_id) == ("x-2", "t-2")
        assert cancelled.order_client_id == "t-2" and cancelled.status == "CANCELED"
        assert user.orders["t-2"].status == "CANCELED"
        assert user.orders["t-2"].cancel_client_order_id == "x-2"
        sim.spot.deposit("BTC", D("1.5"))
        deposit, _ = await take(user, 2)
        assert isinstance(deposit, SpotBalanceUpdate)
        assert (deposit.asset, deposit.delta) == ("BTC", D("1.5"))
        listed = await client.new_order_list_oco(
            symbol=BTC, side="SELL", quantity="0.001", above_type="LIMIT_MAKER",
            above_price="52000", below_type="STOP_LOSS_LIMIT", below_price="47000",
            below_stop_price="47500", list_client_order_id="l-1",
        )  # fmt: skip
        events = await take(user, 4)
        (status,) = [e for e in events if isinstance(e, ListStatus)]
        assert (status.list_client_order_id, status.order_list_id) == ("l-1", listed.order_list_id)
        assert (status.contingency_type, status.list_order_status) == ("OCO", "EXECUTING")
        assert len(status.orders) == 2
        await until(lambda: mirror_matches(sim, user))


@pytest.mark.parametrize("kind", ["hmac", "rsa", "ed25519"])
async def test_mirror_equals_the_exchange_through_orders_fills_and_cancels(
    sim: Simulator, kind: str
) -> None:
    """With an HMAC or RSA key (subscribe by signature) or an Ed25519 key (logon, then
    subscribe),
    user.orders and user.balances equal the exchange's after placements, partial and full
    fills, a market order and a cancel."""
    async with user_client(sim, sim.new_credentials(kind)) as client:
        async with client.user_stream() as user:
            await limit(client, "m-1")
            await limit(client, "m-2", price="48000", qty="0.02")
            await limit(client, "m-3", side="SELL", price="51000", qty="0.5")
            await client.new_order(symbol=BTC, side="BUY", type="MARKET", quantity=D("0.003"),
                                   new_client_order_id="m-4")  # fmt: skip
            sim.spot_trade(BTC, D("48000"), D("0.015"))  # m-1 fills, m-2 partly
            await client.cancel_order(symbol=BTC, orig_client_order_id="m-3")
            await until(lambda: "m-4" in user.orders and mirror_matches(sim, user))
            assert user.orders["m-1"].status == "FILLED"
            assert user.orders["m-2"].status == "PARTIALLY_FILLED"
            assert user.orders["m-2"].executed_qty == D("0.005")
            assert user.orders["m-3"].status == "CANCELED"
            assert user.orders["m-4"].status == "FILLED"
            assert user.stats.stale == 0 and user.subscriptions == 1
        methods = [r.path for r in sent_ws(sim)]
        if kind == "ed25519":
            assert methods == ["session.logon", "userDataStream.subscribe"]
        else:
            assert methods == ["userDataStream.subscribe.signature"]


def sent_ws(sim: Simulator) -> list[Any]:
    """The WebSocket API calls the exchange received."""
    return [r for r in sim.audit.requests if r.method == "WS"]


async def test_a_dropped_connection_resubscribes_and_reads_the_account_again(
    sim: Simulator,
) -> None:
    """The connection cut: a new one subscribes, the account is read again (changes made
    meanwhile included), the iteration yields a StreamGap, and the mirror is exact again."""
    async with user_client(sim) as client, client.user_stream() as user:
        await limit(client, "d-1")
        await limit(client, "d-2", price="47000")
        await until(lambda: "d-2" in user.orders and mirror_matches(sim, user))
        assert sim.spot_ws_api_drop_connections() == 1
        sim.spot_trade(BTC, D("49000"), D("0.004"))  # fills d-1 partly, maybe unseen
        await client.cancel_order(symbol=BTC, orig_client_order_id="d-2")  # maybe unseen
        await until(lambda: user.stats.resyncs == 2 and user.synced)
        await until(lambda: mirror_matches(sim, user))
        assert user.orders["d-1"].status == "PARTIALLY_FILLED"
        assert user.orders["d-1"].executed_qty == D("0.004")
        assert user.orders["d-2"].status == "CANCELED"
        assert user.subscriptions == 2 and user.stats.reconnects == 1
        gaps = []
        async with asyncio.timeout(5):
            async for event in user:
                if isinstance(event, StreamGap):
                    gaps.append(event)
                    break
        assert gaps[0].stream == "user" and gaps[0].reason == "reconnect"
        await limit(client, "d-3", price="46000")
        await until(lambda: "d-3" in user.orders and mirror_matches(sim, user))
        assert [r.path for r in sent_ws(sim)] == ["userDataStream.subscribe.signature"] * 2


async def test_rotation_overlaps_two_connections_and_loses_nothing(sim: Simulator) -> None:
    """Past stream_rotate_after_s a second connection subscribes while the first still
    delivers; orders placed all along each reach the consumer once, in order, with no
    StreamGap, no re-read of the account, and one connection left at the exchange."""
    async with (
        user_client(sim, stream_rotate_after_s=0.8) as client,
        client.user_stream() as user,
    ):
        seen: list[str] = []
        gaps: list[StreamGap] = []

        async def consume() -> None:
            async for event in user:
                if isinstance(event, StreamGap):
                    gaps.append(event)
                elif isinstance(event, ExecutionReport) and event.execution_type == "NEW":
                    seen.append(event.client_order_id)

        consumer = asyncio.get_running_loop().create_task(consume())
        placed = []
        for n in range(45):  # about 5 s: a rotation at 0.8 s, 3 s of overlap, the next begun
            cid = f"rot-{n}"
            await limit(client, cid, price=str(40000 + n))
            placed.append(cid)
            await asyncio.sleep(0.1)
        await until(lambda: len(seen) >= len(placed), within_s=10)
        await asyncio.sleep(0.3)  # a duplicate would come now
        consumer.cancel()
        assert seen == placed and not gaps
        assert user.stats.rotations >= 1 and user.stats.reconnects == 0
        assert user.stats.stale >= 10  # the overlap's events came on both, taken once
        assert user.stats.resyncs == 1  # only the first read of the account
        await until(lambda: mirror_matches(sim, user))
        await until(lambda: sim.spot_ws_api_connections == 1)


async def test_an_unknown_outcome_is_settled_by_the_stream(sim: Simulator) -> None:
    """503 "Unknown error" after executing: with the user stream open, the order's
    executionReport settles it: no query of it, no resend, the order marked reconciled."""
    async with user_client(sim) as client, client.user_stream() as user:
        sim.audit.clear()
        sim.inject_next("unknown_executed", endpoint=ORDER)
        order = await limit(client, "u-1")
        assert order.reconciled and order.status == "NEW" and order.client_order_id == "u-1"
        assert [r.fault for r in sent(sim, *ORDER)] == ["unknown_executed"]
        assert sent(sim, *QUERY) == []
        assert sim.audit.accepted["u-1"] == 1 and not sim.audit.duplicates()
        assert user.stats.settled == 1


async def test_an_order_list_unknown_outcome_is_settled_by_the_stream(sim: Simulator) -> None:
    """503 "Unknown error" after an OCO executed: with the user stream open, its listStatus
    settles it: no query of the list, no resend, the list marked reconciled and open, its
    orders named as the exchange holds them."""
    async with user_client(sim) as client, client.user_stream() as user:
        sim.audit.clear()
        sim.inject_next("unknown_executed", endpoint=OCO)
        placed = await client.new_order_list_oco(
            symbol="BTCUSDT", side="SELL", quantity="0.001", above_type="LIMIT_MAKER",
            above_price="52000", below_type="STOP_LOSS_LIMIT", below_price="47900",
            below_stop_price="48000", list_client_order_id="ul-1",
        )  # fmt: skip
        assert placed.reconciled and placed.is_open and placed.list_client_order_id == "ul-1"
        assert placed.contingency_type == "OCO" and placed.status == "EXECUTING"
        assert [r.fault for r in sent(sim, *OCO)] == ["unknown_executed"]
        assert sent(sim, *LIST_QUERY) == []
        assert sim.audit.accepted["ul-1"] == 1 and not sim.audit.duplicates()
        assert user.stats.settled == 1
        held = [sim.spot_order(order_id=o.order_id) for o in placed.orders]
        assert len(held) == 2 and all(h is not None for h in held)
        assert sorted(o.client_order_id for o in placed.orders) == sorted(
            h.client_order_id for h in held if h is not None
        )


async def test_subscribing_charges_the_limiter(sim: Simulator) -> None:
    """The handshake (2) and the subscription (2) are charged to the client's weight budget,
    besides the account's REST reads."""
    async with user_client(sim) as client:
        await client.exchange_info()
        before = used_weight(client)
        async with client.user_stream():
            used = used_weight(client) - before
            # openOrders without a symbol (80) + account (20) + handshake (2) + subscribe (2)
            assert used == 80 + 20 + 2 + 2
            assert [r.weight for r in sent_ws(sim)] == [2]  # the exchange's count agrees


def used_weight(client: Spot) -> int:
    """The REQUEST_WEIGHT the client's limiter counts in its current minute."""
    return next(w.used for w in client.limits.windows if w.kind == "REQUEST_WEIGHT")


async def test_close_leaves_no_task_and_no_connection(sim: Simulator) -> None:
    """Closing the client closes an open user stream: its connection ends, no task is left,
    the iteration ends."""
    client = user_client(sim)
    async with client:
        user = client.user_stream()
        await user.open()
        await until(lambda: sim.spot_ws_api_connections == 1)
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("binance_async.spot")]
    async with asyncio.timeout(2):
        assert [e async for e in user] == []
    await until(lambda: sim.spot_ws_api_connections == 0)


async def test_a_refused_key_fails_open(sim: Simulator) -> None:
    """An API key the exchange does not know: open() raises the typed refusal, nothing is
    left running; a client without ws_api_url cannot make one."""
    creds = sim.new_credentials("hmac")
    stranger = Spot("x" * 64, creds.api_secret, base_url=sim.base_url,
                    ws_api_url=sim.spot_ws_api_url)  # fmt: skip
    async with stranger:
        with pytest.raises(Exception) as caught:
            await stranger.user_stream().open()
        assert getattr(caught.value, "code", None) == -2015
    with pytest.raises(InvalidRequest):
        Spot(creds.api_key, creds.api_secret, base_url=sim.base_url).user_stream()


async def test_an_ended_subscription_subscribes_again(sim: Simulator) -> None:
    """eventStreamTerminated (the subscription ended on the exchange's side): a new
    connection subscribes, the account is read again, events flow on."""
    async with user_client(sim) as client, client.user_stream() as user:
        ws = user._ws  # the stream's own socket: end its subscription as the exchange would
        assert ws is not None
        await ws.send_str('{"id": "end", "method": "userDataStream.unsubscribe", "params": {}}')
        await until(lambda: user.subscriptions == 2 and user.synced and user.stats.resyncs == 2)
        await limit(client, "e-1")
        await until(lambda: "e-1" in user.orders and mirror_matches(sim, user))
        assert user.stats.reconnects == 1
