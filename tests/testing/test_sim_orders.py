"""Order placement, matching, queries, cancels, modifies, batches and their refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
import pytest

from binance_async.testing import Simulator

ORDER = "/fapi/v1/order"


def limit(
    side: str = "BUY", price: str = "49000", qty: str = "0.01", **extra: str
) -> dict[str, str]:
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


def market(side: str = "BUY", qty: str = "0.01", **extra: str) -> dict[str, str]:
    """A BTCUSDT MARKET order."""
    return {"symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": qty, **extra}


async def test_market_order_fills_at_mark(sim: Simulator, client) -> None:
    """MARKET fills fully at the mark; RESULT shows FILLED, ACK shows the accepted state."""
    r = await client.signed("POST", ORDER, market(newOrderRespType="RESULT", newClientOrderId="m1"))
    assert r.status == 200, r
    body = r.json
    assert (body["status"], body["avgPrice"], body["executedQty"], body["cumQuote"]) == (
        "FILLED",
        "50000.00",
        "0.010",
        "500.0",
    )
    expected_keys = {
        "orderId",
        "symbol",
        "status",
        "clientOrderId",
        "price",
        "avgPrice",
        "origQty",
        "executedQty",
        "cumQty",
        "cumQuote",
        "timeInForce",
        "type",
        "reduceOnly",
        "closePosition",
        "side",
        "positionSide",
        "stopPrice",
        "workingType",
        "priceProtect",
        "origType",
        "priceMatch",
        "selfTradePreventionMode",
        "goodTillDate",
        "updateTime",
    }
    assert set(body) == expected_keys
    ack = await client.signed("POST", ORDER, market(newClientOrderId="m2"))
    assert (ack.json["status"], ack.json["executedQty"]) == ("NEW", "0.000")
    query = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "m2"})
    assert query.json["status"] == "FILLED" and "time" in query.json
    assert ack.json["orderId"] == body["orderId"] + 1
    assert sim.position("BTCUSDT").amount == Decimal("0.02")
    assert sim.position("BTCUSDT").entry_price == Decimal("50000")


async def test_limit_rests_then_cancel_by_client_id(sim: Simulator, client) -> None:
    """A non-crossing LIMIT rests NEW; query and cancel by client id; a second cancel: -2011."""
    r = await client.signed("POST", ORDER, limit(newClientOrderId="rest-1"))
    assert r.json["status"] == "NEW"
    opened = await client.signed("GET", "/fapi/v1/openOrders", {"symbol": "BTCUSDT"})
    assert [o["clientOrderId"] for o in opened.json] == ["rest-1"]
    q = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "rest-1"})
    assert (q.json["status"], q.json["price"], q.json["origQty"]) == ("NEW", "49000.00", "0.010")
    c = await client.signed("DELETE", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "rest-1"})
    assert c.json["status"] == "CANCELED"
    again = await client.signed(
        "DELETE", ORDER, {"symbol": "BTCUSDT", "orderId": r.json["orderId"]}
    )
    assert again.json == {"code": -2011, "msg": "Unknown order sent."}
    missing = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "nope"})
    assert missing.json == {"code": -2013, "msg": "Order does not exist."}
    neither = await client.signed("GET", ORDER, {"symbol": "BTCUSDT"})
    assert neither.code == -1102
    assert sim.order(client_order_id="rest-1").status == "CANCELED"


async def test_mark_move_fills_resting_orders(sim: Simulator, client) -> None:
    """Resting orders crossing a new mark fill at their own price; crossing LIMITs fill at once."""
    await client.signed("POST", ORDER, limit(price="49000", newClientOrderId="b1"))
    await client.signed("POST", ORDER, limit(side="SELL", price="51000", newClientOrderId="s1"))
    sim.set_mark_price("BTCUSDT", Decimal("48900"))
    assert sim.order(client_order_id="b1").status == "FILLED"
    assert sim.order(client_order_id="s1").status == "NEW"
    assert sim.position("BTCUSDT").entry_price == Decimal("49000")
    r = await client.signed(
        "POST", ORDER, limit(side="SELL", price="48000", newOrderRespType="RESULT")
    )
    assert (r.json["status"], r.json["avgPrice"]) == ("FILLED", "48000.00")
    assert sim.position("BTCUSDT").amount == 0
    assert sim.wallet_balance() == Decimal("100000") - 10  # bought 0.01 at 49000, sold at 48000


async def test_duplicate_open_client_id_refused_but_reusable_after(sim: Simulator, client) -> None:
    """-4116 while an order with the id is open; once it is closed the id is accepted again."""
    assert (await client.signed("POST", ORDER, limit(newClientOrderId="dup"))).status == 200
    dup = await client.signed("POST", ORDER, limit(newClientOrderId="dup"))
    assert (dup.status, dup.json) == (400, {"code": -4116, "msg": "ClientOrderId is duplicated."})
    await client.signed("DELETE", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "dup"})
    again = await client.signed("POST", ORDER, market(newClientOrderId="dup"))
    assert again.status == 200
    assert sim.audit.accepted["dup"] == 2 and sim.audit.duplicates() == {"dup": 2}
    latest = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "dup"})
    assert latest.json["orderId"] == again.json["orderId"]


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (limit(price="49000.05"), -4014, "Price not increased by tick size."),
        (limit(price="100"), -4013, "Price less than min price."),
        (limit(price="900000"), -4002, "Price greater than max price."),
        (limit(qty="0.0015"), -1111, "Precision is over the maximum defined for this asset."),
        (limit(price="49000.001"), -1111, "Precision is over the maximum defined for this asset."),
        (market(qty="0.0101"), -1111, None),
        (limit(qty="0.0001"), -1111, None),  # below minQty, but first too precise
        (limit(qty="1001"), -4005, "Quantity greater than max quantity."),
        (market(qty="121"), -4005, "Quantity greater than max quantity."),
        (limit(qty="0"), -4003, "Quantity less than or equal to zero."),
        (
            limit(qty="0.001"),
            -4164,
            "Order's notional must be no smaller than 100 (unless you choose reduce only).",
        ),
        (market(qty="0.001"), -4164, None),
        (limit(price="52600"), -4016, "Limit price can't be higher than 52500.00."),
        (limit(side="SELL", price="47400"), -4024, "Limit price can't be lower than 47500.00."),
        (
            market(qty="1e-05"),
            -1100,
            "Illegal characters found in parameter 'quantity'; "
            "legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.",
        ),
        (limit(price="49,000"), -1100, None),
        ({**limit(), "price": ""}, -1102, None),
        (
            {k: v for k, v in limit().items() if k != "timeInForce"},
            -1102,
            "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
        ),
        (market(timeInForce="GTC"), -1106, "Parameter 'timeInForce' sent when not required."),
        (
            {**market(), "type": "STOP_MARKET", "stopPrice": "40000"},
            -4120,
            "Order type not supported for this endpoint. "
            "Please use the Algo Order API endpoints instead.",
        ),
        ({**market(), "symbol": "NOPEUSDT"}, -1121, "Invalid symbol."),
        (market(newClientOrderId="has space"), -4015, "Client order id is not valid."),
        (market(newClientOrderId="x" * 37), -4015, None),
        (market(reduceOnly="TRUE"), -1130, "Data sent for parameter 'reduceOnly' is not valid."),
        (market(foo="1"), -1103, "An unknown parameter was sent."),
        (market(side="HOLD"), -1117, "Invalid side."),
        ({**market(), "type": "ICEBERG"}, -1116, "Invalid orderType."),
        (limit(timeInForce="DAY"), -1115, "Invalid timeInForce."),
        (market(newOrderRespType="FULL"), -1136, "Invalid newOrderRespType."),
        (market(positionSide="LONG"), -4061, None),
        (market(reduceOnly="true"), -2022, "ReduceOnly Order is rejected."),
        (market(qty="100"), -2019, "Margin is insufficient."),
        (limit(timeInForce="FOK"), -5021, None),
        (limit(price="50100", timeInForce="GTX"), -5022, None),
    ],
)
async def test_order_refusals(
    sim: Simulator, client, params: dict[str, str], code: int, msg: str | None
) -> None:
    """Each invalid order is refused with the exchange's code (and message), and not placed."""
    r = await client.signed("POST", ORDER, params)
    assert (r.status, r.code) == (400, code), r
    if msg is not None:
        assert r.json["msg"] == msg
    assert sim.audit.orders == [] and not sim.audit.accepted


async def test_time_in_force_variants(sim: Simulator, client) -> None:
    """IOC that cannot fill expires (placed); priceProtect any case; GTD expires when due."""
    ioc = await client.signed("POST", ORDER, limit(timeInForce="IOC", newOrderRespType="RESULT"))
    assert ioc.json["status"] == "EXPIRED"
    ok = await client.signed("POST", ORDER, limit(priceProtect="TRUE"))
    assert ok.status == 200 and ok.json["priceProtect"] is True
    due = sim.clock.now_ms() + 601_000
    gtd = await client.signed(
        "POST", ORDER, limit(timeInForce="GTD", goodTillDate=str(due), newClientOrderId="gtd")
    )
    assert gtd.status == 200, gtd
    too_soon = await client.signed(
        "POST", ORDER, limit(timeInForce="GTD", goodTillDate=str(sim.clock.now_ms() + 1000))
    )
    assert too_soon.code == -5040
    sim.clock.jump(602_000)
    q = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "gtd"})
    assert q.json["status"] == "EXPIRED"


async def test_reduce_only_and_positions(sim: Simulator, client) -> None:
    """Reduce-only closes a position (small notional allowed); PnL lands in the wallet."""
    await client.signed("POST", ORDER, market(qty="0.002"))
    sim.set_mark_price("BTCUSDT", Decimal("51000"))
    risk = await client.signed("GET", "/fapi/v3/positionRisk", {"symbol": "BTCUSDT"})
    assert (risk.json[0]["positionAmt"], risk.json[0]["unRealizedProfit"]) == ("0.002", "2.0")
    grow = await client.signed("POST", ORDER, market(side="BUY", qty="0.001", reduceOnly="true"))
    assert grow.code == -2022
    close = await client.signed(
        "POST",
        ORDER,
        market(side="SELL", qty="0.002", reduceOnly="true", newOrderRespType="RESULT"),
    )
    assert close.json["status"] == "FILLED", close
    assert sim.wallet_balance() == Decimal("100002")
    balance = await client.signed("GET", "/fapi/v3/balance")
    assert balance.json[0]["asset"] == "USDT" and balance.json[0]["balance"] == "100002.0"
    account = await client.signed("GET", "/fapi/v3/account")
    assert account.json["totalWalletBalance"] == "100002.0" and account.json["positions"] == []
    assert len((await client.signed("GET", "/fapi/v2/account")).json["positions"]) == 3


async def test_modify_order(sim: Simulator, client) -> None:
    """PUT changes a resting LIMIT; same values: -5027; crossing price fills; MARKET: -5025."""
    placed = await client.signed("POST", ORDER, limit(newClientOrderId="mod"))
    ref = {"symbol": "BTCUSDT", "side": "BUY", "origClientOrderId": "mod"}
    r = await client.signed("PUT", ORDER, {**ref, "quantity": "0.02", "price": "49500"})
    assert (r.json["origQty"], r.json["price"], r.json["status"]) == ("0.020", "49500.00", "NEW")
    assert r.json["orderId"] == placed.json["orderId"]
    same = await client.signed("PUT", ORDER, {**ref, "quantity": "0.02", "price": "49500"})
    assert same.json == {"code": -5027, "msg": "No need to modify the order."}
    missing = await client.signed("PUT", ORDER, {**ref, "quantity": "0.02"})
    assert missing.code == -1102
    cross = await client.signed("PUT", ORDER, {**ref, "quantity": "0.02", "price": "50000"})
    assert (cross.json["status"], cross.json["executedQty"]) == ("FILLED", "0.020")
    filled = await client.signed("POST", ORDER, market(newClientOrderId="mkt"))
    assert filled.status == 200
    r = await client.signed(
        "PUT", ORDER, {**ref, "origClientOrderId": "mkt", "quantity": "0.03", "price": "49000"}
    )
    assert r.code == -5025


async def test_batch_orders(sim: Simulator, client) -> None:
    """Batches answer per item (order or error), at most 5 places and 10 cancels."""
    items: list[dict[str, Any]] = [
        limit(newClientOrderId="b-1"),
        limit(price="1e3"),
        {**market(), "newClientOrderId": "b-2", "newOrderRespType": "RESULT"},
    ]
    r = await client.signed(
        "POST", "/fapi/v1/batchOrders", {"batchOrders": orjson.dumps(items).decode()}
    )
    assert r.status == 200, r
    first, second, third = r.json
    assert first["clientOrderId"] == "b-1" and first["status"] == "NEW"
    assert second["code"] == -1100
    assert third["status"] == "FILLED"
    too_many = await client.signed(
        "POST", "/fapi/v1/batchOrders", {"batchOrders": orjson.dumps([market()] * 6).decode()}
    )
    assert too_many.json == {"code": -4082, "msg": "Invalid number of batch place orders."}
    mods = [
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "origClientOrderId": "b-1",
            "quantity": "0.01",
            "price": "48000",
        },
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "origClientOrderId": "zz",
            "quantity": "0.01",
            "price": "48000",
        },
    ]
    r = await client.signed(
        "PUT", "/fapi/v1/batchOrders", {"batchOrders": orjson.dumps(mods).decode()}
    )
    assert r.json[0]["price"] == "48000.00" and r.json[1]["code"] == -2013
    r = await client.signed(
        "DELETE",
        "/fapi/v1/batchOrders",
        {"symbol": "BTCUSDT", "origClientOrderIdList": '["b-1","b-2"]'},
    )
    assert r.json[0]["status"] == "CANCELED" and r.json[1] == {
        "code": -2011,
        "msg": "Unknown order sent.",
    }
    r = await client.signed(
        "DELETE", "/fapi/v1/batchOrders", {"symbol": "BTCUSDT", "orderIdList": str(list(range(11)))}
    )
    assert r.code == -4032
    assert dict(sim.audit.accepted) == {"b-1": 1, "b-2": 1}


async def test_cancel_all_and_listen_key(sim: Simulator, client) -> None:
    """allOpenOrders cancels every open order; listenKey is one per account, 60 minutes."""
    for i in range(3):
        await client.signed("POST", ORDER, limit(newClientOrderId=f"c{i}"))
    r = await client.signed("DELETE", "/fapi/v1/allOpenOrders", {"symbol": "BTCUSDT"})
    assert r.json == {"code": 200, "msg": "The operation of cancel all open order is done."}
    assert sim.open_orders() == []
    key = (await client.send("POST", "/fapi/v1/listenKey")).json["listenKey"]
    assert (await client.send("POST", "/fapi/v1/listenKey")).json["listenKey"] == key
    assert (await client.send("PUT", "/fapi/v1/listenKey")).status == 200
    sim.clock.jump(3_600_001)
    expired = await client.send("PUT", "/fapi/v1/listenKey")
    assert expired.json == {"code": -1125, "msg": "This listenKey does not exist."}
    assert (await client.send("DELETE", "/fapi/v1/listenKey")).json == {}


async def test_non_ascii_symbol_trades(sim: Simulator, client) -> None:
    """The non-ASCII symbol takes orders like any other."""
    r = await client.signed(
        "POST",
        ORDER,
        {
            "symbol": "币安人生USDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "100",
            "newOrderRespType": "RESULT",
        },
    )
    assert (r.json["symbol"], r.json["status"], r.json["avgPrice"]) == (
        "币安人生USDT",
        "FILLED",
        "0.15000",
    )
