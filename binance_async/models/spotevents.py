"""Spot's stream events that no REST answer shares: ``<symbol>@trade`` and
``<symbol>@avgPrice`` (Binance Spot web-socket-streams.md). Fields are read from ``raw`` when
asked for, as for the other busy streams (:mod:`.events`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .fields import event_builder, to_bool, to_int, to_opt_int, to_str

__all__ = ["AvgPriceEvent", "TradeEvent"]


@attrs.frozen(kw_only=True, slots=True, repr=False)
class TradeEvent:
    """One trade (``<symbol>@trade``): ``t p q T m`` (Spot)."""

    symbol: str
    raw: Mapping[str, Any]
    stream: str | None = None

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> TradeEvent:
        """Build from a ``trade`` event (nothing is converted yet)."""
        return TRADE_EVENT(data, stream)

    @property
    def trade_id(self) -> int:
        """The trade id (consecutive per symbol)."""
        return to_int(self.raw["t"])

    @property
    def price(self) -> Decimal:
        """The price."""
        return Decimal(self.raw["p"])

    @property
    def qty(self) -> Decimal:
        """The quantity."""
        return Decimal(self.raw["q"])

    @property
    def time_ms(self) -> int:
        """The trade time."""
        return to_int(self.raw["T"])

    @property
    def is_buyer_maker(self) -> bool:
        """True when the buyer was the maker."""
        return to_bool(self.raw["m"])

    @property
    def event_time_ms(self) -> int | None:
        """The event time."""
        return to_opt_int(self.raw.get("E"))

    def __repr__(self) -> str:
        raw = self.raw
        return (
            f"TradeEvent(symbol={self.symbol!r}, trade_id={raw.get('t')!r}, "
            f"price={raw.get('p')!r}, qty={raw.get('q')!r})"
        )


@attrs.frozen(kw_only=True, slots=True, repr=False)
class AvgPriceEvent:
    """The average price over the symbol's window (``<symbol>@avgPrice``: ``i w T``)."""

    symbol: str
    raw: Mapping[str, Any]
    stream: str | None = None

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> AvgPriceEvent:
        """Build from an ``avgPrice`` event (nothing is converted yet)."""
        return AVG_PRICE_EVENT(data, stream)

    @property
    def interval(self) -> str:
        """The averaging window (``"5m"``)."""
        return to_str(self.raw["i"])

    @property
    def price(self) -> Decimal:
        """The average price."""
        return Decimal(self.raw["w"])

    @property
    def last_trade_time_ms(self) -> int:
        """The last trade's time."""
        return to_int(self.raw["T"])

    @property
    def event_time_ms(self) -> int | None:
        """The event time."""
        return to_opt_int(self.raw.get("E"))

    def __repr__(self) -> str:
        return f"AvgPriceEvent(symbol={self.symbol!r}, price={self.raw.get('w')!r})"


#: ``(data, stream) -> event`` constructors (they fill the slots directly).
TRADE_EVENT = event_builder(TradeEvent)
AVG_PRICE_EVENT = event_builder(AvgPriceEvent)
