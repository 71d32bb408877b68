"""USDⓈ-M market data endpoints (reference/fapi-endpoints.tsv): data only.

Where the reference gives two weights for one endpoint, the larger is charged (a comment
says which), so a conflict in the documentation never costs a 429.
"""

from __future__ import annotations

from typing import Any

from ...endpoint import (
    Endpoint,
    Security,
    by_limit,
    by_limit_ranges,
    deferred,
    listed,
    many,
    obj,
    one_or_many,
    with_symbol,
)
from ...models.exchange import ExchangeInfo
from ...params import SYMBOL, Param, at_most_one, choice, integer, span_at_most
from ..binance import parse_time
from .common import END_TIME, START_TIME, SYMBOL_OPTIONAL, SYMBOL_REQUIRED, limit


def _model(name: str, shape: Any = None) -> Any:
    """``name``'s builder; the market models load with the first answer (import time)."""
    return deferred("binance_async.models.market", name, shape)


__all__ = [
    "AGG_TRADES",
    "ASSET_INDEX",
    "BASIS",
    "BOOK_TICKER",
    "CONSTITUENTS",
    "CONTINUOUS_KLINES",
    "DELIVERY_PRICE",
    "DEPTH",
    "DEPTH_LIMITS",
    "EXCHANGE_INFO",
    "FUNDING_INFO",
    "FUNDING_RATE",
    "GLOBAL_LONG_SHORT_ACCOUNT_RATIO",
    "HISTORICAL_TRADES",
    "INDEX_INFO",
    "INDEX_PRICE_KLINES",
    "INSURANCE_BALANCE",
    "KLINES",
    "KLINE_INTERVALS",
    "MARKET_ENDPOINTS",
    "MARK_PRICE_KLINES",
    "OPEN_INTEREST",
    "OPEN_INTEREST_HIST",
    "PING",
    "PREMIUM_INDEX",
    "PREMIUM_INDEX_KLINES",
    "RPI_DEPTH",
    "SYMBOL_ADL_RISK",
    "TAKER_LONG_SHORT_RATIO",
    "TICKER_24HR",
    "TICKER_PRICE",
    "TICKER_PRICE_V1",
    "TIME",
    "TOP_LONG_SHORT_ACCOUNT_RATIO",
    "TOP_LONG_SHORT_POSITION_RATIO",
    "TRADES",
]

KLINE_INTERVALS = frozenset(
    {"1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d", "1w", "1M"}
)
PERIODS = frozenset({"5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d"})
CONTRACT_TYPES = frozenset({"PERPETUAL", "CURRENT_QUARTER", "NEXT_QUARTER"})
DEPTH_LIMITS = {5: 2, 10: 2, 20: 2, 50: 2, 100: 5, 500: 10, 1000: 20}
#: Klines and their variants: limit below 100 -> 1, below 500 -> 2, up to 1000 -> 5, else 10.
KLINE_WEIGHTS = by_limit_ranges(((100, 1), (500, 2), (1001, 5), (1501, 10)), 500)
_HOUR_MS = 3_600_000


def _get(path: str, weight: Any, *params: Param, **options: Any) -> Endpoint:
    return Endpoint(method="GET", path=path, weight=weight, params=params, **options)


INTERVAL = Param("interval", "interval", choice(KLINE_INTERVALS), required=True)
PAIR = Param("pair", "pair", SYMBOL, required=True)
CONTRACT_TYPE = Param("contract_type", "contractType", choice(CONTRACT_TYPES), required=True)
PERIOD = Param("period", "period", choice(PERIODS), required=True)
FROM_ID = Param("from_id", "fromId", integer(0))
_KLINE_RANGE = (START_TIME, END_TIME, limit(1500))

PING = _get("/fapi/v1/ping", 1, model=obj)
TIME = _get("/fapi/v1/time", 1, model=parse_time)
EXCHANGE_INFO = _get("/fapi/v1/exchangeInfo", 1, model=ExchangeInfo.from_payload)
DEPTH = _get(
    "/fapi/v1/depth",
    by_limit(DEPTH_LIMITS, 500),
    SYMBOL_REQUIRED,
    Param("limit", "limit", choice(DEPTH_LIMITS)),
    model=_model("Depth"),
)
RPI_DEPTH = _get(
    "/fapi/v1/rpiDepth",
    20,
    SYMBOL_REQUIRED,
    Param("limit", "limit", choice({1000})),
    model=_model("Depth"),
)
TRADES = _get("/fapi/v1/trades", 5, SYMBOL_REQUIRED, limit(1000), model=_model("Trade", many))
# 20 (docs Nov-2025) or 200 (SDK Aug-2026): the larger.
HISTORICAL_TRADES = _get(
    "/fapi/v1/historicalTrades",
    200,
    SYMBOL_REQUIRED,
    limit(500),
    FROM_ID,
    security=Security.API_KEY,
    model=_model("Trade", many),
)
AGG_TRADES = _get(
    "/fapi/v1/aggTrades",
    20,
    SYMBOL_REQUIRED,
    FROM_ID,
    START_TIME,
    END_TIME,
    limit(1000),
    model=_model("AggTrade", many),
    checks=(
        span_at_most(_HOUR_MS, strict=True),
        at_most_one("fromId", "startTime"),
        at_most_one("fromId", "endTime"),
    ),
)
KLINES = _get(
    "/fapi/v1/klines",
    KLINE_WEIGHTS,
    SYMBOL_REQUIRED,
    INTERVAL,
    *_KLINE_RANGE,
    model=_model("Kline", many),
)
CONTINUOUS_KLINES = _get(
    "/fapi/v1/continuousKlines",
    KLINE_WEIGHTS,
    PAIR,
    CONTRACT_TYPE,
    INTERVAL,
    *_KLINE_RANGE,
    model=_model("Kline", many),
)
INDEX_PRICE_KLINES = _get(
    "/fapi/v1/indexPriceKlines",
    KLINE_WEIGHTS,
    PAIR,
    INTERVAL,
    *_KLINE_RANGE,
    model=_model("Kline", many),
)
MARK_PRICE_KLINES = _get(
    "/fapi/v1/markPriceKlines",
    KLINE_WEIGHTS,
    SYMBOL_REQUIRED,
    INTERVAL,
    *_KLINE_RANGE,
    model=_model("Kline", many),
)
PREMIUM_INDEX_KLINES = _get(
    "/fapi/v1/premiumIndexKlines",
    KLINE_WEIGHTS,
    SYMBOL_REQUIRED,
    INTERVAL,
    *_KLINE_RANGE,
    model=_model("Kline", many),
)
# 1 with a symbol, 10 without (docs, SDK; ccxt says 1): the larger.
PREMIUM_INDEX = _get(
    "/fapi/v1/premiumIndex",
    with_symbol(1, 10),
    SYMBOL_OPTIONAL,
    model=_model("MarkPrice", one_or_many),
)
#: fundingRate and fundingInfo share 500 requests per 5 minutes per IP (reference, 5).
FUNDING_BUCKET = "funding"
#: The /futures/data/* endpoints have 1000 requests per 5 minutes per IP of their own.
FUTURES_DATA_BUCKET = "futures-data"

# Weight 1 (ccxt), and the funding bucket.
FUNDING_RATE = _get(
    "/fapi/v1/fundingRate",
    1,
    SYMBOL_OPTIONAL,
    START_TIME,
    END_TIME,
    limit(1000),
    model=_model("FundingRate", many),
    bucket=FUNDING_BUCKET,
)
# 0 (docs, SDK) or 1 (ccxt): the larger; shares fundingRate's bucket.
FUNDING_INFO = _get("/fapi/v1/fundingInfo", 1, model=listed, bucket=FUNDING_BUCKET)
TICKER_24HR = _get(
    "/fapi/v1/ticker/24hr",
    with_symbol(1, 40),
    SYMBOL_OPTIONAL,
    model=_model("Ticker24h", one_or_many),
)
TICKER_PRICE_V1 = _get(
    "/fapi/v1/ticker/price",
    with_symbol(1, 2),
    SYMBOL_OPTIONAL,
    model=_model("PriceTicker", one_or_many),
)
# 1 / 2 (docs, SDK) or 0 (ccxt): the larger.
TICKER_PRICE = _get(
    "/fapi/v2/ticker/price",
    with_symbol(1, 2),
    SYMBOL_OPTIONAL,
    model=_model("PriceTicker", one_or_many),
)
# 2 / 5 (docs, SDK) or 1 / 2 (ccxt): the larger.
BOOK_TICKER = _get(
    "/fapi/v1/ticker/bookTicker",
    with_symbol(2, 5),
    SYMBOL_OPTIONAL,
    model=_model("BookTicker", one_or_many),
)
OPEN_INTEREST = _get("/fapi/v1/openInterest", 1, SYMBOL_REQUIRED, model=_model("OpenInterest"))


def _data(path: str, *params: Param, weight: int = 0) -> Endpoint:
    # IP weight 0, and their own 1000 requests per 5 min per IP.
    return _get(
        path, weight, *params, START_TIME, END_TIME, model=listed, bucket=FUTURES_DATA_BUCKET
    )


# 0 (docs, SDK) or 1 (ccxt): the larger.
OPEN_INTEREST_HIST = _data(
    "/futures/data/openInterestHist", SYMBOL_REQUIRED, PERIOD, limit(500), weight=1
)
TOP_LONG_SHORT_POSITION_RATIO = _data(
    "/futures/data/topLongShortPositionRatio", SYMBOL_REQUIRED, PERIOD, limit(500)
)
TOP_LONG_SHORT_ACCOUNT_RATIO = _data(
    "/futures/data/topLongShortAccountRatio", SYMBOL_REQUIRED, PERIOD, limit(500)
)
GLOBAL_LONG_SHORT_ACCOUNT_RATIO = _data(
    "/futures/data/globalLongShortAccountRatio", SYMBOL_REQUIRED, PERIOD, limit(500)
)
TAKER_LONG_SHORT_RATIO = _data(
    "/futures/data/takerlongshortRatio", SYMBOL_REQUIRED, PERIOD, limit(500)
)
BASIS = _data(
    "/futures/data/basis",
    PAIR,
    CONTRACT_TYPE,
    PERIOD,
    Param("limit", "limit", integer(1, 500), required=True),
)
DELIVERY_PRICE = _get(
    "/futures/data/delivery-price", 0, PAIR, model=listed, bucket=FUTURES_DATA_BUCKET
)
INDEX_INFO = _get("/fapi/v1/indexInfo", 1, SYMBOL_OPTIONAL)
ASSET_INDEX = _get("/fapi/v1/assetIndex", with_symbol(1, 10), SYMBOL_OPTIONAL)
CONSTITUENTS = _get("/fapi/v1/constituents", 2, SYMBOL_REQUIRED, model=obj)
INSURANCE_BALANCE = _get("/fapi/v1/insuranceBalance", 1, SYMBOL_OPTIONAL)
SYMBOL_ADL_RISK = _get("/fapi/v1/symbolAdlRisk", 1, SYMBOL_OPTIONAL)

MARKET_ENDPOINTS: tuple[Endpoint, ...] = (
    PING,
    TIME,
    EXCHANGE_INFO,
    DEPTH,
    RPI_DEPTH,
    TRADES,
    HISTORICAL_TRADES,
    AGG_TRADES,
    KLINES,
    CONTINUOUS_KLINES,
    INDEX_PRICE_KLINES,
    MARK_PRICE_KLINES,
    PREMIUM_INDEX_KLINES,
    PREMIUM_INDEX,
    FUNDING_RATE,
    FUNDING_INFO,
    TICKER_24HR,
    TICKER_PRICE_V1,
    TICKER_PRICE,
    BOOK_TICKER,
    OPEN_INTEREST,
    OPEN_INTEREST_HIST,
    TOP_LONG_SHORT_POSITION_RATIO,
    TOP_LONG_SHORT_ACCOUNT_RATIO,
    GLOBAL_LONG_SHORT_ACCOUNT_RATIO,
    TAKER_LONG_SHORT_RATIO,
    BASIS,
    DELIVERY_PRICE,
    INDEX_INFO,
    ASSET_INDEX,
    CONSTITUENTS,
    INSURANCE_BALANCE,
    SYMBOL_ADL_RISK,
)
