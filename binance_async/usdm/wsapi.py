"""Order entry over the WebSocket API, with every guarantee of the REST path.

``async with client.ws_api() as ws`` opens one connection per egress address (and logs it on
with an Ed25519 key); ``ws`` has the client's methods, with the same keyword arguments,
validation, models and errors. The orders, modifies, cancels and order queries, algo orders
and the account reads go over the socket; everything else goes over REST. Both share the
client's clock, limiter, in-flight cap and symbol rules: one budget, one clock. An unknown
outcome on the socket (no answer in time, a connection lost with the request in flight, a
503) is settled by querying the client id, over the socket or over REST while it is down,
before anything is resent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from ..amend import Amendments
from ..batches import Batches
from ..client import ClientBase, ClientState
from ..models.exchange import ExchangeInfo, SymbolInfo
from ..wsapi import WsApiStats, WsApiTransport
from .account import Account
from .algo import AlgoOrders
from .trading import Trading

__all__ = ["WsApi"]


class WsApi(Trading, AlgoOrders, Account):
    """A WebSocket API session of a client; use as ``async with client.ws_api() as ws``.

    Methods and errors are the client's (:meth:`new_order`, :meth:`modify_order`,
    :meth:`cancel_order`, :meth:`get_order`, :meth:`new_algo_order`,
    :meth:`cancel_algo_order`, :meth:`account`, :meth:`balance`, :meth:`position_risk` go
    over the socket). A call while the socket reconnects waits for it within the call's
    deadline, else fails with a ``TransportError`` whose ``sent`` is False.
    """

    def __init__(self, client: ClientBase, transport: WsApiTransport) -> None:
        # Not ClientBase.__init__: the session borrows the client's core and keys.
        self._client = client
        self.config = client.config
        self._transport = transport
        self._gateway = client._gateway.via(transport)
        self._reconciler = client._reconciler.via(self._gateway)
        self._amend = Amendments(self._reconciler)
        self._batches = Batches(self._reconciler, self._amend)
        self._key_kind = client._key_kind
        self._time_source = client._time_source
        self._state = ClientState.NEW
        self._active = 0
        self._idle: asyncio.Event | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect (one connection per address) and log on where the key allows.

        Raises ``RuntimeError`` unless the client is open (or once this session closed), and
        :class:`~binance_async.errors.TransportError` when no connection comes up within the
        request timeout.
        """
        if self._state is ClientState.OPEN:
            return
        if self._state is not ClientState.NEW:
            raise RuntimeError("this WebSocket API session was closed; open a new one")
        if self._client.state is not ClientState.OPEN:
            raise RuntimeError(
                "open the client first: 'async with client: async with client.ws_api()'"
            )
        self._state = ClientState.OPEN
        self._client._ws_sessions.add(self)
        try:
            await self._transport.open()
        except BaseException:
            self._state = ClientState.CLOSED
            self._client._ws_sessions.discard(self)
            raise

    async def aclose(self) -> None:
        """Let calls in flight end (within ``close_timeout_s``), then close the connections;
        idempotent. Calls started from now on raise ``RuntimeError``."""
        if self._state in (ClientState.CLOSING, ClientState.CLOSED):
            return
        opened = self._state is ClientState.OPEN
        self._state = ClientState.CLOSING
        if opened:
            await self._wait_idle(self.config.close_timeout_s)
        await self._transport.close()
        self._client._ws_sessions.discard(self)
        self._state = ClientState.CLOSED

    # -- what the session shares with its client ------------------------------------------

    @property
    def connections(self) -> WsApiStats:
        """Counters of the connections: connects, losses, rotations, logons."""
        return self._transport.stats

    @property
    def connected(self) -> bool:
        """True while some connection takes requests (False while reconnecting)."""
        return self._transport.up

    @property
    def logged_on(self) -> bool:
        """Whether connections log on (``session.logon``, Ed25519 keys) instead of signing
        each request."""
        return self._transport.session_logon

    def _begin(self) -> int:
        if self._state is not ClientState.OPEN:
            raise RuntimeError(
                f"WebSocket API session is {self._state.value}: use 'async with client.ws_api()'"
            )
        deadline_ns = self._client._begin()
        self._active += 1
        return deadline_ns

    def _end(self) -> None:
        self._active -= 1
        if not self._active and self._idle is not None:
            self._idle.set()
        self._client._end()

    async def exchange_info(self) -> ExchangeInfo:
        """The client's :meth:`~ClientBase.exchange_info` (over REST)."""
        return await self._client.exchange_info()

    async def symbol_info(self, symbol: str) -> SymbolInfo:
        """The client's cached symbol rules (:meth:`~ClientBase.symbol_info`)."""
        return await self._client.symbol_info(symbol)

    def _fresh_symbol(self, symbol: str) -> SymbolInfo | None:
        return self._client._fresh_symbol(symbol)

    def _rules_refused(self) -> None:
        self._client._rules_refused()

    @property
    def interrupted_orders(self) -> Mapping[str, Any]:
        """The client's interrupted placements (shared with this session)."""
        return self._client.interrupted_orders

    def __repr__(self) -> str:
        return f"<WsApi {self._transport!r} {self._state.value}>"
