"""Spot orders of every type against the simulator's HTTP API: their effect on balances (exact
Decimals, fees included), the matching rules (LIMIT_MAKER, IOC/FOK, stops, trailing stops,
icebergs), response types, filters, queries and cancels, and client id reuse."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binance_async.testing import Simulator

from .conftest import RawClient, Reply

D = Decimal
ORDER = "/api/v3/order"


async def place(client: RawClient, **params: Any) -> Reply:
    """POST /api/v3/order on BTCUSDT unless told otherwise."""
    return await client.signed("POST", ORDER, {"symbol": "BTCUSDT", **params})


def free(sim: Simulator, asset: str) -> Decimal:
    return sim.spot_balance(asset).free


def locked(sim: Simulator, asset: str) -> Decimal:
    return sim.spot_balance(asset).locked


async def test_market_buy_fills_at_the_price_with_taker_fee(
    client: RawClient, sim: Simulator
) -> None:
    """MARKET BUY: FULL by default, one fill at the price; quote paid, base received less
    the taker fee (in the base asset)."""
    sim.spot.set_commission(maker=D("0.001"), taker=D("0.002"))
    reply = await place(client, side="BUY", type="MARKET", quantity="0.1")
    body = reply.json
    assert (body["status"], body["executedQty"], body["cummulativeQuoteQty"]) == (
        "FILLED",
        "0.10000000",
        "5000.00000000",
    )
    assert body["fills"] == [
        {
            "price": "50000.00000000",
            "qty": "0.10000000",
            "commission": "0.00020000",
            "commissionAsset": "BTC",
            "tradeId": body["fills"][0]["tradeId"],
        }
    ]
    assert free(sim, "USDT") == D("95000")
    assert free(sim, "BTC") == D("10.0998")
    trades = (await client.signed("GET", "/api/v3/myTrades", {"symbol": "BTCUSDT"})).json
    assert [(t["isBuyer"], t["isMaker"], t["commission"]) for t in trades] == [
        (True, False, "0.00020000")
    ]


async def test_market_by_quote_order_qty(client: RawClient, sim: Simulator) -> None:
    """quoteOrderQty: a BUY spends at most that much in LOT_SIZE steps; a SELL sells what
    brings it in."""
    sim.spot_set_price("BTCUSDT", D("30000"))
    buy = (await place(client, side="BUY", type="MARKET", quoteOrderQty="100")).json
    assert (buy["origQty"], buy["origQuoteOrderQty"], buy["cummulativeQuoteQty"]) == (
        "0.00333000",
        "100.00000000",
        "99.90000000",
    )
    assert free(sim, "USDT") == D("100000") - D("99.9")
    sell = (await place(client, side="SELL", type="MARKET", quoteOrderQty="60")).json
    assert (sell["executedQty"], sell["cummulativeQuoteQty"]) == ("0.00200000", "60.00000000")
    assert free(sim, "BTC") == D("10") + D("0.00333") - D("0.002")


async def test_limit_locks_then_releases_exactly(client: RawClient, sim: Simulator) -> None:
    """A resting LIMIT BUY locks price x qty; a cancel gives it back to the unit."""
    placed = await place(
        client, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.123", price="49000.01"
    )
    assert placed.json["status"] == "NEW"
    assert locked(sim, "USDT") == D("0.123") * D("49000.01")
    assert free(sim, "USDT") + locked(sim, "USDT") == D("100000")
    cancel = await client.signed(
        "DELETE", ORDER, {"symbol": "BTCUSDT", "orderId": placed.json["orderId"]}
    )
    assert cancel.json["status"] == "CANCELED"
    assert (free(sim, "USDT"), locked(sim, "USDT")) == (D("100000"), D("0"))


async def test_crossing_limit_fills_at_the_price_and_refunds_the_rest(
    client: RawClient, sim: Simulator
) -> None:
    """A BUY LIMIT above the price takes at the price: the lock's surplus comes back."""
    reply = await place(
        client, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.2", price="50500"
    )
    assert (reply.json["status"], reply.json["fills"][0]["price"]) == ("FILLED", "50000.00000000")
    assert (free(sim, "USDT"), locked(sim, "USDT")) == (D("90000"), D("0"))
    assert free(sim, "BTC") == D("10.2")


async def test_resting_orders_fill_at_their_price_when_the_price_moves(
    client: RawClient, sim: Simulator
) -> None:
    """A resting SELL fills at its own price as maker (maker fee in the quote asset)."""
    sim.spot.set_commission(maker=D("0.001"), taker=D("0"))
    await place(client, side="SELL", type="LIMIT", timeInForce="GTC", quantity="1", price="51000")
    assert (free(sim, "BTC"), locked(sim, "BTC")) == (D("9"), D("1"))
    sim.spot_set_price("BTCUSDT", D("51500"))
    assert (free(sim, "BTC"), locked(sim, "BTC")) == (D("9"), D("0"))
    assert free(sim, "USDT") == D("100000") + D("51000") - D("51")
    assert sim.spot_open_orders() == []


async def test_limit_maker_that_would_take_is_refused(client: RawClient, sim: Simulator) -> None:
    """LIMIT_MAKER crossing the price: -2010 "Order would immediately match and take."."""
    reply = await place(client, side="BUY", type="LIMIT_MAKER", quantity="0.1", price="50000")
    assert (reply.status, reply.json) == (
        400,
        {"code": -2010, "msg": "Order would immediately match and take."},
    )
    assert locked(sim, "USDT") == 0
    maker = await place(client, side="BUY", type="LIMIT_MAKER", quantity="0.1", price="49999.99")
    assert (maker.status, maker.json["orderId"] > 0) == (200, True)
    assert "fills" not in maker.json  # ACK by default for LIMIT_MAKER


@pytest.mark.parametrize("tif", ["IOC", "FOK"])
async def test_ioc_fok_expire_unless_they_cross(
    client: RawClient, sim: Simulator, tif: str
) -> None:
    """IOC/FOK below the price expire with nothing locked; crossing, they fill."""
    away = await place(
        client, side="BUY", type="LIMIT", timeInForce=tif, quantity="0.1", price="49000"
    )
    assert (away.json["status"], away.json["executedQty"]) == ("EXPIRED", "0.00000000")
    assert (free(sim, "USDT"), locked(sim, "USDT")) == (D("100000"), D("0"))
    cross = await place(
        client, side="BUY", type="LIMIT", timeInForce=tif, quantity="0.1", price="50001"
    )
    assert cross.json["status"] == "FILLED"


async def test_stop_loss_triggers_on_the_price(client: RawClient, sim: Simulator) -> None:
    """STOP_LOSS SELL waits (ACK, isWorking false), then sells at the price once it falls
    to stopPrice; already met at placement: -2010 "Order would trigger immediately."."""
    now = await place(client, side="SELL", type="STOP_LOSS", quantity="1", stopPrice="50000")
    assert now.json == {"code": -2010, "msg": "Order would trigger immediately."}
    ack = await place(
        client,
        side="SELL",
        type="STOP_LOSS",
        quantity="1",
        stopPrice="48000",
        newClientOrderId="sl",
    )
    assert set(ack.json) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    query = (
        await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "sl"})
    ).json
    assert (query["isWorking"], query["workingTime"], query["stopPrice"]) == (
        False,
        -1,
        "48000.00000000",
    )
    assert locked(sim, "BTC") == 1
    sim.spot_set_price("BTCUSDT", D("48500"))
    assert sim.spot_order(client_order_id="sl").status == "NEW"  # type: ignore[union-attr]
    sim.spot_set_price("BTCUSDT", D("47900"))
    order = sim.spot_order(client_order_id="sl")
    assert order is not None and order.status == "FILLED" and order.cum_quote == D("47900")
    assert (free(sim, "BTC"), locked(sim, "BTC"), free(sim, "USDT")) == (
        D("9"),
        D("0"),
        D("147900"),
    )


async def test_stop_loss_limit_buy_and_take_profit(client: RawClient, sim: Simulator) -> None:
    """STOP_LOSS_LIMIT BUY triggers at or above stopPrice and rests at its limit if it does
    not cross; TAKE_PROFIT BUY triggers at or below its stop and buys at the price."""
    await place(
        client,
        side="BUY",
        type="STOP_LOSS_LIMIT",
        timeInForce="GTC",
        quantity="0.1",
        price="50900",
        stopPrice="51000",
        newClientOrderId="sll",
    )
    await place(client, side="BUY", type="TAKE_PROFIT", quantity="0.1", stopPrice="45000")
    assert locked(sim, "USDT") == D("5090") + D("4500")
    sim.spot_set_price("BTCUSDT", D("51000"))
    order = sim.spot_order(client_order_id="sll")
    assert order is not None and (order.status, order.triggered, order.is_working) == (
        "NEW",
        True,
        True,
    )
    sim.spot_set_price("BTCUSDT", D("44000"))
    assert [o.status for o in sim.spot.open_orders()] == []
    # the stop-limit filled at its price (50900) on the way down, the take-profit at 44000
    assert free(sim, "USDT") == D("100000") - D("5090") - D("4400")
    assert free(sim, "BTC") == D("10.2")


async def test_trailing_stop_follows_the_best_price(client: RawClient, sim: Simulator) -> None:
    """A trailing STOP_LOSS SELL without stopPrice tracks the highest price since placement
    and triggers after a fall of trailingDelta BIPS from it (FAQ scenario E)."""
    sim.spot_set_price("BTCUSDT", D("40000"))
    await place(
        client,
        side="SELL",
        type="STOP_LOSS_LIMIT",
        timeInForce="GTC",
        quantity="0.1",
        price="39000",
        trailingDelta=700,
        newClientOrderId="trail",
    )
    for price in ("42000", "39500", "45500"):
        sim.spot_set_price("BTCUSDT", D(price))
        assert sim.spot_order(client_order_id="trail").status == "NEW"  # type: ignore[union-attr]
    sim.spot_set_price("BTCUSDT", D("42315.01"))
    assert not sim.spot_order(client_order_id="trail").triggered  # type: ignore[union-attr]
    sim.spot_set_price("BTCUSDT", D("42315"))
    order = sim.spot_order(client_order_id="trail")
    assert order is not None and order.status == "FILLED" and order.trailing_time_ms > 0
    reply = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "orderId": order.order_id})
    assert reply.json["trailingDelta"] == 700


async def test_iceberg_fills_slice_by_slice(client: RawClient, sim: Simulator) -> None:
    """An iceberg shows its slice in depth; a print fills a slice, the next one joins the back
    of the queue behind an order at the same price."""
    await place(
        client,
        side="BUY",
        type="LIMIT",
        timeInForce="GTC",
        quantity="1",
        price="49000",
        icebergQty="0.2",
        newClientOrderId="ice",
    )
    await place(client, side="BUY", type="LIMIT", timeInForce="GTC", quantity="0.3", price="49000")
    sim.spot_set_price("BTCUSDT", D("49000.05"))
    book = (await client.public("GET", "/api/v3/depth", {"symbol": "BTCUSDT", "limit": 5})).json
    # the fifth synthetic level (0.001) plus the iceberg's slice and the plain order
    assert book["bids"][4] == ["49000.00000000", "0.50100000"]
    sim.spot_trade("BTCUSDT", D("49000"), D("0.3"))  # slice 0.2, then 0.1 of the plain order
    ice = sim.spot_order(client_order_id="ice")
    assert ice is not None and (ice.executed_qty, ice.status) == (D("0.2"), "PARTIALLY_FILLED")
    sim.spot_trade("BTCUSDT", D("49000"), D("0.3"))  # the plain order's 0.2, then 0.1 of ice
    ice = sim.spot_order(client_order_id="ice")
    assert ice is not None and ice.executed_qty == D("0.3")
    assert locked(sim, "USDT") == D("0.7") * D("49000")
    query = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "ice"})
    assert query.json["icebergQty"] == "0.20000000"


@pytest.mark.parametrize(
    ("params", "code", "msg"),
    [
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.1",
                "price": "0.001",
            },
            -1013,
            "Filter failure: PRICE_FILTER",
        ),
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.000001",
                "price": "50000",
            },
            -1013,
            "Filter failure: LOT_SIZE",
        ),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "121"},
            -1013,
            "Filter failure: MARKET_LOT_SIZE",
        ),
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.00001",
                "price": "50000",
            },
            -1013,
            "Filter failure: NOTIONAL",
        ),
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.1",
                "price": "260000",
            },
            -1013,
            "Filter failure: PERCENT_PRICE_BY_SIDE",
        ),
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "1",
                "price": "49000",
                "icebergQty": "0.001",
            },
            -1013,
            "Filter failure: ICEBERG_PARTS",
        ),
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "1",
                "price": "49000",
                "icebergQty": "1",
            },
            -1013,
            "IcebergQty exceeds QTY.",
        ),
        (
            {"side": "SELL", "type": "STOP_LOSS", "quantity": "0.1", "trailingDelta": 5},
            -1013,
            "Filter failure: TRAILING_DELTA",
        ),
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "GTC",
                "quantity": "0.1",
                "price": "49000.000000001",
            },
            -1111,
            "Parameter 'price' has too much precision.",
        ),
        (
            {
                "side": "BUY",
                "type": "LIMIT",
                "timeInForce": "IOC",
                "quantity": "1",
                "price": "49000",
                "icebergQty": "0.1",
            },
            -1014,
            "Unsupported order combination.",
        ),
        (
            {"side": "BUY", "type": "LIMIT", "quantity": "0.1", "price": "49000"},
            -1102,
            "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
        ),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "0.1", "timeInForce": "GTC"},
            -1114,
            "TimeInForce parameter sent when not required.",
        ),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "0.1", "price": "1"},
            -1106,
            "Parameter 'price' sent when not required.",
        ),
        (
            {"side": "BUY", "type": "MARKET"},
            -1102,
            "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!",
        ),
        (
            {"side": "BUY", "type": "STOP_LOSS", "quantity": "0.1"},
            -1102,
            "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!",
        ),
        ({"side": "UP", "type": "MARKET", "quantity": "0.1"}, -1117, "Invalid side."),
        ({"side": "BUY", "type": "STOP", "quantity": "0.1"}, -1116, "Invalid orderType."),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "0.1", "newClientOrderId": "a b"},
            -1100,
            "Illegal characters found in parameter 'newClientOrderId'; legal range is "
            "'^[a-zA-Z0-9-_]{1,36}$'.",
        ),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "0.1", "strategyType": 5},
            -1134,
            "`strategyType` was less than 1000000.",
        ),
        (
            {"side": "BUY", "type": "MARKET", "quantity": "3"},
            -2010,
            "Account has insufficient balance for requested action.",
        ),
    ],
)
async def test_order_refusals(
    client: RawClient, sim: Simulator, params: dict[str, Any], code: int, msg: str
) -> None:
    """Each documented refusal, nothing locked or counted after it."""
    reply = await place(client, **params)
    assert (reply.status, reply.json) == (400, {"code": code, "msg": msg})
    assert (locked(sim, "USDT"), locked(sim, "BTC")) == (D("0"), D("0"))
    assert sim.spot.order_counts() == {"10S": 0, "1D": 0}


async def test_max_num_algo_orders(client: RawClient) -> None:
    """A sixth open stop on the symbol: -1013 Filter failure: MAX_NUM_ALGO_ORDERS."""
    for i in range(5):
        ok = await place(client, side="SELL", type="STOP_LOSS", quantity="0.1", stopPrice=40000 + i)
        assert ok.status == 200
    refused = await place(client, side="SELL", type="STOP_LOSS", quantity="0.1", stopPrice="39000")
    assert refused.json == {"code": -1013, "msg": "Filter failure: MAX_NUM_ALGO_ORDERS"}


async def test_response_types(client: RawClient) -> None:
    """ACK, RESULT and FULL when asked; MARKET and LIMIT default to FULL, others to ACK."""
    ack = await place(client, side="BUY", type="MARKET", quantity="0.01", newOrderRespType="ACK")
    assert set(ack.json) == {"symbol", "orderId", "orderListId", "clientOrderId", "transactTime"}
    result = await place(
        client, side="BUY", type="MARKET", quantity="0.01", newOrderRespType="RESULT"
    )
    assert "fills" not in result.json and result.json["status"] == "FILLED"
    assert result.json["workingTime"] == result.json["transactTime"]
    bad = await place(client, side="BUY", type="MARKET", quantity="0.01", newOrderRespType="X")
    assert bad.code == -1130


async def test_queries_cancels_and_weights(client: RawClient, sim: Simulator) -> None:
    """GET order (4), openOrders (6 / 80), allOrders (20), DELETE openOrders (1), account
    (20), myTrades (20 / 5 with orderId), in the documented shapes."""
    limit = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.1"}
    first = (await place(client, **limit, price="49000", newClientOrderId="q1")).json
    await place(client, **limit, price="48000")
    await place(client, side="BUY", type="MARKET", quantity="0.01")

    def weight() -> int:
        return sim.audit.requests[-1].weight

    query = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "orderId": first["orderId"]})
    assert weight() == 4
    assert set(query.json) == {
        "symbol",
        "orderId",
        "orderListId",
        "clientOrderId",
        "price",
        "origQty",
        "executedQty",
        "cummulativeQuoteQty",
        "status",
        "timeInForce",
        "type",
        "side",
        "stopPrice",
        "icebergQty",
        "time",
        "updateTime",
        "isWorking",
        "workingTime",
        "origQuoteOrderQty",
        "selfTradePreventionMode",
    }
    mismatch = await client.signed(
        "GET", ORDER, {"symbol": "BTCUSDT", "orderId": first["orderId"], "origClientOrderId": "x"}
    )
    assert mismatch.code == -2013
    assert len((await client.signed("GET", "/api/v3/openOrders", {"symbol": "BTCUSDT"})).json) == 2
    assert weight() == 6
    assert len((await client.signed("GET", "/api/v3/openOrders")).json) == 2
    assert weight() == 80
    every = (await client.signed("GET", "/api/v3/allOrders", {"symbol": "BTCUSDT"})).json
    assert [o["status"] for o in every] == ["NEW", "NEW", "FILLED"] and weight() == 20
    trades = await client.signed("GET", "/api/v3/myTrades", {"symbol": "BTCUSDT"})
    assert len(trades.json) == 1 and weight() == 20
    by_order = await client.signed(
        "GET", "/api/v3/myTrades", {"symbol": "BTCUSDT", "orderId": every[2]["orderId"]}
    )
    assert len(by_order.json) == 1 and weight() == 5
    account = (await client.signed("GET", "/api/v3/account")).json
    assert weight() == 20
    usdt = next(b for b in account["balances"] if b["asset"] == "USDT")
    assert usdt == {"asset": "USDT", "free": "89800.00000000", "locked": "9700.00000000"}
    restricted = await client.signed(
        "DELETE",
        ORDER,
        {
            "symbol": "BTCUSDT",
            "orderId": first["orderId"],
            "cancelRestrictions": "ONLY_PARTIALLY_FILLED",
        },
    )
    assert restricted.json == {
        "code": -2011,
        "msg": "Order was not canceled due to cancel restrictions.",
    }
    everything = await client.signed("DELETE", "/api/v3/openOrders", {"symbol": "BTCUSDT"})
    assert [o["status"] for o in everything.json] == ["CANCELED", "CANCELED"] and weight() == 1
    assert everything.json[0]["origClientOrderId"] == "q1"
    again = await client.signed("DELETE", "/api/v3/openOrders", {"symbol": "BTCUSDT"})
    assert again.json == {"code": -2011, "msg": "Unknown order sent."}
    assert locked(sim, "USDT") == 0


async def test_commission_and_test_order_rates(client: RawClient, sim: Simulator) -> None:
    """account/commission and order/test with computeCommissionRates (weight 20) show the
    configured rates; account shows them in basis points."""
    sim.spot.set_commission(maker=D("0.001"), taker=D("0.0015"))
    rates = (await client.signed("GET", "/api/v3/account/commission", {"symbol": "BTCUSDT"})).json
    assert rates["standardCommission"] == {
        "maker": "0.00100000",
        "taker": "0.00150000",
        "buyer": "0.00000000",
        "seller": "0.00000000",
    }
    tested = await client.signed(
        "POST",
        "/api/v3/order/test",
        {
            "symbol": "BTCUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.01",
            "computeCommissionRates": "true",
        },
    )
    assert tested.json["standardCommissionForOrder"] == {
        "maker": "0.00100000",
        "taker": "0.00150000",
    }
    assert sim.audit.requests[-1].weight == 20
    account = (await client.signed("GET", "/api/v3/account")).json
    assert (account["makerCommission"], account["takerCommission"]) == (10, 15)
    assert sim.spot.order_counts() == {"10S": 0, "1D": 0}


async def test_client_id_reuse_rules(client: RawClient, sim: Simulator) -> None:
    """A client id of an open order is refused (-2010 "Duplicate order sent."); once the
    order is filled or cancelled the id is free again. A cancel renames the order to the
    cancel's newClientOrderId."""
    limit = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.1"}
    assert (await place(client, **limit, price="49000", newClientOrderId="dup")).status == 200
    again = await place(client, **limit, price="48000", newClientOrderId="dup")
    assert again.json == {"code": -2010, "msg": "Duplicate order sent."}
    other_symbol = await client.signed(
        "POST",
        ORDER,
        {
            "symbol": "ETHUSDT",
            "side": "BUY",
            "type": "MARKET",
            "quantity": "0.01",
            "newClientOrderId": "dup",
        },
    )
    assert other_symbol.status == 200
    cancel = await client.signed(
        "DELETE",
        ORDER,
        {"symbol": "BTCUSDT", "origClientOrderId": "dup", "newClientOrderId": "dup-cancel"},
    )
    assert (cancel.json["origClientOrderId"], cancel.json["clientOrderId"]) == ("dup", "dup-cancel")
    reused = await place(client, side="BUY", type="MARKET", quantity="0.01", newClientOrderId="dup")
    assert reused.json["status"] == "FILLED"
    filled_again = await place(
        client, side="BUY", type="MARKET", quantity="0.01", newClientOrderId="dup"
    )
    assert filled_again.status == 200
    assert client.sim.audit.accepted["dup"] == 4


async def test_cancel_id_of_an_open_order_does_not_free_it(client: RawClient) -> None:
    """A cancel named like another open order does not take that id over: it stays taken."""
    limit = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.1"}
    await place(client, **limit, price="49000", newClientOrderId="keep")
    await place(client, **limit, price="48000", newClientOrderId="gone")
    await client.signed(
        "DELETE",
        ORDER,
        {"symbol": "BTCUSDT", "origClientOrderId": "gone", "newClientOrderId": "keep"},
    )
    again = await place(client, **limit, price="47000", newClientOrderId="keep")
    assert again.json == {"code": -2010, "msg": "Duplicate order sent."}
    query = await client.signed("GET", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "keep"})
    assert (query.json["status"], query.json["price"]) == ("NEW", "49000.00000000")
