"""HTTP/1.1 to one origin: kept-alive connections and nothing a REST call does not use.

A general HTTP client spends most of a small request's CPU on what a Binance REST call never
needs: URL objects, header merging, cookie jars, tracing hooks, payload classes, stream readers.
:class:`Pool` writes the request as one ``bytes`` and reads the answer in ``data_received``
(``Content-Length``, ``chunked`` or to the end of the connection; ``gzip`` and ``deflate``).

What it keeps from a careful client: a connection limit with waiters served first come first
served, an idle timeout, a deadline over the whole request, limits on a head and a body's size,
and one rule for every failure: a connection in doubt is closed, never reused. Every failure is
an :class:`H1Error` whose ``sent`` says whether any byte of the request may have left: False
only when none did (so a resend is safe), True when the server may have acted on it.
Nothing here ever resends.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
import zlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy, istr

__all__ = ["H1Error", "Pool", "Resolver", "Response", "parse_base_url", "system_resolve"]

#: Largest response head (status line and headers) read before giving up on an answer.
MAX_HEAD_BYTES: Final = 64 * 1024
#: Largest body, after decompression (a full Spot ``exchangeInfo`` is a few MB).
MAX_BODY_BYTES: Final = 64 * 1024 * 1024

_CRLF2: Final = b"\r\n\r\n"
_CONTENT_LENGTH: Final = istr("Content-Length")
_TRANSFER_ENCODING: Final = istr("Transfer-Encoding")
_CONTENT_ENCODING: Final = istr("Content-Encoding")
_CONNECTION: Final = istr("Connection")
_HEX: Final = frozenset(b"0123456789abcdefABCDEF")
#: How long a host's looked-up addresses serve new connections.
DNS_TTL_S: Final = 300.0
#: RFC 8305's connection attempt delay: the next address joins the race after it.
ATTEMPT_DELAY_S: Final = 0.25
#: Looks up a host's TCP addresses, as (family, IP), in the order to try them.
Resolver = Callable[[str, int], Awaitable[list[tuple[int, str]]]]
#: zlib's window bits for a gzip stream.
_GZIP: Final = 16 + zlib.MAX_WBITS

# How the body of the answer being read is framed.
_LENGTH, _CHUNKED, _TO_CLOSE, _NONE = 0, 1, 2, 3
# Where a chunked body's reader is: a size line, chunk data, the CRLF after it, trailers.
_SIZE, _DATA, _DATA_END, _TRAILER = 0, 1, 2, 3


class H1Error(Exception):
    """A request that got no complete answer.

    ``sent`` is False only when no byte of the request left (a resend is safe); ``timeout`` is
    True when the deadline passed; ``connecting`` is True when it failed before a connection
    was ready (refused, unreachable, TLS, or the pool's limit held it past its deadline).
    """

    def __init__(
        self, message: str, *, sent: bool, timeout: bool = False, connecting: bool = False
    ) -> None:
        super().__init__(message)
        self.sent = sent
        self.timeout = timeout
        self.connecting = connecting


class Response:
    """A complete answer: status, headers (case-insensitive) and the body, decoded."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: CIMultiDictProxy[str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def __repr__(self) -> str:
        return f"<Response {self.status} {len(self.body)} bytes>"


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; reads one answer at a time into ``_waiter``."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self.transport: asyncio.Transport | None = None
        self.closed = False
        #: ``loop.time()`` when it went idle.
        self.idle_since = 0.0
        self._waiter: asyncio.Future[Response] | None = None
        self._lost: asyncio.Future[None] = pool.loop.create_future()
        self._head = b""  # a head's bytes so far
        self._status = 0
        self._left = 0  # body bytes still to come (Content-Length), or of the current chunk
        self._parts: list[bytes] = []  # the body's pieces read so far
        self._chunk_state = _SIZE
        self._pending = bytearray()  # a chunked body's bytes not yet parsed
        self._next()

    def _next(self) -> None:
        """Ready for the next answer (the common case allocates nothing)."""
        self._headers: CIMultiDict[str] | None = None
        self._framing = _LENGTH
        self._size = 0
        if self._parts:
            self._parts = []
        if self._chunk_state != _SIZE or self._pending:
            self._chunk_state = _SIZE
            self._pending = bytearray()
        self._keep = True
        self._encoding = ""

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if not self._lost.done():
            self._lost.set_result(None)
        waiter = self._waiter
        if waiter is None:
            self._pool.forget(self)
            return
        if exc is None and self._framing == _TO_CLOSE and self._headers is not None:
            self._finish()  # the end of the connection ends this answer
            return
        self._waiter = None
        self._pool.forget(self)
        if not waiter.done():
            detail = f": {type(exc).__name__}" if exc is not None else ""
            waiter.set_exception(H1Error(f"connection lost{detail}", sent=True))

    def data_received(self, data: bytes) -> None:
        if self._waiter is None:  # nothing asked: a server speaking out of turn is not reused
            self.abandon()
            return
        try:
            if self._headers is None:
                data = self._read_head(data)
                if self._headers is None:
                    return
            self._read_body(data)
        except H1Error as exc:
            self.abandon(exc)

    # -- reading an answer ------------------------------------------------------------------

    def _read_head(self, data: bytes) -> bytes:
        """Consume the head (and any 1xx heads before it); return the bytes after it."""
        while True:
            buf = self._head + data if self._head else data
            end = buf.find(_CRLF2)
            if end < 0:
                if len(buf) > MAX_HEAD_BYTES:
                    raise H1Error("response head too large", sent=True)
                if b"\n\n" in buf:  # lines ended by LF alone: refused now, not at the deadline
                    raise H1Error("response head lines end in a bare LF", sent=True)
                self._head = buf
                return b""
            if end > MAX_HEAD_BYTES:
                raise H1Error("response head too large", sent=True)
            self._head = b""
            data = buf[end + 4 :]
            if self._parse_head(buf[:end]):
                return data

    def _parse_head(self, head: bytes) -> bool:
        """Read a status line and headers; False for an interim (1xx) answer to skip."""
        lines = head.decode("latin-1").split("\r\n")
        status_line = lines[0]
        version, _, rest = status_line.partition(" ")
        code = rest[:3]
        if (
            version not in ("HTTP/1.1", "HTTP/1.0")
            or len(code) != 3
            or not code.isdigit()
            or not code.isascii()
            or rest[3:4] not in ("", " ")
        ):
            raise H1Error(f"not an HTTP/1.x status line: {status_line[:40]!r}", sent=True)
        status = int(code)
        if status < 100:  # not a class of answer: never skipped as an interim one
            raise H1Error(f"not an HTTP/1.x status line: {status_line[:40]!r}", sent=True)
        headers: CIMultiDict[str] = CIMultiDict()
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon or not name or name != name.strip():
                raise H1Error(f"malformed header line: {line[:40]!r}", sent=True)
            headers.add(name, value.strip(" \t"))
        if status < 200:
            if status == 101:
                raise H1Error("unexpected protocol switch (101)", sent=True)
            return False
        self._status = status
        connection = headers.get(_CONNECTION, "").lower()
        self._keep = (
            "close" not in connection
            if version == "HTTP/1.1"
            else "keep-alive" in connection  # HTTP/1.0 closes unless told
        )
        coding = headers.getall(_TRANSFER_ENCODING, None)
        length = headers.getall(_CONTENT_LENGTH, None)
        if status == 204 or status == 304:
            self._framing = _NONE
        elif coding is not None:
            # chunked alone: another transfer coding (gzip, chunked) would go undecoded
            if len(coding) != 1 or coding[0].strip().lower() != "chunked":
                raise H1Error(f"unsupported Transfer-Encoding {coding!r:.60}", sent=True)
            self._framing = _CHUNKED
            if length is not None:  # both: chunked wins, and the connection is in doubt
                self._keep = False
        elif length is not None:
            if len(set(length)) != 1 or not length[0].isdigit() or not length[0].isascii():
                raise H1Error(f"bad Content-Length {length!r:.60}", sent=True)
            self._left = int(length[0])
            if self._left > MAX_BODY_BYTES:
                raise H1Error(f"response body of {self._left} bytes is too large", sent=True)
            self._framing = _LENGTH
        else:
            self._framing = _TO_CLOSE
            self._keep = False
        encodings = headers.getall(_CONTENT_ENCODING, ("",))
        encoding = encodings[0].strip().lower()
        if len(encodings) != 1 or encoding not in ("", "identity", "gzip", "deflate"):
            raise H1Error(f"unsupported Content-Encoding {encoding[:40]!r}", sent=True)
        self._encoding = "" if encoding == "identity" else encoding
        self._headers = headers
        return True

    def _read_body(self, data: bytes) -> None:
        framing = self._framing
        if framing == _LENGTH:
            left = self._left
            if len(data) < left:
                if data:
                    self._parts.append(data)
                    self._left = left - len(data)
                return
            if len(data) > left:  # bytes beyond the answer: nothing was asked for them
                self._keep = False
                data = data[:left]
            if self._parts:
                self._parts.append(data)
                data = b"".join(self._parts)
            self._finish(data)
        elif framing == _NONE:
            if data:
                self._keep = False
            self._finish(b"")
        elif framing == _CHUNKED:
            self._read_chunks(data)
        elif data:  # to the end of the connection
            self._size += len(data)
            if self._size > MAX_BODY_BYTES:
                raise H1Error("response body too large", sent=True)
            self._parts.append(data)

    def _read_chunks(self, data: bytes) -> None:
        buf = self._pending
        buf += data
        while True:
            state = self._chunk_state
            if state == _DATA:
                take = min(len(buf), self._left)
                if take:
                    self._parts.append(bytes(buf[:take]))
                    del buf[:take]
                    self._left -= take
                if self._left:
                    return
                self._chunk_state = _DATA_END
                continue
            if state == _DATA_END:
                if len(buf) < 2:
                    return
                if buf[:2] != b"\r\n":
                    raise H1Error("chunk not followed by CRLF", sent=True)
                del buf[:2]
                self._chunk_state = _SIZE
                continue
            end = buf.find(b"\r\n")
            if end < 0:
                if len(buf) > 4096:
                    raise H1Error("chunk size line too long", sent=True)
                return
            line = bytes(buf[:end])
            del buf[: end + 2]
            if state == _TRAILER:
                if not line:  # the empty line that ends the trailers ends the answer
                    if buf:
                        self._keep = False
                    self._finish(b"".join(self._parts))
                    return
                self._left += end + 2  # trailers: the bytes read, held to a head's limit
                if self._left > MAX_HEAD_BYTES:
                    raise H1Error("response trailers too large", sent=True)
                continue
            digits = line.split(b";", 1)[0].strip(b" \t")
            if not digits or not _HEX.issuperset(digits) or len(digits) > 16:
                raise H1Error(f"bad chunk size {line[:20]!r}", sent=True)
            size = int(digits, 16)
            if size == 0:
                self._chunk_state = _TRAILER
                self._left = 0
                continue
            self._size += size
            if self._size > MAX_BODY_BYTES:
                raise H1Error("response body too large", sent=True)
            self._left = size
            self._chunk_state = _DATA

    def _finish(self, body: bytes | None = None) -> None:
        waiter, self._waiter = self._waiter, None
        if body is None:
            body = b"".join(self._parts)
        if self._encoding:
            try:
                body = _decompress(body, self._encoding)
            except H1Error as exc:
                self._waiter = waiter
                self.abandon(exc)
                return
        headers = self._headers
        assert headers is not None  # an answer finishes only once its head is read
        answer = Response(self._status, CIMultiDictProxy(headers), body)
        self._release_or_close()
        if waiter is not None and not waiter.done():
            waiter.set_result(answer)

    def _release_or_close(self) -> None:
        keep = self._keep and not self.closed
        self._next()
        if keep:
            self._pool.release(self)
        else:
            self.abandon()

    # -- used by the pool -------------------------------------------------------------------

    def ask(self, request: bytes) -> asyncio.Future[Response]:
        """Write ``request``; the future gets its answer."""
        assert self.transport is not None
        self.transport.write(request)  # raises before taking any byte, or takes them all
        waiter: asyncio.Future[Response] = self._pool.loop.create_future()
        self._waiter = waiter
        return waiter

    def usable(self) -> bool:
        transport = self.transport
        return not self.closed and transport is not None and not transport.is_closing()

    def abandon(self, error: H1Error | None = None) -> None:
        """Close it (an answer in doubt, an error, idle too long, the pool closing); the pool
        forgets it. A request still waiting on it fails with ``error``.

        A connection in doubt (a request waiting, or an error) is dropped at once; an idle one
        is closed politely (TLS sends its close_notify).
        """
        self.closed = True
        waiter, self._waiter = self._waiter, None
        transport = self.transport
        if transport is not None:
            if waiter is not None or error is not None:
                transport.abort()
            else:
                transport.close()
        self._pool.forget(self)
        if waiter is not None and not waiter.done():
            waiter.set_exception(
                error or H1Error("connection closed while the answer was awaited", sent=True)
            )

    @property
    def lost(self) -> asyncio.Future[None]:
        """Done once the connection has closed."""
        return self._lost


def _decompress(body: bytes, encoding: str) -> bytes:
    """The decoded body: complete streams only (a truncated one is an error, not a shorter
    body), at most ``MAX_BODY_BYTES``."""
    # deflate is zlib-wrapped (RFC 9110); some servers send it raw, without the wrapper
    attempts = (_GZIP,) if encoding == "gzip" else (zlib.MAX_WBITS, -zlib.MAX_WBITS)
    for wbits in attempts:
        try:
            return _inflate(body, wbits)
        except zlib.error:
            pass
    raise H1Error(f"response body is not valid {encoding}", sent=True)


def _inflate(data: bytes, wbits: int) -> bytes:
    """Inflate ``data`` to its end; gzip may hold several members one after the other.

    Raises ``zlib.error`` for a stream that is corrupt, cut short or followed by other bytes,
    and :class:`H1Error` past ``MAX_BODY_BYTES``.
    """
    out = b""
    while True:
        inflater = zlib.decompressobj(wbits)
        out += inflater.decompress(data, MAX_BODY_BYTES + 1 - len(out))
        if len(out) > MAX_BODY_BYTES:
            raise H1Error("response body too large once decompressed", sent=True)
        if not inflater.eof:
            raise zlib.error("the stream ends early")
        data = inflater.unused_data
        if not data:
            return out
        if wbits != _GZIP:
            raise zlib.error("bytes after the end of the stream")


class Pool:
    """Kept-alive HTTP/1.1 connections to one origin, at most ``limit`` at once.

    ``base_url`` is ``http://`` or ``https://`` with a host and an optional port and path
    prefix; ``local_address`` binds the connections' source address; ``user_agent`` goes with
    every request. The host's addresses are looked up once per ``dns_ttl_s`` (by ``resolve``,
    the system's resolver unless given) and tried as RFC 8305 says. Create it inside the
    running loop. Raises ``ValueError`` for a bad ``base_url`` or ``limit``.
    """

    def __init__(
        self,
        base_url: str,
        *,
        limit: int = 100,
        keepalive_s: float = 30.0,
        local_address: str | None = None,
        user_agent: str = "binance_async",
        ssl_context: ssl.SSLContext | None = None,
        dns_ttl_s: float = DNS_TTL_S,
        resolve: Resolver | None = None,
    ) -> None:
        tls, host, port, prefix = parse_base_url(base_url)
        if limit < 1:
            raise ValueError(f"limit: at least 1, got {limit}")
        if not user_agent.isprintable() or not user_agent.isascii():
            raise ValueError(f"user_agent: printable ASCII, got {user_agent!r}")
        self.loop = asyncio.get_running_loop()
        self.host, self.port = host, port
        #: The base URL's path ("" or "/x/y"), put before every endpoint's path.
        self.prefix = prefix
        self._tls = tls
        self._ssl = ssl_context
        self._local = (local_address, 0) if local_address else None
        default_port = 443 if self._tls else 80
        host_header = f"[{host}]" if ":" in host else host
        if port != default_port:
            host_header = f"{host_header}:{port}"
        #: Every request's own headers: Host, User-Agent, Accept, Accept-Encoding.
        self.common = (
            f"Host: {host_header}\r\nUser-Agent: {user_agent}\r\n"
            "Accept: */*\r\nAccept-Encoding: gzip, deflate\r\n"
        )
        self._limit = limit
        self._keepalive_s = keepalive_s
        self._idle: list[_Connection] = []
        self._all: set[_Connection] = set()
        self._connecting = 0
        self._waiters: deque[asyncio.Future[_Connection | None]] = deque()
        self._sweep: asyncio.TimerHandle | None = None
        #: Connects under way (close() stops them).
        self._dialing: set[asyncio.Task[_Connection]] = set()
        self._resolve = resolve or system_resolve
        self._dns_ttl_s = dns_ttl_s
        #: (expiry on loop.time(), addresses) of the last lookup that found some.
        self._dns: tuple[float, list[tuple[int, str]]] | None = None
        self._lookup: asyncio.Future[list[tuple[int, str]]] | None = None
        self._literal = _literal(host)
        self._closed = False

    def __repr__(self) -> str:
        return (
            f"<Pool {self.host}:{self.port} open={len(self._all)} idle={len(self._idle)} "
            f"waiting={len(self._waiters)}>"
        )

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    @property
    def open_connections(self) -> int:
        """Connections open now, idle or busy."""
        return len(self._all)

    async def request(self, request: bytes, timeout_s: float) -> Response:
        """Send ``request`` (a complete HTTP/1.1 request) and read its answer.

        Raises :class:`H1Error` when no complete answer came within ``timeout_s``.
        """
        loop = self.loop
        deadline = loop.time() + timeout_s
        conn = self._take_idle()
        if conn is None:
            conn = await self._acquire(deadline)
            while not conn.usable():  # closed while it was handed over: nothing sent on it
                conn.abandon()
                conn = self._take_idle() or await self._acquire(deadline)
        try:
            waiter = conn.ask(request)
        except Exception as exc:  # the transport refused the bytes before taking any
            conn.abandon()
            raise H1Error(f"write refused: {type(exc).__name__}", sent=False) from exc
        timer = loop.call_at(deadline, _expire, waiter, conn, timeout_s)
        try:
            return await waiter
        except BaseException:
            if not waiter.done() or waiter.cancelled():  # cancelled mid-answer: in doubt
                conn.abandon()
            raise
        finally:
            timer.cancel()

    def _take_idle(self) -> _Connection | None:
        idle = self._idle
        while idle:
            conn = idle.pop()
            if conn.usable():
                return conn
            conn.abandon()
        return None

    async def _acquire(self, deadline: float) -> _Connection:
        """A connection: a new one in a free slot, else the first one a waiter is handed."""
        if self._closed:
            raise H1Error("the pool is closed; nothing was sent", sent=False, connecting=True)
        if len(self._all) + self._connecting < self._limit:
            self._connecting += 1  # the slot is this request's until its connect ends
            return await self._connect(deadline)
        waiter: asyncio.Future[_Connection | None] = self.loop.create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout_at(deadline):
                conn = await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                # served just as it left: pass on what it was given
                handed = waiter.result()
                if handed is not None:
                    self.release(handed)
                else:
                    self._connecting -= 1  # the slot reserved for it is free again
                    self._wake_one()
            else:
                waiter.cancel()  # release() and _wake_one() skip it
            if isinstance(exc, TimeoutError):
                raise H1Error(
                    "no connection free before the deadline; nothing was sent",
                    sent=False,
                    timeout=True,
                    connecting=True,
                ) from None
            raise
        if conn is not None:
            return conn
        return await self._connect(deadline)  # _wake_one() reserved the slot

    async def _connect(self, deadline: float) -> _Connection:
        """Open a connection in the slot reserved by the caller (``_connecting``).

        The connect runs as a task of its own, so that :meth:`close` can stop it at once.
        """
        dial = self.loop.create_task(self._open())
        self._dialing.add(dial)
        conn: _Connection | None = None
        try:
            async with asyncio.timeout_at(deadline):
                conn = await dial
        except TimeoutError:
            _drop_dialed(dial)
            raise H1Error("connect timeout", sent=False, timeout=True, connecting=True) from None
        except OSError as exc:  # refused, unreachable, DNS, TLS (ssl.SSLError is an OSError)
            raise H1Error(
                f"cannot connect: {type(exc).__name__}: {exc}", sent=False, connecting=True
            ) from exc
        except asyncio.CancelledError:
            _drop_dialed(dial)
            task = asyncio.current_task()
            if self._closed and dial.cancelled() and (task is None or not task.cancelling()):
                raise H1Error(
                    "the pool is closed; nothing was sent", sent=False, connecting=True
                ) from None
            raise  # the caller was cancelled
        finally:
            self._dialing.discard(dial)
            self._connecting -= 1
            if conn is None:
                self._wake_one()  # the slot is free again
        if self._closed:
            conn.abandon()
            raise H1Error("the pool is closed; nothing was sent", sent=False, connecting=True)
        self._all.add(conn)
        return conn

    async def _open(self) -> _Connection:
        """A new connection to one of the host's addresses."""
        return await self._dial(await self._addresses())

    async def _addresses(self) -> list[tuple[int, str]]:
        """The host's addresses: looked up once per ``dns_ttl_s``, one lookup however many
        connections wait for it (an IP literal needs none)."""
        if self._literal is not None:
            return self._literal
        cached = self._dns
        if cached is not None and cached[0] > self.loop.time():
            return cached[1]
        lookup = self._lookup
        if lookup is None:
            lookup = self._lookup = asyncio.ensure_future(self._resolve(self.host, self.port))
            lookup.add_done_callback(self._looked_up)
        return await asyncio.shield(lookup)  # a caller giving up leaves it to the others

    def _looked_up(self, lookup: asyncio.Future[list[tuple[int, str]]]) -> None:
        self._lookup = None
        if lookup.cancelled() or lookup.exception() is not None:
            return  # the callers waiting get the error; the next connect looks up again
        addresses = lookup.result()
        if addresses:
            self._dns = (self.loop.time() + self._dns_ttl_s, addresses)

    async def _dial(self, addresses: list[tuple[int, str]]) -> _Connection:
        """Connect to the first address that answers (RFC 8305): the next one is tried
        when the previous has failed, or has not connected within ``ATTEMPT_DELAY_S``; the
        attempts still running when one wins are stopped, and any that connected closed."""
        if not addresses:
            raise OSError(f"no address for {self.host}")
        if len(addresses) == 1:
            return await self._dial_one(addresses[0])
        attempts: list[asyncio.Task[_Connection]] = []
        failures: list[BaseException] = []
        winner: asyncio.Task[_Connection] | None = None
        try:
            for index, address in enumerate(addresses):
                attempts.append(self.loop.create_task(self._dial_one(address)))
                last = index == len(addresses) - 1
                while winner is None:
                    running = [a for a in attempts if not a.done()]
                    if not running:
                        break  # every attempt so far failed: the next address now
                    done, _ = await asyncio.wait(
                        running,
                        timeout=None if last else ATTEMPT_DELAY_S,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    if not done:
                        break  # none connected yet: the next address joins the race
                    for attempt in done:
                        failure = attempt.exception()
                        if failure is None:
                            winner = winner or attempt
                        else:
                            failures.append(failure)
                if winner is not None:
                    return winner.result()
            raise failures[0] if failures else OSError(f"cannot connect to {self.host}")
        finally:
            for attempt in attempts:
                if attempt is winner:
                    continue
                if not attempt.done():
                    attempt.cancel()
                    attempt.add_done_callback(_close_late)
                elif not attempt.cancelled() and attempt.exception() is None:
                    attempt.result().abandon()  # connected as well: one is enough

    async def _dial_one(self, address: tuple[int, str]) -> _Connection:
        family, ip = address
        _, conn = await self.loop.create_connection(
            lambda: _Connection(self),
            ip,
            self.port,
            family=family,
            ssl=(self._ssl or _default_context()) if self._tls else None,
            server_hostname=self.host if self._tls else None,
            local_addr=self._local,
        )
        return conn

    def release(self, conn: _Connection) -> None:
        """A connection whose answer was read in full: to a waiter, or idle."""
        if self._closed or not conn.usable():
            conn.abandon()
            return
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return
        conn.idle_since = self.loop.time()
        self._idle.append(conn)
        if self._sweep is None:
            self._sweep = self.loop.call_later(self._keepalive_s, self._close_idle)

    def forget(self, conn: _Connection) -> None:
        """A connection that closed: its slot is free."""
        if conn in self._all:
            self._all.discard(conn)
            if conn in self._idle:
                self._idle.remove(conn)
            self._wake_one()

    def _wake_one(self) -> None:
        """When a slot is free, reserve it for the first waiter, which then connects."""
        if len(self._all) + self._connecting >= self._limit:
            return
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                self._connecting += 1
                waiter.set_result(None)
                return

    def _close_idle(self) -> None:
        self._sweep = None
        cutoff = self.loop.time() - self._keepalive_s
        for conn in [c for c in self._idle if c.idle_since <= cutoff]:
            conn.abandon()
        if self._idle:
            oldest = min(c.idle_since for c in self._idle)
            self._sweep = self.loop.call_at(oldest + self._keepalive_s, self._close_idle)

    async def close(self) -> None:
        """Close every connection (idle or busy) and refuse new requests; idempotent."""
        self._closed = True
        if self._sweep is not None:
            self._sweep.cancel()
            self._sweep = None
        for dial in self._dialing:
            dial.cancel()
        if self._lookup is not None:
            self._lookup.cancel()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(
                    H1Error("the pool is closed; nothing was sent", sent=False, connecting=True)
                )
        conns = list(self._all)
        for conn in conns:
            conn.abandon()
        if conns:  # let the transports finish closing (TLS ones say goodbye)
            await asyncio.wait([c.lost for c in conns], timeout=2)
            late = [c for c in conns if not c.lost.done()]
            for conn in late:
                if conn.transport is not None:
                    conn.transport.abort()
            if late:
                await asyncio.wait([c.lost for c in late], timeout=1)


def _drop_dialed(dial: asyncio.Task[_Connection]) -> None:
    """Close a connection whose connect completed just as its caller gave up on it."""
    if dial.done() and not dial.cancelled() and dial.exception() is None:
        dial.result().abandon()
    else:
        dial.cancel()


def _close_late(attempt: asyncio.Task[_Connection]) -> None:
    """A losing attempt that connected before its cancellation took effect: close it."""
    if not attempt.cancelled() and attempt.exception() is None:
        attempt.result().abandon()


async def system_resolve(host: str, port: int) -> list[tuple[int, str]]:
    """``host``'s TCP addresses as (family, IP), the system's preferred first, the address
    families alternating after it (RFC 8305). Raises ``OSError`` (``socket.gaierror``)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return interleave([(int(family), str(sockaddr[0])) for family, _, _, _, sockaddr in infos])


def interleave(addresses: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """``addresses`` once each, the first one's family first, then alternating families in
    their own order (RFC 8305, section 4)."""
    by_family: dict[int, list[tuple[int, str]]] = {}
    for address in addresses:
        group = by_family.setdefault(address[0], [])
        if address not in group:
            group.append(address)
    ordered: list[tuple[int, str]] = []
    groups = list(by_family.values())
    for rank in range(max((len(g) for g in groups), default=0)):
        ordered.extend(g[rank] for g in groups if rank < len(g))
    return ordered


def _expire(waiter: asyncio.Future[Response], conn: _Connection, timeout_s: float) -> None:
    if not waiter.done():
        conn.abandon(H1Error(f"no answer within {timeout_s:.3f} s", sent=True, timeout=True))


def parse_base_url(base_url: str) -> tuple[bool, str, int, str]:
    """``(tls, host, port, path prefix)`` of an ``http://`` or ``https://`` base URL.

    Raises ``ValueError`` for another scheme, user info, a bad host or port, or a query.
    """
    scheme, sep, rest = base_url.partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        raise ValueError(f"base_url: http:// or https://, got {base_url!r}")
    authority, slash, path = rest.partition("/")
    if any(c in path for c in "?# \t\r\n"):
        raise ValueError(f"base_url: a path without query, fragment or spaces, got {base_url!r}")
    tls = scheme == "https"
    host, port = _host_port(authority, 443 if tls else 80)
    return tls, host, port, f"/{path}".rstrip("/") if slash else ""


def _host_port(authority: str, default_port: int) -> tuple[str, int]:
    if not authority or "@" in authority:
        raise ValueError(f"base_url: a host without user info, got {authority!r}")
    if authority.startswith("["):  # an IPv6 literal
        host, bracket, rest = authority[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise ValueError(f"base_url: bad host {authority!r}")
        port_text = rest[1:]
    else:
        host, _, port_text = authority.partition(":")
    if not host or any(c in host for c in " \t\r\n/?#"):
        raise ValueError(f"base_url: bad host {authority!r}")
    if not port_text:
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"base_url: bad port in {authority!r}")
    return host, int(port_text)


def _literal(host: str) -> list[tuple[int, str]] | None:
    """An IP literal host as its one address (no lookup); None for a name."""
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return None
    family = socket.AF_INET6 if ip.version == 6 else socket.AF_INET
    return [(int(family), host)]


_CONTEXT: ssl.SSLContext | None = None


def _default_context() -> ssl.SSLContext:
    """The system's trusted CAs and hostname checking, built once per process."""
    global _CONTEXT
    if _CONTEXT is None:
        _CONTEXT = ssl.create_default_context()
    return _CONTEXT
