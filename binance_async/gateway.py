"""One path for every call: admit -> stamp -> sign -> send -> observe -> decode -> recover.

Each stage is a step of :meth:`Gateway._attempt`, read top to bottom; :meth:`Gateway.request`
wraps it in the recovery policy, which handles the outcomes that are certain (-1021, 429,
503 "Service Unavailable.", -1008, -1001, and any transient failure of a harmless read). An
order write whose outcome is unknown is never resent here: the error goes up, carrying its
:class:`~binance_async.errors.RequestInfo`, to the reconciler.

The gateway is handed a venue (the time endpoint, limits, error codes) and a transport (the
protocol); it owns the clock, the limiter and the in-flight gate. Every wait it does is
clipped to the call's deadline, and to the closing deadline once the client began closing
(:mod:`.deadlines`).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from .admission import Closed
from .budget import BudgetStore
from .clock import SYSTEM_TIME, Sample, ServerClock, TimeSource
from .config import ClientConfig
from .deadlines import Deadlines
from .endpoint import Endpoint, Security
from .errors import (
    APIError,
    BinanceError,
    DeadlineExceeded,
    InvalidRequest,
    InvalidTimestamp,
    IPBanned,
    MalformedAnswer,
    RateLimited,
    RequestInfo,
    ServerBusy,
    Throttled,
    TransportError,
    UnknownOutcome,
    api_error,
)
from .limits import Limiter
from .ratelimits import Priority
from .recovery import Backoff, InflightGate
from .signing import Signer
from .transport import Reply, Transport
from .venue import Venue
from .windows import Reservation

__all__ = ["Gateway", "GatewayStats", "Sent"]

log = logging.getLogger("binance_async.gateway")

#: How long past a request's timeout a shared store keeps its reservation.
_HOLD_SLACK_S = 5.0
#: What a model builder raises on an answer that is not the endpoint's.
_MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError, AttributeError, IndexError)


class GatewayStats:
    """Counters of what the gateway did."""

    __slots__ = ("backoffs", "rate_limited", "requests", "timestamp_resends")

    def __init__(self) -> None:
        self.requests = 0
        self.timestamp_resends = 0
        self.rate_limited = 0
        self.backoffs = 0


class Sent:
    """Filled by the gateway with the request's facts right before it leaves (see the
    reconciler: a placement cancelled after this point may exist)."""

    __slots__ = ("info",)

    def __init__(self) -> None:
        self.info: RequestInfo | None = None


class Gateway:
    """Sends calls for a client over one transport; owns the clock, limiter and gate."""

    def __init__(
        self,
        *,
        venue: Venue,
        config: ClientConfig,
        transport: Transport,
        signer: Signer | None = None,
        has_key: bool = False,
        account: str = "default",
        budget_store: BudgetStore | None = None,
        time_source: TimeSource = SYSTEM_TIME,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.venue = venue
        self.config = config
        self.transport = transport
        #: A view's REST transport, for what ``transport`` does not carry (None: no view).
        self._rest: Transport | None = None
        self._signer = signer
        self.has_key = has_key
        self._time = time_source
        self._sleep = sleep
        self._timeout_s = config.request_timeout_s
        self._codes = venue.codes
        self._time_wire = transport.encode(None)
        self.backoff = Backoff(config.retry, rng or random.Random())
        self.clock = ServerClock(
            self._time_sample,
            time_source=time_source,
            sleep=sleep,
            resync_interval_s=config.clock_resync_interval_s,
        )
        self.limiter = Limiter(
            clock=self.clock,
            limits=config.rate_limits or venue.limits,
            venue=venue.name,
            account=account,
            addresses=transport.addresses,
            store=budget_store,
            sleep=sleep,
            rate_limit_floor_s=config.retry.rate_limit_floor_s,
            # A dead client's reservation outlives its request's timeout by a little only.
            hold_ms=round((config.request_timeout_s + _HOLD_SLACK_S) * 1000),
        )
        self.orders_gate = InflightGate(
            config.max_orders_in_flight, monotonic_ns=time_source.monotonic_ns
        )
        self.stats = GatewayStats()
        self.deadlines = Deadlines(time_source, config.call_deadline_s)

    @property
    def signer(self) -> Signer | None:
        """The signer (no repr of it shows key material)."""
        return self._signer

    # -- lifecycle -------------------------------------------------------------------------

    async def open(self) -> None:
        """Open the transport, sync the clock (retrying what is transient), start its task.

        Raises :class:`MalformedAnswer` when the exchange's time answers are unreadable or
        never agree, or the last transport error, once the retries or the deadline run out.
        """
        await self.transport.open()
        deadline_ns = self.deadlines.deadline_ns()
        attempt = 0
        while True:
            try:
                if await self.clock.sync():
                    break
                error: BinanceError = MalformedAnswer(
                    status=200,
                    code=None,
                    message="the exchange's time answers disagree with each other",
                    request=RequestInfo(self.venue.time.method, self.venue.time.path),
                )
            except (TransportError, UnknownOutcome, ServerBusy) as exc:
                error = exc
            delay = self.backoff.delay_s(attempt)
            if attempt >= self.config.retry.max_retries or delay >= self.deadlines.remaining_s(
                deadline_ns
            ):
                raise error
            log.info("clock sync failed (%s); retrying in %.0f ms", error, delay * 1000)
            attempt += 1
            await self._sleep(delay)
        self.clock.start()

    async def close(self) -> None:
        """Stop the clock's tasks, fail whoever still waits, close the transport."""
        await self.clock.stop()
        self.orders_gate.close()
        await self.limiter.close()
        await self.transport.close()

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
        sent: Sent | None = None,
    ) -> Any:
        """Send one call and return its decoded answer (the endpoint's model), recovering what
        is certain. ``ref`` (a client order id) names the call in errors and logs; ``sent`` is
        filled right before each attempt leaves.

        Raises :class:`InvalidRequest` without a needed key, and the typed error of the
        answer, :class:`TransportError` or :class:`IPBanned` when recovery gives up.
        """
        if endpoint.security is not Security.NONE and not self.has_key:
            raise InvalidRequest(f"{endpoint} needs an API key")
        if endpoint.signed and self._signer is None:
            raise InvalidRequest(f"{endpoint} is signed: give api_secret or private_key")
        transport = self.transport if self._rest is None else self._route(endpoint)
        wire = transport.encode(params)
        weight = endpoint.weight_for(params)
        if deadline_ns is None:
            deadline_ns = self.deadlines.deadline_ns()
        retry = self.config.retry
        timestamp_tries = busy_tries = 0
        while True:
            try:
                return await self._attempt(
                    transport, endpoint, wire, weight, priority, deadline_ns, ref, sent
                )
            except InvalidTimestamp as exc:
                if timestamp_tries >= retry.max_timestamp_retries:
                    raise
                timestamp_tries += 1
                self.stats.timestamp_resends += 1
                log.info("%s %s: -1021, resyncing the clock and resending", endpoint, ref or "")
                await self._resync(exc, deadline_ns)
            except RateLimited:
                # The limiter now holds this scope until Retry-After (at least its floor);
                # the call waits in line for it, within its deadline.
                self.stats.rate_limited += 1
                if self.deadlines.remaining_s(deadline_ns) <= 0:
                    raise
            except ServerBusy as exc:
                if isinstance(exc, Throttled):
                    self.orders_gate.throttled()
                if busy_tries >= retry.max_retries:
                    raise
                await self._backoff(endpoint, exc, busy_tries, deadline_ns, ref)
                busy_tries += 1
            except (UnknownOutcome, TransportError) as exc:
                # An order write that may have executed goes up to the reconciler.
                maybe_executed = not isinstance(exc, TransportError) or exc.sent
                if maybe_executed and (endpoint.is_order_write or not endpoint.idempotent):
                    raise
                if isinstance(exc, DeadlineExceeded) or busy_tries >= retry.max_retries:
                    raise
                await self._backoff(endpoint, exc, busy_tries, deadline_ns, ref)
                busy_tries += 1
                if self._rest is not None:  # a read may go over REST while the socket is down
                    route = self._route(endpoint)
                    if route is not transport:
                        transport, wire = route, route.encode(params)

    def _route(self, endpoint: Endpoint) -> Transport:
        """The transport of a view for ``endpoint``: its own for what it carries (a read only
        while it is up, so a query never waits for a reconnection), else REST."""
        transport, rest = self.transport, self._rest
        assert rest is not None
        if not transport.carries(endpoint):
            return rest
        if endpoint.idempotent and not endpoint.is_order_write and not transport.up:
            return rest
        return transport

    def via(self, transport: Transport) -> Gateway:
        """A view of this gateway that sends what ``transport`` carries over it and the rest
        over this gateway's transport; the clock, limiter, in-flight gate, deadlines and
        counters are shared (one budget, one clock for both). Open and close ``transport``
        yourself; never open or close the view."""
        view = copy.copy(self)
        view.transport = transport
        view._rest = self.transport
        return view

    async def _resync(self, refused: InvalidTimestamp, deadline_ns: int) -> None:
        """Resync the clock for a -1021, within the deadline; the -1021 stands otherwise."""
        try:
            await self.deadlines.within(
                self.clock.resync(stale_generation=refused.request.clock_generation),
                deadline_ns,
                "a clock resync",
                refused.request,
            )
        except BinanceError as exc:
            log.info("%s: clock resync failed (%s)", refused.request, exc)
            raise refused from None

    async def _backoff(
        self,
        endpoint: Endpoint,
        exc: BinanceError,
        attempt: int,
        deadline_ns: int,
        ref: str | None,
    ) -> None:
        delay = self.backoff.delay_s(attempt)
        if delay >= self.deadlines.remaining_s(deadline_ns):
            raise exc
        self.stats.backoffs += 1
        log.info(
            "%s %s: %s; retrying in %.0f ms", endpoint, ref or "", type(exc).__name__, delay * 1000
        )
        await self._sleep(delay)

    async def _attempt(
        self,
        transport: Transport,
        endpoint: Endpoint,
        wire: Any,
        weight: int,
        priority: Priority,
        deadline_ns: int,
        ref: str | None,
        sent: Sent | None,
    ) -> Any:
        clock = self.clock
        # admit
        if endpoint.signed and not clock.synced:
            await self.deadlines.within(
                clock.ensure_synced(),
                deadline_ns,
                "the clock",
                RequestInfo(endpoint.method, endpoint.path, client_order_id=ref),
            )
        try:
            reservation = self.limiter.try_admit(
                weight=weight, orders=endpoint.orders, bucket=endpoint.bucket
            )
        except Closed:
            reservation = None
        if reservation is None:
            reservation = await self.deadlines.within(
                self.limiter.admit(
                    weight=weight,
                    orders=endpoint.orders,
                    priority=priority,
                    bucket=endpoint.bucket,
                ),
                deadline_ns,
                "rate-limit budget",
                RequestInfo(endpoint.method, endpoint.path, client_order_id=ref),
            )
        if self._rest is not None and not transport.ready(reservation.address_index):
            await self._connected(transport, reservation, deadline_ns, endpoint, ref)
        # stamp and sign, after any wait, so a wait never eats the recvWindow
        remaining = self.deadlines.remaining_s(deadline_ns)
        if remaining <= 0:
            self.limiter.drop(reservation)
            raise DeadlineExceeded(
                "call deadline passed before sending; nothing was sent",
                request=RequestInfo(endpoint.method, endpoint.path, client_order_id=ref),
            )
        timeout = self._timeout_s if remaining >= self._timeout_s else round(remaining, 3)
        if endpoint.signed:
            assert self._signer is not None
            generation = clock.generation
            stamp = clock.now_ms()
            wire = transport.sign(wire, stamp, self._signer)
            timestamp: int | None = stamp
        else:
            generation, timestamp = 0, None
        info = RequestInfo(
            endpoint.method, endpoint.path, timestamp, ref, self._time.monotonic_ns(), generation
        )
        if sent is not None:
            sent.info = info
        # send, observe
        self.stats.requests += 1
        try:
            reply = await transport.send(endpoint, wire, reservation.address_index, timeout, info)
        except BaseException as exc:
            self._unanswered(reservation, exc)
            raise
        self._observe(reply, reservation, info)
        # decode
        if not reply.readable:
            raise MalformedAnswer(
                status=reply.status,
                code=None,
                message=f"the answer is not JSON: {reply.text[:80]!r}",
                request=info,
            )
        model = endpoint.model
        if model is None:
            return reply.data
        try:
            return model(reply.data)
        except _MALFORMED as exc:
            raise MalformedAnswer(
                status=reply.status,
                code=None,
                message=f"the answer is not {endpoint}'s: {type(exc).__name__}",
                request=info,
            ) from exc

    async def _connected(
        self,
        transport: Transport,
        reservation: Reservation,
        deadline_ns: int,
        endpoint: Endpoint,
        ref: str | None,
    ) -> None:
        """Wait, within the deadline, for the connection the request will go on (nothing
        is stamped yet: the wait never eats the recvWindow)."""
        info = RequestInfo(endpoint.method, endpoint.path, client_order_id=ref)
        try:
            up = await self.deadlines.within(
                transport.wait_ready(reservation.address_index), deadline_ns, "a connection", info
            )
        except BaseException:
            self.limiter.drop(reservation)
            raise
        if not up:
            self.limiter.drop(reservation)
            raise TransportError(
                "the connection is closed; nothing was sent", request=info, sent=False
            )

    def _unanswered(self, reservation: Reservation, exc: BaseException) -> None:
        """Settle the reservation of a request that got no answer: given back when it surely
        never left, else its cost counts (the server may have counted it; a cancellation
        on the wire included)."""
        if isinstance(exc, TransportError) and not exc.sent:
            self.limiter.drop(reservation)
        else:
            self.limiter.release(reservation)

    def _observe(self, reply: Reply, reservation: Reservation, info: RequestInfo) -> None:
        """Settle the reservation with the answer's counts, and raise the typed error of an
        answer that is not a 2xx (:class:`IPBanned` for a 418)."""
        status = reply.status
        if 200 <= status < 300:
            self.limiter.observe(reservation, status=status, counts=reply.counts)
            return
        error = self._error(reply, info)
        self.limiter.observe(
            reservation, status=status, counts=reply.counts, code=error.code, msg=error.message
        )
        if status == 418:
            until = self.limiter.snapshot.banned_until_ms.get(reservation.address)
            raise IPBanned(until if until is not None else self.clock.now_ms(), reservation.address)
        raise error

    def _error(self, reply: Reply, info: RequestInfo) -> APIError:
        """The typed error of a non-2xx answer, from its Binance body when it has one."""
        code: int | None = None
        data = reply.data
        body_data: Any = None
        if not reply.readable:
            message = reply.text
        elif isinstance(data, dict):
            raw_code = data.get("code")
            code = raw_code if type(raw_code) is int else None
            message = str(data.get("msg", ""))[:500]
            body_data = data.get("data")
        else:
            message = str(data)[:500]
        if 300 <= reply.status < 400:
            message = f"redirect refused, not followed ({message[:80]!r})"
        return api_error(
            status=reply.status,
            code=code,
            message=message,
            request=info,
            table=self._codes,
            headers=reply.counts,
            data=body_data,
        )

    # -- the clock's round trip ------------------------------------------------------------

    async def _time_sample(self) -> Sample:
        """One time request, timed right around the send.

        Raises :class:`MalformedAnswer` for an answer the venue cannot read as a time.
        """
        endpoint = self.venue.time
        info = RequestInfo(endpoint.method, endpoint.path)
        weight = endpoint.weight_for(None)
        try:
            reservation = self.limiter.try_admit(weight=weight)
            if reservation is None:
                reservation = await self.limiter.admit(weight=weight)
        except Closed:
            raise TransportError("the client is closed", request=info, sent=False) from None
        transport = self._rest or self.transport
        self.stats.requests += 1
        sent = self._time.monotonic_ns()
        try:
            reply = await transport.send(
                endpoint, self._time_wire, reservation.address_index, self._timeout_s, info
            )
        except BaseException as exc:
            self._unanswered(reservation, exc)
            raise
        received = self._time.monotonic_ns()
        self._observe(reply, reservation, info)
        try:
            if not reply.readable:
                raise ValueError("not JSON")
            server_ms = self.venue.parse_time(reply.data)
        except _MALFORMED as exc:
            raise MalformedAnswer(
                status=reply.status,
                code=None,
                message=f"the time answer is unreadable ({exc})"[:200],
                request=info,
            ) from None
        return Sample(sent_ns=sent, server_ms=server_ms, received_ns=received)

    def __repr__(self) -> str:
        return f"<Gateway {self.venue.name} {self.clock!r} {self.limiter!r}>"
