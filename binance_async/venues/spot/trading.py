"""Spot order endpoints (reference/spot-and-other-exchanges.md section 1, the Spot REST
documentation for cancel-replace and the order history): data only.

A new order costs IP weight 1 and one on each ORDERS (unfilled order count) window; so does a
cancel-replace, whose new order counts even when it is not attempted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...endpoint import Endpoint, Security, many, with_symbol
from ...models.spotorders import CancelReplaceResult, SpotOrder, parse_order_or_list
from ...params import (
    BOOL,
    CLIENT_ID,
    DECIMAL,
    Param,
    choice,
    integer,
    one_required,
    span_at_most,
)
from .common import (
    DAY_MS,
    END_TIME,
    ORDER_ID,
    ORDER_TYPES,
    ORIG_CLIENT_ORDER_ID,
    RESPONSE_TYPES,
    SIDE,
    START_TIME,
    STP_MODES,
    STRATEGY_ID,
    STRATEGY_TYPE,
    SYMBOL_OPTIONAL,
    SYMBOL_REQUIRED,
    TIME_IN_FORCE,
    TRAILING_DELTA,
    limit,
)

__all__ = [
    "ALL_ORDERS",
    "CANCEL_OPEN_ORDERS",
    "CANCEL_ORDER",
    "CANCEL_REPLACE",
    "CANCEL_REPLACE_PARAMS",
    "CANCEL_RESTRICTIONS",
    "GET_ORDER",
    "NEW_ORDER",
    "OPEN_ORDERS",
    "ORDER_PARAMS",
    "TEST_ORDER",
    "TRADING_ENDPOINTS",
]

SIGNED = Security.SIGNED
CANCEL_RESTRICTIONS = frozenset({"ONLY_NEW", "ONLY_PARTIALLY_FILLED"})

_TYPE = Param("type", "type", choice(ORDER_TYPES), required=True)
#: What a new order is, and what the exchange should answer (cancel-replace's new order too).
_AMOUNTS = (
    TIME_IN_FORCE,
    Param("quantity", "quantity", DECIMAL),
    Param("quote_order_qty", "quoteOrderQty", DECIMAL),
    Param("price", "price", DECIMAL),
)
_NEW_CLIENT_ORDER_ID = Param("new_client_order_id", "newClientOrderId", CLIENT_ID)
_TRIGGERS = (
    STRATEGY_ID,
    STRATEGY_TYPE,
    Param("stop_price", "stopPrice", DECIMAL),
    TRAILING_DELTA,
    Param("iceberg_qty", "icebergQty", DECIMAL),
    Param("new_order_resp_type", "newOrderRespType", choice(RESPONSE_TYPES)),
    Param("self_trade_prevention_mode", "selfTradePreventionMode", choice(STP_MODES)),
)
_CANCEL_RESTRICTIONS = Param(
    "cancel_restrictions", "cancelRestrictions", choice(CANCEL_RESTRICTIONS)
)
#: new_order's parameters, in the documented order.
ORDER_PARAMS = (SYMBOL_REQUIRED, SIDE, _TYPE, *_AMOUNTS, _NEW_CLIENT_ORDER_ID, *_TRIGGERS)
#: cancel_replace_order's parameters, in the documented order.
CANCEL_REPLACE_PARAMS = (
    SYMBOL_REQUIRED,
    SIDE,
    _TYPE,
    Param(
        "cancel_replace_mode",
        "cancelReplaceMode",
        choice({"STOP_ON_FAILURE", "ALLOW_FAILURE"}),
        required=True,
    ),
    *_AMOUNTS,
    Param("cancel_new_client_order_id", "cancelNewClientOrderId", CLIENT_ID),
    Param("cancel_orig_client_order_id", "cancelOrigClientOrderId", CLIENT_ID),
    Param("cancel_order_id", "cancelOrderId", integer(0)),
    _NEW_CLIENT_ORDER_ID,
    *_TRIGGERS,
    _CANCEL_RESTRICTIONS,
    Param(
        "order_rate_limit_exceeded_mode",
        "orderRateLimitExceededMode",
        choice({"DO_NOTHING", "CANCEL_ONLY"}),
    ),
)
_ORDER_REF = (SYMBOL_REQUIRED, ORDER_ID, ORIG_CLIENT_ORDER_ID)
_ONE_REF = (one_required("orderId", "origClientOrderId"),)


def _test_weight(params: Mapping[str, Any]) -> int:
    # 1, or 20 with computeCommissionRates.
    return 20 if params.get("computeCommissionRates") is True else 1


NEW_ORDER = Endpoint(
    method="POST",
    path="/api/v3/order",
    weight=1,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
    params=ORDER_PARAMS,
    model=SpotOrder.from_payload,
)
# Validates only: nothing reaches the matching engine, nothing is counted as an order.
TEST_ORDER = Endpoint(
    method="POST",
    path="/api/v3/order/test",
    weight=_test_weight,
    security=SIGNED,
    params=(*ORDER_PARAMS, Param("compute_commission_rates", "computeCommissionRates", BOOL)),
)
# 4 since 2023-08-25 (2 before).
GET_ORDER = Endpoint(
    method="GET",
    path="/api/v3/order",
    weight=4,
    security=SIGNED,
    params=_ORDER_REF,
    model=SpotOrder.from_payload,
    checks=_ONE_REF,
)
CANCEL_ORDER = Endpoint(
    method="DELETE",
    path="/api/v3/order",
    weight=1,
    security=SIGNED,
    idempotent=False,
    is_order_write=True,
    params=(*_ORDER_REF, _NEW_CLIENT_ORDER_ID, _CANCEL_RESTRICTIONS),
    model=SpotOrder.from_payload,
    checks=_ONE_REF,
)
# Cancels the symbol's open orders, order lists included: the answer holds both.
CANCEL_OPEN_ORDERS = Endpoint(
    method="DELETE",
    path="/api/v3/openOrders",
    weight=1,
    security=SIGNED,
    idempotent=False,
    params=(SYMBOL_REQUIRED,),
    model=many(parse_order_or_list),
)
CANCEL_REPLACE = Endpoint(
    method="POST",
    path="/api/v3/order/cancelReplace",
    weight=1,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
    params=CANCEL_REPLACE_PARAMS,
    model=CancelReplaceResult.from_payload,
    checks=(one_required("cancelOrderId", "cancelOrigClientOrderId"),),
)
OPEN_ORDERS = Endpoint(
    method="GET",
    path="/api/v3/openOrders",
    weight=with_symbol(6, 80),
    security=SIGNED,
    params=(SYMBOL_OPTIONAL,),
    model=many(SpotOrder.from_payload),
)
ALL_ORDERS = Endpoint(
    method="GET",
    path="/api/v3/allOrders",
    weight=20,
    security=SIGNED,
    params=(SYMBOL_REQUIRED, ORDER_ID, START_TIME, END_TIME, limit(1000)),
    model=many(SpotOrder.from_payload),
    checks=(span_at_most(DAY_MS),),
)

TRADING_ENDPOINTS: tuple[Endpoint, ...] = (
    NEW_ORDER,
    TEST_ORDER,
    GET_ORDER,
    CANCEL_ORDER,
    CANCEL_OPEN_ORDERS,
    CANCEL_REPLACE,
    OPEN_ORDERS,
    ALL_ORDERS,
)
