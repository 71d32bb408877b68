"""Klines and their variants, built from the mark price's history and the trade tape.

The simulator has one price, the mark: a candle's open, high, low and close come from the
mark's history; volumes and trade counts from the tape. The index price equals the mark, so
the premium index is 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from . import readers
from .call import Call
from .errors import ApiError
from .market import SymbolSpec
from .render import fmt

__all__ = [
    "INTERVALS",
    "candle_open",
    "continuous_klines",
    "index_price_klines",
    "klines",
    "mark_price_klines",
    "next_open",
    "premium_index_klines",
]

_M = 60_000
INTERVALS: dict[str, int] = {
    "1m": _M,
    "3m": 3 * _M,
    "5m": 5 * _M,
    "15m": 15 * _M,
    "30m": 30 * _M,
    "1h": 60 * _M,
    "2h": 120 * _M,
    "4h": 240 * _M,
    "6h": 360 * _M,
    "8h": 480 * _M,
    "12h": 720 * _M,
    "1d": 1440 * _M,
    "3d": 3 * 1440 * _M,
    "1w": 7 * 1440 * _M,
    "1M": 0,  # calendar months
}
_WEEK_OFFSET = 4 * 1440 * _M  # weeks start on Monday; 1970-01-01 was a Thursday
ONBOARD_MS = 1569398400000  # the symbols' onboardDate: no candle opens before it
_CONTRACT_TYPES = ("PERPETUAL", "CURRENT_QUARTER", "NEXT_QUARTER", "TRADIFI_PERPETUAL")


def _month_start(time_ms: int, shift: int = 0) -> int:
    day = dt.datetime.fromtimestamp(time_ms / 1000, tz=dt.UTC)
    months = day.year * 12 + day.month - 1 + shift
    start = dt.datetime(months // 12, months % 12 + 1, 1, tzinfo=dt.UTC)
    return int(start.timestamp() * 1000)


def candle_open(interval: str, time_ms: int) -> int:
    """Open time of the ``interval`` candle holding ``time_ms``."""
    if interval == "1M":
        return _month_start(time_ms)
    length = INTERVALS[interval]
    offset = _WEEK_OFFSET if interval == "1w" else 0
    return time_ms - (time_ms - offset) % length


def next_open(interval: str, open_ms: int, step: int = 1) -> int:
    """Open time ``step`` candles after (or before, negative) the one opening at ``open_ms``."""
    if interval == "1M":
        return _month_start(open_ms, step)
    return open_ms + step * INTERVALS[interval]


def _opens(call: Call, interval: str, limit: int) -> list[int]:
    start, end = readers.time_range(call.params)
    cap = min(end, call.now_ms) if end is not None else call.now_ms
    out: list[int] = []
    if start is not None:
        t = candle_open(interval, max(start, ONBOARD_MS))
        if t < start:
            t = next_open(interval, t)
        while t <= cap and len(out) < limit:
            out.append(t)
            t = next_open(interval, t)
        return out
    t = candle_open(interval, cap)
    while t >= ONBOARD_MS and len(out) < limit:
        out.append(t)
        t = next_open(interval, t, -1)
    return out[::-1]


def _interval(call: Call) -> str:
    interval = readers.require(call.params, "interval")
    if interval not in INTERVALS:
        raise ApiError(-1120, "Invalid interval.")
    return interval


Row = Callable[[str, int, int], list[object]]


def _candles(call: Call, symbol: str, row: Row) -> list[list[object]]:
    interval = _interval(call)
    limit = readers.limit(call.params, 500, 1500)
    return [row(symbol, t, next_open(interval, t) - 1) for t in _opens(call, interval, limit)]


def _ohlc(call: Call, symbol: str, open_ms: int, close_ms: int) -> tuple[Decimal, ...]:
    market = call.state.market
    o = market.mark_at(symbol, open_ms)
    c = market.mark_at(symbol, min(close_ms, call.now_ms))
    prices = [o, c, *market.marks_between(symbol, open_ms, min(close_ms, call.now_ms))]
    return o, max(prices), min(prices), c


def _trade_row(call: Call, spec: SymbolSpec) -> Row:
    def row(symbol: str, open_ms: int, close_ms: int) -> list[object]:
        prices = [spec.fmt_price(p) for p in _ohlc(call, symbol, open_ms, close_ms)]
        trades = call.state.engine.tape.between(symbol, open_ms, close_ms)
        takers = [t for t in trades if not t.buyer_maker]
        return [
            open_ms,
            *prices,
            spec.fmt_qty(sum((t.qty for t in trades), Decimal(0))),
            close_ms,
            fmt(sum((t.quote_qty for t in trades), Decimal(0))),
            len(trades),
            spec.fmt_qty(sum((t.qty for t in takers), Decimal(0))),
            fmt(sum((t.quote_qty for t in takers), Decimal(0))),
            "0",
        ]

    return row


def _price_row(call: Call, *, premium: bool = False) -> Row:
    def row(symbol: str, open_ms: int, close_ms: int) -> list[object]:
        ohlc = _ohlc(call, symbol, open_ms, close_ms)
        count = len(call.state.market.marks_between(symbol, open_ms, close_ms)) + 1
        values = [f"{Decimal(0) if premium else p:.8f}" for p in ohlc]
        return [open_ms, *values, "0", close_ms, "0", count, "0", "0", "0"]

    return row


def klines(call: Call) -> object:
    """GET /fapi/v1/klines."""
    readers.check_unknown(call.params, ("symbol", "interval", "startTime", "endTime", "limit"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    return _candles(call, spec.symbol, _trade_row(call, spec))


def _pair(call: Call) -> SymbolSpec:
    pair = readers.require(call.params, "pair")
    spec = call.state.market.symbols.get(pair)
    if spec is None:
        raise ApiError(-4144, "Invalid pair.")
    return spec


def continuous_klines(call: Call) -> object:
    """GET /fapi/v1/continuousKlines: PERPETUAL is the listed contract; quarters have none."""
    params = call.params
    readers.check_unknown(
        params, ("pair", "contractType", "interval", "startTime", "endTime", "limit")
    )
    spec = _pair(call)
    contract = readers.require(params, "contractType")
    if contract not in _CONTRACT_TYPES:
        raise ApiError(-4104, "Invalid contract type.")
    candles = _candles(call, spec.symbol, _trade_row(call, spec))
    return candles if contract == "PERPETUAL" else []


def index_price_klines(call: Call) -> object:
    """GET /fapi/v1/indexPriceKlines (the index equals the mark)."""
    readers.check_unknown(call.params, ("pair", "interval", "startTime", "endTime", "limit"))
    spec = _pair(call)
    return _candles(call, spec.symbol, _price_row(call))


def mark_price_klines(call: Call) -> object:
    """GET /fapi/v1/markPriceKlines."""
    readers.check_unknown(call.params, ("symbol", "interval", "startTime", "endTime", "limit"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    return _candles(call, spec.symbol, _price_row(call))


def premium_index_klines(call: Call) -> object:
    """GET /fapi/v1/premiumIndexKlines (the premium is 0: index equals mark)."""
    readers.check_unknown(call.params, ("symbol", "interval", "startTime", "endTime", "limit"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    return _candles(call, spec.symbol, _price_row(call, premium=True))
