"""One path for every REST call: admit -> stamp -> sign -> send -> observe -> decode -> recover.

Each stage is one method below, read top to bottom in :meth:`Gateway.request`. The recovery
policy handles outcomes that are certain (-1021, 429, 503 "Service Unavailable.", -1008,
-1001, and any transient failure of a harmless read). An order write whose outcome is
unknown is never resent here: the error goes up, carrying the request's timestamp, to the
reconciler.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
import orjson
from multidict import CIMultiDictProxy
from yarl import URL

from .clock import SYSTEM_TIME, Sample, ServerClock, TimeSource
from .config import ClientConfig
from .encoding import encode_params
from .endpoints import Endpoint, Security
from .endpoints.usdm import TIME
from .errors import (
    APIError,
    BinanceError,
    DeadlineExceeded,
    InvalidRequest,
    InvalidTimestamp,
    IPBanned,
    RateLimited,
    RequestTimeout,
    ServerBusy,
    Throttled,
    TransportError,
    UnknownOutcome,
    api_error,
)
from .limits import Limiter, Priority, Reservation
from .pool import SessionPool
from .recovery import Backoff, InflightGate
from .signing import Signer

__all__ = ["Gateway", "GatewayStats"]

log = logging.getLogger("binance_async.gateway")

_FORM = "application/x-www-form-urlencoded"
_EMPTY: Mapping[str, Any] = {}


class GatewayStats:
    """Counters a user (and the demo) can read."""

    __slots__ = ("backoffs", "rate_limited", "requests", "timestamp_resends")

    def __init__(self) -> None:
        self.requests = 0
        self.timestamp_resends = 0
        self.rate_limited = 0
        self.backoffs = 0

    def __repr__(self) -> str:
        return (
            f"<GatewayStats requests={self.requests} timestamp_resends={self.timestamp_resends} "
            f"rate_limited={self.rate_limited} backoffs={self.backoffs}>"
        )


class Gateway:
    """Sends requests for a client; owns the session pool, the clock and the limiter."""

    def __init__(
        self,
        *,
        config: ClientConfig,
        api_key: str | None = None,
        signer: Signer | None = None,
        session: aiohttp.ClientSession | None = None,
        time_source: TimeSource = SYSTEM_TIME,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._base = config.base_url.rstrip("/")
        self._signer = signer
        self._recv_window = f"&recvWindow={config.recv_window_ms}&timestamp="
        self._key_headers: Mapping[str, str] = {"X-MBX-APIKEY": api_key} if api_key else _EMPTY
        self._form_headers: Mapping[str, str] = {**self._key_headers, "Content-Type": _FORM}
        self._timeout = aiohttp.ClientTimeout(total=config.request_timeout_s)
        self._time = time_source
        self._sleep = sleep
        self.rng = rng or random.Random()
        self.backoff = Backoff(config.retry, self.rng)
        self.pool = SessionPool(
            local_addresses=config.local_addresses,
            connections_per_address=config.connections_per_address,
            keepalive_timeout_s=config.keepalive_timeout_s,
            session=session,
        )
        self.clock = ServerClock(
            self._time_sample,
            time_source=time_source,
            sleep=sleep,
            resync_interval_s=config.clock_resync_interval_s,
        )
        self.limiter = Limiter(clock=self.clock, addresses=self.pool.addresses, sleep=sleep)
        self.orders_gate = InflightGate(config.max_orders_in_flight)
        self.stats = GatewayStats()

    @property
    def has_key(self) -> bool:
        """True when an API key was given."""
        return bool(self._key_headers)

    @property
    def can_sign(self) -> bool:
        """True when a signer was given."""
        return self._signer is not None

    async def open(self) -> None:
        """Open the sessions, take the first clock samples, start the clock's task."""
        await self.pool.open()
        await self.clock.sync()
        self.clock.start()

    async def close(self) -> None:
        """Stop the clock's task and close the sessions this gateway made."""
        await self.clock.stop()
        await self.pool.close()

    def deadline_ns(self, deadline_s: float | None = None) -> int:
        """Monotonic ns by which a call must end."""
        seconds = self.config.call_deadline_s if deadline_s is None else deadline_s
        return self._time.monotonic_ns() + int(seconds * 1e9)

    def remaining_s(self, deadline_ns: int) -> float:
        """Seconds left before ``deadline_ns``."""
        return (deadline_ns - self._time.monotonic_ns()) / 1e9

    async def sleep(self, seconds: float) -> None:
        """The injected sleep (tests drive it)."""
        await self._sleep(seconds)

    # -- the pipeline ----------------------------------------------------------------------

    async def request(
        self,
        endpoint: Endpoint,
        params: Mapping[str, Any] | None = None,
        *,
        priority: Priority = Priority.NORMAL,
        deadline_ns: int | None = None,
        ref: str | None = None,
    ) -> Any:
        """Send one call and return its decoded answer, recovering what is certain.

        ``ref`` (a client order id) names the call in retry logs.
        """
        if endpoint.security is not Security.NONE and not self._key_headers:
            raise InvalidRequest(f"{endpoint} needs an API key")
        if endpoint.signed and self._signer is None:
            raise InvalidRequest(f"{endpoint} is signed: give api_secret or private_key")
        query = encode_params(params)
        weight = endpoint.weight_for(params)
        if deadline_ns is None:
            deadline_ns = self.deadline_ns()
        timestamp_tries = 0
        busy_tries = 0
        while True:
            try:
                return await self._attempt(endpoint, query, weight, priority, deadline_ns)
            except InvalidTimestamp as exc:
                if timestamp_tries >= self.config.retry.max_timestamp_retries:
                    raise
                timestamp_tries += 1
                self.stats.timestamp_resends += 1
                log.info("%s %s: -1021, resyncing the clock and resending", endpoint, ref or "")
                await self.clock.resync(stale_generation=exc.clock_generation)
            except RateLimited as exc:
                # The limiter now holds every request until Retry-After; this one waits too.
                self.stats.rate_limited += 1
                self._check_deadline(exc, deadline_ns)
            except ServerBusy as exc:
                if isinstance(exc, Throttled):
                    self.orders_gate.throttled()
                if busy_tries >= self.config.retry.max_retries:
                    raise
                await self._backoff(endpoint, exc, busy_tries, deadline_ns, ref)
                busy_tries += 1
            except (UnknownOutcome, TransportError) as exc:
                # An order write that may have executed goes up to the reconciler.
                maybe_executed = not isinstance(exc, TransportError) or exc.sent
                if maybe_executed and (endpoint.is_order_write or not endpoint.idempotent):
                    raise
                if busy_tries >= self.config.retry.max_retries:
                    raise
                await self._backoff(endpoint, exc, busy_tries, deadline_ns, ref)
                busy_tries += 1

    def _check_deadline(self, exc: BinanceError, deadline_ns: int) -> None:
        if self._time.monotonic_ns() >= deadline_ns:
            raise exc

    async def _backoff(
        self,
        endpoint: Endpoint,
        exc: BinanceError,
        attempt: int,
        deadline_ns: int,
        ref: str | None,
    ) -> None:
        delay = self.backoff.delay_s(attempt)
        if delay >= self.remaining_s(deadline_ns):
            raise exc
        self.stats.backoffs += 1
        log.info(
            "%s %s: %s; retrying in %.0f ms", endpoint, ref or "", type(exc).__name__, delay * 1000
        )
        await self._sleep(delay)

    async def _attempt(
        self,
        endpoint: Endpoint,
        query: str,
        weight: int,
        priority: Priority,
        deadline_ns: int,
    ) -> Any:
        if endpoint.signed and not self.clock.synced:
            await self.clock.ensure_synced()
        reservation = await self._admit(endpoint, weight, priority, deadline_ns)
        # Stamp after the limiter's wait, so a wait never eats the recvWindow.
        generation = self.clock.generation
        timestamp = self.clock.now_ms() if endpoint.signed else None
        wire = self._sign(query, timestamp) if timestamp is not None else query
        try:
            status, headers, body = await self._send(endpoint, wire, reservation)
        except TransportError as exc:
            self.limiter.release(reservation)
            exc.timestamp_ms = timestamp
            raise
        if status < 400:
            self.limiter.observe(reservation, status=status, headers=headers)
            try:
                return orjson.loads(body) if body else None
            except orjson.JSONDecodeError:
                # Answered, but unreadable: for an order, as good as no answer at all.
                unreadable = UnknownOutcome(
                    status=status,
                    code=None,
                    message="the answer is not JSON",
                    endpoint=str(endpoint),
                    headers=headers,
                )
                unreadable.timestamp_ms = timestamp
                raise unreadable from None
        error = self._decode_error(endpoint, status, headers, body)
        self.limiter.observe(
            reservation, status=status, headers=headers, code=error.code, msg=error.message
        )
        error.timestamp_ms = timestamp
        error.clock_generation = generation
        if status == 418:
            raise self._banned(reservation)
        raise error

    async def _admit(
        self, endpoint: Endpoint, weight: int, priority: Priority, deadline_ns: int
    ) -> Reservation:
        reservation = self.limiter.try_admit(weight=weight, orders=endpoint.orders)
        if reservation is not None:
            return reservation
        remaining = self.remaining_s(deadline_ns)
        try:
            if remaining <= 0:
                raise TimeoutError
            async with asyncio.timeout(remaining):
                return await self.limiter.admit(
                    weight=weight, orders=endpoint.orders, priority=priority
                )
        except TimeoutError:
            raise DeadlineExceeded(
                "call deadline passed while waiting for rate-limit budget; nothing was sent",
                endpoint=str(endpoint),
            ) from None

    def _banned(self, reservation: Reservation) -> IPBanned:
        address = self.pool.addresses[reservation.address_index]
        until = self.limiter.snapshot.banned_until_ms.get(address, self.clock.now_ms())
        return IPBanned(until, address)

    def _sign(self, query: str, timestamp: int) -> str:
        assert self._signer is not None
        payload = (
            f"{query}{self._recv_window}{timestamp}"
            if query
            else (f"{self._recv_window[1:]}{timestamp}")
        )
        return f"{payload}&signature={self._signer.sign(payload.encode())}"

    async def _send(
        self, endpoint: Endpoint, wire: str, reservation: Reservation
    ) -> tuple[int, CIMultiDictProxy[str], bytes]:
        """Send the exact bytes signed; the one place aiohttp errors become ours."""
        session = self.pool.sessions[reservation.address_index]
        method = endpoint.method
        self.stats.requests += 1
        if method == "GET" or method == "DELETE" or not wire:
            url = f"{self._base}{endpoint.path}?{wire}" if wire else f"{self._base}{endpoint.path}"
            data = None
            headers = self._key_headers
        else:
            url = f"{self._base}{endpoint.path}"
            data = wire.encode()
            headers = self._form_headers
        try:
            async with session.request(
                method, URL(url, encoded=True), data=data, headers=headers, timeout=self._timeout
            ) as response:
                body = await response.read()
                return response.status, response.headers, body
        except aiohttp.ConnectionTimeoutError:
            raise RequestTimeout("connect timeout", endpoint=str(endpoint), sent=False) from None
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise RequestTimeout(
                f"no answer within {self._timeout.total} s", endpoint=str(endpoint), sent=True
            ) from None
        except aiohttp.ClientConnectorError as exc:
            raise TransportError(
                f"cannot connect: {exc.os_error}", endpoint=str(endpoint), sent=False
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise TransportError(
                f"connection lost: {type(exc).__name__}", endpoint=str(endpoint), sent=True
            ) from exc

    @staticmethod
    def _decode_error(
        endpoint: Endpoint, status: int, headers: CIMultiDictProxy[str], body: bytes
    ) -> APIError:
        code: int | None = None
        message = ""
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            message = body.decode("utf-8", "replace")[:500]
        else:
            if isinstance(payload, dict):
                raw_code = payload.get("code")
                code = raw_code if isinstance(raw_code, int) else None
                message = str(payload.get("msg", ""))
            else:
                message = str(payload)[:500]
        return api_error(
            status=status, code=code, message=message, endpoint=str(endpoint), headers=headers
        )

    # -- the clock's round trip ------------------------------------------------------------

    async def _time_sample(self) -> Sample:
        """One GET /fapi/v1/time, timed right around the send."""
        reservation = await self.limiter.admit(weight=TIME.weight_for(None))
        sent = self._time.monotonic_ns()
        try:
            status, headers, body = await self._send(TIME, "", reservation)
        except TransportError:
            self.limiter.release(reservation)
            raise
        received = self._time.monotonic_ns()
        if status >= 400:
            error = self._decode_error(TIME, status, headers, body)
            self.limiter.observe(
                reservation, status=status, headers=headers, code=error.code, msg=error.message
            )
            raise self._banned(reservation) if status == 418 else error
        self.limiter.observe(reservation, status=status, headers=headers)
        return Sample(
            sent_ns=sent, server_ms=orjson.loads(body)["serverTime"], received_ns=received
        )

    def __repr__(self) -> str:
        return f"<Gateway {self._base} {self.clock!r} {self.limiter!r}>"
