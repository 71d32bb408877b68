"""Client configuration: base URL, recvWindow, timeouts, pool sizes. Holds no key material."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import attrs

from .ratelimits import RateLimit

__all__ = ["MAX_RECV_WINDOW_MS", "ClientConfig", "RetryConfig"]

log = logging.getLogger("binance_async")

#: The exchange's documented ceiling (reference/fapi-rules.md section 3).
MAX_RECV_WINDOW_MS = 60_000
#: Above this, a captured request stays replayable for long; warn once.
RECV_WINDOW_WARN_MS = 10_000


def _check_recv_window(config: ClientConfig, attribute: attrs.Attribute[Any], value: Any) -> None:
    decimals = config.recv_window_decimals
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{attribute.name} must be a positive number of ms, got {value!r}")
    if isinstance(value, float):
        # Written plainly on the wire: at most the venue's decimals (Spot: 3, microseconds).
        exponent = Decimal(repr(value)).as_tuple().exponent if math.isfinite(value) else None
        if not decimals or not isinstance(exponent, int) or exponent < -decimals:
            allowed = f"at most {decimals} decimals" if decimals else "whole milliseconds (int)"
            raise ValueError(f"{attribute.name} takes {allowed} on this venue, got {value!r}")
    if value > MAX_RECV_WINDOW_MS:
        raise ValueError(
            f"{attribute.name}={value} exceeds the exchange's maximum of {MAX_RECV_WINDOW_MS} ms"
        )
    if value > RECV_WINDOW_WARN_MS:
        log.warning(
            "recv_window_ms=%s: a signed request stays valid, and replayable by anyone who "
            "captures it, for that long; keep it at or below %d ms",
            value,
            RECV_WINDOW_WARN_MS,
        )


def _positive(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{attribute.name} must be a finite number, got {value!r}")
    if not value > 0:
        raise ValueError(f"{attribute.name} must be > 0, got {value!r}")


def _count(_: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be an int >= 0, got {value!r}")


def _to_tuple(value: Sequence[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True, slots=True)
class RetryConfig:
    """Backoff for certain failures and for settling unknown outcomes."""

    #: First backoff delay; doubles each time (200, 400, 800 ms ...).
    base_delay_s: float = attrs.field(default=0.2, validator=_positive)
    max_delay_s: float = attrs.field(default=3.2, validator=_positive)
    #: Resends after a certain failure (503 "Service Unavailable.", -1008, -1001).
    max_retries: int = attrs.field(default=5, validator=_count)
    #: Resends after -1021, each after a clock resync.
    max_timestamp_retries: int = attrs.field(default=2, validator=_count)
    #: Extra wait past ``timestamp + recvWindow`` before an absent order counts as not placed.
    settle_margin_ms: int = attrs.field(default=1000, validator=_count)
    #: Share of each delay drawn at random (0.25 = +-25 %).
    jitter: float = attrs.field(
        default=0.25,
        validator=attrs.validators.and_(attrs.validators.ge(0.0), attrs.validators.lt(1.0)),
    )
    #: The shortest pause after a 429, whatever its ``Retry-After`` says; it doubles while
    #: 429s repeat.
    rate_limit_floor_s: float = attrs.field(default=1.0, validator=_positive)


def _limits(value: Sequence[RateLimit] | None) -> tuple[RateLimit, ...] | None:
    return None if value is None else tuple(value)


@attrs.frozen(kw_only=True, slots=True)
class ClientConfig:
    """Everything about a client except its keys."""

    base_url: str
    #: The recvWindow every signed request carries: an int, or a float with up to
    #: ``recv_window_decimals`` decimals where the venue takes them (Spot).
    recv_window_ms: int | float = attrs.field(default=5000, validator=_check_recv_window)
    #: Decimals the venue's recvWindow may carry (0: whole milliseconds).
    recv_window_decimals: int = attrs.field(default=0, validator=attrs.validators.in_((0, 3)))
    #: One HTTP request, from send to the last byte of the answer.
    request_timeout_s: float = attrs.field(default=10.0, validator=_positive)
    #: The whole call, with its retries and reconciliation.
    call_deadline_s: float = attrs.field(default=60.0, validator=_positive)
    #: How long ``aclose()`` lets calls in flight finish (each ends with its result, a
    #: definite error or ExecutionUnknown) before it closes the connections.
    close_timeout_s: float = attrs.field(default=5.0, validator=_positive)
    #: Source addresses; one session (and one weight budget) per address. None: the default.
    local_addresses: tuple[str, ...] | None = attrs.field(
        default=None, converter=attrs.converters.optional(_to_tuple)
    )
    #: Connection cap per session, and keep-alive of idle connections.
    connections_per_address: int = attrs.field(default=100, validator=attrs.validators.ge(1))
    keepalive_timeout_s: float = attrs.field(default=30.0, validator=_positive)
    #: Clock: regular resync period, and the faster one while uncertain.
    clock_resync_interval_s: float = attrs.field(default=60.0, validator=_positive)
    retry: RetryConfig = attrs.Factory(RetryConfig)
    #: Orders allowed in flight at once; -1008 shrinks it, successes grow it back.
    max_orders_in_flight: int = attrs.field(default=200, validator=attrs.validators.ge(1))
    #: The limits in force until exchangeInfo gives the exchange's (None: the venue's
    #: defaults); endpoint request buckets (RAW_REQUESTS with a ``bucket``) stay after.
    rate_limits: tuple[RateLimit, ...] | None = attrs.field(default=None, converter=_limits)
