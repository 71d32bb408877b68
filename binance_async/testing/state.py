"""ExchangeState: the simulator's parts, shared by the HTTP front and the control API."""

from __future__ import annotations

from decimal import Decimal

import attrs

from .algo import AlgoBook
from .audit import Audit
from .auth import KeyStore
from .buckets import RequestBuckets
from .clock import SimClock
from .countdown import Countdowns
from .engine import Engine
from .faults import FaultInjector, TimeOutliers
from .market import Market
from .ratelimit import RateLimitConfig, RateLimiter
from .spot.config import SpotConfig
from .spot.state import SpotState

__all__ = ["ExchangeState"]


@attrs.define(kw_only=True)
class ExchangeState:
    """Clock, market, engine, algo orders, keys, limits, faults, audit, listen keys, latency;
    and Spot's exchange, a world apart (``spot``)."""

    clock: SimClock
    market: Market
    engine: Engine
    algos: AlgoBook
    keys: KeyStore
    limiter: RateLimiter
    buckets: RequestBuckets
    faults: FaultInjector
    audit: Audit
    #: account -> (listen key, expiry ms)
    listen_keys: dict[str, tuple[str, int]] = attrs.Factory(dict)
    request_delay_s: float = 0.0
    response_delay_s: float = 0.0
    #: Bogus serverTime answers queued by ``Simulator.inject_time_outlier``.
    time_outliers: TimeOutliers = attrs.Factory(TimeOutliers)
    countdowns: Countdowns = attrs.Factory(Countdowns)
    spot: SpotState = attrs.Factory(lambda: SpotState(SpotConfig()))

    def tick(self, now_ms: int) -> None:
        """Time-driven work: countdowns that passed cancel their symbol's open orders; GTD
        orders and algo orders expire. Run on every request and by the simulator's ticker."""
        for account, symbol in self.countdowns.due(now_ms):
            self.engine.cancel_all(account, symbol, now_ms)
        self.engine.expire_due(now_ms)
        self.algos.refresh(now_ms)

    @classmethod
    def create(
        cls,
        *,
        rate_limits: RateLimitConfig | None,
        seed: int,
        initial_balance: Decimal,
        windows_start_at_boot: bool = False,
        spot: SpotConfig | None = None,
    ) -> ExchangeState:
        """A fresh exchange with the default symbols.

        ``windows_start_at_boot``: every limit window starts at the clock's reading now (plus
        whole window lengths), instead of at ``rate_limits.window_offset_ms``; Spot's too.
        """
        market = Market()
        engine = Engine(market, initial_balance=initial_balance)
        clock = SimClock()
        config = rate_limits or RateLimitConfig()
        if windows_start_at_boot:
            if config.window_offset_ms:
                raise ValueError("give window_offset_ms or windows_start_at_boot=True, not both")
            config = attrs.evolve(config, window_offset_ms=clock.now_ms())
        spot = spot or SpotConfig()
        if windows_start_at_boot and not spot.rate_limits.window_offset_ms:
            spot_limits = attrs.evolve(spot.rate_limits, window_offset_ms=clock.now_ms())
            spot = attrs.evolve(spot, rate_limits=spot_limits)
        return cls(
            clock=clock,
            market=market,
            engine=engine,
            algos=AlgoBook(engine),
            keys=KeyStore(),
            limiter=RateLimiter(config),
            buckets=RequestBuckets(config),
            faults=FaultInjector(seed),
            audit=Audit(lambda: list(engine.orders.values())),
            spot=SpotState(spot),
        )
