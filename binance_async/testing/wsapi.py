"""The WebSocket API (``GET /ws-fapi/v1``): request frames through the REST pipeline.

The handshake is a request like any other (5 IP weight, 418 while banned, 429 over the
weight, with the REST body and headers) and is audited as ``GET /ws-fapi/v1``. Then each text
frame is one request (``wsframes.py``), answered as soon as it is ready, so a slow one holds up
no other: ``{"id", "status", "result" | "error", "rateLimits"}``. Every method is a row of the
REST route table, so the IP weight, the account's order windows, bans, faults (a fault injected
on ``("POST", "/fapi/v1/order")`` hits ``order.place`` too), handlers and accepted placements
are the REST ones. Each request is audited with method ``WS``, path the method name and body
the raw frame; status None when its answer was lost with the connection.

Faults over WebSocket: the 503s, 429, 418 and -1021 are answered in WebSocket form;
``drop_before_execute`` and ``drop_after_execute`` close the connection abruptly (before or
after executing) and every request in flight on it goes unanswered; ``slow`` delays this
answer only. A request received is processed even when its connection ends before its turn
(it was on its way, as with ``delay_before_execute``); only its answer is lost.

Connections close after ``max_lifetime_s`` (code 1001, in-flight answers lost); the server
pings every ``ping_interval_s`` and drops a connection that leaves a ping without a pong for
``pong_timeout_s``. Both on the host's monotonic clock, not the exchange's.

A :class:`WsDialect` says which venue a WebSocket API serves: its path, handshake, method
table and pipeline venue, and an :class:`Extension` answering its own ``"WS"`` methods (Spot's
user data subscriptions: ``spot/wsapi.py``). :data:`USDM_WS` is the futures one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Protocol

import attrs
import orjson
from aiohttp import WSCloseCode, WSMsgType, web
from cryptography.hazmat.primitives.asymmetric import ed25519

from .audit import RequestRecord
from .auth import KeyEntry
from .errors import ApiError
from .faults import DELAY_BEFORE_EXECUTE
from .jsonerrors import UNKNOWN_5XX
from .routes import Route
from .server import USDM, Answer, Inbound, Pipeline, Venue
from .state import ExchangeState
from .wsframes import (
    HANDSHAKE,
    LOGON,
    LOGOUT,
    METHODS,
    STATUS,
    WS_API_PATH,
    Frame,
    read_frame,
    wire_params,
)

__all__ = ["USDM_WS", "Connection", "Extension", "WsApi", "WsApiConfig", "WsDialect"]

_log = logging.getLogger(__name__)
#: How long a lifetime close waits for the peer's close frame.
_CLOSE_TIMEOUT_S = 1.0
_INTERNAL = {"code": -1000, "msg": UNKNOWN_5XX}


@attrs.frozen(kw_only=True)
class WsApiConfig:
    """Connection lifetime and keep-alive (documented: 24 h; a ping every 3 min, pong within
    10 min)."""

    max_lifetime_s: float = attrs.field(default=86_400.0, validator=attrs.validators.gt(0))
    ping_interval_s: float = attrs.field(default=180.0, validator=attrs.validators.gt(0))
    pong_timeout_s: float = attrs.field(default=600.0, validator=attrs.validators.gt(0))


@attrs.define(eq=False)
class Connection:
    """One WebSocket API connection: its socket, session and what is still due on it."""

    ws: web.WebSocketResponse
    request: web.Request
    ip: str
    connected_ms: int
    opened_s: float
    return_rate_limits: bool
    session: KeyEntry | None = None
    authorized_ms: int | None = None
    #: When the oldest ping still without a pong went out (loop time).
    unanswered_ping_s: float | None = None
    #: Closing (lifetime) or dropped: no more answers go out.
    ending: bool = False
    closing: bool = False
    #: Audit records of requests processed whose answers have not gone out yet.
    unanswered: list[RequestRecord] = attrs.Factory(list)

    @property
    def open(self) -> bool:
        return not self.ending and not self.ws.closed


class Extension(Protocol):
    """A venue's own WebSocket API methods (rows of its table with method ``"WS"``)."""

    def call(
        self,
        conn: Connection,
        method: str,
        params: Mapping[str, str],
        account: str | None,
        now_ms: int,
    ) -> object:
        """The result of ``method`` (admitted by the pipeline); raises ApiError to refuse."""

    def status(self, conn: Connection) -> dict[str, object]:
        """Fields the session's status adds (session.logon / status / logout)."""

    def logged_out(self, conn: Connection, now_ms: int) -> None:
        """The session logged out (or logged on again)."""

    def closed(self, conn: Connection) -> None:
        """The connection ended."""

    async def aclose(self) -> None:
        """The WebSocket API stops."""


def _logon_refused() -> ApiError:
    return ApiError(-4056, "Invalid api key type.")


@attrs.frozen(kw_only=True)
class WsDialect:
    """What one venue's WebSocket API is: path, handshake, methods, pipeline venue."""

    path: str
    handshake: Route
    methods: Mapping[str, Route]
    venue: Venue
    #: The refusal of session.logon with a key that is not Ed25519.
    logon_refused: Callable[[], ApiError] = _logon_refused
    #: Array parameters are sent as compact JSON text to the handlers (Spot's ``symbols``).
    arrays: bool = False
    extension: Callable[[ExchangeState], Extension] | None = None


#: USDⓈ-M futures at ``/ws-fapi/v1``.
USDM_WS = WsDialect(path=WS_API_PATH, handshake=HANDSHAKE, methods=METHODS, venue=USDM)


@attrs.frozen
class _Reply:
    text: str
    record: RequestRecord
    drop: bool = False
    delay_s: float = 0.0


class WsApi:
    """Serves ``dialect.path`` on the simulator's app: connections, frames, keep-alive."""

    def __init__(
        self, state: ExchangeState, config: WsApiConfig, dialect: WsDialect = USDM_WS
    ) -> None:
        self.state = state
        self.config = config
        self.dialect = dialect
        self._pipeline = Pipeline(state, dialect.venue)
        self.extension = None if dialect.extension is None else dialect.extension(state)
        self._connections: set[Connection] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def connections(self) -> int:
        """Open connections."""
        return len(self._connections)

    def drop_all(self) -> int:
        """Close every connection abruptly (no close frame); how many there were."""
        connections = list(self._connections)
        for conn in connections:
            self._drop(conn)
        return len(connections)

    async def aclose(self) -> None:
        """Drop every connection; cancel the requests still in flight."""
        self.drop_all()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.extension is not None:
            await self.extension.aclose()

    # -- handshake --------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """The upgrade: admitted as a request (its weight), then the connection is served."""
        ws = web.WebSocketResponse(autoping=False, compress=False, timeout=_CLOSE_TIMEOUT_S)
        if not ws.can_prepare(request).ok:
            return await self._pipeline.handle(request)  # not an upgrade: a REST 404
        state = self.state
        if state.request_delay_s:
            await asyncio.sleep(state.request_delay_s)
        now = state.clock.now_ms()
        state.tick(now)
        query = request.raw_path.partition("?")[2]
        req = Inbound(
            method="GET",
            path=self.dialect.path,
            query=query,
            body=b"",
            form=False,
            ip=request.remote or "",
            api_key=None,
            now_ms=now,
            route=self.dialect.handshake,
        )
        answer = self._pipeline.answer(req)
        status = None if answer.drop else 101 if answer.status == 200 else answer.status
        state.audit.record(req.record(status, answer.code))
        if answer.drop or answer.status != 200:
            return await self._pipeline.respond(request, req, answer)
        if answer.delay_s:
            await asyncio.sleep(answer.delay_s)
        await ws.prepare(request)
        conn = Connection(
            ws=ws,
            request=request,
            ip=req.ip,
            connected_ms=now,
            opened_s=asyncio.get_running_loop().time(),
            return_rate_limits=request.query.get("returnRateLimits", "").lower() != "false",
        )
        await self._serve_connection(conn)
        return ws

    async def _serve_connection(self, conn: Connection) -> None:
        self._connections.add(conn)
        watchdog = asyncio.create_task(self._watch(conn), name="ws-api-watchdog")
        ws = conn.ws
        try:
            while True:
                msg = await ws.receive()
                if msg.type is WSMsgType.TEXT:
                    self._spawn(conn, msg.data.encode(), text=True)
                elif msg.type is WSMsgType.BINARY:
                    self._spawn(conn, msg.data, text=False)
                elif msg.type is WSMsgType.PING:
                    with contextlib.suppress(ConnectionError):
                        await ws.pong(msg.data)
                elif msg.type is WSMsgType.PONG:
                    conn.unanswered_ping_s = None
                else:
                    break
        finally:
            self._connections.discard(conn)
            self._end(conn)
            if self.extension is not None:
                self.extension.closed(conn)
            if not conn.closing:
                watchdog.cancel()
            await asyncio.gather(watchdog, return_exceptions=True)

    # -- keep-alive and lifetime -------------------------------------------------------------

    async def _watch(self, conn: Connection) -> None:
        """Ping on schedule; drop without a pong in time; close at the end of the lifetime."""
        config = self.config
        loop = asyncio.get_running_loop()
        end = conn.opened_s + config.max_lifetime_s
        next_ping = conn.opened_s + config.ping_interval_s
        while True:
            waiting = conn.unanswered_ping_s
            deadline = min(end, next_ping)
            if waiting is not None:
                deadline = min(deadline, waiting + config.pong_timeout_s)
            await asyncio.sleep(max(0.0, deadline - loop.time()))
            now = loop.time()
            waiting = conn.unanswered_ping_s
            if now >= end:
                await self._expire(conn)
                return
            if waiting is not None and now - waiting >= config.pong_timeout_s:
                self._drop(conn)
                return
            if now >= next_ping:
                if waiting is None:
                    conn.unanswered_ping_s = now
                next_ping = now + config.ping_interval_s
                with contextlib.suppress(ConnectionError):
                    await conn.ws.ping(str(self.state.clock.now_ms()).encode())

    async def _expire(self, conn: Connection) -> None:
        """The lifetime is over: a close frame (1001); answers still due are lost."""
        conn.closing = True
        self._end(conn)
        with contextlib.suppress(ConnectionError):
            await conn.ws.close(code=WSCloseCode.GOING_AWAY, message=b"Connection lifetime ended.")

    def _drop(self, conn: Connection) -> None:
        """Close abruptly (no close frame): every answer still due on it is lost."""
        self._end(conn)
        transport = conn.request.transport
        if transport is not None:
            transport.abort()

    def _end(self, conn: Connection) -> None:
        """No more answers on ``conn``: the ones still due are lost (audit status None)."""
        conn.ending = True
        for record in conn.unanswered:
            self.state.audit.lost(record)
        conn.unanswered.clear()

    # -- requests ----------------------------------------------------------------------------

    def _spawn(self, conn: Connection, raw: bytes, *, text: bool) -> None:
        task = asyncio.create_task(self._serve(conn, raw, text))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, conn: Connection, raw: bytes, text: bool) -> None:
        """One request: latency, processing, the fault's delay or drop, then the answer."""
        state = self.state
        frame = read_frame(raw, text=text)
        reply: _Reply | None = None
        try:
            if state.request_delay_s:
                await asyncio.sleep(state.request_delay_s)
            try:
                reply = await self._process(conn, frame, raw)
            except Exception:
                _log.exception("simulator: unexpected error answering %s", frame.method)
                reply = self._refused(conn, frame, raw, 500, _INTERNAL)
            state.audit.record(reply.record)
            if reply.drop:
                self._drop(conn)
                return
            conn.unanswered.append(reply.record)
            if reply.delay_s:
                await asyncio.sleep(reply.delay_s)
            if state.response_delay_s:
                await asyncio.sleep(state.response_delay_s)
        except asyncio.CancelledError:
            if reply is not None:
                state.audit.lost(reply.record)
            raise
        if conn.open:
            _remove(conn.unanswered, reply.record)
            with contextlib.suppress(ConnectionError):
                await conn.ws.send_str(reply.text)
                return
        state.audit.lost(reply.record)

    async def _process(self, conn: Connection, frame: Frame, raw: bytes) -> _Reply:
        if frame.error is not None:
            return self._refused(conn, frame, raw, 400, frame.error.payload())
        route = self.dialect.methods.get(frame.method)
        if route is None:
            msg = f"Method '{frame.method}' is not supported by this exchange."
            return self._refused(conn, frame, raw, 400, {"code": -1020, "msg": msg})
        wire = wire_params(frame.params, arrays=self.dialect.arrays)
        state = self.state
        held_s = state.faults.take_delay(route.method, route.path)
        if held_s is not None:
            await asyncio.sleep(held_s)
        now = state.clock.now_ms()
        state.tick(now)
        req = Inbound(
            method=route.method,
            path=route.path,
            query="",
            body=raw,
            form=False,
            ip=conn.ip,
            api_key=wire.api_key,
            now_ms=now,
            route=route,
            fault=None if held_s is None else DELAY_BEFORE_EXECUTE,
            parsed=wire.parsed,
            session=None if frame.method == LOGON else conn.session,
        )
        answer = self._pipeline.answer(req)
        result: object = None
        if answer.status == 200 and route.method == "WS":
            try:
                result = self._local(conn, frame.method, wire.parsed.params, req, now)
            except ApiError as exc:
                answer = Answer(status=exc.status, body=b"", payload=exc.payload(), code=exc.code)
        key = req.api_key or (req.session.api_key if req.session is not None else None)
        record = attrs.evolve(
            req.record(None if answer.drop else answer.status, answer.code),
            method="WS",
            path=frame.method,
            api_key=key,
        )
        if answer.drop:
            return _Reply(text="", record=record, drop=True)
        show = wire.return_rate_limits
        body: dict[str, object] = {"id": frame.id, "status": answer.status}
        if answer.status == 200:
            body["result"] = result if result is not None else orjson.Fragment(answer.body)
        else:
            body["error"] = self._error(answer, conn.ip, now)
        if conn.return_rate_limits if show is None else show:
            body["rateLimits"] = self._rate_limits(conn.ip, now, req.account, route)
        return _Reply(text=orjson.dumps(body).decode(), record=record, delay_s=answer.delay_s)

    def _refused(
        self, conn: Connection, frame: Frame, raw: bytes, status: int, error: dict[str, object]
    ) -> _Reply:
        """A frame refused before the pipeline (unreadable, unknown method): no weight."""
        now = self.state.clock.now_ms()
        body: dict[str, object] = {"id": frame.id, "status": status, "error": error}
        if conn.return_rate_limits:
            body["rateLimits"] = self._rate_limits(conn.ip, now, None, None)
        code = error.get("code")
        record = RequestRecord(
            method="WS",
            path=frame.method,
            query="",
            body=raw,
            ip=conn.ip,
            api_key=None,
            status=status,
            code=code if isinstance(code, int) else None,
            server_time_ms=now,
            weight=0,
        )
        return _Reply(text=orjson.dumps(body).decode(), record=record)

    def _local(
        self, conn: Connection, method: str, params: Mapping[str, str], req: Inbound, now_ms: int
    ) -> object:
        """A method the connection answers itself: session.* or the extension's."""
        if method in (LOGON, LOGOUT, STATUS):
            return self._session(conn, method, req.api_key, now_ms)
        if self.extension is None:
            raise ApiError(-1020, f"Method '{method}' is not supported by this exchange.")
        return self.extension.call(conn, method, params, req.account, now_ms)

    def _session(
        self, conn: Connection, method: str, api_key: str | None, now_ms: int
    ) -> dict[str, object]:
        """session.logon (Ed25519 keys only: else the dialect's refusal), session.logout,
        session.status: the connection's status after it."""
        if method == LOGON:
            entry = self.state.keys.get(api_key) if api_key else None
            if entry is None or not isinstance(entry.public_key, ed25519.Ed25519PublicKey):
                raise self.dialect.logon_refused()
            if self.extension is not None and conn.session is not None:
                self.extension.logged_out(conn, now_ms)
            conn.session, conn.authorized_ms = entry, now_ms
        elif method == LOGOUT:
            if self.extension is not None and conn.session is not None:
                self.extension.logged_out(conn, now_ms)
            conn.session = conn.authorized_ms = None
        status: dict[str, object] = {
            "apiKey": None if conn.session is None else conn.session.api_key,
            "authorizedSince": conn.authorized_ms,
            "connectedSince": conn.connected_ms,
            "returnRateLimits": conn.return_rate_limits,
            "serverTime": now_ms,
        }
        if self.extension is not None:
            status.update(self.extension.status(conn))
        return status

    def _error(self, answer: Answer, ip: str, now_ms: int) -> object:
        """The answer's ``{"code", "msg"}``; 429 and 418 add ``data``: the server's time and
        when the IP may send again (ms epoch: the ban's end, or the Retry-After moment)."""
        error = answer.payload
        if isinstance(error, dict) and answer.status in (418, 429) and answer.retry_after_s:
            limiter = self._pipeline.limiter
            until = limiter.banned_until(ip, now_ms) if answer.status == 418 else None
            retry_at = until if until is not None else now_ms + answer.retry_after_s * 1000
            error = {**error, "data": {"serverTime": now_ms, "retryAfter": retry_at}}
        return error

    def _rate_limits(
        self, ip: str, now_ms: int, account: str | None, route: Route | None
    ) -> list[dict[str, object]]:
        """The IP's weight; and the account's order windows on order methods."""
        limiter = self._pipeline.limiter
        used = limiter.used_weight(ip, now_ms)
        limits = [{**limiter.weight_window.payload("REQUEST_WEIGHT"), "count": used}]
        if account is not None and route is not None and route.orders != "none":
            limits += [
                {**window.payload("ORDERS"), "count": count}
                for window, _, count in limiter.order_counts(account, now_ms)
            ]
        return limits


def _remove(records: list[RequestRecord], record: RequestRecord) -> None:
    """Remove ``record`` itself (not an equal one) from ``records``."""
    for i, item in enumerate(records):
        if item is record:
            del records[i]
            return
