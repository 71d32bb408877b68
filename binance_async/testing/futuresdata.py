"""The /futures/data/* statistics, from the simulator's accounts and tape.

Open interest and the long/short ratios are snapshots of the accounts now, repeated for every
period (no history is kept); taker volumes come from the tape per period. Timestamps are
integers, as the SDK types them (the docs' examples print some as strings).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from . import readers
from .accounts import ZERO
from .call import Call
from .errors import ApiError, invalid_param
from .funding import total_open_interest
from .market import SymbolSpec

__all__ = [
    "basis",
    "delivery_price",
    "global_ratio",
    "open_interest_hist",
    "taker_ratio",
    "top_account_ratio",
    "top_position_ratio",
]

_M = 60_000
_PERIODS = {
    "5m": 5 * _M,
    "15m": 15 * _M,
    "30m": 30 * _M,
    "1h": 60 * _M,
    "2h": 120 * _M,
    "4h": 240 * _M,
    "6h": 360 * _M,
    "12h": 720 * _M,
    "1d": 1440 * _M,
}
_DAYS_30 = 30 * 1440 * _M
_SERIES_PARAMS = ("symbol", "period", "limit", "startTime", "endTime")
_CONTRACT_TYPES = ("PERPETUAL", "CURRENT_QUARTER", "NEXT_QUARTER")


def _period(call: Call) -> int:
    period = readers.require(call.params, "period")
    if period not in _PERIODS:
        raise invalid_param("period")
    return _PERIODS[period]


def _times(call: Call, length: int) -> list[int]:
    """Period starts in range (the last 30 days only), oldest first, at most ``limit``."""
    limit = readers.limit(call.params, 30, 500)
    start, end = readers.time_range(call.params)
    now = call.now_ms
    first = max(start if start is not None else 0, now - _DAYS_30)
    last = min(end, now) if end is not None else now
    k0 = -(-first // length)
    times = range(k0 * length, last + 1, length)
    return list(times[:limit] if start is not None else times[-limit:])


def _series(call: Call, row: Callable[[SymbolSpec, int, int], dict[str, object]]) -> object:
    readers.check_unknown(call.params, _SERIES_PARAMS)
    spec = call.state.market.spec(readers.require(call.params, "symbol"))
    length = _period(call)
    return [row(spec, t, length) for t in _times(call, length)]


def open_interest_hist(call: Call) -> object:
    """GET /futures/data/openInterestHist."""

    def row(spec: SymbolSpec, t: int, _: int) -> dict[str, object]:
        oi = total_open_interest(call, spec.symbol)
        return {
            "symbol": spec.symbol,
            "sumOpenInterest": f"{oi:.8f}",
            "sumOpenInterestValue": f"{oi * call.state.market.mark_at(spec.symbol, t):.8f}",
            "CMCCirculatingSupply": "0",
            "timestamp": t,
        }

    return _series(call, row)


def _sides(call: Call, symbol: str, by_position: bool) -> tuple[Decimal, Decimal]:
    """Long and short weight: accounts net long / net short, or their position sizes."""
    longs, shorts = ZERO, ZERO
    for state in call.state.engine.accounts.values():
        amounts = [p.amount for (s, _), p in state.positions.items() if s == symbol]
        if by_position:
            longs += sum((a for a in amounts if a > 0), ZERO)
            shorts -= sum((a for a in amounts if a < 0), ZERO)
        else:
            net = sum(amounts, ZERO)
            longs += net > 0
            shorts += net < 0
    return longs, shorts


def _ratio(by_position: bool) -> Callable[[Call], object]:
    def handler(call: Call) -> object:
        def row(spec: SymbolSpec, t: int, _: int) -> dict[str, object]:
            longs, shorts = _sides(call, spec.symbol, by_position)
            total = longs + shorts
            long_share = longs / total if total else Decimal("0.5")
            short_share = 1 - long_share
            ratio = long_share / short_share if short_share else ZERO
            return {
                "symbol": spec.symbol,
                "longShortRatio": f"{ratio:.4f}",
                "longAccount": f"{long_share:.4f}",
                "shortAccount": f"{short_share:.4f}",
                "timestamp": t,
            }

        return _series(call, row)

    return handler


top_position_ratio = _ratio(by_position=True)
top_position_ratio.__doc__ = "GET /futures/data/topLongShortPositionRatio."
top_account_ratio = _ratio(by_position=False)
top_account_ratio.__doc__ = "GET /futures/data/topLongShortAccountRatio."
global_ratio = _ratio(by_position=False)
global_ratio.__doc__ = "GET /futures/data/globalLongShortAccountRatio."


def taker_ratio(call: Call) -> object:
    """GET /futures/data/takerlongshortRatio: taker buy and sell volume per period."""

    def row(spec: SymbolSpec, t: int, length: int) -> dict[str, object]:
        trades = call.state.engine.tape.between(spec.symbol, t, t + length - 1)
        buy = sum((x.qty for x in trades if not x.buyer_maker), ZERO)
        sell = sum((x.qty for x in trades if x.buyer_maker), ZERO)
        return {
            "buySellRatio": f"{buy / sell if sell else ZERO:.4f}",
            "buyVol": f"{buy:.4f}",
            "sellVol": f"{sell:.4f}",
            "timestamp": t,
        }

    return _series(call, row)


def _pair(call: Call) -> SymbolSpec:
    spec = call.state.market.symbols.get(readers.require(call.params, "pair"))
    if spec is None:
        raise ApiError(-4144, "Invalid pair.")
    return spec


def basis(call: Call) -> object:
    """GET /futures/data/basis: the perpetual trades at its index (basis 0); no quarterlies."""
    params = call.params
    readers.check_unknown(
        params, ("pair", "contractType", "period", "limit", "startTime", "endTime")
    )
    spec = _pair(call)
    contract = readers.require(params, "contractType")
    if contract not in _CONTRACT_TYPES:
        raise ApiError(-4104, "Invalid contract type.")
    length = _period(call)
    times = _times(call, length)
    if contract != "PERPETUAL":
        return []
    out = []
    for t in times:
        price = call.state.market.mark_at(spec.symbol, t)
        out.append(
            {
                "indexPrice": f"{price:.8f}",
                "contractType": contract,
                "basisRate": "0.0000",
                "futuresPrice": spec.fmt_price(price),
                "annualizedBasisRate": "",
                "basis": "0.00000000",
                "pair": spec.symbol,
                "timestamp": t,
            }
        )
    return out


def delivery_price(call: Call) -> object:
    """GET /futures/data/delivery-price: no quarterly contract is listed, so none."""
    readers.check_unknown(call.params, ("pair",))
    _pair(call)
    return []
