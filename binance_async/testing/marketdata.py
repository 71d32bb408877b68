"""Public market-data endpoints: ping, time, exchangeInfo, depth, tickers."""

from __future__ import annotations

from decimal import Decimal

from . import readers
from .call import Call
from .errors import ApiError

__all__ = ["book_ticker", "depth", "exchange_info", "ping", "server_time", "ticker_price"]

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
    """GET /fapi/v1/depth: a synthetic book one tick apart around the mark, plus resting orders."""
    readers.check_unknown(call.params, ("symbol", "limit"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    limit = 500 if "limit" not in call.params else readers.integer(call.params, "limit")
    if limit not in _DEPTH_LIMITS:
        raise ApiError(-4021, "Invalid depth limit.")
    mark = call.state.market.mark(spec.symbol).quantize(spec.tick_size)
    bids: dict[Decimal, Decimal] = {}
    asks: dict[Decimal, Decimal] = {}
    for i in range(1, limit + 1):
        size = spec.min_qty * 10 * (1 + (i * 7) % 5)
        bids[mark - i * spec.tick_size] = size
        asks[mark + i * spec.tick_size] = size
    for order in call.state.engine.book_orders(spec.symbol):
        side = bids if order.side == "BUY" else asks
        side[order.price] = side.get(order.price, Decimal(0)) + order.qty - order.executed_qty
    best_bids = sorted(bids.items(), reverse=True)[:limit]
    best_asks = sorted(asks.items())[:limit]
    return {
        "lastUpdateId": call.now_ms,
        "E": call.now_ms,
        "T": call.now_ms,
        "bids": [[spec.fmt_price(p), spec.fmt_qty(q)] for p, q in best_bids if p > 0],
        "asks": [[spec.fmt_price(p), spec.fmt_qty(q)] for p, q in best_asks],
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
    """GET /fapi/v1/ticker/bookTicker: best synthetic levels, one tick either side of the mark."""
    readers.check_unknown(call.params, ("symbol",))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    specs = [market.spec(symbol)] if symbol else list(market.symbols.values())
    items = []
    for s in specs:
        mark = market.mark(s.symbol).quantize(s.tick_size)
        items.append(
            {
                "symbol": s.symbol,
                "bidPrice": s.fmt_price(mark - s.tick_size),
                "bidQty": s.fmt_qty(s.min_qty * 10),
                "askPrice": s.fmt_price(mark + s.tick_size),
                "askQty": s.fmt_qty(s.min_qty * 10),
                "time": call.now_ms,
            }
        )
    return items[0] if symbol else items
