"""Public market-data endpoints: ping, time, exchangeInfo, depth (and RPI depth), tickers."""

from __future__ import annotations

from decimal import Decimal

from . import readers
from .call import Call
from .errors import ApiError
from .market import SymbolSpec
from .render import fmt

__all__ = [
    "book_ticker",
    "depth",
    "exchange_info",
    "ping",
    "rpi_depth",
    "server_time",
    "ticker_24hr",
    "ticker_price",
]

_DEPTH_LIMITS = frozenset({5, 10, 20, 50, 100, 500, 1000})


def ping(call: Call) -> object:
    """GET /fapi/v1/ping."""
    readers.check_unknown(call.params, ())
    return {}


def server_time(call: Call) -> object:
    """GET /fapi/v1/time."""
    readers.check_unknown(call.params, ())
    return {"serverTime": call.now_ms}


def exchange_info(call: Call) -> object:
    """GET /fapi/v1/exchangeInfo."""
    readers.check_unknown(call.params, ())
    state = call.state
    return state.market.exchange_info(
        rate_limits=state.limiter.rate_limits_payload(), server_time_ms=call.now_ms
    )


def depth(call: Call) -> object:
    """GET /fapi/v1/depth: a synthetic book one tick apart around the mark, plus resting orders
    and scripted liquidity (``depthbook.py``)."""
    readers.check_unknown(call.params, ("symbol", "limit"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    limit = 500 if "limit" not in call.params else readers.integer(call.params, "limit")
    if limit not in _DEPTH_LIMITS:
        raise ApiError(-4021, "Invalid depth limit.")
    return _book(call, spec, limit)


def rpi_depth(call: Call) -> object:
    """GET /fapi/v1/rpiDepth: the book including RPI orders (the simulator has none), 1000 only."""
    readers.check_unknown(call.params, ("symbol", "limit"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    limit = 1000 if "limit" not in call.params else readers.integer(call.params, "limit")
    if limit != 1000:
        raise ApiError(-4021, "Invalid depth limit.")
    return _book(call, spec, limit)


def _book(call: Call, spec: SymbolSpec, limit: int) -> dict[str, object]:
    """The book as the depth streams publish it (``depthbook.py``): its ``lastUpdateId`` is
    the ``u`` of a published update."""
    update_id, bids, asks = call.state.engine.depth.snapshot(spec.symbol, limit, call.now_ms)
    return {
        "lastUpdateId": update_id,
        "E": call.now_ms,
        "T": call.now_ms,
        "bids": [[spec.fmt_price(p), spec.fmt_qty(q)] for p, q in bids],
        "asks": [[spec.fmt_price(p), spec.fmt_qty(q)] for p, q in asks],
    }


def ticker_price(call: Call) -> object:
    """GET /fapi/v1|v2/ticker/price: one symbol or all."""
    readers.check_unknown(call.params, ("symbol",))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    specs = [market.spec(symbol)] if symbol else list(market.symbols.values())
    items = [
        {"symbol": s.symbol, "price": s.fmt_price(market.mark(s.symbol)), "time": call.now_ms}
        for s in specs
    ]
    return items[0] if symbol else items


def book_ticker(call: Call) -> object:
    """GET /fapi/v1/ticker/bookTicker: the best levels of the published book."""
    readers.check_unknown(call.params, ("symbol",))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    specs = [market.spec(symbol)] if symbol else list(market.symbols.values())
    items = []
    for s in specs:
        _, bids, asks = call.state.engine.depth.snapshot(s.symbol, 1, call.now_ms)
        items.append(
            {
                "symbol": s.symbol,
                "bidPrice": s.fmt_price(bids[0][0]),
                "bidQty": s.fmt_qty(bids[0][1]),
                "askPrice": s.fmt_price(asks[0][0]),
                "askQty": s.fmt_qty(asks[0][1]),
                "time": call.now_ms,
            }
        )
    return items[0] if symbol else items


_DAY_MS = 86_400_000


def _ticker_24hr(call: Call, spec: SymbolSpec) -> dict[str, object]:
    """Prices from the mark (the simulator's one price), volumes and ids from the tape."""
    state = call.state
    now = call.now_ms
    start = now - _DAY_MS
    trades = state.engine.tape.between(spec.symbol, start, now)
    last_trade = state.engine.tape.last(spec.symbol)
    last = state.market.mark(spec.symbol)
    open_ = state.market.mark_at(spec.symbol, start)
    prices = [open_, last, *state.market.marks_between(spec.symbol, start, now)]
    volume = sum((t.qty for t in trades), Decimal(0))
    quote = sum((t.quote_qty for t in trades), Decimal(0))
    change = last - open_
    return {
        "symbol": spec.symbol,
        "priceChange": spec.fmt_price(change),
        "priceChangePercent": f"{change / open_ * 100:.3f}",
        "weightedAvgPrice": spec.fmt_price(quote / volume if volume else last),
        "lastPrice": spec.fmt_price(last),
        "lastQty": spec.fmt_qty(last_trade.qty if last_trade else Decimal(0)),
        "openPrice": spec.fmt_price(open_),
        "highPrice": spec.fmt_price(max(prices)),
        "lowPrice": spec.fmt_price(min(prices)),
        "volume": spec.fmt_qty(volume),
        "quoteVolume": fmt(quote),
        "openTime": start,
        "closeTime": now,
        "firstId": trades[0].trade_id if trades else -1,
        "lastId": trades[-1].trade_id if trades else -1,
        "count": len(trades),
    }


def ticker_24hr(call: Call) -> object:
    """GET /fapi/v1/ticker/24hr: the last 24 hours of the tape (one symbol or all)."""
    readers.check_unknown(call.params, ("symbol",))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    if symbol:
        return _ticker_24hr(call, market.spec(symbol))
    return [_ticker_24hr(call, s) for s in market.symbols.values()]
