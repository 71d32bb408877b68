"""Spot order lists (OCO, OTO, OTOCO, the legacy order/oco) and cancel-replace against the
simulator's HTTP API: legs cancelling each other, pending orders placed when the working one
fills, funds held once, listClientOrderId rules, and cancel-replace's 200 / 409 / 400."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binance_async.testing import Simulator

from .conftest import RawClient, Reply

D = Decimal


async def post(client: RawClient, path: str, **params: Any) -> Reply:
    """A signed POST to /api/v3/``path`` on BTCUSDT."""
    return await client.signed("POST", f"/api/v3/{path}", {"symbol": "BTCUSDT", **params})


def balance(sim: Simulator, asset: str) -> tuple[Decimal, Decimal]:
    found = sim.spot_balance(asset)
    return found.free, found.locked


def statuses(sim: Simulator, list_client_order_id: str) -> list[str]:
    found = sim.spot_order_list(list_client_order_id=list_client_order_id)
    assert found is not None
    return [sim.spot_order(order_id=i).status for i in found.order_ids]  # type: ignore[union-attr]


SELL_OCO = {
    "side": "SELL",
    "quantity": "1",
    "aboveType": "LIMIT_MAKER",
    "abovePrice": "52000",
    "belowType": "STOP_LOSS_LIMIT",
    "belowStopPrice": "48000",
    "belowPrice": "47900",
    "belowTimeInForce": "GTC",
}


async def test_oco_limit_leg_fills_and_expires_the_stop(client: RawClient, sim: Simulator) -> None:
    """A SELL OCO holds its quantity once; when the price reaches the LIMIT_MAKER leg it
    fills and the stop leg EXPIRES; the list is ALL_DONE."""
    reply = await post(client, "orderList/oco", **SELL_OCO, listClientOrderId="oco-1")
    body = reply.json
    assert (body["contingencyType"], body["listStatusType"], body["listOrderStatus"]) == (
        "OCO",
        "EXEC_STARTED",
        "EXECUTING",
    )
    assert [r["type"] for r in body["orderReports"]] == ["LIMIT_MAKER", "STOP_LOSS_LIMIT"]
    assert [r["status"] for r in body["orderReports"]] == ["NEW", "NEW"]
    assert balance(sim, "BTC") == (D("9"), D("1"))
    sim.spot_set_price("BTCUSDT", D("52000"))
    assert statuses(sim, "oco-1") == ["FILLED", "EXPIRED"]
    assert balance(sim, "BTC") == (D("9"), D("0"))
    assert balance(sim, "USDT") == (D("152000"), D("0"))
    query = await client.signed("GET", "/api/v3/orderList", {"origClientOrderId": "oco-1"})
    assert (query.json["listOrderStatus"], "orderReports" in query.json) == ("ALL_DONE", False)
    assert sim.audit.requests[-1].weight == 4


async def test_oco_stop_triggers_and_expires_the_limit_leg(
    client: RawClient, sim: Simulator
) -> None:
    """The stop leg triggering takes the funds over and expires the LIMIT_MAKER leg; below
    its limit it rests, then fills at its price when the price comes back."""
    await post(client, "orderList/oco", **SELL_OCO, listClientOrderId="oco-2")
    sim.spot_set_price("BTCUSDT", D("47000"))
    assert statuses(sim, "oco-2") == ["EXPIRED", "NEW"]
    assert balance(sim, "BTC") == (D("9"), D("1"))
    sim.spot_set_price("BTCUSDT", D("47950"))
    assert statuses(sim, "oco-2") == ["EXPIRED", "FILLED"]
    assert balance(sim, "USDT") == (D("100000") + D("47900"), D("0"))
    assert balance(sim, "BTC") == (D("9"), D("0"))


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({**SELL_OCO, "abovePrice": "49000"}, -2010),
        ({**SELL_OCO, "belowStopPrice": "51000", "belowPrice": "51000"}, -2010),
        ({**SELL_OCO, "side": "BUY"}, -1165),
        ({**SELL_OCO, "aboveType": "LIMIT", "aboveTimeInForce": "GTC"}, -1158),
        (
            {
                **SELL_OCO,
                "belowType": "LIMIT_MAKER",
                "belowPrice": "47000",
                "belowStopPrice": None,
                "belowTimeInForce": None,
            },
            -1168,
        ),
    ],
)
async def test_oco_refusals(
    client: RawClient, sim: Simulator, params: dict[str, Any], code: int
) -> None:
    """Prices on the wrong side of the last price: -2010 "The relationship of the prices for
    the orders is not correct."; legs of the wrong type or place: -1165, -1158, -1168."""
    sent = {k: v for k, v in params.items() if v is not None}
    reply = await post(client, "orderList/oco", **sent)
    assert (reply.status, reply.code) == (400, code)
    if code == -2010:
        assert reply.json["msg"] == "The relationship of the prices for the orders is not correct."
    assert balance(sim, "BTC") == (D("10"), D("0"))
    assert sim.spot.order_counts() == {"10S": 0, "1D": 0}


async def test_oto_pending_order_placed_when_working_fills(
    client: RawClient, sim: Simulator
) -> None:
    """OTO: the pending order is PENDING_NEW (holding nothing) until the working order is
    FILLED; then it goes on the book with its own funds."""
    reply = await post(
        client,
        "orderList/oto",
        listClientOrderId="oto-1",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="49000",
        workingQuantity="0.5",
        workingTimeInForce="GTC",
        pendingType="LIMIT_MAKER",
        pendingSide="SELL",
        pendingPrice="55000",
        pendingQuantity="0.5",
    )
    assert [r["status"] for r in reply.json["orderReports"]] == ["NEW", "PENDING_NEW"]
    assert reply.json["contingencyType"] == "OTO"
    assert balance(sim, "USDT") == (D("75500"), D("24500"))
    assert balance(sim, "BTC") == (D("10"), D("0"))
    sim.spot_set_price("BTCUSDT", D("48900"))
    assert statuses(sim, "oto-1") == ["FILLED", "NEW"]
    assert balance(sim, "USDT") == (D("75500"), D("0"))
    assert balance(sim, "BTC") == (D("10"), D("0.5"))
    opened = (await client.signed("GET", "/api/v3/openOrderList")).json
    assert [lst["listClientOrderId"] for lst in opened] == ["oto-1"]
    assert sim.audit.requests[-1].weight == 6


async def test_otoco_working_fill_places_the_pair(client: RawClient, sim: Simulator) -> None:
    """OTOCO: the working fill places both pending legs (one hold); one fills, the other
    EXPIRES."""
    await post(
        client,
        "orderList/otoco",
        listClientOrderId="otoco-1",
        workingType="LIMIT",
        workingSide="BUY",
        workingPrice="50100",
        workingQuantity="0.5",
        workingTimeInForce="GTC",
        pendingSide="SELL",
        pendingQuantity="0.5",
        pendingAboveType="LIMIT_MAKER",
        pendingAbovePrice="53000",
        pendingBelowType="STOP_LOSS",
        pendingBelowStopPrice="47000",
    )
    # the working order crossed the price at once: filled, the pair placed
    assert statuses(sim, "otoco-1") == ["FILLED", "NEW", "NEW"]
    assert balance(sim, "BTC") == (D("10"), D("0.5"))
    assert balance(sim, "USDT") == (D("75000"), D("0"))
    sim.spot_set_price("BTCUSDT", D("46000"))
    assert statuses(sim, "otoco-1") == ["FILLED", "EXPIRED", "FILLED"]
    assert balance(sim, "BTC") == (D("10"), D("0"))
    assert balance(sim, "USDT") == (D("75000") + D("23000"), D("0"))


async def test_cancelling_one_order_cancels_the_list(client: RawClient, sim: Simulator) -> None:
    """Cancelling the working order of an OTO cancels its pending one too; DELETE orderList
    by listClientOrderId cancels an OCO; all funds come back."""
    await post(
        client,
        "orderList/oto",
        listClientOrderId="oto-2",
        workingType="LIMIT_MAKER",
        workingSide="BUY",
        workingPrice="49000",
        workingQuantity="0.1",
        pendingType="MARKET",
        pendingSide="SELL",
        pendingQuantity="0.1",
    )
    found = sim.spot_order_list(list_client_order_id="oto-2")
    assert found is not None
    cancel = await client.signed(
        "DELETE", "/api/v3/order", {"symbol": "BTCUSDT", "orderId": found.order_ids[0]}
    )
    assert cancel.json["status"] == "CANCELED"
    assert statuses(sim, "oto-2") == ["CANCELED", "CANCELED"]
    await post(client, "orderList/oco", **SELL_OCO, listClientOrderId="oco-3")
    reply = await client.signed(
        "DELETE", "/api/v3/orderList", {"symbol": "BTCUSDT", "listClientOrderId": "oco-3"}
    )
    assert [r["status"] for r in reply.json["orderReports"]] == ["CANCELED", "CANCELED"]
    assert reply.json["listOrderStatus"] == "ALL_DONE"
    assert balance(sim, "BTC") == (D("10"), D("0"))
    assert balance(sim, "USDT") == (D("100000"), D("0"))
    again = await client.signed(
        "DELETE", "/api/v3/orderList", {"symbol": "BTCUSDT", "listClientOrderId": "oco-3"}
    )
    assert again.code == -2011


async def test_list_client_order_id_rules_and_queries(client: RawClient, sim: Simulator) -> None:
    """A listClientOrderId is refused while its list executes and accepted once it is done;
    the audit counts it; allOrderList (20) lists both."""
    await post(client, "orderList/oco", **SELL_OCO, listClientOrderId="L")
    dup = await post(client, "orderList/oco", **SELL_OCO, listClientOrderId="L")
    assert dup.json == {"code": -2010, "msg": "Duplicate order sent."}
    await client.signed(
        "DELETE", "/api/v3/orderList", {"symbol": "BTCUSDT", "listClientOrderId": "L"}
    )
    assert (await post(client, "orderList/oco", **SELL_OCO, listClientOrderId="L")).status == 200
    every = (await client.signed("GET", "/api/v3/allOrderList")).json
    assert [lst["listClientOrderId"] for lst in every] == ["L", "L"]
    assert sim.audit.requests[-1].weight == 20
    assert sim.audit.accepted["L"] == 2
    missing = await client.signed("GET", "/api/v3/orderList", {"orderListId": 1})
    assert missing.json == {"code": -2013, "msg": "Order list does not exist."}


async def test_legacy_order_oco(client: RawClient, sim: Simulator) -> None:
    """POST /api/v3/order/oco: a LIMIT_MAKER at ``price`` and a STOP_LOSS_LIMIT at
    ``stopPrice`` / ``stopLimitPrice``, placed as an OCO (2 orders counted)."""
    reply = await post(
        client,
        "order/oco",
        side="SELL",
        quantity="0.5",
        price="52000",
        stopPrice="48000",
        stopLimitPrice="47500",
        stopLimitTimeInForce="GTC",
        limitClientOrderId="lim",
        stopClientOrderId="stp",
    )
    assert [(r["clientOrderId"], r["type"]) for r in reply.json["orderReports"]] == [
        ("lim", "LIMIT_MAKER"),
        ("stp", "STOP_LOSS_LIMIT"),
    ]
    assert reply.headers["X-MBX-ORDER-COUNT-10S"] == "2"
    assert balance(sim, "BTC") == (D("9.5"), D("0.5"))


LIMIT = {"side": "BUY", "type": "LIMIT", "timeInForce": "GTC", "quantity": "0.1"}
#: A LIMIT_MAKER BUY at the price: the matching engine refuses it (it would take).
TAKER_MAKER = {"side": "BUY", "type": "LIMIT_MAKER", "quantity": "0.1", "price": "50000"}


async def test_cancel_replace_success(client: RawClient, sim: Simulator) -> None:
    """Both halves succeed: 200 with both answers; the old funds released, the new locked."""
    await post(client, "order", **LIMIT, price="49000", newClientOrderId="old")
    reply = await post(
        client,
        "order/cancelReplace",
        **LIMIT,
        price="48000",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrigClientOrderId="old",
        newClientOrderId="new",
    )
    assert reply.status == 200
    assert (reply.json["cancelResult"], reply.json["newOrderResult"]) == ("SUCCESS", "SUCCESS")
    assert reply.json["cancelResponse"]["origClientOrderId"] == "old"
    assert reply.json["newOrderResponse"]["clientOrderId"] == "new"
    assert balance(sim, "USDT") == (D("95200"), D("4800"))


async def test_cancel_replace_stop_on_failure(client: RawClient, sim: Simulator) -> None:
    """STOP_ON_FAILURE and a failed cancel: 400 -2022, the new order NOT_ATTEMPTED (but the
    request still counts one order)."""
    reply = await post(
        client,
        "order/cancelReplace",
        **LIMIT,
        price="48000",
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrderId=1,
    )
    assert (reply.status, reply.json) == (
        400,
        {
            "code": -2022,
            "msg": "Order cancel-replace failed.",
            "data": {
                "cancelResult": "FAILURE",
                "newOrderResult": "NOT_ATTEMPTED",
                "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
                "newOrderResponse": None,
            },
        },
    )
    assert sim.spot_open_orders() == []
    assert reply.headers["X-MBX-ORDER-COUNT-10S"] == "1"


async def test_cancel_replace_partial_failure_is_409(client: RawClient, sim: Simulator) -> None:
    """The cancel succeeds and the new order is refused by the matching engine: 409 -2021
    with both answers; ALLOW_FAILURE with a failed cancel and a placed order: 409 too."""
    await post(client, "order", **LIMIT, price="49000", newClientOrderId="old")
    reply = await post(
        client,
        "order/cancelReplace",
        **TAKER_MAKER,
        cancelReplaceMode="STOP_ON_FAILURE",
        cancelOrigClientOrderId="old",
    )
    assert (reply.status, reply.code) == (409, -2021)
    data = reply.json["data"]
    assert (data["cancelResult"], data["newOrderResult"]) == ("SUCCESS", "FAILURE")
    assert data["newOrderResponse"] == {
        "code": -2010,
        "msg": "Order would immediately match and take.",
    }
    assert sim.spot_open_orders() == [] and balance(sim, "USDT") == (D("100000"), D("0"))
    allowed = await post(
        client,
        "order/cancelReplace",
        **LIMIT,
        price="48000",
        cancelReplaceMode="ALLOW_FAILURE",
        cancelOrigClientOrderId="gone",
        newOrderRespType="ACK",
    )
    assert (allowed.status, allowed.code) == (409, -2021)
    data = allowed.json["data"]
    assert (data["cancelResult"], data["newOrderResult"]) == ("FAILURE", "SUCCESS")
    assert set(data["newOrderResponse"]) == {
        "symbol",
        "orderId",
        "orderListId",
        "clientOrderId",
        "transactTime",
    }
    both = await post(
        client,
        "order/cancelReplace",
        **TAKER_MAKER,
        cancelReplaceMode="ALLOW_FAILURE",
        cancelOrigClientOrderId="gone",
    )
    assert (both.status, both.code) == (400, -2022)
    assert both.json["data"]["newOrderResult"] == "FAILURE"


async def test_cancel_replace_filter_failure_touches_nothing(
    client: RawClient, sim: Simulator
) -> None:
    """The new order's filters are checked first: a failure is a plain -1013, nothing
    cancelled."""
    await post(client, "order", **LIMIT, price="49000", newClientOrderId="keep")
    reply = await post(
        client,
        "order/cancelReplace",
        **LIMIT,
        price="0.001",
        cancelReplaceMode="ALLOW_FAILURE",
        cancelOrigClientOrderId="keep",
    )
    assert reply.json == {"code": -1013, "msg": "Filter failure: PRICE_FILTER"}
    assert [o.client_order_id for o in sim.spot_open_orders()] == ["keep"]
