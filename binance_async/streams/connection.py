"""One WebSocket, read without pause: data to its sink, control answers to their callers.

:class:`Connection` wraps an aiohttp client WebSocket. Its reader task takes every message as
it arrives, whatever the consumer does, so the socket never backs up: a data message (the
common case, recognised by its first bytes) goes to ``on_data`` untouched; anything else is
decoded here: the answer to a control message (``{"result": ..., "id": n}``) wakes its
caller, ``serverShutdown`` announces the end of the connection, and any other event goes to
``on_data`` too. aiohttp answers the server's pings (``autoping``) and pings a silent server
itself (``heartbeat``): nothing for two thirds of the idle timeout sends a ping, and no answer
within the last third closes the connection.

Control messages (``SUBSCRIBE`` ...) carry increasing ids and leave ``1 / control_rate_per_s``
apart (8 a second by default: the exchange disconnects past 10 incoming messages a second,
pings and pongs included); each waits ``control_timeout_s`` for its answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, Literal

import aiohttp
import orjson

from ..errors import InvalidRequest, RequestInfo, TransportError
from .settings import StreamConfig

__all__ = ["Connection", "DataSink"]

log = logging.getLogger("binance_async.streams")

DataSink = Callable[[bytes], None]

_DATA = (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY)


def _shutdown(obj: dict[str, Any]) -> bool:
    event = obj.get("event")
    inner = event if isinstance(event, dict) else obj
    return inner.get("e") == "serverShutdown"


class Connection:
    """One open WebSocket and its reader task."""

    def __init__(
        self,
        ws: aiohttp.ClientWebSocketResponse[Literal[False]],
        *,
        url: str,
        on_data: DataSink,
        config: StreamConfig,
        prefix: bytes,
        streams: Sequence[str] = (),
    ) -> None:
        self.ws = ws
        self.url = url
        #: Where data messages go; swapped during a rotation.
        self.on_data = on_data
        self._config = config
        self._prefix = prefix
        #: The streams this connection is subscribed to.
        self.streams: list[str] = list(streams)
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.opened_at = loop.time()
        #: Set when the server announced it will close this connection.
        self.shutdown = asyncio.Event()
        self._answers: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 1
        self._next_send = 0.0
        self._send_lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        #: Ended by the silence watchdog (it may have been silent for the idle timeout).
        self.silent = False

    # -- reading ---------------------------------------------------------------------------

    def start(self) -> asyncio.Task[None]:
        """Start reading; the task ends when the connection does."""
        self._task = self._loop.create_task(self._read(), name=f"binance_async.ws {self.url}")
        return self._task

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The reader task (None before :meth:`start`)."""
        return self._task

    @property
    def alive(self) -> bool:
        """Open and being read."""
        task = self._task
        return task is not None and not task.done() and not self.ws.closed

    async def _read(self) -> None:
        ws = self.ws
        prefix = self._prefix
        try:
            while True:
                msg = await ws.receive()
                if msg.type in _DATA:
                    data = msg.data
                    if data.__class__ is str:
                        data = data.encode()
                    if data.startswith(prefix):
                        self.on_data(data)
                    else:
                        self._other(data)
                else:
                    break
        finally:
            exc = ws.exception()
            if exc is not None:
                log.info("stream %s ended: %r", self.url, exc)
            self.silent = isinstance(exc, aiohttp.ServerTimeoutError)
            for answer in self._answers.values():
                if not answer.done():
                    answer.set_exception(self._lost("the connection ended"))
            self._answers.clear()

    def _other(self, data: bytes) -> None:
        """A message that is not a plain data message: a control answer, a shutdown notice,
        or an event in another shape (handed on)."""
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError:
            log.warning("stream %s: unreadable message %r", self.url, data[:120])
            return
        if isinstance(obj, dict):
            rid = obj.get("id")
            if type(rid) is int and ("result" in obj or "error" in obj or "code" in obj):
                answer = self._answers.pop(rid, None)
                if answer is not None and not answer.done():
                    answer.set_result(obj)
                return
            if _shutdown(obj):
                log.info("stream %s: the server announced its shutdown", self.url)
                self.shutdown.set()
                return
        self.on_data(data)

    # -- control messages ------------------------------------------------------------------

    def _lost(self, why: str) -> TransportError:
        return TransportError(why, request=RequestInfo("WS", self.url), sent=True)

    async def request(self, method: str, params: Sequence[Any] | None = None) -> Any:
        """Send one control message and return its ``result``.

        Raises :class:`~binance_async.errors.InvalidRequest` when the server refuses it (an
        ``error``/``code`` answer) and :class:`~binance_async.errors.TransportError` when no
        answer comes within ``control_timeout_s`` or the connection ends first.
        """
        config = self._config
        async with self._send_lock:
            wait_s = self._next_send - self._loop.time()
            if wait_s > 0:
                await asyncio.sleep(wait_s)
            self._next_send = self._loop.time() + 1.0 / config.control_rate_per_s
            rid = self._next_id
            self._next_id += 1
            answer: asyncio.Future[Any] = self._loop.create_future()
            self._answers[rid] = answer
            message: dict[str, Any] = {"method": method, "id": rid}
            if params is not None:
                message["params"] = list(params)
            try:
                await self.ws.send_str(orjson.dumps(message).decode())
            except (aiohttp.ClientError, ConnectionError, RuntimeError) as exc:
                self._answers.pop(rid, None)
                raise self._lost(f"{method} could not be sent: {exc}") from exc
        try:
            async with asyncio.timeout(config.control_timeout_s):
                reply = await answer
        except TimeoutError:
            self._answers.pop(rid, None)
            raise self._lost(f"{method} (id {rid}) got no answer") from None
        error = reply.get("error") if isinstance(reply.get("error"), dict) else reply
        if "code" in error and error.get("code") is not None:
            raise InvalidRequest(f"{method} refused: {error.get('code')} {error.get('msg')}")
        return reply.get("result")

    async def subscribe(self, names: Sequence[str], chunk: int) -> None:
        """``SUBSCRIBE`` ``names``, ``chunk`` per message (each message waits its turn)."""
        for i in range(0, len(names), chunk):
            await self.request("SUBSCRIBE", names[i : i + chunk])

    # -- closing ---------------------------------------------------------------------------

    async def close(self) -> None:
        """Close the WebSocket (a close frame, briefly awaited) and stop reading."""
        with contextlib.suppress(Exception):
            async with asyncio.timeout(1.0):
                await self.ws.close()
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def __repr__(self) -> str:
        state = "open" if self.alive else "closed"
        return f"<Connection {self.url[:80]} {state} streams={len(self.streams)}>"
