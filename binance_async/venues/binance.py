"""What every Binance venue shares: the common error codes (reference/fapi-errors.tsv, and
the same codes on Spot)."""

from __future__ import annotations

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

__all__ = ["COMMON_CODES"]

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
