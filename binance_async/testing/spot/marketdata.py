"""Spot's market data: exchangeInfo, depth, trades, klines, averages and tickers.

One price per symbol (``Simulator.spot_set_price``) is the last price and also the average
price (``avgPrice``, the filters' reference); candles' open, high, low and close come from its
history, volumes and trade counts from the trade tape (users' fills and ``spot_trade`` prints).
The book is synthetic (levels one tick apart around the price, the sizes a pattern of the
minimum quantity) plus the visible part of users' resting orders.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

import orjson

from .. import readers
from ..call import Call
from ..errors import ApiError, invalid_param
from ..klines import candle_open, next_open
from ..tape import PublicTrade
from .exchange import SpotExchange
from .symbols import SpotSymbol, fmt8
from .trading import spot

__all__ = [
    "agg_trades",
    "avg_price",
    "book_ticker",
    "depth",
    "exchange_info",
    "historical_trades",
    "klines",
    "levels",
    "rolling_ticker",
    "symbols_count",
    "ticker_24hr",
    "ticker_price",
    "trades",
    "trading_day_ticker",
]

_ZERO = Decimal(0)
_DAY_MS = 86_400_000
#: BTCUSDT's listing: no candle opens before it.
_LISTED_MS = 1_502_928_000_000
_INTERVALS = frozenset(
    {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h"}
    | {"1d", "3d", "1w", "1M"}
)
_TIME_ZONE = re.compile(r"([+-]?)([0-9]{1,2})(?::([0-9]{2}))?")
_WINDOW = re.compile(r"([0-9]{1,2})([mhd])")
_WINDOW_MAX = {"m": 59, "h": 23, "d": 7}
_WINDOW_MS = {"m": 60_000, "h": 3_600_000, "d": _DAY_MS}


def _symbol_list(params: Mapping[str, str]) -> list[str] | None:
    """``symbol`` or ``symbols`` (a JSON array): None for every symbol; -1128 for both,
    -1130 for a bad array, -1151 for a repeated symbol."""
    one = readers.text(params, "symbol")
    many = readers.text(params, "symbols")
    if one is not None and many is not None:
        raise ApiError(-1128, "Combination of optional parameters invalid.")
    if one is not None:
        return [one]
    if many is None:
        return None
    try:
        value = orjson.loads(many)
    except orjson.JSONDecodeError as exc:
        raise invalid_param("symbols") from exc
    if not isinstance(value, list) or not value or not all(isinstance(s, str) for s in value):
        raise invalid_param("symbols")
    if len(set(value)) != len(value):
        raise ApiError(-1151, "Symbol is present multiple times in the list.")
    return [str(s) for s in value]


def symbols_count(params: Mapping[str, str]) -> int | None:
    """How many symbols a request names (for its weight); None: all of them."""
    try:
        found = _symbol_list(params)
    except ApiError:
        return 1
    return None if found is None else len(found)


def _specs(call: Call, *, required: bool = False) -> tuple[list[SpotSymbol], bool]:
    """The symbols asked for and whether one was asked as ``symbol`` (a single answer)."""
    ex = spot(call).exchange
    names = _symbol_list(call.params)
    if names is None:
        if required:
            raise ApiError(
                -1102, "Param 'symbol' or 'symbols' must be sent, but both were empty/null!"
            )
        return list(ex.symbols.by_name.values()), False
    return [ex.spec(n) for n in names], "symbol" in call.params


def exchange_info(call: Call) -> object:
    """GET /api/v3/exchangeInfo."""
    names = ("symbol", "symbols", "permissions", "showPermissionSets", "symbolStatus")
    readers.check_unknown(call.params, names)
    specs, _ = _specs(call)
    return {
        "timezone": "UTC",
        "serverTime": call.now_ms,
        "rateLimits": spot(call).exchange.limiter.rate_limits_payload(),
        "exchangeFilters": [],
        "symbols": [s.info() for s in specs],
    }


def book_levels(
    call: Call, spec: SpotSymbol, limit: int
) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    """The best ``limit`` bids and asks: synthetic levels plus users' resting orders."""
    return levels(spot(call).exchange, spec, limit)


def levels(
    ex: SpotExchange, spec: SpotSymbol, limit: int
) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    """The exchange's best ``limit`` bids and asks now (REST depth and the depth streams)."""
    price = ex.price(spec.symbol).quantize(spec.tick_size)
    bids: dict[Decimal, Decimal] = {}
    asks: dict[Decimal, Decimal] = {}
    for i in range(1, limit + 1):
        size = spec.min_qty * 100 * (1 + (i * 7) % 5)
        if price - i * spec.tick_size > 0:
            bids[price - i * spec.tick_size] = size
        asks[price + i * spec.tick_size] = size
    for order in ex.book(spec.symbol):
        side = bids if order.side == "BUY" else asks
        side[order.price] = side.get(order.price, _ZERO) + order.visible
    best_bids = sorted(bids.items(), reverse=True)[:limit]
    return best_bids, sorted(asks.items())[:limit]


def depth(call: Call) -> object:
    """GET /api/v3/depth: ``limit`` levels a side (default 100; above 5000, 5000)."""
    readers.check_unknown(call.params, ("symbol", "limit", "symbolStatus"))
    spec = spot(call).exchange.spec(readers.require(call.params, "symbol"))
    limit = readers.integer(call.params, "limit")
    limit = 100 if limit is None else min(limit, 5000)
    if limit < 1:
        raise invalid_param("limit")
    bids, asks = book_levels(call, spec, limit)
    return {
        "lastUpdateId": call.now_ms,
        "bids": [[fmt8(p), fmt8(q)] for p, q in bids],
        "asks": [[fmt8(p), fmt8(q)] for p, q in asks],
    }


def _trade(t: PublicTrade) -> dict[str, object]:
    return {
        "id": t.trade_id,
        "price": fmt8(t.price),
        "qty": fmt8(t.qty),
        "quoteQty": fmt8(t.quote_qty),
        "time": t.time_ms,
        "isBuyerMaker": t.buyer_maker,
        "isBestMatch": True,
    }


def trades(call: Call) -> object:
    """GET /api/v3/trades: the most recent ``limit`` (500, at most 1000)."""
    readers.check_unknown(call.params, ("symbol", "limit"))
    ex = spot(call).exchange
    spec = ex.spec(readers.require(call.params, "symbol"))
    limit = readers.limit(call.params, 500, 1000)
    return [_trade(t) for t in ex.tape.trades(spec.symbol)[-limit:]]


def historical_trades(call: Call) -> object:
    """GET /api/v3/historicalTrades: from ``fromId``, else the most recent."""
    readers.check_unknown(call.params, ("symbol", "limit", "fromId"))
    ex = spot(call).exchange
    spec = ex.spec(readers.require(call.params, "symbol"))
    limit = readers.limit(call.params, 500, 1000)
    from_id = readers.integer(call.params, "fromId")
    found = ex.tape.trades(spec.symbol)
    if from_id is None:
        return [_trade(t) for t in found[-limit:]]
    return [_trade(t) for t in found if t.trade_id >= from_id][:limit]


def agg_trades(call: Call) -> object:
    """GET /api/v3/aggTrades: each trade its own aggregate (one taker order, one price)."""
    params = call.params
    readers.check_unknown(params, ("symbol", "fromId", "startTime", "endTime", "limit"))
    ex = spot(call).exchange
    spec = ex.spec(readers.require(params, "symbol"))
    limit = readers.limit(params, 500, 1000)
    from_id = readers.integer(params, "fromId")
    start, end = readers.time_range(params)
    found = [
        t
        for t in ex.tape.trades(spec.symbol)
        if t.agg_id >= (from_id or 0)
        and (start is None or t.time_ms >= start)
        and (end is None or t.time_ms <= end)
    ]
    chosen = found[:limit] if from_id is not None or start is not None else found[-limit:]
    return [
        {
            "a": t.agg_id,
            "p": fmt8(t.price),
            "q": fmt8(t.qty),
            "f": t.trade_id,
            "l": t.trade_id,
            "T": t.time_ms,
            "m": t.buyer_maker,
            "M": True,
        }
        for t in chosen
    ]


def _time_zone(params: Mapping[str, str]) -> int:
    """``timeZone`` as an offset in ms: hours, or hours:minutes, in [-12:00, +14:00]."""
    raw = params.get("timeZone")
    if raw is None:
        return 0
    found = _TIME_ZONE.fullmatch(raw)
    if found is None:
        raise invalid_param("timeZone")
    sign = -1 if found.group(1) == "-" else 1
    minutes = int(found.group(2)) * 60 + int(found.group(3) or 0)
    offset = sign * minutes
    if not -12 * 60 <= offset <= 14 * 60 or int(found.group(3) or 0) >= 60:
        raise invalid_param("timeZone")
    return offset * 60_000


def _open(interval: str, time_ms: int, shift: int) -> int:
    if interval == "1s":
        return time_ms - time_ms % 1000
    return candle_open(interval, time_ms + shift) - shift


def _next(interval: str, open_ms: int, shift: int, step: int = 1) -> int:
    if interval == "1s":
        return open_ms + step * 1000
    return next_open(interval, open_ms + shift, step) - shift


def klines(call: Call) -> object:
    """GET /api/v3/klines and /api/v3/uiKlines."""
    params = call.params
    readers.check_unknown(
        params, ("symbol", "interval", "startTime", "endTime", "timeZone", "limit")
    )
    ex = spot(call).exchange
    spec = ex.spec(readers.require(params, "symbol"))
    interval = readers.require(params, "interval")
    if interval not in _INTERVALS:
        raise ApiError(-1120, "Invalid interval.")
    limit = readers.limit(params, 500, 1000)
    shift = _time_zone(params)
    start, end = readers.time_range(params)
    cap = min(end, call.now_ms) if end is not None else call.now_ms
    opens: list[int] = []
    if start is not None:
        t = _open(interval, max(start, _LISTED_MS), shift)
        if t < start:
            t = _next(interval, t, shift)
        while t <= cap and len(opens) < limit:
            opens.append(t)
            t = _next(interval, t, shift)
    else:
        t = _open(interval, cap, shift)
        while t >= _LISTED_MS and len(opens) < limit:
            opens.append(t)
            t = _next(interval, t, shift, -1)
        opens.reverse()
    rows: list[list[object]] = []
    for open_ms in opens:
        close_ms = _next(interval, open_ms, shift) - 1
        last = min(close_ms, call.now_ms)
        o, c = ex.price_at(spec.symbol, open_ms), ex.price_at(spec.symbol, last)
        prices = [o, c, *ex.prices_between(spec.symbol, open_ms, last)]
        printed = ex.tape.between(spec.symbol, open_ms, close_ms)
        takers = [t for t in printed if not t.buyer_maker]
        rows.append(
            [
                open_ms,
                fmt8(o),
                fmt8(max(prices)),
                fmt8(min(prices)),
                fmt8(c),
                fmt8(sum((t.qty for t in printed), _ZERO)),
                close_ms,
                fmt8(sum((t.quote_qty for t in printed), _ZERO)),
                len(printed),
                fmt8(sum((t.qty for t in takers), _ZERO)),
                fmt8(sum((t.quote_qty for t in takers), _ZERO)),
                "0",
            ]
        )
    return rows


def avg_price(call: Call) -> object:
    """GET /api/v3/avgPrice: the price; ``closeTime`` the last trade's time (else now)."""
    readers.check_unknown(call.params, ("symbol",))
    ex = spot(call).exchange
    spec = ex.spec(readers.require(call.params, "symbol"))
    last = ex.tape.last(spec.symbol)
    return {
        "mins": spec.avg_price_mins,
        "price": fmt8(ex.price(spec.symbol)),
        "closeTime": call.now_ms if last is None else last.time_ms,
    }


def _stats(
    call: Call, spec: SpotSymbol, open_ms: int, close_ms: int, mini: bool
) -> dict[str, object]:
    ex = spot(call).exchange
    symbol = spec.symbol
    o, c = ex.price_at(symbol, open_ms), ex.price(symbol)
    prices = [o, c, *ex.prices_between(symbol, open_ms, close_ms)]
    printed = ex.tape.between(symbol, open_ms, close_ms)
    volume = sum((t.qty for t in printed), _ZERO)
    quote = sum((t.quote_qty for t in printed), _ZERO)
    body: dict[str, object] = {"symbol": symbol}
    if not mini:
        change = c - o
        body.update(
            {
                "priceChange": fmt8(change),
                "priceChangePercent": f"{change / o * 100:.3f}",
                "weightedAvgPrice": fmt8(quote / volume if volume else c),
            }
        )
    body.update(
        {
            "openPrice": fmt8(o),
            "highPrice": fmt8(max(prices)),
            "lowPrice": fmt8(min(prices)),
            "lastPrice": fmt8(c),
            "volume": fmt8(volume),
            "quoteVolume": fmt8(quote),
            "openTime": open_ms,
            "closeTime": close_ms,
            "firstId": printed[0].trade_id if printed else -1,
            "lastId": printed[-1].trade_id if printed else -1,
            "count": len(printed),
        }
    )
    return body


def _ticker_type(params: Mapping[str, str]) -> bool:
    kind = readers.enum(params, "type", ("FULL", "MINI"), ApiError(-1139, "Invalid ticker type."))
    return kind == "MINI"


def _one_or_many(items: list[dict[str, object]], single: bool) -> object:
    return items[0] if single else items


def ticker_24hr(call: Call) -> object:
    """GET /api/v3/ticker/24hr."""
    readers.check_unknown(call.params, ("symbol", "symbols", "type", "symbolStatus"))
    mini = _ticker_type(call.params)
    specs, single = _specs(call)
    items = []
    for spec in specs:
        body = _stats(call, spec, call.now_ms - _DAY_MS, call.now_ms, mini)
        if not mini:
            bids, asks = book_levels(call, spec, 1)
            last = spot(call).exchange.tape.last(spec.symbol)
            full = {
                "symbol": spec.symbol,
                "priceChange": body["priceChange"],
                "priceChangePercent": body["priceChangePercent"],
                "weightedAvgPrice": body["weightedAvgPrice"],
                "prevClosePrice": body["openPrice"],
                "lastPrice": body["lastPrice"],
                "lastQty": fmt8(last.qty if last else _ZERO),
                "bidPrice": fmt8(bids[0][0]),
                "bidQty": fmt8(bids[0][1]),
                "askPrice": fmt8(asks[0][0]),
                "askQty": fmt8(asks[0][1]),
            }
            full.update({k: v for k, v in body.items() if k not in full})
            body = full
        items.append(body)
    return _one_or_many(items, single)


def rolling_ticker(call: Call) -> object:
    """GET /api/v3/ticker: ``windowSize`` 1m-59m, 1h-23h, 1d-7d (default 1d); the window
    opens on a minute."""
    params = call.params
    readers.check_unknown(params, ("symbol", "symbols", "windowSize", "type", "symbolStatus"))
    mini = _ticker_type(params)
    found = _WINDOW.fullmatch(params.get("windowSize", "1d"))
    if found is None or not 1 <= int(found.group(1)) <= _WINDOW_MAX[found.group(2)]:
        raise invalid_param("windowSize")
    size = int(found.group(1)) * _WINDOW_MS[found.group(2)]
    specs, single = _specs(call, required=True)
    if len(specs) > 100:
        raise invalid_param("symbols")
    open_ms = call.now_ms - size
    open_ms -= open_ms % 60_000
    items = [_stats(call, s, open_ms, call.now_ms, mini) for s in specs]
    return _one_or_many(items, single)


def trading_day_ticker(call: Call) -> object:
    """GET /api/v3/ticker/tradingDay: statistics since the trading day began in ``timeZone``
    (default 0, UTC), up to 100 symbols."""
    params = call.params
    readers.check_unknown(params, ("symbol", "symbols", "timeZone", "type", "symbolStatus"))
    mini = _ticker_type(params)
    offset = _time_zone(params)
    specs, single = _specs(call, required=True)
    if len(specs) > 100:
        raise invalid_param("symbols")
    local = call.now_ms + offset
    open_ms = local - local % 86_400_000 - offset
    items = [_stats(call, s, open_ms, call.now_ms, mini) for s in specs]
    return _one_or_many(items, single)


def ticker_price(call: Call) -> object:
    """GET /api/v3/ticker/price."""
    readers.check_unknown(call.params, ("symbol", "symbols", "symbolStatus"))
    specs, single = _specs(call)
    ex = spot(call).exchange
    items: list[dict[str, object]] = [
        {"symbol": s.symbol, "price": fmt8(ex.price(s.symbol))} for s in specs
    ]
    return _one_or_many(items, single)


def book_ticker(call: Call) -> object:
    """GET /api/v3/ticker/bookTicker: the best levels of the book ``depth`` shows."""
    readers.check_unknown(call.params, ("symbol", "symbols", "symbolStatus"))
    specs, single = _specs(call)
    items: list[dict[str, object]] = []
    for spec in specs:
        bids, asks = book_levels(call, spec, 1)
        items.append(
            {
                "symbol": spec.symbol,
                "bidPrice": fmt8(bids[0][0]),
                "bidQty": fmt8(bids[0][1]),
                "askPrice": fmt8(asks[0][0]),
                "askQty": fmt8(asks[0][1]),
            }
        )
    return _one_or_many(items, single)
