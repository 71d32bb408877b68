"""The limiter's records, and what the server's limit signals say.

Plain values with no state of their own: :class:`RateLimit` (one item of
``exchangeInfo.rateLimits``, with the counter that counts it), :class:`Priority`, the
:class:`ServerTime` the limiter reads, and the snapshot it reports (:class:`LimitsSnapshot` of
:class:`WindowState`). Three parsers read the server's signals defensively: a usage count
(:func:`read_count`), a 429's or 418's ``Retry-After`` (:func:`retry_after_ms`) and a 418's ban
end (:func:`ban_end_ms`). Anything unreadable is treated as absent, never as an error, and
every value is clamped to sane bounds.

Usage counts arrive as a mapping from the counter's name to its text: HTTP headers
(``x-mbx-used-weight-1m``, ``x-mbx-order-count-10s``, ``retry-after``, case-insensitive), or
the same names built by a transport from a WebSocket API ``rateLimits`` array.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Callable, Mapping
from typing import Literal, Protocol

import attrs

__all__ = [
    "MAX_PAUSE_MS",
    "Counts",
    "Interval",
    "Kind",
    "LimitsSnapshot",
    "Priority",
    "RateLimit",
    "ServerTime",
    "WindowState",
    "ban_end_ms",
    "clock_reader",
    "count_header",
    "read_count",
    "retry_after_ms",
]

Kind = Literal["REQUEST_WEIGHT", "ORDERS", "RAW_REQUESTS"]
Interval = Literal["SECOND", "MINUTE", "HOUR", "DAY"]

_INTERVAL_MS = {"SECOND": 1_000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}
#: RAW_REQUESTS has no header: the ledger counts it alone (it is far from the weight's limits).
_HEADER_PREFIX = {
    "REQUEST_WEIGHT": "x-mbx-used-weight-",
    "ORDERS": "x-mbx-order-count-",
    "RAW_REQUESTS": "",
}
#: A 418 without Retry-After nor a time in its message: the shortest ban the docs name.
_DEFAULT_BAN_MS = 120_000
#: The longest ban the exchange documents (3 days): no pause or ban is read as longer.
MAX_PAUSE_MS = 3 * 86_400_000
_BAN_UNTIL = re.compile(r"until\D*(\d{13})(?!\d)")
#: A count with more digits than this is no count (the largest limits have 6 digits).
_MAX_COUNT_DIGITS = 12

#: Usage counters by lower-case name, e.g. ``{"x-mbx-used-weight-1m": "37"}``.
Counts = Mapping[str, str]


class Priority(enum.IntEnum):
    """Order of service among waiters."""

    URGENT = 0  # cancels, reduce-only and close-position orders: go ahead of new risk
    NORMAL = 1


@attrs.frozen(kw_only=True)
class RateLimit:
    """One limit: ``limit`` per ``interval_num`` intervals.

    ``REQUEST_WEIGHT`` and ``RAW_REQUESTS`` count per egress address, ``ORDERS`` per account.
    A ``RAW_REQUESTS`` limit with a ``bucket`` counts only the requests of the endpoints in
    that bucket (documented endpoint limits such as USDⓈ-M's funding-rate bucket, which
    ``exchangeInfo`` does not list); without one it counts every request (Spot's).
    """

    kind: Kind = attrs.field(validator=attrs.validators.in_(tuple(_HEADER_PREFIX)))
    interval: Interval = attrs.field(validator=attrs.validators.in_(tuple(_INTERVAL_MS)))
    interval_num: int = attrs.field(
        validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)]
    )
    limit: int = attrs.field(validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)])
    bucket: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.bucket is not None and (self.kind != "RAW_REQUESTS" or not self.bucket):
            raise ValueError(f"bucket: only a RAW_REQUESTS limit names one, got {self!r}")

    @property
    def window_ms(self) -> int:
        """Length of one window, ms."""
        return _INTERVAL_MS[self.interval] * self.interval_num

    @property
    def label(self) -> str:
        """Short name of the window, as in the headers: ``"1M"``, ``"10S"``."""
        return f"{self.interval_num}{self.interval[0]}"

    @property
    def header(self) -> str:
        """Lower-case response header carrying the count, e.g. ``"x-mbx-used-weight-1m"``;
        empty for ``RAW_REQUESTS`` (no header carries it)."""
        return count_header(self.kind, self.interval, self.interval_num)

    @classmethod
    def from_payload(cls, item: object) -> RateLimit | None:
        """Build from one ``rateLimits`` item; None for a kind not known.

        Raises ``ValueError`` for an item that is not a well-formed limit.
        """
        if not isinstance(item, Mapping):
            raise ValueError(f"rateLimits item is not an object: {item!r}")
        kind = item.get("rateLimitType")
        if kind not in _HEADER_PREFIX:
            return None
        interval, num, limit = item.get("interval"), item.get("intervalNum"), item.get("limit")
        if interval not in _INTERVAL_MS:
            raise ValueError(f"rateLimits: unknown interval {interval!r}")
        return cls(
            kind=kind,
            interval=interval,
            interval_num=_positive_int("intervalNum", num),
            limit=_positive_int("limit", limit),
        )


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"rateLimits: {name} must be a positive int, got {value!r}")
    return value


class ServerTime(Protocol):
    """The exchange's clock as estimated by the client (``ServerClock`` satisfies it).

    A clock may also offer ``reading() -> (now_ms(), uncertainty_ms)`` from one read of its
    time source; the limiter then uses it (see :func:`clock_reader`)."""

    def now_ms(self) -> int:
        """Estimate of the exchange's current time, ms."""
        ...

    @property
    def uncertainty_ms(self) -> float:
        """Bound on the estimate's error, ms."""
        ...


def clock_reader(clock: ServerTime) -> Callable[[], tuple[int, float]]:
    """A function giving ``(clock.now_ms(), clock.uncertainty_ms)``: the clock's own
    ``reading`` when it has one (:class:`~binance_async.clock.ServerClock` reads its
    monotonic clock once for both), else the two read in turn."""
    reading: Callable[[], tuple[int, float]] | None = getattr(clock, "reading", None)
    if reading is not None:
        return reading
    return lambda: (clock.now_ms(), clock.uncertainty_ms)


@attrs.frozen(kw_only=True)
class WindowState:
    """One window now: committed ``used`` (in-flight holds apart) of ``limit``."""

    kind: Kind
    label: str
    address: str | None  # None for the account's order windows
    used: int
    limit: int
    window_start_ms: int
    in_flight: int = 0
    bucket: str | None = None  # a RAW_REQUESTS limit of some endpoints only


@attrs.frozen(kw_only=True)
class LimitsSnapshot:
    """The limiter's state at one moment."""

    windows: tuple[WindowState, ...]
    banned_until_ms: dict[str, int]  # address -> end of an active ban
    paused_until_ms: int | None  # latest end of an active 429 pause

    def __str__(self) -> str:
        parts = []
        for w in self.windows:
            where = f"@{w.address}" if w.address is not None else ""
            flight = f"+{w.in_flight}" if w.in_flight else ""
            kind = f"{w.kind}[{w.bucket}]" if w.bucket is not None else w.kind
            parts.append(f"{kind} {w.label}{where} {w.used}{flight}/{w.limit}")
        text = ", ".join(parts) or "no limits"
        for address, until in sorted(self.banned_until_ms.items()):
            text += f"; {address} banned until {until}"
        if self.paused_until_ms is not None:
            text += f"; paused until {self.paused_until_ms}"
        return text


def count_header(kind: str, interval: str, interval_num: int) -> str:
    """The lower-case header (or WebSocket API ``rateLimits`` entry, under the same name)
    carrying a counter's count, e.g. ``"x-mbx-order-count-10s"``; empty when none does
    (``RAW_REQUESTS``, or a kind or interval the exchange does not name)."""
    prefix = _HEADER_PREFIX.get(kind)
    if not prefix or interval not in _INTERVAL_MS:
        return ""
    return f"{prefix}{interval_num}{interval[0].lower()}"


def read_count(counts: Counts, name: str) -> int | None:
    """The counter ``name`` as a non-negative int; None when absent or not a plain integer."""
    value = counts.get(name)
    if value is None or not (value.isascii() and value.isdigit()):
        return None
    return int(value) if len(value) <= _MAX_COUNT_DIGITS else None


def retry_after_ms(counts: Counts) -> int | None:
    """``Retry-After`` (seconds) in ms, at most :data:`MAX_PAUSE_MS`; None when unreadable."""
    value = counts.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    if not 0 <= seconds < math.inf:  # nan, inf and negatives are no answer
        return None
    return math.ceil(min(seconds, MAX_PAUSE_MS / 1000) * 1000)


def ban_end_ms(counts: Counts, msg: str | None, now_ms: int) -> int:
    """End of a 418 ban, server ms: ``Retry-After``, else the time in ``msg``, else 2 minutes.

    Never later than :data:`MAX_PAUSE_MS` from now, never earlier than now.
    """
    retry_ms = retry_after_ms(counts)
    if retry_ms is not None:
        return now_ms + retry_ms
    match = _BAN_UNTIL.search(msg) if msg else None
    if match is None:
        return now_ms + _DEFAULT_BAN_MS
    return min(max(int(match.group(1)), now_ms), now_ms + MAX_PAUSE_MS)
