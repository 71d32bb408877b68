"""Rate limits: IP weight windows, account order windows, 429s and escalating 418 bans
(repeated violation after a 429, past a grace period for requests already in flight)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import attrs

__all__ = ["LimitWindow", "RateLimitConfig", "RateLimiter", "Refusal"]

_INTERVAL_MS = {"SECOND": 1_000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}


def _check_interval(_: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in _INTERVAL_MS:
        raise ValueError(f"{attribute.name}: expected one of {sorted(_INTERVAL_MS)}, got {value!r}")


def _check_offset(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{attribute.name}: expected an int of milliseconds, got {value!r}")


def _order_limits(value: Iterable[Sequence[int | str]]) -> tuple[tuple[int, str, int], ...]:
    out: list[tuple[int, str, int]] = []
    for item in value:
        limit, interval, num = tuple(item) if len(item) == 3 else (0, "", 0)
        if not (
            isinstance(limit, int)
            and isinstance(num, int)
            and isinstance(interval, str)
            and interval in _INTERVAL_MS
            and limit > 0
            and num > 0
        ):
            raise ValueError(
                f"order_limits: expected (limit, interval, interval_num), got {item!r}"
            )
        out.append((limit, interval, num))
    return tuple(out)


@attrs.frozen(kw_only=True)
class RateLimitConfig:
    """The exchange's limits: IP weight per window, account orders per windows, ban policy."""

    weight_limit: int = attrs.field(default=2400, validator=attrs.validators.gt(0))
    weight_interval: str = attrs.field(default="MINUTE", validator=_check_interval)
    weight_interval_num: int = attrs.field(default=1, validator=attrs.validators.gt(0))
    order_limits: tuple[tuple[int, str, int], ...] = attrs.field(
        default=((300, "SECOND", 10), (1200, "MINUTE", 1)), converter=_order_limits
    )
    #: The ban (418) comes from repeated violation after a 429: a violation is a request over
    #: the IP's weight limit (one that is answered 429). After the IP's first 429 in a window
    #: and its grace period, this many further violations in that window are answered 429;
    #: the next one is answered 418 and the IP is banned. Requests that fit are answered as
    #: usual and never count.
    ban_after_429s: int = attrs.field(default=3, validator=attrs.validators.ge(0))
    #: Grace after the IP's first 429 in a window (server clock, ms): violations arriving
    #: sooner were already in flight when the 429 landed; they are answered 429 and not counted.
    ban_grace_ms: int = attrs.field(default=1000, validator=[_check_offset, attrs.validators.ge(0)])
    ban_initial_s: float = attrs.field(default=120.0, validator=attrs.validators.gt(0))
    ban_max_s: float = attrs.field(default=3 * 86_400.0, validator=attrs.validators.gt(0))
    #: Phase of every counting window (IP weight and account orders): a window starts at
    #: ``window_offset_ms + k * length`` on the server clock. 0: at multiples of the length
    #: (calendar-aligned, e.g. on the minute). Any other value models an exchange whose windows
    #: start where the client cannot know (``Simulator(windows_start_at_boot=True)`` sets it
    #: to the simulator's start); Retry-After and the X-MBX-* headers follow the shifted windows.
    window_offset_ms: int = attrs.field(default=0, validator=_check_offset)
    #: Requests per IP per bucket window on GET /fapi/v1/fundingRate and /fapi/v1/fundingInfo
    #: together (documented: 500 per 5 minutes), apart from the weight limit.
    funding_limit: int = attrs.field(default=500, validator=attrs.validators.gt(0))
    #: Requests per IP per bucket window on the /futures/data/* endpoints (1000 per 5 minutes).
    futures_data_limit: int = attrs.field(default=1000, validator=attrs.validators.gt(0))
    bucket_interval: str = attrs.field(default="MINUTE", validator=_check_interval)
    bucket_interval_num: int = attrs.field(default=5, validator=attrs.validators.gt(0))


@attrs.frozen(kw_only=True)
class LimitWindow:
    """One counting window: ``10 SECOND`` -> label ``10S``, length 10 000 ms.

    Windows start at ``offset_ms + k * ms`` on the server clock (``offset_ms`` 0: aligned).
    """

    limit: int
    interval: str
    interval_num: int
    offset_ms: int = 0

    @property
    def ms(self) -> int:
        """Window length in milliseconds."""
        return _INTERVAL_MS[self.interval] * self.interval_num

    @property
    def label(self) -> str:
        """Header suffix, e.g. ``1M`` or ``10S``."""
        return f"{self.interval_num}{self.interval[0]}"

    def start(self, now_ms: int) -> int:
        """Start of the window holding ``now_ms``: ``offset_ms + k * ms`` on the server clock."""
        return now_ms - (now_ms - self.offset_ms) % self.ms

    def retry_after_s(self, now_ms: int) -> int:
        """Whole seconds until this window ends (rounded up)."""
        return max(1, math.ceil((self.start(now_ms) + self.ms - now_ms) / 1000))

    def describe(self) -> str:
        """``minute`` or ``10 seconds``, for messages."""
        unit = self.interval.lower()
        return unit if self.interval_num == 1 else f"{self.interval_num} {unit}s"

    def payload(self, kind: str) -> dict[str, object]:
        """The exchangeInfo ``rateLimits`` entry."""
        return {
            "rateLimitType": kind,
            "interval": self.interval,
            "intervalNum": self.interval_num,
            "limit": self.limit,
        }


@attrs.frozen(kw_only=True)
class Refusal:
    """Why a request is refused: 429 (over a limit) or 418 (banned until ``until_ms``)."""

    status: int
    code: int
    msg: str
    #: Seconds for the Retry-After header; None: no header (Spot's order-count 429).
    retry_after_s: int | None


class _Episode:
    """An IP's 429s in one weight window: when the first came, violations counted since."""

    __slots__ = ("first_ms", "violations", "window_start")

    def __init__(self, window_start: int, first_ms: int) -> None:
        self.window_start = window_start
        self.first_ms = first_ms
        self.violations = 0


class _Counter:
    __slots__ = ("count", "start")

    def __init__(self, start: int) -> None:
        self.start = start
        self.count = 0


class RateLimiter:
    """Counts weight per IP and orders per account in windows on the server clock.

    Every window starts at ``config.window_offset_ms + k * length`` (0: calendar-aligned).
    """

    def __init__(self, config: RateLimitConfig) -> None:
        self.config = config
        self.weight_window = LimitWindow(
            limit=config.weight_limit,
            interval=config.weight_interval,
            interval_num=config.weight_interval_num,
            offset_ms=config.window_offset_ms,
        )
        self.order_windows = tuple(
            LimitWindow(
                limit=limit, interval=interval, interval_num=num, offset_ms=config.window_offset_ms
            )
            for limit, interval, num in config.order_limits
        )
        shortest = min(self.order_windows, key=lambda w: w.ms, default=None)
        self._shortest = shortest
        self._weights: dict[str, _Counter] = {}
        self._orders: dict[tuple[str, str], _Counter] = {}
        self._episodes: dict[str, _Episode] = {}  # ip -> its 429 episode in a window
        self._bans: dict[str, int] = {}  # ip -> banned until (ms)
        self._ban_count: dict[str, int] = {}

    def rate_limits_payload(self) -> list[dict[str, object]]:
        """exchangeInfo ``rateLimits``."""
        out = [self.weight_window.payload("REQUEST_WEIGHT")]
        out += [w.payload("ORDERS") for w in self.order_windows]
        return out

    # -- IP weight ------------------------------------------------------------------------------

    def _weight_counter(self, ip: str, now_ms: int) -> _Counter:
        start = self.weight_window.start(now_ms)
        counter = self._weights.get(ip)
        if counter is None or counter.start != start:
            counter = _Counter(start)
            self._weights[ip] = counter
        return counter

    def used_weight(self, ip: str, now_ms: int) -> int:
        """Weight used by ``ip`` in the current window."""
        return self._weight_counter(ip, now_ms).count

    def banned_until(self, ip: str, now_ms: int) -> int | None:
        """End of the IP's ban, if it is banned now."""
        until = self._bans.get(ip)
        return until if until is not None and now_ms < until else None

    def ban_refusal(self, ip: str, until_ms: int, now_ms: int) -> Refusal:
        """The 418 answer for a banned IP."""
        return Refusal(
            status=418,
            code=-1003,
            msg=(
                f"Way too many requests; IP({ip}) banned until {until_ms}. "
                "Please use the websocket for live updates to avoid bans."
            ),
            retry_after_s=max(1, math.ceil((until_ms - now_ms) / 1000)),
        )

    def ban(self, ip: str, now_ms: int) -> int:
        """Ban ``ip``: 2 minutes first (``ban_initial_s``), doubling per repeat, up to 3 days."""
        count = self._ban_count.get(ip, 0)
        seconds = min(self.config.ban_initial_s * 2**count, self.config.ban_max_s)
        self._ban_count[ip] = count + 1
        until = now_ms + int(seconds * 1000)
        self._bans[ip] = until
        self._episodes.pop(ip, None)
        return until

    def weight_429(self, ip: str, now_ms: int) -> Refusal:
        """The 429 answer for an IP over its weight limit."""
        window = self.weight_window
        return Refusal(
            status=429,
            code=-1003,
            msg=(
                f"Too many requests; current limit of IP({ip}) is {window.limit} requests per "
                f"{window.describe()}. Please use the websocket for live updates to avoid "
                "polling the API."
            ),
            retry_after_s=window.retry_after_s(now_ms),
        )

    def note_429(self, ip: str, now_ms: int) -> _Episode:
        """The IP was answered 429 now: its episode in this window (started by the first 429)."""
        start = self.weight_window.start(now_ms)
        episode = self._episodes.get(ip)
        if episode is None or episode.window_start != start:
            episode = _Episode(start, now_ms)
            self._episodes[ip] = episode
        return episode

    def admit_weight(self, ip: str, weight: int, now_ms: int) -> Refusal | None:
        """Consume ``weight`` for ``ip``, or refuse it.

        429 when the weight would go over the limit (nothing consumed): a violation. The first
        429 in a window starts the IP's episode; violations within ``ban_grace_ms`` of it were
        in flight and do not count; after that, the one that makes more than
        ``ban_after_429s`` is answered 418 and the IP is banned.
        """
        counter = self._weight_counter(ip, now_ms)
        if not weight or counter.count + weight <= self.weight_window.limit:
            counter.count += weight
            return None
        return self.violation(ip, now_ms, self.weight_429(ip, now_ms))

    def violation(self, ip: str, now_ms: int, refusal: Refusal) -> Refusal:
        """A request over one of the IP's limits, answered ``refusal`` (a 429) unless it is the
        one that makes the ban: the episode and grace rules of :meth:`admit_weight`."""
        start = self.weight_window.start(now_ms)
        episode = self._episodes.get(ip)
        if episode is None or episode.window_start != start:
            self.note_429(ip, now_ms)
        elif now_ms - episode.first_ms >= self.config.ban_grace_ms:
            episode.violations += 1
            if episode.violations > self.config.ban_after_429s:
                until = self.ban(ip, now_ms)
                return self.ban_refusal(ip, until, now_ms)
        return refusal

    def refund_weight(self, ip: str, weight: int, now_ms: int) -> None:
        """Give back weight of a request the exchange did not count (503 unavailable, -1008)."""
        counter = self._weight_counter(ip, now_ms)
        counter.count = max(0, counter.count - weight)

    def preload_weight(self, ip: str, weight: int, now_ms: int) -> None:
        """Add weight as if another process on ``ip`` had used it in the current window."""
        self._weight_counter(ip, now_ms).count += weight

    # -- account orders -------------------------------------------------------------------------

    def _order_counter(self, account: str, window: LimitWindow, now_ms: int) -> _Counter:
        key = (account, window.label)
        start = window.start(now_ms)
        counter = self._orders.get(key)
        if counter is None or counter.start != start:
            counter = _Counter(start)
            self._orders[key] = counter
        return counter

    def order_costs(self, batch: bool) -> list[tuple[LimitWindow, int]]:
        """1 on every order window; a batch costs 5 on the shortest window and 1 on the others."""
        return [(w, 5 if batch and w is self._shortest else 1) for w in self.order_windows]

    def admit_orders(
        self, account: str, costs: list[tuple[LimitWindow, int]], now_ms: int
    ) -> Refusal | None:
        """Count an order request on the account's windows, or refuse it with -1015."""
        counters = [(w, self._order_counter(account, w, now_ms), c) for w, c in costs]
        for window, counter, cost in counters:
            if counter.count + cost > window.limit:
                return Refusal(
                    status=429,
                    code=-1015,
                    msg=(
                        f"Too many new orders; current limit is {window.limit} orders per "
                        f"{window.interval_num} {window.interval}."
                        if window.interval_num != 1
                        else f"Too many new orders; current limit is {window.limit} orders "
                        f"per {window.interval}."
                    ),
                    retry_after_s=window.retry_after_s(now_ms),
                )
        for _, counter, cost in counters:
            counter.count += cost
        return None

    def refund_orders(
        self, account: str, costs: list[tuple[LimitWindow, int]], now_ms: int
    ) -> None:
        """Give back order counts of a request the exchange did not count."""
        for window, cost in costs:
            counter = self._order_counter(account, window, now_ms)
            counter.count = max(0, counter.count - cost)

    def order_counts(self, account: str, now_ms: int) -> list[tuple[LimitWindow, int, int]]:
        """(window, window start, count) for each order window of the account."""
        out = []
        for window in self.order_windows:
            counter = self._order_counter(account, window, now_ms)
            out.append((window, counter.start, counter.count))
        return out
