"""What every venue's client shares: keys, lifecycle, live state, the validated call path.

A client is built from a venue (a class attribute of the concrete client) and its keys. It
composes the core (gateway, reconciler, batches) over an HTTP transport, and its methods are
small: check the keyword arguments against the endpoint's parameter specs, send, return the
model. ``aclose()`` lets calls in flight end (with their result, a definite error or
``ExecutionUnknown``) within ``close_timeout_s``, then closes.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import traceback
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import attrs

from .amend import Amendments
from .batches import Batches
from .budget import BudgetStore
from .clock import SYSTEM_TIME, ServerClock, TimeSource
from .config import ClientConfig, RetryConfig
from .endpoint import Endpoint
from .errors import FilterRejected, InvalidRequest, UnknownSymbol
from .gateway import Gateway
from .http import HttpTransport
from .models.exchange import ExchangeInfo, SymbolInfo
from .params import check_symbol_format
from .ratelimits import LimitsSnapshot, Priority, RateLimit
from .reconcile import InterruptedOrder, Reconciler, new_client_order_id
from .signing import make_signer
from .streams.hub import StreamHub, stream_urls
from .streams.settings import StreamConfig
from .venue import Venue

if TYPE_CHECKING:  # loaded with the first WebSocket API session or stream (import time)
    import aiohttp

    from .wsapi import WsApiTransport

__all__ = ["ClientBase", "ClientState", "ClientStats"]

C = TypeVar("C", bound="ClientBase")
T = TypeVar("T")


class ClientState(enum.Enum):
    """Where a client is in its life."""

    NEW = "new"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


@attrs.frozen(kw_only=True)
class ClientStats:
    """What a client did so far (a snapshot)."""

    requests: int
    timestamp_resends: int
    rate_limited: int
    backoffs: int
    #: Unknown outcomes settled by querying, and orders sent again once proven absent.
    reconciliations: int
    resubmissions: int
    #: The new-risk orders allowed in flight now, and the lowest -1008 pushed it.
    orders_in_flight: int
    orders_in_flight_limit: int
    orders_in_flight_lowest: int
    clock_resyncs: int
    #: Clock samples held aside because they contradicted the estimate.
    clock_outliers: int


def _check_api_key(api_key: object) -> str | None:
    if api_key is None:
        return None
    if not isinstance(api_key, str) or not api_key:
        raise InvalidRequest(f"api_key must be a non-empty str, got {type(api_key).__name__}")
    if not (api_key.isascii() and api_key.isprintable()) or any(c.isspace() for c in api_key):
        raise InvalidRequest("api_key holds whitespace, CR/LF or non-printable characters")
    return api_key


def _scrubbed(error: BaseException) -> BaseException:
    """``error`` without the frames (and chained errors) that saw the key material."""
    traceback.clear_frames(error.__traceback__)
    error.__context__ = error.__cause__ = None
    error.__suppress_context__ = True
    return error.with_traceback(None)


class ClientBase:
    """Keys, lifecycle and the validated call path, for a concrete client's ``venue``."""

    venue: ClassVar[Venue]
    #: An unknown symbol re-reads the rules, at most this often.
    _UNKNOWN_SYMBOL_REFRESH_S = 60.0

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | bytes | None = None,
        *,
        private_key: bytes | str | Path | None = None,
        private_key_passphrase: bytes | str | None = None,
        base_url: str | None = None,
        ws_api_url: str | None = None,
        testnet: bool = False,
        recv_window_ms: int | float = 5000,
        request_timeout_s: float = 10.0,
        call_deadline_s: float = 60.0,
        close_timeout_s: float = 5.0,
        exchange_info_ttl_s: float = 3600.0,
        local_addresses: Sequence[str] | None = None,
        egress_address: str | None = None,
        connections_per_address: int = 100,
        keepalive_timeout_s: float = 30.0,
        max_orders_in_flight: int = 200,
        rate_limits: Sequence[RateLimit] | None = None,
        retry: RetryConfig | None = None,
        session: aiohttp.ClientSession | None = None,
        budget_store: BudgetStore | None = None,
        account: str | None = None,
        time_source: TimeSource = SYSTEM_TIME,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        stream_url: str | None = None,
        stream_rotate_after_s: float = 23 * 3600.0,
        stream_idle_timeout_s: float = 30.0,
        stream_queue_size: int = 10_000,
    ) -> None:
        """Build a client (nothing is connected until ``open()`` or ``async with``).

        ``egress_address`` names the address requests leave from when ``local_addresses`` is
        not given (``"default"``): in a shared ``budget_store`` each name is its own weight
        budget, so hosts leaving through different public addresses give theirs, and hosts
        behind one address the same one.

        REST goes through the library's own HTTP/1.1 pools, which never resend. A ``session``
        (aiohttp) is borrowed instead, for REST, streams and the WebSocket API, and never
        closed; it keeps its own behaviour, aiohttp's silent resend of a PUT or DELETE on a
        dropped kept-alive connection included.

        Raises :class:`~binance_async.errors.InvalidRequest` for a malformed key and
        ``ValueError`` for a bad setting; neither keeps the key material in its traceback.
        """
        # Streams: the venue's hosts, or stream_url's; none for a custom base_url without it.
        stream_hosts = stream_urls(
            None
            if base_url is not None
            else (self.venue.testnet if testnet else self.venue.production),
            stream_url,
            self.venue.stream_paths,
        )
        stream_config = StreamConfig(
            rotate_after_s=stream_rotate_after_s,
            idle_timeout_s=stream_idle_timeout_s,
            queue_size=stream_queue_size,
            control_rate_per_s=self.venue.stream_messages_per_s - 2,
        )
        try:
            signer = make_signer(
                api_secret=api_secret,
                private_key=private_key,
                private_key_passphrase=private_key_passphrase,
            )
            failure: BaseException | None = None
        except BaseException as exc:
            failure = exc
        # Nothing of the key stays in this frame: a traceback keeps a frame's locals alive.
        api_secret = private_key = private_key_passphrase = None
        if failure is not None:
            raise _scrubbed(failure)
        if base_url is None:
            urls = self.venue.testnet if testnet else self.venue.production
            base_url = urls.rest
            if ws_api_url is None:
                ws_api_url = urls.ws_api
        elif testnet:
            raise InvalidRequest("give base_url or testnet=True, not both")
        # A custom base_url without ws_api_url leaves the WebSocket API unset: it is never
        # guessed (a simulator's client must not reach the real exchange's socket).
        self._ws_api_url = ws_api_url
        self.config = ClientConfig(
            base_url=base_url,
            recv_window_ms=recv_window_ms,
            recv_window_decimals=self.venue.recv_window_decimals,
            request_timeout_s=request_timeout_s,
            call_deadline_s=call_deadline_s,
            close_timeout_s=close_timeout_s,
            local_addresses=local_addresses,
            connections_per_address=connections_per_address,
            keepalive_timeout_s=keepalive_timeout_s,
            max_orders_in_flight=max_orders_in_flight,
            rate_limits=rate_limits,
            retry=retry or RetryConfig(),
        )
        key = _check_api_key(api_key)
        if signer is not None and key is None:
            raise InvalidRequest("a secret or private key was given without its api_key")
        if account is None:  # the budget's name in a shared store: not the key itself
            account = hashlib.sha256(key.encode()).hexdigest()[:16] if key else "anonymous"
        transport = HttpTransport(
            base_url=base_url,
            api_key=key,
            recv_window_ms=recv_window_ms,
            local_addresses=self.config.local_addresses,
            connections_per_address=connections_per_address,
            keepalive_timeout_s=keepalive_timeout_s,
            session=session,
            egress_address=egress_address,
        )
        self._gateway = Gateway(
            venue=self.venue,
            config=self.config,
            transport=transport,
            signer=signer,
            has_key=key is not None,
            account=account,
            budget_store=budget_store,
            time_source=time_source,
            sleep=sleep,
        )
        self._api_key = key
        self._session = session
        self._ws_sessions: set[Any] = set()
        self._reconciler = Reconciler(self._gateway)
        self._amend = Amendments(self._reconciler)
        self._batches = Batches(self._reconciler, self._amend)
        self._key_kind = signer.kind if signer is not None else None
        self._symbols: dict[str, SymbolInfo] | None = None
        self._symbols_until_ns = 0  # the cache is stale from then on
        self._symbols_at_ns = 0
        self._info_lock = asyncio.Lock()
        self._time_source = time_source
        if not exchange_info_ttl_s > 0:
            raise ValueError(f"exchange_info_ttl_s must be > 0, got {exchange_info_ttl_s!r}")
        #: How long cached symbol rules are trusted before they are read again.
        self.exchange_info_ttl_s = float(exchange_info_ttl_s)
        self._state = ClientState.NEW
        self._active = 0
        self._idle: asyncio.Event | None = None
        #: The client's streams: market, order books, user data (closed with the client).
        self._stream_hub = StreamHub(
            config=stream_config,
            market_url=stream_hosts[0],
            private_url=stream_hosts[1],
            now_ms=self._gateway.clock.now_ms,
            session=session,
            paths=self.venue.stream_paths,
            sleep=sleep,
        )

    # -- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self: C) -> C:
        await self.open()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    @property
    def state(self) -> ClientState:
        """Where the client is in its life."""
        return self._state

    async def open(self) -> None:
        """Open the connections and sync the clock (``async with`` does this).

        Raises ``RuntimeError`` on a closed client, and what the clock's sync raised
        (:class:`~binance_async.errors.MalformedAnswer` for unreadable time answers).
        """
        if self._state in (ClientState.CLOSING, ClientState.CLOSED):
            raise RuntimeError("this client was closed; make a new one")
        if self._state is ClientState.OPEN:
            return
        self._state = ClientState.OPEN
        try:
            await self._gateway.open()
        except BaseException:
            await self.aclose()
            raise

    async def aclose(self) -> None:
        """Let calls in flight end (within ``close_timeout_s``), then close; idempotent.

        Calls in flight end with their result, a definite error or ``ExecutionUnknown``;
        calls started from now on raise ``RuntimeError``.
        """
        if self._state in (ClientState.CLOSING, ClientState.CLOSED):
            return
        opened = self._state is ClientState.OPEN
        self._state = ClientState.CLOSING
        gateway = self._gateway
        await self._stream_hub.aclose()  # streams end first: their iterations stop
        if opened:
            timeout_s = self.config.close_timeout_s
            loop = asyncio.get_running_loop()
            until = loop.time() + timeout_s
            gateway.deadlines.begin_close(timeout_s)
            await self._wait_idle(timeout_s)
            await self._reconciler.settle_interrupted(until - loop.time())
        for session in list(self._ws_sessions):
            await session.aclose()
        await gateway.close()
        if self._active:  # whatever was still on the wire fails fast now the transport is shut
            await self._wait_idle(self.config.retry.max_delay_s + 1.0)
        self._state = ClientState.CLOSED

    async def _wait_idle(self, timeout_s: float) -> None:
        if not self._active:
            return
        self._idle = asyncio.Event()
        try:
            async with asyncio.timeout(timeout_s):
                await self._idle.wait()
        except TimeoutError:
            pass
        finally:
            self._idle = None

    def __del__(self, _warn: Callable[..., None] = warnings.warn) -> None:
        if getattr(self, "_state", None) is ClientState.OPEN:
            _warn(
                f"{type(self).__name__} was dropped while open; use 'async with' or aclose()",
                ResourceWarning,
                stacklevel=2,
                source=self,
            )

    def __repr__(self) -> str:
        return (
            f"<{type(self).__name__} {self.config.base_url} {self._state.value} "
            f"key={self._key_kind or 'none'} {self.clock!r} {self._gateway.limiter!r}>"
        )

    # -- live state ------------------------------------------------------------------------

    @property
    def clock(self) -> ServerClock:
        """The server-clock estimate (``offset_ms``, ``uncertainty_ms``)."""
        return self._gateway.clock

    @property
    def limits(self) -> LimitsSnapshot:
        """Used / limit per window, and any ban or pause."""
        return self._gateway.limiter.snapshot

    @property
    def stats(self) -> ClientStats:
        """Counters of requests, resends, backoffs and settled unknown outcomes."""
        gw, rec = self._gateway, self._reconciler
        return ClientStats(
            requests=gw.stats.requests,
            timestamp_resends=gw.stats.timestamp_resends,
            rate_limited=gw.stats.rate_limited,
            backoffs=gw.stats.backoffs,
            reconciliations=rec.reconciliations,
            resubmissions=rec.resubmissions,
            orders_in_flight=gw.orders_gate.in_flight,
            orders_in_flight_limit=gw.orders_gate.limit,
            orders_in_flight_lowest=gw.orders_gate.lowest_limit,
            clock_resyncs=gw.clock.resyncs,
            clock_outliers=gw.clock.outliers,
        )

    @property
    def interrupted_orders(self) -> Mapping[str, InterruptedOrder[Any]]:
        """Placements whose caller was cancelled while the order may have left, by client
        order id; each settles in the background (``await .result()``)."""
        return self._reconciler.interrupted

    @staticmethod
    def new_client_order_id() -> str:
        """A fresh client order id (allowed characters, 35 long), to know it before calling."""
        return new_client_order_id()

    # -- the call path ---------------------------------------------------------------------

    def _begin(self) -> int:
        """Count a call in; its deadline. ``RuntimeError`` unless the client is open."""
        if self._state is not ClientState.OPEN:
            raise RuntimeError(
                f"client is {self._state.value}: use 'async with {type(self).__name__}(...)'"
            )
        self._active += 1
        return self._gateway.deadlines.deadline_ns()

    def _end(self) -> None:
        self._active -= 1
        if not self._active and self._idle is not None:
            self._idle.set()

    async def _run(self, call: Callable[[int], Awaitable[T]]) -> T:
        """Run ``call(deadline_ns)`` as one counted call of this client; a filter refusal
        (in the answer or in any item of a batch's) marks the cached symbol rules stale."""
        deadline_ns = self._begin()
        try:
            result = await call(deadline_ns)
        except FilterRejected:
            self._rules_refused()
            raise
        finally:
            self._end()
        if isinstance(result, list) and any(isinstance(r, FilterRejected) for r in result):
            self._rules_refused()
        return result

    async def _call(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        priority: Priority = Priority.NORMAL,
    ) -> Any:
        """Send wire ``params`` to ``endpoint``; its model."""
        deadline_ns = self._begin()
        try:
            return await self._gateway.request(
                endpoint, params, priority=priority, deadline_ns=deadline_ns
            )
        finally:
            self._end()

    async def _read(self, endpoint: Endpoint, **values: Any) -> Any:
        """Check keyword ``values`` against the endpoint's specs, send, return its model."""
        return await self._call(endpoint, endpoint.wire(values))

    def _ws_api_transport(
        self, *, rotate_after_s: float, heartbeat_s: float | None, session_logon: bool
    ) -> WsApiTransport:
        """A WebSocket API transport sharing this client's limiter, clock and keys.

        Raises :class:`~binance_async.errors.InvalidRequest` without a ``ws_api_url`` (a
        custom ``base_url`` needs one) or without a key that signs.
        """
        if self._ws_api_url is None:
            raise InvalidRequest("this client has a custom base_url: give ws_api_url too")
        gw = self._gateway
        if gw.signer is None or self._api_key is None:
            raise InvalidRequest("the WebSocket API's order methods need api_key and its secret")
        http = gw.transport
        from .wsapi import WsApiTransport

        return WsApiTransport(
            url=self._ws_api_url,
            api_key=self._api_key,
            signer=gw.signer,
            recv_window_ms=self.config.recv_window_ms,
            methods=self.venue.ws_api_methods,
            budget=gw.limiter,
            clock=gw.clock,
            delay_s=gw.backoff.delay_s,
            addresses=http.addresses,
            local=self.config.local_addresses is not None,
            session=self._session,
            request_timeout_s=self.config.request_timeout_s,
            rotate_after_s=rotate_after_s,
            heartbeat_s=heartbeat_s,
            session_logon=session_logon,
            time_source=self._time_source,
            sleep=gw.sleep,
        )

    # -- exchange rules --------------------------------------------------------------------

    async def exchange_info(self) -> ExchangeInfo:
        """Rate limits and symbol rules: the limits go into the limiter, the symbols into
        the cache that order validation reads (kept ``exchange_info_ttl_s``).

        Raises :class:`~binance_async.errors.MalformedAnswer` for an answer that is not
        exchangeInfo; the limits in force stay as they were.
        """
        info: ExchangeInfo = await self._call(self.venue.exchange_info)
        self._gateway.limiter.load(info.rate_limits)
        now = self._time_source.monotonic_ns()
        self._symbols = dict(info.symbols)
        self._symbols_at_ns = now
        self._symbols_until_ns = now + int(self.exchange_info_ttl_s * 1e9)
        return info

    async def symbol_info(self, symbol: str) -> SymbolInfo:
        """One symbol's rules, from exchangeInfo cached for ``exchange_info_ttl_s``; read
        again when stale, after the exchange refused a filter, or for a symbol not listed yet
        (at most once a minute).

        Raises :class:`~binance_async.errors.UnknownSymbol` for a malformed or unlisted
        symbol, and :class:`~binance_async.errors.MalformedAnswer` when exchangeInfo cannot
        be read.
        """
        info = self._fresh_symbol(symbol)
        if info is not None:
            return info
        check_symbol_format(symbol)
        if self._symbols is None or self._time_source.monotonic_ns() >= self._symbols_until_ns:
            await self._refresh_symbols(self._symbols_at_ns)
        assert self._symbols is not None
        info = self._symbols.get(symbol)
        if info is None:
            age_s = (self._time_source.monotonic_ns() - self._symbols_at_ns) / 1e9
            if age_s >= self._UNKNOWN_SYMBOL_REFRESH_S:
                await self._refresh_symbols(self._symbols_at_ns)
                info = self._symbols.get(symbol)
        if info is None:
            raise UnknownSymbol(f"symbol {symbol!r} is not listed on this exchange")
        return info

    def _fresh_symbol(self, symbol: str) -> SymbolInfo | None:
        """:meth:`symbol_info` without a wait: the cached rules while fresh, else None."""
        symbols = self._symbols
        if (
            symbols is not None
            and type(symbol) is str
            and self._time_source.monotonic_ns() < self._symbols_until_ns
        ):
            return symbols.get(symbol)  # listed and fresh: the format is the exchange's own
        return None

    async def _refresh_symbols(self, seen_at_ns: int) -> None:
        """Read exchangeInfo once for all callers that saw the cache of ``seen_at_ns``."""
        async with self._info_lock:
            if self._symbols is None or self._symbols_at_ns == seen_at_ns:
                await self.exchange_info()

    def _rules_refused(self) -> None:
        """The exchange refused a filter the cached rules passed: read them again next time."""
        self._symbols_until_ns = 0
