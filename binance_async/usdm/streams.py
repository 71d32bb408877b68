"""Streams owned by the client: market streams, local order books, the user data stream.

Each is an async context manager; the client closes whichever are still open when it closes.
REST calls they make (aggregate trade backfills, depth snapshots, listenKeys, the account
mirror's reads) go through the client's limiter like any other call.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..client import ClientBase
from ..errors import NoSuchOrder
from ..models.orders import AlgoOrder, Order
from ..venues.usdm import ALGO_ORDERS, ORDERS
from ..venues.usdm import account as account_ep
from ..venues.usdm import algo as algo_ep
from ..venues.usdm import market as ep
from ..venues.usdm import trading as trading_ep

if TYPE_CHECKING:  # the stream modules load on the first stream (import time)
    from ..models.account import Balance, Position
    from ..models.market import AggTrade, Depth
    from ..streams.book import OrderBook
    from ..streams.market import MarketStream
    from ..streams.user import UserDataStream

__all__ = ["Streams"]

_BACKFILL_LIMIT = 1000


class Streams(ClientBase):
    """``stream``, ``order_book`` and ``user_stream``."""

    def stream(self, *names: str) -> MarketStream:
        """Market streams by name (``"btcusdt@aggTrade"``, ``"btcusdt@depth@100ms"``,
        ``"!markPrice@arr"`` ...): ``async with client.stream(...) as stream: async for event
        in stream``. Book streams go to ``/public``, the others to ``/market``, over as many
        connections as they need; aggregate trades are backfilled over REST after a gap.

        Raises :class:`~binance_async.errors.InvalidRequest` for a malformed name or a client
        without stream URLs (a custom ``base_url`` needs ``stream_url``).
        """
        from ..streams.market import MarketStream

        return MarketStream(self._stream_hub, names, fetch_agg_trades=self._agg_trades_from)

    def order_book(self, symbol: str, *, limit: int = 1000, speed: str = "100ms") -> OrderBook:
        """A local order book of ``symbol``, kept exact from a REST snapshot (``limit``
        levels) and the diff stream (``speed``: "100ms", "250ms" or "500ms").

        Raises :class:`~binance_async.errors.InvalidRequest` for a client without stream
        URLs, ``ValueError`` for a bad speed.
        """
        from ..streams.book import OrderBook

        return OrderBook(
            self._stream_hub, symbol, fetch=self._depth_snapshot, limit=limit, speed=speed
        )

    def user_stream(self, *, keepalive_s: float | None = None) -> UserDataStream:
        """The user data stream with its account mirror (``user.orders``, ``user.positions``,
        ``user.balances``): ``async with client.user_stream() as user: async for event in
        user``. While it is open, an order of unknown outcome is settled by its stream event
        when that comes before the query's answer. ``keepalive_s``: how often the listenKey is
        kept alive (30 minutes; it lives 60).

        Raises :class:`~binance_async.errors.InvalidRequest` for a client without stream
        URLs; opening it needs an API key (and a secret for the mirror's reads).
        """
        from ..streams.user import UserDataStream

        return UserDataStream(
            self._stream_hub,
            _UserRest(self),
            order_family=ORDERS.name,
            algo_family=ALGO_ORDERS.name,
            reconciler=self._reconciler,
            monotonic_ns=self._time_source.monotonic_ns,
            keepalive_s=keepalive_s,
        )

    async def _agg_trades_from(self, symbol: str, from_id: int) -> Sequence[AggTrade]:
        trades: list[AggTrade] = await self._read(
            ep.AGG_TRADES, symbol=symbol, from_id=from_id, limit=_BACKFILL_LIMIT
        )
        return trades

    async def _depth_snapshot(self, symbol: str, limit: int) -> Depth:
        depth: Depth = await self._read(ep.DEPTH, symbol=symbol, limit=limit)
        return depth


class _UserRest:
    """The user stream's REST calls, through the client's call path."""

    def __init__(self, client: ClientBase) -> None:
        self._client = client

    async def new_listen_key(self) -> str:
        key: str = await self._client._call(account_ep.LISTEN_KEY_NEW)
        return key

    async def keepalive_listen_key(self) -> None:
        await self._client._call(account_ep.LISTEN_KEY_KEEPALIVE)

    async def open_orders(self) -> Sequence[Order]:
        orders: list[Order] = await self._client._read(trading_ep.OPEN_ORDERS)
        return orders

    async def open_algo_orders(self) -> Sequence[AlgoOrder]:
        algos: list[AlgoOrder] = await self._client._read(algo_ep.OPEN_ALGO_ORDERS)
        return algos

    async def positions(self) -> Sequence[Position]:
        positions: list[Position] = await self._client._read(account_ep.POSITION_RISK)
        return positions

    async def balances(self) -> Sequence[Balance]:
        balances: list[Balance] = await self._client._call(account_ep.BALANCE)
        return balances

    async def order(self, symbol: str, order_id: int) -> Order | None:
        try:
            order: Order = await self._client._read(
                trading_ep.GET_ORDER, symbol=symbol, order_id=order_id
            )
        except NoSuchOrder:
            return None
        return order

    async def algo_order(self, algo_id: int) -> AlgoOrder | None:
        try:
            algo: AlgoOrder = await self._client._read(algo_ep.GET_ALGO_ORDER, algo_id=algo_id)
        except NoSuchOrder:
            return None
        return algo
