"""Spot's user data stream over the WebSocket API: subscriptions on a connection.

- ``userDataStream.subscribe``: the logged-on account (``session.logon``; without a session:
  401 -2015). Ends with ``session.logout`` (or a new logon).
- ``userDataStream.subscribe.signature``: any key type, signed like any SIGNED request; the
  connection need not be logged on; it ends only by unsubscribing or closing.
- ``userDataStream.unsubscribe``: ``subscriptionId``, or every subscription without it (an
  unknown id: -1130). ``session.subscriptions``: ``[{"subscriptionId": n}, ...]``.

Ids count up from 0 on each connection. One subscription per account per connection (a
second: 400 -1020). Events arrive as ``{"subscriptionId": n, "event": {...}}`` (the events of
:mod:`.userevents`), in the order the exchange made them; a subscription that ends sends
``eventStreamTerminated`` last. ``session.status`` says ``userDataStream``: whether one is
active. Each of these methods weighs 2.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Mapping
from typing import Any

import attrs
import orjson

from .. import readers
from ..call import Call, signed_params
from ..errors import ApiError, invalid_param
from ..routes import Route
from ..state import ExchangeState
from ..wsapi import Connection
from .userevents import SpotUserFeed

__all__ = [
    "SUBSCRIBE",
    "SUBSCRIBE_SIGNATURE",
    "SUBSCRIPTIONS",
    "SUBSCRIPTION_METHODS",
    "UNSUBSCRIBE",
    "SpotSubscriptions",
]

SUBSCRIBE = "userDataStream.subscribe"
SUBSCRIBE_SIGNATURE = "userDataStream.subscribe.signature"
UNSUBSCRIBE = "userDataStream.unsubscribe"
SUBSCRIPTIONS = "session.subscriptions"


def _no_params(call: Call) -> None:
    readers.check_unknown(call.params, ())


def _signed(call: Call) -> None:
    readers.check_unknown(call.params, signed_params())


def _unsubscribe(call: Call) -> None:
    readers.check_unknown(call.params, ("subscriptionId",))
    readers.integer(call.params, "subscriptionId")


#: The subscription methods: rows answered by the connection (method "WS").
SUBSCRIPTION_METHODS: dict[str, Route] = {
    SUBSCRIBE: Route(method="WS", path=SUBSCRIBE, handler=_no_params, weight=2),
    SUBSCRIBE_SIGNATURE: Route(
        method="WS", path=SUBSCRIBE_SIGNATURE, handler=_signed, weight=2, security="SIGNED"
    ),
    UNSUBSCRIBE: Route(method="WS", path=UNSUBSCRIBE, handler=_unsubscribe, weight=2),
    SUBSCRIPTIONS: Route(method="WS", path=SUBSCRIPTIONS, handler=_no_params, weight=2),
}


@attrs.define(eq=False)
class _Subscription:
    subscription_id: int
    account: str
    #: Made with userDataStream.subscribe: ends with the session.
    session: bool


@attrs.define(eq=False)
class _Listener:
    """One connection's subscriptions and the events waiting to go out on it."""

    conn: Connection
    subs: dict[int, _Subscription] = attrs.Factory(dict)
    next_id: int = 0
    outbox: deque[str] = attrs.Factory(deque)
    wake: asyncio.Event = attrs.Factory(asyncio.Event)
    writer: asyncio.Task[None] | None = None


class SpotSubscriptions:
    """The user data subscriptions of one WebSocket API (its :class:`Extension`)."""

    def __init__(self, state: ExchangeState) -> None:
        self.state = state
        self._listeners: dict[Connection, _Listener] = {}
        self._ended: set[asyncio.Task[None]] = set()
        self.feed = SpotUserFeed(state, self.publish, self.accounts)

    def accounts(self) -> set[str]:
        """Accounts someone is subscribed to."""
        return {s.account for lst in self._listeners.values() for s in lst.subs.values()}

    # -- the methods -------------------------------------------------------------------------

    def call(
        self,
        conn: Connection,
        method: str,
        params: Mapping[str, str],
        account: str | None,
        now_ms: int,
    ) -> object:
        """Answer one subscription method."""
        if method == SUBSCRIBE:
            if conn.session is None:
                raise ApiError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
            return self._subscribe(conn, conn.session.account, session=True)
        if method == SUBSCRIBE_SIGNATURE:
            assert account is not None  # a SIGNED request the pipeline admitted
            return self._subscribe(conn, account, session=False)
        listener = self._listeners.get(conn)
        subs = listener.subs if listener is not None else {}
        if method == SUBSCRIPTIONS:
            return [{"subscriptionId": n} for n in sorted(subs)]
        wanted = readers.integer(params, "subscriptionId")
        if wanted is not None and wanted not in subs:
            raise invalid_param("subscriptionId")
        for n in [wanted] if wanted is not None else sorted(subs):
            self._end(conn, n, now_ms)
        return {}

    def _subscribe(self, conn: Connection, account: str, *, session: bool) -> dict[str, int]:
        listener = self._listeners.get(conn)
        if listener is None:
            listener = self._listeners[conn] = _Listener(conn)
        if any(s.account == account for s in listener.subs.values()):
            raise ApiError(-1020, "This account already has a subscription on this connection.")
        if account not in self.accounts():
            self.feed.listen(account)
        n = listener.next_id
        listener.next_id += 1
        listener.subs[n] = _Subscription(subscription_id=n, account=account, session=session)
        return {"subscriptionId": n}

    def _end(self, conn: Connection, subscription_id: int, now_ms: int) -> None:
        listener = self._listeners[conn]
        listener.subs.pop(subscription_id)
        terminated = {"e": "eventStreamTerminated", "E": now_ms}
        self._enqueue(listener, subscription_id, terminated)

    # -- the connection's life ------------------------------------------------------------------

    def status(self, conn: Connection) -> dict[str, object]:
        """``userDataStream``: whether a subscription is active on the connection."""
        listener = self._listeners.get(conn)
        return {"userDataStream": bool(listener is not None and listener.subs)}

    def logged_out(self, conn: Connection, now_ms: int) -> None:
        """The session's own subscription ends."""
        listener = self._listeners.get(conn)
        if listener is None:
            return
        for n in [n for n, s in listener.subs.items() if s.session]:
            self._end(conn, n, now_ms)

    def closed(self, conn: Connection) -> None:
        """Every subscription of the connection ends, silently."""
        listener = self._listeners.pop(conn, None)
        if listener is not None and listener.writer is not None:
            listener.writer.cancel()
            self._ended.add(listener.writer)
            listener.writer.add_done_callback(self._ended.discard)

    async def aclose(self) -> None:
        """Stop every writer."""
        for conn in list(self._listeners):
            self.closed(conn)
        tasks = list(self._ended)
        await asyncio.gather(*tasks, return_exceptions=True)

    # -- events ----------------------------------------------------------------------------

    def publish(self, account: str, event: dict[str, Any]) -> None:
        """One event of ``account`` to every subscription to it."""
        for listener in self._listeners.values():
            for sub in listener.subs.values():
                if sub.account == account:
                    self._enqueue(listener, sub.subscription_id, event)

    def _enqueue(self, listener: _Listener, subscription_id: int, event: dict[str, Any]) -> None:
        if not listener.conn.open:
            return
        frame = {"subscriptionId": subscription_id, "event": event}
        listener.outbox.append(orjson.dumps(frame).decode())
        listener.wake.set()
        if listener.writer is None:
            listener.writer = asyncio.get_running_loop().create_task(
                self._write(listener), name="spot-user-stream-writer"
            )

    async def _write(self, listener: _Listener) -> None:
        conn = listener.conn
        while True:
            await listener.wake.wait()
            listener.wake.clear()
            while listener.outbox:
                text = listener.outbox.popleft()
                if not conn.open:
                    listener.outbox.clear()
                    break
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await conn.ws.send_str(text)
