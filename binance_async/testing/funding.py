"""Mark price and funding: premiumIndex, fundingRate, fundingInfo; and openInterest.

Funding happens every ``funding_interval_hours`` (8, or 4 on the adjusted symbol) on the hour
multiples since the epoch, at a constant rate of 0.01 % (interest 0.01 %, premium 0). No
funding fee is charged to positions.
"""

from __future__ import annotations

from decimal import Decimal

from . import readers
from .accounts import ZERO
from .call import Call
from .klines import ONBOARD_MS
from .market import SymbolSpec

__all__ = ["FUNDING_RATE", "funding_info", "funding_rate", "open_interest", "premium_index"]

FUNDING_RATE = Decimal("0.0001")
_HOUR_MS = 3_600_000


def _rate(value: Decimal) -> str:
    return f"{value:.8f}"


def _premium(call: Call, spec: SymbolSpec) -> dict[str, object]:
    mark = call.state.market.mark(spec.symbol)
    period = spec.funding_interval_hours * _HOUR_MS
    return {
        "symbol": spec.symbol,
        "markPrice": _rate(mark),
        "indexPrice": _rate(mark),
        "estimatedSettlePrice": _rate(mark),
        "lastFundingRate": _rate(FUNDING_RATE),
        "interestRate": _rate(FUNDING_RATE),
        "nextFundingTime": (call.now_ms // period + 1) * period,
        "time": call.now_ms,
    }


def premium_index(call: Call) -> object:
    """GET /fapi/v1/premiumIndex: an object with a symbol, an array without."""
    readers.check_unknown(call.params, ("symbol",))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    if symbol:
        return _premium(call, market.spec(symbol))
    return [_premium(call, s) for s in market.symbols.values()]


def _funding_times(spec: SymbolSpec, start: int, end: int) -> range:
    period = spec.funding_interval_hours * _HOUR_MS
    first = -(-max(start, ONBOARD_MS) // period)
    return range(first * period, end + 1, period)


def funding_rate(call: Call) -> object:
    """GET /fapi/v1/fundingRate: funding history, oldest first (limit default 100, max 1000);
    without a time range the most recent ``limit`` records."""
    params = call.params
    readers.check_unknown(params, ("symbol", "startTime", "endTime", "limit"))
    market = call.state.market
    symbol = readers.text(params, "symbol")
    specs = [market.spec(symbol)] if symbol else list(market.symbols.values())
    limit = readers.limit(params, 100, 1000)
    start, end = readers.time_range(params)
    last = min(end, call.now_ms) if end is not None else call.now_ms
    records: list[tuple[int, str, SymbolSpec]] = []
    for spec in specs:
        times = _funding_times(spec, ONBOARD_MS if start is None else start, last)
        chosen = times[:limit] if start is not None else times[-limit:]
        records += [(t, spec.symbol, spec) for t in chosen]
    records.sort(key=lambda r: (r[0], r[1]))
    records = records[:limit] if start is not None else records[-limit:]
    return [
        {
            "symbol": name,
            "fundingRate": _rate(FUNDING_RATE),
            "fundingTime": t,
            "markPrice": _rate(market.mark_at(name, t)),
        }
        for t, name, _ in records
    ]


def funding_info(call: Call) -> object:
    """GET /fapi/v1/fundingInfo: only symbols whose funding settings were adjusted."""
    readers.check_unknown(call.params, ())
    return [
        {
            "symbol": s.symbol,
            "adjustedFundingRateCap": "0.02000000",
            "adjustedFundingRateFloor": "-0.02000000",
            "fundingIntervalHours": s.funding_interval_hours,
            "disclaimer": False,
        }
        for s in call.state.market.symbols.values()
        if s.funding_interval_hours != 8
    ]


def total_open_interest(call: Call, symbol: str) -> Decimal:
    """Long contracts held by every account on ``symbol``."""
    return sum(
        (
            p.amount
            for state in call.state.engine.accounts.values()
            for (name, _), p in state.positions.items()
            if name == symbol and p.amount > 0
        ),
        ZERO,
    )


def open_interest(call: Call) -> object:
    """GET /fapi/v1/openInterest: the long contracts of every account."""
    readers.check_unknown(call.params, ("symbol",))
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    return {
        "openInterest": spec.fmt_qty(total_open_interest(call, spec.symbol)),
        "symbol": spec.symbol,
        "time": call.now_ms,
    }
