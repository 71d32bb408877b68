"""Binance USDⓈ-M futures as a venue: URLs, the time endpoint, default limits, error codes,
and the regular order family (reference/fapi-rules.md, fapi-errors.tsv)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..errors import (
    AlgoOrderRequired,
    APIError,
    DuplicateClientOrderId,
    FilterRejected,
    InvalidTimestamp,
)
from ..models import OPEN_STATUSES, Order
from ..ratelimits import RateLimit
from ..venue import OrderFamily, Urls, Venue
from . import usdm_endpoints as ep
from .binance import COMMON_CODES

__all__ = ["CODES", "ORDERS", "USDM", "USDM_PRODUCTION_URL", "USDM_TESTNET_URL", "reduces_risk"]

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
    if _true(params.get("reduceOnly")) or _true(params.get("closePosition")):
        return True
    side, position = params.get("side"), params.get("positionSide")
    return (position == "LONG" and side == "SELL") or (position == "SHORT" and side == "BUY")


def _shows_modify(params: Mapping[str, Any], order: Order) -> bool:
    return (order.price, order.orig_qty) == (
        Decimal(str(params["price"])),
        Decimal(str(params["quantity"])),
    )


ORDERS: OrderFamily[Order] = OrderFamily(
    name="order",
    place=ep.NEW_ORDER,
    query=ep.GET_ORDER,
    cancel=ep.CANCEL_ORDER,
    modify=ep.MODIFY_ORDER,
    batch_place=ep.BATCH_ORDERS,
    batch_cancel=ep.BATCH_CANCEL,
    client_id="newClientOrderId",
    query_client_id="origClientOrderId",
    exchange_id="orderId",
    parse=Order.from_payload,
    mark_reconciled=Order.as_reconciled,
    open_statuses=OPEN_STATUSES,
    reduces_risk=reduces_risk,
    shows_modify=_shows_modify,
)

USDM = Venue(
    name="usdm",
    production=Urls(
        rest="https://fapi.binance.com",
        market_streams="wss://fstream.binance.com",
        private_streams="wss://fstream.binance.com/private",
        ws_api="wss://ws-fapi.binance.com/ws-fapi/v1",
    ),
    testnet=Urls(
        rest="https://testnet.binancefuture.com",
        market_streams="wss://fstream.binancefuture.com",
        private_streams="wss://fstream.binancefuture.com/private",
        ws_api="wss://testnet.binancefuture.com/ws-fapi/v1",
    ),
    time=ep.TIME,
    parse_time=ep.parse_time,
    exchange_info=ep.EXCHANGE_INFO,
    # reference/fapi-rules.md section 5, until exchangeInfo is loaded.
    limits=(
        RateLimit(kind="REQUEST_WEIGHT", interval="MINUTE", interval_num=1, limit=2400),
        RateLimit(kind="ORDERS", interval="SECOND", interval_num=10, limit=300),
        RateLimit(kind="ORDERS", interval="MINUTE", interval_num=1, limit=1200),
    ),
    codes=CODES,
)

USDM_PRODUCTION_URL = USDM.production.rest
USDM_TESTNET_URL = USDM.testnet.rest
