"""The Spot client against a scripted exchange (tests/spot_fake.py): the exact parameters it
sends, the refusals that send nothing, recvWindow with decimals, and the outcomes the
simulator does not script: cancel-replace's 409 and -2022, and each way of settling a lost
cancel-replace or order list answer."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from binance_async import (
    CancelRejected,
    FilterViolation,
    InvalidRequest,
    OrderRejected,
    RetryConfig,
    Spot,
    SpotOrder,
    UMFutures,
)

from .spot_fake import FakeSpot

ORDER = "/api/v3/order"
REPLACE = "/api/v3/order/cancelReplace"
ORDER_LIST = "/api/v3/orderList"
OCO = "/api/v3/orderList/oco"
#: A 1 s recvWindow, a 50 ms settle margin and a 20..80 ms backoff without jitter.
FAST = {
    "recv_window_ms": 1000,
    "request_timeout_s": 2.0,
    "call_deadline_s": 15.0,
    "retry": RetryConfig(base_delay_s=0.02, max_delay_s=0.08, jitter=0.0, settle_margin_ms=50),
}
SIGNED = ("recvWindow", "timestamp", "signature")


def order(cid: str, status: str = "NEW", order_id: int = 7, **extra: Any) -> dict[str, Any]:
    """An order answer (RESULT shape)."""
    return {
        "symbol": "BTCUSDT",
        "orderId": order_id,
        "orderListId": -1,
        "clientOrderId": cid,
        "transactTime": 1_700_000_000_000,
        "price": "50000.00",
        "origQty": "0.00100",
        "executedQty": "0",
        "origQuoteOrderQty": "0",
        "cummulativeQuoteQty": "0",
        "status": status,
        "timeInForce": "GTC",
        "type": "LIMIT",
        "side": "BUY",
        "workingTime": 1_700_000_000_000,
        "selfTradePreventionMode": "NONE",
        **extra,
    }


def order_list(list_cid: str, status: str = "EXECUTING") -> dict[str, Any]:
    """An order list answer (a query's: no reports)."""
    return {
        "orderListId": 3,
        "contingencyType": "OCO",
        "listStatusType": "EXEC_STARTED" if status == "EXECUTING" else "ALL_DONE",
        "listOrderStatus": status,
        "listClientOrderId": list_cid,
        "transactionTime": 1_700_000_000_000,
        "symbol": "BTCUSDT",
        "orders": [
            {"symbol": "BTCUSDT", "orderId": 10, "clientOrderId": "a-1"},
            {"symbol": "BTCUSDT", "orderId": 11, "clientOrderId": "b-1"},
        ],
    }


NO_ORDER = (400, {"code": -2013, "msg": "Order does not exist."})
NO_LIST = (400, {"code": -2018, "msg": "Order list does not exist."})
UNKNOWN = (503, {"code": -1007, "msg": "Timeout waiting for response from backend server."})


def unsigned(params: dict[str, str]) -> dict[str, str]:
    """The parameters without recvWindow, timestamp and signature."""
    return {k: v for k, v in params.items() if k not in SIGNED}


@pytest.fixture
async def fake() -> AsyncIterator[FakeSpot]:
    """A scripted Spot exchange."""
    async with FakeSpot() as exchange:
        yield exchange


@pytest.fixture
async def spot(fake: FakeSpot) -> AsyncIterator[Spot]:
    """An open HMAC Spot client on the fake, exchangeInfo read."""
    async with Spot("k", secrets.token_hex(32), base_url=fake.url, **FAST) as client:
        await client.exchange_info()
        yield client


async def test_contract_example_with_an_ed25519_key(fake: FakeSpot) -> None:
    """Spot(api_key, private_key=pem): a LIMIT order goes out with exactly its parameters,
    signed, and comes back as a SpotOrder."""
    pem = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fake.script("POST", ORDER, (200, order("s-1")))
    async with Spot("k", private_key=pem, base_url=fake.url, **FAST) as client:
        placed = await client.new_order(
            symbol="BTCUSDT",
            side="BUY",
            type="LIMIT",
            quantity=Decimal("0.001"),
            price="50000",
            time_in_force="GTC",
            new_client_order_id="s-1",
        )
    assert isinstance(placed, SpotOrder) and placed.client_order_id == "s-1"
    (sent,) = fake.sent("POST", ORDER)
    assert unsigned(sent) == {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.001",
        "price": "50000",
        "newClientOrderId": "s-1",
    }
    assert sent["recvWindow"] == "1000" and len(sent["signature"]) == 88  # base64 of 64 bytes


async def test_every_order_gets_a_client_id(fake: FakeSpot, spot: Spot) -> None:
    """Without new_client_order_id one is generated; MARKET by quote quantity."""
    fake.script("POST", ORDER, (200, order("x")))
    await spot.new_order(symbol="BTCUSDT", side="BUY", type="MARKET", quote_order_qty=25)
    (sent,) = fake.sent("POST", ORDER)
    assert sent["newClientOrderId"].startswith("ba-") and sent["quoteOrderQty"] == "25"
    assert "quantity" not in sent and "timeInForce" not in sent


REFUSED: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"type": "LIMIT", "quantity": "0.001"}, InvalidRequest, "need a price"),
    ({"type": "MARKET"}, InvalidRequest, "exactly one of quantity or quote_order_qty"),
    ({"type": "MARKET", "quantity": 1, "quote_order_qty": 5}, InvalidRequest, "exactly one"),
    ({"type": "MARKET", "quantity": 1, "price": 5}, InvalidRequest, "take no price"),
    ({"type": "LIMIT_MAKER", "quantity": 1, "price": 5, "time_in_force": "GTC"},
     InvalidRequest, "take no time_in_force"),
    ({"type": "STOP_LOSS", "quantity": 1}, InvalidRequest, "stop_price, a trailing_delta"),
    ({"type": "LIMIT", "quantity": 1, "price": 5, "stop_price": 4}, InvalidRequest,
     "take no stop_price"),
    ({"type": "STOP_LOSS", "quantity": 1, "stop_price": 4, "iceberg_qty": "0.1"},
     InvalidRequest, "take no iceberg_qty"),
    ({"type": "LIMIT", "quantity": 1, "price": 5, "iceberg_qty": "0.5", "time_in_force": "IOC"},
     InvalidRequest, "time_in_force GTC"),
    ({"type": "LIMIT", "quantity": 1, "price": 5, "quote_order_qty": 5}, InvalidRequest,
     "take no quote_order_qty"),
    ({"type": "LIMIT", "quantity": "0.000015", "price": 50000}, FilterViolation, "LOT_SIZE"),
    ({"type": "LIMIT", "quantity": "0.001", "price": "50000.005"}, FilterViolation,
     "PRICE_FILTER"),
    ({"type": "LIMIT", "quantity": "0.00001", "price": 100}, FilterViolation, "NOTIONAL"),
    ({"type": "MARKET", "quantity": 101}, FilterViolation, "MARKET_LOT_SIZE"),
    ({"type": "LIMIT", "quantity": 1, "price": 100, "iceberg_qty": "0.05"}, FilterViolation,
     "ICEBERG_PARTS"),
    ({"type": "STOP_LOSS", "quantity": 1, "trailing_delta": 5}, FilterViolation,
     "TRAILING_DELTA"),
    ({"type": "STOP_LOSS_LIMIT", "quantity": 1, "price": 100, "stop_price": "99.001"},
     FilterViolation, "stopPrice"),
    ({"type": "LIMIT", "quantity": 1, "price": 100, "self_trade_prevention_mode": "DECREMENT"},
     FilterViolation, "self-trade prevention"),
    ({"type": "LIMIT", "quantity": 1, "price": 100, "trailing_delta": 1.5}, InvalidRequest,
     "trailing_delta"),
    ({"type": "LIMIT", "quantity": True, "price": 100}, InvalidRequest, "quantity"),
    ({"type": "OCO", "quantity": 1}, InvalidRequest, "type"),
    ({"type": "LIMIT", "quantity": 1, "price": 100, "strategy_type": 999_999}, InvalidRequest,
     "strategy_type"),
]  # fmt: skip


@pytest.mark.parametrize(("values", "error", "match"), REFUSED)
async def test_refusals_send_nothing(
    fake: FakeSpot, spot: Spot, values: dict[str, Any], error: type[Exception], match: str
) -> None:
    """Each wrong order is refused, by type or by filter, before anything is sent."""
    with pytest.raises(error, match=match):
        await spot.new_order(symbol="BTCUSDT", side="BUY", **values)
    assert fake.others() == []


async def test_filter_violation_is_typed(spot: Spot) -> None:
    """A FilterViolation names its symbol and filter."""
    with pytest.raises(FilterViolation) as caught:
        await spot.new_order(symbol="BTCUSDT", side="SELL", type="LIMIT", quantity=1, price="0.001")
    assert (caught.value.symbol, caught.value.filter_type) == ("BTCUSDT", "PRICE_FILTER")


async def test_recv_window_with_decimals(fake: FakeSpot) -> None:
    """Spot takes recvWindow with up to three decimals, written plainly; more, or above
    60000, or a fraction on USDⓈ-M, is a ValueError."""
    fake.script("GET", "/api/v3/account", (200, {"commissionRates": {"maker": "0", "taker": "0"},
                                                 "balances": []}))  # fmt: skip
    async with Spot("k", "s", base_url=fake.url, recv_window_ms=1500.25) as client:
        await client.account()
    (sent,) = fake.sent("GET", "/api/v3/account")
    assert sent["recvWindow"] == "1500.25"
    with pytest.raises(ValueError, match="at most 3 decimals"):
        Spot(recv_window_ms=1500.2505)
    with pytest.raises(ValueError, match="60000"):
        Spot(recv_window_ms=60000.5)
    with pytest.raises(ValueError, match="whole milliseconds"):
        UMFutures(recv_window_ms=1500.5)


async def test_timestamp_refused_is_repaired(fake: FakeSpot, spot: Spot) -> None:
    """-1021: the clock is resynced and the order sent once more."""
    fake.script(
        "POST",
        ORDER,
        (400, {"code": -1021, "msg": "Timestamp for this request is outside of the recvWindow."}),
        (200, order("t-1")),
    )
    before = len(fake.sent("GET", "/api/v3/time"))
    placed = await spot.new_order(
        symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.001", price=50000,
        new_client_order_id="t-1",
    )  # fmt: skip
    assert placed.client_order_id == "t-1" and len(fake.sent("POST", ORDER)) == 2
    assert len(fake.sent("GET", "/api/v3/time")) > before


async def test_lost_order_answer_settled_by_query(fake: FakeSpot, spot: Spot) -> None:
    """A lost answer is settled by querying the client id; found, nothing is resent."""
    fake.script("POST", ORDER, UNKNOWN)
    fake.script("GET", ORDER, (200, order("q-1")))
    placed = await spot.new_order(
        symbol="BTCUSDT", side="BUY", type="LIMIT", quantity="0.001", price=50000,
        new_client_order_id="q-1",
    )  # fmt: skip
    assert placed.reconciled and len(fake.sent("POST", ORDER)) == 1
    (query,) = fake.sent("GET", ORDER)
    assert unsigned(query) == {"symbol": "BTCUSDT", "origClientOrderId": "q-1"}


def replace_kwargs(**extra: Any) -> dict[str, Any]:
    """A cancel-replace of order 5 by a LIMIT order."""
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "quantity": "0.001",
        "price": "49000",
        "cancel_order_id": 5,
        "new_client_order_id": "r-1",
        "cancel_new_client_order_id": "rc-1",
        "cancel_replace_mode": "STOP_ON_FAILURE",
        **extra,
    }


async def test_cancel_replace_success(fake: FakeSpot, spot: Spot) -> None:
    """Both halves done: the result holds the cancelled and the new order; the wire holds
    exactly the call's parameters."""
    fake.script(
        "POST",
        REPLACE,
        (200, {"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS",
               "cancelResponse": order("old", "CANCELED", 5),
               "newOrderResponse": order("r-1", order_id=8)}),
    )  # fmt: skip
    result = await spot.cancel_replace_order(**replace_kwargs())
    assert result.succeeded and not result.reconciled
    assert result.cancelled is not None and result.cancelled.order_id == 5
    (sent,) = fake.sent("POST", REPLACE)
    assert unsigned(sent) == {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "cancelReplaceMode": "STOP_ON_FAILURE",
        "timeInForce": "GTC",
        "quantity": "0.001",
        "price": "49000",
        "cancelNewClientOrderId": "rc-1",
        "cancelOrderId": "5",
        "newClientOrderId": "r-1",
    }


async def test_cancel_replace_409_is_a_result(fake: FakeSpot, spot: Spot) -> None:
    """HTTP 409 (-2021): the cancel succeeded, the new order was refused: a result saying
    which half failed, not an error."""
    fake.script(
        "POST",
        REPLACE,
        (409, {"code": -2021, "msg": "Order cancel-replace partially failed.",
               "data": {"cancelResult": "SUCCESS", "newOrderResult": "FAILURE",
                        "cancelResponse": order("old", "CANCELED", 5),
                        "newOrderResponse": {"code": -2010,
                                             "msg": "Order would immediately match and take."}}}),
    )  # fmt: skip
    result = await spot.cancel_replace_order(**replace_kwargs())
    assert result.partial and result.cancel_result == "SUCCESS"
    assert result.new_order_result == "FAILURE" and result.new_order is None
    assert result.new_order_refusal is not None and result.new_order_refusal.code == -2010
    assert len(fake.sent("POST", REPLACE)) == 1


async def test_cancel_replace_both_failed_is_an_error(fake: FakeSpot, spot: Spot) -> None:
    """-2022 (HTTP 400): nothing done; the error's data names each half."""
    fake.script(
        "POST",
        REPLACE,
        (400, {"code": -2022, "msg": "Order cancel-replace failed.",
               "data": {"cancelResult": "FAILURE", "newOrderResult": "NOT_ATTEMPTED",
                        "cancelResponse": {"code": -2011, "msg": "Unknown order sent."},
                        "newOrderResponse": None}}),
    )  # fmt: skip
    with pytest.raises(OrderRejected) as caught:
        await spot.cancel_replace_order(**replace_kwargs())
    assert caught.value.code == -2022 and caught.value.data["cancelResult"] == "FAILURE"


async def test_cancel_replace_refusals_send_nothing(fake: FakeSpot, spot: Spot) -> None:
    """No order to cancel named, the new order reusing the cancelled one's client id, or a
    new order its type refuses: nothing is sent."""
    with pytest.raises(InvalidRequest, match="cancelOrderId"):
        await spot.cancel_replace_order(**replace_kwargs(cancel_order_id=None))
    with pytest.raises(InvalidRequest, match="must differ"):
        await spot.cancel_replace_order(
            **replace_kwargs(cancel_order_id=None, cancel_orig_client_order_id="r-1")
        )
    with pytest.raises(InvalidRequest, match="the new order"):
        await spot.cancel_replace_order(**replace_kwargs(price=None))
    assert fake.others() == []


async def test_lost_cancel_replace_found(fake: FakeSpot, spot: Spot) -> None:
    """A lost answer: the new order found by its id and the old one cancelled make a
    reconciled success; nothing is sent again."""
    fake.script("POST", REPLACE, UNKNOWN)
    fake.script("GET", ORDER, (200, order("r-1", order_id=8)), where={"origClientOrderId": "r-1"})
    fake.script("GET", ORDER, (200, order("o", "CANCELED", 5)), where={"orderId": "5"})
    result = await spot.cancel_replace_order(**replace_kwargs())
    assert result.reconciled and result.succeeded
    assert result.new_order is not None and result.new_order.order_id == 8
    assert len(fake.sent("POST", REPLACE)) == 1 and fake.sent("POST", ORDER) == []
    new_query, old_query = fake.sent("GET", ORDER)
    assert unsigned(new_query) == {"symbol": "BTCUSDT", "origClientOrderId": "r-1"}
    assert unsigned(old_query) == {"symbol": "BTCUSDT", "orderId": "5"}


def lost_replace(fake: FakeSpot, old_status: str | None) -> None:
    """A cancel-replace whose answer is lost, whose new order never appears, and whose order
    to cancel is found ``old_status`` (None: not found)."""
    fake.script("POST", REPLACE, UNKNOWN)
    fake.script("GET", ORDER, NO_ORDER, forever=True, where={"origClientOrderId": "r-1"})
    old = NO_ORDER if old_status is None else (200, order("o", old_status, 5))
    fake.script("GET", ORDER, old, forever=True, where={"orderId": "5"})


async def test_lost_cancel_replace_nothing_done_is_sent_again(fake: FakeSpot, spot: Spot) -> None:
    """The new order proven absent past its recvWindow and the old one still open: nothing
    happened, so the cancel-replace goes again, with the same ids."""
    lost_replace(fake, "NEW")
    fake.script(
        "POST",
        REPLACE,
        (200, {"cancelResult": "SUCCESS", "newOrderResult": "SUCCESS",
               "cancelResponse": order("o", "CANCELED", 5),
               "newOrderResponse": order("r-1", order_id=8)}),
    )  # fmt: skip
    result = await spot.cancel_replace_order(**replace_kwargs())
    assert result.succeeded and not result.reconciled
    first, second = fake.sent("POST", REPLACE)
    assert unsigned(first) == unsigned(second)
    assert fake.sent("POST", ORDER) == [] and spot.stats.resubmissions == 1


async def test_lost_cancel_replace_cancelled_places_the_new_order_alone(
    fake: FakeSpot, spot: Spot
) -> None:
    """The old order cancelled and the new one proven absent: the new order is placed alone,
    same client id, as any placement."""
    lost_replace(fake, "CANCELED")
    fake.script("POST", ORDER, (200, order("r-1", order_id=9)))
    result = await spot.cancel_replace_order(**replace_kwargs())
    assert result.reconciled and result.succeeded
    assert result.new_order is not None and result.new_order.order_id == 9
    (alone,) = fake.sent("POST", ORDER)
    assert unsigned(alone) == {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": "0.001",
        "price": "49000",
        "newClientOrderId": "r-1",
    }
    assert len(fake.sent("POST", REPLACE)) == 1


async def test_lost_cancel_replace_new_order_refused_alone(fake: FakeSpot, spot: Spot) -> None:
    """Placed alone, the new order refused: a result with the cancel done and the new order's
    refusal (what a 409 would have said)."""
    lost_replace(fake, "CANCELED")
    fake.script("POST", ORDER, (400, {"code": -2010, "msg": "Order would immediately match."}))
    result = await spot.cancel_replace_order(**replace_kwargs())
    assert result.partial and result.cancel_result == "SUCCESS"
    assert result.new_order_refusal is not None and result.new_order_refusal.code == -2010


async def test_lost_cancel_replace_stop_on_failure_filled(fake: FakeSpot, spot: Spot) -> None:
    """STOP_ON_FAILURE, the old order filled (the cancel could not happen) and the new order
    absent: the new order was never attempted; the call fails as -2022 and places nothing."""
    lost_replace(fake, "FILLED")
    with pytest.raises(OrderRejected) as caught:
        await spot.cancel_replace_order(**replace_kwargs())
    assert caught.value.code == -2022 and "FILLED" in caught.value.message
    assert fake.sent("POST", ORDER) == [] and len(fake.sent("POST", REPLACE)) == 1


async def test_lost_cancel_replace_allow_failure_filled(fake: FakeSpot, spot: Spot) -> None:
    """ALLOW_FAILURE, the old order filled and the new order absent: the new order is placed
    alone (the exchange attempts it whatever the cancel); the cancel half failed."""
    lost_replace(fake, "FILLED")
    fake.script("POST", ORDER, (200, order("r-1", order_id=9)))
    result = await spot.cancel_replace_order(**replace_kwargs(cancel_replace_mode="ALLOW_FAILURE"))
    assert result.partial and result.cancel_result == "FAILURE"
    assert result.new_order is not None and len(fake.sent("POST", ORDER)) == 1


def oco_kwargs(**extra: Any) -> dict[str, Any]:
    """A SELL OCO: a limit maker above, a stop loss limit below."""
    return {
        "symbol": "BTCUSDT",
        "side": "SELL",
        "quantity": "0.01",
        "above_type": "LIMIT_MAKER",
        "above_price": "60000",
        "below_type": "STOP_LOSS_LIMIT",
        "below_price": "40000",
        "below_stop_price": "40100",
        "list_client_order_id": "l-1",
        "above_client_order_id": "a-1",
        "below_client_order_id": "b-1",
        **extra,
    }


async def test_oco_wire(fake: FakeSpot, spot: Spot) -> None:
    """An OCO goes out with exactly its legs' parameters (the stop limit's time in force
    GTC by default)."""
    fake.script("POST", OCO, (200, order_list("l-1")))
    placed = await spot.new_order_list_oco(**oco_kwargs())
    assert placed.list_client_order_id == "l-1" and placed.is_open
    (sent,) = fake.sent("POST", OCO)
    assert unsigned(sent) == {
        "symbol": "BTCUSDT",
        "listClientOrderId": "l-1",
        "side": "SELL",
        "quantity": "0.01",
        "aboveType": "LIMIT_MAKER",
        "aboveClientOrderId": "a-1",
        "abovePrice": "60000",
        "belowType": "STOP_LOSS_LIMIT",
        "belowClientOrderId": "b-1",
        "belowPrice": "40000",
        "belowStopPrice": "40100",
        "belowTimeInForce": "GTC",
    }


async def test_order_list_ids_are_generated(fake: FakeSpot, spot: Spot) -> None:
    """Without ids, the list and each of its orders get one."""
    fake.script("POST", "/api/v3/orderList/otoco", (200, order_list("x")))
    await spot.new_order_list_otoco(
        symbol="BTCUSDT",
        working_type="LIMIT",
        working_side="BUY",
        working_price="50000",
        working_quantity="0.01",
        pending_side="SELL",
        pending_quantity="0.01",
        pending_above_type="LIMIT_MAKER",
        pending_above_price="55000",
        pending_below_type="STOP_LOSS",
        pending_below_stop_price="45000",
    )
    (sent,) = fake.sent("POST", "/api/v3/orderList/otoco")
    ids = [
        sent[k]
        for k in (
            "listClientOrderId",
            "workingClientOrderId",
            "pendingAboveClientOrderId",
            "pendingBelowClientOrderId",
        )
    ]
    assert all(i.startswith("ba-") for i in ids) and len(set(ids)) == 4
    assert sent["workingTimeInForce"] == "GTC" and "pendingBelowTimeInForce" not in sent


LIST_REFUSED: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"below_type": "LIMIT"}, InvalidRequest, "below_type"),
    ({"above_price": "60000.001"}, FilterViolation, "above price"),
    ({"below_stop_price": None}, InvalidRequest, "below STOP_LOSS_LIMIT"),
    ({"above_time_in_force": "GTC"}, InvalidRequest, "above LIMIT_MAKER orders take no"),
    ({"quantity": "0.000001"}, FilterViolation, "LOT_SIZE"),
    ({"list_client_order_id": "no spaces"}, InvalidRequest, "list_client_order_id"),
]


@pytest.mark.parametrize(("values", "error", "match"), LIST_REFUSED)
async def test_order_list_refusals_send_nothing(
    fake: FakeSpot, spot: Spot, values: dict[str, Any], error: type[Exception], match: str
) -> None:
    """Each leg is checked by its type and the symbol's filters before anything is sent."""
    with pytest.raises(error, match=match):
        await spot.new_order_list_oco(**oco_kwargs(**values))
    assert fake.others() == []


async def test_lost_order_list_found_by_list_client_id(fake: FakeSpot, spot: Spot) -> None:
    """A lost OCO answer is settled by querying the list by its listClientOrderId (as
    origClientOrderId, without a symbol); found, nothing is resent."""
    fake.script("POST", OCO, UNKNOWN)
    fake.script("GET", ORDER_LIST, (200, order_list("l-1")))
    placed = await spot.new_order_list_oco(**oco_kwargs())
    assert placed.reconciled and len(fake.sent("POST", OCO)) == 1
    (query,) = fake.sent("GET", ORDER_LIST)
    assert unsigned(query) == {"origClientOrderId": "l-1"}


async def test_lost_order_list_absent_is_resent_once(fake: FakeSpot, spot: Spot) -> None:
    """A list proven absent past its recvWindow is placed again, same listClientOrderId."""
    fake.script("POST", OCO, UNKNOWN, (200, order_list("l-1")))
    fake.script("GET", ORDER_LIST, NO_LIST, forever=True)
    placed = await spot.new_order_list_oco(**oco_kwargs())
    assert not placed.reconciled
    first, second = fake.sent("POST", OCO)
    assert unsigned(first) == unsigned(second) and second["listClientOrderId"] == "l-1"
    assert spot.stats.resubmissions == 1


async def test_cancel_order_list_reports_a_list_already_done(fake: FakeSpot, spot: Spot) -> None:
    """A cancel refused because the list is done reports the list's final state."""
    fake.script("DELETE", ORDER_LIST, (400, {"code": -2011, "msg": "Unknown order list."}))
    fake.script("GET", ORDER_LIST, (200, order_list("l-1", "ALL_DONE")))
    done = await spot.cancel_order_list(symbol="BTCUSDT", list_client_order_id="l-1")
    assert done.status == "ALL_DONE"
    (cancel,) = fake.sent("DELETE", ORDER_LIST)
    assert unsigned(cancel) == {"symbol": "BTCUSDT", "listClientOrderId": "l-1"}
    (query,) = fake.sent("GET", ORDER_LIST)
    assert unsigned(query) == {"origClientOrderId": "l-1"}


async def test_cancel_refused_while_open_stands(fake: FakeSpot, spot: Spot) -> None:
    """A cancel refused by its restrictions while the order is open is the refusal."""
    refusal = (400, {"code": -2011, "msg": "Order was not canceled due to cancel restrictions."})
    fake.script("DELETE", ORDER, refusal)
    fake.script("GET", ORDER, (200, order("c-1", "PARTIALLY_FILLED")))
    with pytest.raises(CancelRejected):
        await spot.cancel_order(
            symbol="BTCUSDT",
            orig_client_order_id="c-1",
            new_client_order_id="cx-1",
            cancel_restrictions="ONLY_NEW",
        )
    (cancel,) = fake.sent("DELETE", ORDER)
    assert unsigned(cancel) == {
        "symbol": "BTCUSDT",
        "origClientOrderId": "c-1",
        "newClientOrderId": "cx-1",
        "cancelRestrictions": "ONLY_NEW",
    }
