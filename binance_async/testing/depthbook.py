"""Each symbol's order book as REST depth and the depth streams show it, with update ids.

A book is the synthetic liquidity around the mark (1000 levels a side, one tick apart; a
level's size is a function of its price, so a move of the mark changes only the levels it
crosses and the two far ends), plus every resting LIMIT order's remaining quantity, plus
liquidity scripted with ``sim.streams.set_liquidity``.

The book is published in steps: :meth:`DepthBooks.flush` compares it with the last published
state and, if anything changed, gives the changes the next update ids (``U`` = previous ``u``
+ 1, ``u`` = ``U`` + changed levels - 1, ``pu`` = previous ``u``) and hands them to the
listeners (the depth streams). The stream server flushes every tick; a REST snapshot flushes
first, so its ``lastUpdateId`` is always the ``u`` of an update a stream carries.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from .market import Market, SymbolSpec

if TYPE_CHECKING:
    from .engine import Engine, Order

__all__ = ["LADDER_LEVELS", "BookDiff", "DepthBooks"]

#: Synthetic levels on each side of the mark.
LADDER_LEVELS = 1000
_FIRST_UPDATE_ID = 7_000_000_001
Side = dict[Decimal, Decimal]


@attrs.frozen(kw_only=True)
class BookDiff:
    """One published step of a symbol's book: changed levels (qty 0 removes) and their ids."""

    symbol: str
    first_id: int
    final_id: int
    prev_final_id: int
    bids: dict[Decimal, Decimal]
    asks: dict[Decimal, Decimal]
    time_ms: int


@attrs.define
class _Book:
    bids: Side = attrs.Factory(dict)
    asks: Side = attrs.Factory(dict)
    update_id: int = _FIRST_UPDATE_ID - 1
    #: (mark, orders version, liquidity version) when last published.
    version: tuple[Decimal, int, int] | None = None
    ladder: tuple[Decimal, Side, Side] | None = None


def _diff(old: Side, new: Side) -> dict[Decimal, Decimal]:
    changes = {p: q for p, q in new.items() if old.get(p) != q}
    changes.update((p, Decimal(0)) for p in old if p not in new)
    return changes


class DepthBooks:
    """The books of every symbol, their update ids and their listeners."""

    def __init__(self, market: Market, engine: Engine) -> None:
        self._market = market
        self._engine = engine
        self._books: dict[str, _Book] = {}
        self._orders_version: dict[str, int] = {}
        self._liquidity: dict[str, tuple[Side, Side]] = {}
        self._liquidity_version: dict[str, int] = {}
        #: Called with every published step.
        self.listeners: list[Callable[[BookDiff], None]] = []
        engine.observers.orders.append(self._order_changed)

    def _order_changed(self, order: Order) -> None:
        symbol = order.symbol
        self._orders_version[symbol] = self._orders_version.get(symbol, 0) + 1

    def set_liquidity(self, symbol: str, side: str, price: Decimal, qty: Decimal) -> None:
        """Scripted resting liquidity at ``price`` on ``side`` (BUY/SELL); qty 0 removes it."""
        spec = self._market.spec(symbol)
        spec.check_price(price)
        bids, asks = self._liquidity.setdefault(symbol, ({}, {}))
        book = bids if side == "BUY" else asks
        if qty:
            book[price] = qty
        else:
            book.pop(price, None)
        self._liquidity_version[symbol] = self._liquidity_version.get(symbol, 0) + 1

    def _ladder(self, book: _Book, spec: SymbolSpec, mark: Decimal) -> tuple[Side, Side]:
        if book.ladder is not None and book.ladder[0] == mark:
            return book.ladder[1], book.ladder[2]
        tick = spec.tick_size
        center = mark.quantize(tick)
        bids: Side = {}
        asks: Side = {}
        unit = spec.min_qty * 10
        for i in range(1, LADDER_LEVELS + 1):
            for price, side in ((center - i * tick, bids), (center + i * tick, asks)):
                if price <= 0:
                    continue
                ticks = int(price / tick)
                side[price] = unit * (1 + (ticks * 7) % 5)
        book.ladder = (mark, bids, asks)
        return bids, asks

    def levels(self, symbol: str) -> tuple[Side, Side]:
        """The book now: (bids, asks) as price -> quantity, unordered."""
        spec = self._market.spec(symbol)
        book = self._books.setdefault(spec.symbol, _Book())
        ladder_bids, ladder_asks = self._ladder(book, spec, self._market.mark(spec.symbol))
        bids, asks = dict(ladder_bids), dict(ladder_asks)
        for order in self._engine.book_orders(spec.symbol):
            if order.type != "LIMIT":
                continue
            side = bids if order.side == "BUY" else asks
            side[order.price] = side.get(order.price, Decimal(0)) + order.qty - order.executed_qty
        extra_bids, extra_asks = self._liquidity.get(spec.symbol, ({}, {}))
        for extra, side in ((extra_bids, bids), (extra_asks, asks)):
            for price, qty in extra.items():
                side[price] = side.get(price, Decimal(0)) + qty
        return bids, asks

    def _version(self, symbol: str) -> tuple[Decimal, int, int]:
        return (
            self._market.mark(symbol),
            self._orders_version.get(symbol, 0),
            self._liquidity_version.get(symbol, 0),
        )

    def flush(self, symbol: str, now_ms: int) -> BookDiff | None:
        """Publish the book's changes since the last flush (None: nothing changed)."""
        book = self._books.setdefault(symbol, _Book())
        version = self._version(symbol)
        if version == book.version:
            return None
        book.version = version
        bids, asks = self.levels(symbol)
        bid_changes, ask_changes = _diff(book.bids, bids), _diff(book.asks, asks)
        if not bid_changes and not ask_changes:
            return None
        previous = book.update_id
        book.update_id = previous + len(bid_changes) + len(ask_changes)
        book.bids, book.asks = bids, asks
        diff = BookDiff(
            symbol=symbol,
            first_id=previous + 1,
            final_id=book.update_id,
            prev_final_id=previous,
            bids=bid_changes,
            asks=ask_changes,
            time_ms=now_ms,
        )
        for listener in self.listeners:
            listener(diff)
        return diff

    def snapshot(
        self, symbol: str, limit: int, now_ms: int
    ) -> tuple[int, list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        """(lastUpdateId, best ``limit`` bids, best ``limit`` asks), published first."""
        self.flush(symbol, now_ms)
        book = self._books[symbol]
        bids = sorted(((p, q) for p, q in book.bids.items() if q > 0), reverse=True)[:limit]
        asks = sorted((p, q) for p, q in book.asks.items() if q > 0)[:limit]
        return book.update_id, bids, asks

    def update_id(self, symbol: str) -> int:
        """The last published update id of ``symbol``."""
        book = self._books.get(symbol)
        return book.update_id if book is not None else _FIRST_UPDATE_ID - 1
