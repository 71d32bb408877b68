"""What every Binance venue shares: the common error codes (reference/fapi-errors.tsv, and
the same codes on Spot) and the time answer (``{"serverTime": <ms>}``)."""

from __future__ import annotations

from typing import Any

from ..errors import (
    APIError,
    BadRequest,
    CancelRejected,
    InsufficientMargin,
    InternalError,
    InvalidSignature,
    InvalidTimestamp,
    NoSuchOrder,
    RateLimited,
    Throttled,
    Unauthorized,
    UnknownOutcome,
)

__all__ = ["COMMON_CODES", "parse_time"]

#: The exchange's time is an integer of epoch milliseconds; anything else is refused.
_PLAUSIBLE_MS = (1_000_000_000_000, 100_000_000_000_000)  # 2001 .. 5138


def parse_time(payload: Any) -> int:
    """``{"serverTime": <int ms>}`` -> ms; ``ValueError``/``TypeError``/``KeyError`` else."""
    value = payload["serverTime"]
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"serverTime is not an integer: {value!r}")
    if not _PLAUSIBLE_MS[0] <= value < _PLAUSIBLE_MS[1]:
        raise ValueError(f"serverTime is not epoch milliseconds: {value!r}")
    return value


#: Codes shared by Spot and the futures venues (-1xxx general and request errors, -2xxx
#: order errors). Every other -11xx is a parameter error.
COMMON_CODES: dict[int, type[APIError]] = {
    **dict.fromkeys(range(-1199, -1099), BadRequest),
    -1000: UnknownOutcome,
    -1001: InternalError,
    -1002: Unauthorized,
    -1003: RateLimited,
    -1006: UnknownOutcome,
    -1007: UnknownOutcome,
    -1008: Throttled,
    -1015: RateLimited,
    -1021: InvalidTimestamp,
    -1022: InvalidSignature,
    -2011: CancelRejected,
    -2013: NoSuchOrder,
    -2014: Unauthorized,
    -2015: Unauthorized,
    -2018: InsufficientMargin,
    -2019: InsufficientMargin,
}
