"""USDⓈ-M futures endpoints (reference/fapi-endpoints.tsv): data only.

Each endpoint names its parameters (keyword name, wire name, check, required) in the order
they go on the wire, its weight, and the model its answer becomes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ..endpoint import Endpoint, Security, by_limit, with_symbol
from ..models import AccountInfo, Balance, ExchangeInfo, Order, Position
from ..params import (
    BOOL,
    CLIENT_ID,
    DECIMAL,
    SYMBOL,
    Param,
    choice,
    integer,
    list_of,
)

__all__ = [
    "ACCOUNT",
    "ALL_ENDPOINTS",
    "BALANCE",
    "BATCH_CANCEL",
    "BATCH_ORDERS",
    "CANCEL_ALL",
    "CANCEL_ORDER",
    "DEPTH",
    "EXCHANGE_INFO",
    "GET_ORDER",
    "LISTEN_KEY_CLOSE",
    "LISTEN_KEY_KEEPALIVE",
    "LISTEN_KEY_NEW",
    "MODIFY_ORDER",
    "NEW_ORDER",
    "OPEN_ORDERS",
    "ORDER_TYPES",
    "PING",
    "POSITION_RISK",
    "PRICE_MATCH",
    "SIDES",
    "TICKER_PRICE",
    "TIME",
    "parse_time",
]

M = TypeVar("M")

SIGNED = Security.SIGNED
SIDES = frozenset({"BUY", "SELL"})
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
DEPTH_LIMITS = {5: 2, 10: 2, 20: 2, 50: 2, 100: 5, 500: 10, 1000: 20}


def _list_of(build: Callable[[Any], M]) -> Callable[[Any], list[M]]:
    def parse(payload: Any) -> list[M]:
        if not isinstance(payload, list):
            raise TypeError(f"expected a list, got {type(payload).__name__}")
        return [build(item) for item in payload]

    return parse


def _object(payload: Any) -> Mapping[str, Any]:
    if not isinstance(payload, dict):
        raise TypeError(f"expected an object, got {type(payload).__name__}")
    return payload


#: The exchange's time is an integer of epoch milliseconds; anything else is refused.
_PLAUSIBLE_MS = (1_000_000_000_000, 100_000_000_000_000)  # 2001 .. 5138


def parse_time(payload: Any) -> int:
    """``{"serverTime": <int ms>}`` -> ms; ``ValueError``/``TypeError``/``KeyError`` else."""
    value = payload["serverTime"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"serverTime is not an integer: {value!r}")
    if not _PLAUSIBLE_MS[0] <= value < _PLAUSIBLE_MS[1]:
        raise ValueError(f"serverTime is not epoch milliseconds: {value!r}")
    return value


def _listen_key(payload: Any) -> str:
    key = payload["listenKey"]
    if not isinstance(key, str) or not key:
        raise TypeError("listenKey is not a string")
    return key


SYMBOL_REQUIRED = Param("symbol", "symbol", SYMBOL, required=True)
SYMBOL_OPTIONAL = Param("symbol", "symbol", SYMBOL)
ORDER_ID = Param("order_id", "orderId", integer(1))
ORIG_CLIENT_ORDER_ID = Param("orig_client_order_id", "origClientOrderId", CLIENT_ID)

PING = Endpoint(method="GET", path="/fapi/v1/ping", weight=1, model=_object)
TIME = Endpoint(method="GET", path="/fapi/v1/time", weight=1, model=parse_time)
EXCHANGE_INFO = Endpoint(
    method="GET", path="/fapi/v1/exchangeInfo", weight=1, model=ExchangeInfo.from_payload
)
DEPTH = Endpoint(
    method="GET",
    path="/fapi/v1/depth",
    weight=by_limit(DEPTH_LIMITS, 500),
    params=(SYMBOL_REQUIRED, Param("limit", "limit", choice(DEPTH_LIMITS))),
    model=_object,
)
TICKER_PRICE = Endpoint(
    method="GET", path="/fapi/v2/ticker/price", weight=with_symbol(1, 2), params=(SYMBOL_OPTIONAL,)
)

#: new_order's parameters; a batch item takes the same.
ORDER_PARAMS = (
    SYMBOL_REQUIRED,
    Param("side", "side", choice(SIDES), required=True),
    Param("type", "type", choice(ORDER_TYPES), required=True),
    Param("position_side", "positionSide", choice({"BOTH", "LONG", "SHORT"})),
    Param("time_in_force", "timeInForce", choice({"GTC", "IOC", "FOK", "GTX", "GTD", "RPI"})),
    Param("quantity", "quantity", DECIMAL),
    Param("reduce_only", "reduceOnly", BOOL),
    Param("price", "price", DECIMAL),
    Param("new_client_order_id", "newClientOrderId", CLIENT_ID),
    Param("working_type", "workingType", choice({"MARK_PRICE", "CONTRACT_PRICE"})),
    Param("price_protect", "priceProtect", BOOL),
    Param("new_order_resp_type", "newOrderRespType", choice({"ACK", "RESULT"})),
    Param("price_match", "priceMatch", choice(PRICE_MATCH)),
    Param(
        "self_trade_prevention_mode",
        "selfTradePreventionMode",
        choice({"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"}),
    ),
    Param("good_till_date", "goodTillDate", integer(1)),
)

# Orders: IP weight 0, one on each ORDERS counter.
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
MODIFY_ORDER = Endpoint(
    method="PUT",
    path="/fapi/v1/order",
    weight=0,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
    params=(
        ORDER_ID,
        ORIG_CLIENT_ORDER_ID,
        SYMBOL_REQUIRED,
        Param("side", "side", choice(SIDES), required=True),
        Param("quantity", "quantity", DECIMAL, required=True),
        Param("price", "price", DECIMAL, required=True),
        Param("price_match", "priceMatch", choice(PRICE_MATCH)),
    ),
    model=Order.from_payload,
)
_ORDER_REF = (SYMBOL_REQUIRED, ORDER_ID, ORIG_CLIENT_ORDER_ID)
CANCEL_ORDER = Endpoint(
    method="DELETE",
    path="/fapi/v1/order",
    weight=1,
    security=SIGNED,
    idempotent=False,
    is_order_write=True,
    params=_ORDER_REF,
    model=Order.from_payload,
)
GET_ORDER = Endpoint(
    method="GET",
    path="/fapi/v1/order",
    weight=1,
    security=SIGNED,
    params=_ORDER_REF,
    model=Order.from_payload,
)
# Batches: IP 5; 5 on the 10s counter and 1 on the 1m counter. The limiter takes one order
# cost for every window, so a batch is charged 5 on each (conservative on the 1m window).
BATCH_ORDERS = Endpoint(
    method="POST",
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
    model=_object,
)
OPEN_ORDERS = Endpoint(
    method="GET",
    path="/fapi/v1/openOrders",
    weight=with_symbol(1, 40),
    security=SIGNED,
    params=(SYMBOL_OPTIONAL,),
    model=_list_of(Order.from_payload),
)
ACCOUNT = Endpoint(
    method="GET", path="/fapi/v3/account", weight=5, security=SIGNED, model=AccountInfo.from_payload
)
BALANCE = Endpoint(
    method="GET",
    path="/fapi/v3/balance",
    weight=5,
    security=SIGNED,
    model=_list_of(Balance.from_payload),
)
POSITION_RISK = Endpoint(
    method="GET",
    path="/fapi/v3/positionRisk",
    weight=5,
    security=SIGNED,
    params=(SYMBOL_OPTIONAL,),
    model=_list_of(Position.from_payload),
)

LISTEN_KEY_NEW = Endpoint(
    method="POST",
    path="/fapi/v1/listenKey",
    weight=1,
    security=Security.API_KEY,
    model=_listen_key,
)
LISTEN_KEY_KEEPALIVE = Endpoint(
    method="PUT", path="/fapi/v1/listenKey", weight=1, security=Security.API_KEY, model=_object
)
LISTEN_KEY_CLOSE = Endpoint(
    method="DELETE", path="/fapi/v1/listenKey", weight=1, security=Security.API_KEY, model=_object
)

ALL_ENDPOINTS: tuple[Endpoint, ...] = (
    PING,
    TIME,
    EXCHANGE_INFO,
    DEPTH,
    TICKER_PRICE,
    NEW_ORDER,
    MODIFY_ORDER,
    CANCEL_ORDER,
    GET_ORDER,
    BATCH_ORDERS,
    BATCH_CANCEL,
    CANCEL_ALL,
    OPEN_ORDERS,
    ACCOUNT,
    BALANCE,
    POSITION_RISK,
    LISTEN_KEY_NEW,
    LISTEN_KEY_KEEPALIVE,
    LISTEN_KEY_CLOSE,
)
