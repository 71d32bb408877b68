"""A client's streams: where they connect, the session they share, and which are open.

The client owns one :class:`StreamHub`. It opens WebSockets through one aiohttp session (the
client's own when it was given one, else a session made here, in the running loop, and closed
with the hub), and closes every stream still open when the client closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Literal, Protocol

from ..errors import (
    BinanceError,
    InvalidRequest,
    InvalidTimestamp,
    IPBanned,
    MalformedAnswer,
    RateLimited,
    ServerBusy,
    TransportError,
    UnknownOutcome,
)
from ..venue import StreamPaths, Urls
from .settings import StreamConfig

if TYPE_CHECKING:  # aiohttp loads with the first stream (REST needs none of it)
    import aiohttp

__all__ = ["Closeable", "StreamHub", "retryable", "stream_urls"]

#: Failures a stream's REST call may outlast by trying again (the others are the caller's).
_RETRYABLE = (
    TransportError,
    ServerBusy,
    RateLimited,
    UnknownOutcome,
    InvalidTimestamp,
    MalformedAnswer,
    IPBanned,
)

#: Largest message accepted (an all-market ticker array is a few hundred kB).
_MAX_MESSAGE = 16 * 1024 * 1024


class Closeable(Protocol):
    """A stream the hub closes with the client."""

    async def aclose(self) -> None:
        """Close (idempotent)."""


class StreamHub:
    """Connects a client's streams and closes them with it."""

    def __init__(
        self,
        *,
        config: StreamConfig,
        market_url: str | None,
        private_url: str | None,
        now_ms: Callable[[], int],
        session: aiohttp.ClientSession | None = None,
        rng: random.Random | None = None,
        paths: StreamPaths | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        #: How the streams wait (reconnect backoff): the client's, so tests can drive it.
        self.sleep = sleep
        #: The venue's stream paths under ``market_url`` (which route a stream goes to).
        self.paths = paths or StreamPaths()
        self._market_url = market_url.rstrip("/") if market_url else None
        self._private_url = private_url.rstrip("/") if private_url else None
        self.now_ms = now_ms
        self.rng = rng or random.Random()
        self._borrowed = session
        self._session: aiohttp.ClientSession | None = None
        self._open: set[Closeable] = set()
        self._closed = False

    @property
    def market_url(self) -> str:
        """The market streams' host (the venue's :attr:`paths` go after it).

        Raises :class:`~binance_async.errors.InvalidRequest` when the client has none (a
        custom ``base_url`` without ``stream_url``).
        """
        if self._market_url is None:
            raise InvalidRequest("this client has a custom base_url: give stream_url too")
        return self._market_url

    @property
    def private_url(self) -> str:
        """The user data streams' base (``/ws?listenKey=`` goes after it).

        Raises :class:`~binance_async.errors.InvalidRequest` when the client has none.
        """
        if self._private_url is None:
            raise InvalidRequest("this client has a custom base_url: give stream_url too")
        return self._private_url

    def add(self, stream: Closeable) -> None:
        """Hold ``stream`` until it closes. Raises ``RuntimeError`` once the hub closed."""
        if self._closed:
            raise RuntimeError("the client is closed; its streams cannot open")
        self._open.add(stream)

    def discard(self, stream: Closeable) -> None:
        """Forget a stream that closed."""
        self._open.discard(stream)

    @property
    def open_streams(self) -> int:
        """Streams open now."""
        return len(self._open)

    async def connect(self, url: str) -> aiohttp.ClientWebSocketResponse[Literal[False]]:
        """A WebSocket to ``url``: pongs answered, a silent server pinged, text left as bytes.

        Raises aiohttp's errors and ``TimeoutError`` (``connect_timeout_s``).
        """
        import aiohttp

        if self._closed:
            raise RuntimeError("the client is closed")
        session = self._borrowed or self._session
        if session is None:
            connector = aiohttp.TCPConnector(limit=0, ttl_dns_cache=300)
            session = self._session = aiohttp.ClientSession(
                connector=connector, skip_auto_headers=("User-Agent",)
            )
        config = self.config
        async with asyncio.timeout(config.connect_timeout_s):
            return await session.ws_connect(
                url,
                autoping=True,
                heartbeat=config.idle_timeout_s * 2 / 3,
                decode_text=False,
                max_msg_size=_MAX_MESSAGE,
                timeout=aiohttp.ClientWSTimeout(ws_close=1.0),
            )

    async def aclose(self) -> None:
        """Close every stream, then the session made here (idempotent)."""
        self._closed = True
        streams = list(self._open)
        for stream in streams:
            with contextlib.suppress(Exception):
                await stream.aclose()
        self._open.clear()
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def stream_urls(
    venue: Urls | None, stream_url: str | None, paths: StreamPaths | None = None
) -> tuple[str | None, str | None]:
    """(market streams host, private streams base) for a client.

    ``stream_url`` names the host (the venue's ``paths`` go after it: USD-M's ``/public``,
    ``/market`` and ``/private``); without it the venue's (None for a client with a custom
    ``base_url``: a simulator's client must never reach the exchange's streams by default).
    """
    if stream_url is not None:
        if not isinstance(stream_url, str) or not stream_url.startswith(("ws://", "wss://")):
            raise ValueError(f"stream_url must be a ws:// or wss:// URL, got {stream_url!r}")
        host = stream_url.rstrip("/")
        return host, f"{host}{(paths or StreamPaths()).private}"
    if venue is None:
        return None, None
    return venue.market_streams, venue.private_streams


def retryable(exc: BinanceError) -> bool:
    """Whether a stream's REST call that failed with ``exc`` is worth trying again later
    (a lost connection, a busy or rate-limiting exchange, a ban that ends); a refusal of the
    request itself (a bad symbol, a missing key) is not."""
    return isinstance(exc, _RETRYABLE)
