"""Spot's market stream events from the Spot exchange's own state (Binance Spot
web-socket-streams.md), read on each tick of the stream server.

- ``<symbol>@trade`` and ``@aggTrade``: every print of the tape, once, in order (the tape's
  ids: what REST ``trades`` and ``aggTrades`` answer).
- ``<symbol>@depth`` (1000 ms) and ``@depth@100ms``: ``depthUpdate`` with ``U`` and ``u``,
  no ``pu``: the change of the best :data:`BOOK_LEVELS` levels a side since the last event
  (levels leaving them sent with quantity 0). Update ids are the exchange's milliseconds, as
  REST depth's ``lastUpdateId``: a snapshot at ``t`` is the book as of id ``t``.
- ``<symbol>@depth<5|10|20>[@100ms]``: ``{"lastUpdateId", "bids", "asks"}``.
- ``<symbol>@bookTicker``: ``{"u", "s", "b", "B", "a", "A"}`` when the best levels change.
- ``<symbol>@avgPrice``, ``@ticker``, ``@miniTicker``, ``@kline_<interval>``: every second
  (a kline every 2 s but for ``1s``), from the price history and the tape.
- Other names are accepted and stay silent.

Intervals are wall time on the host, multiplied by ``interval_scale``; event times are the
exchange's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Any

from ..errors import ApiError
from ..klines import candle_open, next_open
from ..state import ExchangeState
from ..tape import PublicTrade
from .exchange import SpotExchange
from .marketdata import levels
from .symbols import SpotSymbol, fmt8

__all__ = ["BOOK_LEVELS", "SpotMarketFeed"]

Publish = Callable[[str, Any], None]
Side = dict[Decimal, Decimal]

#: Levels a side the depth streams follow (REST depth's default limit is 100; 5000 at most).
BOOK_LEVELS = 1000
_DAY_MS = 86_400_000
_SPEEDS = {"": 1.0, "@100ms": 0.1}
_PARTIAL = ("5", "10", "20")
_KLINES = frozenset(
    {"1s", "1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h", "1d", "3d"}
    | {"1w", "1M"}
)


def _split(name: str) -> tuple[str, str]:
    symbol, _, event = name.partition("@")
    return symbol.upper(), event


def _wire(side: Collection[tuple[Decimal, Decimal]]) -> list[list[str]]:
    return [[fmt8(p), fmt8(q)] for p, q in side]


class _Book:
    """One symbol's book as the diff streams last showed it."""

    def __init__(self, bids: Side, asks: Side, update_id: int) -> None:
        self.bids, self.asks, self.update_id = bids, asks, update_id


class SpotMarketFeed:
    """Publishes the Spot market streams someone is subscribed to."""

    def __init__(
        self,
        state: ExchangeState,
        publish: Publish,
        wanted: Callable[[], Collection[str]],
        *,
        interval_scale: float = 1.0,
    ) -> None:
        self._state = state
        self._publish = publish
        self._wanted = wanted
        self.interval_scale = interval_scale
        self._due: dict[str, float] = {}
        self._printed: dict[str, int] = {}  # stream -> trades of the tape already sent
        self._books: dict[tuple[str, str], _Book] = {}  # (symbol, speed) -> last sent book
        self._best: dict[str, tuple[Any, ...]] = {}

    @property
    def exchange(self) -> SpotExchange:
        """The Spot exchange (a new one after ``Simulator.reset``)."""
        return self._state.spot.exchange

    def subscribed(self, names: Collection[str]) -> None:
        """Trade streams newly subscribed carry the prints from now on."""
        for name in names:
            symbol, event = _split(name)
            if event in ("trade", "aggTrade") and name not in self._printed:
                self._printed[name] = len(self.exchange.tape.trades(symbol))
            speed = event[len("depth") :]
            if event.startswith("depth") and speed in _SPEEDS:
                self._baseline(symbol, speed)

    def _baseline(self, symbol: str, speed: str) -> _Book | None:
        """The book a diff stream's next event starts from (made now if none is)."""
        key = (symbol, speed)
        book = self._books.get(key)
        if book is None:
            try:
                spec = self.exchange.spec(symbol)
            except ApiError:
                return None
            bids, asks = levels(self.exchange, spec, BOOK_LEVELS)
            book = self._books[key] = _Book(dict(bids), dict(asks), self._state.clock.now_ms())
        return book

    def tick(self, now_s: float) -> None:
        """Send whatever is due for the streams someone watches."""
        now_ms = self._state.clock.now_ms()
        wanted = set(self._wanted())
        for name in list(self._printed):
            if name not in wanted:
                del self._printed[name]  # a new subscriber starts from now
        for key in list(self._books):
            if not any(n.startswith(f"{key[0].lower()}@depth{key[1]}") for n in wanted):
                del self._books[key]
        for name in sorted(wanted):
            symbol, event = _split(name)
            try:
                spec = self.exchange.spec(symbol)
            except ApiError:
                continue  # not a Spot symbol: silent
            self._one(name, spec, event, now_s, now_ms)

    def _one(self, name: str, spec: SpotSymbol, event: str, now_s: float, now_ms: int) -> None:
        if event in ("trade", "aggTrade"):
            self._trades(name, spec.symbol, event, now_ms)
        elif event == "bookTicker":
            self._book_ticker(name, spec, now_ms)
        elif event.startswith("depth"):
            body, _, speed = event.partition("@")
            speed = f"@{speed}" if speed else ""
            levels_part = body[len("depth") :]
            if speed not in _SPEEDS or (levels_part and levels_part not in _PARTIAL):
                return
            if self._is_due(name, _SPEEDS[speed], now_s):
                if levels_part:
                    self._partial(name, spec, int(levels_part), now_ms)
                else:
                    self._diff(name, spec, speed, now_ms)
        elif event in ("avgPrice", "ticker", "miniTicker"):
            if self._is_due(name, 1.0, now_s):
                self._stats(name, spec, event, now_ms)
        elif event.startswith("kline_") and event[len("kline_") :] in _KLINES:
            interval = event[len("kline_") :]
            if self._is_due(name, 1.0 if interval == "1s" else 2.0, now_s):
                self._kline(name, spec, interval, now_ms)

    def _is_due(self, name: str, interval_s: float, now_s: float) -> bool:
        due = self._due.get(name)
        if due is not None and now_s < due:
            return False
        self._due[name] = now_s + interval_s * self.interval_scale
        return True

    # -- events ---------------------------------------------------------------------------

    def _trades(self, name: str, symbol: str, event: str, now_ms: int) -> None:
        tape = self.exchange.tape.trades(symbol)
        sent = self._printed.get(name)
        self._printed[name] = len(tape)
        if sent is None:
            return  # subscribed now: from the next print on
        for t in tape[sent:]:
            self._publish(name, _trade_event(symbol, event, t, now_ms))

    def _book_ticker(self, name: str, spec: SpotSymbol, now_ms: int) -> None:
        bids, asks = levels(self.exchange, spec, 1)
        best = (bids[0] if bids else None, asks[0] if asks else None)
        if self._best.get(name) == best:
            return
        self._best[name] = best
        bid, ask = best
        self._publish(
            name,
            {
                "u": now_ms,
                "s": spec.symbol,
                "b": fmt8(bid[0]) if bid else "0.00000000",
                "B": fmt8(bid[1]) if bid else "0.00000000",
                "a": fmt8(ask[0]) if ask else "0.00000000",
                "A": fmt8(ask[1]) if ask else "0.00000000",
            },
        )

    def _partial(self, name: str, spec: SpotSymbol, top: int, now_ms: int) -> None:
        bids, asks = levels(self.exchange, spec, top)
        self._publish(name, {"lastUpdateId": now_ms, "bids": _wire(bids), "asks": _wire(asks)})

    def _diff(self, name: str, spec: SpotSymbol, speed: str, now_ms: int) -> None:
        bid_list, ask_list = levels(self.exchange, spec, BOOK_LEVELS)
        bids, asks = dict(bid_list), dict(ask_list)
        key = (spec.symbol, speed)
        last = self._books.get(key)
        if last is None:
            self._books[key] = _Book(bids, asks, now_ms)
            return  # the book as of now: changes are sent from here on
        changed_bids, changed_asks = _changes(last.bids, bids), _changes(last.asks, asks)
        if not changed_bids and not changed_asks:
            return
        final = max(now_ms, last.update_id + 1)
        self._books[key] = _Book(bids, asks, final)
        self._publish(
            name,
            {
                "e": "depthUpdate",
                "E": now_ms,
                "s": spec.symbol,
                "U": last.update_id + 1,
                "u": final,
                "b": _wire(changed_bids),
                "a": _wire(changed_asks),
            },
        )

    def _window(self, symbol: str, open_ms: int, now_ms: int) -> dict[str, Any]:
        ex = self.exchange
        first, last = ex.price_at(symbol, open_ms), ex.price(symbol)
        prices = [first, last, *ex.prices_between(symbol, open_ms, now_ms)]
        printed = ex.tape.between(symbol, open_ms, now_ms)
        return {
            "open": first,
            "close": last,
            "high": max(prices),
            "low": min(prices),
            "volume": sum((t.qty for t in printed), Decimal(0)),
            "quote": sum((t.quote_qty for t in printed), Decimal(0)),
            "trades": printed,
        }

    def _stats(self, name: str, spec: SpotSymbol, event: str, now_ms: int) -> None:
        symbol = spec.symbol
        if event == "avgPrice":
            last = self.exchange.tape.last(symbol)
            self._publish(
                name,
                {
                    "e": "avgPrice",
                    "E": now_ms,
                    "s": symbol,
                    "i": f"{spec.avg_price_mins}m",
                    "w": fmt8(self.exchange.price(symbol)),
                    "T": now_ms if last is None else last.time_ms,
                },
            )
            return
        w = self._window(symbol, now_ms - _DAY_MS, now_ms)
        body: dict[str, Any] = {
            "e": "24hrMiniTicker" if event == "miniTicker" else "24hrTicker",
            "E": now_ms,
            "s": symbol,
        }
        if event == "ticker":
            change = w["close"] - w["open"]
            bids, asks = levels(self.exchange, spec, 1)
            trades: list[PublicTrade] = w["trades"]
            body.update(
                {
                    "p": fmt8(change),
                    "P": f"{change / w['open'] * 100:.3f}",
                    "w": fmt8(w["quote"] / w["volume"] if w["volume"] else w["close"]),
                    "x": fmt8(w["open"]),
                    "Q": fmt8(trades[-1].qty if trades else Decimal(0)),
                    "b": fmt8(bids[0][0]),
                    "B": fmt8(bids[0][1]),
                    "a": fmt8(asks[0][0]),
                    "A": fmt8(asks[0][1]),
                    "O": now_ms - _DAY_MS,
                    "C": now_ms,
                    "F": trades[0].trade_id if trades else -1,
                    "L": trades[-1].trade_id if trades else -1,
                    "n": len(trades),
                }
            )
        body.update(
            {
                "c": fmt8(w["close"]),
                "o": fmt8(w["open"]),
                "h": fmt8(w["high"]),
                "l": fmt8(w["low"]),
                "v": fmt8(w["volume"]),
                "q": fmt8(w["quote"]),
            }
        )
        self._publish(name, body)

    def _kline(self, name: str, spec: SpotSymbol, interval: str, now_ms: int) -> None:
        symbol = spec.symbol
        if interval == "1s":
            open_ms = now_ms - now_ms % 1000
            close_ms = open_ms + 999
        else:
            open_ms = candle_open(interval, now_ms)
            close_ms = next_open(interval, open_ms) - 1
        w = self._window(symbol, open_ms, now_ms)
        trades: list[PublicTrade] = w["trades"]
        taker_buys = [t for t in trades if not t.buyer_maker]
        self._publish(
            name,
            {
                "e": "kline",
                "E": now_ms,
                "s": symbol,
                "k": {
                    "t": open_ms,
                    "T": close_ms,
                    "s": symbol,
                    "i": interval,
                    "f": trades[0].trade_id if trades else -1,
                    "L": trades[-1].trade_id if trades else -1,
                    "o": fmt8(w["open"]),
                    "c": fmt8(w["close"]),
                    "h": fmt8(w["high"]),
                    "l": fmt8(w["low"]),
                    "v": fmt8(w["volume"]),
                    "n": len(trades),
                    "x": False,
                    "q": fmt8(w["quote"]),
                    "V": fmt8(sum((t.qty for t in taker_buys), Decimal(0))),
                    "Q": fmt8(sum((t.quote_qty for t in taker_buys), Decimal(0))),
                    "B": "0",
                },
            },
        )


def _trade_event(symbol: str, event: str, t: PublicTrade, now_ms: int) -> dict[str, Any]:
    if event == "trade":
        return {
            "e": "trade",
            "E": now_ms,
            "s": symbol,
            "t": t.trade_id,
            "p": fmt8(t.price),
            "q": fmt8(t.qty),
            "T": t.time_ms,
            "m": t.buyer_maker,
            "M": True,
        }
    return {
        "e": "aggTrade",
        "E": now_ms,
        "s": symbol,
        "a": t.agg_id,
        "p": fmt8(t.price),
        "q": fmt8(t.qty),
        "f": t.trade_id,
        "l": t.trade_id,
        "T": t.time_ms,
        "m": t.buyer_maker,
        "M": True,
    }


def _changes(before: Side, after: Side) -> list[tuple[Decimal, Decimal]]:
    """Levels whose quantity changed, 0 for those gone, in price order."""
    out = [(p, q) for p, q in after.items() if before.get(p) != q]
    out += [(p, Decimal(0)) for p in before if p not in after]
    return sorted(out)
