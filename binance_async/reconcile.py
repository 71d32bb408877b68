"""Settling unknown outcomes: an order is never lost, never duplicated.

A 503 "Unknown error", a timeout after the request left, or a connection lost after sending
means the order may or may not exist. Nothing is resent blind: the order is queried by its
client order id, with backoff. Found: it is returned, marked ``reconciled``. Still absent on a
query sent once the server's time (the client's estimate) is past the request's ``timestamp +
recvWindow`` plus a margin and the clock's uncertainty: the exchange can no longer accept it
(the matching engine refuses a request past its recvWindow, ``-5028``), so it was not placed,
and it is resubmitted with the same client order id. ``ExecutionUnknown`` only when the
exchange stays unreachable past the call's deadline.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .endpoints.usdm import (
    BATCH_CANCEL,
    BATCH_ORDERS,
    CANCEL_ORDER,
    GET_ORDER,
    MODIFY_ORDER,
    NEW_ORDER,
)
from .errors import (
    APIError,
    BinanceError,
    CancelRejected,
    DuplicateClientOrderId,
    ExecutionUnknown,
    InvalidRequest,
    NoSuchOrder,
    ServerBusy,
    TransportError,
    UnknownOutcome,
    api_error,
)
from .gateway import Gateway
from .limits import Priority
from .models import Order

__all__ = ["Reconciler", "check_client_order_id", "new_client_order_id"]

log = logging.getLogger("binance_async.reconcile")

_CLIENT_ORDER_ID = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")
#: -5027: "No need to modify the order": the modification is already in place.
_SAME_ORDER = -5027


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


def _outcome_unknown(exc: BinanceError) -> bool:
    if isinstance(exc, UnknownOutcome):
        return True
    return isinstance(exc, TransportError) and exc.sent


class Reconciler:
    """Order writes with their unknown outcomes settled."""

    def __init__(self, gateway: Gateway) -> None:
        self._gw = gateway
        self.reconciliations = 0
        self.resubmissions = 0

    # -- place -----------------------------------------------------------------------------

    async def place(
        self, params: Mapping[str, Any], *, priority: Priority, deadline_ns: int
    ) -> Order:
        """Place one order (``params`` in wire names, with ``newClientOrderId``)."""
        cid: str = params["newClientOrderId"]
        symbol: str = params["symbol"]
        gate = self._gw.orders_gate
        exempt = priority is Priority.URGENT
        while True:
            if not exempt:
                await self._within(gate.acquire(), deadline_ns, cid)
            try:
                payload = await self._gw.request(
                    NEW_ORDER, params, priority=priority, deadline_ns=deadline_ns
                )
            except DuplicateClientOrderId:
                # An open order already has this id: our earlier attempt got through.
                return await self._adopt(symbol, cid, deadline_ns)
            except (UnknownOutcome, TransportError) as exc:
                if not _outcome_unknown(exc):
                    raise
                timestamp = exc.timestamp_ms
                cause = type(exc).__name__
            else:
                gate.succeeded()
                return Order.from_payload(payload)
            finally:
                if not exempt:
                    gate.release()
            log.info("order %s: outcome unknown (%s); querying it", cid, cause)
            found = await self._settle(symbol, cid, timestamp, deadline_ns)
            if found is not None:
                return found
            self.resubmissions += 1
            log.info("order %s: not placed; resubmitting with the same id", cid)

    async def _adopt(self, symbol: str, cid: str, deadline_ns: int) -> Order:
        try:
            payload = await self._query(symbol, cid, deadline_ns)
        except (UnknownOutcome, TransportError, ServerBusy) as exc:
            raise ExecutionUnknown(cid, endpoint=str(NEW_ORDER), cause=str(exc)) from exc
        return Order.from_payload(payload, reconciled=True)

    async def _query(self, symbol: str, cid: str, deadline_ns: int) -> Any:
        return await self._gw.request(
            GET_ORDER,
            {"symbol": symbol, "origClientOrderId": cid},
            priority=Priority.URGENT,
            deadline_ns=deadline_ns,
        )

    def _settle_after_ms(self, timestamp_ms: int | None) -> int:
        """Server time after which an absent order can no longer appear."""
        gw = self._gw
        if timestamp_ms is None:  # never signed: it cannot have been accepted
            return 0
        margin = gw.config.retry.settle_margin_ms + int(gw.clock.uncertainty_ms) + 1
        return timestamp_ms + gw.config.recv_window_ms + margin

    async def _settle(
        self, symbol: str, cid: str, timestamp_ms: int | None, deadline_ns: int
    ) -> Order | None:
        """Query until the order is found (returned) or provably absent (None)."""
        self.reconciliations += 1
        gw = self._gw
        settle_after = self._settle_after_ms(timestamp_ms)
        attempt = 0
        while True:
            asked_at = gw.clock.now_ms()
            try:
                payload = await self._query(symbol, cid, deadline_ns)
            except NoSuchOrder:
                if asked_at > settle_after:
                    return None
            except (TimeoutError, UnknownOutcome, TransportError, ServerBusy) as exc:
                if gw.remaining_s(deadline_ns) <= 0:
                    raise ExecutionUnknown(cid, endpoint=str(NEW_ORDER), cause=str(exc)) from exc
            else:
                log.info("order %s: found by query (%s)", cid, payload.get("status"))
                return Order.from_payload(payload, reconciled=True)
            wait_s = gw.backoff.delay_s(attempt)
            until_settled_s = (settle_after - gw.clock.now_ms() + 1) / 1000
            if until_settled_s > 0:
                wait_s = min(wait_s, until_settled_s)
            if wait_s >= gw.remaining_s(deadline_ns):
                raise ExecutionUnknown(
                    cid, endpoint=str(NEW_ORDER), cause="deadline reached while settling"
                )
            attempt = min(attempt + 1, 8)
            await gw.sleep(wait_s)

    async def _within(self, awaitable: Any, deadline_ns: int, cid: str) -> None:
        remaining = self._gw.remaining_s(deadline_ns)
        try:
            async with asyncio.timeout(max(remaining, 0)):
                await awaitable
        except TimeoutError:
            raise ExecutionUnknown(
                cid, endpoint=str(NEW_ORDER), cause="deadline reached before sending"
            ) from None

    # -- cancel ----------------------------------------------------------------------------

    async def cancel(self, params: Mapping[str, Any], *, deadline_ns: int) -> Order:
        """Cancel one order; an order already gone reports its final state."""
        symbol: str = params["symbol"]
        ref = params.get("origClientOrderId") or str(params.get("orderId"))
        while True:
            try:
                payload = await self._gw.request(
                    CANCEL_ORDER, params, priority=Priority.URGENT, deadline_ns=deadline_ns
                )
                return Order.from_payload(payload)
            except CancelRejected as exc:
                # Not open: filled, cancelled, expired, or never there. Report what it is.
                final = await self._final_state(params, symbol, deadline_ns, ref)
                if final is None:
                    raise exc
                return final
            except (UnknownOutcome, TransportError) as exc:
                if not _outcome_unknown(exc):
                    raise
                log.info("cancel %s: outcome unknown (%s); querying", ref, type(exc).__name__)
                self.reconciliations += 1
                final = await self._final_state(params, symbol, deadline_ns, ref)
                if final is not None and not final.is_open:
                    return final
                # Still open: resending a cancel is harmless.

    async def _final_state(
        self, params: Mapping[str, Any], symbol: str, deadline_ns: int, ref: str
    ) -> Order | None:
        query = {"symbol": symbol}
        if params.get("orderId") is not None:
            query["orderId"] = params["orderId"]
        else:
            query["origClientOrderId"] = params["origClientOrderId"]
        try:
            payload = await self._gw.request(
                GET_ORDER, query, priority=Priority.URGENT, deadline_ns=deadline_ns
            )
        except NoSuchOrder:
            return None
        except (UnknownOutcome, TransportError, ServerBusy) as exc:
            raise ExecutionUnknown(ref, endpoint=str(CANCEL_ORDER), cause=str(exc)) from exc
        return Order.from_payload(payload, reconciled=True)

    # -- modify ----------------------------------------------------------------------------

    async def modify(self, params: Mapping[str, Any], *, deadline_ns: int) -> Order:
        """Modify a LIMIT order; an unknown outcome is settled by comparing the order."""
        symbol: str = params["symbol"]
        ref = params.get("origClientOrderId") or str(params.get("orderId"))
        want_price = Decimal(str(params["price"]))
        want_qty = Decimal(str(params["quantity"]))
        while True:
            try:
                payload = await self._gw.request(
                    MODIFY_ORDER, params, priority=Priority.NORMAL, deadline_ns=deadline_ns
                )
                return Order.from_payload(payload)
            except APIError as exc:
                if exc.code == _SAME_ORDER:
                    final = await self._final_state(params, symbol, deadline_ns, ref)
                    if final is None:
                        raise
                    return final
                if not _outcome_unknown(exc):
                    raise
                timestamp = exc.timestamp_ms
            except TransportError as exc:
                if not exc.sent:
                    raise
                timestamp = exc.timestamp_ms
            log.info("modify %s: outcome unknown; querying", ref)
            self.reconciliations += 1
            settle_after = self._settle_after_ms(timestamp)
            while True:
                asked_at = self._gw.clock.now_ms()
                order = await self._final_state(params, symbol, deadline_ns, ref)
                if order is None:
                    raise NoSuchOrder(
                        status=400, code=-2013, message="Order does not exist.", endpoint=ref
                    )
                applied = order.price == want_price and order.orig_qty == want_qty
                if applied or not order.is_open:
                    return order
                if asked_at > settle_after:
                    break  # the modification can no longer land: send it again
                wait = (settle_after - self._gw.clock.now_ms() + 1) / 1000
                if wait >= self._gw.remaining_s(deadline_ns):
                    raise ExecutionUnknown(ref, endpoint=str(MODIFY_ORDER), cause="deadline")
                await self._gw.sleep(max(wait, 0.0))
            self.resubmissions += 1

    # -- batches ---------------------------------------------------------------------------

    async def place_batch(
        self, items: Sequence[Mapping[str, Any]], *, deadline_ns: int
    ) -> list[Order | APIError]:
        """Place up to 5 orders at once; each item ends as an order or a definite error."""
        try:
            payload = await self._gw.request(
                BATCH_ORDERS, {"batchOrders": list(items)}, deadline_ns=deadline_ns
            )
        except (UnknownOutcome, TransportError) as exc:
            if not _outcome_unknown(exc):
                raise
            log.info("batch of %d: outcome unknown; settling item by item", len(items))
            timestamp = exc.timestamp_ms
            return list(
                await asyncio.gather(
                    *(self._settle_item(item, timestamp, deadline_ns) for item in items)
                )
            )
        results: list[Order | APIError] = []
        retry: list[tuple[int, Mapping[str, Any], APIError]] = []
        for index, (item, answer) in enumerate(zip(items, payload, strict=True)):
            if "code" not in answer or "orderId" in answer:
                results.append(Order.from_payload(answer))
                continue
            error = api_error(
                status=400,
                code=answer.get("code"),
                message=answer.get("msg", ""),
                endpoint=str(BATCH_ORDERS),
            )
            results.append(error)
            if isinstance(error, UnknownOutcome | ServerBusy | DuplicateClientOrderId):
                retry.append((index, item, error))
        # Items refused for a certain, passing reason, or unknown, are settled one by one.
        settled = await asyncio.gather(
            *(self._retry_item(item, error, deadline_ns) for _, item, error in retry)
        )
        for (index, _, _), outcome in zip(retry, settled, strict=True):
            results[index] = outcome
        return results

    async def _retry_item(
        self, item: Mapping[str, Any], error: APIError, deadline_ns: int
    ) -> Order | APIError:
        if isinstance(error, DuplicateClientOrderId):
            return await self._adopt(item["symbol"], item["newClientOrderId"], deadline_ns)
        if isinstance(error, UnknownOutcome):
            return await self._settle_item(item, None, deadline_ns, unknown_since_now=True)
        return await self._place_item(item, deadline_ns)

    async def _settle_item(
        self,
        item: Mapping[str, Any],
        timestamp_ms: int | None,
        deadline_ns: int,
        *,
        unknown_since_now: bool = False,
    ) -> Order | APIError:
        if unknown_since_now:
            # The batch answered, so its request was stamped within the last recvWindow.
            timestamp_ms = self._gw.clock.now_ms()
        found = await self._settle(
            item["symbol"], item["newClientOrderId"], timestamp_ms, deadline_ns
        )
        if found is not None:
            return found
        self.resubmissions += 1
        return await self._place_item(item, deadline_ns)

    async def _place_item(self, item: Mapping[str, Any], deadline_ns: int) -> Order | APIError:
        reduce = str(item.get("reduceOnly", "")).lower() == "true"
        try:
            return await self.place(
                item,
                priority=Priority.URGENT if reduce else Priority.NORMAL,
                deadline_ns=deadline_ns,
            )
        except APIError as exc:
            return exc

    async def cancel_batch(
        self, symbol: str, refs: Sequence[tuple[str, Any]], *, deadline_ns: int
    ) -> list[Order | APIError]:
        """Cancel up to 10 orders, each given as ("orderId", id) or ("origClientOrderId", id)."""
        kinds = {kind for kind, _ in refs}
        if len(kinds) != 1:
            raise InvalidRequest("cancel a batch by order ids or by client order ids, not both")
        kind = kinds.pop()
        list_name = "orderIdList" if kind == "orderId" else "origClientOrderIdList"
        params = {"symbol": symbol, list_name: [value for _, value in refs]}
        try:
            payload = await self._gw.request(
                BATCH_CANCEL, params, priority=Priority.URGENT, deadline_ns=deadline_ns
            )
        except (UnknownOutcome, TransportError) as exc:
            if not _outcome_unknown(exc):
                raise
            payload = [{"code": -1000, "msg": "unknown"} for _ in refs]
        results: list[Order | APIError] = []
        for (name, value), answer in zip(refs, payload, strict=True):
            if "orderId" in answer:
                results.append(Order.from_payload(answer))
                continue
            try:
                results.append(
                    await self.cancel({"symbol": symbol, name: value}, deadline_ns=deadline_ns)
                )
            except APIError as exc:
                results.append(exc)
        return results
