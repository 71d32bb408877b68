"""Spot's user data stream over the WebSocket API: ``async with client.user_stream() as user``.

Spot is retiring the listenKey flow; the account's events come through a subscription on a
WebSocket API connection (``ws_api_url``, ``wss://ws-api.binance.com:443/ws-api/v3``). Each
connection is opened (its handshake, weight 2, charged to the client's limiter) and
subscribed: with an Ed25519 key ``session.logon`` then ``userDataStream.subscribe``; with an
HMAC or RSA key ``userDataStream.subscribe.signature`` (``apiKey``, ``timestamp``,
``recvWindow`` signed like any WebSocket API request). Each call weighs 2 and its
``rateLimits`` feed the limiter. Events arrive as ``{"subscriptionId": n, "event": {...}}``
(:mod:`binance_async.models.spotuserevents`).

After every (re)connect the account is read over REST (open orders, balances) and merged into
:attr:`SpotUserStream.mirror` by exchange time; events of the new connection wait until then
(an open order the read no longer lists is queried for its final state). A lost connection
or an ``eventStreamTerminated`` reconnects with jittered backoff and subscribes again; the
iteration then yields a :class:`~binance_async.models.events.StreamGap` (the mirror is exact
regardless). Before the connection's 24 h lifetime (``stream_rotate_after_s``) a second
connection is opened and subscribed while the first still delivers, both are read for
``rotation_grace_s``, then the first is closed: no gap, no re-read. An event delivered twice
(on both connections, say) is dropped.

While it is live the stream is an :class:`~binance_async.reconcile.OrderFeed` of the client's
reconciler: an order of unknown outcome is settled by its ``executionReport``, an order list
by its ``listStatus``, when that comes before the REST query's answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, Protocol

import aiohttp
import attrs
import orjson

from ..errors import APIError, BinanceError, CodeTable, RequestInfo, TransportError, api_error
from ..models.spotaccount import SpotAccount
from ..models.spotorders import OrderList, OrderListItem, SpotOrder
from ..models.spotuserevents import (
    EventStreamTerminated,
    ExecutionReport,
    ListStatus,
    parse_spot_user_event,
)
from ..reconcile import Reconciler
from ..signing import Signer
from ..streams.hub import StreamHub, retryable
from ..streams.link import reconnect_delay_s
from ..streams.user import UserStats
from ..streams.userbase import UserStreamBase
from ..wsapi import (
    WsApiBudget,
    _reply,
    charged_connect,
    reserve,
    ws_api_params,
    ws_api_payload,
)
from .usermirror import SpotAccountMirror

__all__ = ["SpotUserKeys", "SpotUserRest", "SpotUserStream"]

log = logging.getLogger("binance_async.streams")

#: Spot's WebSocket API: the handshake's weight, and each subscription method's.
HANDSHAKE_WEIGHT = 2
CALL_WEIGHT = 2
_TEXT = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)
_Ws = aiohttp.ClientWebSocketResponse[Literal[False]]


class SpotUserRest(Protocol):
    """The REST calls the stream makes (the client's, through its limiter)."""

    async def open_orders(self) -> Sequence[SpotOrder]:
        """Every open order."""
        ...

    async def account(self) -> SpotAccount:
        """The account (balances, updateTime)."""
        ...

    async def order(self, symbol: str, order_id: int) -> SpotOrder | None:
        """One order by id (None: no such order)."""
        ...


class _ServerClock(Protocol):
    def now_ms(self) -> int: ...


@attrs.frozen(kw_only=True)
class SpotUserKeys:
    """How the stream subscribes: the key, its signer, the clock that stamps, the window."""

    api_key: str = attrs.field(repr=False)
    signer: Signer = attrs.field(repr=False)
    clock: _ServerClock
    recv_window_ms: int | float
    codes: CodeTable


class _Ended(Exception):
    """The subscription ended (eventStreamTerminated)."""


_TRANSIENT = (BinanceError, aiohttp.ClientError, OSError, TimeoutError, _Ended)


class SpotUserStream(UserStreamBase[SpotAccountMirror, dict[str, Any]]):
    """The account's events and its mirror; iterate for the events."""

    _kind = "SpotUserStream"
    _task_prefix = "spot-user"
    _label = "spot user stream"

    def __init__(
        self,
        hub: StreamHub,
        rest: SpotUserRest,
        *,
        url: str,
        keys: SpotUserKeys,
        budget: WsApiBudget,
        order_family: str,
        list_family: str | None = None,
        reconciler: Reconciler | None = None,
        monotonic_ns: Callable[[], int],
        rotate_after_s: float | None = None,
    ) -> None:
        super().__init__(
            hub,
            SpotAccountMirror(),
            order_family=order_family,
            reconciler=reconciler,
            monotonic_ns=monotonic_ns,
            queue_size=None,
            retry_sleep=hub.sleep,
        )
        #: The order lists' family name, under which a listStatus settles a list.
        self._list_family = list_family
        self._rest = rest
        self._url = url
        self._keys = keys
        self._budget = budget
        self._rotate_after_s = rotate_after_s or hub.config.rotate_after_s
        self._first: asyncio.Future[None] | None = None
        self._ws: _Ws | None = None
        self._next_id = 1
        self._reconnects = 0
        self._rotations = 0
        #: Subscriptions made (one per connection).
        self.subscriptions = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, subscribe, read the mirror; return once it is in sync.

        Raises what the subscription or the account's first read raises (a refused key:
        :class:`~binance_async.errors.APIError` and its subclasses),
        :class:`~binance_async.errors.TransportError` when no connection is subscribed
        within the stream connect timeout.
        """
        await super().open()

    async def _start(self) -> None:
        first = self._first = asyncio.get_running_loop().create_future()
        self._spawn(self._supervise(), "supervisor")
        timeout_s = self._config.connect_timeout_s
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.shield(first)
        except TimeoutError:
            raise TransportError(
                f"no subscribed connection within {timeout_s} s",
                request=RequestInfo("WS", self._url),
                sent=False,
            ) from None

    async def _close_transport(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()

    async def reconnect(self) -> None:
        """Drop the connection in use: a new one opens and subscribes."""
        ws = self._ws
        if ws is not None:
            await ws.close()

    # -- state -------------------------------------------------------------------------------

    @property
    def orders(self) -> Mapping[str, SpotOrder]:
        """Orders by client order id (open ones, and the latest closed ones)."""
        return self.mirror.orders

    @property
    def balances(self) -> Mapping[str, Any]:
        """Balances (:class:`~binance_async.models.spotaccount.SpotBalance`) by asset."""
        return self.mirror.balances

    @property
    def stats(self) -> UserStats:
        """Reconnects, resyncs, stale and dropped events, gaps, settled outcomes."""
        return UserStats(
            reconnects=self._reconnects,
            rotations=self._rotations,
            resyncs=self._resyncs,
            renewals=0,
            stale=self._stale,
            dropped=self._dropped,
            gaps=self._gaps,
            settled=self.acks.settled_outcomes,
        )

    # -- the connection --------------------------------------------------------------------

    async def _supervise(self) -> None:
        """Keep a subscribed connection: connect, subscribe, read; reconnect with backoff."""
        loop = asyncio.get_running_loop()
        first = self._first
        assert first is not None
        attempt = 0
        down_ms: int | None = None
        while True:
            ws: _Ws | None = None
            try:
                ws = await self._connect()
                self._ws = ws
                self._begin_sync()
                await self._subscribe(ws)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._ws = None
                if ws is not None:
                    await ws.close()
                if isinstance(exc, APIError) and not retryable(exc) and not first.done():
                    first.set_exception(exc)  # a refused key: open() raises it
                    return
                if isinstance(exc, _TRANSIENT):
                    log.info("spot user stream: subscribing failed (%r); retrying", exc)
                else:  # a bug must not end the stream for good
                    log.exception("spot user stream: unexpected failure; reconnecting")
            else:
                self._resync_task = self._spawn(self._resync(down_ms), "resync")
                if not first.done():
                    first.set_result(None)
                opened_s = loop.time()
                while await self._serve(ws):  # its time is up: rotate
                    new = await self._rotate(ws)
                    if new is None:
                        break
                    ws, opened_s = new, loop.time()
                self._ws = None
                await ws.close()
                if loop.time() - opened_s >= self._config.idle_timeout_s:
                    attempt = 0  # it lived: the next loss starts the backoff afresh
                down_ms = self._hub.now_ms()
                self._reconnects += 1
                self.acks.set_live(False)
                log.info("spot user stream: connection lost; reconnecting")
            await self._hub.sleep(reconnect_delay_s(attempt, self._config, self._hub.rng))
            attempt += 1

    async def _connect(self) -> _Ws:
        """A WebSocket to the WebSocket API, its handshake charged to the limiter."""
        connect = functools.partial(self._hub.connect, self._url)
        return await charged_connect(self._budget, connect, weight=HANDSHAKE_WEIGHT)

    async def _subscribe(self, ws: _Ws) -> None:
        """Log on and subscribe (Ed25519), or subscribe by signature (any key)."""
        keys = self._keys
        if keys.signer.kind == "Ed25519":
            await self._ask(ws, "session.logon", self._signed())
            await self._ask(ws, "userDataStream.subscribe", {})
        else:
            await self._ask(ws, "userDataStream.subscribe.signature", self._signed())
        self.subscriptions += 1

    def _signed(self) -> dict[str, Any]:
        keys = self._keys
        params = ws_api_params(
            {
                "apiKey": keys.api_key,
                "recvWindow": keys.recv_window_ms,
                "timestamp": keys.clock.now_ms(),
            }
        )
        params["signature"] = keys.signer.sign(ws_api_payload(params))
        return params

    async def _ask(self, ws: _Ws, method: str, params: Mapping[str, Any]) -> Any:
        """Send one call and read until its answer (events before it are taken as they
        come); its weight goes through the limiter. Raises the answer's typed error."""
        budget = self._budget
        reservation = await reserve(budget, weight=CALL_WEIGHT)
        rid = self._next_id
        self._next_id = rid + 1
        info = RequestInfo("WS", method, params.get("timestamp"))
        try:
            request = orjson.dumps({"id": rid, "method": method, "params": params})
            await ws.send_str(request.decode())  # a text frame, as the API wants
            async with asyncio.timeout(self._config.connect_timeout_s):
                while True:
                    message = await ws.receive()
                    if message.type not in _TEXT:
                        raise TransportError(
                            f"the connection closed during {method}", request=info, sent=True
                        )
                    frame = _decode(message.data)
                    if isinstance(frame, dict) and frame.get("id") == rid:
                        break
                    self._frame(frame)
        except BaseException:
            budget.release(reservation)
            raise
        reply = _reply(frame)
        error = reply.data if reply.status >= 300 and isinstance(reply.data, dict) else {}
        code = error.get("code") if isinstance(error.get("code"), int) else None
        msg = str(error.get("msg", ""))
        budget.observe(reservation, status=reply.status, counts=reply.counts, code=code, msg=msg)
        if not 200 <= reply.status < 300:
            raise api_error(
                status=reply.status,
                code=code,
                message=msg,
                request=info,
                table=self._keys.codes,
                data=error.get("data"),
            )
        return reply.data

    async def _serve(self, ws: _Ws) -> bool:
        """Read until the connection ends or the subscription ends (False), or its time is
        up (True: rotate)."""
        try:
            async with asyncio.timeout(self._rotate_after_s):
                await self._read(ws)
        except TimeoutError:
            return True
        return False

    async def _read(self, ws: _Ws) -> None:
        """Take a connection's events until it or its subscription ends."""
        with contextlib.suppress(_Ended, aiohttp.ClientError, OSError):
            async for message in ws:
                if message.type in _TEXT:
                    self._frame(_decode(message.data))

    async def _rotate(self, old: _Ws) -> _Ws | None:
        """A new connection, subscribed while ``old`` still delivers, both read for the
        rotation's grace (events on both are taken once), then ``old`` closed: the new one,
        or None when it could not be subscribed (``old`` closed: reconnect as after a loss)."""
        draining = self._spawn(self._read(old), "rotation")
        try:
            new = await self._connect()
            try:
                await self._subscribe(new)
            except BaseException:
                await new.close()
                raise
        except asyncio.CancelledError:
            draining.cancel()
            raise
        except Exception as exc:
            log.info("spot user stream: rotation failed (%r); reconnecting", exc)
            draining.cancel()
            return None
        self._ws = new
        await self._hub.sleep(self._config.rotation_grace_s)
        draining.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await draining
        await old.close()
        self._rotations += 1
        log.info("spot user stream: rotated to a new connection")
        return new

    def _frame(self, frame: Any) -> None:
        """One frame that is not an awaited answer: an event, or a stray answer."""
        if not isinstance(frame, dict):
            return
        event = frame.get("event")
        if "subscriptionId" not in frame or not isinstance(event, dict):
            return
        if event.get("e") == "eventStreamTerminated":
            log.info("spot user stream: the subscription ended; subscribing again")
            raise _Ended
        self._take(event)

    # -- events ------------------------------------------------------------------------------

    def _handle(self, data: dict[str, Any]) -> None:
        if self._seen(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)):
            return
        try:
            event = parse_spot_user_event(data)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            log.warning("spot user stream: unreadable event (%r): %.200r", exc, data)
            return
        if event is None or isinstance(event, EventStreamTerminated):
            return
        if isinstance(event, ExecutionReport):
            self.acks.record(self._order_family, event.order_client_id, event.order)
        elif isinstance(event, ListStatus) and self._list_family is not None:
            # A list's state settles its unknown outcome, as an executionReport an order's.
            self.acks.record(self._list_family, event.list_client_order_id, _order_list(event))
        if not self.mirror.apply(event):
            self._stale += 1  # older than the state held: not delivered again
            return
        self._deliver(event)

    async def _read_account(self) -> None:
        rest = self._rest
        open_orders, account = await asyncio.gather(rest.open_orders(), rest.account())
        gone = self.mirror.merge(
            open_orders=open_orders,
            balances=account.balances,
            account_time_ms=account.update_time_ms or 0,
        )
        for order in gone:
            final = await rest.order(order.symbol, order.order_id)
            if final is not None:
                self.mirror.settle_order(final)


def _order_list(event: ListStatus) -> OrderList:
    """A ``listStatus`` as the order list a query of it answers (its orders named, no
    reports)."""
    return OrderList(
        order_list_id=event.order_list_id,
        list_client_order_id=event.list_client_order_id,
        symbol=event.symbol,
        contingency_type=event.contingency_type,
        list_status_type=event.list_status_type,
        list_order_status=event.list_order_status,
        transaction_time_ms=event.transaction_time_ms,
        orders=tuple(
            OrderListItem(
                symbol=o.symbol, order_id=o.order_id, client_order_id=o.client_order_id, raw=o.raw
            )
            for o in event.orders
        ),
        raw=event.raw,
    )


def _decode(data: bytes | str) -> Any:
    """A frame's JSON; None (logged) for one that is not JSON."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        log.warning("spot user stream: unreadable frame %.80r", data)
        return None
