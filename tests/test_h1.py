"""The library's own HTTP/1.1 client (binance_async/h1.py) against scripted, misbehaving servers.

The server is :class:`ScriptedServer`: ``asyncio.start_server`` on 127.0.0.1 port 0. It records
the exact bytes each connection receives and answers each request, in arrival order, with the
steps a test gives: bytes to write, pauses, events to wait for, closing, or hanging until the
client closes. Framing tests drive :class:`Pool` directly; the mapping of failures to the
library's errors goes through :meth:`HttpTransport.send`.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import gzip
import hashlib
import hmac
import random
import socket
import zlib
from collections import deque
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import pytest

from binance_async.endpoint import Endpoint, Security
from binance_async.errors import RequestInfo, RequestTimeout, TransportError
from binance_async.h1 import MAX_BODY_BYTES, MAX_HEAD_BYTES, H1Error, Pool, Response
from binance_async.http import HttpTransport
from binance_async.signing import HmacSigner

#: Every test ends within this many seconds, or fails.
BOUND_S = 10.0


class Do(enum.Enum):
    """Steps of an answer that are not bytes, pauses or events."""

    #: Close the connection at this point.
    CLOSE = "close"
    #: Answer nothing more; read until the client closes the connection.
    HANG = "hang"


Step = bytes | float | asyncio.Event | Do


@dataclass(eq=False)
class Peer:
    """One connection the server accepted: what it received and how it ended."""

    index: int
    received: bytearray = field(default_factory=bytearray)
    #: True once the server read the end of the stream: the client closed the connection.
    client_closed: bool = False
    #: Set when the connection has ended, whichever side ended it.
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class ScriptedServer:
    """A loopback HTTP/1.1 server that answers each request with the next scripted steps.

    ``answer(*steps)`` queues the steps for the next request to arrive (on any connection);
    a request with nothing queued hangs. ``requests`` holds (connection index, exact request
    bytes) in arrival order; ``peers`` the connections; ``max_open`` the most open at once.
    """

    def __init__(self) -> None:
        self._answers: deque[tuple[Step, ...]] = deque()
        self._arrival = asyncio.Event()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._server: asyncio.Server | None = None
        self.peers: list[Peer] = []
        self.requests: list[tuple[int, bytes]] = []
        self.open_now = 0
        self.max_open = 0
        self.port = 0

    @property
    def url(self) -> str:
        """The server's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def answer(self, *steps: Step) -> None:
        """Queue the steps that answer the next request to arrive."""
        self._answers.append(steps)

    def paths(self) -> list[str]:
        """The request target of every request received, in arrival order."""
        return [request.split(b" ", 2)[1].decode() for _, request in self.requests]

    async def wait_requests(self, count: int) -> None:
        """Return once ``count`` requests have arrived."""
        while len(self.requests) < count:
            self._arrival.clear()
            await self._arrival.wait()

    async def __aenter__(self) -> ScriptedServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        peer = Peer(len(self.peers))
        self.peers.append(peer)
        self.open_now += 1
        self.max_open = max(self.max_open, self.open_now)
        try:
            while (request := await self._read_request(reader, peer)) is not None:
                self.requests.append((peer.index, request))
                self._arrival.set()
                steps = self._answers.popleft() if self._answers else (Do.HANG,)
                if not await self._play(steps, reader, writer, peer):
                    break
        except ConnectionError:  # a reset or broken pipe: the client's doing
            peer.client_closed = True
        except asyncio.CancelledError:  # the server is closing: a script left waiting ends
            pass
        finally:
            self.open_now -= 1
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()
            peer.ended.set()
            self._tasks.discard(task)

    async def all_ended(self) -> None:
        """Return once every connection accepted so far has ended."""
        for peer in self.peers:
            await peer.ended.wait()

    async def _read_request(self, reader: asyncio.StreamReader, peer: Peer) -> bytes | None:
        """One request's exact bytes (head and Content-Length body); None at the end."""
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as exc:
            peer.received += exc.partial
            peer.client_closed = True
            return None
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length)
        peer.received += head + body
        return head + body

    async def _play(
        self,
        steps: Sequence[Step],
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        peer: Peer,
    ) -> bool:
        """Play an answer's steps; False when the connection is done."""
        for step in steps:
            if isinstance(step, bytes):
                writer.write(step)
                await writer.drain()
            elif isinstance(step, asyncio.Event):
                await step.wait()
            elif step is Do.CLOSE:
                return False
            elif step is Do.HANG:
                while data := await reader.read(65536):
                    peer.received += data
                peer.client_closed = True
                return False
            else:
                await asyncio.sleep(step)
        return True


@pytest.fixture
async def server() -> AsyncIterator[ScriptedServer]:
    """A scripted server on 127.0.0.1 port 0."""
    async with ScriptedServer() as scripted:
        yield scripted


@contextlib.asynccontextmanager
async def pool_for(server: ScriptedServer, **options: Any) -> AsyncIterator[Pool]:
    """A pool to ``server``, closed on the way out."""
    pool = Pool(server.url, **options)
    try:
        yield pool
    finally:
        await pool.close()


def get(path: str = "/x") -> bytes:
    """A minimal GET request's bytes."""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()


def ok(body: bytes = b"ok", *headers: str) -> bytes:
    """A 200 answer with a Content-Length and ``headers`` (``"Name: value"`` lines)."""
    extra = "".join(f"{line}\r\n" for line in headers)
    return f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n{extra}\r\n".encode() + body


def chunked(*pieces: bytes, head: str = "HTTP/1.1 200 OK", trailers: str = "") -> bytes:
    """A chunked answer of ``pieces`` (each one chunk, its size in upper-case hex)."""
    chunks = b"".join(b"%X\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
    return (
        f"{head}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        + chunks
        + f"0\r\n{trailers}\r\n".encode()
    )


def facts(response: Response) -> tuple[int, list[tuple[str, str]], bytes]:
    """Everything a caller reads from a response."""
    return response.status, list(response.headers.items()), response.body


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


# -- the exact request bytes ---------------------------------------------------------------

KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
TIMESTAMP_MS = 1499827319559
COMMON = "User-Agent: binance_async\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\n"


def signed(wire: str) -> str:
    """``wire`` stamped and signed as Binance's docs say, computed here with hmac."""
    payload = f"{wire}&recvWindow=5000&timestamp={TIMESTAMP_MS}"
    signature = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}&signature={signature}"


@pytest.mark.parametrize(
    ("method", "path", "security", "wire", "expected"),
    [
        (
            "GET",
            "/fapi/v1/depth",
            Security.NONE,
            "symbol=BTCUSDT&limit=5",
            "GET /fapi/v1/depth?symbol=BTCUSDT&limit=5 HTTP/1.1\r\n{host}{common}\r\n",
        ),
        (
            "GET",
            "/fapi/v1/time",
            Security.NONE,
            "",
            "GET /fapi/v1/time HTTP/1.1\r\n{host}{common}\r\n",
        ),
        (
            "GET",
            "/fapi/v2/account",
            Security.SIGNED,
            "SIGN:symbol=BTCUSDT",
            "GET /fapi/v2/account?{signed} HTTP/1.1\r\n{host}{common}X-MBX-APIKEY: {key}\r\n\r\n",
        ),
        (
            "POST",
            "/fapi/v1/order",
            Security.SIGNED,
            "SIGN:symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=0.01&price=40000",
            "POST /fapi/v1/order HTTP/1.1\r\n{host}{common}X-MBX-APIKEY: {key}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n"
            "\r\n{signed}",
        ),
        (
            "POST",
            "/fapi/v1/listenKey",
            Security.API_KEY,
            "",
            "POST /fapi/v1/listenKey HTTP/1.1\r\n{host}{common}X-MBX-APIKEY: {key}\r\n"
            "Content-Length: 0\r\n\r\n",
        ),
        (
            "DELETE",
            "/fapi/v1/order",
            Security.SIGNED,
            "SIGN:symbol=BTCUSDT&origClientOrderId=my-1",
            "DELETE /fapi/v1/order?{signed} HTTP/1.1\r\n{host}{common}X-MBX-APIKEY: {key}\r\n\r\n",
        ),
    ],
    ids=["get-query", "get-bare", "signed-get", "post-form", "post-no-body", "delete"],
)
async def test_request_bytes_on_the_wire(
    server: ScriptedServer, method: str, path: str, security: Security, wire: str, expected: str
) -> None:
    """Each kind of request goes out as exactly these bytes, signature and key included."""
    async with asyncio.timeout(BOUND_S):
        transport = HttpTransport(base_url=server.url, api_key=KEY, recv_window_ms=5000)
        await transport.open()
        try:
            if wire.startswith("SIGN:"):
                query = wire.removeprefix("SIGN:")
                wire = transport.sign(query, TIMESTAMP_MS, HmacSigner(SECRET))
                assert wire == signed(query)
            server.answer(ok(b'{"a":1}'))
            endpoint = Endpoint(method=method, path=path, weight=1, security=security)
            reply = await transport.send(endpoint, wire, 0, 5.0, RequestInfo(method, path))
        finally:
            await transport.close()
    assert (reply.status, reply.data) == (200, {"a": 1})
    host = f"Host: 127.0.0.1:{server.port}\r\n"
    text = expected.format(
        host=host, common=COMMON, key=KEY, signed=wire, length=len(wire.encode())
    )
    assert server.requests == [(0, text.encode())]


async def test_base_url_path_prefix_leads_every_target(server: ScriptedServer) -> None:
    """A base_url with a path (trailing slash or not) puts that prefix before every path."""
    async with asyncio.timeout(BOUND_S):
        transport = HttpTransport(
            base_url=f"{server.url}/gateway/v9/", api_key=None, recv_window_ms=5000
        )
        await transport.open()
        try:
            server.answer(ok(b"{}"))
            ping = Endpoint(method="GET", path="/fapi/v1/ping", weight=1)
            await transport.send(ping, "", 0, 5.0, RequestInfo("GET", "/fapi/v1/ping"))
        finally:
            await transport.close()
    assert server.requests == [
        (
            0,
            f"GET /gateway/v9/fapi/v1/ping HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            f"{COMMON}\r\n".encode(),
        )
    ]


@pytest.mark.parametrize(
    ("base_url", "host_line"),
    [
        ("http://127.0.0.1", "Host: 127.0.0.1\r\n"),
        ("http://127.0.0.1:80/", "Host: 127.0.0.1\r\n"),
        ("https://exchange.test", "Host: exchange.test\r\n"),
        ("https://exchange.test:443", "Host: exchange.test\r\n"),
        ("http://exchange.test:443", "Host: exchange.test:443\r\n"),
        ("https://exchange.test:80", "Host: exchange.test:80\r\n"),
        ("http://localhost:8080/api", "Host: localhost:8080\r\n"),
        ("https://[::1]:8443", "Host: [::1]:8443\r\n"),
        ("http://[::1]", "Host: [::1]\r\n"),
    ],
)
async def test_host_header_names_the_port_only_when_not_the_default(
    base_url: str, host_line: str
) -> None:
    """Host carries the port only when it is not the scheme's default (80, 443)."""
    pool = Pool(base_url, user_agent="ua/1")
    try:
        assert pool.common == f"{host_line}User-Agent: ua/1\r\nAccept: */*\r\n" + (
            "Accept-Encoding: gzip, deflate\r\n"
        )
    finally:
        await pool.close()


# -- framing -----------------------------------------------------------------------------

PAYLOAD = b'{"symbol":"BTCUSDT","price":"40000.10","qty":"0.001"}' * 3
GZIPPED = gzip.compress(PAYLOAD, mtime=0)
ZLIB = zlib.compress(PAYLOAD)
_raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
#: Deflate without the zlib wrapper, as some servers send ``Content-Encoding: deflate``.
RAW_DEFLATE = _raw.compress(PAYLOAD) + _raw.flush()
#: Two gzip members one after the other: one body (RFC 1952).
TWO_MEMBERS = gzip.compress(b"one,", mtime=0) + gzip.compress(b"two", mtime=0)


@pytest.mark.parametrize(
    ("answer", "status", "headers", "body", "kept"),
    [
        (
            (ok(b"hello", "X-MBX-USED-WEIGHT-1M: 3"),),
            200,
            [("Content-Length", "5"), ("X-MBX-USED-WEIGHT-1M", "3")],
            b"hello",
            True,
        ),
        (
            (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",),
            200,
            [("Content-Length", "0")],
            b"",
            True,
        ),
        (
            (
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                b'5;name="v"\r\nhello\r\na ; ext\r\n, chunked!\r\n0\r\n'
                b"X-Trailer: 1\r\nX-Other: 2\r\n\r\n",
            ),
            200,
            [("Transfer-Encoding", "chunked")],
            b"hello, chunked!",
            True,
        ),
        (
            (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nto the ", b"end", Do.CLOSE),
            200,
            [("Content-Type", "text/plain")],
            b"to the end",
            False,
        ),
        ((b"HTTP/1.1 204 No Content\r\n\r\n",), 204, [], b"", True),
        (
            (
                b"HTTP/1.1 100 Continue\r\n\r\n"
                b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n",
                ok(b"after interim"),
            ),
            200,
            [("Content-Length", "13")],
            b"after interim",
            True,
        ),
        (
            (ok(GZIPPED, "Content-Encoding: gzip"),),
            200,
            [("Content-Length", str(len(GZIPPED))), ("Content-Encoding", "gzip")],
            PAYLOAD,
            True,
        ),
        (
            (ok(ZLIB, "Content-Encoding: deflate"),),
            200,
            [
                ("Content-Length", str(len(ZLIB))),
                ("Content-Encoding", "deflate"),
            ],
            PAYLOAD,
            True,
        ),
        (
            (
                chunked(GZIPPED[:20], GZIPPED[20:]).replace(
                    b"chunked\r\n", b"chunked\r\nContent-Encoding: GZIP\r\n", 1
                ),
            ),
            200,
            [("Transfer-Encoding", "chunked"), ("Content-Encoding", "GZIP")],
            PAYLOAD,
            True,
        ),
        (
            (ok(RAW_DEFLATE, "Content-Encoding: deflate"),),
            200,
            [("Content-Length", str(len(RAW_DEFLATE))), ("Content-Encoding", "deflate")],
            PAYLOAD,
            True,
        ),
        (
            (ok(TWO_MEMBERS, "Content-Encoding: gzip"),),
            200,
            [("Content-Length", str(len(TWO_MEMBERS))), ("Content-Encoding", "gzip")],
            b"one,two",
            True,
        ),
        (
            (
                chunked(b"chunks win").replace(
                    b"chunked\r\n", b"chunked\r\nContent-Length: 99\r\n", 1
                ),
            ),
            200,
            [("Transfer-Encoding", "chunked"), ("Content-Length", "99")],
            b"chunks win",
            False,
        ),
        (
            (b"HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\nold!",),
            200,
            [("Content-Length", "4")],
            b"old!",
            False,
        ),
        (
            (b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 4\r\n\r\nold!",),
            200,
            [("Connection", "keep-alive"), ("Content-Length", "4")],
            b"old!",
            True,
        ),
        (
            (b"HTTP/1.1 418 I'm a teapot\r\nRetry-After: 60\r\nContent-Length: 2\r\n\r\n{}",),
            418,
            [("Retry-After", "60"), ("Content-Length", "2")],
            b"{}",
            True,
        ),
    ],
    ids=[
        "length",
        "length-zero",
        "chunked-ext-trailers",
        "read-to-close",
        "204",
        "100-and-103-first",
        "gzip",
        "deflate",
        "chunked-gzip",
        "raw-deflate",
        "gzip-two-members",
        "chunked-and-length",
        "http10-closes",
        "http10-keep-alive",
        "418-status",
    ],
)
async def test_framing_gives_the_answer_and_keeps_or_closes(
    server: ScriptedServer,
    answer: tuple[Step, ...],
    status: int,
    headers: list[tuple[str, str]],
    body: bytes,
    kept: bool,
) -> None:
    """Each framing yields the exact status, headers and decoded body, twice in a row; the
    connection is reused only when the answer allows it (the server sees the close)."""
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(*answer)
        server.answer(*answer)
        first = await pool.request(get("/1"), 5.0)
        assert facts(first) == (status, headers, body)
        assert pool.open_connections == (1 if kept else 0)
        if not kept:
            await server.peers[0].ended.wait()
        second = await pool.request(get("/2"), 5.0)
        assert facts(second) == facts(first)
    async with asyncio.timeout(BOUND_S):
        await server.all_ended()
    assert [peer for peer, _ in server.requests] == ([0, 0] if kept else [0, 1])
    assert server.peers[0].client_closed is (answer[-1] is not Do.CLOSE)


def _splits(data: bytes, rng: random.Random) -> list[Step]:
    """``data`` cut at a few random places, with a short pause after each piece."""
    cuts = sorted(rng.sample(range(1, len(data)), rng.randint(1, 8)))
    pieces = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
    return [step for piece in pieces for step in (piece, 0.001)]


@pytest.mark.parametrize(
    "answer",
    [
        ok(PAYLOAD, "X-MBX-USED-WEIGHT-1M: 7", "X-MBX-ORDER-COUNT-10S: 1"),
        b"HTTP/1.1 100 Continue\r\n\r\n"
        + chunked(*(PAYLOAD[i : i + 40] for i in range(0, len(PAYLOAD), 40)), trailers="T: 1\r\n"),
        ok(GZIPPED, "Content-Encoding: gzip"),
    ],
    ids=["length", "interim-then-chunked", "gzip"],
)
async def test_any_split_of_an_answer_reads_the_same(server: ScriptedServer, answer: bytes) -> None:
    """Byte by byte or cut at random places (fixed seed), an answer reads the same as whole."""
    rng = random.Random(20240611)
    deliveries: list[list[Step]] = [[answer]]
    deliveries.append([step for byte in answer for step in (bytes([byte]), 0.001)])
    deliveries += [_splits(answer, rng) for _ in range(12)]
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        seen = []
        for steps in deliveries:
            server.answer(*steps)
            seen.append(facts(await pool.request(get(), 5.0)))
    assert seen == [seen[0]] * len(deliveries)
    assert seen[0][0] == 200 and seen[0][2] == PAYLOAD
    assert len(server.peers) == 1  # every answer ended cleanly: one kept-alive connection


# -- keep-alive --------------------------------------------------------------------------


async def test_sequential_requests_share_one_connection(server: ScriptedServer) -> None:
    """Two requests one after the other travel on one connection, byte-exact."""
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(ok(b"one"))
        server.answer(ok(b"two"))
        bodies = [(await pool.request(get(f"/{n}"), 5.0)).body for n in (1, 2)]
        assert pool.open_connections == 1
    assert bodies == [b"one", b"two"]
    assert len(server.peers) == 1
    assert bytes(server.peers[0].received) == get("/1") + get("/2")


@pytest.mark.parametrize("value", ["close", "Close", "keep-alive, close"])
async def test_connection_close_answer_is_not_reused(server: ScriptedServer, value: str) -> None:
    """An answer saying ``Connection: close`` closes its connection; the next opens anew."""
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(ok(b"one", f"Connection: {value}"))
        server.answer(ok(b"two"))
        assert (await pool.request(get("/1"), 5.0)).body == b"one"
        assert pool.open_connections == 0
        await server.peers[0].ended.wait()
        assert (await pool.request(get("/2"), 5.0)).body == b"two"
    assert [peer for peer, _ in server.requests] == [0, 1]
    assert server.peers[0].client_closed


# -- malformed answers -------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 2OO OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/2 200\r\nContent-Length: 2\r\n\r\nok",
        b"ICY 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"http/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 099 Odd\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n",
        b"<html>not http</html>\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\n: 2\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-2\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x2\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\nok\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + b"1" * 5000,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: identity\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2, 3\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: -2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nContent-Length: \xb2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * MAX_HEAD_BYTES,
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * MAX_HEAD_BYTES + b"\r\nContent-Length: 0\r\n\r\n",
        ok(b"ok", "Content-Encoding: br"),
        ok(b"ok", "Content-Encoding: gzip, deflate"),
        ok(b"this is not gzip", "Content-Encoding: gzip"),
        ok(GZIPPED[:-8], "Content-Encoding: gzip"),
        ok(GZIPPED[:30], "Content-Encoding: gzip"),
        ok(ZLIB[:-4], "Content-Encoding: deflate"),
        ok(b"\xff" * 20, "Content-Encoding: deflate"),
        ok(GZIPPED + b"trailing", "Content-Encoding: gzip"),
        ok(ZLIB + b"trailing", "Content-Encoding: deflate"),
        ok(gzip.compress(GZIPPED), "Content-Encoding: gzip", "Content-Encoding: gzip"),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
        chunked(b"ok")[:-2] + (b"X-Trailer: " + b"t" * 1000 + b"\r\n") * 70,
    ],
    ids=[
        "status-letters",
        "status-two-digits",
        "status-no-space",
        "http2",
        "icy",
        "lower-case-version",
        "status-below-100",
        "101-switch",
        "html",
        "header-no-colon",
        "space-before-colon",
        "empty-header-name",
        "obsolete-line-folding",
        "chunk-size-not-hex",
        "chunk-size-negative",
        "chunk-size-0x",
        "chunk-size-empty",
        "chunk-no-crlf-after-data",
        "chunk-size-line-too-long",
        "transfer-coding-gzip-chunked",
        "transfer-coding-identity",
        "content-length-conflict",
        "content-length-list",
        "content-length-negative",
        "content-length-plus",
        "content-length-empty",
        "content-length-non-ascii-digit",
        "head-too-large-unended",
        "head-too-large-ended",
        "content-encoding-br",
        "content-encoding-stacked",
        "gzip-corrupt",
        "gzip-without-trailer",
        "gzip-truncated",
        "deflate-truncated",
        "deflate-corrupt",
        "gzip-trailing-bytes",
        "deflate-trailing-bytes",
        "content-encoding-twice",
        "transfer-encoding-twice",
        "bare-lf-head",
        "trailers-too-large",
    ],
)
async def test_malformed_answer_fails_sent_and_is_not_reused(
    server: ScriptedServer, answer: bytes
) -> None:
    """A malformed answer fails with H1Error(sent=True), its connection is closed (the server
    sees the close) and the next request works on a new connection."""
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(answer, Do.HANG)
        server.answer(ok(b"fine"))
        with pytest.raises(H1Error) as failure:
            await pool.request(get("/bad"), 5.0)
        assert (failure.value.sent, failure.value.timeout) == (True, False)
        assert pool.open_connections == 0
        await server.peers[0].ended.wait()
        assert server.peers[0].client_closed
        assert (await pool.request(get("/next"), 5.0)).body == b"fine"
    assert [peer for peer, _ in server.requests] == [0, 1]


@pytest.mark.parametrize(
    ("answer", "body"),
    [
        (ok(b"one") + ok(b"unasked"), b"one"),
        (ok(b"one") + b"\r\n", b"one"),
        (chunked(b"one") + b"junk", b"one"),
        (b"HTTP/1.1 204 No Content\r\n\r\nbody of a 204", b""),
    ],
    ids=["second-answer", "stray-crlf", "after-chunked", "body-on-204"],
)
async def test_bytes_after_the_answer_close_the_connection(
    server: ScriptedServer, answer: bytes, body: bytes
) -> None:
    """Bytes beyond a complete answer: the answer is delivered, the connection not reused."""
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(answer, Do.HANG)
        server.answer(ok(b"fine"))
        assert (await pool.request(get("/1"), 5.0)).body == body
        assert pool.open_connections == 0
        await server.peers[0].ended.wait()
        assert (await pool.request(get("/2"), 5.0)).body == b"fine"
    assert server.peers[0].client_closed
    assert [peer for peer, _ in server.requests] == [0, 1]


async def test_bytes_from_the_server_while_idle_close_that_connection(
    server: ScriptedServer,
) -> None:
    """A server that speaks on an idle kept-alive connection: that connection is closed, the
    next request goes out on a new one."""
    idle = asyncio.Event()
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(ok(b"one"), idle, b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nodd", Do.HANG)
        server.answer(ok(b"two"))
        assert (await pool.request(get("/1"), 5.0)).body == b"one"
        assert pool.open_connections == 1
        idle.set()
        await server.peers[0].ended.wait()
        assert server.peers[0].client_closed
        assert pool.open_connections == 0
        assert (await pool.request(get("/2"), 5.0)).body == b"two"
    assert [peer for peer, _ in server.requests] == [0, 1]


# -- failures and the ``sent`` flag, through HttpTransport --------------------------------

PING = Endpoint(method="GET", path="/fapi/v1/ping", weight=1)
PING_INFO = RequestInfo("GET", "/fapi/v1/ping")


@contextlib.asynccontextmanager
async def transport_to(base_url: str) -> AsyncIterator[HttpTransport]:
    """An open HttpTransport on its own pool, closed on the way out."""
    transport = HttpTransport(base_url=base_url, api_key=KEY, recv_window_ms=5000)
    await transport.open()
    try:
        yield transport
    finally:
        await transport.close()


async def test_connection_refused_is_not_sent() -> None:
    """A refused connection is a TransportError with sent=False (not a timeout)."""
    async with asyncio.timeout(BOUND_S), transport_to(f"http://127.0.0.1:{free_port()}") as t:
        with pytest.raises(TransportError) as failure:
            await t.send(PING, "", 0, 5.0, PING_INFO)
    assert not isinstance(failure.value, RequestTimeout)
    assert failure.value.sent is False
    assert failure.value.request == PING_INFO
    assert isinstance(failure.value.__cause__, H1Error)


@contextlib.contextmanager
def unaccepting_port() -> Iterator[int]:
    """A loopback port whose listener never accepts and whose queue is full: a connect to it
    hangs."""
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        for _ in range(4):
            filler = socket.socket()
            fillers.append(filler)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(("127.0.0.1", port))
        yield port
    finally:
        for sock in (*fillers, listener):
            sock.close()


async def test_connect_timeout_is_not_sent() -> None:
    """A connection that cannot be made in time is a RequestTimeout with sent=False."""
    with unaccepting_port() as port:
        async with asyncio.timeout(BOUND_S), transport_to(f"http://127.0.0.1:{port}") as t:
            with pytest.raises(RequestTimeout) as failure:
                await t.send(PING, "", 0, 0.3, PING_INFO)
    assert failure.value.sent is False
    cause = failure.value.__cause__
    assert isinstance(cause, H1Error) and (cause.connecting, cause.timeout) == (True, True)


@pytest.mark.parametrize(
    "steps",
    [
        (Do.CLOSE,),
        (b"HTTP/1.1 200 OK\r\nContent-Le", Do.CLOSE),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", Do.CLOSE),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", Do.CLOSE),
    ],
    ids=["no-answer", "half-head", "half-body", "half-chunk"],
)
async def test_connection_lost_after_sending_is_sent(
    server: ScriptedServer, steps: tuple[Step, ...]
) -> None:
    """The server read the request and closed before a complete answer: sent=True."""
    async with asyncio.timeout(BOUND_S), transport_to(server.url) as transport:
        server.answer(*steps)
        with pytest.raises(TransportError) as failure:
            await transport.send(PING, "", 0, 5.0, PING_INFO)
    assert not isinstance(failure.value, RequestTimeout)
    assert failure.value.sent is True
    assert len(server.requests) == 1


async def test_no_answer_in_time_is_a_sent_timeout_and_closes(server: ScriptedServer) -> None:
    """No answer within the timeout: RequestTimeout(sent=True), and the connection is closed."""
    async with asyncio.timeout(BOUND_S), transport_to(server.url) as transport:
        server.answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nslo", Do.HANG)
        with pytest.raises(RequestTimeout) as failure:
            await transport.send(PING, "", 0, 0.2, PING_INFO)
        await server.peers[0].ended.wait()
        assert server.peers[0].client_closed
        server.answer(ok(b"{}"))
        reply = await transport.send(PING, "", 0, 5.0, PING_INFO)
    assert failure.value.sent is True
    assert isinstance(failure.value.__cause__, H1Error) and failure.value.__cause__.timeout
    assert reply.status == 200
    assert [peer for peer, _ in server.requests] == [0, 1]


async def test_server_closing_an_idle_connection_costs_nothing(server: ScriptedServer) -> None:
    """A kept-alive connection the server closed while idle is dropped; the next request
    goes out on a new connection without an error."""
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(ok(b"one"), Do.CLOSE)
        server.answer(ok(b"two"))
        assert (await pool.request(get("/1"), 5.0)).body == b"one"
        await server.peers[0].ended.wait()
        for _ in range(500):  # the client reads the close on its next turns of the loop
            if pool.open_connections == 0:
                break
            await asyncio.sleep(0.01)
        assert pool.open_connections == 0
        assert (await pool.request(get("/2"), 5.0)).body == b"two"
    assert [peer for peer, _ in server.requests] == [0, 1]


# -- the connection limit ----------------------------------------------------------------


async def test_limit_holds_and_waiters_go_first_come_first_served(
    server: ScriptedServer,
) -> None:
    """With limit=2, six concurrent requests use two connections, and each freed connection
    goes to the longest waiting request."""
    gates = [asyncio.Event() for _ in range(6)]
    for n, gate in enumerate(gates):
        server.answer(gate, ok(f"answer {n}".encode()))
    async with asyncio.timeout(BOUND_S), pool_for(server, limit=2) as pool:
        tasks = [asyncio.create_task(pool.request(get(f"/r{n}"), 5.0)) for n in range(6)]
        await server.wait_requests(2)
        assert sorted(server.paths()) == ["/r0", "/r1"]
        for n in range(2, 6):
            gates[n - 2].set()
            await server.wait_requests(n + 1)
            assert server.paths()[n] == f"/r{n}"
            assert pool.open_connections == 2
        for gate in gates:
            gate.set()
        answers = await asyncio.gather(*tasks)
    assert sorted(answer.body for answer in answers) == [f"answer {n}".encode() for n in range(6)]
    assert len(server.peers) == 2 and server.max_open == 2


async def test_waiter_past_its_deadline_fails_unsent(server: ScriptedServer) -> None:
    """A request that waits for a slot past its deadline fails H1Error(sent=False,
    timeout=True) without reaching the server, and leaves the slot free."""
    gate = asyncio.Event()
    async with asyncio.timeout(BOUND_S), pool_for(server, limit=1) as pool:
        server.answer(gate, ok(b"held"))
        server.answer(ok(b"after"))
        held = asyncio.create_task(pool.request(get("/held"), 5.0))
        await server.wait_requests(1)
        with pytest.raises(H1Error) as failure:
            await pool.request(get("/late"), 0.2)
        assert (failure.value.sent, failure.value.timeout) == (False, True)
        assert server.paths() == ["/held"]
        gate.set()
        assert (await held).body == b"held"
        assert (await pool.request(get("/after"), 5.0)).body == b"after"
    assert server.paths() == ["/held", "/after"]
    assert len(server.peers) == 1


async def test_cancelled_waiter_does_not_leak_a_slot(server: ScriptedServer) -> None:
    """A request cancelled while it waits for a slot gives nothing up: afterwards ``limit``
    requests are again in flight at once."""
    first, second = asyncio.Event(), asyncio.Event()
    for gate in (first, first, second, second):
        server.answer(gate, ok(b"ok"))
    async with asyncio.timeout(BOUND_S), pool_for(server, limit=2) as pool:
        holders = [asyncio.create_task(pool.request(get(f"/h{n}"), 5.0)) for n in range(2)]
        await server.wait_requests(2)
        waiter = asyncio.create_task(pool.request(get("/cancelled"), 5.0))
        for _ in range(10):
            await asyncio.sleep(0)
        assert "waiting=1" in repr(pool)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        first.set()
        await asyncio.gather(*holders)
        again = [asyncio.create_task(pool.request(get(f"/a{n}"), 5.0)) for n in range(2)]
        await server.wait_requests(4)  # both in flight at once: two slots free
        second.set()
        await asyncio.gather(*again)
    paths = server.paths()
    assert (sorted(paths[:2]), sorted(paths[2:])) == (["/h0", "/h1"], ["/a0", "/a1"])
    assert len(server.peers) == 2


# -- cancellation and close --------------------------------------------------------------


async def test_cancel_while_awaiting_the_answer_closes_that_connection(
    server: ScriptedServer,
) -> None:
    """A request cancelled while its answer is awaited closes its connection (the server sees
    the close, the pool counts it gone); the next request works."""
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\npart", Do.HANG)
        server.answer(ok(b"next"))
        task = asyncio.create_task(pool.request(get("/cancelled"), 5.0))
        await server.wait_requests(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert pool.open_connections == 0
        await server.peers[0].ended.wait()
        assert server.peers[0].client_closed
        assert (await pool.request(get("/next"), 5.0)).body == b"next"
    assert [peer for peer, _ in server.requests] == [0, 1]


async def test_close_fails_in_flight_and_waiting_requests_at_once(
    server: ScriptedServer,
) -> None:
    """close(): a request in flight fails at once with sent=True (not at its timeout), one
    waiting for a slot and any later one with sent=False; close is idempotent."""
    async with asyncio.timeout(BOUND_S):
        pool = Pool(server.url, limit=1)
        try:
            in_flight = asyncio.create_task(pool.request(get("/in-flight"), 60.0))
            await server.wait_requests(1)
            waiting = asyncio.create_task(pool.request(get("/waiting"), 60.0))
            for _ in range(10):
                await asyncio.sleep(0)
            assert "waiting=1" in repr(pool)
        finally:
            await pool.close()
        assert pool.closed and pool.open_connections == 0
        sent = await asyncio.gather(in_flight, waiting, return_exceptions=True)
        with pytest.raises(H1Error) as later:
            await pool.request(get("/later"), 60.0)
        await pool.close()
        await server.peers[0].ended.wait()
    assert [type(error) for error in sent] == [H1Error, H1Error]
    assert [(e.sent, e.timeout) for e in sent if isinstance(e, H1Error)] == [
        (True, False),
        (False, False),
    ]
    assert (later.value.sent, later.value.timeout) == (False, False)
    assert server.paths() == ["/in-flight"]
    assert server.peers[0].client_closed


async def test_close_stops_a_connect_under_way_at_once() -> None:
    """close() while a request is still connecting fails it at once with sent=False (not at
    its 60 s deadline), and the pool holds no connection."""
    with unaccepting_port() as port:
        async with asyncio.timeout(BOUND_S):
            pool = Pool(f"http://127.0.0.1:{port}")
            connecting = asyncio.create_task(pool.request(get("/never"), 60.0))
            await asyncio.sleep(0.2)  # the connect is under way, hanging
            assert not connecting.done()
            await pool.close()
            with pytest.raises(H1Error) as failure:
                await connecting
    assert (failure.value.sent, failure.value.timeout, failure.value.connecting) == (
        False,
        False,
        True,
    )
    assert pool.open_connections == 0


async def test_close_closes_idle_connections(server: ScriptedServer) -> None:
    """close() closes idle kept-alive connections too: the server sees each one close."""
    gate = asyncio.Event()
    async with asyncio.timeout(BOUND_S):
        pool = Pool(server.url)
        try:
            server.answer(gate, ok(b"a"))
            server.answer(gate, ok(b"b"))
            both = asyncio.gather(*(pool.request(get(f"/{n}"), 5.0) for n in range(2)))
            await server.wait_requests(2)
            gate.set()
            await both
            assert pool.open_connections == 2
        finally:
            await pool.close()
        assert pool.open_connections == 0
        for peer in server.peers:
            await peer.ended.wait()
    assert [peer.client_closed for peer in server.peers] == [True, True]


async def test_idle_connection_is_closed_after_keepalive(server: ScriptedServer) -> None:
    """An idle connection is closed by the pool after keepalive_s: the server sees the close."""
    async with asyncio.timeout(BOUND_S), pool_for(server, keepalive_s=0.2) as pool:
        server.answer(ok(b"one"))
        assert (await pool.request(get("/1"), 5.0)).body == b"one"
        await server.peers[0].ended.wait()
        assert server.peers[0].client_closed
        assert pool.open_connections == 0


# -- size limits -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        f"HTTP/1.1 200 OK\r\nContent-Length: {MAX_BODY_BYTES + 1}\r\n\r\nabc".encode(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%X\r\nabc" % (MAX_BODY_BYTES + 1),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n%X\r\nabc"
        % (MAX_BODY_BYTES - 2),
        None,
    ],
    ids=["content-length", "one-chunk", "chunks-add-up", "gzip-bomb"],
)
async def test_body_beyond_the_limit_fails(server: ScriptedServer, answer: bytes | None) -> None:
    """A body announced (or decompressed) beyond MAX_BODY_BYTES fails with H1Error(sent=True)
    and closes its connection."""
    if answer is None:  # 64 MiB of zeros, gzipped to 64 KiB
        answer = ok(gzip.compress(bytes(MAX_BODY_BYTES + 1), mtime=0), "Content-Encoding: gzip")
    async with asyncio.timeout(BOUND_S), pool_for(server) as pool:
        server.answer(answer, Do.HANG)
        with pytest.raises(H1Error) as failure:
            await pool.request(get("/big"), 5.0)
        assert failure.value.sent is True
        assert pool.open_connections == 0
        await server.peers[0].ended.wait()
    assert server.peers[0].client_closed
