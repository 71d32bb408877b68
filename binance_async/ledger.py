"""The ledger: used counts per rate-limit window, what is in flight, and the server's signals.

Binance counts REQUEST_WEIGHT per egress IP and ORDERS per account in fixed windows of its own
clock (reference/fapi-rules.md, section 5). The ledger decides, on its local counts, whether a
request fits every window it touches (requests in flight included), and settles each request
when its answer (or no answer) comes back:

- a response commits its cost to every window the server may have counted it in, and the
  server's counts (``X-MBX-USED-WEIGHT-*``, ``X-MBX-ORDER-COUNT-*``) raise the local ones;
- a window's budget is never released on an assumption. Where the server's windows start is
  not documented, so a new window stays *unconfirmed* until an answer shows the server's count
  dropped below what it gave a request answered before this one left (answers may arrive in
  another order than the server counted them), or a request that surely left inside the new
  window met no more than was sent in it (:meth:`.Track.rolled`). While unconfirmed it is charged
  with the previous window's count too, which is safe wherever the server's boundary lies;
  when that leaves no room, one request goes first as the window's probe;
- a 429 pauses its scope (the address's weight, or the account's orders) until
  ``Retry-After``, never less than a floor that doubles while 429s repeat, and its
  ``Retry-After`` tells where the server's window really ends: the window's phase moves there
  and is kept for the windows after;
- a 418 bans the address until its end (``Retry-After``, the time in the message, or 2
  minutes).

Times are the exchange's milliseconds as the client's clock estimates them; ``guard`` is the
clock's uncertainty plus a margin. The admission queue (:mod:`.admission`) and the shared
store (:mod:`.budget`) sit on top; :class:`~binance_async.limits.Limiter` composes them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence

from .budget import SyncReply, Update
from .errors import IPBanned
from .ratelimits import (
    MAX_PAUSE_MS,
    Counts,
    LimitsSnapshot,
    RateLimit,
    WindowState,
    ban_end_ms,
    read_count,
    retry_after_ms,
)
from .windows import HEARD, NO, PROBE, Reservation, Scope, Track

__all__ = ["ORDERS", "REQUESTS", "SHARED_VIEW_MS", "WEIGHT", "Ledger"]

log = logging.getLogger("binance_async.limits")

#: Retry-After is whole seconds: the window's true end lies up to this much before it.
_RETRY_AFTER_GRAIN_MS = 1000

#: How long a shared store's counts stand for the local decision (they hold live
#: reservations that settle soon): about when a refused reservation asks again.
SHARED_VIEW_MS = 100

#: :attr:`Ledger.short` bits: what a request that did not fit lacked.
WEIGHT, ORDERS, REQUESTS = 1, 2, 4


def _room(tracks: tuple[Track, ...], need: int, now: int) -> bool:
    """True when ``need`` fits every track's current window, each confirmed and with no
    other client's view weighing on it (:meth:`Ledger._pick_plain`; :meth:`Track.fits`
    decides the rest)."""
    for track in tracks:
        start = now - (now - track.phase) % track.window
        if start > track.confirmed or track.others_until > now:
            return False
        if track.counts.get(start, 0) + need > track.limit:
            return False
    return True


class Ledger:
    """Windows, commits, the server's counts and refusals, for one venue and one account.

    ``addresses`` are the egress addresses (each its own weight budget); the account's order
    windows are shared by all. Keys name venue, scope and window, as a shared store needs.
    """

    def __init__(
        self,
        *,
        venue: str,
        account: str,
        addresses: Sequence[str],
        limits: Sequence[RateLimit],
        rate_limit_floor_ms: int = 1000,
    ) -> None:
        if not addresses or len(set(addresses)) != len(addresses):
            raise ValueError(f"addresses: need distinct egress addresses, got {addresses!r}")
        self.venue = venue
        self.account = account
        self.addresses = tuple(addresses)
        self._floor_ms = rate_limit_floor_ms
        self._ip = tuple(Scope(f"{venue}|ip:{a}") for a in self.addresses)
        self._orders = Scope(f"{venue}|account:{account}")
        self._single = len(self.addresses) == 1
        #: RAW_REQUESTS scopes by bucket (None: every request), one per address.
        self._raw: dict[str | None, tuple[Scope, ...]] = {}
        #: The RAW_REQUESTS scope groups a request of a bucket touches (see :meth:`load`).
        self._groups: dict[str | None, tuple[tuple[Scope, ...], ...]] = {}
        self._every: tuple[tuple[Scope, ...], ...] = ()
        self._scopes: tuple[tuple[str | None, Scope], ...] = ()
        self._by_name: dict[str, Scope] = {}
        #: Why the last :meth:`pick` found no room: :data:`WEIGHT`, :data:`ORDERS`,
        #: :data:`REQUESTS` bits.
        self.short = 0
        self.limits: tuple[RateLimit, ...] = ()
        #: Every window's limit is this share of the server's (below 1 while a shared store
        #: does not answer).
        self.share = 1.0
        self.max_weight = self.max_orders = self.weight_cap = self.orders_cap = 0
        self.window_sizes: tuple[int, ...] = ()
        self._by_key: dict[str, tuple[Track, Scope]] = {}
        #: Windows counted full while a shared store does not answer: track -> starts.
        self._blind: dict[Track, set[int]] = {}
        #: With a shared store: every change to the counts, for the store to apply, and the
        #: windows the server was seen past, for the other clients to know.
        self.outbox: list[Update] | None = None
        self.confirms: list[tuple[str, int]] = []
        #: Requests settled so far (the next one's number).
        self._heard = 0
        self.load(limits, now=0)

    # -- configuration ---------------------------------------------------------------------

    def load(self, limits: Iterable[RateLimit], *, now: int) -> None:
        """Use ``limits``; windows kept from before keep their counts, new ones are seeded."""
        limits = tuple(limits)
        if not any(r.kind != "RAW_REQUESTS" for r in limits):
            raise ValueError("limits: no REQUEST_WEIGHT or ORDERS limit")
        # exchangeInfo lists no endpoint bucket: those in force stay.
        named = {r.bucket for r in limits if r.kind == "RAW_REQUESTS"}
        limits += tuple(r for r in self.limits if r.bucket is not None and r.bucket not in named)
        if limits == self.limits:
            return
        buckets = {r.bucket for r in limits if r.kind == "RAW_REQUESTS"}
        self._raw = {
            bucket: self._raw.get(bucket)
            or tuple(
                Scope(f"{self.venue}|ip:{a}|requests" + (f":{bucket}" if bucket else ""))
                for a in self.addresses
            )
            for bucket in sorted(buckets, key=lambda b: b or "")
        }
        every = self._raw.get(None)
        self._every = (every,) if every is not None else ()
        self._groups = {
            bucket: (*self._every, scopes) if bucket is not None else self._every
            for bucket, scopes in self._raw.items()
        }
        pairs: list[tuple[Scope, str, str | None]] = [
            *((s, "REQUEST_WEIGHT", None) for s in self._ip),
            (self._orders, "ORDERS", None),
            *((s, "RAW_REQUESTS", b) for b, group in self._raw.items() for s in group),
        ]
        for scope, kind, bucket in pairs:
            rates = [r for r in limits if r.kind == kind and r.bucket == bucket]
            old = {t.rate.window_ms: t for t in scope.tracks}
            # What the old windows counted is the best knowledge of a new one until the
            # server's next count: seed with it (conservative for shorter windows). A shared
            # store gets it as an add once: other clients may count in the new windows
            # already, and their requests are not in this seed (a raise would hide the
            # smaller part); the server's later counts cover it.
            seed = max((t.used(now) for t in scope.tracks), default=0)
            tracks = []
            for rate in rates:
                track = old.get(rate.window_ms)
                if track is None:
                    track = Track(rate, f"{scope.name}|{rate.kind} {rate.label}")
                    start = track.start(now)
                    track.raise_to(start, seed)
                    if seed and self.outbox is not None:  # a shared store has not seen it
                        self.outbox.append(
                            Update(track.key, start, seed, True, rate.window_ms, once=True)
                        )
                track.rate, track.limit = rate, self._scaled(rate.limit)
                tracks.append(track)
            scope.tracks = tuple(tracks)
        self.limits = limits
        raw_scopes = [
            (address, scope)
            for group in self._raw.values()
            for address, scope in zip(self.addresses, group, strict=True)
        ]
        self._scopes = (
            *zip(self.addresses, self._ip, strict=True),
            (None, self._orders),
            *raw_scopes,
        )
        self._by_name = {scope.name: scope for _, scope in self._scopes}
        self._by_key = {t.key: (t, scope) for _, scope in self._scopes for t in scope.tracks}
        weights = [r.limit for r in limits if r.kind == "REQUEST_WEIGHT"]
        orders = [r.limit for r in limits if r.kind == "ORDERS"]
        self.max_weight = min(weights) if weights else 1 << 62
        self.max_orders = min(orders) if orders else 1 << 62
        self.window_sizes = tuple(sorted({r.window_ms for r in limits}))
        self._caps()

    def scale(self, share: float) -> None:
        """Admit within ``share`` of every limit (1: the server's limits)."""
        self.share = share
        for _, scope in self.scopes():
            for track in scope.tracks:
                track.limit = self._scaled(track.rate.limit)
        self._caps()

    def _caps(self) -> None:
        """The largest costs the limits in force can take (below ``max_weight`` and
        ``max_orders`` while scaled)."""
        self.weight_cap = self._scaled(self.max_weight)
        self.orders_cap = self._scaled(self.max_orders)

    def blind(self, now: int, until: int) -> None:
        """The shared counts just went stale: what other clients reserved since the last sync
        is unknown, and may fill every window the server counts it in, up to ``until`` (when
        requests sent before now have surely arrived): those count as full. The windows after
        start as usual (unconfirmed: a probe first, then the server's counts)."""
        for _, scope in self.scopes():
            for track in scope.tracks:
                if track.sliding:
                    # Counted full, a request count would stay shut for its whole window (5
                    # minutes): the local share bounds it, and what others reserved in the
                    # moments since the last sync is a sliver of it.
                    continue
                starts = self._blind.setdefault(track, set())
                start = track.start(now)
                while start <= until:
                    starts.add(start)
                    track.raise_to(start, track.rate.limit)
                    start += track.window

    def unblind(self, reply: SyncReply) -> None:
        """The store answers again: the windows counted full in :meth:`blind` count what it
        says, live reservations apart (its counts hold this client's use, handed over
        first)."""
        counts, held = reply.counts, reply.held
        for track, starts in self._blind.items():
            for start in starts:
                value = counts.get((track.key, start))
                if value is not None:
                    track.counts[start] = max(0, value - held.get(track.key, 0))
        self._blind.clear()

    def _scaled(self, limit: int) -> int:
        return limit if self.share >= 1 else max(1, math.floor(limit * self.share))

    # -- admission -------------------------------------------------------------------------

    def pick(
        self,
        weight: int,
        orders: int,
        now: int,
        guard: float,
        bucket: str | None = None,
        address: int | None = None,
    ) -> Reservation | None:
        """Hold the budget of a request that fits now, on the least-used address (or on
        ``address``, an index, when the request must leave from it); else None, with what
        it lacked in :attr:`short`.

        ``bucket`` names the endpoint's request bucket (a ``RAW_REQUESTS`` limit of some
        endpoints only); one not in the limits costs nothing.
        """
        self.short = 0
        if self._single and self.outbox is None and not self._every and bucket not in self._raw:
            granted = self._pick_plain(weight, orders, now)
            if granted is not None:
                return granted
        probes: list[Track] | None = None
        if orders:
            scope = self._orders
            if now < scope.paused_until:
                self.short = ORDERS
                return None
            need = scope.in_flight + orders
            for track in scope.tracks:
                fit = track.fits(need, now, guard)
                if fit == NO:
                    self.short = ORDERS
                    return None
                if fit == PROBE:
                    probes = [*(probes or ()), track]
        groups = self._groups.get(bucket, self._every) if self._raw else ()
        if address is not None or self._single:
            index = address or 0
            found = self._fit(index, weight, groups, now, guard, probes)
            if found is None:
                return None
            return self._grant(index, weight, orders, now, found[1], groups)
        best, best_load, best_probes = -1, math.inf, probes
        for index in range(len(self._ip)):
            found = self._fit(index, weight, groups, now, guard, probes)
            if found is not None and found[0] < best_load:
                best, (best_load, best_probes) = index, found
        if best < 0:
            return None
        self.short = 0
        return self._grant(best, weight, orders, now, best_probes, groups)

    def _pick_plain(self, weight: int, orders: int, now: int) -> Reservation | None:
        """:meth:`pick` in fewer steps for the common request (one address, no request
        count, no store), when every window it touches is confirmed and has room, no other
        client's view weighs on it and no pause or ban holds; else None, and :meth:`pick`
        decides (with the same answer wherever both decide)."""
        scope = self._ip[0]
        if now < scope.banned_until or now < scope.paused_until:
            return None
        if weight and not _room(scope.tracks, scope.in_flight + weight, now):
            return None
        if orders:
            account = self._orders
            if now < account.paused_until or not _room(
                account.tracks, account.in_flight + orders, now
            ):
                return None
            account.in_flight += orders
        scope.in_flight += weight
        return Reservation(0, self.addresses[0], weight, orders, now, None, (), self._heard)

    def _fit(
        self,
        index: int,
        weight: int,
        groups: tuple[tuple[Scope, ...], ...],
        now: int,
        guard: float,
        probes: list[Track] | None,
    ) -> tuple[float, list[Track] | None] | None:
        """(load, probes) when the request fits the address at ``index`` now, else None."""
        found = self._weight_fit(self._ip[index], weight, now, guard, probes)
        if found is None:
            self.short |= WEIGHT
            return None
        for group in groups:  # one request more on each request count
            scope = group[index]
            if now < scope.paused_until:
                self.short |= REQUESTS
                return None
            need = scope.in_flight + 1
            for track in scope.tracks:
                if track.fits(need, now, guard) == NO:  # sliding: never a probe
                    self.short |= REQUESTS
                    return None
        return found

    def _weight_fit(
        self, scope: Scope, weight: int, now: int, guard: float, probes: list[Track] | None
    ) -> tuple[float, list[Track] | None] | None:
        """(load, probes) when ``weight`` fits the address now; None when it does not."""
        if now < scope.banned_until or now < scope.paused_until:
            return None
        need = scope.in_flight + weight
        load = 0.0
        for track in scope.tracks:
            if weight:  # a weightless request (an order) needs only an address not refused
                fit = track.fits(need, now, guard)
                if fit == NO:
                    return None
                if fit == PROBE:
                    probes = [*(probes or ()), track]
            if not self._single:
                load = max(load, (track.used(now) + need) / track.limit)
        return load, probes

    def _grant(
        self,
        index: int,
        weight: int,
        orders: int,
        now: int,
        probes: list[Track] | None,
        groups: tuple[tuple[Scope, ...], ...],
    ) -> Reservation:
        self._ip[index].in_flight += weight
        self._orders.in_flight += orders
        held = None
        if probes is not None:
            for track in probes:
                track.probing = True
            held = tuple(probes)
        if not groups:
            return Reservation(
                index, self.addresses[index], weight, orders, now, held, (), self._heard
            )
        extras = tuple(group[index] for group in groups)
        for scope in extras:
            scope.in_flight += 1
        return Reservation(
            index, self.addresses[index], weight, orders, now, held, extras, self._heard
        )

    def touched(self, res: Reservation) -> list[tuple[Scope, int]]:
        """The scopes ``res`` holds budget on, with its cost on each."""
        out = [(scope, 1) for scope in res.extras]
        if res.weight:
            out.append((self._ip[res.address_index], res.weight))
        if res.orders:
            out.append((self._orders, res.orders))
        return out

    def unshared(self, res: Reservation, cost: int) -> None:
        """Count ``res`` (``cost`` 1) or stop counting it (-1) as held locally only."""
        self._ip[res.address_index].unshared += cost * res.weight
        self._orders.unshared += cost * res.orders
        for scope in res.extras:
            scope.unshared += cost

    def unhold(self, res: Reservation) -> None:
        """Drop the hold of a reservation that was never sent."""
        if res._open:
            res._open = False
            self._ip[res.address_index].in_flight -= res.weight
            self._orders.in_flight -= res.orders
            for scope in res.extras:
                scope.in_flight -= 1
            if res.probes is not None:
                for track in res.probes:
                    track.probing = False

    def all_banned(self, now: int) -> bool:
        """True when every address is banned now."""
        return all(now < scope.banned_until for scope in self._ip)

    def ban_error(self) -> IPBanned:
        """The error for a call made while every address is banned."""
        index = min(range(len(self._ip)), key=lambda i: self._ip[i].banned_until)
        return IPBanned(self._ip[index].banned_until, self.addresses[index])

    def next_change_ms(self, now: int, guard: float) -> int:
        """When time alone next changes what fits: a window's start plus guard, a pause end,
        the end of a shared store's view."""
        due = math.inf
        for _, scope in self._scopes:
            for track in scope.tracks:
                start = track.start(now)
                edge = start + guard if now < start + guard else start + track.window + guard
                due = min(due, edge)
                if track.others_until > now:  # a shared store's view of the others ends
                    due = min(due, track.others_until)
            for until in (scope.paused_until, scope.banned_until):
                if until > now:
                    due = min(due, until)
        return now + 1_000 if due == math.inf else math.ceil(due)

    # -- settling --------------------------------------------------------------------------

    def settle(
        self,
        res: Reservation,
        now: int,
        guard: float,
        counts: Counts | None,
        status: int = 0,
        code: int | None = None,
        msg: str | None = None,
    ) -> None:
        """Settle a request: its cost counts (the server may have counted it even without an
        answer), the server's counts raise ours, a 429 or 418 pauses or bans."""
        if not res._open:
            return
        self.unhold(res)
        margin = math.ceil(guard)
        scope = self._ip[res.address_index]
        if res.weight or counts is not None:
            for track in scope.tracks:
                self._commit(track, res.weight, res, now, margin, counts)
        if res.orders:
            for track in self._orders.tracks:
                self._commit(track, res.orders, res, now, margin, counts)
        for extra in res.extras:
            for track in extra.tracks:
                self._commit(track, 1, res, now, margin, None)
        self._heard += 1
        if counts is None:
            return
        if status == 429:
            self._on_429(res, now, counts, code)
        elif status == 418:
            self._on_418(res, now, counts, msg)
        elif status < 400:
            scope.streak = 0
            if res.orders:
                self._orders.streak = 0

    def _commit(
        self,
        track: Track,
        cost: int,
        res: Reservation,
        now: int,
        margin: int,
        counts: Counts | None,
    ) -> None:
        sent = res.sent_at_ms
        window, phase, mirror = track.window, track.phase, track.counts
        value = None if counts is None else read_count(counts, track.header)
        sent_start = sent - (sent - phase) % window
        if (
            value is not None
            and sent_start <= track.confirmed
            and sent_start <= track.seen_start
            and sent - margin >= sent_start
            and now + margin < sent_start + window
            and not track.blind
            and self.outbox is None
        ):
            # The common answer, in fewer steps (the same effect as the general case below):
            # the server surely counted the request in the confirmed send-time window and
            # said its count; nothing blind, no store to tell, no window to forget.
            top = value
            if cost:
                adds = track.adds
                added = adds[sent_start] = adds.get(sent_start, 0) + cost
                if added > top:
                    top = added
            if top > mirror.get(sent_start, 0):
                mirror[sent_start] = top
            heard = track.heard
            if len(heard) >= HEARD:
                del heard[: HEARD // 2]
            heard.append((self._heard, value, sent - margin))
            return
        current = now - (now - phase) % window
        oldest = current - track.lookback * window  # older ones matter to no admission
        if sent_start < oldest:
            value = None  # a count of a window no admission looks at any more
        if cost:
            # The server counted the request at one instant between send and receive, each
            # known to within the guard: it may sit in any window that span touches. The
            # send-time window's count read below covers it there; elsewhere it is on top.
            early, late = sent - margin, now + margin
            start = max(early - (early - phase) % window, oldest)
            last = late - (late - phase) % window
            outbox = self.outbox
            adds, blind = track.adds, track.blind
            while start <= last:
                read = start == sent_start and value is not None
                if read:
                    added = adds[start] = adds.get(start, 0) + cost
                    if added > mirror.get(start, 0):
                        mirror[start] = added
                else:
                    mirror[start] = mirror.get(start, 0) + cost
                    if track.header:  # a count no header reports is its adds alone
                        adds[start] = adds.get(start, 0) + cost
                        blind[start] = blind.get(start, 0) + cost
                        track.blind_at[start] = self._heard
                if outbox is not None:
                    outbox.append(Update(track.key, start, cost, True, track.rate.window_ms, read))
                start += window
        if value is not None:
            early = sent - margin  # the earliest the server may have counted it
            if sent_start > track.confirmed:
                probes = res.probes
                if probes is not None and track in probes:
                    # A probe left once the clock said the window surely began (its guard
                    # then, which may since have grown past ``margin``).
                    early = max(early, sent_start)
                if track.rolled(value, cost, res.heard, sent_start, early):
                    # The server is past the boundary: the previous window no longer applies.
                    track.confirmed = sent_start
                    if self.outbox is not None:
                        self.confirms.append((track.key, sent_start))
            # The count of the send-time window: a stale count must not land in a later one.
            # A store that got the request's cost as covered by it gets it in any case.
            blind = track.blind
            if blind and res.heard > track.blind_at.get(sent_start, res.heard):
                blind.pop(sent_start, None)  # settled before this request left: counted in
            floor = value + blind.get(sent_start, 0)  # and what it does not cover
            raised = floor > mirror.get(sent_start, 0)
            if raised:
                mirror[sent_start] = floor
            if (raised or cost) and self.outbox is not None:
                self.outbox.append(
                    Update(track.key, sent_start, value, False, track.rate.window_ms)
                )
            heard = track.heard  # for Track.rolled: the oldest half goes when full
            if len(heard) >= HEARD:
                del heard[: HEARD // 2]
            heard.append((self._heard, value, early))
        if current > track.seen_start:
            track.seen_start = current
            for kept in (mirror, track.adds, track.blind, track.blind_at):
                for start in [s for s in kept if s < oldest]:
                    del kept[start]

    def _on_429(self, res: Reservation, now: int, counts: Counts, code: int | None) -> None:
        retry_ms = retry_after_ms(counts)
        scopes = []
        if code != -1015:  # -1003, or no code: the IP's weight, or a request count
            scopes.append(self._ip[res.address_index])
            # A request count the local counts show full, the weight not: that count alone.
            shut = [s for s in res.extras if any(t.used(now) >= t.limit for t in s.tracks)]
            if shut and not any(t.used(now) >= t.limit for t in scopes[0].tracks):
                scopes = shut
        if code == -1015 or (code is None and res.orders):
            scopes.append(self._orders)
        for scope in scopes:
            full = [t for t in scope.tracks if t.used(now) >= t.limit] or list(scope.tracks)
            if retry_ms is not None:
                end = now + retry_ms
                for track in full:
                    if retry_ms <= track.window and not track.sliding:
                        self._learn_end(track, end, now)
            else:  # a sliding count's server window ends within its span from now
                end = max(
                    (
                        now + t.rate.window_ms if t.sliding else t.start(now) + t.window
                        for t in full
                    ),
                    default=now,
                )
            for track in full:
                start = track.start(now)
                # A sliding count is paused, not filled: the server's window ends with the
                # pause, a full slot would shut it for its whole span after.
                if start + track.window <= end and not track.sliding:
                    track.raise_to(start, track.limit)
                    track.confirmed = max(track.confirmed, start)
            floor = min(self._floor_ms << min(scope.streak, 20), MAX_PAUSE_MS)
            scope.streak += 1
            scope.paused_until = max(scope.paused_until, end, now + floor)
            log.warning(
                "limiter: 429 (code %s) on %s; paused for %d ms",
                code,
                scope.name,
                scope.paused_until - now,
            )

    def _learn_end(self, track: Track, end: int, now: int) -> None:
        """The server's window holding ``now`` ends in ``(end - grain, end]``; move the
        track's boundaries there unless they already are."""
        presumed_end = track.start(now) + track.window
        if end - _RETRY_AFTER_GRAIN_MS < presumed_end <= end:
            return
        old_start = track.start(now)
        carried = track.counts.get(old_start, 0) + track.counts.get(old_start - track.window, 0)
        track.phase = end % track.window
        start = track.start(now)
        # Everything the old windows counted may sit in the new ones: conservative.
        track.counts = {start - track.window: carried, start: carried}
        track.adds, track.blind, track.blind_at = {}, {}, {}
        track.confirmed = min(track.confirmed, start - track.window)
        track.seen_start = start
        track.heard.clear()  # its windows were counted on the old boundaries
        log.info(
            "limiter: %s windows end at %d ms past the %d ms boundary (learned from a 429)",
            track.key,
            track.phase,
            track.window,
        )

    def _on_418(self, res: Reservation, now: int, counts: Counts, msg: str | None) -> None:
        scope = self._ip[res.address_index]
        scope.banned_until = max(scope.banned_until, ban_end_ms(counts, msg, now))
        log.error("limiter: 418, %s banned until %d (server ms)", res.address, scope.banned_until)

    def merge(self, reply: SyncReply, now: int, *, confirmed: bool = True) -> None:
        """Take a shared store's counts, pauses, bans and (``confirmed``) confirmed windows.

        The counts of windows are kept (the committed part: live reservations taken out).
        The other clients' live reservations count in the decisions for
        :data:`SHARED_VIEW_MS` only (:attr:`.Track.others_held`): they settle soon, many in
        another window, and the server's counts in the answers bring their use for good.
        This client's own are its ``in_flight`` (the store has the last word on what fits).
        """
        by_key = self._by_key
        held = reply.held
        until = now + SHARED_VIEW_MS
        for (key, start), value in reply.counts.items():
            found = by_key.get(key)
            if found is not None:
                track, scope = found
                holds = held.get(key, 0)
                track.raise_to(start, value - holds)
                track.others_held = max(0, holds - scope.in_flight + scope.unshared)
                track.others_until = until
        for key, start in reply.confirmed.items() if confirmed else ():
            found = by_key.get(key)
            if found is not None and start > found[0].confirmed:
                found[0].confirmed = start  # another client saw the server past it
        for signal in reply.signals:
            refused = self._by_name.get(signal.scope)
            if refused is not None:
                refused.paused_until = max(refused.paused_until, signal.paused_until_ms)
                if refused is not self._orders:  # an account is never banned: its addresses are
                    refused.banned_until = max(refused.banned_until, signal.banned_until_ms)

    def pending_news(self, now: int) -> list[Update]:
        """The current and previous windows' counts (own in-flight cost added), as raises:
        what a store that lost this client's news (or restarted empty) needs to know."""
        news = []
        for _, scope in self.scopes():
            for track in scope.tracks:
                start = track.start(now)
                for back in range(track.lookback, -1, -1):
                    at = start - back * track.window
                    extra = 0 if back else scope.in_flight
                    value = track.counts.get(at, 0) + extra
                    if value and at not in self._blind.get(track, ()):  # a caution, no count
                        news.append(
                            Update(track.key, at, value, False, track.rate.window_ms, whole=True)
                        )
        return news

    # -- state -----------------------------------------------------------------------------

    def scopes(self) -> tuple[tuple[str | None, Scope], ...]:
        """(address or None for the account, scope) pairs: weight, orders, request counts."""
        return self._scopes

    def snapshot(self, now: int) -> LimitsSnapshot:
        """Used counts of the current windows (a sliding one's: its whole span; with the other
        clients' live reservations a shared store reported lately), active bans and pauses."""
        windows = [
            WindowState(
                kind=track.rate.kind,
                label=track.rate.label,
                address=address,
                used=(track.used(now) if track.sliding else track.counts.get(track.start(now), 0))
                + (track.others_held if track.others_until > now else 0),
                limit=track.limit,
                window_start_ms=track.start(now)
                - (track.lookback if track.sliding else 0) * track.window,
                in_flight=scope.in_flight,
                bucket=track.rate.bucket,
            )
            for address, scope in self.scopes()
            for track in scope.tracks
        ]
        pauses = [s.paused_until for _, s in self.scopes() if s.paused_until > now]
        return LimitsSnapshot(
            windows=tuple(windows),
            banned_until_ms={
                a: s.banned_until
                for a, s in zip(self.addresses, self._ip, strict=True)
                if s.banned_until > now
            },
            paused_until_ms=max(pauses, default=None),
        )
