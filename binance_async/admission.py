"""The admission queue: callers that wait for budget, served FIFO within their priority.

URGENT waiters (cancels, reduce-only and close-position orders) go first. A waiter that does
not fit keeps later and lower waiters off what it lacks (weight, orders, its request bucket,
the address it must leave from), so a big request is never starved; waiters needing only what
it does not lack may pass it (as may everyone pass a waiter that only the full limits can
take, while a shared store is away). Waiters wake on a settled request
(:meth:`AdmissionQueue.dispatch`) or on one timer set for the next moment time alone changes
what fits (a window start, a pause or ban end), never by polling.
:meth:`AdmissionQueue.close` fails every waiter and stops the timer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable

from .ledger import ORDERS, REQUESTS, WEIGHT, Ledger
from .ratelimits import Priority, ServerTime, clock_reader
from .windows import Reservation

__all__ = ["AdmissionQueue", "Closed"]

log = logging.getLogger("binance_async.limits")


class Closed(Exception):
    """The queue (or gate) was closed: the wait ended with nothing held and nothing sent."""


class _Waiter:
    __slots__ = ("address", "bucket", "future", "orders", "weight")

    def __init__(
        self,
        weight: int,
        orders: int,
        bucket: str | None,
        address: int | None,
        future: asyncio.Future[Reservation],
    ) -> None:
        self.weight = weight
        self.orders = orders
        self.bucket = bucket
        self.address = address
        self.future = future


class AdmissionQueue:
    """Waiters for a :class:`Ledger`'s budget, and the timer that serves them."""

    def __init__(
        self,
        ledger: Ledger,
        clock: ServerTime,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        safety_margin_ms: float = 5.0,
    ) -> None:
        if not safety_margin_ms >= 0:
            raise ValueError(f"safety_margin_ms: must be >= 0, got {safety_margin_ms!r}")
        self._ledger = ledger
        self._clock = clock
        self._sleep = sleep
        #: Added to the clock's uncertainty: the guard (see :meth:`guard_ms`).
        self.margin_ms = float(safety_margin_ms)
        #: ``(now_ms, uncertainty_ms)`` of the clock, from one reading.
        self.read_clock = clock_reader(clock)
        #: The waiters, by priority (URGENT first); both empty when nobody waits.
        self.lines: tuple[deque[_Waiter], deque[_Waiter]] = (deque(), deque())
        self._queues = self.lines
        self._timer: asyncio.Task[None] | None = None
        self._timer_due_ms = 0
        self._closed = False

    def guard_ms(self) -> float:
        """How far our clock may be off, plus a margin: the width of every boundary."""
        return self._clock.uncertainty_ms + self.margin_ms

    @property
    def waiting(self) -> int:
        """Number of callers waiting."""
        return len(self._queues[0]) + len(self._queues[1])

    def try_grant(
        self, weight: int, orders: int, bucket: str | None = None, address: int | None = None
    ) -> Reservation | None:
        """A reservation at once if nobody waits and the budget fits now; else None.

        Raises :class:`~binance_async.errors.IPBanned` when every address is banned.
        """
        if self._closed:
            raise Closed
        ledger = self._ledger
        now, uncertainty = self.read_clock()
        if not self._queues[0] and not self._queues[1]:
            guard = uncertainty + self.margin_ms
            reservation = ledger.pick(weight, orders, now, guard, bucket, address)
            if reservation is not None:
                return reservation
        if ledger.all_banned(now):
            raise ledger.ban_error()
        return None

    async def wait(
        self,
        weight: int,
        orders: int,
        priority: Priority,
        bucket: str | None = None,
        address: int | None = None,
    ) -> Reservation:
        """Wait in line until the request fits; cancelling the wait leaves nothing held."""
        if self._closed:
            raise Closed
        future: asyncio.Future[Reservation] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(weight, orders, bucket, address, future)
        queue = self._queues[priority]
        queue.append(waiter)
        self.dispatch()
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._ledger.unhold(future.result())  # granted, then cancelled before it ran
            else:
                with contextlib.suppress(ValueError):
                    queue.remove(waiter)
            self.dispatch()
            raise

    def dispatch(self) -> None:
        """Grant every waiter that fits, in order; arm the timer for the rest."""
        if not self._queues[0] and not self._queues[1]:
            self._cancel_timer()
            return
        ledger = self._ledger
        now = self._clock.now_ms()
        if ledger.all_banned(now):
            self._fail_all(ledger.ban_error)
            return
        guard = self.guard_ms()
        weight_blocked = orders_blocked = False
        # What a waiter pinned to an address, or of a request bucket, lacked there only.
        pins: set[int] = set()
        buckets: set[str] = set()
        for queue in self._queues:
            granted = False
            for waiter in queue:
                if waiter.future.done():
                    granted = True
                    continue
                if (waiter.weight and weight_blocked) or (waiter.orders and orders_blocked):
                    continue
                if (pins and waiter.address in pins) or (buckets and waiter.bucket in buckets):
                    continue
                if waiter.weight > ledger.weight_cap or waiter.orders > ledger.orders_cap:
                    continue  # only the full limits take it: it keeps nobody off meanwhile
                reservation = ledger.pick(
                    waiter.weight, waiter.orders, now, guard, waiter.bucket, waiter.address
                )
                if reservation is not None:
                    waiter.future.set_result(reservation)
                    granted = True
                    continue
                # Keep the rest off what this one lacks.
                lacked, bucket = ledger.short, waiter.bucket
                if lacked & REQUESTS:
                    if bucket is None:  # every request's count: nobody fits
                        weight_blocked = orders_blocked = True
                        break
                    buckets.add(bucket)
                if lacked & ORDERS:
                    orders_blocked = True
                if lacked & WEIGHT:
                    if waiter.address is not None:
                        pins.add(waiter.address)
                    else:
                        weight_blocked = weight_blocked or waiter.weight > 0
                        orders_blocked = orders_blocked or waiter.orders > 0
                if weight_blocked and orders_blocked:
                    break
            if granted:
                live = [w for w in queue if not w.future.done()]
                queue.clear()
                queue.extend(live)
            if weight_blocked and orders_blocked:
                break
        if self._queues[0] or self._queues[1]:
            self._arm_timer(ledger.next_change_ms(now, guard))
        else:
            self._cancel_timer()

    def close(self) -> None:
        """Fail every waiter (and every later wait) with :class:`Closed`; stop the timer."""
        self._closed = True
        self._fail_all(Closed)

    def _fail_all(self, error: Callable[[], BaseException]) -> None:
        for queue in self._queues:
            while queue:
                future = queue.popleft().future
                if not future.done():
                    future.set_exception(error())
        self._cancel_timer()

    def _arm_timer(self, due: int) -> None:
        if self._timer is not None and not self._timer.done():
            if self._timer_due_ms <= due:
                return
            self._timer.cancel()
        self._timer_due_ms = due
        self._timer = asyncio.get_running_loop().create_task(
            self._wake_at(due), name="binance_async.admission"
        )

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def _wake_at(self, due_ms: int) -> None:
        delay_s = (due_ms - self._clock.now_ms()) / 1000.0
        if delay_s > 0:
            await self._sleep(delay_s)
        self._timer = None
        try:
            self.dispatch()
        except Exception:  # the next admit or settle dispatches again
            log.exception("limiter: serving waiters failed")
