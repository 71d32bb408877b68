"""Binance Spot in the simulator: the ``/api/v3`` REST API on the same host as the futures one.

Its own exchange state (:mod:`.exchange`: balances, symbols, prices, orders and order lists),
its own limits (:mod:`.limits`: REQUEST_WEIGHT, RAW_REQUESTS and the unfilled ORDERS count),
its timing rule (:mod:`.timing`: micro-second timestamps, a recvWindow with decimals) and its
routes (:mod:`.routes`), through the same pipeline, keys, faults and audit as the futures API.
The choices made where Binance's documentation is silent are in the table of
``binance_async.testing``'s docstring (its "Spot" rows).
"""

from __future__ import annotations

from .config import SpotConfig, SpotRateLimitConfig

__all__ = ["SpotConfig", "SpotRateLimitConfig"]
