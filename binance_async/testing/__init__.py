"""binance_async.testing: an embedded Binance USDⓈ-M futures exchange for tests and demos.

It enforces the exchange's public rules (signatures over the raw bytes, the timing rule,
weights and their headers, 429 then 418, order state, filters) and injects faults; it is
written from ``reference/`` alone: nothing here imports the client, so a shared bug cannot
hide::

    async with Simulator() as sim:
        creds = sim.new_credentials("ed25519")
        sim.inject_next("unknown_executed")       # the next POST /fapi/v1/order
        ...                                       # talk to sim.base_url
        assert not sim.audit.duplicates()

Pipeline of every request (``server.py``): ban -> IP weight (429) -> API key and signature ->
timing -> account order count (429) -> fault -> handler -> headers.

Beyond the answering faults: ``RateLimitConfig(window_offset_ms=...)`` or
``Simulator(windows_start_at_boot=True)`` shift where the counting windows start;
``inject_next("delay_before_execute", delay_s=...)`` holds a request before it is processed
(then checked against the server's time at processing); ``sim.inject_time_outlier(offset_ms)``
makes the next GET /fapi/v1/time answer a bogus ``serverTime``.
"""

from __future__ import annotations

from .audit import Audit, RequestRecord
from .auth import Credentials
from .clock import SimClock
from .engine import Order, Position
from .faults import FaultKind, FaultPlan
from .market import SymbolSpec
from .ratelimit import RateLimitConfig
from .serve import serve_forever
from .simulator import Simulator

__all__ = [
    "Audit",
    "Credentials",
    "FaultKind",
    "FaultPlan",
    "Order",
    "Position",
    "RateLimitConfig",
    "RequestRecord",
    "SimClock",
    "Simulator",
    "SymbolSpec",
    "serve_forever",
]
