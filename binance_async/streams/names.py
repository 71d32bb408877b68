"""Stream names: their canonical spelling, the 2026 route each is served on, and the event
record each delivers (reference/fapi-rules.md sections 1 and 7).

Book streams (``@depth*``, ``@bookTicker``, ``!bookTicker``, RPI depth) are served under
``/public``; every other market stream under ``/market``; user data under ``/private``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..errors import InvalidRequest
from ..models.events import (
    DEPTH_UPDATE_EVENT,
    MINI_TICKER_EVENT,
    TICKER_EVENT,
    Liquidation,
    RawEvent,
)
from ..models.market import AGG_TRADE_EVENT, BOOK_TICKER_EVENT, Kline, MarkPrice

__all__ = [
    "MARKET",
    "PUBLIC",
    "Factory",
    "canonical",
    "factory",
    "is_agg_trade",
    "is_array",
    "route",
    "split",
]

PUBLIC = "public"
MARKET = "market"

Factory = Callable[[Mapping[str, Any], str], Any]

_MAX_NAME = 200


def canonical(name: str) -> str:
    """``name`` with its symbol part in lower case (``BTCUSDT@aggTrade`` ->
    ``btcusdt@aggTrade``); the event part keeps its case (``kline_1M`` is a month).

    Raises :class:`~binance_async.errors.InvalidRequest` for a name that cannot be one.
    """
    if not isinstance(name, str) or not name or len(name) > _MAX_NAME:
        raise InvalidRequest(f"not a stream name: {name!r}")
    if any(c.isspace() or c in '/?&#"\\' for c in name) or not name.isprintable():
        raise InvalidRequest(f"not a stream name: {name!r}")
    if name.startswith("!"):
        return name  # an all-market stream: !bookTicker, !markPrice@arr@1s ...
    symbol, at, rest = name.partition("@")
    if not at or not rest or not symbol:
        raise InvalidRequest(f"not a stream name (no 'symbol@event'): {name!r}")
    return f"{symbol.lower()}@{rest}"


def _event(name: str) -> str:
    return name[1:] if name.startswith("!") else name.partition("@")[2]


def route(name: str) -> str:
    """``"public"`` for the book streams, ``"market"`` for the others."""
    event = _event(name)
    if event.startswith(("depth", "bookTicker", "rpiDepth")):
        return PUBLIC
    return MARKET


def is_agg_trade(name: str) -> bool:
    """Whether the stream is ``<symbol>@aggTrade`` (backfilled by id after a gap)."""
    return _event(name) == "aggTrade"


def is_array(name: str) -> bool:
    """Whether each message is an array of events (``!markPrice@arr``, ``!ticker@arr`` ...;
    ``!forceOrder@arr`` pushes single events)."""
    return name.startswith("!") and "@arr" in name and not name.startswith("!forceOrder")


def _raw(data: Mapping[str, Any], stream: str) -> RawEvent:
    return RawEvent(stream=stream, raw=data)


def factory(name: str) -> Factory:
    """The constructor of the stream's events: ``(data, stream) -> event``."""
    event = _event(name)
    if event == "aggTrade":
        return AGG_TRADE_EVENT
    if event.startswith("bookTicker"):
        return BOOK_TICKER_EVENT
    if event.startswith(("depth", "rpiDepth")):
        return DEPTH_UPDATE_EVENT
    if event.startswith("markPrice"):
        return MarkPrice.from_event
    if event.startswith(("kline_", "continuousKline_")):
        return Kline.from_event
    if event.startswith("ticker"):
        return TICKER_EVENT
    if event.startswith("miniTicker"):
        return MINI_TICKER_EVENT
    if event.startswith("forceOrder"):
        return Liquidation.from_event
    return _raw


def split(names: Iterable[str], size: int) -> list[list[str]]:
    """``names`` in chunks of at most ``size``."""
    items = list(names)
    return [items[i : i + size] for i in range(0, len(items), size)]
