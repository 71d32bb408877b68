"""The simulator's Spot user data stream over the WebSocket API: subscriptions (on a logged-on
session, or by signature with any key type), the exact events every order, fill, cancel, list
and balance change pushes, and how subscriptions end.

Frames and signatures are written by hand (``test_sim_wsapi.Ws``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from decimal import Decimal as D
from typing import Any

import aiohttp
import pytest

from binance_async.testing import Credentials, Simulator

from .conftest import RawClient
from .test_sim_wsapi import Ws

NOW = 1_700_000_042_500
LIMIT = {
    "symbol": "BTCUSDT",
    "side": "BUY",
    "type": "LIMIT",
    "timeInForce": "GTC",
    "quantity": "0.01",
    "price": "49000",
}


@pytest.fixture(autouse=True)
def frozen(sim: Simulator) -> None:
    """Freeze the exchange clock."""
    sim.clock.freeze(NOW)


class UserWs(Ws):
    """A connection where pushed events and answers interleave: events that arrive while an
    answer is awaited are kept, in order, for :func:`events`."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, sim: Simulator) -> None:
        super().__init__(ws, sim)
        self.pushed: list[dict[str, Any]] = []

    async def call(self, method: str, params: Mapping[str, object] | None = None) -> dict[str, Any]:
        """Send and wait for this request's answer, keeping the events before it."""
        rid = await self.send(method, params)
        for _ in range(100):
            frame = await self.recv()
            if "subscriptionId" in frame and "event" in frame:
                self.pushed.append(frame)
                continue
            assert frame["id"] == rid, frame
            return frame
        raise AssertionError("no answer")


@pytest.fixture
async def ws(session: aiohttp.ClientSession, sim: Simulator) -> AsyncIterator[UserWs]:
    """A connection to Spot's WebSocket API."""
    async with session.ws_connect(sim.spot_ws_api_url) as conn:
        yield UserWs(conn, sim)


async def subscribe(ws: UserWs, creds: Credentials) -> int:
    """userDataStream.subscribe.signature; the subscription id."""
    answer = await ws.call("userDataStream.subscribe.signature", ws.signed(creds, {}))
    assert answer["status"] == 200, answer
    sub: int = answer["result"]["subscriptionId"]
    return sub


async def events(ws: UserWs, count: int) -> list[dict[str, Any]]:
    """The next ``count`` pushed frames (no answer is expected meanwhile)."""
    while len(ws.pushed) < count:
        frame = await ws.recv()
        assert "subscriptionId" in frame, frame
        ws.pushed.append(frame)
    out, ws.pushed = ws.pushed[:count], ws.pushed[count:]
    return out


def report(**fields: Any) -> dict[str, Any]:
    """A NEW report of the LIMIT order above, with ``fields`` changed."""
    base: dict[str, Any] = {
        "e": "executionReport",
        "E": NOW,
        "s": "BTCUSDT",
        "c": "u-1",
        "S": "BUY",
        "o": "LIMIT",
        "f": "GTC",
        "q": "0.01000000",
        "p": "49000.00000000",
        "P": "0.00000000",
        "F": "0.00000000",
        "g": -1,
        "C": "",
        "x": "NEW",
        "X": "NEW",
        "r": "NONE",
        "i": fields.pop("i"),
        "l": "0.00000000",
        "z": "0.00000000",
        "L": "0.00000000",
        "n": "0",
        "N": None,
        "T": NOW,
        "t": -1,
        "I": fields.pop("I"),
        "w": True,
        "m": False,
        "M": False,
        "O": NOW,
        "Z": "0.00000000",
        "Y": "0.00000000",
        "Q": "0.00000000",
        "W": NOW,
        "V": "EXPIRE_MAKER",
    }
    return base | fields


def position(*balances: tuple[str, str, str]) -> dict[str, Any]:
    return {
        "e": "outboundAccountPosition",
        "E": NOW,
        "u": NOW,
        "B": [{"a": a, "f": f, "l": locked} for a, f, locked in balances],
    }


async def test_order_fill_and_cancel_events_by_signature(
    ws: UserWs, sim: Simulator, creds: Credentials
) -> None:
    """An HMAC key subscribes by signature (no session): a resting order's NEW, the position
    with its funds locked, its maker fill (TRADE with the trade's ids and fee), the position
    after; a cancel's report names the former client id in ``C``."""
    sim.spot.set_commission(maker=D("0.001"), taker=D("0.001"))
    sub = await subscribe(ws, creds)
    assert sub == 0
    placed = await ws.call("order.place", ws.signed(creds, {**LIMIT, "newClientOrderId": "u-1"}))
    order_id = placed["result"]["orderId"]
    assert await events(ws, 2) == [
        {"subscriptionId": 0, "event": report(i=order_id, I=1)},
        {"subscriptionId": 0, "event": position(("USDT", "99510.00000000", "490.00000000"))},
    ]
    sim.spot_set_price("BTCUSDT", D("48000"))
    (trade,) = sim.spot.user_trades()
    fill, after = await events(ws, 2)
    assert fill == {
        "subscriptionId": 0,
        "event": report(
            i=order_id,
            I=2,
            x="TRADE",
            X="FILLED",
            l="0.01000000",
            z="0.01000000",
            L="49000.00000000",
            n="0.00001000",
            N="BTC",
            t=trade.trade_id,
            w=False,
            m=True,
            Z="490.00000000",
            Y="490.00000000",
        ),
    }
    assert after["event"] == position(
        ("USDT", "99510.00000000", "0.00000000"), ("BTC", "10.00999000", "0.00000000")
    )
    below = {**LIMIT, "price": "47000", "newClientOrderId": "u-2"}
    await ws.call("order.place", ws.signed(creds, below))
    await events(ws, 2)
    cancel = {"symbol": "BTCUSDT", "origClientOrderId": "u-2", "newClientOrderId": "gone"}
    answer = await ws.call("order.cancel", ws.signed(creds, cancel))
    cancelled, freed = await events(ws, 2)
    assert cancelled["event"] == report(
        i=answer["result"]["orderId"],
        I=4,
        c="gone",
        C="u-2",
        x="CANCELED",
        X="CANCELED",
        p="47000.00000000",
        w=False,
    )
    assert freed["event"]["B"] == [{"a": "USDT", "f": "99510.00000000", "l": "0.00000000"}]
    assert not ws.pushed


async def test_market_order_reports_new_then_trade(
    ws: UserWs, sim: Simulator, creds: Credentials
) -> None:
    """A MARKET order that fills at once: NEW, then TRADE, then one position with both
    assets (its changes told once the request is done)."""
    await subscribe(ws, creds)
    market = {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.1"}
    await ws.call("order.place", ws.signed(creds, {**market, "newClientOrderId": "m"}))
    new, trade, pos = await events(ws, 3)
    assert (new["event"]["x"], new["event"]["X"], new["event"]["z"]) == ("NEW", "NEW", "0.00000000")
    assert (trade["event"]["x"], trade["event"]["X"]) == ("TRADE", "FILLED")
    assert (trade["event"]["L"], trade["event"]["m"]) == ("50000.00000000", False)
    assert pos["event"]["B"] == [
        {"a": "USDT", "f": "105000.00000000", "l": "0.00000000"},
        {"a": "BTC", "f": "9.90000000", "l": "0.00000000"},
    ]


async def test_order_list_events(ws: UserWs, sim: Simulator, creds: Credentials) -> None:
    """An OCO: each leg's NEW (in the list: ``g``), listStatus EXEC_STARTED; the limit leg's
    fill expires the stop (EXPIRED) and the list ends ALL_DONE."""
    await subscribe(ws, creds)
    oco = {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.1",
        "aboveType": "LIMIT_MAKER",
        "abovePrice": "52000",
        "belowType": "STOP_LOSS",
        "belowStopPrice": "48000",
        "listClientOrderId": "L",
    }
    placed = await ws.call("orderList.place.oco", ws.signed(creds, oco))
    list_id = placed["result"]["orderListId"]
    above, below = placed["result"]["orders"]
    first, second, started, pos = await events(ws, 4)
    assert [(e["event"]["i"], e["event"]["x"], e["event"]["X"]) for e in (first, second)] == [
        (above["orderId"], "NEW", "NEW"),
        (below["orderId"], "NEW", "NEW"),
    ]
    assert first["event"]["g"] == list_id and second["event"]["w"] is False
    assert started["event"] == {
        "e": "listStatus",
        "E": NOW,
        "s": "BTCUSDT",
        "g": list_id,
        "c": "OCO",
        "l": "EXEC_STARTED",
        "L": "EXECUTING",
        "r": "NONE",
        "C": "L",
        "T": NOW,
        "O": [
            {"s": "BTCUSDT", "i": above["orderId"], "c": above["clientOrderId"]},
            {"s": "BTCUSDT", "i": below["orderId"], "c": below["clientOrderId"]},
        ],
    }
    assert pos["event"]["B"] == [{"a": "BTC", "f": "9.90000000", "l": "0.10000000"}]
    sim.spot_set_price("BTCUSDT", D("52000"))
    frames = await events(ws, 4)
    kinds = [(f["event"]["e"], f["event"].get("X")) for f in frames]
    assert kinds == [
        ("executionReport", "FILLED"),
        ("executionReport", "EXPIRED"),
        ("listStatus", None),
        ("outboundAccountPosition", None),
    ]
    assert (frames[2]["event"]["l"], frames[2]["event"]["L"]) == ("ALL_DONE", "ALL_DONE")
    assert frames[1]["event"]["i"] == below["orderId"]


async def test_session_subscription_ends_with_logout(
    ws: UserWs, sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """userDataStream.subscribe needs a logged-on session (else 401 -2015); status says
    ``userDataStream``; session.subscriptions lists both kinds; logout ends the session's
    one with eventStreamTerminated, the signature one stays; unsubscribe ends it."""
    refused = await ws.call("userDataStream.subscribe")
    assert (refused["status"], refused["error"]["code"]) == (401, -2015)
    ed = sim.new_credentials("ed25519")
    other = sim.new_credentials("rsa", account="other")
    await ws.call("session.logon", ws.signed(ed, {}))
    assert (await ws.call("userDataStream.subscribe"))["result"] == {"subscriptionId": 0}
    again = await ws.call("userDataStream.subscribe")
    assert (again["status"], again["error"]["code"]) == (400, -1020)
    assert await subscribe(ws, other) == 1
    status = await ws.call("session.status")
    assert status["result"]["userDataStream"] is True
    listed = await ws.call("session.subscriptions")
    assert listed["result"] == [{"subscriptionId": 0}, {"subscriptionId": 1}]
    logout = await ws.call("session.logout")
    assert logout["result"]["userDataStream"] is True  # the signature one is still active
    (ended,) = await events(ws, 1)
    assert ended == {"subscriptionId": 0, "event": {"e": "eventStreamTerminated", "E": NOW}}
    sim.spot.deposit("BTC", D("1.5"), account="other")
    update, pos = await events(ws, 2)
    assert update == {
        "subscriptionId": 1,
        "event": {"e": "balanceUpdate", "E": NOW, "a": "BTC", "d": "1.50000000", "T": NOW},
    }
    assert pos["event"]["B"] == [{"a": "BTC", "f": "11.50000000", "l": "0.00000000"}]
    sim.spot.deposit("BTC", D("1"))  # account main: nobody listens now
    unknown = await ws.call("userDataStream.unsubscribe", {"subscriptionId": 0})
    assert (unknown["status"], unknown["error"]["code"]) == (400, -1130)
    assert (await ws.call("userDataStream.unsubscribe"))["result"] == {}
    (last,) = await events(ws, 1)
    assert last == {"subscriptionId": 1, "event": {"e": "eventStreamTerminated", "E": NOW}}
    assert (await ws.call("session.subscriptions"))["result"] == []
    weights = [r.weight for r in sim.audit.requests if r.path.startswith("userDataStream")]
    assert weights == [2, 2, 2, 2, 2, 2]


async def test_reset_keeps_subscriptions_working(
    ws: UserWs, sim: Simulator, creds: Credentials
) -> None:
    """After ``sim.reset()`` the fresh Spot exchange still feeds open subscriptions."""
    await subscribe(ws, creds)
    sim.reset()
    await ws.call("order.place", ws.signed(creds, {**LIMIT, "newClientOrderId": "r"}))
    new, _ = await events(ws, 2)
    assert (new["event"]["c"], new["event"]["x"]) == ("r", "NEW")


async def test_dropped_connection_ends_its_subscriptions(
    ws: UserWs,
    sim: Simulator,
    creds: Credentials,
    client: RawClient,
    session: aiohttp.ClientSession,
) -> None:
    """``sim.spot_ws_api_drop_connections()`` cuts the connection (no close frame); its
    subscription ends with it, and a new connection subscribes from id 0 and hears the
    account's next order."""
    await subscribe(ws, creds)
    assert sim.spot_ws_api_drop_connections() == 1
    closed = await ws.closed()
    assert closed.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    reply = await client.signed("POST", "/api/v3/order", {**LIMIT, "newClientOrderId": "gone"})
    assert reply.status == 200
    async with session.ws_connect(sim.spot_ws_api_url) as conn:
        again = UserWs(conn, sim)
        assert await subscribe(again, creds) == 0
        await client.signed("POST", "/api/v3/order", {**LIMIT, "newClientOrderId": "heard"})
        new, _ = await events(again, 2)
        assert (new["event"]["c"], new["event"]["x"]) == ("heard", "NEW")
