"""Binance USDⓈ-M futures as a venue: URLs, the time endpoint, default limits, error codes,
and its order families (reference/fapi-rules.md, fapi-errors.tsv).

The endpoint tables are the modules ``market``, ``trading``, ``algo`` and ``account``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ...errors import (
    AlgoOrderRequired,
    APIError,
    DuplicateClientOrderId,
    FilterRejected,
    InvalidTimestamp,
)
from ...models.orders import ALGO_OPEN_STATUSES, OPEN_STATUSES, AlgoOrder, Order
from ...ratelimits import RateLimit
from ...venue import OrderFamily, StreamPaths, Urls, Venue
from ..binance import COMMON_CODES, parse_time
from . import algo, market, trading

__all__ = [
    "ALGO_ORDERS",
    "CODES",
    "ORDERS",
    "USDM",
    "USDM_PRODUCTION_URL",
    "USDM_TESTNET_URL",
    "WS_API_METHODS",
    "reduces_risk",
]

#: Filter refusals: price, quantity, notional, precision (-1111).
_FILTER_CODES = (-4002, -4003, -4004, -4005, -4013, -4014, -4016, -4023, -4024, -4164, -1111)

CODES: dict[int, type[APIError]] = {
    **COMMON_CODES,
    **dict.fromkeys(_FILTER_CODES, FilterRejected),
    # -5028: the request reached the matching engine past its recvWindow and was refused
    # unprocessed; like -1021 it is repaired by re-stamping (reference/fapi-errors.tsv).
    -5028: InvalidTimestamp,
    -4116: DuplicateClientOrderId,
    -4120: AlgoOrderRequired,
}


def _true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def reduces_risk(params: Mapping[str, Any]) -> bool:
    """Orders the exchange exempts from -1008: close-position, reduce-only, and in hedge mode
    LONG+SELL and SHORT+BUY (reference/fapi-rules.md, HTTP 503 variants)."""
    reduce_only, close, position = (
        params.get("reduceOnly"),
        params.get("closePosition"),
        params.get("positionSide"),
    )
    if reduce_only is close is position is None:  # the common order: one-way, new risk
        return False
    if _true(reduce_only) or _true(close):
        return True
    side = params.get("side")
    return (position == "LONG" and side == "SELL") or (position == "SHORT" and side == "BUY")


def _shows_modify(params: Mapping[str, Any], order: Order) -> bool:
    return (order.price, order.orig_qty) == (
        Decimal(str(params["price"])),
        Decimal(str(params["quantity"])),
    )


ORDERS: OrderFamily[Order] = OrderFamily(
    name="order",
    place=trading.NEW_ORDER,
    query=trading.GET_ORDER,
    cancel=trading.CANCEL_ORDER,
    modify=trading.MODIFY_ORDER,
    batch_place=trading.BATCH_ORDERS,
    batch_modify=trading.BATCH_MODIFY,
    batch_cancel=trading.BATCH_CANCEL,
    client_id="newClientOrderId",
    query_client_id="origClientOrderId",
    exchange_id="orderId",
    parse=Order.from_payload,
    mark_reconciled=Order.as_reconciled,
    open_statuses=OPEN_STATUSES,
    reduces_risk=reduces_risk,
    shows_modify=_shows_modify,
)

#: Algo orders: placed, queried and cancelled by ``clientAlgoId`` / ``algoId``; a cancel
#: answers ``{algoId, clientAlgoId, code, msg}``, not the order, so it is read back.
ALGO_ORDERS: OrderFamily[AlgoOrder] = OrderFamily(
    name="algo order",
    place=algo.NEW_ALGO_ORDER,
    query=algo.GET_ALGO_ORDER,
    cancel=algo.CANCEL_ALGO_ORDER,
    client_id="clientAlgoId",
    query_client_id="clientAlgoId",
    exchange_id="algoId",
    parse=AlgoOrder.from_payload,
    mark_reconciled=AlgoOrder.as_reconciled,
    open_statuses=ALGO_OPEN_STATUSES,
    reduces_risk=reduces_risk,
    cancel_answers_order=False,
    query_by_symbol=False,
)

#: The WebSocket API's methods for REST endpoints (reference/fapi-rules.md section 8): same
#: parameters, weights, order counts and answers. The ``v2/account.*`` methods answer as the
#: v3 REST account endpoints; the unversioned ones as the v2 REST endpoints.
WS_API_METHODS: Mapping[str, Mapping[str, str]] = {
    "/fapi/v1/order": {
        "POST": "order.place",
        "PUT": "order.modify",
        "DELETE": "order.cancel",
        "GET": "order.status",
    },
    "/fapi/v1/algoOrder": {"POST": "algoOrder.place", "DELETE": "algoOrder.cancel"},
    "/fapi/v3/positionRisk": {"GET": "v2/account.position"},
    "/fapi/v3/balance": {"GET": "v2/account.balance"},
    "/fapi/v3/account": {"GET": "v2/account.status"},
    "/fapi/v2/positionRisk": {"GET": "account.position"},
    "/fapi/v2/balance": {"GET": "account.balance"},
    "/fapi/v2/account": {"GET": "account.status"},
}

USDM = Venue(
    name="usdm",
    production=Urls(
        rest="https://fapi.binance.com",
        market_streams="wss://fstream.binance.com",
        private_streams="wss://fstream.binance.com/private",
        ws_api="wss://ws-fapi.binance.com/ws-fapi/v1",
    ),
    # The General Info page's testnet ("demo trading") REST host; streams and the WebSocket
    # API at the testnet hosts of reference/fapi-rules.md section 1.
    testnet=Urls(
        rest="https://demo-fapi.binance.com",
        market_streams="wss://fstream.binancefuture.com",
        private_streams="wss://fstream.binancefuture.com/private",
        ws_api="wss://testnet.binancefuture.com/ws-fapi/v1",
    ),
    time=market.TIME,
    parse_time=parse_time,
    exchange_info=market.EXCHANGE_INFO,
    # reference/fapi-rules.md section 5, until exchangeInfo is loaded; the endpoint buckets
    # (which exchangeInfo does not list) stay after.
    limits=(
        RateLimit(kind="REQUEST_WEIGHT", interval="MINUTE", interval_num=1, limit=2400),
        RateLimit(kind="ORDERS", interval="SECOND", interval_num=10, limit=300),
        RateLimit(kind="ORDERS", interval="MINUTE", interval_num=1, limit=1200),
        RateLimit(
            kind="RAW_REQUESTS",
            interval="MINUTE",
            interval_num=5,
            limit=500,
            bucket=market.FUNDING_BUCKET,
        ),
        RateLimit(
            kind="RAW_REQUESTS",
            interval="MINUTE",
            interval_num=5,
            limit=1000,
            bucket=market.FUTURES_DATA_BUCKET,
        ),
    ),
    codes=CODES,
    ws_api_methods=WS_API_METHODS,
    # The 2026 split (reference/fapi-rules.md section 7): book streams on /public, the other
    # market streams on /market, user data on /private.
    stream_paths=StreamPaths(market="/market", book="/public", private="/private"),
)

USDM_PRODUCTION_URL = USDM.production.rest
USDM_TESTNET_URL = USDM.testnet.rest
