"""A set of streams kept on a connection for as long as they are wanted.

:class:`Link` owns one logical connection: it opens it (the first streams named in the URL,
the rest subscribed by message), replaces it when it dies (silence, a drop, a close: after a
jittered exponential backoff that starts afresh only once a connection has lived
``idle_timeout_s``, so a server that accepts and drops at once is not hammered; everything
resubscribed) and rotates it before the exchange's 24 h cut (or at once when the server
announces its shutdown): a second connection is opened and subscribed, and
:class:`~.rotation.Rotation` switches each stream once the two overlap.

Its sink hears :meth:`~LinkSink.link_up` right after each connection opens (before any of
its messages is read), and :meth:`~LinkSink.link_down` when one is lost; a rotation is
neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Literal, Protocol

import aiohttp

from ..errors import BinanceError, InvalidRequest, RequestInfo, TransportError
from .connection import Connection
from .rotation import Rotation, combined_stream
from .settings import StreamConfig

__all__ = ["Link", "LinkSink", "Opener", "reconnect_delay_s"]

log = logging.getLogger("binance_async.streams")

#: Opens a WebSocket to a URL (the hub's session, heartbeat and timeouts).
Opener = Callable[[str], Awaitable[aiohttp.ClientWebSocketResponse[Literal[False]]]]

_DOUBLINGS = 20


def reconnect_delay_s(attempt: int, config: StreamConfig, rng: random.Random) -> float:
    """The pause before reconnect ``attempt`` (0: the first after a loss): the base delay
    doubled per attempt up to the cap, then spread by +-``reconnect_jitter`` at random, so
    clients cut at the same moment do not all come back at once."""
    base: float = min(
        config.reconnect_max_delay_s,
        config.reconnect_base_delay_s * 2.0 ** min(attempt, _DOUBLINGS),
    )
    return base * (1.0 + rng.uniform(-config.reconnect_jitter, config.reconnect_jitter))


class LinkSink(Protocol):
    """Where a link's data and its connection changes go."""

    def put(self, data: bytes) -> None:
        """One data message."""

    def link_up(self, link: Link, down_since_ms: int | None) -> None:
        """A connection opened (``down_since_ms``: when the previous one was lost; None on the
        first)."""

    def link_down(self, link: Link, at_ms: int) -> None:
        """The connection was lost at ``at_ms``."""


class Link:
    """Streams on one route, kept on a live connection."""

    def __init__(
        self,
        *,
        opener: Opener,
        url: Callable[[Sequence[str]], str],
        names: Iterable[str],
        sink: LinkSink,
        config: StreamConfig,
        now_ms: Callable[[], int],
        rng: random.Random,
        prefix: bytes = b'{"stream":',
        stream_of: Callable[[bytes], bytes] = combined_stream,
        label: str = "stream",
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._opener = opener
        self._sleep = sleep
        self._url = url
        #: The streams wanted on this link, in subscription order.
        self.names: dict[str, None] = dict.fromkeys(names)
        self._sink = sink
        self._config = config
        self._now_ms = now_ms
        self._rng = rng
        self._prefix = prefix
        self._stream_of = stream_of
        self.label = label
        self._conn: Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._first: asyncio.Future[None] | None = None
        self._rotate_now = asyncio.Event()
        self.reconnects = 0
        self.rotations = 0
        self.duplicates = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Start keeping the link up; return once its first connection opened.

        Raises :class:`~binance_async.errors.InvalidRequest` when the server refuses the
        streams (a 4xx handshake) and :class:`~binance_async.errors.TransportError` when no
        connection opened within ``connect_timeout_s`` (retrying what is transient).
        """
        loop = asyncio.get_running_loop()
        self._first = loop.create_future()
        self._task = loop.create_task(self._supervise(), name=f"binance_async.{self.label}")
        timeout_s = self._config.connect_timeout_s
        try:
            async with asyncio.timeout(timeout_s):
                await asyncio.shield(self._first)
        except TimeoutError:
            await self.aclose()
            url = self._url(list(self.names)[: self._config.url_streams])
            raise TransportError(
                f"no connection within {timeout_s} s", request=RequestInfo("WS", url), sent=False
            ) from None
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Stop: close the connection, end the task (idempotent)."""
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    @property
    def connected(self) -> bool:
        """Whether a connection is open now."""
        return self._conn is not None and self._conn.alive

    @property
    def connection(self) -> Connection | None:
        """The connection in use (None while reconnecting)."""
        return self._conn

    def rotate(self) -> None:
        """Rotate now (as if the connection's time was up)."""
        self._rotate_now.set()

    async def reconnect(self) -> None:
        """Drop the connection in use: a new one opens (its URL read again)."""
        conn = self._conn
        if conn is not None:
            await conn.close()

    # -- subscriptions ---------------------------------------------------------------------

    async def subscribe(self, names: Sequence[str]) -> None:
        """Add ``names``: subscribed on the open connection (a connection opened later takes
        them anyway). Raises what :meth:`Connection.request` raises."""
        new = [n for n in names if n not in self.names]
        self.names.update(dict.fromkeys(new))
        conn = self._conn
        if new and conn is not None and conn.alive:
            await conn.subscribe(new, self._config.url_streams)
            conn.streams.extend(new)

    async def unsubscribe(self, names: Sequence[str]) -> None:
        """Remove ``names`` (their events still queued are dropped by the owner)."""
        gone = [n for n in names if n in self.names]
        for name in gone:
            del self.names[name]
        conn = self._conn
        if gone and conn is not None and conn.alive:
            await conn.request("UNSUBSCRIBE", gone)
            conn.streams = [n for n in conn.streams if n not in gone]

    # -- keeping it up ---------------------------------------------------------------------

    async def _open(self, on_data: Callable[[bytes], None], first: bool) -> Connection:
        """Open a connection carrying every wanted stream; ``first``: tell the sink before
        reading (a reconnect), else (a rotation) just start reading."""
        names = list(self.names)
        in_url = names[: self._config.url_streams]
        url = self._url(in_url)
        try:
            ws = await self._opener(url)
        except aiohttp.WSServerHandshakeError as exc:
            if 400 <= exc.status < 500:
                raise InvalidRequest(f"the server refused {url[:120]}: {exc.status}") from exc
            raise TransportError(str(exc), request=RequestInfo("WS", url), sent=True) from exc
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise TransportError(
                f"could not connect: {exc!r}", request=RequestInfo("WS", url), sent=False
            ) from exc
        conn = Connection(
            ws,
            url=url,
            on_data=on_data,
            config=self._config,
            prefix=self._prefix,
            streams=in_url,
        )
        if first:
            self._sink_up()
        conn.start()
        try:
            rest = names[len(in_url) :]
            if rest:
                await conn.subscribe(rest, self._config.url_streams)
                conn.streams.extend(rest)
        except BaseException:
            await conn.close()
            raise
        return conn

    _down_ms: int | None = None

    def _sink_up(self) -> None:
        self._sink.link_up(self, self._down_ms)

    async def _supervise(self) -> None:
        attempt = 0
        first = self._first
        assert first is not None
        while True:
            try:
                conn = await self._open(self._sink.put, first=True)
            except asyncio.CancelledError:
                raise
            except InvalidRequest as exc:
                if not first.done():
                    first.set_exception(exc)
                    return
                log.warning("%s: %s; retrying", self.label, exc)
            except (BinanceError, aiohttp.ClientError, OSError) as exc:
                log.info("%s: connecting failed (%r)", self.label, exc)
            else:
                self._conn = conn
                if not first.done():
                    first.set_result(None)
                opened_s = asyncio.get_running_loop().time()
                silent = await self._serve(conn)
                if asyncio.get_running_loop().time() - opened_s >= self._config.idle_timeout_s:
                    attempt = 0  # it lived: the next loss starts the backoff afresh

                self._conn = None
                # A connection found dead by the watchdog may have been silent that long.
                quiet_ms = int(self._config.idle_timeout_s * 1000) if silent else 0
                self._down_ms = self._now_ms() - quiet_ms
                self.reconnects += 1
                self._sink.link_down(self, self._down_ms)
                log.info("%s: connection lost; reconnecting", self.label)
            await self._sleep(reconnect_delay_s(attempt, self._config, self._rng))
            attempt += 1

    async def _serve(self, conn: Connection) -> bool:
        """Until the connection in use dies (rotating it when its time is up); whether the
        watchdog found it silent."""
        loop = asyncio.get_running_loop()
        while True:
            reader = conn.task
            assert reader is not None
            rotate_in = conn.opened_at + self._config.rotate_after_s - loop.time()
            shutdown = loop.create_task(conn.shutdown.wait())
            now = loop.create_task(self._rotate_now.wait())
            try:
                await asyncio.wait(
                    (reader, shutdown, now),
                    timeout=max(rotate_in, 0.0),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                shutdown.cancel()
                now.cancel()
            if reader.done():
                await conn.close()
                return conn.silent
            self._rotate_now.clear()
            conn = await self._rotated(conn)
            self._conn = conn

    async def _rotated(self, old: Connection) -> Connection:
        """Open a second connection and switch to it; the old one if that fails."""
        rotation = Rotation(self._sink.put, self._stream_of)
        old.on_data = rotation.from_old
        try:
            new = await self._open(rotation.from_new, first=False)
        except asyncio.CancelledError:
            raise
        except (BinanceError, aiohttp.ClientError, OSError) as exc:
            log.info("%s: rotation failed (%r); keeping the old connection", self.label, exc)
            rotation.finish()
            old.on_data = self._sink.put
            old.opened_at = asyncio.get_running_loop().time() - self._config.rotate_after_s + 1.0
            return old
        wanted = len(self.names)
        loop = asyncio.get_running_loop()
        until = loop.time() + self._config.rotation_grace_s
        while rotation.switched < wanted and old.alive and new.alive:
            remaining = until - loop.time()
            if remaining <= 0:
                break
            rotation.changed.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(remaining, 0.05)):
                    await rotation.changed.wait()
        if not new.alive and old.alive:
            rotation.finish()
            old.on_data = self._sink.put
            await new.close()
            return old
        new.on_data = self._sink.put
        rotation.finish()
        self.duplicates += rotation.duplicates
        await old.close()
        self.rotations += 1
        log.info("%s: rotated to a new connection", self.label)
        return new

    def __repr__(self) -> str:
        state = "up" if self.connected else "down"
        return f"<Link {self.label} {state} streams={len(self.names)} reconnects={self.reconnects}>"
