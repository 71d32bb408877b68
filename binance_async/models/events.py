"""Market stream events, and the gap marker every stream yields when data may be missing.

A stream delivers the records of :mod:`.market` where the REST API has the same thing
(:class:`~.market.AggTrade`, :class:`~.market.BookTicker`, :class:`~.market.MarkPrice`,
:class:`~.market.Kline`: one type whether it came over REST or a stream) and the records
here for what only streams carry. The busy ones (depth updates, tickers) keep the event as
``raw`` and convert a field when it is read: a consumer pays for the Decimals it uses, not
for every field of every message (reading a field twice converts it twice). Times are
integers of milliseconds named ``*_ms``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .fields import event_builder, to_dec, to_int, to_opt_int, to_str

__all__ = [
    "DepthUpdate",
    "Liquidation",
    "MiniTicker",
    "RawEvent",
    "StreamGap",
    "Ticker",
]

Level = tuple[Decimal, Decimal]


def _levels(value: Sequence[Sequence[str]]) -> tuple[Level, ...]:
    return tuple((Decimal(price), Decimal(qty)) for price, qty in value)


@attrs.frozen(kw_only=True, slots=True, repr=False)
class DepthUpdate:
    """A ``depthUpdate`` (diff depth ``<symbol>@depth[@100ms|@500ms]``, or a partial book
    ``<symbol>@depth<N>``): levels with absolute quantities, 0 removing a level.

    ``first_update_id`` (``U``), ``final_update_id`` (``u``) and ``prev_final_update_id``
    (``pu``) chain the updates: each one's ``pu`` is the previous one's ``u``.
    """

    symbol: str
    raw: Mapping[str, Any]
    stream: str | None = None

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> DepthUpdate:
        """Build from a ``depthUpdate`` event (nothing is converted yet)."""
        return DEPTH_UPDATE_EVENT(data, stream)

    @property
    def first_update_id(self) -> int:
        """``U``: the first update id in this event."""
        return to_int(self.raw["U"])

    @property
    def final_update_id(self) -> int:
        """``u``: the last update id in this event."""
        return to_int(self.raw["u"])

    @property
    def prev_final_update_id(self) -> int | None:
        """``pu``: the previous event's ``u``; None where the venue sends none (Spot, whose
        events chain by ``U`` = the previous ``u`` + 1)."""
        pu = self.raw.get("pu")
        return None if pu is None else to_int(pu)

    @property
    def bids(self) -> tuple[Level, ...]:
        """Changed bid levels as (price, qty); qty 0 removes the level."""
        return _levels(self.raw["b"])

    @property
    def asks(self) -> tuple[Level, ...]:
        """Changed ask levels as (price, qty); qty 0 removes the level."""
        return _levels(self.raw["a"])

    @property
    def event_time_ms(self) -> int:
        """The event time."""
        return to_int(self.raw["E"])

    @property
    def transaction_time_ms(self) -> int | None:
        """The transaction time."""
        return to_opt_int(self.raw.get("T"))

    def __repr__(self) -> str:
        raw = self.raw
        return (
            f"DepthUpdate(symbol={self.symbol!r}, U={raw.get('U')!r}, u={raw.get('u')!r}, "
            f"pu={raw.get('pu')!r}, bids={len(raw.get('b', ()))}, asks={len(raw.get('a', ()))})"
        )


class _DayStats:
    """What a ticker and a mini ticker share, read from ``raw`` when asked."""

    __slots__ = ()
    raw: Mapping[str, Any]

    @property
    def open_price(self) -> Decimal:
        """Open price (``o``)."""
        return to_dec(self.raw["o"])

    @property
    def high_price(self) -> Decimal:
        """High price (``h``)."""
        return to_dec(self.raw["h"])

    @property
    def low_price(self) -> Decimal:
        """Low price (``l``)."""
        return to_dec(self.raw["l"])

    @property
    def volume(self) -> Decimal:
        """Base asset volume (``v``)."""
        return to_dec(self.raw["v"])

    @property
    def quote_volume(self) -> Decimal:
        """Quote asset volume (``q``)."""
        return to_dec(self.raw["q"])

    @property
    def event_time_ms(self) -> int:
        """The event time."""
        return to_int(self.raw["E"])


@attrs.frozen(kw_only=True, slots=True, repr=False)
class Ticker(_DayStats):
    """A ``24hrTicker`` (``<symbol>@ticker``, ``!ticker@arr``): rolling 24 hour statistics."""

    symbol: str
    raw: Mapping[str, Any]
    stream: str | None = None

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> Ticker:
        """Build from a ``24hrTicker`` event (nothing is converted yet)."""
        return TICKER_EVENT(data, stream)

    @property
    def price_change(self) -> Decimal:
        """Change of the last price over 24 h (``p``)."""
        return to_dec(self.raw["p"])

    @property
    def price_change_percent(self) -> Decimal:
        """Change in percent (``P``)."""
        return to_dec(self.raw["P"])

    @property
    def weighted_avg_price(self) -> Decimal:
        """Volume-weighted average price (``w``)."""
        return to_dec(self.raw["w"])

    @property
    def last_price(self) -> Decimal:
        """Last price (``c``)."""
        return to_dec(self.raw["c"])

    @property
    def last_qty(self) -> Decimal:
        """Last quantity (``Q``)."""
        return to_dec(self.raw["Q"])

    @property
    def open_time_ms(self) -> int:
        """Statistics open time (``O``)."""
        return to_int(self.raw["O"])

    @property
    def close_time_ms(self) -> int:
        """Statistics close time (``C``)."""
        return to_int(self.raw["C"])

    @property
    def first_id(self) -> int:
        """First trade id (``F``)."""
        return to_int(self.raw["F"])

    @property
    def last_id(self) -> int:
        """Last trade id (``L``)."""
        return to_int(self.raw["L"])

    @property
    def count(self) -> int:
        """Number of trades (``n``)."""
        return to_int(self.raw["n"])

    def __repr__(self) -> str:
        return f"Ticker(symbol={self.symbol!r}, last={self.raw.get('c')!r})"


@attrs.frozen(kw_only=True, slots=True, repr=False)
class MiniTicker(_DayStats):
    """A ``24hrMiniTicker`` (``<symbol>@miniTicker``, ``!miniTicker@arr``)."""

    symbol: str
    raw: Mapping[str, Any]
    stream: str | None = None

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> MiniTicker:
        """Build from a ``24hrMiniTicker`` event (nothing is converted yet)."""
        return MINI_TICKER_EVENT(data, stream)

    @property
    def close_price(self) -> Decimal:
        """Close (last) price (``c``)."""
        return to_dec(self.raw["c"])

    def __repr__(self) -> str:
        return f"MiniTicker(symbol={self.symbol!r}, close={self.raw.get('c')!r})"


@attrs.frozen(kw_only=True, slots=True)
class Liquidation:
    """A ``forceOrder`` event (``<symbol>@forceOrder``, ``!forceOrder@arr``): the latest
    liquidation order of a symbol in each 1 s snapshot."""

    symbol: str
    side: str
    type: str
    time_in_force: str
    qty: Decimal
    price: Decimal
    avg_price: Decimal
    status: str
    last_filled_qty: Decimal
    filled_qty: Decimal
    trade_time_ms: int
    event_time_ms: int
    stream: str | None = None
    raw: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> Liquidation:
        """Build from a ``forceOrder`` event (its ``o`` object)."""
        o = data["o"]
        return cls(
            symbol=to_str(o["s"]),
            side=to_str(o["S"]),
            type=to_str(o["o"]),
            time_in_force=to_str(o["f"]),
            qty=to_dec(o["q"]),
            price=to_dec(o["p"]),
            avg_price=to_dec(o["ap"]),
            status=to_str(o["X"]),
            last_filled_qty=to_dec(o["l"]),
            filled_qty=to_dec(o["z"]),
            trade_time_ms=to_int(o["T"]),
            event_time_ms=to_int(data["E"]),
            stream=stream,
            raw=data,
        )


@attrs.frozen(kw_only=True, slots=True)
class RawEvent:
    """An event of a stream this library does not model (``compositeIndex``,
    ``contractInfo``, ``assetIndex`` ...): its JSON, as received."""

    stream: str | None
    raw: Any = attrs.field(repr=False)

    @property
    def event_type(self) -> str | None:
        """The event's ``e``, when it has one."""
        raw = self.raw
        return raw.get("e") if isinstance(raw, Mapping) else None


@attrs.frozen(kw_only=True, slots=True)
class StreamGap:
    """Events of ``stream`` may be missing between ``start_ms`` and ``end_ms`` (the
    exchange's time, as the client estimates it or as the events around the gap say).

    ``reason``: ``"reconnect"`` (the connection was lost and replaced), ``"overflow"`` (the
    consumer fell behind and ``dropped`` events were dropped from the bounded queue, oldest
    first) or ``"backfill"`` (a backfill over REST failed). Aggregate trades are backfilled
    and order books resynchronised instead of reporting a gap; the user data stream reports
    one after each reconnect, once its account mirror has been re-read.
    """

    stream: str
    reason: str
    start_ms: int | None
    end_ms: int | None
    dropped: int = 0


#: ``(data, stream) -> event`` constructors of the busy streams (they fill the slots directly).
DEPTH_UPDATE_EVENT = event_builder(DepthUpdate)
TICKER_EVENT = event_builder(Ticker)
MINI_TICKER_EVENT = event_builder(MiniTicker)
