"""Algo orders (the Algo Service): placing, validating, triggering on the mark price, the
resulting order, cancelling, listing, duplicates, fault injection and order counting."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp
import pytest

from binance_async.testing import FaultPlan, RateLimitConfig, Simulator

from .conftest import RawClient

ALGO = "/fapi/v1/algoOrder"
ORDER = "/fapi/v1/order"
PLACED_KEYS = {
    "algoId", "clientAlgoId", "algoType", "orderType", "symbol", "side", "positionSide",
    "timeInForce", "quantity", "algoStatus", "triggerPrice", "price", "icebergQuantity",
    "selfTradePreventionMode", "workingType", "priceMatch", "closePosition", "priceProtect",
    "reduceOnly", "activatePrice", "callbackRate", "createTime", "updateTime", "triggerTime",
    "goodTillDate",
}  # fmt: skip
QUERY_KEYS = PLACED_KEYS | {
    "actualOrderId", "actualPrice", "tpTriggerPrice", "tpPrice", "slTriggerPrice", "slPrice",
    "tpOrderType",
}  # fmt: skip


def algo(type_: str = "STOP_MARKET", side: str = "SELL", **extra: Any) -> dict[str, Any]:
    """A BTCUSDT conditional order (0.01, trigger 49000 unless given)."""
    params: dict[str, Any] = {
        "algoType": "CONDITIONAL",
        "symbol": "BTCUSDT",
        "side": side,
        "type": type_,
        "quantity": "0.01",
        "triggerPrice": "49000",
    }
    params.update(extra)
    return {k: v for k, v in params.items() if v is not None}


async def market(client: RawClient, side: str, qty: str = "0.01", **extra: str) -> None:
    """Open (or move) the BTCUSDT position with a MARKET order."""
    order = {"symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": qty, **extra}
    reply = await client.signed("POST", ORDER, order)
    assert reply.status == 200, reply


async def test_placement_answer_and_queries(sim: Simulator, client: RawClient) -> None:
    """The POST answer has the documented fields; queries add actualOrderId and friends; the
    order counts on the ORDERS windows at IP weight 0; the audit counts its clientAlgoId."""
    placed = await client.signed("POST", ALGO, algo(clientAlgoId="sl-1"))
    assert placed.status == 200, placed
    body = placed.json
    assert set(body) == PLACED_KEYS
    assert (body["algoStatus"], body["orderType"], body["clientAlgoId"]) == (
        "NEW",
        "STOP_MARKET",
        "sl-1",
    )
    assert (body["triggerPrice"], body["quantity"], body["activatePrice"]) == (
        "49000.00",
        "0.010",
        "",
    )
    assert isinstance(body["algoId"], int) and body["algoId"] > 2**32
    assert placed.headers["X-MBX-ORDER-COUNT-1M"] == "1"
    assert placed.headers["X-MBX-USED-WEIGHT-1M"] == "0"
    by_id = (await client.signed("GET", ALGO, {"algoId": body["algoId"]})).json
    by_client = (await client.signed("GET", ALGO, {"clientAlgoId": "sl-1"})).json
    assert by_id == by_client and set(by_id) == QUERY_KEYS
    assert (by_id["actualOrderId"], by_id["actualPrice"], by_id["icebergQuantity"]) == (
        "",
        "0.00",
        None,
    )
    listed = (await client.signed("GET", "/fapi/v1/openAlgoOrders", {"symbol": "BTCUSDT"})).json
    assert [a["clientAlgoId"] for a in listed] == ["sl-1"]
    assert sim.audit.accepted["sl-1"] == 1
    assert sim.algo_order(client_algo_id="sl-1").status == "NEW"  # type: ignore[union-attr]
    assert [a.client_algo_id for a in sim.open_algo_orders()] == ["sl-1"]
    generated = (await client.signed("POST", ALGO, algo(triggerPrice="48000"))).json
    assert len(generated["clientAlgoId"]) == 22


async def test_stop_market_triggers_on_the_mark_and_fills(
    sim: Simulator, client: RawClient
) -> None:
    """A reduce-only STOP_MARKET waits, then on a mark at or through its trigger places a
    MARKET order that fills: FINISHED, with the order's id as actualOrderId."""
    await market(client, "BUY")
    await client.signed("POST", ALGO, algo(reduceOnly="true", clientAlgoId="stop"))
    sim.set_mark_price("BTCUSDT", Decimal("49500"))
    assert sim.algo_order(client_algo_id="stop").status == "NEW"  # type: ignore[union-attr]
    sim.set_mark_price("BTCUSDT", Decimal("48900"))
    state = (await client.signed("GET", ALGO, {"clientAlgoId": "stop"})).json
    assert state["algoStatus"] == "FINISHED" and state["triggerTime"] > 0
    assert state["actualPrice"] == "48900.00"
    order = (
        await client.signed(
            "GET", ORDER, {"symbol": "BTCUSDT", "orderId": int(state["actualOrderId"])}
        )
    ).json
    assert (order["type"], order["status"], order["side"], order["reduceOnly"]) == (
        "MARKET",
        "FILLED",
        "SELL",
        True,
    )
    assert sim.position("BTCUSDT").amount == 0
    assert (await client.signed("GET", "/fapi/v1/openAlgoOrders")).json == []


async def test_take_profit_limit_rests_then_finishes(sim: Simulator, client: RawClient) -> None:
    """A TAKE_PROFIT (limit) BUY triggers when the mark falls to its trigger; its LIMIT rests
    (TRIGGERED) until it fills (FINISHED)."""
    tp = algo("TAKE_PROFIT", "BUY", triggerPrice="48000", price="47900", clientAlgoId="tp")
    placed = await client.signed("POST", ALGO, tp)
    assert (placed.json["price"], placed.json["timeInForce"]) == ("47900.00", "GTC")
    sim.set_mark_price("BTCUSDT", Decimal("48000"))
    triggered = sim.algo_order(client_algo_id="tp")
    assert triggered is not None and triggered.status == "TRIGGERED"
    [resting] = sim.open_orders()
    assert (resting.type, resting.price, resting.order_id) == (
        "LIMIT",
        Decimal("47900"),
        triggered.actual_order_id,
    )
    assert (await client.signed("DELETE", ALGO, {"clientAlgoId": "tp"})).code == -2011
    sim.set_mark_price("BTCUSDT", Decimal("47850"))
    finished = (await client.signed("GET", ALGO, {"clientAlgoId": "tp"})).json
    assert (finished["algoStatus"], finished["actualPrice"]) == ("FINISHED", "47900.00")
    assert sim.position("BTCUSDT").amount == Decimal("0.01")


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"triggerPrice": "51000"}, -2021),  # a SELL stop above the mark triggers at once
        ({"type": "TAKE_PROFIT_MARKET", "triggerPrice": "49000"}, -2021),
        ({"algoType": None}, -1102),
        ({"algoType": "VP"}, -1130),
        ({"type": "LIMIT"}, -1116),
        ({"side": "HOLD"}, -1117),
        ({"symbol": "NOPE"}, -1121),
        ({"type": "STOP"}, -1102),  # no price
        ({"price": "49000"}, -1106),  # STOP_MARKET takes no price
        ({"quantity": None}, -1102),
        ({"triggerPrice": None}, -1102),
        ({"closePosition": "true"}, -4137),
        ({"closePosition": "true", "quantity": None, "reduceOnly": "false"}, -1106),
        ({"type": "STOP", "price": "48000", "closePosition": "true", "quantity": None}, -1106),
        ({"stopPrice": "49000"}, -1103),
        ({"activationPrice": "49000"}, -1103),
        ({"callbackRate": "1"}, -1106),
        ({"clientAlgoId": "bad id"}, -4015),
        ({"clientAlgoId": "x" * 37}, -4015),
        ({"workingType": "LAST"}, -4031),
        ({"priceMatch": "OPPONENT"}, -5038),
        ({"type": "STOP", "price": "48000", "priceMatch": "BEST"}, -5037),
        ({"timeInForce": "GTD"}, -1102),
        ({"timeInForce": "DAY"}, -1115),
        ({"newOrderRespType": "FULL"}, -1136),
        ({"selfTradePreventionMode": "ALL"}, -5039),
        ({"positionSide": "LONG"}, -4061),
        ({"quantity": "0.0015"}, -1111),
        ({"triggerPrice": "49000.001"}, -1111),
        ({"quantity": "0.001"}, -4164),
        ({"triggerPrice": "49000.05"}, -4014),
        ({"type": "TRAILING_STOP_MARKET", "triggerPrice": None}, -1102),
        ({"type": "TRAILING_STOP_MARKET", "callbackRate": "1"}, -1106),
        ({"type": "TRAILING_STOP_MARKET", "triggerPrice": None, "callbackRate": "11"}, -1130),
        (
            {
                "type": "TRAILING_STOP_MARKET",
                "triggerPrice": None,
                "callbackRate": "1",
                "activatePrice": "49000",
            },
            -2021,  # a SELL trailing stop activates above the price
        ),
    ],
)
async def test_refusals(
    sim: Simulator, client: RawClient, params: dict[str, Any], code: int
) -> None:
    """Each invalid algo order is refused with the exchange's code and not placed."""
    reply = await client.signed("POST", ALGO, algo(**params))
    assert (reply.status, reply.code) == (400, code), reply
    assert sim.open_algo_orders() == [] and not sim.audit.accepted


async def test_conditional_types_refused_on_the_order_endpoints(client: RawClient) -> None:
    """/fapi/v1/order and batch items answer -4120 for conditional types."""
    stop = {"symbol": "BTCUSDT", "side": "SELL", "type": "STOP_MARKET", "stopPrice": "49000"}
    assert (await client.signed("POST", ORDER, stop)).code == -4120
    batch = await client.signed(
        "POST", "/fapi/v1/batchOrders", {"batchOrders": '[{"symbol":"BTCUSDT","side":"SELL",'
        '"type":"TAKE_PROFIT","quantity":"0.01","price":"51000","stopPrice":"51000"}]'}
    )  # fmt: skip
    assert batch.json[0]["code"] == -4120


async def test_duplicates_limits_and_cancels(sim: Simulator, client: RawClient) -> None:
    """A clientAlgoId open twice: -4116 (reusable once cancelled, counted twice by the audit);
    MAX_NUM_ALGO_ORDERS per symbol: -4045; cancel, cancel all, open and all algo orders."""
    assert (await client.signed("POST", ALGO, algo(clientAlgoId="dup"))).status == 200
    again = await client.signed("POST", ALGO, algo(clientAlgoId="dup", triggerPrice="48000"))
    assert again.json == {"code": -4116, "msg": "ClientOrderId is duplicated."}
    cancelled = await client.signed("DELETE", ALGO, {"clientAlgoId": "dup"})
    first_id = cancelled.json["algoId"]
    assert cancelled.json == {
        "algoId": first_id,
        "clientAlgoId": "dup",
        "code": "200",
        "msg": "success",
    }
    assert (await client.signed("POST", ALGO, algo(clientAlgoId="dup"))).status == 200
    assert sim.audit.duplicates() == {"dup": 2}
    for i in range(9):
        reply = await client.signed("POST", ALGO, algo(triggerPrice=str(40000 + i)))
        assert reply.status == 200, reply
    over = await client.signed("POST", ALGO, algo(triggerPrice="39000"))
    assert over.json == {"code": -4045, "msg": "Reach max stop order limit."}
    assert (await client.signed("POST", ALGO, {**algo(), "symbol": "ETHUSDT",
                                               "triggerPrice": "2900"})).status == 200  # fmt: skip
    done = await client.signed("DELETE", "/fapi/v1/algoOpenOrders", {"symbol": "BTCUSDT"})
    assert done.json == {"code": 200, "msg": "The operation of cancel all open order is done."}
    assert [a.symbol for a in sim.open_algo_orders()] == ["ETHUSDT"]
    history = (await client.signed("GET", "/fapi/v1/allAlgoOrders", {"symbol": "BTCUSDT"})).json
    assert len(history) == 11 and {a["algoStatus"] for a in history} == {"CANCELED"}
    since = await client.signed(
        "GET", "/fapi/v1/allAlgoOrders", {"symbol": "BTCUSDT", "algoId": first_id, "limit": 2}
    )
    assert [a["algoId"] for a in since.json] == [first_id, first_id + 1]
    one = await client.signed("GET", "/fapi/v1/openAlgoOrders", {"algoType": "CONDITIONAL"})
    assert [a["symbol"] for a in one.json] == ["ETHUSDT"]
    sim.clock.jump(8 * 86_400_000)
    assert (await client.signed("GET", "/fapi/v1/allAlgoOrders", {"symbol": "BTCUSDT"})).json == []


async def test_trailing_stop_follows_the_price(sim: Simulator, client: RawClient) -> None:
    """A SELL trailing stop (no activatePrice: active at once) tracks the highest mark and
    triggers on a callbackRate % retreat from it."""
    trail = algo("TRAILING_STOP_MARKET", triggerPrice=None, callbackRate="1", clientAlgoId="tr")
    placed = await client.signed("POST", ALGO, trail)
    assert (placed.json["callbackRate"], placed.json["activatePrice"]) == ("1", "")
    for mark in ("51000", "50500"):  # 50500 > 51000 * 0.99
        sim.set_mark_price("BTCUSDT", Decimal(mark))
        assert sim.algo_order(client_algo_id="tr").status == "NEW"  # type: ignore[union-attr]
    sim.set_mark_price("BTCUSDT", Decimal("50490"))
    assert sim.algo_order(client_algo_id="tr").status == "FINISHED"  # type: ignore[union-attr]
    assert sim.position("BTCUSDT").amount == Decimal("-0.01")
    activated = algo(
        "TRAILING_STOP_MARKET", "BUY", triggerPrice=None, callbackRate="2", activatePrice="50000"
    )
    assert (await client.signed("POST", ALGO, activated)).status == 200
    sim.set_mark_price("BTCUSDT", Decimal("51000"))  # not activated: BUY activates at/below
    sim.set_mark_price("BTCUSDT", Decimal("49000"))  # activated, lowest 49000
    assert len(sim.open_algo_orders()) == 1
    sim.set_mark_price("BTCUSDT", Decimal("49980"))  # 49000 * 1.02
    assert sim.open_algo_orders() == [] and sim.position("BTCUSDT").amount == 0


async def test_close_position_and_rejection(sim: Simulator, client: RawClient) -> None:
    """closePosition closes whatever the position is at the trigger (EXPIRED when flat);
    an order the engine refuses at the trigger (no margin check before it) is REJECTED."""
    await market(client, "BUY", "0.03")
    close = algo(quantity=None, closePosition="true", clientAlgoId="close")
    placed = await client.signed("POST", ALGO, close)
    assert (placed.json["closePosition"], placed.json["quantity"]) == (True, "0.000")
    flat = algo(quantity=None, closePosition="true", triggerPrice="48000", clientAlgoId="flat")
    await client.signed("POST", ALGO, flat)
    sim.set_mark_price("BTCUSDT", Decimal("48500"))
    assert sim.position("BTCUSDT").amount == 0
    assert sim.algo_order(client_algo_id="close").status == "FINISHED"  # type: ignore[union-attr]
    sim.set_mark_price("BTCUSDT", Decimal("47000"))
    assert sim.algo_order(client_algo_id="flat").status == "EXPIRED"  # type: ignore[union-attr]
    huge = algo("STOP_MARKET", "BUY", quantity="100", triggerPrice="48000", clientAlgoId="big")
    assert (await client.signed("POST", ALGO, huge)).status == 200  # no margin check yet
    sim.set_mark_price("BTCUSDT", Decimal("48000"))
    rejected = (await client.signed("GET", ALGO, {"clientAlgoId": "big"})).json
    assert (rejected["algoStatus"], rejected["actualOrderId"]) == ("REJECTED", "")


async def test_gtd_algo_order_expires(sim: Simulator, client: RawClient) -> None:
    """A GTD conditional order not triggered by its goodTillDate expires."""
    due = sim.clock.now_ms() + 601_000
    stop = algo("STOP", price="48900", timeInForce="GTD", goodTillDate=str(due), clientAlgoId="g")
    placed = await client.signed("POST", ALGO, stop)
    assert placed.json["goodTillDate"] == due
    sim.clock.jump(602_000)
    assert (await client.signed("GET", ALGO, {"clientAlgoId": "g"})).json["algoStatus"] == "EXPIRED"


async def test_faults_apply_to_the_algo_endpoint(sim: Simulator, client: RawClient) -> None:
    """inject_next and FaultPlan reach POST /fapi/v1/algoOrder like the order endpoint."""
    sim.inject_next("unknown_executed", endpoint=("POST", ALGO))
    reply = await client.signed("POST", ALGO, algo(clientAlgoId="u1"))
    assert (reply.status, reply.code) == (503, -1000)
    assert sim.algo_order(client_algo_id="u1") is not None
    assert sim.audit.requests[-1].fault == "unknown_executed"
    sim.inject_next("unknown_not_executed", endpoint=None)  # any order endpoint, algo included
    reply = await client.signed("POST", ALGO, algo(clientAlgoId="u2"))
    assert reply.status == 503 and sim.algo_order(client_algo_id="u2") is None
    sim.inject_next("throttled", endpoint=("POST", ALGO))
    exempt = await client.signed("POST", ALGO, algo(reduceOnly="true", clientAlgoId="u3"))
    assert exempt.status == 200  # reduce-only is exempt from -1008: the next one takes it
    throttled = await client.signed("POST", ALGO, algo(clientAlgoId="u3b"))
    assert (throttled.status, throttled.code) == (503, -1008)
    sim.inject_next("drop_after_execute", endpoint=("DELETE", ALGO))
    # aiohttp resends an idempotent DELETE once after a dropped connection: -2011 the 2nd time
    resent = await client.signed("DELETE", ALGO, {"clientAlgoId": "u1"})
    assert resent.code == -2011
    dropped = sim.audit.requests[-2]
    assert (dropped.method, dropped.status, dropped.fault) == ("DELETE", None, "drop_after_execute")
    assert sim.algo_order(client_algo_id="u1").status == "CANCELED"  # type: ignore[union-attr]
    sim.set_faults(FaultPlan(unavailable=1.0, endpoints={("POST", ALGO)}))
    down = await client.signed("POST", ALGO, algo(clientAlgoId="u4"))
    assert (down.status, down.json["msg"]) == (503, "Service Unavailable.")
    sim.set_faults(None)
    assert (await client.signed("POST", ALGO, algo(clientAlgoId="u4"))).status == 200


async def test_algo_orders_count_on_the_orders_windows() -> None:
    """Algo placements share the account's ORDERS windows with orders (-1015 over them)."""
    limits = RateLimitConfig(order_limits=((3, "SECOND", 10), (100, "MINUTE", 1)))
    async with Simulator(rate_limits=limits) as sim, aiohttp.ClientSession() as session:
        client = RawClient(session, sim, sim.new_credentials("hmac"))
        sim.clock.freeze(1_700_000_000_000)
        await market(client, "BUY")
        for trigger in ("48000", "47000"):
            assert (await client.signed("POST", ALGO, algo(triggerPrice=trigger))).status == 200
        over = await client.signed("POST", ALGO, algo(triggerPrice="46000"))
        assert (over.status, over.code) == (429, -1015)
        assert over.headers["Retry-After"] == "10"


async def test_hedge_mode_algo_orders(sim: Simulator, client: RawClient) -> None:
    """In hedge mode algo orders carry LONG or SHORT (not reduceOnly); a LONG stop closes
    the long position when it triggers."""
    await client.signed("POST", "/fapi/v1/positionSide/dual", {"dualSidePosition": "true"})
    assert (await client.signed("POST", ALGO, algo())).code == -4061
    refused = await client.signed("POST", ALGO, algo(positionSide="LONG", reduceOnly="true"))
    assert refused.json == {"code": -1106, "msg": "Parameter 'reduceonly' sent when not required."}
    wrong_side = algo(positionSide="LONG", side="BUY", quantity=None, closePosition="true",
                      type="TAKE_PROFIT_MARKET", triggerPrice="49000")  # fmt: skip
    assert (await client.signed("POST", ALGO, wrong_side)).code == -1106
    await market(client, "BUY", positionSide="LONG")
    stop = algo(positionSide="LONG", quantity=None, closePosition="true", clientAlgoId="h")
    assert (await client.signed("POST", ALGO, stop)).json["positionSide"] == "LONG"
    sim.set_mark_price("BTCUSDT", Decimal("48000"))
    assert sim.algo_order(client_algo_id="h").status == "FINISHED"  # type: ignore[union-attr]
    assert sim.position("BTCUSDT", position_side="LONG").amount == 0
