"""Settling unknown outcomes: an order is never lost, never duplicated.

A 503 "Unknown error", a timeout after the request left, or a connection lost after sending
means the order may or may not exist. Nothing is resent blind: the order is queried by its
client order id, with backoff. Found: it is returned, marked ``reconciled``. Still absent on a
query sent once the server's time (the client's estimate) is past the request's ``timestamp +
recvWindow`` plus a margin and the clock's uncertainty: the exchange can no longer accept it
(the matching engine refuses a request past its recvWindow, ``-5028``), so it was not placed,
and it is resubmitted with the same client order id. A modify is settled the same way (by
comparing the order's price and quantity), a cancel by querying the order; a batch is settled
item by item with these same steps (:mod:`.batches`). ``ExecutionUnknown`` only when the
exchange stays unreachable past the call's deadline; running out of time *before* sending is a
definite ``TransportError(sent=False)``.

Certain failures (503 "Service Unavailable.", -1008) are retried by the gateway; new-risk
orders hold a slot of the gateway's :class:`~.recovery.InflightGate` while they are sent, and
reduce-only or close-position orders skip it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Mapping
from decimal import Decimal
from typing import Any

from .endpoints import Endpoint
from .endpoints.usdm import (
    CANCEL_ORDER,
    GET_ORDER,
    MODIFY_ORDER,
    NEW_ORDER,
)
from .errors import (
    APIError,
    BinanceError,
    CancelRejected,
    DeadlineExceeded,
    DuplicateClientOrderId,
    ExecutionUnknown,
    InvalidRequest,
    InvalidTimestamp,
    NoSuchOrder,
    RateLimited,
    ServerBusy,
    TransportError,
    UnknownOutcome,
)
from .gateway import Gateway
from .limits import Priority
from .models import Order
from .recovery import InflightGate

__all__ = [
    "Reconciler",
    "check_client_order_id",
    "new_client_order_id",
    "order_query",
    "order_ref",
    "outcome_unknown",
    "reduces_risk",
]

log = logging.getLogger("binance_async.reconcile")

_CLIENT_ORDER_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")
#: -5027: "No need to modify the order": the modification is already in place.
_SAME_ORDER = -5027
#: Failures of a harmless query worth another try while the deadline allows.
_TRANSIENT = (TransportError, UnknownOutcome, ServerBusy, RateLimited, InvalidTimestamp)


def new_client_order_id() -> str:
    """A fresh client order id: allowed characters, 35 long."""
    return f"ba-{uuid.uuid4().hex}"


def check_client_order_id(value: str) -> str:
    """Refuse an id the exchange would refuse (-4015) before sending."""
    if not isinstance(value, str) or not _CLIENT_ORDER_ID.match(value):
        raise InvalidRequest(
            f"client order id {value!r} must match ^[.A-Z:/a-z0-9_-]{{1,36}}$ (at most 36 chars)"
        )
    return value


def outcome_unknown(exc: BinanceError) -> bool:
    """Whether a write may or may not have happened: an unknown answer, or none after sending."""
    if isinstance(exc, UnknownOutcome):
        return True
    return isinstance(exc, TransportError) and exc.sent


def _is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def reduces_risk(params: Mapping[str, Any]) -> bool:
    """Reduce-only and close-position orders: exempt from -1008 and from the in-flight cap."""
    return _is_true(params.get("reduceOnly")) or _is_true(params.get("closePosition"))


def order_query(params: Mapping[str, Any]) -> dict[str, Any]:
    """GET /fapi/v1/order parameters naming the same order as ``params``."""
    if params.get("orderId") is not None:
        return {"symbol": params["symbol"], "orderId": params["orderId"]}
    return {"symbol": params["symbol"], "origClientOrderId": params["origClientOrderId"]}


def order_ref(params: Mapping[str, Any]) -> str:
    """The order's name in logs and errors: its client order id, else its order id."""
    return str(params.get("origClientOrderId") or params.get("orderId"))


class Reconciler:
    """Order writes with their unknown outcomes settled."""

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway
        #: Unknown outcomes settled by querying (one per order, per unknown answer).
        self.reconciliations = 0
        #: Orders (or modifications) sent again after being proven absent.
        self.resubmissions = 0

    @property
    def orders_gate(self) -> InflightGate:
        """The in-flight cap on new-risk orders (``limit``, ``lowest_limit``, ``in_flight``)."""
        return self._gw.orders_gate

    @property
    def gateway(self) -> Gateway:
        """The gateway its requests go through."""
        return self._gw

    # -- place -----------------------------------------------------------------------------

    async def place(
        self,
        params: Mapping[str, Any],
        *,
        priority: Priority,
        deadline_ns: int,
        resubmitted: bool = False,
    ) -> Order:
        """Place one order (``params`` in wire names, with ``newClientOrderId``).

        ``resubmitted``: an earlier attempt with this id was proven absent (a batch item sent
        again alone), so a -4116 now means that attempt got through after all.
        """
        cid: str = params["newClientOrderId"]
        symbol: str = params["symbol"]
        slots = 0 if reduces_risk(params) else 1
        while True:
            try:
                async with self.order_slots(slots, deadline_ns, NEW_ORDER):
                    payload = await self._gw.request(
                        NEW_ORDER, params, priority=priority, deadline_ns=deadline_ns, ref=cid
                    )
            except DuplicateClientOrderId:
                if not resubmitted:
                    raise  # the caller's id is already on an open order: a definite refusal
                # The second net: an open order has the id, so an earlier attempt got through.
                log.info("order %s: -4116 on resubmission; adopting the open order", cid)
                return await self._adopt(symbol, cid, deadline_ns)
            except (UnknownOutcome, TransportError) as exc:
                if not outcome_unknown(exc):
                    raise
                log.info("order %s: outcome unknown (%s); querying it", cid, type(exc).__name__)
                found = await self.find_placed(symbol, cid, exc.timestamp_ms, deadline_ns)
                if found is not None:
                    return found
                resubmitted = True
                self.resubmissions += 1
                log.info("order %s: proven not placed; resubmitting with the same id", cid)
                continue
            self._gw.orders_gate.succeeded()
            return Order.from_payload(payload)

    @contextlib.asynccontextmanager
    async def order_slots(
        self, count: int, deadline_ns: int, endpoint: Endpoint
    ) -> AsyncIterator[None]:
        """Hold ``count`` in-flight slots (none for exempt orders) while sending."""
        gate = self._gw.orders_gate
        if count:
            try:
                async with asyncio.timeout(max(self._gw.remaining_s(deadline_ns), 0.0)):
                    await gate.acquire(count)
            except TimeoutError:
                raise DeadlineExceeded(
                    "call deadline passed while waiting for an order slot; nothing was sent",
                    endpoint=str(endpoint),
                ) from None
        try:
            yield
        finally:
            if count:
                gate.release(count)

    async def find_placed(
        self,
        symbol: str,
        cid: str,
        timestamp_ms: int | None,
        deadline_ns: int,
    ) -> Order | None:
        """Query until order ``cid`` is found (returned) or provably absent (None).

        Absent means absent on a query sent after the request stamped ``timestamp_ms`` can no
        longer be accepted; counts one reconciliation.
        """
        self.reconciliations += 1
        query = {"symbol": symbol, "origClientOrderId": cid}
        settle_after = self._settle_after_ms(timestamp_ms)
        attempt = 0
        while True:
            asked_at = self._gw.clock.now_ms()
            found = await self.lookup(query, cid, NEW_ORDER, deadline_ns)
            if found is not None:
                log.info("order %s: found by query (%s)", cid, found.status)
                return found
            if asked_at > settle_after:
                return None
            await self._pause(attempt, settle_after, deadline_ns, cid, NEW_ORDER)
            attempt += 1

    async def _adopt(self, symbol: str, cid: str, deadline_ns: int) -> Order:
        """The order holding ``cid`` (a -4116 said one is open), queried until seen."""
        self.reconciliations += 1
        query = {"symbol": symbol, "origClientOrderId": cid}
        attempt = 0
        while True:
            found = await self.lookup(query, cid, NEW_ORDER, deadline_ns)
            if found is not None:
                return found
            await self._pause(attempt, 0, deadline_ns, cid, NEW_ORDER)
            attempt += 1

    def _settle_after_ms(self, timestamp_ms: int | None) -> int:
        """Server time after which an absent order can no longer appear."""
        gw = self._gw
        if timestamp_ms is None:  # never signed: it cannot have been accepted
            return 0
        margin = gw.config.retry.settle_margin_ms + int(gw.clock.uncertainty_ms) + 1
        return timestamp_ms + gw.config.recv_window_ms + margin

    async def _pause(
        self, attempt: int, settle_after_ms: int, deadline_ns: int, ref: str, endpoint: Endpoint
    ) -> None:
        """Back off before the next query, never sleeping past the settle point."""
        gw = self._gw
        wait_s = gw.backoff.delay_s(attempt)
        until_settled_s = (settle_after_ms - gw.clock.now_ms() + 1) / 1000
        if until_settled_s > 0:
            wait_s = min(wait_s, until_settled_s)
        if wait_s >= gw.remaining_s(deadline_ns):
            raise ExecutionUnknown(ref, endpoint=str(endpoint), cause="deadline reached")
        await gw.sleep(wait_s)

    async def lookup(
        self, query: Mapping[str, Any], ref: str, endpoint: Endpoint, deadline_ns: int
    ) -> Order | None:
        """The order as the exchange holds it, or None when it does not exist (-2013).

        Transient failures of the query are retried with backoff until the deadline; then, or
        on an error that waiting cannot cure, the write's outcome stays unknown.
        """
        gw = self._gw
        attempt = 0
        while True:
            try:
                payload = await gw.request(
                    GET_ORDER, query, priority=Priority.URGENT, deadline_ns=deadline_ns, ref=ref
                )
            except NoSuchOrder:
                return None
            except BinanceError as exc:
                wait_s = gw.backoff.delay_s(attempt)
                if not isinstance(exc, _TRANSIENT) or wait_s >= gw.remaining_s(deadline_ns):
                    raise ExecutionUnknown(ref, endpoint=str(endpoint), cause=str(exc)) from exc
                log.info("%s %s: query failed (%s); retrying", endpoint, ref, type(exc).__name__)
                attempt += 1
                await gw.sleep(wait_s)
            else:
                return Order.from_payload(payload, reconciled=True)

    # -- cancel ----------------------------------------------------------------------------

    async def cancel(self, params: Mapping[str, Any], *, deadline_ns: int) -> Order:
        """Cancel one order; an order already gone reports its final state."""
        query, ref = order_query(params), order_ref(params)
        unknown = False  # an earlier attempt may still land
        while True:
            try:
                payload = await self._gw.request(
                    CANCEL_ORDER, params, priority=Priority.URGENT, deadline_ns=deadline_ns, ref=ref
                )
            except CancelRejected as exc:
                # Not open: filled, cancelled, expired, or never there. Report what it is.
                return await self.final_state(query, ref, exc, deadline_ns)
            except BinanceError as exc:
                if not outcome_unknown(exc):
                    if unknown:  # a definite failure now, but an earlier cancel may still land
                        raise ExecutionUnknown(
                            ref, endpoint=str(CANCEL_ORDER), cause=str(exc)
                        ) from exc
                    raise
                unknown = True
                log.info("cancel %s: outcome unknown (%s); querying", ref, type(exc).__name__)
                self.reconciliations += 1
                final = await self.lookup(query, ref, CANCEL_ORDER, deadline_ns)
                if final is not None and not final.is_open:
                    return final
                # Still open (or unknown to the exchange): a cancel is harmless to send again.
                log.info("cancel %s: order still open; sending the cancel again", ref)
            else:
                return Order.from_payload(payload)

    async def final_state(
        self, query: Mapping[str, Any], ref: str, refusal: APIError, deadline_ns: int
    ) -> Order:
        """The final state of an order a cancel found not open, else the refusal itself."""
        try:
            final = await self.lookup(query, ref, CANCEL_ORDER, deadline_ns)
        except ExecutionUnknown:
            raise refusal from None
        if final is None or final.is_open:
            raise refusal
        log.info("cancel %s: already %s", ref, final.status)
        return final

    # -- modify ----------------------------------------------------------------------------

    async def modify(self, params: Mapping[str, Any], *, deadline_ns: int) -> Order:
        """Modify a LIMIT order; an unknown outcome is settled by comparing the order."""
        query, ref = order_query(params), order_ref(params)
        want = (Decimal(str(params["price"])), Decimal(str(params["quantity"])))
        while True:
            try:
                payload = await self._gw.request(
                    MODIFY_ORDER, params, priority=Priority.NORMAL, deadline_ns=deadline_ns, ref=ref
                )
            except APIError as exc:
                if exc.code == _SAME_ORDER or isinstance(exc, NoSuchOrder):
                    return await self._modified(query, ref, want, exc, deadline_ns)
                if not isinstance(exc, UnknownOutcome):
                    raise
                timestamp, cause = exc.timestamp_ms, type(exc).__name__
            except TransportError as exc:
                if not exc.sent:
                    raise
                timestamp, cause = exc.timestamp_ms, type(exc).__name__
            else:
                return Order.from_payload(payload)
            log.info("modify %s: outcome unknown (%s); querying", ref, cause)
            settled = await self._settle_modify(query, ref, want, timestamp, deadline_ns)
            if settled is not None:
                return settled
            self.resubmissions += 1
            log.info("modify %s: proven not applied; sending it again", ref)

    async def _modified(
        self,
        query: Mapping[str, Any],
        ref: str,
        want: tuple[Decimal, Decimal],
        refusal: APIError,
        deadline_ns: int,
    ) -> Order:
        """After -5027 (already so) or -2013 (not open): the order if it shows the change.

        A -2013 can follow a change applied by an attempt this code never saw (a transport's
        silent retry of a PUT after a dropped connection); otherwise the refusal stands.
        """
        try:
            found = await self.lookup(query, ref, MODIFY_ORDER, deadline_ns)
        except ExecutionUnknown:
            raise refusal from None
        if found is None or (found.price, found.orig_qty) != want:
            raise refusal
        log.info("modify %s: already applied (%s)", ref, found.status)
        return found

    async def _settle_modify(
        self,
        query: Mapping[str, Any],
        ref: str,
        want: tuple[Decimal, Decimal],
        timestamp_ms: int | None,
        deadline_ns: int,
    ) -> Order | None:
        """The order once the modification shows (or the order closed); None: it never will."""
        self.reconciliations += 1
        settle_after = self._settle_after_ms(timestamp_ms)
        attempt = 0
        while True:
            asked_at = self._gw.clock.now_ms()
            order = await self.lookup(query, ref, MODIFY_ORDER, deadline_ns)
            if order is None:
                raise NoSuchOrder(
                    status=400, code=-2013, message="Order does not exist.", endpoint=str(GET_ORDER)
                )
            if (order.price, order.orig_qty) == want or not order.is_open:
                log.info("modify %s: settled by query (%s)", ref, order.status)
                return order
            if asked_at > settle_after:
                return None
            await self._pause(attempt, settle_after, deadline_ns, ref, MODIFY_ORDER)
            attempt += 1
