"""How the HTTP/1.1 pool finds and reaches the exchange: one lookup per TTL, and the next
address tried when one is refused or silent (RFC 8305)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Iterator

import pytest

from binance_async.h1 import H1Error, Pool, Response, interleave

BOUND_S = 10.0
V4, V6 = int(socket.AF_INET), int(socket.AF_INET6)


class Server:
    """Answers every request on 127.0.0.1 with 200 (closing after it when ``close``)."""

    def __init__(self, *, close: bool = False) -> None:
        self.close = close
        self.connections = 0
        self.heads: list[bytes] = []
        self.port = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        connection = b"close" if self.close else b"keep-alive"
        try:
            while True:
                self.heads.append(await reader.readuntil(b"\r\n\r\n"))
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: "
                    + connection
                    + b"\r\n\r\nok"
                )
                await writer.drain()
                if self.close:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def serving(*, close: bool = False) -> AsyncIterator[Server]:
    server = Server(close=close)
    listener = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.port = listener.sockets[0].getsockname()[1]
    try:
        yield server
    finally:
        listener.close()
        await listener.wait_closed()


class Resolver:
    """A resolver a test scripts: each call takes the next answer (an exception raises)."""

    def __init__(self, *answers: list[tuple[int, str]] | BaseException) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, int]] = []
        self.called = asyncio.Event()
        self.gate: asyncio.Event | None = None

    async def __call__(self, host: str, port: int) -> list[tuple[int, str]]:
        self.calls.append((host, port))
        self.called.set()
        if self.gate is not None:
            await self.gate.wait()
        answer = self.answers[min(len(self.calls), len(self.answers)) - 1]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def get(path: str = "/x") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: exchange.test\r\n\r\n".encode()


async def ask_once(base_url: str, resolve: Resolver | None = None) -> Response:
    """One GET through a pool of its own, closed after."""
    pool = Pool(base_url, resolve=resolve)
    try:
        async with asyncio.timeout(BOUND_S):
            return await pool.request(get(), 5.0)
    finally:
        await pool.close()


@contextlib.contextmanager
def silent(ip: str, port: int) -> Iterator[None]:
    """``ip:port`` listens but never accepts, its queue full: a connect to it hangs."""
    listener = socket.socket()
    fillers: list[socket.socket] = []
    try:
        listener.bind((ip, port))
        listener.listen(0)
        for _ in range(4):
            filler = socket.socket()
            fillers.append(filler)
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect((ip, port))
        yield
    finally:
        for sock in (*fillers, listener):
            sock.close()


async def test_one_lookup_serves_every_connection_until_its_ttl() -> None:
    """Five requests at once open five connections on one lookup; once the TTL has passed,
    the next new connection looks the host up again. The Host header keeps the name."""
    async with serving(close=True) as server:
        resolver = Resolver([(V4, "127.0.0.1")])
        pool = Pool(f"http://exchange.test:{server.port}", resolve=resolver, dns_ttl_s=0.2)
        try:
            async with asyncio.timeout(BOUND_S):
                answers = await asyncio.gather(*(pool.request(get(), 5.0) for _ in range(5)))
                assert len(resolver.calls) == 1
                await pool.request(get(), 5.0)  # a new connection (the last one closed)
                assert len(resolver.calls) == 1
                await asyncio.sleep(0.3)
                await pool.request(get(), 5.0)
        finally:
            await pool.close()
    assert [a.body for a in answers] == [b"ok"] * 5
    assert server.connections == 7
    assert resolver.calls == [("exchange.test", server.port)] * 2
    assert pool.common.startswith(f"Host: exchange.test:{server.port}\r\n")


async def test_a_failed_lookup_fails_unsent_and_is_not_kept() -> None:
    """A lookup that fails is a connect error with sent=False; the next request looks up
    again and goes through."""
    async with serving() as server:
        resolver = Resolver(socket.gaierror(socket.EAI_NONAME, "no such host"), [(V4, "127.0.0.1")])
        pool = Pool(f"http://exchange.test:{server.port}", resolve=resolver)
        try:
            async with asyncio.timeout(BOUND_S):
                with pytest.raises(H1Error) as failure:
                    await pool.request(get(), 5.0)
                answer = await pool.request(get(), 5.0)
        finally:
            await pool.close()
    assert (failure.value.sent, failure.value.connecting, failure.value.timeout) == (
        False,
        True,
        False,
    )
    assert "gaierror" in str(failure.value)
    assert answer.body == b"ok" and len(resolver.calls) == 2 and server.connections == 1


async def test_a_refused_address_falls_through_to_the_next() -> None:
    """The first address refuses (nothing listens there): the second one serves."""
    async with serving() as server:
        resolver = Resolver([(V4, "127.0.0.2"), (V4, "127.0.0.1")])
        answer = await ask_once(f"http://exchange.test:{server.port}", resolver)
    assert answer.body == b"ok" and server.connections == 1


async def test_a_silent_address_does_not_hold_the_next_back() -> None:
    """The first address never answers the connect: the second joins the race after the
    attempt delay and serves, well inside the request's deadline; the hanging attempt is
    stopped (nothing is left open: warnings are errors here)."""
    async with serving() as server:
        with silent("127.0.0.2", server.port):
            resolver = Resolver([(V4, "127.0.0.2"), (V4, "127.0.0.1")])
            pool = Pool(f"http://exchange.test:{server.port}", resolve=resolver)
            try:
                async with asyncio.timeout(BOUND_S):
                    answer = await pool.request(get(), 5.0)
                    assert pool.open_connections == 1
            finally:
                await pool.close()
    assert answer.body == b"ok" and server.connections == 1


async def test_every_address_failing_is_one_unsent_error() -> None:
    """No address accepts: one H1Error, sent=False, naming the first failure."""
    async with serving() as server:
        port = server.port
    resolver = Resolver([(V4, "127.0.0.2"), (V4, "127.0.0.3")])
    pool = Pool(f"http://exchange.test:{port}", resolve=resolver)
    try:
        async with asyncio.timeout(BOUND_S):
            with pytest.raises(H1Error) as failure:
                await pool.request(get(), 5.0)
    finally:
        await pool.close()
    assert (failure.value.sent, failure.value.connecting) == (False, True)
    assert "ConnectionRefusedError" in str(failure.value)
    assert pool.open_connections == 0


async def test_close_during_a_lookup_fails_the_request_at_once() -> None:
    """close() while the lookup is under way: the request fails at once with sent=False,
    not at its 60 s deadline."""
    resolver = Resolver([(V4, "127.0.0.1")])
    resolver.gate = asyncio.Event()  # never set: the lookup hangs
    pool = Pool("http://exchange.test:9", resolve=resolver)
    async with asyncio.timeout(BOUND_S):
        request = asyncio.create_task(pool.request(get(), 60.0))
        await resolver.called.wait()
        await pool.close()
        with pytest.raises(H1Error) as failure:
            await request
    assert (failure.value.sent, failure.value.timeout) == (False, False)


async def test_localhost_through_the_system_resolver() -> None:
    """A name the system resolves (localhost): whichever of its addresses refuses, the
    one the server listens on serves."""
    async with serving() as server:
        answer = await ask_once(f"http://localhost:{server.port}")
    assert answer.body == b"ok" and server.connections == 1


def test_families_alternate_from_the_first_address() -> None:
    """RFC 8305's order: the first address's family first, then the families in turn, each
    in its own order, every address once."""
    a6, b6, c6 = (V6, "2001:db8::1"), (V6, "2001:db8::2"), (V6, "2001:db8::3")
    a4, b4 = (V4, "192.0.2.1"), (V4, "192.0.2.2")
    assert interleave([a6, b6, c6, a4, b4]) == [a6, a4, b6, b4, c6]
    assert interleave([a4, a6, a4, b4]) == [a4, a6, b4]
    assert interleave([]) == []
