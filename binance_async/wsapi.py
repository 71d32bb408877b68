"""The WebSocket API transport: calls as JSON frames over one persistent connection per address.

Wire rules (reference/fapi-rules.md sections 4 and 8): a request is one text frame
``{"id", "method", "params"}``; integers are JSON numbers, decimals and everything else JSON
strings (``true``/``false`` for booleans). A signed request carries ``apiKey``,
``recvWindow``, ``timestamp`` and ``signature``: the signature signs every other parameter,
sorted by name, joined ``k=v&k=v`` as raw UTF-8 (no percent-encoding), and sits raw in the
JSON. Answers ``{"id", "status", "result" | "error", "rateLimits"}`` are matched by id, so
many requests are in flight on one connection; ``rateLimits`` becomes the same usage counts
the REST headers give (``x-mbx-used-weight-1m`` ...), and a 429's or 418's
``error.data.retryAfter`` (epoch ms) a ``retry-after`` in seconds.

Session logon: USDⓈ-M documents ``session.logon`` for Ed25519 keys only (weight 2). With an
Ed25519 key each connection logs on once, right after its handshake, and its signed requests
then carry ``timestamp`` and ``recvWindow`` but no ``apiKey`` nor ``signature``. HMAC and RSA
keys (or a refused logon) sign every request.

Connections: each egress address has one connection, supervised by a task that connects
(charging the handshake's weight, 5, to the address's budget), logs on, reconnects with
backoff when the connection is lost, and rotates it before the exchange's 24 h cut: a new
connection is opened and takes the new requests while the old one finishes the requests in
flight on it. A request in flight on a connection that is lost fails with
``TransportError(sent=True)`` (its outcome is unknown: the reconciler settles it); a request
that cannot be written fails with ``sent=False``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any, Protocol, TypeVar

import aiohttp
import orjson

from .clock import TimeSource
from .encoding import encode_value, plain_decimal
from .endpoint import Endpoint, Security
from .errors import InvalidRequest, RequestInfo, RequestTimeout, TransportError
from .ratelimits import Counts, count_header
from .signing import Signer
from .transport import Reply
from .windows import Reservation

__all__ = [
    "WsApiBudget",
    "WsApiStats",
    "WsApiTransport",
    "charged_connect",
    "reserve",
    "ws_api_params",
    "ws_api_payload",
]

log = logging.getLogger("binance_async.wsapi")

#: The exchange's weight for opening a connection and for ``session.logon``.
HANDSHAKE_WEIGHT = 5
LOGON_WEIGHT = 2
_NOT_WRITTEN = (ConnectionResetError, aiohttp.ClientConnectionResetError)
#: A connection lost sooner than this after opening counts toward the reconnection backoff.
_QUICK_LOSS_S = 10.0
_TEXT = aiohttp.WSMsgType.TEXT
#: Whether frames can be written from bytes as they are (aiohttp 3.11+ has it on clients).
_SEND_FRAME = hasattr(aiohttp.ClientWebSocketResponse, "send_frame")
#: Largest answer frame read (an account with many positions answers a few hundred KiB).
_MAX_MESSAGE = 64 * 1024 * 1024


class WsApiBudget(Protocol):
    """What the transport needs of the limiter: the handshake and the logon are charged, to
    the address (an index into the limiter's addresses) the connection leaves from."""

    def try_admit(self, *, weight: int, address: int | None = None) -> Reservation | None:
        """A reservation at once, or None."""
        ...

    async def admit(self, *, weight: int, address: int | None = None) -> Reservation:
        """Wait for a reservation."""
        ...

    def observe(
        self,
        reservation: Reservation,
        *,
        status: int,
        counts: Counts,
        code: int | None = None,
        msg: str | None = None,
    ) -> None:
        """Settle a request that got an answer."""
        ...

    def release(self, reservation: Reservation) -> None:
        """Settle a request that may have left without an answer."""
        ...

    def drop(self, reservation: Reservation) -> None:
        """Give back a reservation whose request never left."""
        ...


class _ServerClock(Protocol):
    def now_ms(self) -> int: ...


_W = TypeVar("_W")


async def reserve(budget: WsApiBudget, *, weight: int, address: int | None = None) -> Reservation:
    """A reservation of ``weight``: at once when there is room, else once the limiter admits it.

    Raises what the limiter's ``admit`` raises.
    """
    reservation = budget.try_admit(weight=weight, address=address)
    if reservation is None:
        reservation = await budget.admit(weight=weight, address=address)
    return reservation


async def charged_connect(
    budget: WsApiBudget,
    connect: Callable[[], Awaitable[_W]],
    *,
    weight: int,
    address: int | None = None,
) -> _W:
    """``connect()``, a WebSocket handshake of ``weight`` charged to ``budget``.

    A refused handshake's status and counts are observed; one that never reached the server
    (no connection, a timeout) gives its weight back; a 101 carries no counts, so its weight
    counts as sent. Raises what ``connect`` raises.
    """
    reservation = await reserve(budget, weight=weight, address=address)
    try:
        ws = await connect()
    except aiohttp.WSServerHandshakeError as exc:
        budget.observe(reservation, status=exc.status, counts=exc.headers or {})
        raise
    except (aiohttp.ClientConnectorError, OSError):
        budget.drop(reservation)
        raise
    except BaseException:
        budget.release(reservation)
        raise
    budget.release(reservation)
    return ws


def ws_api_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` as the WebSocket API's JSON wants them: ints as numbers, the rest strings.

    Raises :class:`~binance_async.errors.InvalidRequest` for a value with no wire form.
    """
    out: dict[str, Any] = {}
    if not params:
        return out
    for name, value in params.items():
        if value is None:
            continue
        kind = type(value)
        if kind is str or kind is int:
            out[name] = value
        elif value is True:
            out[name] = "true"
        elif value is False:
            out[name] = "false"
        elif kind is Decimal:
            out[name] = plain_decimal(value)
        elif isinstance(value, int):  # int subclasses (IntEnum)
            out[name] = int(value)
        elif isinstance(value, str):  # str subclasses (StrEnum)
            out[name] = str(value)
        elif isinstance(value, float):
            out[name] = encode_value(value)  # plain decimal text, as on REST
        elif isinstance(value, list | tuple | dict):
            out[name] = orjson.dumps(value, default=_json_default).decode()
        else:
            raise InvalidRequest(f"cannot encode parameter value of type {kind.__name__}")
    return out


def _json_default(value: Any) -> str:
    if isinstance(value, Decimal):
        return plain_decimal(value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def ws_api_payload(params: Mapping[str, Any]) -> bytes:
    """The bytes a WebSocket API signature signs: ``k=v`` sorted by name, ``&``-joined."""
    return "&".join([f"{k}={v}" for k, v in sorted(params.items())]).encode()


class WsApiStats:
    """Counters of the connections."""

    __slots__ = ("connects", "handshake_failures", "logons", "lost", "rotations")

    def __init__(self) -> None:
        #: Connections opened (first ones, reconnections and rotations).
        self.connects = 0
        #: Connection attempts that failed.
        self.handshake_failures = 0
        #: Connections lost while in use (not closed by us).
        self.lost = 0
        #: Connections replaced ahead of the exchange's 24 h cut.
        self.rotations = 0
        #: Sessions logged on.
        self.logons = 0


class _Lost(Exception):
    """Set on the requests in flight on a connection that went away."""


class _NoAnswer(Exception):
    """Set on a request whose answer did not come in time."""


def _no_answer(future: asyncio.Future[Any]) -> None:
    if not future.done():
        future.set_exception(_NoAnswer())


class _Conn:
    """One WebSocket connection and the requests in flight on it."""

    __slots__ = (
        "closed",
        "drained",
        "logged_on",
        "opened_ns",
        "pending",
        "reader",
        "retiring",
        "ws",
    )

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, opened_ns: int) -> None:
        self.ws = ws
        self.opened_ns = opened_ns
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.logged_on = False
        self.closed = False
        self.retiring = False
        self.drained = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None


class _Slot:
    """The connection of one address, and who waits for it."""

    __slots__ = ("conn", "index", "ready", "session", "supervisor")

    def __init__(self, index: int) -> None:
        self.index = index
        self.conn: _Conn | None = None
        self.ready = asyncio.Event()
        self.session: aiohttp.ClientSession | None = None
        self.supervisor: asyncio.Task[None] | None = None


class WsApiTransport:
    """The WebSocket API as a transport of the gateway's pipeline.

    ``methods`` maps an endpoint's path and HTTP method to the WebSocket API method carrying
    it (``{"/fapi/v1/order": {"POST": "order.place", ...}}``); other endpoints stay on REST.
    """

    def __init__(
        self,
        *,
        url: str,
        api_key: str | None,
        signer: Signer | None,
        recv_window_ms: int | float,
        methods: Mapping[str, Mapping[str, str]],
        budget: WsApiBudget,
        clock: _ServerClock,
        delay_s: Callable[[int], float],
        addresses: Sequence[str],
        local: bool = False,
        session: aiohttp.ClientSession | None = None,
        request_timeout_s: float = 10.0,
        rotate_after_s: float = 23.5 * 3600,
        heartbeat_s: float | None = 30.0,
        session_logon: bool = True,
        time_source: TimeSource,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not url.startswith(("ws://", "wss://")):
            raise ValueError(f"ws_api_url must be a ws:// or wss:// URL, got {url!r}")
        if not rotate_after_s > 0 or not math.isfinite(rotate_after_s):
            raise ValueError(f"rotate_after_s must be > 0, got {rotate_after_s!r}")
        if heartbeat_s is not None and not heartbeat_s > 0:
            raise ValueError(f"heartbeat_s must be > 0 or None, got {heartbeat_s!r}")
        if session is not None and local:
            raise ValueError("a borrowed session cannot be combined with local_addresses")
        self.url = url
        self._api_key = api_key
        self._signer = signer
        self._recv_window_ms = recv_window_ms
        self._methods = {path: dict(by_method) for path, by_method in methods.items()}
        self._budget = budget
        self._clock = clock
        self._delay_s = delay_s
        self._addresses = tuple(addresses)
        self._local = local
        self._borrowed = session
        self._request_timeout_s = request_timeout_s
        self.rotate_after_s = float(rotate_after_s)
        self._heartbeat_s = heartbeat_s
        #: Whether connections log on (Ed25519 keys only, as the exchange documents).
        self.session_logon = bool(
            session_logon and signer is not None and signer.kind == "Ed25519" and api_key
        )
        self._time = time_source
        self._sleep = sleep
        self._slots: list[_Slot] = []
        self._next_id = 1
        self._open = False
        self._closing = False
        self._retiring: set[asyncio.Task[None]] = set()
        self.stats = WsApiStats()

    # -- what the gateway asks -------------------------------------------------------------

    @property
    def addresses(self) -> tuple[str, ...]:
        """Egress addresses; each has its own connection (and weight budget)."""
        return self._addresses

    def carries(self, endpoint: Endpoint) -> bool:
        """Whether ``endpoint`` has a WebSocket API method."""
        by_method = self._methods.get(endpoint.path)
        return by_method is not None and endpoint.method in by_method

    @property
    def up(self) -> bool:
        """True while some connection takes requests."""
        return any(slot.conn is not None for slot in self._slots)

    def ready(self, address_index: int) -> bool:
        """True while the address's connection takes requests."""
        return self._slots[address_index].conn is not None

    async def wait_ready(self, address_index: int) -> bool:
        """Wait until the address's connection takes requests (the caller bounds the wait);
        False once the transport is closed."""
        slot = self._slots[address_index]
        while slot.conn is None:
            if self._closing or not self._open:
                return False
            await slot.ready.wait()
        return True

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self, timeout_s: float | None = None) -> None:
        """Start one supervised connection per address and wait for the first to be ready.

        Raises :class:`~binance_async.errors.TransportError` (``sent=False``) when no
        connection is up within ``timeout_s`` (default: the request timeout); the
        supervisors are stopped then.
        """
        if self._open:
            return
        if self._closing:
            raise RuntimeError("this WebSocket API transport was closed")
        self._open = True
        self._slots = [_Slot(i) for i in range(len(self._addresses))]
        for slot in self._slots:
            slot.supervisor = asyncio.get_running_loop().create_task(
                self._supervise(slot), name=f"binance_async.wsapi-{self._addresses[slot.index]}"
            )
        waits = [asyncio.ensure_future(slot.ready.wait()) for slot in self._slots]
        try:
            done, _ = await asyncio.wait(
                waits,
                timeout=self._request_timeout_s if timeout_s is None else timeout_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            for wait in waits:
                wait.cancel()
        if not done:
            await self.close()
            raise TransportError(
                f"cannot connect to the WebSocket API at {self.url}",
                request=RequestInfo("GET", self.url),
                sent=False,
            )

    async def close(self) -> None:
        """Stop the supervisors, fail what is in flight, close every connection (idempotent)."""
        if self._closing:
            return
        self._closing = True
        tasks = [s.supervisor for s in self._slots if s.supervisor is not None]
        for task in tasks:
            task.cancel()
        for task in self._retiring:
            task.cancel()
        await asyncio.gather(*tasks, *self._retiring, return_exceptions=True)
        for slot in self._slots:
            conn, slot.conn = slot.conn, None
            slot.ready.set()  # wake waiters: they see the transport closed
            if conn is not None:
                await self._close_conn(conn)
            if slot.session is not None and slot.session is not self._borrowed:
                await slot.session.close()
            slot.session = None
        self._open = False

    # -- the pipeline's transport ----------------------------------------------------------

    def encode(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """The JSON-ready parameters of a call."""
        return ws_api_params(params)

    def sign(self, wire: dict[str, Any], timestamp_ms: int, signer: Signer) -> dict[str, Any]:
        """``wire`` stamped; signed now unless connections log on (then a connection that
        could not log on signs it when sending)."""
        params = dict(wire)
        params["recvWindow"] = self._recv_window_ms
        params["timestamp"] = timestamp_ms
        if not self.session_logon:
            self._sign_into(params, signer)
        return params

    def _sign_into(self, params: dict[str, Any], signer: Signer) -> None:
        if self._api_key:
            params["apiKey"] = self._api_key
        params["signature"] = signer.sign(ws_api_payload(params))

    async def send(
        self,
        endpoint: Endpoint,
        wire: dict[str, Any],
        address_index: int,
        timeout_s: float,
        request: RequestInfo,
    ) -> Reply:
        """Send one request on the address's connection and wait for its answer by id."""
        conn = self._slots[address_index].conn if self._slots else None
        if conn is None:
            raise TransportError(
                "the WebSocket API is not connected; nothing was sent", request=request, sent=False
            )
        method = self._methods[endpoint.path][endpoint.method]
        if endpoint.signed:
            if "signature" not in wire and not conn.logged_on:
                assert self._signer is not None
                self._sign_into(wire, self._signer)
        elif endpoint.security is Security.API_KEY and self._api_key and not conn.logged_on:
            wire = {**wire, "apiKey": self._api_key}
        answer = await self._request(conn, method, wire, timeout_s, request)
        return _reply(answer)

    async def _request(
        self,
        conn: _Conn,
        method: str,
        params: Mapping[str, Any],
        timeout_s: float,
        request: RequestInfo,
    ) -> Any:
        """Write one frame, await the answer with its id."""
        rid = self._next_id
        self._next_id = rid + 1
        frame = orjson.dumps({"id": rid, "method": method, "params": params})
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        pending = conn.pending
        pending[rid] = future
        try:
            if _SEND_FRAME:
                await conn.ws.send_frame(frame, _TEXT)
            else:
                await conn.ws.send_str(frame.decode())
        except _NOT_WRITTEN as exc:
            _forget(conn, rid)
            raise TransportError(
                "the connection closed before the request was written; nothing was sent",
                request=request,
                sent=False,
            ) from exc
        except BaseException:
            _forget(conn, rid)
            raise
        # One timer on the answer's future (lighter than a timeout scope per request).
        timer = loop.call_later(timeout_s, _no_answer, future)
        try:
            return await future
        except _NoAnswer as exc:
            raise RequestTimeout(
                f"no answer within {timeout_s:.3f} s", request=request, sent=True
            ) from exc
        except _Lost as exc:
            raise TransportError(
                "connection lost with the request in flight", request=request, sent=True
            ) from exc
        finally:
            timer.cancel()
            _forget(conn, rid)

    # -- connections -----------------------------------------------------------------------

    async def _supervise(self, slot: _Slot) -> None:
        """Keep the address connected: connect, log on, rotate, reconnect with backoff.

        A lost connection is reopened at once; one lost again soon after it opened (an
        exchange that accepts and drops) is reopened with backoff, like a failed handshake.
        """
        failures = quick_losses = 0
        while not self._closing:
            try:
                conn = await self._connect(slot)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # every failure to connect is retried with backoff
                self.stats.handshake_failures += 1
                delay = self._delay_s(failures)
                failures += 1
                log.warning(
                    "WebSocket API %s: cannot connect (%s); retrying in %.0f ms",
                    self._addresses[slot.index],
                    _describe(exc),
                    delay * 1000,
                )
                await self._sleep(delay)
                continue
            failures = 0
            old, slot.conn = slot.conn, conn
            slot.ready.set()
            if old is not None:
                self.stats.rotations += 1
                self._retire(old)
            reader = conn.reader
            assert reader is not None
            try:
                async with asyncio.timeout(self.rotate_after_s):
                    await asyncio.shield(reader)
            except TimeoutError:
                log.info("WebSocket API %s: rotating the connection", self._addresses[slot.index])
                continue  # the next connection takes over; this one serves until then
            if slot.conn is conn:  # lost: requests wait for the next connection
                slot.conn = None
                slot.ready.clear()
            lived_s = (self._time.monotonic_ns() - conn.opened_ns) / 1e9
            quick_losses = quick_losses + 1 if lived_s < _QUICK_LOSS_S else 0
            if quick_losses > 1:
                delay = self._delay_s(quick_losses - 2)
                log.warning(
                    "WebSocket API %s: connection lost %.1f s after opening; reconnecting in "
                    "%.0f ms",
                    self._addresses[slot.index],
                    lived_s,
                    delay * 1000,
                )
                await self._sleep(delay)

    async def _connect(self, slot: _Slot) -> _Conn:
        """Open a connection (its handshake charged to the address) and log it on."""
        session = slot.session
        if session is None:
            session = self._borrowed or self._new_session(slot.index)
            slot.session = session

        async def connect() -> aiohttp.ClientWebSocketResponse:
            async with asyncio.timeout(self._request_timeout_s):
                return await session.ws_connect(
                    self.url,
                    heartbeat=self._heartbeat_s,
                    timeout=aiohttp.ClientWSTimeout(ws_receive=None, ws_close=2.0),
                    autoping=True,
                    max_msg_size=_MAX_MESSAGE,
                )

        ws = await charged_connect(
            self._budget, connect, weight=HANDSHAKE_WEIGHT, address=slot.index
        )
        self.stats.connects += 1
        conn = _Conn(ws, self._time.monotonic_ns())
        conn.reader = asyncio.get_running_loop().create_task(
            self._read(slot, conn), name="binance_async.wsapi-reader"
        )
        if self.session_logon:
            try:
                await self._logon(conn, slot.index)
            except BaseException:
                await self._close_conn(conn)
                raise
        return conn

    def _new_session(self, index: int) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=4,
            local_addr=(self._addresses[index], 0) if self._local else None,
            ttl_dns_cache=300,
        )
        return aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",))

    async def _logon(self, conn: _Conn, index: int) -> None:
        """``session.logon`` on the connection of address ``index``; a refusal leaves the
        connection signing every request."""
        assert self._signer is not None
        budget = self._budget
        reservation = await reserve(budget, weight=LOGON_WEIGHT, address=index)
        params: dict[str, Any] = {
            "recvWindow": self._recv_window_ms,
            "timestamp": self._clock.now_ms(),
        }
        self._sign_into(params, self._signer)
        info = RequestInfo("WS", "session.logon", params["timestamp"])
        try:
            answer = await self._request(
                conn, "session.logon", params, self._request_timeout_s, info
            )
        except TransportError as exc:
            if exc.sent:
                budget.release(reservation)
            else:
                budget.drop(reservation)
            raise
        except BaseException:
            budget.release(reservation)
            raise
        reply = _reply(answer)
        error = reply.data if reply.status >= 300 and isinstance(reply.data, dict) else {}
        budget.observe(
            reservation,
            status=reply.status,
            counts=reply.counts,
            code=error.get("code") if isinstance(error.get("code"), int) else None,
            msg=str(error.get("msg", "")) or None,
        )
        if 200 <= reply.status < 300:
            conn.logged_on = True
            self.stats.logons += 1
        else:
            log.warning(
                "WebSocket API: session.logon refused (%s %s); signing every request",
                reply.status,
                str(error.get("msg", ""))[:120],
            )

    async def _read(self, slot: _Slot, conn: _Conn) -> None:
        """Hand each answer to its request; fail the rest when the connection ends."""
        ws = conn.ws
        pending = conn.pending
        loads = orjson.loads
        try:
            async for message in ws:
                if message.type is not _TEXT:
                    continue
                try:
                    answer = loads(message.data)
                    future = pending.pop(answer["id"], None)
                except (orjson.JSONDecodeError, TypeError, KeyError):
                    log.warning("WebSocket API: unreadable frame %r", str(message.data)[:80])
                    continue
                if future is not None and not future.done():
                    future.set_result(answer)
                if conn.retiring and not pending:
                    conn.drained.set()
        except (aiohttp.ClientError, OSError, RuntimeError) as exc:
            log.info("WebSocket API: connection failed (%s)", _describe(exc))
        finally:
            conn.closed = True
            if not conn.retiring and not self._closing:
                self.stats.lost += 1
                log.warning(
                    "WebSocket API %s: connection lost (%d requests in flight)",
                    self._addresses[slot.index],
                    len(pending),
                )
            for future in pending.values():
                if not future.done():
                    future.set_exception(_Lost())
            pending.clear()
            conn.drained.set()
            if slot.conn is conn:
                slot.conn = None
                slot.ready.clear()

    def _retire(self, conn: _Conn) -> None:
        """Let ``conn`` finish its requests in flight (new ones go elsewhere), then close it."""
        conn.retiring = True
        if not conn.pending:
            conn.drained.set()
        task = asyncio.get_running_loop().create_task(self._drain(conn))
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def _drain(self, conn: _Conn) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self._request_timeout_s + 1.0):
                await conn.drained.wait()
        await self._close_conn(conn)

    async def _close_conn(self, conn: _Conn) -> None:
        conn.retiring = True
        with contextlib.suppress(Exception):
            await conn.ws.close()
        if conn.reader is not None:
            with contextlib.suppress(BaseException):
                await conn.reader

    def __repr__(self) -> str:
        up = sum(1 for s in self._slots if s.conn is not None)
        return f"<WsApiTransport {self.url} {up}/{len(self._addresses)} up>"


def _forget(conn: _Conn, rid: int) -> None:
    conn.pending.pop(rid, None)
    if conn.retiring and not conn.pending:
        conn.drained.set()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, aiohttp.WSServerHandshakeError):
        return f"handshake answered {exc.status}"
    return f"{type(exc).__name__}: {exc}"[:200]


def _reply(answer: Any) -> Reply:
    """An answer frame as a :class:`Reply`: the result or the error, with usage counts."""
    if not isinstance(answer, dict):
        return Reply(200, {}, None, readable=False, text=str(answer)[:500])
    status = answer.get("status")
    if type(status) is not int:
        return Reply(200, {}, None, readable=False, text=str(answer)[:500])
    counts = _counts(answer.get("rateLimits"))
    if 200 <= status < 300:
        return Reply(status, counts, answer.get("result"))
    error = answer.get("error")
    if isinstance(error, dict) and status in (418, 429):
        data = error.get("data")
        if isinstance(data, dict):
            retry, server = data.get("retryAfter"), data.get("serverTime")
            if type(retry) is int and type(server) is int:
                counts["retry-after"] = str(max(retry - server, 0) / 1000)
    return Reply(status, counts, error if error is not None else {})


def _counts(limits: Any) -> dict[str, str]:
    """A ``rateLimits`` array as usage counts under the REST headers' names (items it cannot
    read, however malformed, are skipped)."""
    counts: dict[str, str] = {}
    if type(limits) is not list:
        return counts
    for item in limits:
        if type(item) is not dict:
            continue
        kind, interval = item.get("rateLimitType"), item.get("interval")
        num, count = item.get("intervalNum"), item.get("count")
        if (
            type(kind) is str
            and type(interval) is str
            and type(num) is int
            and type(count) is int
            and count >= 0
        ):
            name = count_header(kind, interval, num)
            if name:
                counts[name] = str(count)
    return counts
