"""ExchangeState: the simulator's parts, shared by the HTTP front and the control API."""

from __future__ import annotations

from decimal import Decimal

import attrs

from .audit import Audit
from .auth import KeyStore
from .clock import SimClock
from .engine import Engine
from .faults import FaultInjector
from .market import Market
from .ratelimit import RateLimitConfig, RateLimiter

__all__ = ["ExchangeState"]


@attrs.define(kw_only=True)
class ExchangeState:
    """Clock, market, engine, keys, limits, faults, audit, listen keys and added latency."""

    clock: SimClock
    market: Market
    engine: Engine
    keys: KeyStore
    limiter: RateLimiter
    faults: FaultInjector
    audit: Audit
    #: account -> (listen key, expiry ms)
    listen_keys: dict[str, tuple[str, int]] = attrs.Factory(dict)
    request_delay_s: float = 0.0
    response_delay_s: float = 0.0

    @classmethod
    def create(
        cls, *, rate_limits: RateLimitConfig | None, seed: int, initial_balance: Decimal
    ) -> ExchangeState:
        """A fresh exchange with the default symbols."""
        market = Market()
        engine = Engine(market, initial_balance=initial_balance)
        return cls(
            clock=SimClock(),
            market=market,
            engine=engine,
            keys=KeyStore(),
            limiter=RateLimiter(rate_limits or RateLimitConfig()),
            faults=FaultInjector(seed),
            audit=Audit(lambda: list(engine.orders.values())),
        )
