"""The limiter: a ledger, its admission queue, and (optionally) a shared budget store.

:meth:`Limiter.try_admit` is the hot path: a decision on the local mirror, no future, no
timer. :meth:`Limiter.admit` waits in line; with a shared store it then makes the reservation
hold across every client of the store (one :meth:`~.budget.BudgetStore.sync`), and waits
again if another client got there first. Every reservation comes back exactly once:
:meth:`Limiter.observe` after an answer, :meth:`Limiter.release` when the request may have
left but no answer came, :meth:`Limiter.drop` when it never left.

When the store does not answer (any error of its ``sync``), the limiter logs one warning and
admits on its own, within a local share of every budget (the ledger's limits scaled by the
store's :class:`~.budget.Fallback`, a quarter unless told); the server's counts keep raising
its view. What other clients reserved since the last sync is unknown and may fill the windows
current when the store went away (and any the requests already sent may still land in): those
count as full until they end, or until the store is back.
A background task asks the store again every ``retry_interval_s``, hands it the counts it
missed, and shares again once it answers; the local share stays a little longer, so clients
that have not noticed yet and still admit on their own share stay inside the budget. Without
a store none of this runs: the hot path is one attribute test more.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any

from .admission import AdmissionQueue
from .budget import (
    BudgetStore,
    Claim,
    Fallback,
    Signal,
    SyncReply,
    SyncRequest,
    Update,
    compose,
)
from .ledger import SHARED_VIEW_MS, Ledger
from .ratelimits import Counts, LimitsSnapshot, Priority, RateLimit, ServerTime
from .windows import Reservation

__all__ = ["Limiter"]

log = logging.getLogger("binance_async.limits")

#: How soon a reservation the shared store refused is asked again, at the latest (when
#: the store's view of the counts ends for the local decision).
_POLL_MS = SHARED_VIEW_MS


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
        #: Reservation names in a shared store: this limiter's random prefix and a number
        #: (unique across processes and hosts; no uuid4 per request).
        self._hold_prefix = uuid.uuid4().hex[:16] + ":"
        self._hold_numbers = itertools.count()
        if store is not None:
            self.ledger.outbox = []
        #: True while admissions reserve through the store: it is set and answers.
        self._shared = store is not None
        fallback = getattr(store, "fallback", None)
        self._fallback = fallback if isinstance(fallback, Fallback) else Fallback()
        #: Changes when the store is lost or found: a grant decided before is decided again.
        self._epoch = 0
        self._recovery: asyncio.Task[None] | None = None
        self._releases: list[str] = []
        self._signals: dict[str, Signal] = {}
        #: How long answers take lately, at the most (decaying), with a shared store.
        self._slow_ms = 0.0
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

    @property
    def shared(self) -> bool:
        """True while a store is set and answers; False without one, or on the local share."""
        return self._shared

    def load(self, limits: Iterable[RateLimit]) -> None:
        """Replace the limits (``exchangeInfo.rateLimits``); counts carry over."""
        self.ledger.load(limits, now=self._clock.now_ms())
        if self._shared and self.ledger.outbox:  # new windows, seeded: tell the store soon
            with contextlib.suppress(RuntimeError):  # no running loop: the next sync tells it
                self._schedule_flush()
        self.queue.dispatch()

    def load_rate_limits(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Replace the limits with raw ``rateLimits`` items; ``ValueError`` for a bad item,
        leaving the limits in force as they were."""
        parsed = [r for r in map(RateLimit.from_payload, items) if r is not None]
        if not any(r.kind != "RAW_REQUESTS" for r in parsed):
            raise ValueError("rateLimits: no REQUEST_WEIGHT or ORDERS limit")
        self.load(parsed)

    # -- admission -------------------------------------------------------------------------

    def try_admit(
        self,
        *,
        weight: int,
        orders: int = 0,
        bucket: str | None = None,
        address: int | None = None,
    ) -> Reservation | None:
        """Admit at once if nobody waits and the budgets fit now; else None (never waits).

        ``bucket`` names the endpoint's request bucket (its own ``RAW_REQUESTS`` limit);
        ``address`` (an index into :attr:`addresses`) pins the request to that egress address,
        for a connection that leaves from it.

        Raises ``ValueError`` for a cost no window could ever take or an unknown address,
        and :class:`~binance_async.errors.IPBanned` while every address is banned.
        """
        ledger = self.ledger
        if not 0 <= weight <= ledger.max_weight or not 0 <= orders <= ledger.max_orders:
            raise ValueError(
                f"cost: weight={weight} orders={orders} can never fit the limits "
                f"(weight <= {ledger.max_weight}, orders <= {ledger.max_orders})"
            )
        if address is not None and not 0 <= address < len(ledger.addresses):
            raise ValueError(f"address: no egress address #{address}")
        if self._shared:
            return None
        return self.queue.try_grant(weight, orders, bucket, address)

    async def admit(
        self,
        *,
        weight: int,
        orders: int = 0,
        priority: Priority = Priority.NORMAL,
        bucket: str | None = None,
        address: int | None = None,
    ) -> Reservation:
        """Wait until the request fits; cancelling the wait leaves nothing held.

        Raises as :meth:`try_admit`, and :class:`~.admission.Closed` once closed.
        """
        reservation = self.try_admit(weight=weight, orders=orders, bucket=bucket, address=address)
        if reservation is not None:
            return reservation
        while True:
            epoch = self._epoch
            reservation = (
                self.queue.try_grant(weight, orders, bucket, address) if self._shared else None
            )
            if reservation is None:
                reservation = await self.queue.wait(weight, orders, priority, bucket, address)
                if self._epoch != epoch:  # granted before the store was lost or found
                    self.drop(reservation)
                    continue
            if not self._shared:
                return reservation
            try:
                retry_ms = await self._reserve_shared(reservation)
            except BaseException:
                self.drop(reservation)
                raise
            if retry_ms is None:
                return reservation
            self.drop(reservation)
            if retry_ms:
                await self._sleep(retry_ms / 1000)

    async def _reserve_shared(self, res: Reservation) -> int | None:
        """Make ``res`` hold in the shared store: None when it does, else ms to wait (0: the
        store is lost, decide again on the local share)."""
        assert self._store is not None
        now = self._clock.now_ms()
        res.hold_id = f"{self._hold_prefix}{next(self._hold_numbers)}"
        request = self._request(now, res.hold_id, self._claims(res, now))
        ledger = self.ledger
        ledger.unshared(res, 1)
        try:
            reply = await self._store.sync(request)
        except Exception as exc:
            self._lost(exc, request)
            return 0
        else:  # the counts do not hold ``res`` yet, granted or not
            # Lost meanwhile (another call failed): what was confirmed is stale, the store's
            # counts and refusals only ever add caution.
            ledger.merge(reply, self._clock.now_ms(), confirmed=self._shared)
        finally:
            ledger.unshared(res, -1)
        if reply.granted:
            return None
        if reply.signals:  # the ledger now holds the pause or ban: the queue waits it out
            return 0
        # The mirror now holds the shared counts: when they leave no room, the queue waits
        # for the window by itself; a refusal the counts do not show (another client's probe,
        # reservations about to settle) is asked again shortly.
        return max(1, min(reply.retry_after_ms or _POLL_MS, _POLL_MS))

    def _claims(self, res: Reservation, now: int) -> tuple[Claim, ...]:
        claims = []
        probes = res.probes or ()
        for scope, cost in self.ledger.touched(res):
            for track in scope.tracks:
                claims.append(
                    Claim(
                        track.key,
                        track.claim_starts(now),
                        cost,
                        track.limit,
                        track in probes,
                        track.window,
                    )
                )
        return tuple(claims)

    def _request(
        self,
        now: int,
        hold_id: str | None,
        claims: tuple[Claim, ...],
        news: tuple[Update, ...] = (),
    ) -> SyncRequest:
        outbox = self.ledger.outbox
        updates = news
        if outbox:  # news are raises: after the adds, so an add is not counted twice
            updates = (*outbox, *news)
            outbox.clear()
        releases, self._releases = tuple(self._releases), []
        signals = tuple(self._signals.values())
        self._signals.clear()
        confirms = tuple(self.ledger.confirms)
        self.ledger.confirms.clear()
        return SyncRequest(
            now_ms=now,
            hold_id=hold_id,
            claims=claims,
            hold_until_ms=now + self._hold_ms,
            releases=releases,
            updates=updates,
            signals=signals,
            confirms=confirms,
        )

    def _news(self) -> bool:
        """True when settled news wait for the store."""
        return bool(self.ledger.outbox or self._releases or self._signals or self.ledger.confirms)

    # -- the store lost and found ----------------------------------------------------------

    def _lost(self, exc: Exception, request: SyncRequest) -> None:
        """The store failed on ``request``: admit on the local share until it answers again."""
        self._unsent(request)
        if not self._shared:
            return  # already on the local share (several calls failed together)
        self._shared = False
        self._epoch += 1
        now = self._clock.now_ms()
        # Requests any client sent before now may still reach the server a while after it.
        self.ledger.blind(now, now + math.ceil(2 * self._slow_ms + self.queue.guard_ms()))
        self.ledger.scale(self._fallback.local_share)
        if self._recovery is not None:  # still in the grace of the previous outage
            self._recovery.cancel()
        self._recovery = asyncio.get_running_loop().create_task(
            self._recover(), name="binance_async.budget-recovery"
        )
        log.warning(
            "budget store %r does not answer (%s: %s); admitting on %g of each budget "
            "until it does",
            self._store,
            type(exc).__name__,
            exc,
            self._fallback.local_share,
        )
        self.queue.dispatch()

    async def _recover(self) -> None:
        """Ask the store again until it answers; share again; drop the local share later."""
        assert self._store is not None
        interval_s = self._fallback.retry_interval_s
        while True:
            await self._sleep(interval_s)
            now = self._clock.now_ms()
            self._compact(now)
            news = tuple(self.ledger.pending_news(now))
            request = self._request(now, None, self._every_window(now), news)
            try:
                reply = await self._store.sync(request)
            except Exception as exc:
                self._unsent(request, len(news))
                log.debug("budget store still does not answer: %s", exc)
                continue
            break
        self._resume(reply)
        # Others that have not asked yet still admit on their own share, out of the store's
        # sight: keep to ours until they surely have.
        await self._sleep(2 * interval_s)
        self.ledger.scale(1.0)
        self._recovery = None
        self.queue.dispatch()

    def _unsent(self, request: SyncRequest, news: int = 0) -> None:
        """Keep what a failed sync carried for the next one, but its last ``news`` updates
        (they are made afresh). It may have been applied: the store then counts it twice,
        which is safe."""
        self._releases[:0] = request.releases
        for signal in request.signals:
            self._signals.setdefault(signal.scope, signal)
        outbox = self.ledger.outbox
        if outbox is not None:
            outbox[:0] = request.updates[: len(request.updates) - news]
        self.ledger.confirms[:0] = request.confirms

    def _compact(self, now: int) -> None:
        """Keep the outbox small while the store is away: one change of each kind per window,
        none for windows no admission looks at any more."""
        outbox = self.ledger.outbox
        if outbox is None:
            return
        kept = []
        for (key, start), (read, blind, once, floor, whole, window) in compose(outbox).items():
            if window and start + 2 * window < now:
                continue
            if read:
                kept.append(Update(key, start, read, True, window, read=True))
            if blind:
                kept.append(Update(key, start, blind, True, window))
            if once:
                kept.append(Update(key, start, once, True, window, once=True))
            if floor is not None:
                kept.append(Update(key, start, floor, False, window))
            if whole:
                kept.append(Update(key, start, whole, False, window, whole=True))
        outbox[:] = kept
        latest: dict[str, int] = {}
        for key, start in self.ledger.confirms:
            latest[key] = max(start, latest.get(key, start))
        self.ledger.confirms[:] = latest.items()

    def _resume(self, reply: SyncReply) -> None:
        self.ledger.unblind(reply)
        self.ledger.merge(reply, self._clock.now_ms())
        self._shared = True
        self._epoch += 1
        log.info("budget store %r answers again: budgets shared again", self._store)
        self.queue.dispatch()

    def _every_window(self, now: int) -> tuple[Claim, ...]:
        """Zero-cost claims on every window: the store's answer carries their counts."""
        claims = []
        for _, scope in self.ledger.scopes():
            for track in scope.tracks:
                claims.append(
                    Claim(track.key, track.claim_starts(now), 0, track.limit, False, track.window)
                )
        return tuple(claims)

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
            if self._shared:
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
        if not res._open:
            return
        queue = self.queue
        now, uncertainty = queue.read_clock()
        self.ledger.settle(res, now, uncertainty + queue.margin_ms, counts, status, code, msg)
        if self._store is not None:
            self._slow_ms = max(float(now - res.sent_at_ms), self._slow_ms * 0.99)
            if res.hold_id is not None:
                self._releases.append(res.hold_id)
            for _, scope in self.ledger.scopes():
                if scope.paused_until > now or scope.banned_until > now:
                    signal = Signal(scope.name, scope.paused_until, scope.banned_until)
                    self._signals[scope.name] = signal
            if self._shared:
                self._schedule_flush()
        if queue.lines[0] or queue.lines[1]:  # someone waits
            queue.dispatch()

    def _schedule_flush(self) -> None:
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(
                self._flush(), name="binance_async.budget-flush"
            )

    async def _flush(self) -> None:
        """Push settled news to the store soon, even when no admission carries it."""
        assert self._store is not None
        await asyncio.sleep(0)
        if not self._shared or not self._news():
            return
        request = self._request(self._clock.now_ms(), None, ())
        try:
            await self._store.sync(request)
        except Exception as exc:  # what it carried is handed over again once the store is back
            self._lost(exc, request)

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
        """Fail waiters (:class:`~.admission.Closed`), stop the timer and the store's
        recovery, flush the outbox (the store is not closed: it is the caller's)."""
        self.queue.close()
        recovery, self._recovery = self._recovery, None
        if recovery is not None:
            recovery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await recovery
        flusher, self._flusher = self._flusher, None
        if flusher is not None and not flusher.done():
            with contextlib.suppress(asyncio.CancelledError):
                await flusher
        if self._shared and self._news():
            assert self._store is not None
            with contextlib.suppress(Exception):
                await self._store.sync(self._request(self._clock.now_ms(), None, ()))

    def __repr__(self) -> str:
        if self._store is None:
            store = ""
        elif self._shared:
            store = " store=shared"
        else:
            store = f" store=unreachable (local share {self._fallback.local_share:g})"
        return f"<Limiter {self.snapshot} waiting={self.waiting}{store}>"
