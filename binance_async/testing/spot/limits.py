"""Spot's ledger of limits: REQUEST_WEIGHT and RAW_REQUESTS per IP, the unfilled ORDERS count
per account, with 429s and the escalating 418 ban of the futures limiter.

The unfilled order count (FAQ "Spot Unfilled Order Count Rules"): every order a request
places adds to the count of each ORDERS window; when an order is filled for the first time
(partly or fully) the count goes down by one on every window (never below 0). A refused
placement does not count (only "successful" requests add to it), except cancel-replace, whose
new order counts even when it is not attempted. Over the count: 429 -1015 *without*
Retry-After ("you will receive a 429 error without the Retry-After header").
"""

from __future__ import annotations

import attrs

from ..buckets import requests_429
from ..ratelimit import LimitWindow, RateLimiter, Refusal
from .config import SpotRateLimitConfig

__all__ = ["SpotRateLimiter"]


class SpotRateLimiter(RateLimiter):
    """The futures limiter's windows and bans, plus RAW_REQUESTS and the fill decrement."""

    def __init__(self, config: SpotRateLimitConfig) -> None:
        super().__init__(config)
        self.spot_config = config
        self.raw_window = LimitWindow(
            limit=config.raw_requests_limit,
            interval=config.raw_requests_interval,
            interval_num=config.raw_requests_interval_num,
            offset_ms=config.window_offset_ms,
        )
        self._raw: dict[str, tuple[int, int]] = {}  # ip -> (window start, requests)

    def rate_limits_payload(self) -> list[dict[str, object]]:
        """exchangeInfo ``rateLimits``: REQUEST_WEIGHT, the ORDERS windows, RAW_REQUESTS."""
        return [*super().rate_limits_payload(), self.raw_window.payload("RAW_REQUESTS")]

    # -- raw requests -----------------------------------------------------------------------

    def raw_requests(self, ip: str, now_ms: int) -> int:
        """Requests counted for ``ip`` in the current RAW_REQUESTS window."""
        start = self.raw_window.start(now_ms)
        current = self._raw.get(ip)
        return current[1] if current is not None and current[0] == start else 0

    def admit_weight(self, ip: str, weight: int, now_ms: int) -> Refusal | None:
        """One raw request and ``weight``, or a 429 (a violation toward the ban, like weight)."""
        used = self.raw_requests(ip, now_ms)
        window = self.raw_window
        if used + 1 > window.limit:
            return self.violation(ip, now_ms, requests_429(window, ip, now_ms))
        refused = super().admit_weight(ip, weight, now_ms)
        if refused is None:
            self._raw[ip] = (window.start(now_ms), used + 1)
        return refused

    def refund_weight(self, ip: str, weight: int, now_ms: int) -> None:
        """Give back the weight and the raw request of a request the exchange did not count."""
        super().refund_weight(ip, weight, now_ms)
        used = self.raw_requests(ip, now_ms)
        if used:
            self._raw[ip] = (self.raw_window.start(now_ms), used - 1)

    # -- unfilled orders --------------------------------------------------------------------

    def spot_costs(self, orders: int) -> list[tuple[LimitWindow, int]]:
        """``orders`` on every ORDERS window."""
        return [(window, orders) for window in self.order_windows]

    def admit_orders(
        self, account: str, costs: list[tuple[LimitWindow, int]], now_ms: int
    ) -> Refusal | None:
        """The futures check and count, answered without Retry-After when refused."""
        refused = super().admit_orders(account, costs, now_ms)
        return None if refused is None else attrs.evolve(refused, retry_after_s=None)

    def order_filled(self, account: str, now_ms: int) -> None:
        """An order of ``account`` filled for the first time: one less on every window."""
        self.refund_orders(account, self.spot_costs(1), now_ms)
