"""Spot's configuration: its limits and what every account starts with."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ..ratelimit import RateLimitConfig

__all__ = ["DEFAULT_BALANCES", "SpotConfig", "SpotRateLimitConfig"]

#: Every account's balances at first use (free; nothing locked).
DEFAULT_BALANCES: Mapping[str, Decimal] = {
    "USDT": Decimal("100000"),
    "BTC": Decimal("10"),
    "ETH": Decimal("100"),
    "BNB": Decimal("0"),
}


_FUTURES_ORDER_LIMITS: Any = attrs.fields(RateLimitConfig).order_limits.converter


def _order_limits(value: Iterable[Sequence[int | str]]) -> tuple[tuple[int, str, int], ...]:
    """The futures config's check of ``order_limits``."""
    checked: tuple[tuple[int, str, int], ...] = _FUTURES_ORDER_LIMITS(value)
    return checked


@attrs.frozen(kw_only=True)
class SpotRateLimitConfig(RateLimitConfig):
    """Spot's limits, a ledger apart from the futures one even on the same IP.

    REQUEST_WEIGHT 6000 per minute per IP and RAW_REQUESTS 61000 per 5 minutes per IP
    (reference: CHANGELOG 2023-08-25); the unfilled ORDERS count per account, 50 per 10 s and
    160000 per day (the values of the docs' ``GET /api/v3/rateLimit/order`` example; live
    values vary by account). The ban policy and window phase are the futures config's fields.
    """

    weight_limit: int = attrs.field(default=6000, validator=attrs.validators.gt(0))
    order_limits: tuple[tuple[int, str, int], ...] = attrs.field(
        default=((50, "SECOND", 10), (160_000, "DAY", 1)),
        converter=_order_limits,
    )
    raw_requests_limit: int = attrs.field(default=61_000, validator=attrs.validators.gt(0))
    raw_requests_interval: str = attrs.field(
        default="MINUTE", validator=attrs.fields(RateLimitConfig).weight_interval.validator
    )
    raw_requests_interval_num: int = attrs.field(default=5, validator=attrs.validators.gt(0))


def _balances(value: Mapping[str, Decimal | int | str] | None) -> Mapping[str, Decimal]:
    if value is None:
        return dict(DEFAULT_BALANCES)
    out: dict[str, Decimal] = {}
    for asset, amount in value.items():
        number = Decimal(amount)
        if not asset or not number.is_finite() or number < 0:
            raise ValueError(f"balances: expected asset -> amount >= 0, got {asset!r}: {amount!r}")
        out[asset] = number
    return out


def _rate(_: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not (value.is_finite() and 0 <= value < 1):
        raise ValueError(f"{attribute.name}: expected a rate in [0, 1), got {value!r}")


@attrs.frozen(kw_only=True)
class SpotConfig:
    """Spot's limits, every account's starting balances and the fee rates (0 by default)."""

    rate_limits: SpotRateLimitConfig = attrs.Factory(SpotRateLimitConfig)
    balances: Mapping[str, Decimal] = attrs.field(default=None, converter=_balances)
    maker_commission: Decimal = attrs.field(default=Decimal(0), converter=Decimal, validator=_rate)
    taker_commission: Decimal = attrs.field(default=Decimal(0), converter=Decimal, validator=_rate)
