"""Weight and order budgets per server-time window; 429 pauses and 418 bans.

Binance counts REQUEST_WEIGHT per egress IP and ORDERS per account in fixed windows of the
exchange's clock (reference/fapi-rules.md, section 5). :class:`Limiter` admits a request only
when every window it touches can take its cost, requests still in flight included, so the whole
budget is usable and a 429 is never provoked:

- a new window's budget opens ``uncertainty_ms + safety_margin_ms`` after its start by our
  clock; until then the server may still be in the previous window, whose usage applies;
- a response commits its cost to every window the server may have counted it in, and the
  ``X-MBX-USED-WEIGHT-*`` / ``X-MBX-ORDER-COUNT-*`` headers raise the count (another process on
  the same IP shows up from its first response);
- 429 pauses the address (``-1015``: the account's orders) until ``Retry-After``; 418 bans the
  address, and :meth:`Limiter.admit` raises :class:`~binance_async.errors.IPBanned` at once.

Waiters are served FIFO within their priority, URGENT first. They wake on a response or on one
timer set for the next window rollover, pause end or ban end, never by polling.

The records the limiter takes and reports, and the reading of ``Retry-After`` and ban ends,
live in :mod:`binance_async.ratelimits`; this module re-exports them, with
the ``Kind`` and ``Interval`` field types.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import sys
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from binance_async.budget import BudgetStore, MemoryBudgetStore
from binance_async.errors import IPBanned
from binance_async.ratelimits import (
    DEFAULT_USDM_LIMITS,
    LimitsSnapshot,
    Priority,
    RateLimit,
    ServerTime,
    WindowState,
    ban_end_ms,
    retry_after_ms,
)
from binance_async.ratelimits import Interval as Interval
from binance_async.ratelimits import Kind as Kind

__all__ = [
    "DEFAULT_USDM_LIMITS",
    "BudgetStore",
    "Limiter",
    "LimitsSnapshot",
    "MemoryBudgetStore",
    "Priority",
    "RateLimit",
    "Reservation",
    "ServerTime",
    "WindowState",
]

log = logging.getLogger("binance_async.limits")


class Reservation:
    """One admitted request in flight: send it from ``address``, then hand it back once.

    Give it to :meth:`Limiter.observe` after any response, or :meth:`Limiter.release` when no
    response came; a second hand-back is ignored.
    """

    __slots__ = ("_open", "address", "address_index", "orders", "sent_at_ms", "weight")

    def __init__(
        self, address_index: int, address: str, weight: int, orders: int, sent_at_ms: int
    ) -> None:
        self.address_index = address_index
        self.address = address
        self.weight = weight
        self.orders = orders
        self.sent_at_ms = sent_at_ms  # server ms at admission; the request leaves right after
        self._open = True

    @property
    def open(self) -> bool:
        """True until the reservation is observed or released."""
        return self._open

    def __repr__(self) -> str:
        state = "open" if self._open else "settled"
        return (
            f"<Reservation {self.address} weight={self.weight} orders={self.orders} "
            f"sent_at_ms={self.sent_at_ms} {state}>"
        )


class _Track:
    """One rate limit on one scope (an address, or the account), with its store key."""

    __slots__ = ("header", "header_upper", "key", "limit", "rate", "seen_start", "window_ms")

    def __init__(self, rate: RateLimit, address: str | None) -> None:
        self.rate = rate
        self.limit = rate.limit
        self.window_ms = rate.window_ms
        self.header = rate.header
        self.header_upper = rate.header.upper()  # a plain dict holds them as the server sent
        where = f" @{address}" if address is not None else ""
        self.key = f"{rate.kind} {rate.label}{where}"
        self.seen_start = 0  # latest window start committed to; older windows get pruned


class _Waiter:
    __slots__ = ("future", "orders", "weight")

    def __init__(self, weight: int, orders: int, future: asyncio.Future[Reservation]) -> None:
        self.weight = weight
        self.orders = orders
        self.future = future


class Limiter:
    """Admits requests within the IP weight and account order budgets of the server's windows."""

    def __init__(
        self,
        *,
        clock: ServerTime,
        addresses: Sequence[str] = ("default",),
        limits: Sequence[RateLimit] = DEFAULT_USDM_LIMITS,
        store: BudgetStore | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        safety_margin_ms: float = 5.0,
    ) -> None:
        if not addresses or len(set(addresses)) != len(addresses):
            raise ValueError(f"addresses: need distinct egress addresses, got {addresses!r}")
        if not safety_margin_ms >= 0:
            raise ValueError(f"safety_margin_ms: must be >= 0, got {safety_margin_ms!r}")
        self._clock = clock
        self._addresses = tuple(addresses)
        self._store: BudgetStore = store if store is not None else MemoryBudgetStore()
        self._sleep = sleep
        self._margin_ms = float(safety_margin_ms)
        n = len(self._addresses)
        self._single = n == 1
        self._inflight_weight = [0] * n
        self._inflight_orders = 0
        self._paused_until = [0] * n  # per address, after a weight 429
        self._orders_paused_until = 0  # the account, after an order 429
        self._banned_until = [0] * n
        self._queues: tuple[deque[_Waiter], deque[_Waiter]] = (deque(), deque())
        self._timer: asyncio.Task[None] | None = None
        self._timer_due_ms = 0
        self._last_headers: list[Mapping[str, str] | None] = [None] * n
        self._limits: tuple[RateLimit, ...] = ()
        self._set_limits(limits)

    # -- configuration ---------------------------------------------------------------------

    def _set_limits(self, limits: Iterable[RateLimit]) -> None:
        self._limits = tuple(limits)
        weight = [r for r in self._limits if r.kind == "REQUEST_WEIGHT"]
        orders = [r for r in self._limits if r.kind == "ORDERS"]
        self._weight_tracks = [tuple(_Track(r, a) for r in weight) for a in self._addresses]
        self._order_tracks = tuple(_Track(r, None) for r in orders)
        self._max_weight = min((r.limit for r in weight), default=sys.maxsize)
        self._max_orders = min((r.limit for r in orders), default=sys.maxsize)
        self._window_sizes = sorted({r.window_ms for r in self._limits})

    def load_rate_limits(self, rate_limits: Iterable[Mapping[str, Any]]) -> None:
        """Replace the limits with ``exchangeInfo.rateLimits``; header names follow."""
        parsed = [r for r in map(RateLimit.from_payload, rate_limits) if r is not None]
        if not parsed:
            raise ValueError("rate_limits: no REQUEST_WEIGHT or ORDERS item")
        if tuple(parsed) == self._limits:
            return
        # What the old windows counted is the best knowledge of the new ones until the next
        # header: seed each new current window with it (conservative for shorter windows),
        # then with the last headers the server sent, which name every window it keeps.
        now = self._clock.now_ms()
        seed_weight = [
            max((self._used(t, now, 0) for t in ts), default=0) for ts in self._weight_tracks
        ]
        seed_orders = max((self._used(t, now, 0) for t in self._order_tracks), default=0)
        self._set_limits(parsed)
        for index, tracks in enumerate(self._weight_tracks):
            headers = self._last_headers[index]
            for track in tracks:
                start = now - now % track.window_ms
                self._store.raise_to(track.key, start, seed_weight[index])
                value = headers.get(track.header) if headers is not None else None
                if value is not None and value.isdigit():
                    self._store.raise_to(track.key, start, int(value))
        for track in self._order_tracks:
            self._store.raise_to(track.key, now - now % track.window_ms, seed_orders)
        self._dispatch()

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        """The limits in force."""
        return self._limits

    @property
    def addresses(self) -> tuple[str, ...]:
        """The egress addresses, in the order ``Reservation.address_index`` refers to."""
        return self._addresses

    # -- admission -------------------------------------------------------------------------

    async def admit(
        self, *, weight: int, orders: int = 0, priority: Priority = Priority.NORMAL
    ) -> Reservation:
        """Wait until some address's weight and the account's orders can take the request.

        Raises :class:`IPBanned` at once when every address is banned; ``ValueError`` for a
        cost no window could ever take. Cancelling the wait leaves nothing held.
        """
        reservation = self.try_admit(weight=weight, orders=orders)
        if reservation is not None:
            return reservation
        return await self._wait(weight, orders, priority)

    def try_admit(self, *, weight: int, orders: int = 0) -> Reservation | None:
        """Admit at once if nobody waits and the budgets fit now; else None (never waits).

        Raises like :meth:`admit`. The gateway's fast path: no future, no timer.
        """
        if not 0 <= weight <= self._max_weight or not 0 <= orders <= self._max_orders:
            raise ValueError(
                f"cost: weight={weight} orders={orders} can never fit the limits "
                f"(weight <= {self._max_weight}, orders <= {self._max_orders})"
            )
        now = self._clock.now_ms()
        if not self._queues[0] and not self._queues[1]:
            guard = self._guard_ms()
            if self._orders_fit(orders, now, guard):
                index = self._pick_address(weight, now, guard)
                if index >= 0:
                    return self._grant(index, weight, orders, now)
        if self._all_banned(now):
            raise self._ban_error()
        return None

    async def _wait(self, weight: int, orders: int, priority: Priority) -> Reservation:
        future: asyncio.Future[Reservation] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(weight, orders, future)
        queue = self._queues[priority]
        queue.append(waiter)
        self._dispatch()
        try:
            return await future
        except asyncio.CancelledError:
            if future.done() and not future.cancelled() and future.exception() is None:
                self._unhold(future.result())  # granted, then cancelled before it ran
            else:
                with contextlib.suppress(ValueError):
                    queue.remove(waiter)
            self._dispatch()
            raise

    def _guard_ms(self) -> float:
        return self._clock.uncertainty_ms + self._margin_ms

    def _used(self, track: _Track, now: int, guard: float) -> int:
        """Used count of the window now; during the boundary guard the previous one's too."""
        window = track.window_ms
        start = now - now % window
        used = self._store.get(track.key, start)
        if now < start + guard:
            previous = self._store.get(track.key, start - window)
            if previous > used:
                used = previous
        return used

    def _orders_fit(self, orders: int, now: int, guard: float) -> bool:
        if not orders:
            return True
        if now < self._orders_paused_until:
            return False
        need = self._inflight_orders + orders
        for track in self._order_tracks:
            if self._used(track, now, guard) + need > track.limit:
                return False
        return True

    def _pick_address(self, weight: int, now: int, guard: float) -> int:
        """The least-used address that can take ``weight`` now; -1 if none."""
        best, best_load = -1, math.inf
        for index, tracks in enumerate(self._weight_tracks):
            if now < self._banned_until[index] or now < self._paused_until[index]:
                continue
            need = self._inflight_weight[index] + weight
            load = 0.0
            for track in tracks:
                total = self._used(track, now, guard) + need
                if total > track.limit:
                    break
                if track.limit and total / track.limit > load:
                    load = total / track.limit
            else:
                if self._single:
                    return index
                if load < best_load:
                    best, best_load = index, load
        return best

    def _grant(self, index: int, weight: int, orders: int, now: int) -> Reservation:
        self._inflight_weight[index] += weight
        self._inflight_orders += orders
        return Reservation(index, self._addresses[index], weight, orders, now)

    def _all_banned(self, now: int) -> bool:
        return all(now < until for until in self._banned_until)

    def _ban_error(self) -> IPBanned:
        index = min(range(len(self._addresses)), key=self._banned_until.__getitem__)
        return IPBanned(self._banned_until[index], self._addresses[index])

    # -- serving waiters -------------------------------------------------------------------

    def _dispatch(self) -> None:
        """Grant every waiter that fits, in order; arm the timer for the rest."""
        if not self._queues[0] and not self._queues[1]:
            self._cancel_timer()
            return
        now = self._clock.now_ms()
        if self._all_banned(now):
            error = self._ban_error()
            for queue in self._queues:
                while queue:
                    future = queue.popleft().future
                    if not future.done():
                        future.set_exception(IPBanned(error.until_ms, error.address))
            self._cancel_timer()
            return
        guard = self._guard_ms()
        # A waiter that does not fit keeps later and lower waiters off what it lacks
        # (weight, orders), so a big request is never starved; others may pass it.
        weight_blocked = orders_blocked = False
        for queue in self._queues:
            granted = False
            for waiter in queue:
                if waiter.future.done():
                    granted = True
                    continue
                if (waiter.weight and weight_blocked) or (waiter.orders and orders_blocked):
                    continue
                orders_ok = self._orders_fit(waiter.orders, now, guard)
                index = self._pick_address(waiter.weight, now, guard)
                if orders_ok and index >= 0:
                    waiter.future.set_result(self._grant(index, waiter.weight, waiter.orders, now))
                    granted = True
                    continue
                weight_blocked = weight_blocked or (index < 0 and waiter.weight > 0)
                orders_blocked = orders_blocked or not orders_ok
                if weight_blocked and orders_blocked:
                    break
            if granted:
                live = [w for w in queue if not w.future.done()]
                queue.clear()
                queue.extend(live)
            if weight_blocked and orders_blocked:
                break
        if self._queues[0] or self._queues[1]:
            self._arm_timer(now, guard)
        else:
            self._cancel_timer()

    def _next_wake_ms(self, now: int, guard: float) -> int:
        """When time alone next changes what fits: a rollover plus guard, a pause or ban end."""
        due = math.inf
        for window in self._window_sizes:
            start = now - now % window
            edge = start + guard if now < start + guard else start + window + guard
            due = min(due, edge)
        for until in (*self._paused_until, self._orders_paused_until, *self._banned_until):
            if until > now:
                due = min(due, until)
        return now + 1_000 if due == math.inf else math.ceil(due)

    def _arm_timer(self, now: int, guard: float) -> None:
        due = self._next_wake_ms(now, guard)
        if self._timer is not None and not self._timer.done():
            if self._timer_due_ms <= due:
                return
            self._timer.cancel()
        self._timer_due_ms = due
        self._timer = asyncio.get_running_loop().create_task(self._wake_at(due))

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
            self._dispatch()
        except Exception:  # the next admit or response dispatches again
            log.exception("limiter: serving waiters failed")

    # -- feedback --------------------------------------------------------------------------

    def observe(
        self,
        reservation: Reservation,
        *,
        status: int,
        headers: Mapping[str, str],
        code: int | None = None,
        msg: str | None = None,
    ) -> None:
        """Settle a request that got a response (errors included): commit, read headers.

        ``code`` and ``msg`` come from a Binance error body; ``msg`` gives a 418's ban end
        when ``Retry-After`` is absent.
        """
        if not reservation._open:
            return
        now = self._clock.now_ms()
        self._settle(reservation, now, self._guard_ms(), headers)
        self._last_headers[reservation.address_index] = headers
        if status == 429:
            self._on_429(reservation, now, headers, code)
        elif status == 418:
            self._on_418(reservation, now, headers, msg)
        if self._queues[0] or self._queues[1]:
            self._dispatch()

    def release(self, reservation: Reservation) -> None:
        """Settle a request that got no response; its cost counts, the server may have."""
        if not reservation._open:
            return
        self._settle(reservation, self._clock.now_ms(), self._guard_ms(), None)
        if self._queues[0] or self._queues[1]:
            self._dispatch()

    def _unhold(self, reservation: Reservation) -> None:
        """Drop the hold of a reservation that was never sent."""
        if reservation._open:
            reservation._open = False
            self._inflight_weight[reservation.address_index] -= reservation.weight
            self._inflight_orders -= reservation.orders

    def _settle(
        self, res: Reservation, now: int, guard: float, headers: Mapping[str, str] | None
    ) -> None:
        self._unhold(res)
        margin = math.ceil(guard)
        if res.weight or headers is not None:
            for track in self._weight_tracks[res.address_index]:
                self._commit(track, res.weight, res.sent_at_ms, now, margin, headers)
        if res.orders:
            for track in self._order_tracks:
                self._commit(track, res.orders, res.sent_at_ms, now, margin, headers)

    def _commit(
        self,
        track: _Track,
        cost: int,
        sent: int,
        now: int,
        margin: int,
        headers: Mapping[str, str] | None,
    ) -> None:
        window, key, store = track.window_ms, track.key, self._store
        current = now - now % window
        oldest = current - window  # older windows no longer matter to any admission
        if cost:
            # The server counted the request at one instant between send and receive, each
            # known to within the guard: it may sit in any window that span touches.
            early, late = sent - margin, now + margin
            start, last = max(early - early % window, oldest), late - late % window
            while start <= last:
                store.add(key, start, cost)
                start += window
        if headers is not None:
            value = headers.get(track.header)
            if value is None:
                value = headers.get(track.header_upper)
            sent_start = sent - sent % window
            if value is not None and sent_start >= oldest:
                # The count of the send-time window: the current one, unless the round trip
                # straddled a rollover; then a stale count must not land in the new window.
                with contextlib.suppress(ValueError):
                    store.raise_to(key, sent_start, int(value))
        if current > track.seen_start:
            track.seen_start = current
            store.drop_before(key, oldest)

    def _on_429(
        self, res: Reservation, now: int, headers: Mapping[str, str], code: int | None
    ) -> None:
        retry_ms = retry_after_ms(headers)
        index = res.address_index
        if code != -1015:  # -1003, or no code: the IP's weight
            until = self._mark_full(self._weight_tracks[index], now, retry_ms)
            self._paused_until[index] = max(self._paused_until[index], until)
        if code == -1015 or (code is None and res.orders):
            until = self._mark_full(self._order_tracks, now, retry_ms)
            self._orders_paused_until = max(self._orders_paused_until, until)
        log.warning("limiter: 429 (code %s) on %s; pausing", code, res.address)

    def _mark_full(self, tracks: Sequence[_Track], now: int, retry_ms: int | None) -> int:
        """Pause end for a 429 on ``tracks``; windows the pause outlasts are marked full."""
        full = [t for t in tracks if self._used(t, now, 0.0) >= t.limit] or list(tracks)
        if retry_ms is not None:
            until = now + retry_ms
        else:
            until = max((now - now % t.window_ms + t.window_ms for t in full), default=now)
        for track in full:
            start = now - now % track.window_ms
            if start + track.window_ms <= until:
                self._store.raise_to(track.key, start, track.limit)
        return until

    def _on_418(
        self, res: Reservation, now: int, headers: Mapping[str, str], msg: str | None
    ) -> None:
        until = ban_end_ms(headers, msg, now)
        index = res.address_index
        self._banned_until[index] = max(self._banned_until[index], until)
        log.error("limiter: 418, %s banned until %d (server ms)", res.address, until)

    # -- state -----------------------------------------------------------------------------

    @property
    def snapshot(self) -> LimitsSnapshot:
        """Used counts of the current windows, active bans and pauses."""
        now = self._clock.now_ms()
        windows = [
            self._window_state(track, now, address, self._inflight_weight[index])
            for index, address in enumerate(self._addresses)
            for track in self._weight_tracks[index]
        ]
        windows += [
            self._window_state(t, now, None, self._inflight_orders) for t in self._order_tracks
        ]
        pauses = [u for u in (*self._paused_until, self._orders_paused_until) if u > now]
        return LimitsSnapshot(
            windows=tuple(windows),
            banned_until_ms={
                a: u for a, u in zip(self._addresses, self._banned_until, strict=True) if u > now
            },
            paused_until_ms=max(pauses, default=None),
        )

    def _window_state(
        self, track: _Track, now: int, address: str | None, in_flight: int
    ) -> WindowState:
        start = now - now % track.window_ms
        return WindowState(
            kind=track.rate.kind,
            label=track.rate.label,
            address=address,
            used=self._store.get(track.key, start),
            limit=track.limit,
            window_start_ms=start,
            in_flight=in_flight,
        )

    @property
    def waiting(self) -> int:
        """Number of callers waiting in :meth:`admit`."""
        return len(self._queues[0]) + len(self._queues[1])

    def __repr__(self) -> str:
        return f"<Limiter {self.snapshot} waiting={self.waiting}>"
