"""The USDⓈ-M endpoint tables against the reference (fapi-endpoints.tsv, copied here by hand):
every row has an endpoint, with its method, path, security and weight, parameter-dependent
weights included, and the checks across parameters the docs ask."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binance_async import InvalidRequest, UnknownSymbol
from binance_async.endpoint import Endpoint, Security
from binance_async.params import amount, check_symbol_format
from binance_async.venues.usdm import account, algo, market, trading

ALL = market.MARKET_ENDPOINTS + trading.TRADING_ENDPOINTS + algo.ALGO_ENDPOINTS
ALL += account.ACCOUNT_ENDPOINTS
N, K, S = Security.NONE, Security.API_KEY, Security.SIGNED

#: (method, path, security, weight without params, orders) for each row of the reference.
#: Where the reference gives two weights, the larger (see the tables' comments).
REFERENCE: list[tuple[str, str, Security, int, int]] = [
    ("GET", "/fapi/v1/ping", N, 1, 0),
    ("GET", "/fapi/v1/time", N, 1, 0),
    ("GET", "/fapi/v1/exchangeInfo", N, 1, 0),
    ("GET", "/fapi/v1/depth", N, 10, 0),
    ("GET", "/fapi/v1/rpiDepth", N, 20, 0),
    ("GET", "/fapi/v1/trades", N, 5, 0),
    ("GET", "/fapi/v1/historicalTrades", K, 200, 0),
    ("GET", "/fapi/v1/aggTrades", N, 20, 0),
    ("GET", "/fapi/v1/klines", N, 5, 0),
    ("GET", "/fapi/v1/continuousKlines", N, 5, 0),
    ("GET", "/fapi/v1/indexPriceKlines", N, 5, 0),
    ("GET", "/fapi/v1/markPriceKlines", N, 5, 0),
    ("GET", "/fapi/v1/premiumIndexKlines", N, 5, 0),
    ("GET", "/fapi/v1/premiumIndex", N, 10, 0),
    ("GET", "/fapi/v1/fundingRate", N, 1, 0),
    ("GET", "/fapi/v1/fundingInfo", N, 1, 0),
    ("GET", "/fapi/v1/ticker/24hr", N, 40, 0),
    ("GET", "/fapi/v1/ticker/price", N, 2, 0),
    ("GET", "/fapi/v2/ticker/price", N, 2, 0),
    ("GET", "/fapi/v1/ticker/bookTicker", N, 5, 0),
    ("GET", "/fapi/v1/openInterest", N, 1, 0),
    ("GET", "/futures/data/openInterestHist", N, 1, 0),
    ("GET", "/futures/data/topLongShortPositionRatio", N, 0, 0),
    ("GET", "/futures/data/topLongShortAccountRatio", N, 0, 0),
    ("GET", "/futures/data/globalLongShortAccountRatio", N, 0, 0),
    ("GET", "/futures/data/takerlongshortRatio", N, 0, 0),
    ("GET", "/futures/data/basis", N, 0, 0),
    ("GET", "/futures/data/delivery-price", N, 0, 0),
    ("GET", "/fapi/v1/indexInfo", N, 1, 0),
    ("GET", "/fapi/v1/assetIndex", N, 10, 0),
    ("GET", "/fapi/v1/constituents", N, 2, 0),
    ("GET", "/fapi/v1/insuranceBalance", N, 1, 0),
    ("GET", "/fapi/v1/symbolAdlRisk", N, 1, 0),
    ("POST", "/fapi/v1/order", S, 0, 1),
    ("POST", "/fapi/v1/order/test", S, 1, 0),
    ("PUT", "/fapi/v1/order", S, 0, 1),
    ("DELETE", "/fapi/v1/order", S, 1, 0),
    ("GET", "/fapi/v1/order", S, 1, 0),
    ("POST", "/fapi/v1/batchOrders", S, 5, 5),
    ("PUT", "/fapi/v1/batchOrders", S, 5, 5),
    ("DELETE", "/fapi/v1/batchOrders", S, 1, 0),
    ("DELETE", "/fapi/v1/allOpenOrders", S, 1, 0),
    ("POST", "/fapi/v1/countdownCancelAll", S, 10, 0),
    ("GET", "/fapi/v1/openOrder", S, 1, 0),
    ("GET", "/fapi/v1/openOrders", S, 40, 0),
    ("GET", "/fapi/v1/allOrders", S, 5, 0),
    ("GET", "/fapi/v1/forceOrders", S, 50, 0),
    ("GET", "/fapi/v1/userTrades", S, 5, 0),
    ("GET", "/fapi/v1/orderAmendment", S, 1, 0),
    ("POST", "/fapi/v1/positionSide/dual", S, 1, 0),
    ("GET", "/fapi/v1/positionSide/dual", S, 30, 0),
    ("POST", "/fapi/v1/multiAssetsMargin", S, 1, 0),
    ("GET", "/fapi/v1/multiAssetsMargin", S, 30, 0),
    ("POST", "/fapi/v1/leverage", S, 1, 0),
    ("POST", "/fapi/v1/marginType", S, 1, 0),
    ("POST", "/fapi/v1/positionMargin", S, 1, 0),
    ("GET", "/fapi/v1/positionMargin/history", S, 1, 0),
    ("GET", "/fapi/v2/positionRisk", S, 5, 0),
    ("GET", "/fapi/v3/positionRisk", S, 5, 0),
    ("GET", "/fapi/v1/adlQuantile", S, 5, 0),
    ("GET", "/fapi/v1/commissionRate", S, 20, 0),
    ("POST", "/fapi/v1/algoOrder", S, 0, 1),
    ("DELETE", "/fapi/v1/algoOrder", S, 1, 0),
    ("GET", "/fapi/v1/algoOrder", S, 1, 0),
    ("DELETE", "/fapi/v1/algoOpenOrders", S, 1, 0),
    ("GET", "/fapi/v1/openAlgoOrders", S, 40, 0),
    ("GET", "/fapi/v1/allAlgoOrders", S, 5, 0),
    ("GET", "/fapi/v2/account", S, 5, 0),
    ("GET", "/fapi/v3/account", S, 5, 0),
    ("GET", "/fapi/v2/balance", S, 5, 0),
    ("GET", "/fapi/v3/balance", S, 5, 0),
    ("GET", "/fapi/v1/income", S, 30, 0),
    ("GET", "/fapi/v1/leverageBracket", S, 1, 0),
    ("GET", "/fapi/v1/apiTradingStatus", S, 10, 0),
    ("GET", "/fapi/v1/rateLimit/order", S, 1, 0),
    ("GET", "/fapi/v1/accountConfig", S, 5, 0),
    ("GET", "/fapi/v1/symbolConfig", S, 5, 0),
    ("GET", "/fapi/v1/feeBurn", S, 30, 0),
    ("POST", "/fapi/v1/feeBurn", S, 1, 0),
    ("POST", "/fapi/v1/listenKey", K, 1, 0),
    ("PUT", "/fapi/v1/listenKey", K, 1, 0),
    ("DELETE", "/fapi/v1/listenKey", K, 1, 0),
]


#: Writes whose unknown outcome is settled by query, never resent blind.
ORDER_WRITES = {
    (method, path)
    for method in ("POST", "PUT", "DELETE")
    for path in ("/fapi/v1/order", "/fapi/v1/batchOrders")
} | {("POST", "/fapi/v1/algoOrder"), ("DELETE", "/fapi/v1/algoOrder")}


def by_route(method: str, path: str) -> Endpoint:
    """The table's endpoint for a route."""
    (found,) = [e for e in ALL if (e.method, e.path) == (method, path)]
    return found


def test_every_reference_row_has_exactly_one_endpoint() -> None:
    """82 rows, 82 endpoints, no route twice, none missing."""
    routes = [(e.method, e.path) for e in ALL]
    assert len(routes) == len(set(routes)) == len(REFERENCE)
    assert set(routes) == {(m, p) for m, p, *_ in REFERENCE}


@pytest.mark.parametrize(("method", "path", "security", "weight", "orders"), REFERENCE)
def test_security_weight_and_order_cost_follow_the_reference(
    method: str, path: str, security: Security, weight: int, orders: int
) -> None:
    """Each route's security type, its weight without parameters, and its order cost."""
    endpoint = by_route(method, path)
    assert (endpoint.security, endpoint.weight_for({}), endpoint.orders) == (
        security,
        weight,
        orders,
    )
    assert endpoint.is_order_write == ((method, path) in ORDER_WRITES)


@pytest.mark.parametrize(
    ("endpoint", "params", "weight"),
    [
        (market.DEPTH, {"limit": 5}, 2),
        (market.DEPTH, {"limit": 50}, 2),
        (market.DEPTH, {"limit": 100}, 5),
        (market.DEPTH, {"limit": 500}, 10),
        (market.DEPTH, {"limit": 1000}, 20),
        (market.KLINES, {"limit": 1}, 1),
        (market.KLINES, {"limit": 99}, 1),
        (market.KLINES, {"limit": 100}, 2),
        (market.KLINES, {"limit": 499}, 2),
        (market.KLINES, {"limit": 500}, 5),
        (market.KLINES, {"limit": 1000}, 5),
        (market.KLINES, {"limit": 1001}, 10),
        (market.KLINES, {"limit": 1500}, 10),
        (market.MARK_PRICE_KLINES, {"limit": 120}, 2),
        (market.CONTINUOUS_KLINES, {"limit": 1500}, 10),
        (market.PREMIUM_INDEX, {"symbol": "BTCUSDT"}, 1),
        (market.TICKER_24HR, {"symbol": "BTCUSDT"}, 1),
        (market.TICKER_PRICE, {"symbol": "BTCUSDT"}, 1),
        (market.BOOK_TICKER, {"symbol": "BTCUSDT"}, 2),
        (market.ASSET_INDEX, {"symbol": "ADAUSD"}, 1),
        (trading.OPEN_ORDERS, {"symbol": "BTCUSDT"}, 1),
        (trading.FORCE_ORDERS, {"symbol": "BTCUSDT"}, 20),
        (algo.OPEN_ALGO_ORDERS, {"symbol": "BTCUSDT"}, 1),
        (account.API_TRADING_STATUS, {"symbol": "BTCUSDT"}, 1),
    ],
)
def test_weights_that_depend_on_parameters(
    endpoint: Endpoint, params: dict[str, Any], weight: int
) -> None:
    """Depth and klines by limit; the with/without-symbol pairs."""
    assert endpoint.weight_for(params) == weight


HOUR, DAY = 3_600_000, 86_400_000
T0 = 1_790_000_000_000


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        (market.AGG_TRADES, {"symbol": "BTCUSDT", "start_time_ms": T0, "end_time_ms": T0 + HOUR}),
        (market.AGG_TRADES, {"symbol": "BTCUSDT", "from_id": 5, "start_time_ms": T0}),
        (
            trading.ALL_ORDERS,
            {"symbol": "BTCUSDT", "start_time_ms": T0, "end_time_ms": T0 + 7 * DAY},
        ),
        (
            trading.USER_TRADES,
            {"symbol": "BTCUSDT", "start_time_ms": T0, "end_time_ms": T0 + 8 * DAY},
        ),
        (trading.USER_TRADES, {"symbol": "BTCUSDT", "from_id": 1, "end_time_ms": T0}),
        (
            algo.ALL_ALGO_ORDERS,
            {"symbol": "BTCUSDT", "start_time_ms": T0, "end_time_ms": T0 + 7 * DAY},
        ),
        (
            account.POSITION_MARGIN_HISTORY,
            {"symbol": "BTCUSDT", "start_time_ms": T0, "end_time_ms": T0 + 31 * DAY},
        ),
        (market.KLINES, {"symbol": "BTCUSDT", "interval": "1s"}),
        (market.KLINES, {"symbol": "BTCUSDT", "interval": "1m", "limit": 1501}),
        (market.KLINES, {"symbol": "BTCUSDT", "interval": "1m", "start_time_ms": 1.5}),
        (market.DEPTH, {"symbol": "BTCUSDT", "limit": 7}),
        (market.DEPTH, {"symbol": "BTCUSDT", "limit": 5.0}),
        (market.OPEN_INTEREST_HIST, {"symbol": "BTCUSDT", "period": "1m"}),
        (market.BASIS, {"pair": "BTCUSDT", "contract_type": "PERPETUAL", "period": "5m"}),
        (trading.GET_ORDER, {"symbol": "BTCUSDT"}),
        (algo.GET_ALGO_ORDER, {}),
        (account.CHANGE_LEVERAGE, {"symbol": "BTCUSDT", "leverage": 126}),
        (account.CHANGE_LEVERAGE, {"symbol": "BTCUSDT", "leverage": True}),
        (account.CHANGE_MARGIN_TYPE, {"symbol": "BTCUSDT", "margin_type": "isolated"}),
        (account.MODIFY_POSITION_MARGIN, {"symbol": "BTCUSDT", "amount": "1", "type": 3}),
        (account.INCOME, {"income_type": "PROFIT"}),
        (account.CHANGE_POSITION_MODE, {"dual_side_position": "true"}),
        (trading.COUNTDOWN_CANCEL_ALL, {"symbol": "BTCUSDT", "countdown_ms": -1}),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_arguments_are_refused_before_anything_is_sent(
    endpoint: Endpoint, values: dict[str, Any]
) -> None:
    """Ranges the docs limit, ids that exclude each other, wrong types, unknown values."""
    with pytest.raises(InvalidRequest):
        endpoint.wire(values)


def test_wire_names_and_order_follow_the_specs() -> None:
    """Keyword names become the documented wire names, in the documented order."""
    wire = market.KLINES.wire(
        {"limit": 10, "interval": "1h", "symbol": "BTCUSDT", "end_time_ms": T0, "start_time_ms": 1}
    )
    assert list(wire.items()) == [
        ("symbol", "BTCUSDT"),
        ("interval", "1h"),
        ("startTime", 1),
        ("endTime", T0),
        ("limit", 10),
    ]
    assert market.AGG_TRADES.wire(
        {"symbol": "BTCUSDT", "start_time_ms": T0, "end_time_ms": T0 + HOUR - 1}
    ) == {"symbol": "BTCUSDT", "startTime": T0, "endTime": T0 + HOUR - 1}


@given(st.text(max_size=20))
def test_symbol_format_is_exactly_the_rule(text: str) -> None:
    """Upper-case letters, digits, "_" and non-ASCII (no lower case) pass; nothing else does."""
    ok = re.fullmatch(r"(?:[A-Z0-9_]|[^\x00-\x7f])+", text) is not None and not (
        not text.isascii() and any(ch.islower() for ch in text)
    )
    if ok:
        assert check_symbol_format(text) == text
    else:
        with pytest.raises(UnknownSymbol):
            check_symbol_format(text)


class Side(StrEnum):
    BUY = "BUY"


def test_amounts_and_choices_as_callers_pass_them() -> None:
    """A Decimal passes as itself; 41 significant digits are refused however written; an
    enum member passes as its text."""
    value = Decimal("0.003")
    assert amount("quantity", value) is value
    with pytest.raises(InvalidRequest, match="significant digits"):
        amount("quantity", Decimal("1." + "1" * 40))
    with pytest.raises(InvalidRequest, match="significant digits"):
        amount("quantity", Decimal((0, (1,) * 41, 5)))  # 1111...E+5: short exponent form
    wire = trading.NEW_ORDER.wire(
        {"symbol": "BTCUSDT", "side": Side.BUY, "type": "MARKET", "quantity": value}
    )
    assert wire == {"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": value}
    assert type(wire["side"]) is str
    with pytest.raises(InvalidRequest, match=r"unknown parameter\(s\) \['qty'\]"):
        trading.NEW_ORDER.wire({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "qty": 1})
    with pytest.raises(InvalidRequest, match="POST /fapi/v1/order: side is required"):
        trading.NEW_ORDER.wire({"symbol": "BTCUSDT", "type": "MARKET"})
