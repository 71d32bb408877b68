"""WebSocket market and user data streams, at ``sim.stream_url`` (reference/fapi-rules.md
sections 1, 6 and 7).

Paths: ``/ws/<stream>`` (raw events), ``/ws`` (raw, subscribe by message), ``/stream?streams=
a/b`` and ``/stream`` (combined: ``{"stream", "data"}``), under ``/public`` (book streams only:
``@depth*``, ``@bookTicker``, ``!bookTicker``), ``/market`` (every other market stream) and
without a prefix (the legacy paths, every stream); user data at ``/private/ws?listenKey=<key>
[&events=A/B]`` and the legacy ``/ws/<listenKey>``. A stream on the wrong route, more than
``max_streams`` streams, or an unknown listenKey: the handshake is refused with HTTP 400.

Live control messages: ``SUBSCRIBE``, ``UNSUBSCRIBE``, ``LIST_SUBSCRIPTIONS``,
``SET_PROPERTY``/``GET_PROPERTY`` (``combined``), answered ``{"result": ..., "id": n}`` or
``{"code": 0..3, "msg", "id"}``. More than ``max_messages_per_s`` incoming frames in a second
(text, ping and pong frames alike) closes the connection (1008).

The server pings every ``ping_interval_s`` and drops a connection whose pong (echoing the
ping's payload) has not come within ``pong_timeout_s``; it answers the client's pings; it
closes a connection ``max_lifetime_s`` after it opened (the documented 24 h). A connection
whose unsent events pass ``send_buffer_limit`` (a consumer that does not read) is dropped, as
the exchange drops consumers too slow for it. Those are wall-time rules on the host.

Faults: :meth:`StreamServer.drop` (the TCP connection cut, no close frame),
:meth:`~StreamServer.stall` (the connection stays open and goes silent: no event, no pong),
:meth:`~StreamServer.shutdown` (``{"e": "serverShutdown", "E": ...}`` then a close
``shutdown_grace_s`` later), :meth:`~StreamServer.expire_listen_key` (the account's key expires
now: ``listenKeyExpired`` is sent and nothing more on it), :meth:`~StreamServer.lose_next` (a
stream's next events are lost on the way: a depth stream's ``pu`` then breaks). A listenKey
also expires 60 minutes after its last keep-alive on the exchange's clock.

Scripting the market for the streams: :meth:`StreamServer.follow_path` walks a symbol's mark
along a price path; :meth:`~StreamServer.set_liquidity` adds resting liquidity to a book.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from decimal import Decimal
from typing import Any, Protocol

import attrs
import orjson
from aiohttp import WSCloseCode, WSMsgType, web

from .state import ExchangeState
from .streamcontrol import answer, refusal, valid_name
from .tape import PublicTrade
from .userfeed import UserFeed
from .wsfeed import MarketFeed

__all__ = ["ROUTES", "Feed", "StreamServer", "StreamServerConfig"]

_log = logging.getLogger(__name__)

#: Path prefixes the streams are served under ("": the legacy paths).
ROUTES = ("/public", "/market", "/private", "")


@attrs.frozen(kw_only=True)
class StreamServerConfig:
    """The streams' rules and pace (documented: 24 h, a ping every 3 min, pong within
    10 min, 1024 streams and 10 incoming messages per second per connection)."""

    max_lifetime_s: float = attrs.field(default=86_400.0, validator=attrs.validators.gt(0))
    ping_interval_s: float = attrs.field(default=180.0, validator=attrs.validators.gt(0))
    pong_timeout_s: float = attrs.field(default=600.0, validator=attrs.validators.gt(0))
    max_streams: int = attrs.field(default=1024, validator=attrs.validators.gt(0))
    max_messages_per_s: int = attrs.field(default=10, validator=attrs.validators.gt(0))
    #: Unsent events a connection may hold before the exchange drops it.
    send_buffer_limit: int = attrs.field(default=50_000, validator=attrs.validators.gt(0))
    #: Multiplies every market stream interval (250 ms depth, 1 s mark price ...).
    interval_scale: float = attrs.field(default=1.0, validator=attrs.validators.gt(0))
    #: How often the feed runs (book flushes, periodic streams, listenKey expiry).
    tick_s: float = attrs.field(default=0.05, validator=attrs.validators.gt(0))
    #: After ``serverShutdown``, the connection closes this much later.
    shutdown_grace_s: float = attrs.field(default=1.0, validator=attrs.validators.ge(0))


class Feed(Protocol):
    """A venue's market feed: the server ticks it; it publishes what is due."""

    interval_scale: float

    def tick(self, now_s: float) -> None:
        """Publish whatever is due for the subscribed streams."""


@attrs.define(eq=False)
class _Conn:
    ws: web.WebSocketResponse
    request: web.Request
    route: str
    combined: bool
    opened_s: float
    streams: set[str] = attrs.Factory(set)
    account: str | None = None
    listen_key: str | None = None
    events: frozenset[str] | None = None
    outbox: deque[str] = attrs.Factory(deque)
    wake: asyncio.Event = attrs.Factory(asyncio.Event)
    incoming: deque[float] = attrs.Factory(deque)
    ping_payload: bytes | None = None
    ping_sent_s: float | None = None
    last_ping_s: float = 0.0
    close_at_s: float | None = None
    stalled: bool = False
    expired: bool = False
    ending: bool = False


class StreamServer:
    """Serves the stream paths on the simulator's app; feeds them from its state."""

    #: The path prefixes served (a venue's server may serve others).
    prefixes: tuple[str, ...] = ROUTES
    #: The market feed (another venue's server brings its own).
    market: Feed

    def __init__(self, state: ExchangeState, config: StreamServerConfig | None = None) -> None:
        self.state = state
        self.config = config or StreamServerConfig()
        self._conns: set[_Conn] = set()
        self._subs: dict[str, set[_Conn]] = {}
        self._private: dict[str, set[_Conn]] = {}
        self._task: asyncio.Task[None] | None = None
        self._engine: object = None
        self._attach()
        #: Connections dropped for a consumer too slow for the server's send buffer.
        self.slow_drops = 0
        #: Events still to lose, per stream (lose_next).
        self._losing: dict[str, int] = {}

    def _attach(self) -> None:
        """Feed from the exchange's engine (again after ``Simulator.reset`` replaced it)."""
        state = self.state
        if state.engine is self._engine:
            return
        self._engine = state.engine
        self.market = MarketFeed(
            state, self.publish, self._wanted, interval_scale=self.config.interval_scale
        )
        self.user = UserFeed(state, self.publish_user)

    # -- lifecycle -------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        """The GET routes to add to the app (before its catch-all)."""
        paths = [
            f"{prefix}{tail}" for prefix in self.prefixes for tail in ("/ws", "/ws/{x}", "/stream")
        ]
        return [web.get(path, self.handle) for path in paths]

    def start(self) -> None:
        """Start the feed's clock (in the running loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="simulator-streams"
            )

    async def aclose(self) -> None:
        """Stop the feed and drop every connection."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for conn in list(self._conns):
            self._abort(conn)

    # -- the handshake -----------------------------------------------------------------------

    def _refuse(self, code: int, msg: str) -> web.Response:
        return web.json_response({"code": code, "msg": msg}, status=400)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """One stream connection, from handshake to close."""
        self._attach()
        path = request.path
        route = next(p for p in self.prefixes if p == "" or path.startswith(p + "/"))
        tail = path[len(route) :]
        combined = tail == "/stream"
        names: list[str] = []
        key = request.query.get("listenKey")
        if tail.startswith("/ws/"):
            part = tail[len("/ws/") :]
            if valid_name(part):
                names = [part]
            elif route in ("", "/private"):
                key = part
            else:
                return self._refuse(2, f"Invalid stream name: {part!r}")
        elif "streams" in request.query:
            names = [n for n in request.query["streams"].split("/") if n]
        account = None
        if route == "/private" or key is not None:
            if names or key is None:
                return self._refuse(2, "Invalid request: user data needs a listenKey only")
            account = self._account_of(key)
            if account is None:
                return self._refuse(-1125, "This listenKey does not exist.")
        refusal = self._check(route, names, existing=0)
        if refusal is not None:
            return self._refuse(2, refusal)
        ws = web.WebSocketResponse(autoping=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        loop = asyncio.get_running_loop()
        conn = _Conn(ws=ws, request=request, route=route, combined=combined, opened_s=loop.time())
        conn.last_ping_s = conn.opened_s
        if account is not None:
            conn.account, conn.listen_key = account, key
            events = request.query.get("events")
            conn.events = frozenset(events.split("/")) if events else None
            self._private.setdefault(account, set()).add(conn)
        self._conns.add(conn)
        self._add(conn, names)
        writer = loop.create_task(self._write(conn), name="simulator-stream-writer")
        try:
            await self._read(conn)
        finally:
            self._forget(conn)
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        return ws

    def _account_of(self, key: str) -> str | None:
        now = self.state.clock.now_ms()
        for account, (current, expiry) in self.state.listen_keys.items():
            if current == key and expiry > now:
                return account
        return None

    def _check(self, route: str, names: Collection[str], existing: int) -> str | None:
        """Why ``names`` cannot be subscribed on ``route`` (None: they can)."""
        return refusal(route, names, existing, self.config.max_streams)

    def _add(self, conn: _Conn, names: Collection[str]) -> None:
        for name in names:
            conn.streams.add(name)
            self._subs.setdefault(name, set()).add(conn)

    def _remove(self, conn: _Conn, names: Collection[str]) -> None:
        for name in names:
            conn.streams.discard(name)
            subs = self._subs.get(name)
            if subs is not None:
                subs.discard(conn)
                if not subs:
                    del self._subs[name]

    def _forget(self, conn: _Conn) -> None:
        conn.ending = True
        conn.wake.set()
        self._remove(conn, list(conn.streams))
        self._conns.discard(conn)
        if conn.account is not None:
            self._private.get(conn.account, set()).discard(conn)

    def _wanted(self) -> Collection[str]:
        return self._subs.keys()

    # -- reading: control messages, pings, pongs -------------------------------------------

    async def _read(self, conn: _Conn) -> None:
        ws = conn.ws
        loop = asyncio.get_running_loop()
        async for msg in ws:
            if conn.stalled or conn.ending:
                continue
            now = loop.time()
            conn.incoming.append(now)
            while conn.incoming and conn.incoming[0] <= now - 1.0:
                conn.incoming.popleft()
            if len(conn.incoming) > self.config.max_messages_per_s:
                _log.info("stream connection over %d messages/s: closing", len(conn.incoming))
                await ws.close(code=WSCloseCode.POLICY_VIOLATION, message=b"Too many requests")
                return
            if msg.type == WSMsgType.PING:
                await ws.pong(msg.data)
            elif msg.type == WSMsgType.PONG:
                if conn.ping_payload is not None and msg.data == conn.ping_payload:
                    conn.ping_sent_s = None
            elif msg.type == WSMsgType.TEXT:
                reply = self._control(conn, msg.data)
                if reply is not None:
                    conn.outbox.append(orjson.dumps(reply).decode())
                    conn.wake.set()

    def _control(self, conn: _Conn, text: str) -> dict[str, Any] | None:
        def subscribe(names: list[str]) -> str | None:
            refusal = self._check(conn.route, names, existing=len(conn.streams))
            if refusal is None:
                self._add(conn, names)
            return refusal

        return answer(conn, text, subscribe, lambda names: self._remove(conn, names))

    # -- writing -----------------------------------------------------------------------------

    def publish(self, name: str, data: Any) -> None:
        """One event (or array of events) of stream ``name`` to its subscribers."""
        conns = self._subs.get(name)
        if not conns:
            return
        losing = self._losing.get(name)
        if losing:
            self._losing[name] = losing - 1  # lost on the way, on every connection
            return
        raw = orjson.dumps(data).decode()
        wrapped: str | None = None
        for conn in conns:
            if conn.combined:
                if wrapped is None:
                    wrapped = f'{{"stream":"{name}","data":{raw}}}'
                self._enqueue(conn, wrapped)
            else:
                self._enqueue(conn, raw)

    def publish_user(self, account: str, event: dict[str, Any]) -> None:
        """One user data event to the account's live user streams."""
        conns = self._private.get(account)
        if not conns:
            return
        current = self.state.listen_keys.get(account)
        if current is None or current[1] <= self.state.clock.now_ms():
            return  # expired: listenKeyExpired follows at the next tick
        raw = orjson.dumps(event).decode()
        for conn in conns:
            if conn.expired or conn.listen_key != current[0]:
                continue
            if conn.events is not None and event.get("e") not in conn.events:
                continue
            self._enqueue(conn, raw)

    def _enqueue(self, conn: _Conn, text: str) -> None:
        if conn.ending or conn.stalled:
            return
        conn.outbox.append(text)
        if len(conn.outbox) > self.config.send_buffer_limit:
            self.slow_drops += 1
            _log.info("stream consumer too slow (%d unsent): dropping it", len(conn.outbox))
            self._abort(conn)
            return
        conn.wake.set()

    async def _write(self, conn: _Conn) -> None:
        ws = conn.ws
        while not conn.ending:
            await conn.wake.wait()
            conn.wake.clear()
            while conn.outbox and not conn.ending:
                if conn.stalled:
                    conn.outbox.clear()
                    break
                try:
                    await ws.send_str(conn.outbox.popleft())
                except (ConnectionError, RuntimeError):
                    conn.ending = True
                    return

    # -- the clock: keep-alive, lifetime, listen keys, the feed ------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.config.tick_s)
            now = loop.time()
            try:
                self._attach()
                self._keepalive(now)
                self._listen_keys()
                self.market.interval_scale = self.config.interval_scale
                self.market.tick(now)
            except Exception:  # a bug in the feed must not stop the exchange's clock
                _log.exception("stream feed tick failed")

    def _keepalive(self, now: float) -> None:
        config = self.config
        for conn in list(self._conns):
            if conn.ending:
                continue
            closing = conn.close_at_s is not None and now >= conn.close_at_s
            if closing or now - conn.opened_s >= config.max_lifetime_s:
                self._close(conn, WSCloseCode.GOING_AWAY)
            elif conn.ping_sent_s is not None and now - conn.ping_sent_s >= config.pong_timeout_s:
                _log.info("stream connection left a ping unanswered: dropping it")
                self._abort(conn)
            elif conn.ping_sent_s is None and now - conn.last_ping_s >= config.ping_interval_s:
                if conn.stalled:
                    continue
                conn.ping_payload = str(self.state.clock.now_ms()).encode()
                conn.ping_sent_s = conn.last_ping_s = now
                self._spawn(conn.ws.ping(conn.ping_payload))

    def _listen_keys(self) -> None:
        now_ms = self.state.clock.now_ms()
        keys = self.state.listen_keys
        for account, conns in self._private.items():
            current = keys.get(account)
            for conn in list(conns):
                if conn.expired:
                    continue
                if current is None or current[0] != conn.listen_key or current[1] <= now_ms:
                    conn.expired = True
                    expired = {"e": "listenKeyExpired", "E": now_ms, "listenKey": conn.listen_key}
                    if not conn.stalled:
                        conn.outbox.append(orjson.dumps(expired).decode())
                        conn.wake.set()

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        task.add_done_callback(_quiet)

    def _close(self, conn: _Conn, code: int) -> None:
        conn.ending = True
        conn.wake.set()
        self._spawn(conn.ws.close(code=code))

    def _abort(self, conn: _Conn) -> None:
        conn.ending = True
        conn.wake.set()
        transport = conn.request.transport
        if transport is not None:
            transport.abort()

    # -- faults and inspection ---------------------------------------------------------------

    def _select(self, route: str | None, account: str | None) -> Iterator[_Conn]:
        for conn in list(self._conns):
            if conn.ending:
                continue
            if route is not None and conn.route != route:
                continue
            if account is not None and conn.account != account:
                continue
            yield conn

    def connections(self, route: str | None = None, account: str | None = None) -> int:
        """Open connections (on ``route``: "/public", "/market", "/private", "" legacy)."""
        return sum(1 for _ in self._select(route, account))

    def drop(self, route: str | None = None, account: str | None = None) -> int:
        """Cut connections abruptly (no close frame); how many."""
        conns = list(self._select(route, account))
        for conn in conns:
            self._abort(conn)
        return len(conns)

    def stall(self, route: str | None = None, account: str | None = None) -> int:
        """Connections go silent and stay open: no event, no pong; how many."""
        conns = list(self._select(route, account))
        for conn in conns:
            conn.stalled = True
            conn.outbox.clear()
        return len(conns)

    def shutdown(self, route: str | None = None, account: str | None = None) -> int:
        """Send ``serverShutdown`` and close ``shutdown_grace_s`` later; how many."""
        conns = list(self._select(route, account))
        loop = asyncio.get_running_loop()
        event = orjson.dumps({"e": "serverShutdown", "E": self.state.clock.now_ms()}).decode()
        for conn in conns:
            conn.outbox.append(event)
            conn.wake.set()
            conn.close_at_s = loop.time() + self.config.shutdown_grace_s
        return len(conns)

    def expire_listen_key(self, account: str = "main", *, notify: bool = True) -> bool:
        """The account's listenKey expires now: ``listenKeyExpired`` follows on its streams
        (``notify=False``: they just go silent, as if the event was lost); a keep-alive of it
        answers -1125. False when the account has no key."""
        current = self.state.listen_keys.get(account)
        if current is None:
            return False
        self.state.listen_keys[account] = (current[0], self.state.clock.now_ms())
        if not notify:
            for conn in self._private.get(account, ()):
                conn.expired = True
        self._listen_keys()
        return True

    def lose_next(self, name: str, count: int = 1) -> None:
        """The next ``count`` events of stream ``name`` are lost on the way to every
        connection subscribed to it (the events happened: REST and the other streams show
        them)."""
        if count < 1:
            raise ValueError(f"count must be >= 1, got {count!r}")
        self._losing[name] = self._losing.get(name, 0) + count

    def trades(self, symbol: str) -> list[PublicTrade]:
        """Every trade of ``symbol`` the aggTrade stream published (the REST tape)."""
        return list(self.state.engine.tape.trades(symbol))

    def set_liquidity(self, symbol: str, side: str, price: Decimal, qty: Decimal) -> None:
        """Scripted resting liquidity in ``symbol``'s book at ``price`` on ``side`` (BUY or
        SELL), on top of the synthetic levels and the orders; qty 0 removes it. REST depth
        and the depth streams show it; nothing fills against it."""
        self.state.engine.depth.set_liquidity(symbol, side, Decimal(price), Decimal(qty))

    async def follow_path(
        self, symbol: str, prices: Iterable[Decimal], *, every_s: float = 0.1
    ) -> None:
        """Move ``symbol``'s mark along ``prices``, one every ``every_s`` (a price path: mark
        price, klines and tickers follow it; resting orders that cross fill and algo orders
        trigger, as with ``sim.set_mark_price``)."""
        state = self.state
        for price in prices:
            now = state.clock.now_ms()
            state.market.set_mark(symbol, Decimal(price), now)
            state.engine.on_mark(symbol, now)
            state.algos.on_price(symbol, now)
            await asyncio.sleep(every_s)

    def subscriptions(self, route: str | None = None) -> dict[str, int]:
        """Stream name -> connections subscribed to it."""
        counts: dict[str, int] = {}
        for conn in self._select(route, None):
            for name in conn.streams:
                counts[name] = counts.get(name, 0) + 1
        return counts


def _quiet(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()
