"""The public tape: recent trades, historical trades (API key) and aggregate trades."""

from __future__ import annotations

from . import readers
from .call import Call
from .errors import ApiError
from .market import SymbolSpec
from .render import fmt
from .tape import PublicTrade

__all__ = ["agg_trades", "historical_trades", "trades"]

_HOUR_MS = 3_600_000


def _trade(spec: SymbolSpec, trade: PublicTrade) -> dict[str, object]:
    return {
        "id": trade.trade_id,
        "price": spec.fmt_price(trade.price),
        "qty": spec.fmt_qty(trade.qty),
        "quoteQty": fmt(trade.quote_qty),
        "time": trade.time_ms,
        "isBuyerMaker": trade.buyer_maker,
        "isRPITrade": False,
    }


def trades(call: Call) -> object:
    """GET /fapi/v1/trades: the most recent trades (limit default 500, max 1000)."""
    readers.check_unknown(call.params, ("symbol", "limit"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    limit = readers.limit(call.params, 500, 1000)
    tape = call.state.engine.tape.trades(spec.symbol)
    return [_trade(spec, t) for t in tape[-limit:]]


def historical_trades(call: Call) -> object:
    """GET /fapi/v1/historicalTrades: from ``fromId`` on, or the most recent (default 100,
    max 500)."""
    readers.check_unknown(call.params, ("symbol", "limit", "fromId"))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    limit = readers.limit(call.params, 100, 500)
    from_id = readers.integer(call.params, "fromId")
    tape = call.state.engine.tape.trades(spec.symbol)
    if from_id is None:
        return [_trade(spec, t) for t in tape[-limit:]]
    return [_trade(spec, t) for t in tape if t.trade_id >= from_id][:limit]


def _agg(spec: SymbolSpec, trade: PublicTrade) -> dict[str, object]:
    return {
        "a": trade.agg_id,
        "p": spec.fmt_price(trade.price),
        "q": spec.fmt_qty(trade.qty),
        "f": trade.trade_id,
        "l": trade.trade_id,
        "T": trade.time_ms,
        "m": trade.buyer_maker,
    }


def agg_trades(call: Call) -> object:
    """GET /fapi/v1/aggTrades: by ``fromId``, or a time range under one hour, or the latest.

    ``fromId`` with a time: -1128; a range of more than an hour: -1127. One time alone
    selects the hour from it (startTime) or up to it (endTime).
    """
    params = call.params
    readers.check_unknown(params, ("symbol", "fromId", "startTime", "endTime", "limit"))
    spec = call.state.market.spec(readers.require(params, "symbol"))
    limit = readers.limit(params, 500, 1000)
    from_id = readers.integer(params, "fromId")
    start, end = readers.time_range(
        params,
        max_ms=_HOUR_MS - 1,  # "less than 1 hour"
        too_long=ApiError(-1127, "More than 1 hours between startTime and endTime."),
    )
    if from_id is not None and (start is not None or end is not None):
        raise ApiError(-1128, "Combination of optional parameters invalid.")
    tape = call.state.engine.tape
    if from_id is not None:
        found = [t for t in tape.trades(spec.symbol) if t.agg_id >= from_id][:limit]
    elif start is not None:
        found = tape.between(spec.symbol, start, end if end is not None else start + _HOUR_MS)
        found = found[:limit]
    elif end is not None:
        found = tape.between(spec.symbol, end - _HOUR_MS, end)[-limit:]
    else:
        found = tape.trades(spec.symbol)[-limit:]
    return [_agg(spec, t) for t in found]
