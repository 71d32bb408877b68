"""The limiter's records, and what the server's limit signals say.

Plain values with no state of their own: :class:`RateLimit` (one item of
``exchangeInfo.rateLimits``, with the response header that counts it), the USDⓈ-M defaults,
:class:`Priority`, the :class:`ServerTime` the limiter reads, and the snapshot it reports
(:class:`LimitsSnapshot` of :class:`WindowState`). Two parsers read a refusal: a 429's or
418's ``Retry-After`` (:func:`retry_after_ms`) and a 418's ban end (:func:`ban_end_ms`).
:class:`~binance_async.limits.Limiter` is the one that acts on them.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from typing import Any, Literal, Protocol

import attrs

__all__ = [
    "DEFAULT_USDM_LIMITS",
    "Interval",
    "Kind",
    "LimitsSnapshot",
    "Priority",
    "RateLimit",
    "ServerTime",
    "WindowState",
    "ban_end_ms",
    "retry_after_ms",
]

Kind = Literal["REQUEST_WEIGHT", "ORDERS"]
Interval = Literal["SECOND", "MINUTE", "HOUR", "DAY"]

_INTERVAL_MS = {"SECOND": 1_000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}
_HEADER_PREFIX = {"REQUEST_WEIGHT": "x-mbx-used-weight-", "ORDERS": "x-mbx-order-count-"}
#: A 418 without Retry-After nor a time in its message: the shortest ban the docs name.
_DEFAULT_BAN_MS = 120_000
_BAN_UNTIL = re.compile(r"until\D*(\d{13})(?!\d)")


class Priority(enum.IntEnum):
    """Order of service among waiters."""

    URGENT = 0  # cancels, reduce-only and close-position orders: go ahead of new risk
    NORMAL = 1


@attrs.frozen(kw_only=True)
class RateLimit:
    """One limit from ``exchangeInfo.rateLimits``: ``limit`` per ``interval_num`` intervals."""

    kind: Kind = attrs.field(validator=attrs.validators.in_(tuple(_HEADER_PREFIX)))
    interval: Interval = attrs.field(validator=attrs.validators.in_(tuple(_INTERVAL_MS)))
    interval_num: int = attrs.field(
        validator=[attrs.validators.instance_of(int), attrs.validators.ge(1)]
    )
    limit: int = attrs.field(validator=[attrs.validators.instance_of(int), attrs.validators.ge(0)])

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
        """Lower-case response header carrying the count, e.g. ``"x-mbx-used-weight-1m"``."""
        return _HEADER_PREFIX[self.kind] + self.label.lower()

    @classmethod
    def from_payload(cls, item: Mapping[str, Any]) -> RateLimit | None:
        """Build from one ``rateLimits`` item; None for kinds not tracked (``RAW_REQUESTS``)."""
        kind = item.get("rateLimitType")
        if kind not in _HEADER_PREFIX:
            return None
        return cls(
            kind=kind,
            interval=item["interval"],
            interval_num=int(item["intervalNum"]),
            limit=int(item["limit"]),
        )


#: The USDⓈ-M defaults from reference/fapi-rules.md section 5, until exchangeInfo is loaded.
DEFAULT_USDM_LIMITS: tuple[RateLimit, ...] = (
    RateLimit(kind="REQUEST_WEIGHT", interval="MINUTE", interval_num=1, limit=2400),
    RateLimit(kind="ORDERS", interval="SECOND", interval_num=10, limit=300),
    RateLimit(kind="ORDERS", interval="MINUTE", interval_num=1, limit=1200),
)


class ServerTime(Protocol):
    """The exchange's clock as estimated by the client (``ServerClock`` satisfies it)."""

    def now_ms(self) -> int:
        """Estimate of the exchange's current time, ms."""
        ...

    @property
    def uncertainty_ms(self) -> float:
        """Bound on the estimate's error, ms."""
        ...


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
            parts.append(f"{w.kind} {w.label}{where} {w.used}{flight}/{w.limit}")
        text = ", ".join(parts) or "no limits"
        for address, until in sorted(self.banned_until_ms.items()):
            text += f"; {address} banned until {until}"
        if self.paused_until_ms is not None:
            text += f"; paused until {self.paused_until_ms}"
        return text


def retry_after_ms(headers: Mapping[str, str]) -> int | None:
    """``Retry-After`` (seconds) in ms; None when absent or unreadable."""
    value = headers.get("retry-after")
    if value is None:
        value = headers.get("Retry-After")
    try:
        seconds = float(value) if value is not None else math.nan
    except ValueError:
        return None
    return math.ceil(seconds * 1000) if 0 <= seconds < math.inf else None


def ban_end_ms(headers: Mapping[str, str], msg: str | None, now_ms: int) -> int:
    """End of a 418 ban, server ms: ``Retry-After``, else the time in ``msg``, else 2 minutes."""
    retry_ms = retry_after_ms(headers)
    if retry_ms is not None:
        return now_ms + retry_ms
    match = _BAN_UNTIL.search(msg) if msg else None
    return int(match.group(1)) if match else now_ms + _DEFAULT_BAN_MS
