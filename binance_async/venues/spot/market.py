"""Spot market data endpoints (reference/spot-and-other-exchanges.md section 1, and the Spot
REST documentation for the rows the reference does not list): data only.

Weights that depend on the parameters are functions of the wire parameters: depth by
``limit``, the tickers by ``symbol`` / ``symbols`` (and how many).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...endpoint import Endpoint, WeightFn, by_limit_ranges, many, obj, one_or_many
from ...errors import InvalidRequest
from ...models.market import AggTrade, BookTicker, Depth, Kline, PriceTicker, Trade
from ...models.spotmarket import AvgPrice, spot_exchange_info, spot_tickers
from ...params import Param, WireCheck, at_most_one, choice, integer
from ..binance import parse_time
from .common import (
    END_TIME,
    START_TIME,
    SYMBOL_OPTIONAL,
    SYMBOL_REQUIRED,
    SYMBOLS,
    TIME_ZONE,
    limit,
)

__all__ = [
    "AGG_TRADES",
    "AVG_PRICE",
    "BOOK_TICKER",
    "DEPTH",
    "EXCHANGE_INFO",
    "HISTORICAL_TRADES",
    "KLINES",
    "KLINE_INTERVALS",
    "MARKET_ENDPOINTS",
    "PING",
    "ROLLING_TICKER",
    "TICKER_24HR",
    "TICKER_PRICE",
    "TIME",
    "TRADES",
    "UI_KLINES",
]

KLINE_INTERVALS = frozenset(
    {
        "1s",
        "1m",
        "3m",
        "5m",
        "15m",
        "30m",
        "1h",
        "2h",
        "4h",
        "6h",
        "8h",
        "12h",
        "1d",
        "3d",
        "1w",
        "1M",
    }
)
TICKER_TYPES = frozenset({"FULL", "MINI"})
#: Depth by limit: 1-100 -> 5, 101-500 -> 25, 501-1000 -> 50, 1001-5000 -> 250 (default 100).
DEPTH_WEIGHTS = by_limit_ranges(((101, 5), (501, 25), (1001, 50), (5001, 250)), 100)


def _get(path: str, weight: int | WeightFn, *params: Param, **options: Any) -> Endpoint:
    return Endpoint(method="GET", path=path, weight=weight, params=params, **options)


def _count(params: Mapping[str, Any]) -> int | None:
    """How many symbols a ticker call names: 1 for ``symbol``, the list's length for
    ``symbols``, None for all."""
    if params.get("symbol"):
        return 1
    symbols = params.get("symbols")
    return len(symbols) if isinstance(symbols, list | tuple) else None


def _ticker_24hr_weight(params: Mapping[str, Any]) -> int:
    # symbol: 2; symbols: 1-20 -> 2, 21-100 -> 40, 101 or more -> 80; neither (all): 80.
    count = _count(params)
    if count is None or count > 100:
        return 80
    return 2 if count <= 20 else 40


def _price_weight(params: Mapping[str, Any]) -> int:
    # ticker/price and ticker/bookTicker: 2 for one symbol, 4 with symbols or for all.
    return 2 if params.get("symbol") else 4


def _per_symbol_weight(params: Mapping[str, Any]) -> int:
    # The rolling window ticker: 4 per symbol, at most 200 (over 50 symbols).
    return min(4 * (_count(params) or 1), 200)


def _not_both(wire: Mapping[str, Any]) -> None:
    if "symbol" in wire and "symbols" in wire:
        raise InvalidRequest("give symbol or symbols, not both")


def _one_of(wire: Mapping[str, Any]) -> None:
    _not_both(wire)
    if "symbol" not in wire and "symbols" not in wire:
        raise InvalidRequest("give symbol or symbols")


def _at_most(count: int) -> WireCheck:
    def check(wire: Mapping[str, Any]) -> None:
        if len(wire.get("symbols", ())) > count:
            raise InvalidRequest(f"symbols holds at most {count} symbols")

    return check


# 1m..59m, 1h..23h, 1d..7d; units are not combined.
_WINDOW = re.compile(r"(?:[1-9]|[1-5]\d)m|(?:[1-9]|1\d|2[0-3])h|[1-7]d")


def _window_size(name: str, value: Any) -> str:
    if not isinstance(value, str) or not _WINDOW.fullmatch(value):
        raise InvalidRequest(f"{name}={value!r}: give 1m..59m, 1h..23h or 1d..7d")
    return value


INTERVAL = Param("interval", "interval", choice(KLINE_INTERVALS), required=True)
TICKER_TYPE = Param("type", "type", choice(TICKER_TYPES))
FROM_ID = Param("from_id", "fromId", integer(0))
_KLINE_PARAMS = (SYMBOL_REQUIRED, INTERVAL, START_TIME, END_TIME, TIME_ZONE, limit(1000))

PING = _get("/api/v3/ping", 1, model=obj)
TIME = _get("/api/v3/time", 1, model=parse_time)
EXCHANGE_INFO = _get("/api/v3/exchangeInfo", 20, model=spot_exchange_info)
DEPTH = _get(
    "/api/v3/depth",
    DEPTH_WEIGHTS,
    SYMBOL_REQUIRED,
    limit(5000),
    model=Depth.from_payload,
)
TRADES = _get("/api/v3/trades", 25, SYMBOL_REQUIRED, limit(1000), model=many(Trade.from_payload))
# Security NONE in the current documentation (it was MARKET_DATA, with an API key, before).
HISTORICAL_TRADES = _get(
    "/api/v3/historicalTrades",
    25,
    SYMBOL_REQUIRED,
    limit(1000),
    FROM_ID,
    model=many(Trade.from_payload),
)
AGG_TRADES = _get(
    "/api/v3/aggTrades",
    4,
    SYMBOL_REQUIRED,
    FROM_ID,
    START_TIME,
    END_TIME,
    limit(1000),
    model=many(AggTrade.from_payload),
    checks=(at_most_one("fromId", "startTime"), at_most_one("fromId", "endTime")),
)
KLINES = _get("/api/v3/klines", 2, *_KLINE_PARAMS, model=many(Kline.from_payload))
UI_KLINES = _get("/api/v3/uiKlines", 2, *_KLINE_PARAMS, model=many(Kline.from_payload))
AVG_PRICE = _get("/api/v3/avgPrice", 2, SYMBOL_REQUIRED, model=AvgPrice.from_payload)
TICKER_24HR = _get(
    "/api/v3/ticker/24hr",
    _ticker_24hr_weight,
    SYMBOL_OPTIONAL,
    SYMBOLS,
    TICKER_TYPE,
    model=spot_tickers,
    checks=(_not_both,),
)
TICKER_PRICE = _get(
    "/api/v3/ticker/price",
    _price_weight,
    SYMBOL_OPTIONAL,
    SYMBOLS,
    model=one_or_many(PriceTicker.from_payload),
    checks=(_not_both,),
)
BOOK_TICKER = _get(
    "/api/v3/ticker/bookTicker",
    _price_weight,
    SYMBOL_OPTIONAL,
    SYMBOLS,
    model=one_or_many(BookTicker.from_payload),
    checks=(_not_both,),
)
ROLLING_TICKER = _get(
    "/api/v3/ticker",
    _per_symbol_weight,
    SYMBOL_OPTIONAL,
    SYMBOLS,
    Param("window_size", "windowSize", _window_size),
    TICKER_TYPE,
    model=spot_tickers,
    checks=(_one_of, _at_most(100)),
)
# Since the trading day began in timeZone: 4 per symbol, at most 200 (over 50 symbols).
TRADING_DAY_TICKER = _get(
    "/api/v3/ticker/tradingDay",
    _per_symbol_weight,
    SYMBOL_OPTIONAL,
    SYMBOLS,
    TIME_ZONE,
    TICKER_TYPE,
    model=spot_tickers,
    checks=(_one_of, _at_most(100)),
)
MARKET_ENDPOINTS: tuple[Endpoint, ...] = (
    PING,
    TIME,
    EXCHANGE_INFO,
    DEPTH,
    TRADES,
    HISTORICAL_TRADES,
    AGG_TRADES,
    KLINES,
    UI_KLINES,
    AVG_PRICE,
    TICKER_24HR,
    TICKER_PRICE,
    BOOK_TICKER,
    ROLLING_TICKER,
    TRADING_DAY_TICKER,
)
