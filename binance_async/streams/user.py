"""The user data stream and its account mirror: ``async with client.user_stream() as user``.

Opening takes a listenKey (``POST /fapi/v1/listenKey``), connects to ``<private>/ws?listenKey=``
and reads the account over REST (open orders, open algo orders, positions, balances) into
:attr:`UserDataStream.mirror`; events that arrive meanwhile wait and are applied after it.
The key is kept alive every ``keepalive_s`` (30 minutes: well inside its 60); a failed
keep-alive or a ``listenKeyExpired`` event takes a new key and reconnects. After every
reconnect the mirror is read again and merged by exchange time, so ``user.orders``,
``user.positions`` and ``user.balances`` equal the exchange's state once :attr:`synced` is
set again; the iteration then yields a :class:`~binance_async.models.events.StreamGap`
(events of the outage are not replayed; the mirror is exact regardless).

While it is live the stream is attached to the client's reconciler as an
:class:`~binance_async.reconcile.OrderFeed`: an order of unknown outcome is settled by its
``ORDER_TRADE_UPDATE`` (or ``ALGO_UPDATE``) when that comes before the REST query's answer.

The key is not deleted on close: it is the account's one key, which other streams of the
account may be using (a new ``POST`` returns the same key while it lives).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from typing import Any, Protocol

import attrs
import orjson

from ..errors import BinanceError
from ..models.account import Balance, Position
from ..models.events import StreamGap
from ..models.orders import AlgoOrder, Order
from ..models.userevents import (
    AccountUpdate,
    AlgoUpdate,
    ListenKeyExpired,
    OrderUpdate,
    parse_user_event,
)
from ..reconcile import Reconciler
from .acks import OrderAcks
from .hub import StreamHub, retryable
from .link import Link
from .mirror import AccountMirror, PositionKey
from .rotation import single_stream

__all__ = ["UserDataStream", "UserRest", "UserStats"]

log = logging.getLogger("binance_async.streams")

_STREAM = "user"
_MIRRORED = (OrderUpdate, AlgoUpdate, AccountUpdate)
_RETRY_MAX_DELAY_S = 10.0
#: Recent events remembered to drop one delivered twice (the same bytes: its ``E`` included).
_RECENT = 4096


class UserRest(Protocol):
    """The REST calls a user stream makes (the client's, through its limiter)."""

    async def new_listen_key(self) -> str:
        """POST /fapi/v1/listenKey."""
        ...

    async def keepalive_listen_key(self) -> None:
        """PUT /fapi/v1/listenKey."""
        ...

    async def open_orders(self) -> Sequence[Order]:
        """Every open order."""
        ...

    async def open_algo_orders(self) -> Sequence[AlgoOrder]:
        """Every waiting algo order."""
        ...

    async def positions(self) -> Sequence[Position]:
        """Positions (of every symbol with a position or open orders)."""
        ...

    async def balances(self) -> Sequence[Balance]:
        """The wallet's balances."""
        ...

    async def order(self, symbol: str, order_id: int) -> Order | None:
        """One order by id (None: no such order)."""
        ...

    async def algo_order(self, algo_id: int) -> AlgoOrder | None:
        """One algo order by id (None: no such order)."""
        ...


@attrs.frozen(kw_only=True, slots=True)
class UserStats:
    """What a user stream went through so far (a snapshot)."""

    reconnects: int
    rotations: int
    #: REST reads of the account merged into the mirror.
    resyncs: int
    #: listenKeys taken after the first (expired, or a failed keep-alive).
    renewals: int
    #: Events dropped as stale (seen twice, or older than the state held).
    stale: int
    #: Events dropped from the full queue (the mirror still got them).
    dropped: int
    gaps: int
    #: Unknown order outcomes settled by this stream's events.
    settled: int


class UserDataStream:
    """The account's events and its mirror; iterate for the events."""

    def __init__(
        self,
        hub: StreamHub,
        rest: UserRest,
        *,
        order_family: str,
        algo_family: str,
        reconciler: Reconciler | None = None,
        monotonic_ns: Callable[[], int],
        queue_size: int | None = None,
        keepalive_s: float | None = None,
    ) -> None:
        self._hub = hub
        self._rest = rest
        self._config = hub.config
        self._keepalive_s = keepalive_s or hub.config.listen_key_keepalive_s
        self._order_family = order_family
        self._algo_family = algo_family
        self._reconciler = reconciler
        self.mirror = AccountMirror()
        self.acks = OrderAcks(grace_s=hub.config.settle_grace_s, monotonic_ns=monotonic_ns)
        self._key: str | None = None
        self._link: Link | None = None
        self._events: deque[Any] = deque()
        self._max = queue_size or hub.config.queue_size
        self._waiter: asyncio.Future[None] | None = None
        self._held: list[bytes] | None = []  # events waiting for a resync to finish
        self._recent: dict[bytes, None] = {}  # the latest events, oldest first
        self._synced = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._resync_task: asyncio.Task[None] | None = None
        self._lost: StreamGap | None = None
        self._open = self._closed = self._open_done = False
        self._resyncs = self._renewals = self._stale = self._dropped = self._gaps = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> UserDataStream:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Take a key, connect, read the mirror; return once it is in sync.

        Raises what the listenKey request or the account's first read raises (an API key,
        and a secret for the signed reads, are needed),
        :class:`~binance_async.errors.TransportError` when no connection opens in time.
        """
        if self._open:
            return
        self._hub.add(self)
        self._open = True
        try:
            self._key = await self._rest.new_listen_key()
            self._link = Link(
                opener=self._hub.connect,
                url=self._url,
                names=[_STREAM],
                sink=self,
                config=self._config,
                now_ms=self._hub.now_ms,
                rng=self._hub.rng,
                sleep=self._hub.sleep,
                prefix=b'{"e":',
                stream_of=single_stream,
                label="private",
            )
            await self._link.start()
            synced = asyncio.ensure_future(self._synced.wait())
            try:
                while not self._synced.is_set():
                    resync = self._resync_task
                    assert resync is not None
                    await asyncio.wait((synced, resync), return_when=asyncio.FIRST_COMPLETED)
                    failed = (
                        resync.exception() if resync.done() and not resync.cancelled() else None
                    )
                    if failed is not None:
                        raise failed
            finally:
                synced.cancel()
        except BaseException:
            await self.aclose()
            raise
        self._open_done = True
        self._spawn(self._keep_alive(), "keepalive")
        if self._reconciler is not None:
            self._reconciler.feeds.append(self.acks)

    async def aclose(self) -> None:
        """Stop (idempotent): the connection closes, the iteration ends, the reconciler
        goes back to queries alone."""
        if self._closed:
            return
        self._closed = True
        if self._reconciler is not None and self.acks in self._reconciler.feeds:
            self._reconciler.feeds.remove(self.acks)
        self.acks.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        if self._link is not None:
            await self._link.aclose()
        self._hub.discard(self)
        self._wake()

    def _url(self, names: Sequence[str]) -> str:
        return f"{self._hub.private_url}/ws?listenKey={self._key}"

    def _spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        task = asyncio.get_running_loop().create_task(coro, name=f"binance_async.user-{what}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- state -------------------------------------------------------------------------------

    @property
    def synced(self) -> bool:
        """Whether the mirror is in sync (False while a resync is under way)."""
        return self._synced.is_set()

    async def wait_synced(self) -> None:
        """Return once the mirror is in sync."""
        await self._synced.wait()

    @property
    def orders(self) -> Mapping[str, Order]:
        """Orders by client order id (open ones, and the latest closed ones)."""
        return self.mirror.orders

    @property
    def algo_orders(self) -> Mapping[str, AlgoOrder]:
        """Algo orders by client algo id."""
        return self.mirror.algo_orders

    @property
    def positions(self) -> Mapping[PositionKey, Position]:
        """Open positions by (symbol, position side)."""
        return self.mirror.positions

    @property
    def balances(self) -> Mapping[str, Balance]:
        """Balances by asset."""
        return self.mirror.balances

    @property
    def stats(self) -> UserStats:
        """Reconnects, resyncs, renewals, stale and dropped events, settled outcomes."""
        link = self._link
        return UserStats(
            reconnects=link.reconnects if link else 0,
            rotations=link.rotations if link else 0,
            resyncs=self._resyncs,
            renewals=self._renewals,
            stale=self._stale + (link.duplicates if link else 0),
            dropped=self._dropped,
            gaps=self._gaps,
            settled=self.acks.settled_outcomes,
        )

    # -- the link's sink -------------------------------------------------------------------

    def put(self, data: bytes) -> None:
        """One event from the connection."""
        held = self._held
        if held is not None:
            held.append(data)
            return
        self._handle(data)

    def link_up(self, link: Link, down_since_ms: int | None) -> None:
        """A connection opened: hold its events and read the account again."""
        self._synced.clear()
        self.acks.set_live(False)
        if self._held is None:
            self._held = []
        if self._resync_task is not None and not self._resync_task.done():
            self._resync_task.cancel()
        self._resync_task = self._spawn(self._resync(down_since_ms), "resync")

    def link_down(self, link: Link, at_ms: int) -> None:
        """The connection was lost."""
        self.acks.set_live(False)

    def _handle(self, data: bytes) -> None:
        recent = self._recent
        if data in recent:
            self._stale += 1  # the same event again (its E included): delivered once
            return
        recent[data] = None
        if len(recent) > _RECENT:
            del recent[next(iter(recent))]
        try:
            event = parse_user_event(orjson.loads(data))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            log.warning("user stream: unreadable event (%r): %r", exc, data[:200])
            return
        if event is None:
            return
        if isinstance(event, ListenKeyExpired):
            log.info("user stream: the listenKey expired; taking a new one")
            self._spawn(self._renew(), "renew")
            return
        if isinstance(event, OrderUpdate):
            self.acks.record(self._order_family, event.client_order_id, event.order)
        elif isinstance(event, AlgoUpdate):
            algo = event.algo_order
            self.acks.record(self._algo_family, algo.client_algo_id, algo)
        if not self.mirror.apply(event) and isinstance(event, _MIRRORED):
            self._stale += 1  # seen twice, or older than the state held: not delivered again
            return
        self._deliver(event)

    # -- resync, keep-alive, renewal -------------------------------------------------------

    async def _resync(self, down_since_ms: int | None) -> None:
        attempt = 0
        while True:
            try:
                await self._read_account()
                break
            except BinanceError as exc:
                if not retryable(exc) and not self._open_done:
                    raise  # the first read: open() raises it (a key that cannot sign ...)
                attempt += 1
                log.warning("user stream: reading the account failed (%s); retrying", exc)
                await asyncio.sleep(min(0.1 * 2**attempt, _RETRY_MAX_DELAY_S))
        held, self._held = self._held or [], None
        for data in held:
            self._handle(data)
        self._resyncs += 1
        self._synced.set()
        self.acks.set_live(True)
        if down_since_ms is not None:
            self._gaps += 1
            self._deliver(
                StreamGap(
                    stream=_STREAM,
                    reason="reconnect",
                    start_ms=down_since_ms,
                    end_ms=self._hub.now_ms(),
                )
            )

    async def _read_account(self) -> None:
        rest = self._rest
        open_orders, open_algos, positions, balances = await asyncio.gather(
            rest.open_orders(), rest.open_algo_orders(), rest.positions(), rest.balances()
        )
        gone, gone_algos = self.mirror.merge(
            open_orders=open_orders,
            open_algo_orders=open_algos,
            positions=positions,
            balances=balances,
        )
        for order in gone:
            final = await rest.order(order.symbol, order.order_id)
            if final is not None:
                self.mirror.settle_order(final)
        for algo in gone_algos:
            final_algo = await rest.algo_order(algo.algo_id)
            if final_algo is not None:
                self.mirror.settle_algo(final_algo)

    async def _keep_alive(self) -> None:
        while True:
            await asyncio.sleep(self._keepalive_s)
            try:
                await self._rest.keepalive_listen_key()
            except BinanceError as exc:
                log.info("user stream: keep-alive failed (%s); taking a new key", exc)
                await self._renew()

    async def _renew(self) -> None:
        attempt = 0
        while True:
            try:
                key = await self._rest.new_listen_key()
                break
            except BinanceError as exc:
                attempt += 1
                log.info("user stream: a new listenKey failed (%s); retrying", exc)
                await asyncio.sleep(min(0.1 * 2**attempt, _RETRY_MAX_DELAY_S))
        self._renewals += 1
        self._key = key
        if self._link is not None:
            await self._link.reconnect()

    # -- the consumer ----------------------------------------------------------------------

    def _deliver(self, event: Any) -> None:
        events = self._events
        if len(events) >= self._max:
            dropped = events.popleft()
            self._dropped += 1
            when = getattr(dropped, "event_time_ms", None)
            lost = self._lost
            if lost is None:
                self._lost = StreamGap(
                    stream=_STREAM, reason="overflow", start_ms=when, end_ms=when, dropped=1
                )
            else:
                self._lost = attrs.evolve(
                    lost, end_ms=when or lost.end_ms, dropped=lost.dropped + 1
                )
        events.append(event)
        self._wake()

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def __aiter__(self) -> AsyncIterator[Any]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Any]:
        events = self._events
        loop = asyncio.get_running_loop()
        while True:
            lost = self._lost
            if lost is not None:
                self._lost = None
                self._gaps += 1
                yield lost
            if events:
                yield events.popleft()
                continue
            if self._closed:
                return
            waiter = self._waiter = loop.create_future()
            await waiter

    def __repr__(self) -> str:
        state = "closed" if self._closed else "synced" if self.synced else "syncing"
        return f"<UserDataStream {state} {self.mirror!r}>"
