"""Market streams: ``async with client.stream("btcusdt@aggTrade", ...) as stream``.

One :class:`MarketStream` may need several connections: on a venue that serves the book
streams apart (USD-M: ``/public``, the others on ``/market``; the paths are the venue's
:class:`~binance_async.venue.StreamPaths`) one per route, and at most
``max_streams_per_connection`` per connection (each a
:class:`~.link.Link`). Every connection puts its messages, undecoded, into one bounded queue;
the consumer's iteration decodes them. So a slow consumer never slows the reading: when the
queue is full the oldest message is dropped and counted, and the consumer is told where.

What the consumer sees, per stream, in order:

- the stream's events (:mod:`binance_async.models.events`, and the REST records
  :class:`~binance_async.models.market.AggTrade`, ``BookTicker``, ``MarkPrice``, ``Kline``);
- for ``<symbol>@aggTrade``, every aggregate trade exactly once and in id order: a trade id
  seen again is dropped, and a jump in the ids (after a reconnect, or messages dropped from a
  full queue) is filled over REST (``GET /fapi/v1/aggTrades?fromId=``, through the client's
  limiter) before the next live trade; after a reconnect the backfill runs at once, up to the
  latest trade;
- for every other stream, a :class:`~binance_async.models.events.StreamGap` where events may
  be missing (a reconnect, an overflow), with the span.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from typing import Any

import attrs
import orjson

from ..errors import BinanceError
from ..models.events import StreamGap
from ..models.market import AggTrade
from . import names as streams
from .hub import StreamHub
from .link import Link

__all__ = ["AggTradeFetcher", "MarketStream", "StreamStats"]

log = logging.getLogger("binance_async.streams")

#: ``(symbol, from_id) -> trades`` over REST, at most ``_BACKFILL_LIMIT`` of them.
AggTradeFetcher = Callable[[str, int], Awaitable[Sequence[AggTrade]]]
_BACKFILL_LIMIT = 1000
_ARRAY = object()


@attrs.frozen(kw_only=True, slots=True)
class StreamStats:
    """What a stream went through so far (a snapshot)."""

    #: Connections lost and replaced.
    reconnects: int
    #: Connections replaced on schedule (or at a shutdown notice) without a gap.
    rotations: int
    #: StreamGap events reported.
    gaps: int
    #: Messages dropped from the full queue (oldest first).
    dropped: int
    #: Aggregate trades filled in over REST.
    backfilled: int
    #: Messages or trades seen twice and delivered once.
    duplicates: int
    #: Connections now.
    connections: int
    #: Messages waiting for the consumer now.
    queued: int


class _Agg:
    """An aggTrade stream's place: the last trade id delivered."""

    __slots__ = ("last", "symbol")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.last = -1


class _Resumed:
    """A connection came back: its streams may have missed events in between."""

    __slots__ = ("down_ms", "names", "up_ms")

    def __init__(self, names: tuple[str, ...], down_ms: int, up_ms: int) -> None:
        self.names = names
        self.down_ms = down_ms
        self.up_ms = up_ms


class _Lost:
    """Events of one stream dropped from the queue, or missed during a reconnect."""

    __slots__ = ("count", "end_ms", "first_id", "reason", "start_ms")

    def __init__(self, reason: str, start_ms: int | None, end_ms: int | None, count: int) -> None:
        self.reason = reason
        self.start_ms = start_ms
        self.end_ms = end_ms
        self.count = count
        #: The first aggregate trade id dropped (where a backfill starts if none was seen).
        self.first_id: int | None = None


def _symbol_of(name: str) -> str:
    return name.partition("@")[0].upper()


class MarketStream:
    """Market streams on as many connections as they need; iterate for their events.

    Made by ``client.stream(*names)``; ``async with`` opens it (raises
    :class:`~binance_async.errors.InvalidRequest` for names the exchange refuses and
    :class:`~binance_async.errors.TransportError` when no connection opens in time) and closes
    it, and the client closes it with itself: the iteration then ends. The client hands it
    the venue's REST backfill (``fetch_agg_trades``) and the records its events are built as
    (``factory``: stream name -> ``(data, stream) -> event``).
    """

    def __init__(
        self,
        hub: StreamHub,
        names: Iterable[str],
        *,
        fetch_agg_trades: AggTradeFetcher | None = None,
        queue_size: int | None = None,
        factory: Callable[[str], streams.Factory] = streams.factory,
    ) -> None:
        wanted = list(dict.fromkeys(streams.canonical(n) for n in names))
        self._hub = hub
        self._factory = factory
        self._config = hub.config
        self._fetch = fetch_agg_trades
        self._max = queue_size or hub.config.queue_size
        self._queue: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._handlers: dict[str, tuple[streams.Factory, Any]] = {}
        self._links: list[Link] = []
        self._initial = wanted
        self._pending: dict[str, _Lost] = {}
        self._open = False
        self._closed = False
        self._reconnects = self._rotations = 0
        self._gaps = self._dropped = self._backfilled = self._duplicates = 0
        for name in wanted:
            self._handle(name)

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> MarketStream:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Connect every stream (``async with`` does this); raises as the class says."""
        if self._open:
            return
        self._hub.add(self)
        self._open = True
        try:
            await self._place(self._initial)
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Close the connections; the iteration ends (idempotent)."""
        if self._closed:
            return
        self._closed = True
        links, self._links = self._links, []
        for link in links:
            self._reconnects += link.reconnects
            self._rotations += link.rotations
            await link.aclose()
        self._hub.discard(self)
        self._wake()

    # -- subscriptions ---------------------------------------------------------------------

    @property
    def subscriptions(self) -> tuple[str, ...]:
        """The streams subscribed now, in subscription order."""
        return tuple(self._handlers)

    async def subscribe(self, *names: str) -> None:
        """Add streams (on a connection of their route with room, or a new one).

        Raises :class:`~binance_async.errors.InvalidRequest` for a bad name or one the
        exchange refuses, and :class:`~binance_async.errors.TransportError` when the exchange
        does not answer.
        """
        wanted = [n for n in dict.fromkeys(streams.canonical(n) for n in names)]
        new = [n for n in wanted if n not in self._handlers]
        for name in new:
            self._handle(name)
        if self._open and not self._closed:
            try:
                await self._place(new)
            except BaseException:
                for name in new:
                    self._handlers.pop(name, None)
                raise

    async def unsubscribe(self, *names: str) -> None:
        """Remove streams; events of theirs still queued are dropped. Raises as
        :meth:`subscribe` for an exchange that does not answer."""
        gone = {streams.canonical(n) for n in names}
        for name in gone:
            self._handlers.pop(name, None)
        for link in list(self._links):
            mine = [n for n in link.names if n in gone]
            if not mine:
                continue
            if len(mine) == len(link.names):
                self._links.remove(link)
                self._reconnects += link.reconnects
                self._rotations += link.rotations
                await link.aclose()
            else:
                await link.unsubscribe(mine)

    def _handle(self, name: str) -> None:
        make = self._factory(name)
        track: Any = None
        if streams.is_agg_trade(name):
            track = _Agg(_symbol_of(name))
        elif streams.is_array(name):
            track = _ARRAY
        self._handlers[name] = (make, track)

    async def _place(self, names: Sequence[str]) -> None:
        """Put ``names`` on links of their route: existing ones with room first."""
        room = self._config.max_streams_per_connection
        apart = self._hub.paths.book is not None  # the venue serves book streams apart
        for kind in (streams.PUBLIC, streams.MARKET):
            mine = [n for n in names if (streams.route(n) if apart else streams.MARKET) == kind]
            for link in self._links:
                if not mine:
                    break
                if link.label != kind or len(link.names) >= room:
                    continue
                take, mine = mine[: room - len(link.names)], mine[room - len(link.names) :]
                await link.subscribe(take)
            for chunk in streams.split(mine, room):
                link = self._link(kind, chunk)
                self._links.append(link)
                await link.start()

    def _link(self, kind: str, names: Sequence[str]) -> Link:
        paths = self._hub.paths
        path = paths.book if kind == streams.PUBLIC and paths.book is not None else paths.market
        base = f"{self._hub.market_url}{path}"

        def url(in_url: Sequence[str]) -> str:
            return f"{base}/stream?streams={'/'.join(in_url)}" if in_url else f"{base}/stream"

        return Link(
            opener=self._hub.connect,
            url=url,
            names=names,
            sink=self,
            config=self._config,
            now_ms=self._hub.now_ms,
            rng=self._hub.rng,
            sleep=self._hub.sleep,
            label=kind,
        )

    # -- the sink: called by the links' readers --------------------------------------------

    def put(self, data: bytes) -> None:
        """One data message (the hot path: no decoding here)."""
        queue = self._queue
        if len(queue) >= self._max:
            self._overflow(queue.popleft())
        queue.append(data)
        waiter = self._waiter
        if waiter is not None:
            self._waiter = None
            if not waiter.done():
                waiter.set_result(None)

    def link_up(self, link: Link, down_since_ms: int | None) -> None:
        """A connection opened; after a loss its streams resume with a gap to settle."""
        if down_since_ms is not None:
            self.put(_Resumed(tuple(link.names), down_since_ms, self._hub.now_ms()))  # type: ignore[arg-type]

    def link_down(self, link: Link, at_ms: int) -> None:
        """A connection was lost (the gap is settled when it comes back)."""

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _overflow(self, item: Any) -> None:
        """The oldest message leaves the full queue: remember what its stream lost."""
        self._dropped += 1
        if isinstance(item, _Resumed):
            for name in item.names:
                self._lose(name, "reconnect", item.down_ms, item.up_ms, 0)
            return
        try:
            msg = orjson.loads(item)
            name, data = msg["stream"], msg["data"]
            first = data[0] if isinstance(data, list) and data else data
            when = first.get("E") if isinstance(first, dict) else None
        except (orjson.JSONDecodeError, KeyError, TypeError, AttributeError):
            return
        lost = self._lose(name, "overflow", when, when, 1)
        agg_id = first.get("a") if streams.is_agg_trade(name) else None
        if type(agg_id) is int and (lost.first_id is None or agg_id < lost.first_id):
            lost.first_id = agg_id

    def _lose(
        self, name: str, reason: str, start_ms: int | None, end_ms: int | None, count: int
    ) -> _Lost:
        lost = self._pending.get(name)
        if lost is None:
            lost = self._pending[name] = _Lost(reason, start_ms, end_ms, count)
            return lost
        lost.count += count
        if start_ms is not None and (lost.start_ms is None or start_ms < lost.start_ms):
            lost.start_ms = start_ms
        if end_ms is not None and (lost.end_ms is None or end_ms > lost.end_ms):
            lost.end_ms = end_ms
        return lost

    # -- the consumer ----------------------------------------------------------------------

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._events()

    async def _events(self) -> AsyncIterator[Any]:
        queue = self._queue
        handlers = self._handlers
        pending = self._pending
        loads = orjson.loads
        resumed, array = _Resumed, _ARRAY
        loop = asyncio.get_running_loop()
        while True:
            if pending:
                async for event in self._settle_pending():
                    yield event
                continue
            if not queue:
                if self._closed:
                    return
                waiter = self._waiter = loop.create_future()
                await waiter
                continue
            item = queue.popleft()
            if item.__class__ is resumed:
                for name in item.names:
                    self._lose(name, "reconnect", item.down_ms, item.up_ms, 0)
                continue
            msg = loads(item)
            stream = msg.get("stream")
            entry = handlers.get(stream)
            if entry is None:
                continue  # unsubscribed since, or not a stream message
            make, track = entry
            data = msg["data"]
            if track is None:
                yield make(data, stream)
            elif track is array:
                for one in data:
                    yield make(one, stream)
            else:
                agg_id = data["a"]
                last = track.last
                if agg_id <= last:
                    self._duplicates += 1
                    continue
                if last >= 0 and agg_id != last + 1:
                    async for trade in self._backfill(stream, track, agg_id):
                        yield trade
                track.last = agg_id
                yield make(data, stream)

    async def _settle_pending(self) -> AsyncIterator[Any]:
        pending = dict(self._pending)
        self._pending.clear()
        for name, lost in pending.items():
            entry = self._handlers.get(name)
            if entry is None:
                continue
            track = entry[1]
            if isinstance(track, _Agg):
                if track.last < 0 and lost.first_id is not None:
                    track.last = lost.first_id - 1  # none delivered yet: from the first dropped
                if track.last >= 0:
                    async for trade in self._backfill(name, track, None):
                        yield trade
                    continue
                # No trade seen yet and none known dropped: what the outage hid is unknown.
            self._gaps += 1
            yield StreamGap(
                stream=name,
                reason=lost.reason,
                start_ms=lost.start_ms,
                end_ms=lost.end_ms,
                dropped=lost.count,
            )

    async def _backfill(self, stream: str, track: _Agg, upto: int | None) -> AsyncIterator[Any]:
        """Trades after ``track.last`` over REST: up to ``upto`` (excluded), or all so far."""
        if track.last < 0:
            return
        fetch = self._fetch
        start_ms = None
        next_id = track.last + 1
        while upto is None or next_id < upto:
            if fetch is None:
                error: BaseException | None = RuntimeError("no REST access")
                trades: Sequence[AggTrade] = ()
            else:
                try:
                    trades, error = await fetch(track.symbol, next_id), None
                except (BinanceError, RuntimeError) as exc:
                    trades, error = (), exc
            if error is not None:
                log.warning("%s: backfill from %d failed (%s)", stream, next_id, error)
                self._gaps += 1
                if upto is not None:
                    track.last = upto - 1
                yield StreamGap(stream=stream, reason="backfill", start_ms=start_ms, end_ms=None)
                return
            for trade in trades:
                agg_id = trade.agg_id
                if agg_id < next_id:
                    continue
                if upto is not None and agg_id >= upto:
                    return
                if start_ms is None:
                    start_ms = trade.time_ms
                self._backfilled += 1
                track.last = agg_id
                next_id = agg_id + 1
                yield AggTrade(raw=trade.raw, symbol=track.symbol, stream=stream)
            if len(trades) < _BACKFILL_LIMIT:
                return

    # -- state -----------------------------------------------------------------------------

    @property
    def stats(self) -> StreamStats:
        """Reconnects, rotations, gaps, dropped, backfilled, duplicates, connections."""
        links = self._links
        return StreamStats(
            reconnects=self._reconnects + sum(link.reconnects for link in links),
            rotations=self._rotations + sum(link.rotations for link in links),
            gaps=self._gaps,
            dropped=self._dropped,
            backfilled=self._backfilled,
            duplicates=self._duplicates + sum(link.duplicates for link in links),
            connections=sum(1 for link in links if link.connected),
            queued=len(self._queue),
        )

    @property
    def links(self) -> tuple[Link, ...]:
        """The connections' keepers (for inspection and tests)."""
        return tuple(self._links)

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open" if self._open else "new"
        return f"<MarketStream {state} streams={len(self._handlers)} links={len(self._links)}>"
