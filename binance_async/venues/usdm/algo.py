"""USDⓈ-M algo (conditional) order endpoints, since the Algo Service migration
(reference/fapi-rules.md section 9, fapi-endpoints.tsv): data only."""

from __future__ import annotations

from ...endpoint import Endpoint, Security, many, with_symbol
from ...models.orders import AlgoOrder
from ...params import BOOL, CLIENT_ID, DECIMAL, Param, choice, integer, one_required, span_at_most
from .common import (
    END_TIME,
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
from .trading import PRICE_MATCH, STP_MODES

__all__ = [
    "ALGO_ENDPOINTS",
    "ALGO_ORDER_PARAMS",
    "ALGO_TYPES",
    "ALL_ALGO_ORDERS",
    "CANCEL_ALGO_ORDER",
    "CANCEL_ALL_ALGO_ORDERS",
    "GET_ALGO_ORDER",
    "NEW_ALGO_ORDER",
    "OPEN_ALGO_ORDERS",
]

SIGNED = Security.SIGNED
ALGO_TYPES = frozenset(
    {"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"}
)

#: new_algo_order's parameters, in the documented order.
ALGO_ORDER_PARAMS = (
    Param("algo_type", "algoType", choice({"CONDITIONAL"}), required=True),
    SYMBOL_REQUIRED,
    SIDE,
    Param("type", "type", choice(ALGO_TYPES), required=True),
    POSITION_SIDE,
    TIME_IN_FORCE,
    Param("quantity", "quantity", DECIMAL),
    Param("price", "price", DECIMAL),
    Param("trigger_price", "triggerPrice", DECIMAL),
    WORKING_TYPE,
    Param("price_match", "priceMatch", choice(PRICE_MATCH)),
    Param("close_position", "closePosition", BOOL),
    Param("price_protect", "priceProtect", BOOL),
    Param("reduce_only", "reduceOnly", BOOL),
    Param("activate_price", "activatePrice", DECIMAL),
    Param("callback_rate", "callbackRate", DECIMAL),
    Param("client_algo_id", "clientAlgoId", CLIENT_ID),
    Param("new_order_resp_type", "newOrderRespType", choice({"ACK", "RESULT"})),
    Param("self_trade_prevention_mode", "selfTradePreventionMode", choice(STP_MODES)),
    Param("good_till_date", "goodTillDate", integer(1)),
)
_ALGO_REF = (
    Param("algo_id", "algoId", integer(1)),
    Param("client_algo_id", "clientAlgoId", CLIENT_ID),
)
_ONE_REF = (one_required("algoId", "clientAlgoId"),)

# IP weight 0 and one on each ORDERS counter, like a new order.
NEW_ALGO_ORDER = Endpoint(
    method="POST",
    path="/fapi/v1/algoOrder",
    weight=0,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
    params=ALGO_ORDER_PARAMS,
    model=AlgoOrder.from_payload,
)
CANCEL_ALGO_ORDER = Endpoint(
    method="DELETE",
    path="/fapi/v1/algoOrder",
    weight=1,
    security=SIGNED,
    idempotent=False,
    is_order_write=True,
    params=_ALGO_REF,
    checks=_ONE_REF,
)
GET_ALGO_ORDER = Endpoint(
    method="GET",
    path="/fapi/v1/algoOrder",
    weight=1,
    security=SIGNED,
    params=_ALGO_REF,
    model=AlgoOrder.from_payload,
    checks=_ONE_REF,
)
CANCEL_ALL_ALGO_ORDERS = Endpoint(
    method="DELETE",
    path="/fapi/v1/algoOpenOrders",
    weight=1,
    security=SIGNED,
    idempotent=False,
    params=(SYMBOL_REQUIRED,),
)
OPEN_ALGO_ORDERS = Endpoint(
    method="GET",
    path="/fapi/v1/openAlgoOrders",
    weight=with_symbol(1, 40),
    security=SIGNED,
    params=(
        Param("algo_type", "algoType", choice({"CONDITIONAL"})),
        SYMBOL_OPTIONAL,
        Param("algo_id", "algoId", integer(1)),
    ),
    model=many(AlgoOrder.from_payload),
)
ALL_ALGO_ORDERS = Endpoint(
    method="GET",
    path="/fapi/v1/allAlgoOrders",
    weight=5,
    security=SIGNED,
    params=(
        SYMBOL_REQUIRED,
        Param("algo_id", "algoId", integer(1)),
        START_TIME,
        END_TIME,
        limit(1000),
    ),
    model=many(AlgoOrder.from_payload),
    checks=(span_at_most(WEEK_MS, strict=True),),
)

ALGO_ENDPOINTS: tuple[Endpoint, ...] = (
    NEW_ALGO_ORDER,
    CANCEL_ALGO_ORDER,
    GET_ALGO_ORDER,
    CANCEL_ALL_ALGO_ORDERS,
    OPEN_ALGO_ORDERS,
    ALL_ALGO_ORDERS,
)
