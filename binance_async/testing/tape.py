"""The public trade tape: every trade on a symbol, with consecutive trade and agg-trade ids."""

from __future__ import annotations

import bisect
from collections.abc import Callable
from decimal import Decimal

import attrs

__all__ = ["FIRST_AGG_ID", "FIRST_TRADE_ID", "PublicTrade", "Tape"]

#: Ids start above 2**32, as order ids do: a client storing them in 32 bits breaks at once.
FIRST_TRADE_ID = 6_000_000_001
FIRST_AGG_ID = 5_500_000_001


@attrs.frozen(kw_only=True)
class PublicTrade:
    """One trade on the tape; each is also one aggregate trade (``agg_id``)."""

    trade_id: int
    agg_id: int
    price: Decimal
    qty: Decimal
    time_ms: int
    buyer_maker: bool

    @property
    def quote_qty(self) -> Decimal:
        """price * qty."""
        return self.price * self.qty


class Tape:
    """Trades per symbol in time (and id) order."""

    def __init__(self, on_trade: Callable[[str, PublicTrade], None] | None = None) -> None:
        #: Told of every trade printed (the aggTrade streams).
        self._on_trade = on_trade
        self._trades: dict[str, list[PublicTrade]] = {}
        self._times: dict[str, list[int]] = {}

    def record(
        self, symbol: str, price: Decimal, qty: Decimal, *, buyer_maker: bool, now_ms: int
    ) -> PublicTrade:
        """Print one trade; its ids follow the symbol's previous ones."""
        trades = self._trades.setdefault(symbol, [])
        times = self._times.setdefault(symbol, [])
        last = trades[-1] if trades else None
        trade = PublicTrade(
            trade_id=last.trade_id + 1 if last else FIRST_TRADE_ID,
            agg_id=last.agg_id + 1 if last else FIRST_AGG_ID,
            price=price,
            qty=qty,
            time_ms=max(now_ms, last.time_ms if last else now_ms),
            buyer_maker=buyer_maker,
        )
        trades.append(trade)
        times.append(trade.time_ms)
        if self._on_trade is not None:
            self._on_trade(symbol, trade)
        return trade

    def trades(self, symbol: str) -> list[PublicTrade]:
        """Every trade of ``symbol``, oldest first."""
        return self._trades.get(symbol, [])

    def last(self, symbol: str) -> PublicTrade | None:
        """The most recent trade, if any."""
        trades = self._trades.get(symbol)
        return trades[-1] if trades else None

    def between(self, symbol: str, start_ms: int, end_ms: int) -> list[PublicTrade]:
        """Trades with ``start_ms <= time <= end_ms``."""
        trades = self._trades.get(symbol, [])
        times = self._times.get(symbol, [])
        lo = bisect.bisect_left(times, start_ms)
        hi = bisect.bisect_right(times, end_ms)
        return trades[lo:hi]

    def before(self, symbol: str, time_ms: int) -> PublicTrade | None:
        """The last trade strictly before ``time_ms``."""
        times = self._times.get(symbol, [])
        i = bisect.bisect_left(times, time_ms)
        return self._trades[symbol][i - 1] if i else None
