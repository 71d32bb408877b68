"""What every user data stream shares, whatever its venue and transport.

A user stream holds the events of a (re)connection while the account is read again
(:meth:`UserStreamBase._resync`), then applies them; drops an event delivered twice; hands
events to the iteration through a bounded queue whose overflow becomes a
:class:`~binance_async.models.events.StreamGap`; and is an order feed of the reconciler while
it is live. A venue's stream says how it connects, reads its account and parses an event.
"""

from __future__ import annotations

import abc
import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, ClassVar, Generic, Self, TypeVar

import attrs

from ..errors import BinanceError
from ..models.events import StreamGap
from ..reconcile import Reconciler
from .acks import OrderAcks
from .hub import StreamHub, retryable

__all__ = ["UserStreamBase"]

log = logging.getLogger("binance_async.streams")

STREAM = "user"
_RETRY_MAX_DELAY_S = 10.0
#: How often open() looks for the next resync when one ended without syncing.
_RESYNC_POLL_S = 0.05
#: Recent events remembered to drop one delivered twice.
_RECENT = 4096

M = TypeVar("M")
R = TypeVar("R")


class UserStreamBase(abc.ABC, Generic[M, R]):
    """The account's events and its mirror ``M``; ``R`` is an event as it arrives."""

    #: The class name in the repr, the task name prefix, the log prefix.
    _kind: ClassVar[str]
    _task_prefix: ClassVar[str]
    _label: ClassVar[str]

    def __init__(
        self,
        hub: StreamHub,
        mirror: M,
        *,
        order_family: str,
        reconciler: Reconciler | None,
        monotonic_ns: Callable[[], int],
        queue_size: int | None,
        retry_sleep: Callable[[float], Awaitable[None]],
    ) -> None:
        self._hub = hub
        self._config = hub.config
        self._order_family = order_family
        self._reconciler = reconciler
        self._retry_sleep = retry_sleep
        self.mirror = mirror
        self.acks = OrderAcks(grace_s=hub.config.settle_grace_s, monotonic_ns=monotonic_ns)
        self._events: deque[Any] = deque()
        self._max = queue_size or hub.config.queue_size
        self._waiter: asyncio.Future[None] | None = None
        self._held: list[R] | None = []  # events waiting for a resync to finish
        self._recent: dict[bytes, None] = {}  # the latest events, oldest first
        self._synced = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._resync_task: asyncio.Task[None] | None = None
        self._lost: StreamGap | None = None
        self._open = self._closed = self._open_done = False
        self._resyncs = self._stale = self._dropped = self._gaps = 0

    # -- what a venue's stream provides ----------------------------------------------------

    @abc.abstractmethod
    async def _start(self) -> None:
        """Begin connecting; a first resync is under way (``_resync_task``) on return."""

    def _started(self) -> None:
        """Opened and in sync (before the reconciler is fed)."""

    @abc.abstractmethod
    async def _close_transport(self) -> None:
        """Close the connection (its tasks are already cancelled)."""

    @abc.abstractmethod
    def _handle(self, data: R) -> None:
        """Apply one event and deliver it."""

    @abc.abstractmethod
    async def _read_account(self) -> None:
        """Read the account over REST and merge it into the mirror."""

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Connect and read the mirror; return once it is in sync."""
        if self._open:
            return
        self._hub.add(self)
        self._open = True
        try:
            await self._start()
            synced = asyncio.ensure_future(self._synced.wait())
            try:
                while not self._synced.is_set():
                    resync = self._resync_task
                    assert resync is not None
                    if not resync.done():
                        await asyncio.wait((synced, resync), return_when=asyncio.FIRST_COMPLETED)
                        continue
                    failed = None if resync.cancelled() else resync.exception()
                    if failed is not None:
                        raise failed
                    # Ended without syncing (its connection was lost): the next connection
                    # brings a new resync; wait for it without spinning.
                    await asyncio.wait((synced,), timeout=_RESYNC_POLL_S)
            finally:
                synced.cancel()
        except BaseException:
            await self.aclose()
            raise
        self._open_done = True
        self._started()
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
        await self._close_transport()
        self._hub.discard(self)
        self._wake()

    def _spawn(self, coro: Coroutine[Any, Any, Any], what: str) -> asyncio.Task[Any]:
        name = f"binance_async.{self._task_prefix}-{what}"
        task = asyncio.get_running_loop().create_task(coro, name=name)
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

    # -- events and resync -----------------------------------------------------------------

    def _take(self, data: R) -> None:
        """One event from the connection: held while a resync is under way."""
        held = self._held
        if held is not None:
            held.append(data)
            return
        self._handle(data)

    def _seen(self, key: bytes) -> bool:
        """Whether the event ``key`` came already (counted stale); remembers it."""
        recent = self._recent
        if key in recent:
            self._stale += 1  # the same event again: delivered once
            return True
        recent[key] = None
        if len(recent) > _RECENT:
            del recent[next(iter(recent))]
        return False

    def _begin_sync(self) -> None:
        """A new connection: hold its events until the account is read again."""
        self._synced.clear()
        self.acks.set_live(False)
        if self._held is None:
            self._held = []
        task = self._resync_task
        if task is not None and not task.done():
            task.cancel()

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
                log.warning("%s: reading the account failed (%s); retrying", self._label, exc)
                await self._retry_sleep(min(0.1 * 2**attempt, _RETRY_MAX_DELAY_S))
        held, self._held = self._held or [], None
        for data in held:
            self._handle(data)
        self._resyncs += 1
        self._synced.set()
        self.acks.set_live(True)
        if down_since_ms is not None:
            self._gaps += 1
            gap = StreamGap(
                stream=STREAM, reason="reconnect", start_ms=down_since_ms, end_ms=self._hub.now_ms()
            )
            self._deliver(gap)

    # -- the consumer ----------------------------------------------------------------------

    def _deliver(self, event: Any) -> None:
        events = self._events
        if len(events) >= self._max:
            dropped = events.popleft()
            self._dropped += 1
            when = getattr(dropped, "event_time_ms", None)
            lost = self._lost
            self._lost = (
                StreamGap(stream=STREAM, reason="overflow", start_ms=when, end_ms=when, dropped=1)
                if lost is None
                else attrs.evolve(lost, end_ms=when or lost.end_ms, dropped=lost.dropped + 1)
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
        return f"<{self._kind} {state} {self.mirror!r}>"
