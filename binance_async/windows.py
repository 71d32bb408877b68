"""Windows of one rate limit, and what a request holds while it is in flight.

A :class:`Track` is one limit on one scope (an address's weight, or the account's orders): its
local counts per window start, where its windows start (``phase``), and whether the server was
seen past the latest boundary. :class:`Reservation` is an admitted request's hold, and
:class:`Scope` what is in flight on a scope and how the server refused it. The
:class:`~.ledger.Ledger` decides with them.
"""

from __future__ import annotations

from bisect import bisect_left

from multidict import istr

from .ratelimits import RateLimit

__all__ = ["HEARD", "NO", "PROBE", "SLOTS", "YES", "Reservation", "Scope", "Track"]

#: ``fits`` answers: no, yes, or yes as the unconfirmed window's single probe.
NO, YES, PROBE = 0, 1, 2

#: A limit no response header reports is kept as a sliding window of this many slots.
SLOTS = 20

#: Answers a track remembers (see :meth:`Track.rolled`); the older half goes when full.
HEARD = 128


class Track:
    """One rate limit on one scope (an address's weight, or the account's orders).

    A limit no header reports (``RAW_REQUESTS``) can never learn where the server's windows
    start, so it is kept *sliding*: ``window`` is a slot of 1/:data:`SLOTS` of the limit's
    window, and a request fits when the current slot and the :data:`SLOTS` before it (every
    slot a server window holding now may overlap) leave room. Whatever the server's phase,
    no window of its can then count more than the limit; a steady flow gets SLOTS/(SLOTS+1)
    of it.
    """

    __slots__ = (
        "adds",
        "blind",
        "blind_at",
        "confirmed",
        "counts",
        "header",
        "heard",
        "key",
        "limit",
        "lookback",
        "others_held",
        "others_until",
        "phase",
        "probing",
        "rate",
        "seen_start",
        "sliding",
        "window",
    )

    def __init__(self, rate: RateLimit, key: str) -> None:
        self.rate = rate
        self.key = key
        self.limit = rate.limit
        #: The count's header name, as an ``istr``: a case-insensitive lookup of it in the
        #: response's headers skips folding the name's case each time.
        self.header = istr(rate.header)
        #: True for a limit no header reports: never confirmed, never probed.
        self.sliding = not self.header
        self.window = rate.window_ms // SLOTS if self.sliding else rate.window_ms
        #: Windows before the current one charged while it is unconfirmed.
        self.lookback = SLOTS if self.sliding else 1
        #: Local mirror: used count per window start (server ms): the largest of ``adds``,
        #: the server's highest count for it plus ``blind``, and what a shared store or a
        #: seed said (see :class:`~.budget.Update`).
        self.counts: dict[int, int] = {}
        #: Per window: the costs committed to it, added up, and of those the ones no
        #: reading covers (no answer, no count, or a count read for another window). A count
        #: the server reported holds the requests it counted before, whose own costs may be
        #: committed after it: those are not added on top of it again.
        self.adds: dict[int, int] = {}
        self.blind: dict[int, int] = {}
        #: Per window: the number of the settle that brought its last ``blind`` cost (see
        #: :attr:`Reservation.heard`). A count read for a request admitted after it covers
        #: them all: the server counted them before it.
        self.blind_at: dict[int, int] = {}
        #: Other clients' live reservations on this window's key, as a shared store said
        #: at the last sync, good until ``others_until``: they settle soon (many in another
        #: window), so they are not kept in ``counts``.
        self.others_held = 0
        self.others_until = 0
        #: Window boundaries sit at ``phase + k * window`` (0: the calendar).
        self.phase = 0
        #: Latest window start the server's counts showed it had reached.
        self.confirmed = -1
        #: True while this window's probe is in flight.
        self.probing = False
        #: The server's recent counts, oldest first: (answer number, count, the earliest
        #: time the server may have counted the request).
        self.heard: list[tuple[int, int, int]] = []
        self.seen_start = 0

    def start(self, now: int) -> int:
        """Start of the window holding ``now``."""
        return now - (now - self.phase) % self.window

    def used(self, now: int) -> int:
        """What the window holding ``now`` may already hold at the server (holds apart)."""
        start = now - (now - self.phase) % self.window
        used = self.counts.get(start, 0)
        if start > self.confirmed:
            used += self._before(start)
        return used

    def _before(self, start: int) -> int:
        """What the windows charged beside the current one (starting at ``start``) hold."""
        window, counts = self.window, self.counts
        if not self.sliding:
            return counts.get(start - window, 0)
        return sum(counts.get(start - i * window, 0) for i in range(1, SLOTS + 1))

    def claim_starts(self, now: int) -> tuple[int, ...]:
        """The window starts a request admitted now is checked against, the current last."""
        start = now - (now - self.phase) % self.window
        if start <= self.confirmed:
            return (start,)
        return tuple(start - i * self.window for i in range(self.lookback, -1, -1))

    def fits(self, need: int, now: int, guard: float) -> int:
        """Whether ``need`` more fits now: ``YES``, ``NO`` or ``PROBE``."""
        window = self.window
        start = now - (now - self.phase) % window
        counts = self.counts
        used = counts.get(start, 0)
        if self.others_until > now:
            need += self.others_held
        if start <= self.confirmed:
            return YES if used + need <= self.limit else NO
        if used + self._before(start) + need <= self.limit:
            return YES
        # Unconfirmed, and no room if the server is still in the previous window: one request
        # goes first, once our clock says the window surely began, to learn where it is.
        if self.sliding or self.probing or used + need > self.limit or now < start + guard:
            return NO
        return PROBE

    def rolled(self, value: int, cost: int, heard: int, start: int, early: int) -> bool:
        """Whether the server's ``value`` for a request sent in the window at ``start`` (of
        which ``cost`` is the request's own) shows the server past that window's start.

        It does when the request surely reached the server inside the window (``early``, the
        earliest the server may have counted it, is at or past ``start``) and the count is
        no more than the window got here; or when the count is lower than the server gave,
        in the window before or later, a request whose answer came in before this request
        left (``heard``: answers numbered below it did): the server counted that one first,
        so in one window this count would be higher. Answers compared in the order they
        arrive would not do: the server may have counted them in the other order.
        """
        if early >= start and value <= self.counts.get(start, 0):
            return True
        heard_list = self.heard
        since = start - self.window
        answered = bisect_left(heard_list, (heard,))
        for i in range(answered - 1, max(answered - HEARD // 2, 0) - 1, -1):
            _, count, first = heard_list[i]  # ``first``: that answer's ``early``
            if first >= since and value < count + cost:
                return True
        return False

    def raise_to(self, start: int, value: int) -> None:
        """The window counts at least ``value``."""
        if value > self.counts.get(start, 0):
            self.counts[start] = value


class Reservation:
    """One admitted request in flight: send it from ``address``, then hand it back once.

    Give it to :meth:`Ledger.settle` after any response, or to ``settle`` with no counts when
    no response came; :meth:`Ledger.unhold` when it was never sent. A second hand-back is
    ignored.
    """

    __slots__ = (
        "_open",
        "address",
        "address_index",
        "extras",
        "heard",
        "hold_id",
        "orders",
        "probes",
        "sent_at_ms",
        "weight",
    )

    def __init__(
        self,
        address_index: int,
        address: str,
        weight: int,
        orders: int,
        sent_at_ms: int,
        probes: tuple[Track, ...] | None,
        extras: tuple[Scope, ...] = (),
        heard: int = 0,
    ) -> None:
        self.address_index = address_index
        self.address = address
        self.weight = weight
        self.orders = orders
        self.sent_at_ms = sent_at_ms  # server ms at admission; the request leaves right after
        self.probes = probes
        #: The request-count scopes (``RAW_REQUESTS``) it holds one request in.
        self.extras = extras
        #: Requests the ledger had settled when this one was admitted (see
        #: :meth:`Track.rolled`).
        self.heard = heard
        #: The shared store's name for this reservation, when one is used.
        self.hold_id: str | None = None
        self._open = True

    @property
    def open(self) -> bool:
        """True until the reservation is settled or dropped."""
        return self._open

    def __repr__(self) -> str:
        state = "open" if self._open else "settled"
        return (
            f"<Reservation {self.address} weight={self.weight} orders={self.orders} "
            f"sent_at_ms={self.sent_at_ms} {state}>"
        )


class Scope:
    """What is in flight on one scope, and the server's refusals of it."""

    __slots__ = (
        "banned_until",
        "in_flight",
        "name",
        "paused_until",
        "streak",
        "tracks",
        "unshared",
    )

    def __init__(self, name: str) -> None:
        self.name = name
        self.tracks: tuple[Track, ...] = ()
        self.in_flight = 0
        #: Of ``in_flight``, what a shared store holds no reservation for (yet).
        self.unshared = 0
        self.paused_until = 0
        self.banned_until = 0
        self.streak = 0  # 429s in a row: each doubles the floor of the next pause
