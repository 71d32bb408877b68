"""Budget stores: where several clients (processes, hosts) share their used counts.

A client decides on its own ledger's local mirror (:mod:`.ledger`), which costs nothing. With a
shared store, one async step per admission (:meth:`BudgetStore.sync`) makes the decision hold
across every client of the store: it reserves the request's cost on every window it touches
only if all of them can take it, and carries the client's pending news along (settled
reservations, commits, the server's counts, 429 pauses and 418 bans), so a network store
needs one round trip per request. Its answer raises the local mirror to the shared counts.

Keys name the venue, the scope (``ip:<egress address>`` or ``account:<account>``) and the
window (``REQUEST_WEIGHT 1M``), e.g. ``usdm|ip:default|REQUEST_WEIGHT 1M``; windows are
identified by their start on the exchange's clock. A reservation of a client that dies is
dropped by the store once ``hold_until_ms`` passes. A live reservation counts in every window
of its key (the server counts the request whenever it gets there), as a client's requests in
flight do in its own ledger.

:class:`MemoryBudgetStore` shares a budget between clients of one process (several accounts
trading from one address, say); ``binance_async.redis.RedisBudgetStore`` does it across
processes and hosts. A store that can fail raises :class:`StoreUnavailable` (any exception
is read so); the limiter then admits on a local share of every budget (:class:`Fallback`, read
from the store's ``fallback`` attribute when it has one) until the store answers again.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

import attrs

__all__ = [
    "BudgetStore",
    "Claim",
    "Composed",
    "Fallback",
    "MemoryBudgetStore",
    "Signal",
    "StoreUnavailable",
    "SyncReply",
    "SyncRequest",
    "Update",
    "compose",
]


class StoreUnavailable(Exception):
    """The shared store did not answer (unreachable, timed out, refused the command)."""


def _check_share(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0 < value <= 1:
        raise ValueError(f"{attribute.name}: expected a share in (0, 1], got {value!r}")


@attrs.frozen(kw_only=True)
class Fallback:
    """How a client admits while its store does not answer.

    Every limit is scaled to ``local_share`` of itself (the server's counts still raise the
    client's own view); the store is asked again every ``retry_interval_s``. Once it answers,
    the client reserves through it again at once, and keeps the local share
    ``2 * retry_interval_s`` longer, until the other clients of the store have surely noticed
    too (their use while on their own share is not in the store).
    """

    local_share: float = attrs.field(default=0.25, validator=_check_share)
    retry_interval_s: float = attrs.field(default=0.5, validator=attrs.validators.gt(0))


@attrs.frozen(slots=True)
class Claim:
    """One window a request touches: it fits if the counts of ``starts`` (the current window,
    and the previous one while the server is not yet seen past the boundary), every live
    reservation on the key and ``cost`` stay within ``limit``.

    A reservation counts in every window until it settles, as a client's own requests in
    flight do in its ledger: the server counts a request when it gets there, which may be a
    window or more after it was reserved (a slow network, a loaded exchange, a client whose
    clock is behind). With ``window_ms`` known, the next window must have room too: a request
    reserved late, on a window already over for other clients, is counted in the next one.
    """

    key: str
    starts: tuple[int, ...]
    cost: int
    limit: int
    #: Admitted beyond the sum as the unconfirmed window's single probe: fits when the current
    #: window alone can take it and no other probe is live on it.
    probe: bool = False
    #: The window's length (0: unknown, the next window is not checked).
    window_ms: int = 0

    def fits(
        self,
        confirmed: bool,
        count: Callable[[str, int], int],
        held: int,
        probing: bool,
    ) -> bool:
        """Whether the claim fits, given a window's committed ``count`` by (key, start), the
        cost ``held`` by the key's live reservations, and whether a probe of the current
        window is among them. ``confirmed``: a client saw the server past the current
        window's start, so the previous window no longer applies (nor a probe)."""
        key, last, window = self.key, self.starts[-1], self.window_ms
        probe = self.probe and not confirmed
        starts = (last,) if confirmed or probe else self.starts
        need = held + self.cost
        if sum(count(key, s) for s in starts) + need > self.limit or (probe and probing):
            return False
        return not window or count(key, last + window) + need <= self.limit


@attrs.frozen(slots=True)
class Update:
    """A change to one window's count: ``add`` a committed cost, or raise it to a reading.

    A reading (the server's count) holds every request the server counted before it,
    including some whose costs are committed after it (answers arrive in any order): adds
    are not simply summed on top of it. A window's count is the largest of all its adds
    together and its highest reading plus the adds no reading covers; ``read`` marks an add
    the reading of the same answer covers (in the request's own window). An add ``once``
    (a seed: requests counted in other windows, all answered before it) counts on top of
    what the window held then, and later readings cover it. A raise ``whole`` is a client's
    own count of the window, which holds every add it made: nothing goes on top of it.
    """

    key: str
    start: int
    value: int
    add: bool
    #: The window's length, for how long a store keeps the count (0: unknown, two days).
    window_ms: int = 0
    #: An add the same answer's reading covers.
    read: bool = False
    #: An add counted on top once, which later readings cover (a seed).
    once: bool = False
    #: A raise to a count that holds every add (a client's own count of the window).
    whole: bool = False


@attrs.frozen(slots=True)
class Signal:
    """A scope refused by the server: paused (429) and/or banned (418) until these times."""

    scope: str
    paused_until_ms: int = 0
    banned_until_ms: int = 0


@attrs.frozen(slots=True)
class SyncRequest:
    """Everything one sync carries: a reservation to make (or none), and pending news."""

    now_ms: int
    hold_id: str | None = None
    claims: tuple[Claim, ...] = ()
    hold_until_ms: int = 0
    releases: tuple[str, ...] = ()
    updates: tuple[Update, ...] = ()
    signals: tuple[Signal, ...] = ()
    #: (key, window start): the client saw the server past this window's start.
    confirms: tuple[tuple[str, int], ...] = ()


@attrs.frozen(slots=True)
class SyncReply:
    """The store's answer: whether the reservation was made, and the shared state."""

    granted: bool
    #: Per (key, window start) of every claim: the committed count plus other clients' live
    #: reservations on it.
    counts: Mapping[tuple[str, int], int]
    #: Active refusals of the scopes the claims touch.
    signals: tuple[Signal, ...] = ()
    #: When refused for other clients' reservations: how long until one ends at the latest.
    retry_after_ms: int = 0
    #: Per key of the claims: the latest window start a client saw the server past.
    confirmed: Mapping[str, int] = attrs.field(factory=dict)
    #: Per key of the claims: the cost of its live reservations (every client's, in
    #: ``counts`` too).
    held: Mapping[str, int] = attrs.field(factory=dict)


#: One window's news composed (:func:`compose`): the read adds, the other adds, the adds
#: once, the highest reading (None: none), the highest whole count, the window's length.
Composed = tuple[int, int, int, int | None, int, int]


def compose(updates: Iterable[Update]) -> dict[tuple[str, int], Composed]:
    """Compose each window's updates into one change (see :data:`Composed`): each kind of
    add summed, the highest reading and whole count. Order does not matter."""
    composed: dict[tuple[str, int], Composed] = {}
    for update in updates:
        where = (update.key, update.start)
        read, blind, once, floor, whole, window = composed.get(where, (0, 0, 0, None, 0, 0))
        value = update.value
        if update.whole:
            whole = max(whole, value)
        elif not update.add:
            if floor is None or value > floor:
                floor = value
        elif update.read:
            read += value
        elif update.once:
            once += value
        else:
            blind += value
        composed[where] = (read, blind, once, floor, whole, window or update.window_ms)
    return composed


def _apply(count: int, adds: int, unread: int, change: Composed) -> tuple[int, int, int]:
    """A window's ``(count, adds, unread)`` after a composed change (see :class:`Update`):
    ``adds`` every add kept together, ``unread`` those no reading covers."""
    read, blind, once, floor, whole, _ = change
    adds += read + blind
    unread += blind
    count = max(count + blind + once, adds, -1 if floor is None else floor + unread, whole)
    return count, adds, unread


class BudgetStore(Protocol):
    """Shared used counts, reservations and refusals."""

    async def sync(self, request: SyncRequest) -> SyncReply:
        """Apply ``request`` atomically and answer with the shared state of its claims.

        Raises :class:`StoreUnavailable` when the store cannot be asked (nothing, or all of
        ``request``, may have been applied).
        """
        ...


def _scope_of(key: str) -> str:
    return key.rsplit("|", 1)[0]


class MemoryBudgetStore:
    """A :class:`BudgetStore` in this process (atomic: it never awaits)."""

    #: Counts of windows that started this long before now are forgotten (the longest
    #: window a venue has is a day).
    KEEP_MS = 2 * 86_400_000

    def __init__(self) -> None:
        self._counts: dict[tuple[str, int], int] = {}
        #: Per window: all its adds together, and those no reading covers (see :class:`Update`).
        self._adds: dict[tuple[str, int], tuple[int, int]] = {}
        self._next_prune_ms = 0
        #: Live reservations, and kept with them (so no sync walks them all): their total
        #: cost per key, the windows probed (with how many probes), their ends in a heap
        #: (entries of released holds are skipped when they come up).
        self._holds: dict[str, tuple[tuple[Claim, ...], int]] = {}
        self._held: dict[str, int] = {}
        self._probing: dict[tuple[str, int], int] = {}
        self._ends: list[tuple[int, str]] = []
        self._signals: dict[str, Signal] = {}
        self._confirmed: dict[str, int] = {}

    async def sync(self, request: SyncRequest) -> SyncReply:
        """Apply ``request`` atomically and answer with the shared state of its claims."""
        now = request.now_ms
        for hold_id in request.releases:
            self._unhold(hold_id)
        if len(self._ends) > 4 * len(self._holds) + 1024:  # mostly released ones: rebuild
            self._ends = [(until, hold_id) for hold_id, (_, until) in self._holds.items()]
            heapq.heapify(self._ends)
        ends = self._ends
        while ends and ends[0][0] <= now:
            until, hold_id = heapq.heappop(ends)
            found = self._holds.get(hold_id)
            if found is not None and found[1] == until:
                self._unhold(hold_id)
        counts = self._counts
        if now >= self._next_prune_ms:
            self._next_prune_ms = now + 60_000
            for where in [w for w in counts if w[1] < now - self.KEEP_MS]:
                del counts[where]
                self._adds.pop(where, None)
        adds = self._adds
        for where, change in compose(request.updates).items():
            added, unread = adds.get(where, (0, 0))
            counts[where], added, unread = _apply(counts.get(where, 0), added, unread, change)
            if added:
                adds[where] = (added, unread)
        for signal in request.signals:
            old = self._signals.get(signal.scope, Signal(signal.scope))
            self._signals[signal.scope] = Signal(
                signal.scope,
                max(old.paused_until_ms, signal.paused_until_ms),
                max(old.banned_until_ms, signal.banned_until_ms),
            )
        confirmed = self._confirmed
        for key, start in request.confirms:
            if start > confirmed.get(key, -1):
                confirmed[key] = start
        scopes = {_scope_of(c.key) for c in request.claims}
        signals = tuple(
            s
            for s in (self._signals.get(scope) for scope in sorted(scopes))
            if s is not None and max(s.paused_until_ms, s.banned_until_ms) > now
        )
        held, probing = self._held, self._probing
        view = {
            (c.key, s): counts.get((c.key, s), 0) + held.get(c.key, 0)
            for c in request.claims
            for s in c.starts
        }
        holds = {c.key: held.get(c.key, 0) for c in request.claims}
        granted = bool(request.claims) and not signals

        def count(key: str, start: int) -> int:
            return counts.get((key, start), 0)

        for claim in request.claims if granted else ():
            key, last = claim.key, claim.starts[-1]
            granted = claim.fits(
                confirmed.get(key, -1) >= last, count, held.get(key, 0), (key, last) in probing
            )
            if not granted:
                break
        if granted and request.hold_id is not None:
            self._hold(request.hold_id, request.claims, request.hold_until_ms)
        retry = 0
        if not granted:
            while ends and self._holds.get(ends[0][1], (None, None))[1] != ends[0][0]:
                heapq.heappop(ends)  # released: not a live reservation's end
            retry = max(1, ends[0][0] - now) if ends else 0
        known = {c.key: confirmed[c.key] for c in request.claims if c.key in confirmed}
        return SyncReply(
            granted=granted,
            counts=view,
            signals=signals,
            retry_after_ms=retry,
            confirmed=known,
            held=holds,
        )

    def _hold(self, hold_id: str, claims: tuple[Claim, ...], until: int) -> None:
        """Add a live reservation."""
        self._unhold(hold_id)  # an id given again replaces its reservation
        self._holds[hold_id] = (claims, until)
        heapq.heappush(self._ends, (until, hold_id))
        held, probing = self._held, self._probing
        for claim in claims:
            held[claim.key] = held.get(claim.key, 0) + claim.cost
            if claim.probe:
                where = (claim.key, claim.starts[-1])
                probing[where] = probing.get(where, 0) + 1

    def _unhold(self, hold_id: str) -> None:
        """Drop a live reservation (released, or past its end), if it is one."""
        found = self._holds.pop(hold_id, None)
        if found is None:
            return
        held, probing = self._held, self._probing
        for claim in found[0]:
            left = held.get(claim.key, 0) - claim.cost
            if left > 0:
                held[claim.key] = left
            else:
                held.pop(claim.key, None)
            if claim.probe:
                where = (claim.key, claim.starts[-1])
                probes = probing.pop(where, 0) - 1
                if probes > 0:
                    probing[where] = probes

    def __len__(self) -> int:
        """Number of (key, window) counts held."""
        return len(self._counts)

    def __repr__(self) -> str:
        return f"<MemoryBudgetStore windows={len(self._counts)} holds={len(self._holds)}>"
