"""Typed reads of request parameters, refusing bad values with the exchange's codes."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal

from .errors import DECIMAL_PATTERN, ApiError, illegal_chars, invalid_param, mandatory

__all__ = [
    "boolean",
    "check_unknown",
    "decimal",
    "enum",
    "integer",
    "limit",
    "max_days",
    "order_ref",
    "require",
    "text",
    "time_range",
]

_DECIMAL_RE = re.compile(DECIMAL_PATTERN)
_INT_RE = re.compile(r"^[0-9]{1,20}$")

Params = Mapping[str, str]


def check_unknown(params: Params, allowed: Collection[str]) -> None:
    """-1103 when a parameter is not one the endpoint takes."""
    for name in params:
        if name not in allowed:
            raise ApiError(-1103, "An unknown parameter was sent.")


def text(params: Params, name: str) -> str | None:
    """The value, or None when absent or empty."""
    value = params.get(name)
    return value if value else None


def require(params: Params, name: str) -> str:
    """The value, or -1102 when absent or empty."""
    value = params.get(name)
    if not value:
        raise mandatory(name)
    return value


def decimal(params: Params, name: str, *, required: bool = False) -> Decimal | None:
    """A plain decimal (``^([0-9]{1,20})(\\.[0-9]{1,20})?$``); ``1e-05`` is refused (-1100)."""
    value = params.get(name)
    if not value:
        if required:
            raise mandatory(name)
        return None
    if not _DECIMAL_RE.fullmatch(value):  # "$" alone would let a trailing newline by
        raise illegal_chars(name)
    return Decimal(value)


def integer(params: Params, name: str, *, required: bool = False) -> int | None:
    """A non-negative integer; -1100 when it has other characters."""
    value = params.get(name)
    if not value:
        if required:
            raise mandatory(name)
        return None
    if not _INT_RE.fullmatch(value):
        raise ApiError(
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is '^[0-9]{{1,20}}$'.",
        )
    return int(value)


def boolean(params: Params, name: str, *, any_case: bool = False) -> bool | None:
    """``true``/``false`` (any case when ``any_case``), else -1130."""
    value = params.get(name)
    if value is None:
        return None
    folded = value.lower() if any_case else value
    if folded == "true":
        return True
    if folded == "false":
        return False
    raise invalid_param(name)


def enum(params: Params, name: str, allowed: Collection[str], error: ApiError) -> str | None:
    """One of ``allowed``, or ``error``."""
    value = params.get(name)
    if value is None:
        return None
    if value not in allowed:
        raise error
    return value


def order_ref(params: Params) -> tuple[int | None, str | None]:
    """``orderId`` or ``origClientOrderId`` (orderId wins); -1102 when neither is sent."""
    order_id = integer(params, "orderId")
    client_id = text(params, "origClientOrderId")
    if order_id is None and client_id is None:
        raise ApiError(
            -1102, "Param 'orderId' or 'origClientOrderId' must be sent, but both were empty/null!"
        )
    return order_id, client_id


def limit(params: Params, default: int, maximum: int) -> int:
    """``limit``: ``default`` when absent, -1130 outside ``1..maximum``."""
    value = integer(params, "limit")
    if value is None:
        return default
    if not 1 <= value <= maximum:
        raise invalid_param("limit")
    return value


def time_range(
    params: Params, *, max_ms: int | None = None, too_long: ApiError | None = None
) -> tuple[int | None, int | None]:
    """``startTime`` and ``endTime``: -1023 when start > end; ``too_long`` when both are
    sent more than ``max_ms`` apart."""
    start = integer(params, "startTime")
    end = integer(params, "endTime")
    if start is not None and end is not None:
        if start > end:
            raise ApiError(-1023, "Start time is greater than end time.")
        if max_ms is not None and end - start > max_ms and too_long is not None:
            raise too_long
    return start, end


def max_days(days: int) -> ApiError:
    """-4165: a time range longer than the endpoint allows."""
    return ApiError(-4165, f"Invalid time interval: Maximum time interval is {days} days.")
