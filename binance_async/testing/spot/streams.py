"""Spot's market streams at ``sim.spot_stream_url`` (``ws://host:port/spot``; the exchange's
``wss://stream.binance.com:9443``): the same paths under it, ``/ws/<stream>``, ``/ws``,
``/stream?streams=a/b`` and ``/stream``, with the same control messages, faults and
inspection as :class:`~binance_async.testing.streams.StreamServer`, Spot's events
(:mod:`.streamfeed`) and Spot's rules (web-socket-streams.md): 5 incoming messages a second
per connection, 1024 streams, a ping every 20 s answered within a minute, 24 h lifetime.
Spot's user data goes over the WebSocket API, not here.
"""

from __future__ import annotations

from collections.abc import Collection

from ..state import ExchangeState
from ..streams import StreamServer, StreamServerConfig, _Conn
from ..tape import PublicTrade
from .streamfeed import SpotMarketFeed

__all__ = ["SPOT_STREAMS", "SPOT_STREAM_PREFIX", "SpotStreamServer"]

#: Where the Spot streams are served on the simulator's host.
SPOT_STREAM_PREFIX = "/spot"

#: Spot's documented stream rules.
SPOT_STREAMS = StreamServerConfig(
    max_messages_per_s=5, ping_interval_s=20.0, pong_timeout_s=60.0, max_streams=1024
)


class SpotStreamServer(StreamServer):
    """Serves Spot's market streams under :data:`SPOT_STREAM_PREFIX`."""

    prefixes = (SPOT_STREAM_PREFIX,)

    def __init__(self, state: ExchangeState, config: StreamServerConfig | None = None) -> None:
        super().__init__(state, config or SPOT_STREAMS)

    def _attach(self) -> None:
        """Feed from the Spot exchange (again after ``Simulator.reset`` replaced it)."""
        exchange = self.state.spot.exchange
        if exchange is self._engine:
            return
        self._engine = exchange
        self.market = SpotMarketFeed(
            self.state, self.publish, self._wanted, interval_scale=self.config.interval_scale
        )

    def _add(self, conn: _Conn, names: Collection[str]) -> None:
        """Subscribe; trade streams start from this moment's tape."""
        super()._add(conn, names)
        feed = self.market
        if isinstance(feed, SpotMarketFeed):
            feed.subscribed(names)

    def trades(self, symbol: str) -> list[PublicTrade]:
        """Every Spot trade of ``symbol`` the trade streams published (the REST tape)."""
        return list(self.state.spot.exchange.tape.trades(symbol))
