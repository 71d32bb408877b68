"""USDⓈ-M futures endpoints (reference/fapi-endpoints.tsv): data only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._endpoint import Endpoint, Security

__all__ = [
    "ACCOUNT",
    "ALL_ENDPOINTS",
    "BALANCE",
    "BATCH_CANCEL",
    "BATCH_MODIFY",
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
    "PING",
    "POSITION_RISK",
    "TEST_ORDER",
    "TICKER_PRICE",
    "TIME",
]

_DEPTH_WEIGHTS = {5: 2, 10: 2, 20: 2, 50: 2, 100: 5, 500: 10, 1000: 20}


def _depth_weight(params: Mapping[str, Any]) -> int:
    # Unknown limits are refused by the exchange (-4021); charge the largest to stay safe.
    return _DEPTH_WEIGHTS.get(int(params.get("limit") or 500), 20)


def _with_symbol(with_symbol: int, without: int) -> Any:
    def weight(params: Mapping[str, Any]) -> int:
        return with_symbol if params.get("symbol") else without

    return weight


SIGNED = Security.SIGNED

PING = Endpoint(method="GET", path="/fapi/v1/ping", weight=1)
TIME = Endpoint(method="GET", path="/fapi/v1/time", weight=1)
EXCHANGE_INFO = Endpoint(method="GET", path="/fapi/v1/exchangeInfo", weight=1)
DEPTH = Endpoint(method="GET", path="/fapi/v1/depth", weight=_depth_weight)
TICKER_PRICE = Endpoint(method="GET", path="/fapi/v2/ticker/price", weight=_with_symbol(1, 2))

# Orders: IP weight 0, one on each ORDERS counter.
NEW_ORDER = Endpoint(
    method="POST",
    path="/fapi/v1/order",
    weight=0,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
)
TEST_ORDER = Endpoint(method="POST", path="/fapi/v1/order/test", weight=1, security=SIGNED)
MODIFY_ORDER = Endpoint(
    method="PUT",
    path="/fapi/v1/order",
    weight=0,
    security=SIGNED,
    orders=1,
    idempotent=False,
    is_order_write=True,
)
CANCEL_ORDER = Endpoint(
    method="DELETE",
    path="/fapi/v1/order",
    weight=1,
    security=SIGNED,
    idempotent=False,
    is_order_write=True,
)
GET_ORDER = Endpoint(method="GET", path="/fapi/v1/order", weight=1, security=SIGNED)
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
)
CANCEL_ALL = Endpoint(
    method="DELETE", path="/fapi/v1/allOpenOrders", weight=1, security=SIGNED, idempotent=False
)
OPEN_ORDERS = Endpoint(
    method="GET", path="/fapi/v1/openOrders", weight=_with_symbol(1, 40), security=SIGNED
)
ACCOUNT = Endpoint(method="GET", path="/fapi/v3/account", weight=5, security=SIGNED)
BALANCE = Endpoint(method="GET", path="/fapi/v3/balance", weight=5, security=SIGNED)
POSITION_RISK = Endpoint(method="GET", path="/fapi/v3/positionRisk", weight=5, security=SIGNED)

LISTEN_KEY_NEW = Endpoint(
    method="POST", path="/fapi/v1/listenKey", weight=1, security=Security.API_KEY
)
LISTEN_KEY_KEEPALIVE = Endpoint(
    method="PUT", path="/fapi/v1/listenKey", weight=1, security=Security.API_KEY
)
LISTEN_KEY_CLOSE = Endpoint(
    method="DELETE", path="/fapi/v1/listenKey", weight=1, security=Security.API_KEY
)

ALL_ENDPOINTS: tuple[Endpoint, ...] = (
    PING,
    TIME,
    EXCHANGE_INFO,
    DEPTH,
    TICKER_PRICE,
    NEW_ORDER,
    TEST_ORDER,
    MODIFY_ORDER,
    CANCEL_ORDER,
    GET_ORDER,
    BATCH_ORDERS,
    BATCH_MODIFY,
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
