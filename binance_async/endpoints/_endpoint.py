"""The Endpoint record: method, path, weight, security, order-count cost, idempotence."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = ["Endpoint", "Security", "WeightFn"]

WeightFn = Callable[[Mapping[str, Any]], int]


class Security(enum.Enum):
    """Security type; it decides stamping and signing, not each call site."""

    NONE = "NONE"  # public
    API_KEY = "API_KEY"  # MARKET_DATA and USER_STREAM: key header, no signature
    SIGNED = "SIGNED"  # TRADE and USER_DATA: key header, timestamp, signature


@attrs.frozen(kw_only=True, slots=True)
class Endpoint:
    """One REST endpoint, as data."""

    method: str
    path: str
    #: IP request weight: a number, or a function of the params (depth ``limit`` ...).
    weight: int | WeightFn
    security: Security = Security.NONE
    #: Cost on the account's ORDERS counters.
    orders: int = 0
    #: True when repeating the call is harmless (reads); False for orders and cancels.
    idempotent: bool = True
    #: True when a request changes orders: reconciled, not resent blind.
    is_order_write: bool = False

    def weight_for(self, params: Mapping[str, Any] | None) -> int:
        """Weight of this call with these params."""
        weight = self.weight
        if isinstance(weight, int):
            return weight
        return weight(params or {})

    @property
    def signed(self) -> bool:
        """Whether requests carry timestamp and signature."""
        return self.security is Security.SIGNED

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
