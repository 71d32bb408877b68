"""Binance Spot as a venue: URLs, the time endpoint, default limits, error codes, and its
order families (reference/spot-and-other-exchanges.md, the Spot REST documentation).

The endpoint tables are the modules ``market``, ``trading``, ``lists`` and ``account``.
"""

from __future__ import annotations

import attrs

from ...errors import APIError, FilterRejected, NoSuchOrder, OrderRejected
from ...models.spotorders import LIST_OPEN_STATUSES, SPOT_OPEN_STATUSES, OrderList, SpotOrder
from ...ratelimits import RateLimit
from ...venue import OrderFamily, Urls, Venue
from ..binance import COMMON_CODES, parse_time
from . import lists, market, trading

__all__ = [
    "CODES",
    "OCO_LISTS",
    "OTOCO_LISTS",
    "OTO_LISTS",
    "SPOT",
    "SPOT_ORDERS",
    "SPOT_PRODUCTION_URL",
    "SPOT_TESTNET_URL",
]

CODES: dict[int, type[APIError]] = {
    **COMMON_CODES,
    # -1013 INVALID_MESSAGE: refused before the matching engine, "Filter failure: ...";
    # -1111 BAD_PRECISION: more decimals than the symbol's rules allow.
    -1013: FilterRejected,
    -1111: FilterRejected,
    # -2010 NEW_ORDER_REJECTED, with many messages ("Duplicate order sent.", "Account has
    # insufficient balance ...", "Order would immediately match and take." ...): the message
    # is never read to classify it.
    -2010: OrderRejected,
    # An order list that does not exist is answered -2018 "Order list does not exist." (as
    # clients observe it; Spot's errors page lists no -2018, futures' "balance" meaning is
    # not Spot's).
    -2018: NoSuchOrder,
    # cancelReplace: -2021 one half failed (HTTP 409), -2022 both (or the cancel, with
    # STOP_ON_FAILURE): the body's ``data`` says which (``APIError.data``).
    -2021: OrderRejected,
    -2022: OrderRejected,
    # ORDER_ARCHIVED: cancelled or expired without fills over 90 days ago.
    -2026: NoSuchOrder,
}

#: Spot orders: placed with newClientOrderId, queried and cancelled by origClientOrderId. A
#: cancel's own newClientOrderId becomes the cancelled order's clientOrderId.
SPOT_ORDERS: OrderFamily[SpotOrder] = OrderFamily(
    name="spot order",
    place=trading.NEW_ORDER,
    query=trading.GET_ORDER,
    cancel=trading.CANCEL_ORDER,
    client_id="newClientOrderId",
    query_client_id="origClientOrderId",
    exchange_id="orderId",
    parse=SpotOrder.from_payload,
    mark_reconciled=SpotOrder.as_reconciled,
    open_statuses=SPOT_OPEN_STATUSES,
    cancel_renames="newClientOrderId",
)

#: Order lists: placed with listClientOrderId, queried by it under the name
#: origClientOrderId (and without a symbol), cancelled by it (with the symbol). One family
#: per placement endpoint; they settle the same way.
OCO_LISTS: OrderFamily[OrderList] = OrderFamily(
    name="order list",
    place=lists.NEW_OCO,
    query=lists.GET_ORDER_LIST,
    cancel=lists.CANCEL_ORDER_LIST,
    client_id="listClientOrderId",
    query_client_id="origClientOrderId",
    cancel_client_id="listClientOrderId",
    exchange_id="orderListId",
    parse=OrderList.from_payload,
    mark_reconciled=OrderList.as_reconciled,
    open_statuses=LIST_OPEN_STATUSES,
    query_by_symbol=False,
)
OTO_LISTS: OrderFamily[OrderList] = attrs.evolve(OCO_LISTS, place=lists.NEW_OTO)
OTOCO_LISTS: OrderFamily[OrderList] = attrs.evolve(OCO_LISTS, place=lists.NEW_OTOCO)

SPOT = Venue(
    name="spot",
    # The user data stream goes over the WebSocket API's subscription (the listenKey flow is
    # being retired on Spot); ``private_streams`` is the streams host all the same.
    production=Urls(
        rest="https://api.binance.com",
        market_streams="wss://stream.binance.com:9443",
        private_streams="wss://stream.binance.com:9443",
        ws_api="wss://ws-api.binance.com:443/ws-api/v3",
    ),
    testnet=Urls(
        rest="https://testnet.binance.vision",
        market_streams="wss://stream.testnet.binance.vision",
        private_streams="wss://stream.testnet.binance.vision",
        ws_api="wss://ws-api.testnet.binance.vision/ws-api/v3",
    ),
    time=market.TIME,
    parse_time=parse_time,
    exchange_info=market.EXCHANGE_INFO,
    # Until exchangeInfo is read: REQUEST_WEIGHT 6000 per minute (since 2023-08-25); the
    # ORDERS values of the documentation's examples, 50 per 10 s and 160,000 per day (an
    # account's may be higher: exchangeInfo and rateLimit/order tell); RAW_REQUESTS 61,000
    # per 5 minutes, every request counted (no header reports it: kept sliding).
    limits=(
        RateLimit(kind="REQUEST_WEIGHT", interval="MINUTE", interval_num=1, limit=6000),
        RateLimit(kind="ORDERS", interval="SECOND", interval_num=10, limit=50),
        RateLimit(kind="ORDERS", interval="DAY", interval_num=1, limit=160_000),
        RateLimit(kind="RAW_REQUESTS", interval="MINUTE", interval_num=5, limit=61_000),
    ),
    codes=CODES,
    # recvWindow in ms with up to three decimals (microseconds).
    recv_window_decimals=3,
    # Market streams at the host itself (/ws/<name>, /stream?streams=); 5 incoming messages
    # a second per connection (web-socket-streams.md).
    stream_messages_per_s=5,
)

SPOT_PRODUCTION_URL = SPOT.production.rest
SPOT_TESTNET_URL = SPOT.testnet.rest
