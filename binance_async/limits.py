"""The limiter: a ledger, its admission queue, and (optionally) a shared budget store.

:meth:`Limiter.try_admit` is the hot path: a decision on the local mirror, no future, no
timer. :meth:`Limiter.admit` waits in line; with a shared store it then makes the reservation
hold across every client of the store (one :meth:`~.budget.BudgetStore.sync`), and waits
again if another client got there first. Every reservation comes back exactly once:
:meth:`Limiter.observe` after an answer, :meth:`Limiter.release` when the request may have
left but no answer came, :meth:`Limiter.drop` when it never left.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from .admission import AdmissionQueue
from .budget import BudgetStore, Claim, Signal, SyncRequest
from .ledger import Ledger
from .ratelimits import Counts, LimitsSnapshot, Priority, RateLimit, ServerTime
from .windows import Reservation

__all__ = ["Limiter"]

log = logging.getLogger("binance_async.limits")

#: How soon a reservation the shared store refused is asked again, at the latest.
_POLL_MS = 100


class Limiter:
    """Admits requests within the IP weight and account order budgets of the server's windows.

    ``venue`` and ``account`` name the budgets in a shared ``store``; ``limits`` are the
    venue's defaults until :meth:`load` replaces them with ``exchangeInfo``'s.
    """

    def __init__(
        self,
        *,
        clock: ServerTime,
        limits: Sequence[RateLimit],
        venue: str = "usdm",
        account: str = "default",
        addresses: Sequence[str] = ("default",),
        store: BudgetStore | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        safety_margin_ms: float = 5.0,
        rate_limit_floor_s: float = 1.0,
        hold_ms: int = 60_000,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.ledger = Ledger(
            venue=venue,
            account=account,
            addresses=addresses,
            limits=limits,
            rate_limit_floor_ms=max(1, round(rate_limit_floor_s * 1000)),
        )
        self.queue = AdmissionQueue(
            self.ledger, clock, sleep=sleep, safety_margin_ms=safety_margin_ms
        )
        self._store = store
        self._hold_ms = hold_ms
        if store is not None:
            self.ledger.outbox = []
        self._releases: list[str] = []
        self._signals: list[Signal] = []
        self._flusher: asyncio.Task[None] | None = None

    # -- configuration ---------------------------------------------------------------------

    @property
    def limits(self) -> tuple[RateLimit, ...]:
        """The limits in force."""
        return self.ledger.limits

    @property
    def addresses(self) -> tuple[str, ...]:
        """The egress addresses, in the order ``Reservation.address_index`` refers to."""
        return self.ledger.addresses

    def load(self, limits: Iterable[RateLimit]) -> None:
        """Replace the limits (``exchangeInfo.rateLimits``); counts carry over."""
        self.ledger.load(limits, now=self._clock.now_ms())
        self.queue.dispatch()

    def load_rate_limits(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Replace the limits with raw ``rateLimits`` items; ``ValueError`` for a bad item,
        leaving the limits in force as they were."""
        parsed = [r for r in map(RateLimit.from_payload, items) if r is not None]
        if not parsed:
            raise ValueError("rateLimits: no REQUEST_WEIGHT or ORDERS limit")
        self.load(parsed)

    # -- admission -------------------------------------------------------------------------

    def try_admit(self, *, weight: int, orders: int = 0) -> Reservation | None:
        """Admit at once if nobody waits and the budgets fit now; else None (never waits).

        Raises ``ValueError`` for a cost no window could ever take, and
        :class:`~binance_async.errors.IPBanned` while every address is banned.
        """
        ledger = self.ledger
        if not 0 <= weight <= ledger.max_weight or not 0 <= orders <= ledger.max_orders:
            raise ValueError(
                f"cost: weight={weight} orders={orders} can never fit the limits "
                f"(weight <= {ledger.max_weight}, orders <= {ledger.max_orders})"
            )
        if self._store is not None:
            return None
        return self.queue.try_grant(weight, orders)

    async def admit(
        self, *, weight: int, orders: int = 0, priority: Priority = Priority.NORMAL
    ) -> Reservation:
        """Wait until the request fits; cancelling the wait leaves nothing held."""
        reservation = self.try_admit(weight=weight, orders=orders)
        if reservation is not None:
            return reservation
        while True:
            reservation = self.queue.try_grant(weight, orders) if self._store else None
            if reservation is None:
                reservation = await self.queue.wait(weight, orders, priority)
            if self._store is None:
                return reservation
            try:
                retry_ms = await self._reserve_shared(reservation)
            except BaseException:
                self.drop(reservation)
                raise
            if retry_ms is None:
                return reservation
            self.drop(reservation)
            await self._sleep(retry_ms / 1000)

    async def _reserve_shared(self, res: Reservation) -> int | None:
        """Make ``res`` hold in the shared store; None when it does, else ms to wait."""
        assert self._store is not None
        now = self._clock.now_ms()
        res.hold_id = uuid.uuid4().hex
        request = self._request(now, res.hold_id, self._claims(res, now))
        reply = await self._store.sync(request)
        self.ledger.merge(reply.counts, {s.scope: s.paused_until_ms for s in reply.signals})
        if reply.granted:
            return None
        # The mirror now holds the shared counts: when they leave no room, the queue waits
        # for the window by itself; a refusal the counts do not show (another client's probe,
        # reservations about to settle) is asked again shortly.
        return max(1, min(reply.retry_after_ms or _POLL_MS, _POLL_MS))

    def _claims(self, res: Reservation, now: int) -> tuple[Claim, ...]:
        claims = []
        probes = res.probes or ()
        for address, scope in self.ledger.scopes():
            cost = res.orders if address is None else res.weight
            if not cost or (address is not None and address != res.address):
                continue
            for track in scope.tracks:
                start = track.start(now)
                starts = (start,) if start <= track.confirmed else (start - track.window, start)
                claims.append(Claim(track.key, starts, cost, track.limit, track in probes))
        return tuple(claims)

    def _request(self, now: int, hold_id: str | None, claims: tuple[Claim, ...]) -> SyncRequest:
        outbox = self.ledger.outbox or []
        updates = tuple(outbox)
        outbox.clear()
        releases, self._releases = tuple(self._releases), []
        signals, self._signals = tuple(self._signals), []
        return SyncRequest(
            now_ms=now,
            hold_id=hold_id,
            claims=claims,
            hold_until_ms=now + self._hold_ms,
            releases=releases,
            updates=updates,
            signals=signals,
        )

    # -- settling --------------------------------------------------------------------------

    def observe(
        self,
        reservation: Reservation,
        *,
        status: int,
        counts: Counts,
        code: int | None = None,
        msg: str | None = None,
    ) -> None:
        """Settle a request that got an answer (errors included): commit, read the counts.

        ``code`` and ``msg`` come from a Binance error body; ``msg`` gives a 418's ban end
        when ``Retry-After`` is absent.
        """
        self._settle(reservation, counts, status, code, msg)

    def release(self, reservation: Reservation) -> None:
        """Settle a request that may have left but got no answer: its cost counts."""
        self._settle(reservation, None, 0, None, None)

    def drop(self, reservation: Reservation) -> None:
        """Give back a reservation whose request never left."""
        if not reservation.open:
            return
        self.ledger.unhold(reservation)
        if reservation.hold_id is not None:
            self._releases.append(reservation.hold_id)
            self._schedule_flush()
        self.queue.dispatch()

    def _settle(
        self,
        res: Reservation,
        counts: Counts | None,
        status: int,
        code: int | None,
        msg: str | None,
    ) -> None:
        if not res.open:
            return
        now = self._clock.now_ms()
        self.ledger.settle(res, now, self.queue.guard_ms(), counts, status, code, msg)
        if self._store is not None:
            if res.hold_id is not None:
                self._releases.append(res.hold_id)
            for _, scope in self.ledger.scopes():
                if scope.paused_until > now or scope.banned_until > now:
                    self._signals.append(Signal(scope.name, scope.paused_until, scope.banned_until))
            self._schedule_flush()
        if self.queue.waiting:
            self.queue.dispatch()

    def _schedule_flush(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(
                self._flush(), name="binance_async.budget-flush"
            )

    async def _flush(self) -> None:
        """Push settled news to the store soon, even when no admission carries it."""
        assert self._store is not None
        await asyncio.sleep(0)
        if not (self.ledger.outbox or self._releases or self._signals):
            return
        try:
            await self._store.sync(self._request(self._clock.now_ms(), None, ()))
        except Exception as exc:  # the next sync carries on; the store is a best effort here
            log.warning("budget store: flush failed: %s", exc)

    # -- state and lifecycle ---------------------------------------------------------------

    @property
    def snapshot(self) -> LimitsSnapshot:
        """Used counts of the current windows, active bans and pauses."""
        return self.ledger.snapshot(self._clock.now_ms())

    @property
    def waiting(self) -> int:
        """Number of callers waiting in :meth:`admit`."""
        return self.queue.waiting

    async def close(self) -> None:
        """Fail waiters (:class:`~.admission.Closed`), stop the timer, flush the outbox."""
        self.queue.close()
        flusher, self._flusher = self._flusher, None
        if flusher is not None and not flusher.done():
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
        if self._store is not None and (self.ledger.outbox or self._releases or self._signals):
            with contextlib.suppress(Exception):
                await self._store.sync(self._request(self._clock.now_ms(), None, ()))

    def __repr__(self) -> str:
        return f"<Limiter {self.snapshot} waiting={self.waiting}>"
