"""Spot's market streams, owned by the client: ``async with client.stream("btcusdt@trade")``
and ``async with client.order_book("BTCUSDT")`` (Binance Spot web-socket-streams.md).

The venue-neutral stream core (:mod:`binance_async.streams`) carries them: one connection per
1024 streams at the streams host (``wss://stream.binance.com:9443``, or ``stream_url``),
SUBSCRIBE messages paced under Spot's 5 incoming messages a second, rotation before the 24 h
close, aggregate trades backfilled from ``GET /api/v3/aggTrades?fromId=`` after a gap. Spot's
events: ``trade`` (:class:`~binance_async.TradeEvent`), ``aggTrade``, ``bookTicker``, ``depth``
diffs (``U``/``u``, no ``pu``: each event's ``U`` follows the previous ``u``), partial books
``depth<N>`` (:class:`~binance_async.Depth`), ``kline_<interval>``, ``ticker``,
``miniTicker`` and ``avgPrice`` (:class:`~binance_async.AvgPriceEvent`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..client import ClientBase
from ..models.market import AggTrade, Depth
from ..models.spotevents import AVG_PRICE_EVENT, TRADE_EVENT
from ..streams import names
from ..venues.spot import market as ep

if TYPE_CHECKING:  # the stream modules (and aiohttp) load on the first stream (import time)
    from ..streams.book import OrderBook
    from ..streams.market import MarketStream

__all__ = ["SPOT_BOOK_SPEEDS", "Streams", "spot_factory"]

_BACKFILL_LIMIT = 1000
#: Spot's diff depth streams: ``@depth`` every second, ``@depth@100ms``.
SPOT_BOOK_SPEEDS: Mapping[str, str] = {"1000ms": "", "100ms": "@100ms"}


def _partial_book(data: Mapping[str, Any], stream: str | None) -> Depth:
    return Depth.from_payload(data)


def spot_factory(name: str) -> names.Factory:
    """The constructor of a Spot stream's events: ``(data, stream) -> event``."""
    event = name[1:] if name.startswith("!") else name.partition("@")[2]
    if event == "trade":
        return TRADE_EVENT
    if event == "avgPrice":
        return AVG_PRICE_EVENT
    body = event.partition("@")[0]
    if body.startswith("depth") and body[len("depth") :].isdigit():
        return _partial_book  # depth5/10/20: {"lastUpdateId", "bids", "asks"}
    return names.factory(name)


class Streams(ClientBase):
    """Spot's ``stream`` and ``order_book``."""

    def stream(self, *stream_names: str) -> MarketStream:
        """Spot market streams by name (``"btcusdt@trade"``, ``"btcusdt@depth@100ms"``,
        ``"btcusdt@avgPrice"``, ``"!miniTicker@arr"`` ...): ``async with client.stream(...)
        as stream: async for event in stream``. Aggregate trades are backfilled over REST
        after a gap; other streams report a :class:`~binance_async.StreamGap`.

        Raises :class:`~binance_async.errors.InvalidRequest` for a malformed name or a client
        without stream URLs (a custom ``base_url`` needs ``stream_url``).
        """
        from ..streams.market import MarketStream

        return MarketStream(
            self._stream_hub,
            stream_names,
            fetch_agg_trades=self._agg_trades_from,
            factory=spot_factory,
        )

    def order_book(self, symbol: str, *, limit: int = 1000, speed: str = "100ms") -> OrderBook:
        """A local order book of ``symbol``, kept exact from a REST snapshot (``limit``
        levels, up to 5000) and the diff stream (``speed``: "100ms" or "1000ms").

        Raises :class:`~binance_async.errors.InvalidRequest` for a client without stream
        URLs, ``ValueError`` for a bad speed.
        """
        from ..streams.book import OrderBook

        return OrderBook(
            self._stream_hub,
            symbol,
            fetch=self._depth_snapshot,
            limit=limit,
            speed=speed,
            speeds=SPOT_BOOK_SPEEDS,
        )

    async def _agg_trades_from(self, symbol: str, from_id: int) -> Sequence[AggTrade]:
        trades: list[AggTrade] = await self._read(
            ep.AGG_TRADES, symbol=symbol, from_id=from_id, limit=_BACKFILL_LIMIT
        )
        return trades

    async def _depth_snapshot(self, symbol: str, limit: int) -> Depth:
        depth: Depth = await self._read(ep.DEPTH, symbol=symbol, limit=limit)
        return depth
