"""A local order book kept exact: ``async with client.order_book("BTCUSDT") as book``.

The exchange's documented procedure (reference/fapi-rules.md section 7): the diff depth
stream is opened first and its events wait in the stream's queue; a REST snapshot is taken
(``GET /fapi/v1/depth``, its weight through the client's limiter); events it covers
(``u`` < ``lastUpdateId``) are dropped; the first one applied must straddle it (``U`` <=
``lastUpdateId`` <= ``u``, or start right after it: ``U`` = ``lastUpdateId`` + 1), and from
then on each event's ``pu`` must be the previous one's ``u`` (on a venue whose events have no
``pu``, its ``U`` must follow that ``u``). The book counts as synced from the snapshot on (it
is the book as of ``lastUpdateId``), so a quiet market does not hold up ``async with``. Any
break (a reconnect or an overflow reported as a gap, a ``pu`` that does not follow, a first
event past the snapshot) resynchronises the book with a new snapshot, by itself. Levels are
exact Decimals; quantities are absolute, 0 removes a level.

A background task applies the updates whether or not anyone iterates; ``async for _ in
book`` wakes after each applied update (coalesced for a consumer slower than the stream).
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from ..errors import BinanceError
from ..models.events import DepthUpdate, StreamGap
from ..models.market import Depth
from .hub import StreamHub, retryable
from .market import MarketStream

__all__ = ["OrderBook", "SnapshotFetcher"]

log = logging.getLogger("binance_async.streams")

#: ``(symbol, limit) -> snapshot`` over REST.
SnapshotFetcher = Callable[[str, int], Awaitable[Depth]]
Level = tuple[Decimal, Decimal]
_SPEEDS = {"100ms": "@100ms", "250ms": "", "500ms": "@500ms"}
_RESYNC_MAX_DELAY_S = 10.0


class _Resync(Exception):
    """The book lost continuity: take a new snapshot."""


class OrderBook:
    """One symbol's order book, from a snapshot and the diff stream.

    ``async with`` opens the stream and waits for the first snapshot to be applied (raises
    :class:`~binance_async.errors.InvalidRequest` for bad settings, the snapshot's error for a
    refused symbol, :class:`~binance_async.errors.TransportError` when no connection opens in
    time). Later snapshots that fail are tried again (transient failures) or end the book.
    ``speeds``: the venue's diff stream per speed (USD-M's: 100, 250 and 500 ms).
    """

    def __init__(
        self,
        hub: StreamHub,
        symbol: str,
        *,
        fetch: SnapshotFetcher,
        limit: int = 1000,
        speed: str = "100ms",
        speeds: Mapping[str, str] = _SPEEDS,
    ) -> None:
        if speed not in speeds:
            raise ValueError(f"speed must be one of {sorted(speeds)}, got {speed!r}")
        self._hub = hub
        self.symbol = symbol
        self.limit = limit
        self._fetch = fetch
        self._stream = MarketStream(hub, [f"{symbol.lower()}@depth{speeds[speed]}"])
        self._bids: dict[Decimal, Decimal] = {}
        self._asks: dict[Decimal, Decimal] = {}
        self._bid_prices: list[Decimal] = []  # ascending: the best bid is last
        self._ask_prices: list[Decimal] = []  # ascending: the best ask is first
        self._last_id: int | None = None
        self._version = 0
        self._changed: asyncio.Future[None] | None = None
        self._synced: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._opened = False
        #: Snapshots taken after the first (a gap, a pu that did not follow ...).
        self.resyncs = 0
        #: Updates applied.
        self.updates = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> OrderBook:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Open the stream; return once the first snapshot is applied."""
        self._hub.add(self)
        try:
            await self._stream.open()
        except BaseException:
            self._hub.discard(self)
            raise
        self._synced = asyncio.Event()
        task = self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"binance_async.book-{self.symbol}"
        )
        waiting = asyncio.ensure_future(self._synced.wait())
        try:
            await asyncio.wait((waiting, task), return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiting.cancel()
        if task.done():
            await self.aclose()
            task.result()  # the first snapshot's error
        self._opened = True

    async def aclose(self) -> None:
        """Stop updating and close the stream (idempotent); iterations end."""
        self._closed = True
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._stream.aclose()
        self._hub.discard(self)
        self._wake()

    # -- reading the book ------------------------------------------------------------------

    def bids(self, n: int | None = None) -> list[Level]:
        """The best ``n`` bids (all without ``n``), best first: ``[(price, qty), ...]``."""
        prices = self._bid_prices if n is None else self._bid_prices[-n:] if n > 0 else []
        book = self._bids
        return [(p, book[p]) for p in reversed(prices)]

    def asks(self, n: int | None = None) -> list[Level]:
        """The best ``n`` asks (all without ``n``), best first: ``[(price, qty), ...]``."""
        prices = self._ask_prices if n is None else self._ask_prices[:n] if n > 0 else []
        book = self._asks
        return [(p, book[p]) for p in prices]

    @property
    def last_update_id(self) -> int | None:
        """The ``u`` of the last update applied (the snapshot's id before any)."""
        return self._last_id

    @property
    def synced(self) -> bool:
        """True while the book follows the stream without a break."""
        return self._synced is not None and self._synced.is_set()

    @property
    def stream(self) -> MarketStream:
        """The depth stream underneath (its ``stats``)."""
        return self._stream

    def __aiter__(self) -> AsyncIterator[OrderBook]:
        return self._updates()

    async def _updates(self) -> AsyncIterator[OrderBook]:
        seen = self._version
        loop = asyncio.get_running_loop()
        while not self._closed:
            if self._version == seen:
                waiter = self._changed
                if waiter is None or waiter.done():
                    waiter = self._changed = loop.create_future()
                await waiter
                continue
            seen = self._version
            yield self

    def _wake(self) -> None:
        self._version += 1
        waiter, self._changed = self._changed, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- keeping it exact ------------------------------------------------------------------

    async def _run(self) -> None:
        attempt = 0
        events = aiter(self._stream)
        while not self._closed:
            applied = self.updates
            try:
                await self._follow(events)
            except BinanceError as exc:
                if not self._opened:
                    raise  # the first snapshot: open() raises it
                log.warning("order book %s: stopped (%s)", self.symbol, exc)
                break
            except _Resync as why:
                assert self._synced is not None
                self._synced.clear()
                self.resyncs += 1
                log.info("order book %s: resynchronising (%s)", self.symbol, why)
                attempt = 1 if self.updates > applied else attempt + 1
                if attempt > 1:
                    await asyncio.sleep(min(0.1 * 2**attempt, _RESYNC_MAX_DELAY_S))
                continue
            break
        self._closed = True  # the stream ended (closed with the client)
        self._wake()

    async def _snapshot(self) -> int:
        """Take a snapshot, trying again while the failure is transient; raise otherwise (a
        bad symbol: ``open()`` raises it)."""
        attempt = 0
        while True:
            try:
                depth = await self._fetch(self.symbol, self.limit)
            except BinanceError as exc:
                if not retryable(exc):
                    raise
                attempt += 1
                log.info("order book %s: snapshot failed (%s)", self.symbol, exc)
                await asyncio.sleep(min(0.1 * 2**attempt, _RESYNC_MAX_DELAY_S))
                continue
            self._load(depth)
            return depth.last_update_id

    def _load(self, depth: Depth) -> None:
        self._bids = {p: q for p, q in depth.bids if q}
        self._asks = {p: q for p, q in depth.asks if q}
        self._bid_prices = sorted(self._bids)
        self._ask_prices = sorted(self._asks)
        self._last_id = depth.last_update_id

    async def _follow(self, events: AsyncIterator[Any]) -> None:
        """Take a snapshot, then apply the stream to it until the stream ends."""
        snapshot_id = await self._snapshot()
        assert self._synced is not None
        self._synced.set()  # the snapshot is the book as of its lastUpdateId
        self._wake()
        previous: int | None = None
        async for event in events:
            if isinstance(event, StreamGap):
                raise _Resync(f"{event.reason} gap")
            if not isinstance(event, DepthUpdate):
                continue
            raw = event.raw
            first, final = raw["U"], raw["u"]
            if previous is None:
                if final < snapshot_id:
                    continue  # covered by the snapshot
                if first > snapshot_id + 1:
                    raise _Resync("the snapshot is older than the stream")
            else:
                pu = raw.get("pu")  # USD-M chains by pu; a venue without it by U = u + 1
                if pu != previous if pu is not None else first != previous + 1:
                    raise _Resync(f"U {first} (pu {pu}) after u {previous}")
            self._apply(raw["b"], self._bids, self._bid_prices)
            self._apply(raw["a"], self._asks, self._ask_prices)
            previous = self._last_id = final
            self.updates += 1
            self._wake()

    @staticmethod
    def _apply(levels: Any, book: dict[Decimal, Decimal], prices: list[Decimal]) -> None:
        for price_text, qty_text in levels:
            price, qty = Decimal(price_text), Decimal(qty_text)
            if qty:
                if price not in book:
                    bisect.insort(prices, price)
                book[price] = qty
            elif price in book:
                del book[price]
                del prices[bisect.bisect_left(prices, price)]

    def __repr__(self) -> str:
        state = "synced" if self.synced else "syncing"
        bid = self._bid_prices[-1] if self._bid_prices else None
        ask = self._ask_prices[0] if self._ask_prices else None
        return f"<OrderBook {self.symbol} {state} bid={bid} ask={ask} u={self._last_id}>"
