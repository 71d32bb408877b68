"""Market stream events from the exchange's own state (reference/fapi-rules.md section 7).

- ``<symbol>@aggTrade``: every trade the tape prints, at once (the tape's ids: what REST
  aggTrades answers).
- ``<symbol>@depth`` (250 ms), ``@depth@100ms``, ``@depth@500ms``: the published steps of
  the book (``depthbook.py``) merged over the stream's interval: ``U`` of the first, ``u``
  of the last, ``pu`` the ``u`` before, levels as they stand. ``@depth<N>[@100ms|@500ms]``:
  the best N levels, when the book changed.
- ``<symbol>@bookTicker`` and ``!bookTicker``: the best levels when they changed, with the
  book's update id.
- ``<symbol>@markPrice`` (3 s) / ``@1s``, ``!markPrice@arr[@1s]``: the mark (the index and
  settlement price equal it; funding 0.01 %).
- ``<symbol>@kline_<interval>`` every 250 ms: the open candle from the mark's history and
  the tape, and a last ``x: true`` event when it closes.
- ``<symbol>@ticker``, ``@miniTicker`` (2 s), ``!ticker@arr``, ``!miniTicker@arr`` (1 s).
- Other names are accepted and stay silent (nobody is liquidated: ``forceOrder``).

Intervals are wall time on the host, multiplied by ``interval_scale`` (tests shorten them);
event times are the exchange's clock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Any

from .depthbook import BookDiff
from .klines import INTERVALS, candle_open, next_open
from .market import SymbolSpec
from .render import fmt
from .state import ExchangeState
from .tape import PublicTrade

__all__ = ["MarketFeed"]

Publish = Callable[[str, Any], None]

_DAY_MS = 86_400_000
_HOUR_MS = 3_600_000
_SPEEDS = {"": 0.25, "@100ms": 0.1, "@500ms": 0.5}
_FUNDING = "0.00010000"


def _split(name: str) -> tuple[str, str]:
    symbol, _, event = name.partition("@")
    return symbol.upper(), event


class _Depth:
    """One depth stream's merged changes since it last sent."""

    def __init__(self, interval_s: float, top: int | None) -> None:
        self.interval_s = interval_s
        self.top = top
        self.due_s = 0.0
        self.first_id: int | None = None
        self.prev_id = 0
        self.final_id = 0
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}

    def add(self, diff: BookDiff) -> None:
        if self.first_id is None:
            self.first_id, self.prev_id = diff.first_id, diff.prev_final_id
        self.final_id = diff.final_id
        self.bids.update(diff.bids)
        self.asks.update(diff.asks)


def _depth_stream(event: str) -> tuple[float, int | None] | None:
    """(interval, top N or None for the diff stream) of a depth stream's event part."""
    if not event.startswith("depth"):
        return None
    body, _, speed = event.partition("@")
    speed = f"@{speed}" if speed else ""
    if speed not in _SPEEDS:
        return None
    levels = body[len("depth") :]
    if levels and levels not in ("5", "10", "20"):
        return None
    return _SPEEDS[speed], int(levels) if levels else None


class MarketFeed:
    """Publishes market events for the streams someone is subscribed to."""

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
        self._depth: dict[str, _Depth] = {}
        self._due: dict[str, float] = {}
        self._best: dict[str, tuple[Any, ...]] = {}
        self._candles: dict[str, int] = {}
        state.engine.observers.trades.append(self._trade)
        state.engine.depth.listeners.append(self._book_step)

    # -- events as they happen ---------------------------------------------------------------

    def _trade(self, symbol: str, trade: PublicTrade) -> None:
        name = f"{symbol.lower()}@aggTrade"
        if name not in self._wanted():
            return
        spec = self._state.market.spec(symbol)
        self._publish(
            name,
            {
                "e": "aggTrade",
                "E": self._state.clock.now_ms(),
                "s": symbol,
                "a": trade.agg_id,
                "p": spec.fmt_price(trade.price),
                "q": spec.fmt_qty(trade.qty),
                "f": trade.trade_id,
                "l": trade.trade_id,
                "T": trade.time_ms,
                "m": trade.buyer_maker,
            },
        )

    def _book_step(self, diff: BookDiff) -> None:
        self._depth_streams()
        prefix = f"{diff.symbol.lower()}@"
        for name, depth in self._depth.items():
            if name.startswith(prefix):
                depth.add(diff)

    def _depth_streams(self) -> None:
        """One merger per depth stream someone is subscribed to, from its subscription on."""
        wanted = self._wanted()
        for name in wanted:
            if name not in self._depth:
                kind = _depth_stream(_split(name)[1])
                if kind is not None:
                    self._depth[name] = _Depth(kind[0], kind[1])
        for name in [n for n in self._depth if n not in wanted]:
            del self._depth[name]

    # -- the clock's work ------------------------------------------------------------------

    def tick(self, now_s: float) -> None:
        """Flush the books that someone watches; send whatever is due."""
        wanted = self._wanted()
        state = self._state
        now_ms = state.clock.now_ms()
        symbols = state.market.symbols
        self._depth_streams()
        books = {_split(n)[0] for n in wanted if "@depth" in n or "bookTicker" in n}
        if "!BOOKTICKER" in books:
            books |= set(symbols)
        for symbol in books & set(symbols):
            state.engine.depth.flush(symbol, now_ms)
            self._book_ticker(symbol, now_ms, wanted)
        for name, depth in self._depth.items():
            if now_s >= depth.due_s:
                depth.due_s = now_s + depth.interval_s * self.interval_scale
                self._send_depth(name, depth, now_ms)
        for name in wanted:
            if name in self._depth:
                continue
            period = self._period(name)
            if period is None or now_s < self._due.get(name, 0.0):
                continue
            self._due[name] = now_s + period * self.interval_scale
            self._periodic(name, now_ms)

    def _period(self, name: str) -> float | None:
        event = _split(name)[1]
        if event.startswith("markPrice"):
            return 1.0 if event.endswith("@1s") else 3.0
        if event.startswith("kline_"):
            return 0.25
        if event in ("ticker", "miniTicker"):
            return 2.0
        if name in ("!ticker@arr", "!miniTicker@arr"):
            return 1.0
        if name.startswith("!markPrice@arr"):
            return 1.0 if name.endswith("@1s") else 3.0
        return None

    def _send_depth(self, name: str, depth: _Depth, now_ms: int) -> None:
        if depth.first_id is None:
            return
        symbol = _split(name)[0]
        spec = self._state.market.spec(symbol)
        if depth.top is None:
            bids = sorted(depth.bids.items(), reverse=True)
            asks = sorted(depth.asks.items())
        else:
            _, top_bids, top_asks = self._state.engine.depth.snapshot(symbol, depth.top, now_ms)
            bids, asks = top_bids, top_asks
        self._publish(
            name,
            {
                "e": "depthUpdate",
                "E": now_ms,
                "T": now_ms,
                "s": symbol,
                "U": depth.first_id,
                "u": depth.final_id,
                "pu": depth.prev_id,
                "b": [[spec.fmt_price(p), spec.fmt_qty(q)] for p, q in bids],
                "a": [[spec.fmt_price(p), spec.fmt_qty(q)] for p, q in asks],
            },
        )
        depth.first_id = None
        depth.bids, depth.asks = {}, {}

    def _book_ticker(self, symbol: str, now_ms: int, wanted: Collection[str]) -> None:
        names = [n for n in (f"{symbol.lower()}@bookTicker", "!bookTicker") if n in wanted]
        if not names:
            return
        update_id, bids, asks = self._state.engine.depth.snapshot(symbol, 1, now_ms)
        if not bids or not asks:
            return
        best = (bids[0], asks[0])
        if self._best.get(symbol) == best:
            return
        self._best[symbol] = best
        spec = self._state.market.spec(symbol)
        event = {
            "e": "bookTicker",
            "u": update_id,
            "E": now_ms,
            "T": now_ms,
            "s": symbol,
            "b": spec.fmt_price(bids[0][0]),
            "B": spec.fmt_qty(bids[0][1]),
            "a": spec.fmt_price(asks[0][0]),
            "A": spec.fmt_qty(asks[0][1]),
        }
        for name in names:
            self._publish(name, event)

    # -- periodic streams ------------------------------------------------------------------

    def _periodic(self, name: str, now_ms: int) -> None:
        market = self._state.market
        if name.startswith("!"):
            specs = list(market.symbols.values())
            if name.startswith("!markPrice"):
                self._publish(name, [self._mark(s, now_ms) for s in specs])
            elif name == "!ticker@arr":
                self._publish(name, [self._ticker(s, now_ms, mini=False) for s in specs])
            elif name == "!miniTicker@arr":
                self._publish(name, [self._ticker(s, now_ms, mini=True) for s in specs])
            return
        symbol, event = _split(name)
        spec = market.symbols.get(symbol)
        if spec is None:
            return
        if event.startswith("markPrice"):
            self._publish(name, self._mark(spec, now_ms))
        elif event.startswith("kline_"):
            interval = event[len("kline_") :]
            if interval in INTERVALS:
                self._kline(name, spec, interval, now_ms)
        elif event in ("ticker", "miniTicker"):
            self._publish(name, self._ticker(spec, now_ms, mini=event == "miniTicker"))

    def _mark(self, spec: SymbolSpec, now_ms: int) -> dict[str, Any]:
        mark = f"{self._state.market.mark(spec.symbol):.8f}"
        period = spec.funding_interval_hours * _HOUR_MS
        return {
            "e": "markPriceUpdate",
            "E": now_ms,
            "s": spec.symbol,
            "p": mark,
            "i": mark,
            "P": mark,
            "r": _FUNDING,
            "T": (now_ms // period + 1) * period,
        }

    def _candle(self, spec: SymbolSpec, open_ms: int, close_ms: int, now_ms: int) -> dict[str, Any]:
        market, tape = self._state.market, self._state.engine.tape
        symbol = spec.symbol
        until = min(close_ms, now_ms)
        first, last = market.mark_at(symbol, open_ms), market.mark_at(symbol, until)
        prices = [first, last, *market.marks_between(symbol, open_ms, until)]
        trades = tape.between(symbol, open_ms, until)
        takers = [t for t in trades if not t.buyer_maker]
        return {
            "t": open_ms,
            "T": close_ms,
            "s": symbol,
            "f": trades[0].trade_id if trades else -1,
            "L": trades[-1].trade_id if trades else -1,
            "o": spec.fmt_price(first),
            "c": spec.fmt_price(last),
            "h": spec.fmt_price(max(prices)),
            "l": spec.fmt_price(min(prices)),
            "v": spec.fmt_qty(sum((t.qty for t in trades), Decimal(0))),
            "n": len(trades),
            "x": close_ms < now_ms,
            "q": fmt(sum((t.quote_qty for t in trades), Decimal(0))),
            "V": spec.fmt_qty(sum((t.qty for t in takers), Decimal(0))),
            "Q": fmt(sum((t.quote_qty for t in takers), Decimal(0))),
            "B": "0",
        }

    def _kline(self, name: str, spec: SymbolSpec, interval: str, now_ms: int) -> None:
        open_ms = candle_open(interval, now_ms)
        previous = self._candles.get(name)
        if previous is not None and previous < open_ms:
            close = next_open(interval, previous) - 1
            k = self._candle(spec, previous, close, now_ms) | {"i": interval}
            self._publish(name, {"e": "kline", "E": now_ms, "s": spec.symbol, "k": k})
        self._candles[name] = open_ms
        k = self._candle(spec, open_ms, next_open(interval, open_ms) - 1, now_ms) | {"i": interval}
        self._publish(name, {"e": "kline", "E": now_ms, "s": spec.symbol, "k": k})

    def _ticker(self, spec: SymbolSpec, now_ms: int, *, mini: bool) -> dict[str, Any]:
        market, tape = self._state.market, self._state.engine.tape
        symbol = spec.symbol
        start = now_ms - _DAY_MS
        last, first = market.mark(symbol), market.mark_at(symbol, start)
        prices = [first, last, *market.marks_between(symbol, start, now_ms)]
        trades = tape.between(symbol, start, now_ms)
        volume = sum((t.qty for t in trades), Decimal(0))
        quote = sum((t.quote_qty for t in trades), Decimal(0))
        event: dict[str, Any] = {
            "e": "24hrMiniTicker" if mini else "24hrTicker",
            "E": now_ms,
            "s": symbol,
            "c": spec.fmt_price(last),
            "o": spec.fmt_price(first),
            "h": spec.fmt_price(max(prices)),
            "l": spec.fmt_price(min(prices)),
            "v": spec.fmt_qty(volume),
            "q": fmt(quote),
        }
        if mini:
            return event
        change = last - first
        return event | {
            "p": spec.fmt_price(change),
            "P": f"{change / first * 100:.3f}",
            "w": spec.fmt_price(quote / volume if volume else last),
            "Q": spec.fmt_qty(trades[-1].qty if trades else Decimal(0)),
            "O": start,
            "C": now_ms,
            "F": trades[0].trade_id if trades else -1,
            "L": trades[-1].trade_id if trades else -1,
            "n": len(trades),
        }
