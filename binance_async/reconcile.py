"""Settling unknown outcomes: an order is never lost, never duplicated.

A 503 "Unknown error", a timeout after the request left, a connection lost after sending, or
an answer that is not an order means the order may or may not exist. Nothing is resent blind:
the order is queried by its client id, with backoff. Found: it is returned, marked
reconciled. Still absent on a query that left once (a) the server's time, by the client's
estimate, is past the request's ``timestamp + recvWindow`` plus a margin and the clock's
uncertainty, and (b) ``recvWindow`` plus the margin passed on the local monotonic clock since
the request left: the exchange can no longer accept it (the matching engine refuses a request
past its recvWindow, ``-5028``), so it was not placed, and it is resubmitted with the same
client id. (b) keeps one bogus clock sample from "proving" an absence early.

The reconciler knows no market: it is handed an :class:`~binance_async.venue.OrderFamily`
(regular orders, algo orders, order lists) with the endpoints, id names and statuses.
Modifies and cancels are settled with these same queries (:mod:`.amend`), batches item by
item (:mod:`.batches`). ``ExecutionUnknown`` only when
the exchange stays unreachable past the call's deadline; running out of time *before*
sending is a definite ``DeadlineExceeded``.

A placement whose caller is cancelled (a task cancelled, a ``wait_for`` timing out) after the
order may have left keeps settling in the background, by query only (the caller gave up on it,
so it is never resubmitted): :attr:`Reconciler.interrupted` holds it by client id as an
:class:`InterruptedOrder`.

With an :class:`OrderFeed` attached (an open user data stream, ``Reconciler.feeds``), an
outcome is settled by whichever comes first: an order state the feed received for the client
id after the request left (``ORDER_TRADE_UPDATE``, ``ALGO_UPDATE``), or the queries above,
which then start after the feed's grace period. A state from the feed ends the settling, so a
resubmission still waiting for its proof of absence never happens. Without a feed nothing
changes (no extra work on any path).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

from .endpoint import Endpoint
from .errors import (
    BinanceError,
    DuplicateClientOrderId,
    ExecutionUnknown,
    InvalidTimestamp,
    RateLimited,
    RequestInfo,
    ServerBusy,
    TransportError,
    UnknownOutcome,
)
from .gateway import Gateway, Sent
from .ratelimits import Priority
from .venue import FamilyOrder, OrderFamily

__all__ = [
    "InterruptedOrder",
    "OrderFeed",
    "Reconciler",
    "new_client_order_id",
    "order_query",
    "order_ref",
    "outcome_unknown",
]

log = logging.getLogger("binance_async.reconcile")

T = TypeVar("T", bound=FamilyOrder)

#: Failures of a harmless query worth another try while the deadline allows.
_TRANSIENT = (TransportError, UnknownOutcome, ServerBusy, RateLimited, InvalidTimestamp)


def new_client_order_id() -> str:
    """A fresh client order id: allowed characters, 35 long (128 random bits, in hex)."""
    return f"ba-{os.urandom(16).hex()}"  # a sixth of what uuid4() costs


def outcome_unknown(exc: BinanceError) -> bool:
    """Whether a write may or may not have happened: an unknown answer, or none after sending."""
    if isinstance(exc, UnknownOutcome):
        return True
    return isinstance(exc, TransportError) and exc.sent


def _client_id(family: OrderFamily[Any], params: Mapping[str, Any]) -> Any:
    """The client id in query or cancel ``params`` (a family may cancel under another name)."""
    cid = params.get(family.query_client_id)
    if cid is None and family.cancel_client_id is not None:
        cid = params.get(family.cancel_client_id)
    return cid


def order_query(family: OrderFamily[Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """Query parameters naming the same order as ``params`` (exchange id first)."""
    symbol = params.get("symbol", "")
    if params.get(family.exchange_id) is not None:
        return family.query_params(symbol, **{family.exchange_id: params[family.exchange_id]})
    cid = _client_id(family, params)
    if cid is None:
        raise KeyError(family.query_client_id)
    return family.query_params(symbol, **{family.query_client_id: cid})


def order_ref(family: OrderFamily[Any], params: Mapping[str, Any]) -> str:
    """The order's name in logs and errors: its client id, else its exchange id."""
    return str(_client_id(family, params) or params.get(family.exchange_id))


class OrderFeed(Protocol):
    """Order states pushed by the exchange (an open user data stream), by family and client
    id, that the reconciler races its queries against."""

    @property
    def live(self) -> bool:
        """Whether states arrive now (connected and in sync)."""
        ...

    @property
    def grace_s(self) -> float:
        """How long the reconciler waits for the feed before its first query."""
        ...

    def seen(self, family: OrderFamily[Any], client_id: str, since_ns: int) -> Any | None:
        """The latest state of ``client_id`` received at or after ``since_ns`` (monotonic)."""
        ...

    def watch(self, family: OrderFamily[Any], client_id: str) -> asyncio.Future[Any]:
        """A future set to the next state of ``client_id`` received (cancelled when the feed
        closes)."""
        ...

    def unwatch(
        self, family: OrderFamily[Any], client_id: str, future: asyncio.Future[Any]
    ) -> None:
        """Forget a :meth:`watch` no longer wanted."""
        ...

    def settled(self, family: OrderFamily[Any], client_id: str) -> None:
        """Told that one of its states settled an unknown outcome."""
        ...


class InterruptedOrder(Generic[T]):
    """A placement whose caller was cancelled while the order may have been on its way.

    It settles in the background by query only: :meth:`result` is the order if it was placed,
    None once it is proven never placed, or raises ``ExecutionUnknown`` past its deadline (or
    when the client closed before it settled).
    """

    def __init__(
        self,
        client_order_id: str,
        symbol: str,
        request: RequestInfo,
        task: asyncio.Task[T | None],
    ) -> None:
        self.client_order_id = client_order_id
        self.symbol = symbol
        self._request = request
        self._task = task

    @property
    def done(self) -> bool:
        """True once settled (or failed)."""
        return self._task.done()

    async def result(self) -> T | None:
        """The order, or None if it was never placed; raises ``ExecutionUnknown``."""
        try:
            return await asyncio.shield(self._task)
        except asyncio.CancelledError:
            if not self._task.cancelled():
                raise  # the caller of result() was cancelled, not the settling
            raise ExecutionUnknown(
                self.client_order_id, request=self._request, cause="the client closed first"
            ) from None

    def __repr__(self) -> str:
        state = "settled" if self.done else "settling"
        return f"<InterruptedOrder {self.client_order_id} {self.symbol} {state}>"


class _SettlePoint:
    """When an absent order can no longer appear: on the server's clock and on ours."""

    __slots__ = ("local_ns", "server_ms")

    def __init__(self, server_ms: int, local_ns: int) -> None:
        self.server_ms = server_ms
        self.local_ns = local_ns

    def passed_by(self, query: RequestInfo | None) -> bool:
        """Whether a query that left as ``query`` proves an absence."""
        if query is None or query.timestamp_ms is None or query.sent_ns is None:
            return False
        return query.timestamp_ms > self.server_ms and query.sent_ns > self.local_ns


class _Tally:
    """Counters shared by a client's reconcilers (REST, WebSocket API)."""

    __slots__ = ("reconciliations", "resubmissions")

    def __init__(self) -> None:
        self.reconciliations = 0
        self.resubmissions = 0


#: Never passes: a query loop that waits for its order until the deadline.
_NEVER = _SettlePoint(1 << 62, 1 << 62)


class Reconciler:
    """Order writes with their unknown outcomes settled, for any order family."""

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway
        self._tally = _Tally()
        #: Placements interrupted by their caller's cancellation, by client id.
        self.interrupted: dict[str, InterruptedOrder[Any]] = {}
        #: Open user data streams, which settle unknown outcomes sooner (the first live one).
        self.feeds: list[OrderFeed] = []

    def via(self, gateway: Gateway) -> Reconciler:
        """A reconciler sending over ``gateway`` (a view of this one's: another transport)
        that shares this one's counters, interrupted placements and order feeds."""
        other = Reconciler(gateway)
        other._tally = self._tally
        other.interrupted = self.interrupted
        other.feeds = self.feeds
        return other

    @property
    def reconciliations(self) -> int:
        """Unknown outcomes settled by querying (one per order, per unknown answer)."""
        return self._tally.reconciliations

    @reconciliations.setter
    def reconciliations(self, value: int) -> None:
        self._tally.reconciliations = value

    @property
    def resubmissions(self) -> int:
        """Orders (or modifications) sent again after being proven absent."""
        return self._tally.resubmissions

    @resubmissions.setter
    def resubmissions(self, value: int) -> None:
        self._tally.resubmissions = value

    @property
    def gateway(self) -> Gateway:
        """The gateway its requests go through."""
        return self._gw

    # -- place -----------------------------------------------------------------------------

    async def place(
        self,
        family: OrderFamily[T],
        params: Mapping[str, Any],
        *,
        deadline_ns: int,
        resubmitted: bool = False,
    ) -> T:
        """Place one order (``params`` in wire names, with the family's client id).

        Orders that only reduce risk go first and skip the in-flight cap. ``resubmitted``: an
        earlier attempt with this id was proven absent (a batch item sent again alone), so a
        -4116 now means that attempt got through after all.
        """
        cid: str = params[family.client_id]
        symbol: str = params["symbol"]
        exempt = family.reduces_risk(params)
        priority, slots = (Priority.URGENT, 0) if exempt else (Priority.NORMAL, 1)
        gate = self._gw.orders_gate
        sent = Sent()
        try:
            while True:
                try:
                    if slots and not gate.try_acquire(slots):
                        await self.wait_slots(slots, deadline_ns, family.place, cid)
                    try:
                        order: T = await self._gw.request(
                            family.place,
                            params,
                            priority=priority,
                            deadline_ns=deadline_ns,
                            ref=cid,
                            sent=sent,
                        )
                    finally:
                        if slots:
                            gate.release(slots)
                except DuplicateClientOrderId:
                    if not resubmitted:
                        raise  # the caller's id is on an open order: a definite refusal
                    # The second net: an open order has the id, so an earlier attempt got in.
                    log.info("order %s: -4116 on resubmission; adopting the open order", cid)
                    return await self._wait_for(family, symbol, cid, deadline_ns)
                except (UnknownOutcome, TransportError) as exc:
                    if not outcome_unknown(exc):
                        raise
                    log.info("order %s: outcome unknown (%s); querying", cid, type(exc).__name__)
                    found = await self.find_placed(family, symbol, cid, exc.request, deadline_ns)
                    if found is not None:
                        return found
                    sent.info = None  # proven absent: that attempt can no longer land
                    resubmitted = True
                    self.resubmissions += 1
                    log.info("order %s: proven not placed; resubmitting with the same id", cid)
                    continue
                gate.succeeded()
                return order
        except asyncio.CancelledError:
            if sent.info is not None:
                self.interrupt(family, symbol, cid, sent.info, deadline_ns)
            raise

    def interrupt(
        self,
        family: OrderFamily[Any],
        symbol: str,
        cid: str,
        request: RequestInfo,
        deadline_ns: int,
    ) -> None:
        """Settle a placement in the background: its caller gave up while it may have left."""
        log.warning(
            "order %s: caller cancelled while the order may be on the exchange; settling it "
            "by query in the background (client.interrupted_orders[%r])",
            cid,
            cid,
        )
        task = asyncio.get_running_loop().create_task(
            self.find_placed(family, symbol, cid, request, deadline_ns),
            name=f"binance_async.settle-{cid}",
        )
        task.add_done_callback(_retrieve)
        self.interrupted[cid] = InterruptedOrder(cid, symbol, request, task)

    async def settle_interrupted(self, timeout_s: float) -> None:
        """Wait up to ``timeout_s`` for interrupted placements; cancel the rest."""
        tasks = [i._task for i in self.interrupted.values() if not i.done]
        if not tasks:
            return
        _, pending = await asyncio.wait(tasks, timeout=max(timeout_s, 0.0))
        for task in pending:
            task.cancel()
        if pending:
            await asyncio.wait(pending)

    async def hold_slots(self, count: int, deadline_ns: int, endpoint: Endpoint, ref: str) -> None:
        """Take ``count`` in-flight slots (none for exempt orders), waiting within the
        deadline; the caller releases them once its request is answered."""
        if count and not self._gw.orders_gate.try_acquire(count):
            await self.wait_slots(count, deadline_ns, endpoint, ref)

    async def wait_slots(self, count: int, deadline_ns: int, endpoint: Endpoint, ref: str) -> None:
        """Wait, within the deadline, for ``count`` in-flight slots the gate had not free."""
        await self._gw.deadlines.within(
            self._gw.orders_gate.acquire(count),
            deadline_ns,
            "an order slot",
            RequestInfo(endpoint.method, endpoint.path, client_order_id=ref),
        )

    async def find_placed(
        self,
        family: OrderFamily[T],
        symbol: str,
        cid: str,
        request: RequestInfo,
        deadline_ns: int,
    ) -> T | None:
        """Query until order ``cid`` is found (returned) or provably absent (None)."""
        query = family.query_params(symbol, **{family.query_client_id: cid})
        found = await self.settle(
            family, query, request, deadline_ns, self.settle_point(request), _is_found
        )
        if found is not None:
            log.info("order %s: found by query (%s)", cid, found.status)
        return found

    async def _wait_for(self, family: OrderFamily[T], symbol: str, cid: str, deadline_ns: int) -> T:
        """The order holding ``cid`` (a -4116 said one is open), queried until seen."""
        query = family.query_params(symbol, **{family.query_client_id: cid})
        origin = RequestInfo(family.place.method, family.place.path, client_order_id=cid)
        found = await self.settle(family, query, origin, deadline_ns, _NEVER, _is_found)
        assert found is not None  # _NEVER: the loop ends only by finding it or by the deadline
        return found

    def settle_point(self, request: RequestInfo) -> _SettlePoint:
        """When an absent order sent as ``request`` can no longer appear."""
        if request.timestamp_ms is None or request.sent_ns is None:
            return _SettlePoint(-1, -1)  # never signed, never sent: it cannot have been accepted
        gw = self._gw
        # recvWindow may carry decimals (Spot): the settle point is a whole ms past it.
        window_ms = math.ceil(gw.config.recv_window_ms) + gw.config.retry.settle_margin_ms
        server = request.timestamp_ms + window_ms + int(gw.clock.uncertainty_ms) + 1
        return _SettlePoint(server, request.sent_ns + window_ms * 1_000_000)

    async def settle(
        self,
        family: OrderFamily[T],
        query: Mapping[str, Any],
        origin: RequestInfo,
        deadline_ns: int,
        point: _SettlePoint,
        settled: Callable[[T | None], bool],
    ) -> T | None:
        """Query until ``settled(order)``, or until a query left past ``point``: the last
        answer (None: absent). ``ExecutionUnknown`` when the deadline comes first.

        With a live :class:`OrderFeed`, a state it receives for the order's client id after
        the request left settles it first, whatever the queries are doing."""
        self.reconciliations += 1
        if self.feeds:
            feed = next((f for f in self.feeds if f.live), None)
            cid = query.get(family.query_client_id)
            if feed is not None and isinstance(cid, str):
                return await self._race(
                    feed, cid, family, query, origin, deadline_ns, point, settled
                )
        return await self._query_until(family, query, origin, deadline_ns, point, settled)

    async def _race(
        self,
        feed: OrderFeed,
        cid: str,
        family: OrderFamily[T],
        query: Mapping[str, Any],
        origin: RequestInfo,
        deadline_ns: int,
        point: _SettlePoint,
        settled: Callable[[T | None], bool],
    ) -> T | None:
        """The feed's state of ``cid`` or the queries' answer, whichever settles first."""
        since_ns = origin.sent_ns or 0
        loop = asyncio.get_running_loop()
        querying = loop.create_task(
            self._query_until(
                family, query, origin, deadline_ns, point, settled, first_delay_s=feed.grace_s
            ),
            name=f"binance_async.query-{cid}",
        )
        watch: asyncio.Future[Any] | None = None
        try:
            while True:
                watch = feed.watch(family, cid)
                order = feed.seen(family, cid, since_ns)
                if order is not None and settled(order):
                    feed.settled(family, cid)
                    log.info("order %s: settled by the user stream (%s)", cid, order.status)
                    return family.mark_reconciled(order)
                await asyncio.wait((watch, querying), return_when=asyncio.FIRST_COMPLETED)
                if querying.done():
                    return querying.result()
                feed.unwatch(family, cid, watch)
                if watch.cancelled():  # the feed closed: the queries alone settle it
                    return await querying
        finally:
            if watch is not None:
                feed.unwatch(family, cid, watch)
            if not querying.done():
                querying.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await querying

    async def _query_until(
        self,
        family: OrderFamily[T],
        query: Mapping[str, Any],
        origin: RequestInfo,
        deadline_ns: int,
        point: _SettlePoint,
        settled: Callable[[T | None], bool],
        first_delay_s: float = 0.0,
    ) -> T | None:
        if first_delay_s > 0:
            remaining_s = self._gw.deadlines.remaining_s(deadline_ns)
            await self._gw.sleep(min(first_delay_s, max(remaining_s / 2, 0.0)))
        attempt = 0
        while True:
            order, query_info = await self.lookup(family, query, origin, deadline_ns)
            if settled(order) or point.passed_by(query_info):
                return order
            await self._pause(attempt, point, deadline_ns, origin)
            attempt += 1

    async def _pause(
        self, attempt: int, point: _SettlePoint, deadline_ns: int, origin: RequestInfo
    ) -> None:
        """Back off before the next query, never sleeping past the settle point."""
        gw = self._gw
        wait_s = gw.backoff.delay_s(attempt)
        until_settled_s = max(
            (point.server_ms - gw.clock.now_ms() + 1) / 1000,
            (point.local_ns - gw.clock.time.monotonic_ns()) / 1e9 + 0.001,
        )
        if until_settled_s > 0:
            wait_s = min(wait_s, until_settled_s)
        if wait_s >= gw.deadlines.remaining_s(deadline_ns):
            raise ExecutionUnknown(
                origin.client_order_id or "?", request=origin, cause="deadline reached"
            )
        await gw.sleep(wait_s)

    async def lookup(
        self,
        family: OrderFamily[T],
        query: Mapping[str, Any],
        origin: RequestInfo,
        deadline_ns: int,
    ) -> tuple[T | None, RequestInfo | None]:
        """The order as the exchange holds it (None: no such order), and how the query left.

        Transient failures of the query are retried with backoff until the deadline; then, or
        on an error that waiting cannot cure, the write's outcome stays unknown.
        """
        gw = self._gw
        ref = origin.client_order_id
        sent = Sent()
        attempt = 0
        while True:
            try:
                order = await gw.request(
                    family.query,
                    query,
                    priority=Priority.URGENT,
                    deadline_ns=deadline_ns,
                    ref=ref,
                    sent=sent,
                )
            except family.absent:
                return None, sent.info
            except BinanceError as exc:
                wait_s = gw.backoff.delay_s(attempt)
                if not isinstance(exc, _TRANSIENT) or wait_s >= gw.deadlines.remaining_s(
                    deadline_ns
                ):
                    raise ExecutionUnknown(ref or "?", request=origin, cause=str(exc)) from exc
                log.info("%s %s: query failed (%s); retrying", origin, ref, type(exc).__name__)
                attempt += 1
                await gw.sleep(wait_s)
            else:
                return family.mark_reconciled(order), sent.info


def _is_found(order: object) -> bool:
    return order is not None


def _retrieve(task: asyncio.Task[Any]) -> None:
    """Mark a background settle's error as seen: ``InterruptedOrder.result`` re-raises it."""
    if not task.cancelled():
        task.exception()
