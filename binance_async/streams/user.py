"""The user data stream and its account mirror: ``async with client.user_stream() as user``.

Opening takes a listenKey (``POST /fapi/v1/listenKey``), connects to ``<private>/ws?listenKey=``
and reads the account over REST (open orders, open algo orders, positions, balances) into
:attr:`UserDataStream.mirror`; events that arrive meanwhile wait and are applied after it.
The key is kept alive every ``keepalive_s`` (30 minutes: well inside its 60); a failed
keep-alive or a ``listenKeyExpired`` event takes a new key and reconnects. After every
reconnect the mirror is read again and merged by exchange time, so ``user.orders``,
``user.positions`` and ``user.balances`` equal the exchange's state once :attr:`synced` is
set again; the iteration then yields a :class:`~binance_async.models.events.StreamGap`
(events of the outage are not replayed; the mirror is exact regardless).

While it is live the stream is attached to the client's reconciler as an
:class:`~binance_async.reconcile.OrderFeed`: an order of unknown outcome is settled by its
``ORDER_TRADE_UPDATE`` (or ``ALGO_UPDATE``) when that comes before the REST query's answer.

The key is not deleted on close: it is the account's one key, which other streams of the
account may be using (a new ``POST`` returns the same key while it lives).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import attrs
import orjson

from ..errors import BinanceError
from ..models.account import Balance, Position
from ..models.orders import AlgoOrder, Order
from ..models.userevents import (
    AccountUpdate,
    AlgoUpdate,
    ListenKeyExpired,
    OrderUpdate,
    parse_user_event,
)
from ..reconcile import Reconciler
from .hub import StreamHub
from .link import Link
from .mirror import AccountMirror, PositionKey
from .rotation import single_stream
from .userbase import STREAM, UserStreamBase

__all__ = ["UserDataStream", "UserRest", "UserStats"]

log = logging.getLogger("binance_async.streams")

_MIRRORED = (OrderUpdate, AlgoUpdate, AccountUpdate)
_RETRY_MAX_DELAY_S = 10.0


class UserRest(Protocol):
    """The REST calls a user stream makes (the client's, through its limiter)."""

    async def new_listen_key(self) -> str:
        """POST /fapi/v1/listenKey."""
        ...

    async def keepalive_listen_key(self) -> None:
        """PUT /fapi/v1/listenKey."""
        ...

    async def open_orders(self) -> Sequence[Order]:
        """Every open order."""
        ...

    async def open_algo_orders(self) -> Sequence[AlgoOrder]:
        """Every waiting algo order."""
        ...

    async def positions(self) -> Sequence[Position]:
        """Positions (of every symbol with a position or open orders)."""
        ...

    async def balances(self) -> Sequence[Balance]:
        """The wallet's balances."""
        ...

    async def order(self, symbol: str, order_id: int) -> Order | None:
        """One order by id (None: no such order)."""
        ...

    async def algo_order(self, algo_id: int) -> AlgoOrder | None:
        """One algo order by id (None: no such order)."""
        ...


@attrs.frozen(kw_only=True, slots=True)
class UserStats:
    """What a user stream went through so far (a snapshot)."""

    reconnects: int
    rotations: int
    #: REST reads of the account merged into the mirror.
    resyncs: int
    #: listenKeys taken after the first (expired, or a failed keep-alive).
    renewals: int
    #: Events dropped as stale (seen twice, or older than the state held).
    stale: int
    #: Events dropped from the full queue (the mirror still got them).
    dropped: int
    gaps: int
    #: Unknown order outcomes settled by this stream's events.
    settled: int


class UserDataStream(UserStreamBase[AccountMirror, bytes]):
    """The account's events and its mirror; iterate for the events."""

    _kind = "UserDataStream"
    _task_prefix = "user"
    _label = "user stream"

    def __init__(
        self,
        hub: StreamHub,
        rest: UserRest,
        *,
        order_family: str,
        algo_family: str,
        reconciler: Reconciler | None = None,
        monotonic_ns: Callable[[], int],
        queue_size: int | None = None,
        keepalive_s: float | None = None,
    ) -> None:
        super().__init__(
            hub,
            AccountMirror(),
            order_family=order_family,
            reconciler=reconciler,
            monotonic_ns=monotonic_ns,
            queue_size=queue_size,
            retry_sleep=hub.sleep,
        )
        self._rest = rest
        self._keepalive_s = keepalive_s or hub.config.listen_key_keepalive_s
        self._algo_family = algo_family
        self._key: str | None = None
        self._link: Link | None = None
        self._renewals = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Take a key, connect, read the mirror; return once it is in sync.

        Raises what the listenKey request or the account's first read raises (an API key,
        and a secret for the signed reads, are needed),
        :class:`~binance_async.errors.TransportError` when no connection opens in time.
        """
        await super().open()

    async def _start(self) -> None:
        self._key = await self._rest.new_listen_key()
        self._link = Link(
            opener=self._hub.connect,
            url=self._url,
            names=[STREAM],
            sink=self,
            config=self._config,
            now_ms=self._hub.now_ms,
            rng=self._hub.rng,
            sleep=self._hub.sleep,
            prefix=b'{"e":',
            stream_of=single_stream,
            label="private",
        )
        await self._link.start()

    def _started(self) -> None:
        self._spawn(self._keep_alive(), "keepalive")

    async def _close_transport(self) -> None:
        if self._link is not None:
            await self._link.aclose()

    def _url(self, names: Sequence[str]) -> str:
        return f"{self._hub.private_url}/ws?listenKey={self._key}"

    # -- state -------------------------------------------------------------------------------

    @property
    def orders(self) -> Mapping[str, Order]:
        """Orders by client order id (open ones, and the latest closed ones)."""
        return self.mirror.orders

    @property
    def algo_orders(self) -> Mapping[str, AlgoOrder]:
        """Algo orders by client algo id."""
        return self.mirror.algo_orders

    @property
    def positions(self) -> Mapping[PositionKey, Position]:
        """Open positions by (symbol, position side)."""
        return self.mirror.positions

    @property
    def balances(self) -> Mapping[str, Balance]:
        """Balances by asset."""
        return self.mirror.balances

    @property
    def stats(self) -> UserStats:
        """Reconnects, resyncs, renewals, stale and dropped events, settled outcomes."""
        link = self._link
        return UserStats(
            reconnects=link.reconnects if link else 0,
            rotations=link.rotations if link else 0,
            resyncs=self._resyncs,
            renewals=self._renewals,
            stale=self._stale + (link.duplicates if link else 0),
            dropped=self._dropped,
            gaps=self._gaps,
            settled=self.acks.settled_outcomes,
        )

    # -- the link's sink -------------------------------------------------------------------

    def put(self, data: bytes) -> None:
        """One event from the connection."""
        self._take(data)

    def link_up(self, link: Link, down_since_ms: int | None) -> None:
        """A connection opened: hold its events and read the account again."""
        self._begin_sync()
        self._resync_task = self._spawn(self._resync(down_since_ms), "resync")

    def link_down(self, link: Link, at_ms: int) -> None:
        """The connection was lost."""
        self.acks.set_live(False)

    def _handle(self, data: bytes) -> None:
        if self._seen(data):  # the same bytes again (its E included): delivered once
            return
        try:
            event = parse_user_event(orjson.loads(data))
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            log.warning("user stream: unreadable event (%r): %r", exc, data[:200])
            return
        if event is None:
            return
        if isinstance(event, ListenKeyExpired):
            log.info("user stream: the listenKey expired; taking a new one")
            self._spawn(self._renew(), "renew")
            return
        if isinstance(event, OrderUpdate):
            self.acks.record(self._order_family, event.client_order_id, event.order)
        elif isinstance(event, AlgoUpdate):
            algo = event.algo_order
            self.acks.record(self._algo_family, algo.client_algo_id, algo)
        if not self.mirror.apply(event) and isinstance(event, _MIRRORED):
            self._stale += 1  # seen twice, or older than the state held: not delivered again
            return
        self._deliver(event)

    # -- account read, keep-alive, renewal -------------------------------------------------

    async def _read_account(self) -> None:
        rest = self._rest
        open_orders, open_algos, positions, balances = await asyncio.gather(
            rest.open_orders(), rest.open_algo_orders(), rest.positions(), rest.balances()
        )
        gone, gone_algos = self.mirror.merge(
            open_orders=open_orders,
            open_algo_orders=open_algos,
            positions=positions,
            balances=balances,
        )
        for order in gone:
            final = await rest.order(order.symbol, order.order_id)
            if final is not None:
                self.mirror.settle_order(final)
        for algo in gone_algos:
            final_algo = await rest.algo_order(algo.algo_id)
            if final_algo is not None:
                self.mirror.settle_algo(final_algo)

    async def _keep_alive(self) -> None:
        while True:
            await self._hub.sleep(self._keepalive_s)
            try:
                await self._rest.keepalive_listen_key()
            except BinanceError as exc:
                log.info("user stream: keep-alive failed (%s); taking a new key", exc)
                await self._renew()

    async def _renew(self) -> None:
        attempt = 0
        while True:
            try:
                key = await self._rest.new_listen_key()
                break
            except BinanceError as exc:
                attempt += 1
                log.info("user stream: a new listenKey failed (%s); retrying", exc)
                await self._hub.sleep(min(0.1 * 2**attempt, _RETRY_MAX_DELAY_S))
        self._renewals += 1
        self._key = key
        if self._link is not None:
            await self._link.reconnect()
