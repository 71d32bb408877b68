"""USDⓈ-M order endpoints (reference/fapi-endpoints.tsv): data only.

New and modified orders cost IP weight 0 and one on each ORDERS counter; batches IP 5 and 5
on the 10 s counter and 1 on the 1 m counter. The limiter takes one order cost for every
window, so a batch is charged 5 on each (conservative on the 1 m window).
"""

from __future__ import annotations

from ...endpoint import Endpoint, Security, many, with_symbol
from ...models.orders import Order, UserTrade
from ...params import (
    BOOL,
    CLIENT_ID,
    DECIMAL,
    Param,
    at_most_one,
    choice,
    integer,
    list_of,
    one_required,
    span_at_most,
)
from .common import (
    END_TIME,
    ORDER_ID,
    ORIG_CLIENT_ORDER_ID,
    POSITION_SIDE,
    SIDE,
    START_TIME,
    SYMBOL_OPTIONAL,
    SYMBOL_REQUIRED,
    TIME_IN_FORCE,
    WEEK_MS,
    WORKING_TYPE,
    limit,
)

__all__ = [
    "ALL_ORDERS",
    "BATCH_CANCEL",
    "BATCH_MODIFY",
    "BATCH_ORDERS",
    "CANCEL_ALL",
    "CANCEL_ORDER",
    "COUNTDOWN_CANCEL_ALL",
    "FORCE_ORDERS",
    "GET_OPEN_ORDER",
    "GET_ORDER",
    "MODIFY_ORDER",
    "MODIFY_PARAMS",
    "NEW_ORDER",
    "OPEN_ORDERS",
    "ORDER_AMENDMENT",
    "ORDER_PARAMS",
    "ORDER_TYPES",
    "PRICE_MATCH",
    "TEST_ORDER",
    "TRADING_ENDPOINTS",
    "USER_TRADES",
]

SIGNED = Security.SIGNED
#: What /fapi/v1/order takes since the Algo Service migration; the conditional types moved to
#: /fapi/v1/algoOrder (reference/fapi-rules.md section 9).
ORDER_TYPES = frozenset({"LIMIT", "MARKET"})
PRICE_MATCH = frozenset(
    {
        "OPPONENT",
        "OPPONENT_5",
        "OPPONENT_10",
        "OPPONENT_20",
        "QUEUE",
        "QUEUE_5",
        "QUEUE_10",
        "QUEUE_20",
    }
)
STP_MODES = frozenset({"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"})

#: new_order's parameters, in the documented order; a batch item takes the same.
ORDER_PARAMS = (
    SYMBOL_REQUIRED,
    SIDE,
    Param("type", "type", choice(ORDER_TYPES), required=True),
    POSITION_SIDE,
    TIME_IN_FORCE,
    Param("quantity", "quantity", DECIMAL),
    Param("reduce_only", "reduceOnly", BOOL),
    Param("price", "price", DECIMAL),
    Param("new_client_order_id", "newClientOrderId", CLIENT_ID),
    WORKING_TYPE,
    Param("price_protect", "priceProtect", BOOL),
    Param("new_order_resp_type", "newOrderRespType", choice({"ACK", "RESULT"})),
    Param("price_match", "priceMatch", choice(PRICE_MATCH)),
    Param("self_trade_prevention_mode", "selfTradePreventionMode", choice(STP_MODES)),
    Param("good_till_date", "goodTillDate", integer(1)),
)
#: modify_order's parameters; a batch modify item takes the same.
MODIFY_PARAMS = (
    ORDER_ID,
    ORIG_CLIENT_ORDER_ID,
    SYMBOL_REQUIRED,
    SIDE,
    Param("quantity", "quantity", DECIMAL, required=True),
    Param("price", "price", DECIMAL, required=True),
    Param("price_match", "priceMatch", choice(PRICE_MATCH)),
)
_ORDER_REF = (SYMBOL_REQUIRED, ORDER_ID, ORIG_CLIENT_ORDER_ID)
_ONE_REF = (one_required("orderId", "origClientOrderId"),)

NEW_ORDER = Endpoint(
    method="POST",
    path="/fapi/v1/order",
    weight=0,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
    params=ORDER_PARAMS,
    model=Order.from_payload,
)
# Not stated in the docs or the SDK: charged 1. Validates only; nothing reaches the book.
TEST_ORDER = Endpoint(
    method="POST", path="/fapi/v1/order/test", weight=1, security=SIGNED, params=ORDER_PARAMS
)
MODIFY_ORDER = Endpoint(
    method="PUT",
    path="/fapi/v1/order",
    weight=0,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
    params=MODIFY_PARAMS,
    model=Order.from_payload,
    checks=_ONE_REF,
)
CANCEL_ORDER = Endpoint(
    method="DELETE",
    path="/fapi/v1/order",
    weight=1,
    security=SIGNED,
    idempotent=False,
    is_order_write=True,
    params=_ORDER_REF,
    model=Order.from_payload,
    checks=_ONE_REF,
)
GET_ORDER = Endpoint(
    method="GET",
    path="/fapi/v1/order",
    weight=1,
    security=SIGNED,
    params=_ORDER_REF,
    model=Order.from_payload,
    checks=_ONE_REF,
)
BATCH_ORDERS = Endpoint(
    method="POST",
    path="/fapi/v1/batchOrders",
    weight=5,
    security=SIGNED,
    orders=5,
    idempotent=False,
    is_order_write=True,
)
BATCH_MODIFY = Endpoint(
    method="PUT",
    path="/fapi/v1/batchOrders",
    weight=5,
    security=SIGNED,
    orders=5,
    idempotent=False,
    is_order_write=True,
)
BATCH_CANCEL = Endpoint(
    method="DELETE",
    path="/fapi/v1/batchOrders",
    weight=1,
    security=SIGNED,
    idempotent=False,
    is_order_write=True,
    params=(
        SYMBOL_REQUIRED,
        Param("order_ids", "orderIdList", list_of(integer(1))),
        Param("orig_client_order_ids", "origClientOrderIdList", list_of(CLIENT_ID)),
    ),
)
CANCEL_ALL = Endpoint(
    method="DELETE",
    path="/fapi/v1/allOpenOrders",
    weight=1,
    security=SIGNED,
    idempotent=False,
    params=(SYMBOL_REQUIRED,),
)
COUNTDOWN_CANCEL_ALL = Endpoint(
    method="POST",
    path="/fapi/v1/countdownCancelAll",
    weight=10,
    security=SIGNED,
    params=(
        SYMBOL_REQUIRED,
        Param("countdown_ms", "countdownTime", integer(0), required=True),
    ),
)
GET_OPEN_ORDER = Endpoint(
    method="GET",
    path="/fapi/v1/openOrder",
    weight=1,
    security=SIGNED,
    params=_ORDER_REF,
    model=Order.from_payload,
    checks=_ONE_REF,
)
OPEN_ORDERS = Endpoint(
    method="GET",
    path="/fapi/v1/openOrders",
    weight=with_symbol(1, 40),
    security=SIGNED,
    params=(SYMBOL_OPTIONAL,),
    model=many(Order.from_payload),
)
ALL_ORDERS = Endpoint(
    method="GET",
    path="/fapi/v1/allOrders",
    weight=5,
    security=SIGNED,
    params=(SYMBOL_REQUIRED, ORDER_ID, START_TIME, END_TIME, limit(1000)),
    model=many(Order.from_payload),
    checks=(span_at_most(WEEK_MS, strict=True),),
)
FORCE_ORDERS = Endpoint(
    method="GET",
    path="/fapi/v1/forceOrders",
    weight=with_symbol(20, 50),
    security=SIGNED,
    params=(
        SYMBOL_OPTIONAL,
        Param("auto_close_type", "autoCloseType", choice({"LIQUIDATION", "ADL"})),
        START_TIME,
        END_TIME,
        limit(100),
    ),
    model=many(Order.from_payload),
)
USER_TRADES = Endpoint(
    method="GET",
    path="/fapi/v1/userTrades",
    weight=5,
    security=SIGNED,
    params=(
        SYMBOL_REQUIRED,
        ORDER_ID,
        START_TIME,
        END_TIME,
        Param("from_id", "fromId", integer(0)),
        limit(1000),
    ),
    model=many(UserTrade.from_payload),
    checks=(
        span_at_most(WEEK_MS),
        at_most_one("fromId", "startTime"),
        at_most_one("fromId", "endTime"),
    ),
)
ORDER_AMENDMENT = Endpoint(
    method="GET",
    path="/fapi/v1/orderAmendment",
    weight=1,
    security=SIGNED,
    params=(*_ORDER_REF, START_TIME, END_TIME, limit(100)),
    checks=_ONE_REF,
)

TRADING_ENDPOINTS: tuple[Endpoint, ...] = (
    NEW_ORDER,
    TEST_ORDER,
    MODIFY_ORDER,
    CANCEL_ORDER,
    GET_ORDER,
    BATCH_ORDERS,
    BATCH_MODIFY,
    BATCH_CANCEL,
    CANCEL_ALL,
    COUNTDOWN_CANCEL_ALL,
    GET_OPEN_ORDER,
    OPEN_ORDERS,
    ALL_ORDERS,
    FORCE_ORDERS,
    USER_TRADES,
    ORDER_AMENDMENT,
)
