"""Partial fills from a scripted trade feed (``sim.trade``), the user trades and income they
leave, the public tape (trades, historical trades, aggregate trades) and amendments."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binance_async.testing import Simulator

from .conftest import RawClient

ORDER = "/fapi/v1/order"
T0 = 1_700_000_000_000


def limit(side: str, price: str, qty: str = "0.01", **extra: Any) -> dict[str, Any]:
    """A BTCUSDT LIMIT GTC order."""
    return {
        "symbol": "BTCUSDT",
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": qty,
        "price": price,
        **extra,
    }


@pytest.fixture(autouse=True)
def frozen(sim: Simulator) -> None:
    """A frozen clock and fees: maker 0.02 %, taker 0.04 %."""
    sim.clock.freeze(T0)
    sim.set_commission(maker=Decimal("0.0002"), taker=Decimal("0.0004"))


async def place(client: RawClient, params: dict[str, Any]) -> dict[str, Any]:
    """Place an order; its ACK answer."""
    reply = await client.signed("POST", ORDER, params)
    assert reply.status == 200, reply
    body: dict[str, Any] = reply.json
    return body


async def test_trade_fills_in_price_time_priority(sim: Simulator, client: RawClient) -> None:
    """A print fills resting orders at that price or better, best price first then oldest,
    up to its quantity: partly (PARTIALLY_FILLED) or fully; each at its own price."""
    a = await place(client, limit("BUY", "49000", newClientOrderId="a"))
    sim.clock.jump(1)
    b = await place(client, limit("BUY", "49100", newClientOrderId="b"))
    sim.clock.jump(1)
    c = await place(client, limit("BUY", "49000", newClientOrderId="c"))
    await place(client, limit("BUY", "48000", newClientOrderId="far"))
    sim.clock.jump(1)
    sim.trade("BTCUSDT", Decimal("49000"), Decimal("0.015"))
    statuses = {o.client_order_id: (o.status, o.executed_qty) for o in sim.audit.orders}
    assert statuses == {
        "b": ("FILLED", Decimal("0.01")),
        "a": ("PARTIALLY_FILLED", Decimal("0.005")),
        "c": ("NEW", Decimal(0)),
        "far": ("NEW", Decimal(0)),
    }
    query = (await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "orderId": a["orderId"]})).json
    assert (query["status"], query["executedQty"], query["avgPrice"]) == (
        "PARTIALLY_FILLED",
        "0.005",
        "49000.00",
    )
    opened = (await client.signed("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"})).json
    assert [o["clientOrderId"] for o in opened] == ["a", "c", "far"]
    sim.trade("BTCUSDT", Decimal("48500"), Decimal("1"))  # a's rest, then c; not far
    assert {o.client_order_id: o.status for o in sim.audit.orders} == {
        "a": "FILLED",
        "b": "FILLED",
        "c": "FILLED",
        "far": "NEW",
    }
    assert sim.position("BTCUSDT").amount == Decimal("0.03")
    assert [t.order_id for t in sim.user_trades()] == [
        b["orderId"],
        a["orderId"],
        a["orderId"],
        c["orderId"],
    ]


async def test_user_trades_and_income(sim: Simulator, client: RawClient) -> None:
    """Each fill is a user trade (maker on a print, taker on a crossing order) with its
    commission; closing trades realize PnL; both land in income and the wallet."""
    buy = await place(client, limit("BUY", "49000", qty="0.02", newClientOrderId="buy"))
    sim.trade("BTCUSDT", Decimal("49000"), Decimal("0.02"))
    sim.clock.jump(1000)
    sell = await place(
        client,
        {"symbol": "BTCUSDT", "side": "SELL", "type": "MARKET", "quantity": "0.01"},
    )
    trades = (await client.signed("GET", "/fapi/v1/userTrades", {"symbol": "BTCUSDT"})).json
    assert len(trades) == 2
    maker, taker = trades
    assert maker == {
        "buyer": True,
        "commission": "0.196",  # 980 * 0.0002
        "commissionAsset": "USDT",
        "id": maker["id"],
        "maker": True,
        "orderId": buy["orderId"],
        "price": "49000.00",
        "qty": "0.020",
        "quoteQty": "980.0",
        "realizedPnl": "0.0",
        "side": "BUY",
        "positionSide": "BOTH",
        "symbol": "BTCUSDT",
        "time": T0,
    }
    assert (taker["maker"], taker["buyer"], taker["orderId"], taker["id"]) == (
        False,
        False,
        sell["orderId"],
        maker["id"] + 1,
    )
    assert (taker["realizedPnl"], taker["commission"], taker["time"]) == ("10.0", "0.2", T0 + 1000)
    income = (await client.signed("GET", "/fapi/v1/income")).json
    assert [(i["incomeType"], i["income"], i["tradeId"]) for i in income] == [
        ("COMMISSION", "-0.19600000", str(maker["id"])),
        ("REALIZED_PNL", "10.00000000", str(taker["id"])),
        ("COMMISSION", "-0.20000000", str(taker["id"])),
    ]
    assert all(isinstance(i["tranId"], int) and i["asset"] == "USDT" for i in income)
    assert [i.income_type for i in sim.income()] == ["COMMISSION", "REALIZED_PNL", "COMMISSION"]
    only = await client.signed("GET", "/fapi/v1/income", {"incomeType": "REALIZED_PNL"})
    assert len(only.json) == 1
    paged = await client.signed("GET", "/fapi/v1/income", {"limit": 2, "page": 2})
    assert [i["incomeType"] for i in paged.json] == ["COMMISSION"]
    assert sim.wallet_balance() == Decimal("100000") - Decimal("0.196") + 10 - Decimal("0.2")
    by_order = await client.signed(
        "GET", "/fapi/v1/userTrades", {"symbol": "BTCUSDT", "orderId": sell["orderId"]}
    )
    assert [t["id"] for t in by_order.json] == [taker["id"]]
    from_id = await client.signed(
        "GET", "/fapi/v1/userTrades", {"symbol": "BTCUSDT", "fromId": taker["id"]}
    )
    assert [t["id"] for t in from_id.json] == [taker["id"]]
    sim.clock.jump(8 * 86_400_000)  # without a range: the last 7 days only
    assert (await client.signed("GET", "/fapi/v1/userTrades", {"symbol": "BTCUSDT"})).json == []
    assert (await client.signed("GET", "/fapi/v1/income")).json == []


async def test_the_tape_has_every_fill(sim: Simulator, client: RawClient) -> None:
    """MARKET fills, crossing LIMITs, resting fills and bare prints are on the tape with
    consecutive ids: trades, historicalTrades (fromId) and aggTrades (fromId, times, limit)."""
    await place(client, {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"})
    sim.clock.jump(1000)
    await place(client, limit("SELL", "49900", newClientOrderId="cross"))  # fills at once
    await place(client, limit("BUY", "49500", newClientOrderId="rest"))
    sim.clock.jump(1000)
    sim.trade("BTCUSDT", Decimal("49500"), Decimal("0.5"))  # 0.01 to "rest", 0.49 bare
    aggs = (await client.public("GET", "/fapi/v1/aggTrades", {"symbol": "BTCUSDT"})).json
    assert [(a["p"], a["q"], a["m"]) for a in aggs] == [
        ("50000.00", "0.010", False),  # our MARKET buy took
        ("49900.00", "0.010", True),  # our SELL took: the buyer was the maker
        ("49500.00", "0.010", True),  # our resting BUY was the maker
        ("49500.00", "0.490", False),
    ]
    ids = [a["a"] for a in aggs]
    assert ids == list(range(ids[0], ids[0] + 4))
    assert all(a["f"] == a["l"] for a in aggs)
    assert [a["T"] for a in aggs] == [T0, T0 + 1000, T0 + 2000, T0 + 2000]
    since = await client.public(
        "GET", "/fapi/v1/aggTrades", {"symbol": "BTCUSDT", "fromId": ids[2], "limit": 1}
    )
    assert [a["a"] for a in since.json] == [ids[2]]
    window = await client.public(
        "GET",
        "/fapi/v1/aggTrades",
        {"symbol": "BTCUSDT", "startTime": T0 + 500, "endTime": T0 + 1500},
    )
    assert [a["a"] for a in window.json] == [ids[1]]
    until = await client.public("GET", "/fapi/v1/aggTrades", {"symbol": "BTCUSDT", "endTime": T0})
    assert [a["a"] for a in until.json] == [ids[0]]
    recent = (await client.public("GET", "/fapi/v1/trades", {"symbol": "BTCUSDT", "limit": 2})).json
    assert [t["id"] for t in recent] == [aggs[2]["f"], aggs[3]["f"]]
    assert set(recent[0]) == {
        "id",
        "price",
        "qty",
        "quoteQty",
        "time",
        "isBuyerMaker",
        "isRPITrade",
    }
    history = await client.public(
        "GET", "/fapi/v1/historicalTrades", {"symbol": "BTCUSDT", "fromId": aggs[1]["f"]}
    )
    assert [t["qty"] for t in history.json] == ["0.010", "0.010", "0.490"]
    assert (await client.public("GET", "/fapi/v1/aggTrades", {"symbol": "ETHUSDT"})).json == []


async def test_cancel_and_modify_after_a_partial_fill(sim: Simulator, client: RawClient) -> None:
    """A partly filled order cancels with its executed quantity; a modification to no more
    than the executed quantity cancels it; amendments are recorded and listed."""
    await place(client, limit("BUY", "49000", qty="0.03", newClientOrderId="p"))
    ref = {"symbol": "BTCUSDT", "side": "BUY", "origClientOrderId": "p"}
    moved = await client.signed("PUT", ORDER, {**ref, "quantity": "0.03", "price": "49100"})
    assert moved.json["price"] == "49100.00"
    sim.trade("BTCUSDT", Decimal("49100"), Decimal("0.02"))
    shrink = await client.signed("PUT", ORDER, {**ref, "quantity": "0.02", "price": "49100"})
    assert (shrink.json["status"], shrink.json["executedQty"]) == ("CANCELED", "0.020")
    amendments = (
        await client.signed(
            "GET", "/fapi/v1/orderAmendment", {"symbol": "BTCUSDT", "origClientOrderId": "p"}
        )
    ).json
    assert [a["amendment"]["count"] for a in amendments] == [1, 2]
    first = amendments[0]
    assert set(first) == {
        "amendmentId", "symbol", "pair", "orderId", "clientOrderId", "time", "amendment",
    }  # fmt: skip
    assert first["amendment"]["price"] == {"before": "49000.0", "after": "49100.0"}
    assert first["amendment"]["origQty"] == {"before": "0.03", "after": "0.03"}
    await place(client, limit("BUY", "49000", qty="0.03", newClientOrderId="q"))
    sim.trade("BTCUSDT", Decimal("49000"), Decimal("0.01"))
    cancelled = await client.signed(
        "DELETE", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "q"}
    )
    assert (cancelled.json["status"], cancelled.json["executedQty"]) == ("CANCELED", "0.010")


async def test_modify_loses_queue_priority(sim: Simulator, client: RawClient) -> None:
    """An amended order goes behind the others at its price."""
    await place(client, limit("BUY", "49000", newClientOrderId="first"))
    await place(client, limit("BUY", "49000", newClientOrderId="second"))
    ref = {"symbol": "BTCUSDT", "side": "BUY", "origClientOrderId": "first"}
    await client.signed("PUT", ORDER, {**ref, "quantity": "0.02", "price": "49000"})
    sim.trade("BTCUSDT", Decimal("49000"), Decimal("0.01"))
    assert sim.order(client_order_id="second").status == "FILLED"  # type: ignore[union-attr]
    assert sim.order(client_order_id="first").status == "NEW"  # type: ignore[union-attr]


async def test_reduce_only_fills_no_more_than_the_position(
    sim: Simulator, client: RawClient
) -> None:
    """A resting reduce-only SELL fills up to the position, then expires."""
    await place(client, {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.01"})
    await place(client, limit("SELL", "50500", qty="0.03", reduceOnly="true", newClientOrderId="r"))
    sim.trade("BTCUSDT", Decimal("50600"), Decimal("1"))
    reduced = sim.order(client_order_id="r")
    assert reduced is not None
    assert (reduced.status, reduced.executed_qty) == ("EXPIRED", Decimal("0.01"))
    assert sim.position("BTCUSDT").amount == 0


def test_trade_arguments_are_checked(sim: Simulator) -> None:
    """sim.trade refuses unknown symbols and non-positive prices or quantities."""
    with pytest.raises(ValueError):
        sim.trade("BTCUSDT", Decimal(0), Decimal(1))
    with pytest.raises(ValueError):
        sim.trade("BTCUSDT", Decimal(1), Decimal(-1))
    with pytest.raises(Exception, match="Invalid symbol"):
        sim.trade("NOPE", Decimal(1), Decimal(1))
