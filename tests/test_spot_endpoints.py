"""The Spot endpoint tables against the reference (spot-and-other-exchanges.md section 1) and,
for the rows it does not list, the Spot REST documentation: method, path, security, weight
(parameter-dependent ones too), order count, and the checks across parameters the docs ask."""

from __future__ import annotations

from typing import Any

import pytest

from binance_async import InvalidRequest
from binance_async.endpoint import Endpoint, Security
from binance_async.venues.spot import (
    OCO_LISTS,
    OTO_LISTS,
    OTOCO_LISTS,
    SPOT,
    SPOT_ORDERS,
    account,
    lists,
    market,
    trading,
)

ALL = (
    market.MARKET_ENDPOINTS
    + trading.TRADING_ENDPOINTS
    + lists.LISTS_ENDPOINTS
    + account.ACCOUNT_ENDPOINTS
)
N, S = Security.NONE, Security.SIGNED

#: (method, path, security, weight without params, orders). The reference's rows first
#: (time, ping, order POST/GET/DELETE, order/test, openOrders GET/DELETE, rateLimit/order),
#: then the documentation's.
REFERENCE: list[tuple[str, str, Security, int, int]] = [
    ("GET", "/api/v3/time", N, 1, 0),
    ("GET", "/api/v3/ping", N, 1, 0),
    ("POST", "/api/v3/order", S, 1, 1),
    ("POST", "/api/v3/order/test", S, 1, 0),
    ("GET", "/api/v3/order", S, 4, 0),
    ("DELETE", "/api/v3/order", S, 1, 0),
    ("GET", "/api/v3/openOrders", S, 80, 0),
    ("DELETE", "/api/v3/openOrders", S, 1, 0),
    ("GET", "/api/v3/rateLimit/order", S, 40, 0),
    ("GET", "/api/v3/exchangeInfo", N, 20, 0),
    ("GET", "/api/v3/depth", N, 5, 0),
    ("GET", "/api/v3/trades", N, 25, 0),
    ("GET", "/api/v3/historicalTrades", N, 25, 0),
    ("GET", "/api/v3/aggTrades", N, 4, 0),
    ("GET", "/api/v3/klines", N, 2, 0),
    ("GET", "/api/v3/uiKlines", N, 2, 0),
    ("GET", "/api/v3/avgPrice", N, 2, 0),
    ("GET", "/api/v3/ticker/24hr", N, 80, 0),
    ("GET", "/api/v3/ticker/price", N, 4, 0),
    ("GET", "/api/v3/ticker/bookTicker", N, 4, 0),
    ("GET", "/api/v3/ticker", N, 4, 0),
    ("GET", "/api/v3/ticker/tradingDay", N, 4, 0),
    ("POST", "/api/v3/order/cancelReplace", S, 1, 1),
    ("GET", "/api/v3/allOrders", S, 20, 0),
    ("POST", "/api/v3/orderList/oco", S, 1, 2),
    ("POST", "/api/v3/orderList/oto", S, 1, 2),
    ("POST", "/api/v3/orderList/otoco", S, 1, 3),
    ("GET", "/api/v3/orderList", S, 4, 0),
    ("DELETE", "/api/v3/orderList", S, 1, 0),
    ("GET", "/api/v3/allOrderList", S, 20, 0),
    ("GET", "/api/v3/openOrderList", S, 6, 0),
    ("GET", "/api/v3/account", S, 20, 0),
    ("GET", "/api/v3/myTrades", S, 20, 0),
    ("GET", "/api/v3/myPreventedMatches", S, 2, 0),
    ("GET", "/api/v3/account/commission", S, 20, 0),
]

#: Writes whose unknown outcome is settled by query, never resent blind.
ORDER_WRITES = {
    ("POST", "/api/v3/order"),
    ("DELETE", "/api/v3/order"),
    ("POST", "/api/v3/order/cancelReplace"),
    ("POST", "/api/v3/orderList/oco"),
    ("POST", "/api/v3/orderList/oto"),
    ("POST", "/api/v3/orderList/otoco"),
    ("DELETE", "/api/v3/orderList"),
}


def by_route(method: str, path: str) -> Endpoint:
    """The table's endpoint for a route."""
    (found,) = [e for e in ALL if (e.method, e.path) == (method, path)]
    return found


def test_every_row_has_exactly_one_endpoint() -> None:
    """Each documented route is in the tables once, and the tables hold nothing else."""
    routes = [(e.method, e.path) for e in ALL]
    assert len(routes) == len(set(routes))
    assert set(routes) == {(m, p) for m, p, *_ in REFERENCE}


@pytest.mark.parametrize(("method", "path", "security", "weight", "orders"), REFERENCE)
def test_row(method: str, path: str, security: Security, weight: int, orders: int) -> None:
    """Security, weight without parameters, and the ORDERS count of the row."""
    endpoint = by_route(method, path)
    assert endpoint.security is security
    assert endpoint.weight_for({}) == weight
    assert endpoint.orders == orders


def test_order_writes_are_never_resent_blind() -> None:
    """Placements and cancels are order writes; every read is harmless to repeat."""
    for e in ALL:
        if (e.method, e.path) in ORDER_WRITES:
            assert e.is_order_write and not e.idempotent, e
        elif e.method == "GET":
            assert e.idempotent and not e.is_order_write, e


@pytest.mark.parametrize(
    ("limit", "weight"),
    [(1, 5), (100, 5), (101, 25), (500, 25), (501, 50), (1000, 50), (1001, 250), (5000, 250)],
)
def test_depth_weight_by_limit(limit: int, weight: int) -> None:
    """Depth: 1-100 -> 5, 101-500 -> 25, 501-1000 -> 50, 1001-5000 -> 250."""
    assert market.DEPTH.weight_for(market.DEPTH.wire({"symbol": "BTCUSDT", "limit": limit})) == (
        weight
    )


def _symbols(count: int) -> list[str]:
    return [f"S{i}USDT" for i in range(count)]


@pytest.mark.parametrize(
    ("values", "weight"),
    [
        ({"symbol": "BTCUSDT"}, 2),
        ({"symbols": _symbols(20)}, 2),
        ({"symbols": _symbols(21)}, 40),
        ({"symbols": _symbols(100)}, 40),
        ({"symbols": _symbols(101)}, 80),
        ({}, 80),
    ],
)
def test_ticker_24hr_weight(values: dict[str, Any], weight: int) -> None:
    """24hr ticker: one symbol 2; symbols 2 up to 20, 40 up to 100, 80 beyond; all 80."""
    assert market.TICKER_24HR.weight_for(market.TICKER_24HR.wire(values)) == weight


@pytest.mark.parametrize("endpoint", [market.TICKER_PRICE, market.BOOK_TICKER])
def test_price_tickers_weight(endpoint: Endpoint) -> None:
    """ticker/price and bookTicker: 2 for a symbol, 4 with symbols or for all."""
    assert endpoint.weight_for(endpoint.wire({"symbol": "BTCUSDT"})) == 2
    assert endpoint.weight_for(endpoint.wire({"symbols": ["BTCUSDT", "ETHUSDT"]})) == 4
    assert endpoint.weight_for({}) == 4


def test_rolling_ticker_weight() -> None:
    """The rolling window ticker: 4 a symbol, capped at 200 past 50."""
    endpoint = market.ROLLING_TICKER
    assert endpoint.weight_for(endpoint.wire({"symbol": "BTCUSDT"})) == 4
    assert endpoint.weight_for(endpoint.wire({"symbols": _symbols(10)})) == 40
    assert endpoint.weight_for(endpoint.wire({"symbols": _symbols(51)})) == 200
    with pytest.raises(InvalidRequest, match="at most 100"):
        endpoint.wire({"symbols": _symbols(101)})
    with pytest.raises(InvalidRequest, match="symbol or symbols"):
        endpoint.wire({})


def test_conditional_weights() -> None:
    """test order 20 with computeCommissionRates; myTrades 5 with orderId; prevented
    matches 20 by orderId."""
    assert trading.TEST_ORDER.weight_for({"computeCommissionRates": True}) == 20
    assert account.MY_TRADES.weight_for({"symbol": "BTCUSDT", "orderId": 1}) == 5
    assert account.MY_PREVENTED_MATCHES.weight_for({"symbol": "BTCUSDT", "orderId": 1}) == 20
    assert account.MY_PREVENTED_MATCHES.weight_for({"preventedMatchId": 1}) == 2
    assert trading.OPEN_ORDERS.weight_for({"symbol": "BTCUSDT"}) == 6


DAY = 86_400_000


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        (trading.ALL_ORDERS, {"symbol": "X", "start_time_ms": 0, "end_time_ms": DAY + 1}),
        (lists.ALL_ORDER_LISTS, {"start_time_ms": 0, "end_time_ms": DAY + 1}),
        (lists.ALL_ORDER_LISTS, {"from_id": 1, "start_time_ms": 0}),
        (account.MY_TRADES, {"symbol": "X", "start_time_ms": 0, "end_time_ms": DAY + 1}),
        (account.MY_TRADES, {"symbol": "X", "from_id": 1, "end_time_ms": 5}),
        (account.MY_TRADES, {"symbol": "X", "order_id": 1, "start_time_ms": 5}),
        (account.MY_PREVENTED_MATCHES, {"symbol": "X"}),
        (account.MY_PREVENTED_MATCHES, {"symbol": "X", "order_id": 1, "prevented_match_id": 2}),
        (account.MY_PREVENTED_MATCHES, {"symbol": "X", "prevented_match_id": 2, "limit": 5}),
        (market.TICKER_24HR, {"symbol": "X", "symbols": ["Y"]}),
        (market.AGG_TRADES, {"symbol": "X", "from_id": 1, "start_time_ms": 0}),
        (trading.GET_ORDER, {"symbol": "X"}),
        (trading.CANCEL_REPLACE, {"symbol": "X", "side": "BUY", "type": "LIMIT",
                                  "cancel_replace_mode": "STOP_ON_FAILURE"}),
        (lists.GET_ORDER_LIST, {}),
        (lists.CANCEL_ORDER_LIST, {"symbol": "X"}),
    ],
)  # fmt: skip
def test_combinations_the_docs_refuse(endpoint: Endpoint, values: dict[str, Any]) -> None:
    """Spans over 24 hours, exclusive parameters, missing ids: refused before sending."""
    with pytest.raises(InvalidRequest):
        endpoint.wire(values)


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        (trading.ALL_ORDERS, {"symbol": "X", "start_time_ms": 0, "end_time_ms": DAY}),
        (account.MY_TRADES, {"symbol": "X", "order_id": 1, "from_id": 3}),
        (account.MY_PREVENTED_MATCHES, {"symbol": "X", "order_id": 1, "limit": 5}),
        (account.MY_PREVENTED_MATCHES, {"symbol": "X", "prevented_match_id": 1}),
    ],
)
def test_combinations_the_docs_take(endpoint: Endpoint, values: dict[str, Any]) -> None:
    """The documented combinations pass, at the edge of the 24 hour span too."""
    endpoint.wire(values)


@pytest.mark.parametrize(
    ("name", "value", "ok"),
    [
        ("window_size", "1m", True),
        ("window_size", "59m", True),
        ("window_size", "23h", True),
        ("window_size", "7d", True),
        ("window_size", "60m", False),
        ("window_size", "1d2h", False),
        ("window_size", "8d", False),
    ],
)
def test_window_size(name: str, value: str, ok: bool) -> None:
    """windowSize: 1m..59m, 1h..23h, 1d..7d, units not combined."""
    values = {"symbol": "BTCUSDT", name: value}
    if ok:
        assert market.ROLLING_TICKER.wire(values)["windowSize"] == value
    else:
        with pytest.raises(InvalidRequest):
            market.ROLLING_TICKER.wire(values)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("0", True), ("8", True), ("-1:00", True), ("05:45", True), ("+14:00", True),
     ("-12:00", True), ("-12:01", False), ("14:30", False), ("UTC", False), ("1:5", False)],
)  # fmt: skip
def test_time_zone(value: str, ok: bool) -> None:
    """timeZone: hours or hours:minutes within [-12:00, +14:00]."""
    values = {"symbol": "BTCUSDT", "interval": "1h", "time_zone": value}
    if ok:
        assert market.KLINES.wire(values)["timeZone"] == value
    else:
        with pytest.raises(InvalidRequest):
            market.KLINES.wire(values)


def test_families() -> None:
    """Orders settle by client order id; order lists by listClientOrderId, queried as
    origClientOrderId without a symbol and cancelled by listClientOrderId with one."""
    assert (SPOT_ORDERS.client_id, SPOT_ORDERS.query_client_id) == (
        "newClientOrderId",
        "origClientOrderId",
    )
    assert SPOT_ORDERS.open_statuses == {"NEW", "PARTIALLY_FILLED", "PENDING_NEW"}
    for family, place in [
        (OCO_LISTS, lists.NEW_OCO),
        (OTO_LISTS, lists.NEW_OTO),
        (OTOCO_LISTS, lists.NEW_OTOCO),
    ]:
        assert family.place is place
        assert family.client_id == family.cancel_client_id == "listClientOrderId"
        assert family.query_client_id == "origClientOrderId"
        assert family.query_params("BTCUSDT", origClientOrderId="l-1") == {
            "origClientOrderId": "l-1"
        }
        assert family.query is lists.GET_ORDER_LIST and family.cancel is lists.CANCEL_ORDER_LIST


def test_venue() -> None:
    """URLs, the time endpoint, default limits (6000 weight a minute, ORDERS per 10 s and
    per day) and recvWindow decimals."""
    assert SPOT.production.rest == "https://api.binance.com"
    assert SPOT.testnet.rest == "https://testnet.binance.vision"
    assert SPOT.production.market_streams == "wss://stream.binance.com:9443"
    assert SPOT.production.ws_api == "wss://ws-api.binance.com:443/ws-api/v3"
    assert SPOT.time.path == "/api/v3/time"
    assert SPOT.exchange_info.path == "/api/v3/exchangeInfo"
    limits = {(r.kind, r.label): r.limit for r in SPOT.limits}
    assert limits[("REQUEST_WEIGHT", "1M")] == 6000
    assert {label for kind, label in limits if kind == "ORDERS"} == {"10S", "1D"}
    assert SPOT.recv_window_decimals == 3
