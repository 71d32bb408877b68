"""SpotState: the Spot exchange with its matching engine and order-list rules."""

from __future__ import annotations

from .config import SpotConfig
from .engine import SpotEngine
from .exchange import SpotExchange
from .lists import SpotLists

__all__ = ["SpotState"]


class SpotState:
    """What the Spot routes work on; ``ExchangeState.spot``."""

    def __init__(self, config: SpotConfig, exchange: SpotExchange | None = None) -> None:
        self.config = config
        self.exchange = exchange if exchange is not None else SpotExchange(config)
        self.engine = SpotEngine(self.exchange)
        self.lists = SpotLists(self.engine)

    def fresh(self) -> SpotState:
        """A new Spot exchange with this one's configuration and fee rates."""
        return SpotState(self.config, self.exchange.fresh())
