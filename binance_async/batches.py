"""Batch order writes: one request for several orders, each item settled on its own.

``POST /fapi/v1/batchOrders`` places up to 5 orders, ``DELETE /fapi/v1/batchOrders`` cancels
up to 10; the exchange answers each item apart, in order. An item ends as its order or as its
own error, never as the batch's: an answered item with an unknown outcome (or a certain failure
like a busy server) is settled or sent again alone, and when the whole batch's outcome is
unknown every item is settled by the :class:`~.reconcile.Reconciler`'s single-order steps, in
parallel. A batch of new-risk orders holds one in-flight slot per new-risk item.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from .endpoints import Endpoint
from .endpoints.usdm import BATCH_CANCEL, BATCH_ORDERS
from .errors import (
    APIError,
    BinanceError,
    CancelRejected,
    InvalidRequest,
    ServerBusy,
    TransportError,
    UnknownOutcome,
    api_error,
)
from .limits import Priority
from .models import Order
from .reconcile import Reconciler, order_query, order_ref, outcome_unknown, reduces_risk

__all__ = ["Batches"]

# Settling a batch is reconciliation: its steps log where the single-order steps do.
log = logging.getLogger("binance_async.reconcile")

T = TypeVar("T")


async def _as_value(coro: Coroutine[Any, Any, T]) -> T | BinanceError:
    try:
        return await coro
    except BinanceError as exc:  # an item's own end: a definite error or ExecutionUnknown
        return exc


async def _all_settled(coros: Iterable[Coroutine[Any, Any, T]]) -> list[T | BinanceError]:
    """Settle a batch's items together; each ends as its result or its own error, in place
    (an item still unknown at the deadline is its ExecutionUnknown, not the batch's)."""
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(_as_value(coro)) for coro in coros]
    return [task.result() for task in tasks]


def _item_error(answer: Mapping[str, Any], endpoint: Endpoint) -> APIError:
    """The typed error of one refused batch item (``{"code": ..., "msg": ...}``)."""
    code = answer.get("code")
    return api_error(
        status=400,
        code=code if isinstance(code, int) else None,
        message=str(answer.get("msg", "")),
        endpoint=str(endpoint),
    )


class Batches:
    """Batch places and cancels, settled item by item through a :class:`Reconciler`."""

    def __init__(self, reconciler: Reconciler) -> None:
        self._rec = reconciler
        self._gw = reconciler.gateway

    # -- place -----------------------------------------------------------------------------

    async def place(
        self, items: Sequence[Mapping[str, Any]], *, deadline_ns: int
    ) -> list[Order | BinanceError]:
        """Place up to 5 orders at once; each item ends as an order or a definite error."""
        new_risk = sum(1 for item in items if not reduces_risk(item))
        priority = Priority.NORMAL if new_risk else Priority.URGENT
        answers: list[Any]
        try:
            async with self._rec.order_slots(new_risk, deadline_ns, BATCH_ORDERS):
                answers = await self._gw.request(
                    BATCH_ORDERS,
                    {"batchOrders": list(items)},
                    priority=priority,
                    deadline_ns=deadline_ns,
                    ref=",".join(item["newClientOrderId"] for item in items),
                )
        except (UnknownOutcome, TransportError) as exc:
            if not outcome_unknown(exc):
                raise
            cids = [item["newClientOrderId"] for item in items]
            log.info("batch %s: outcome unknown; settling item by item", cids)
            timestamp = exc.timestamp_ms
            return await _all_settled(
                self._settle_item(item, timestamp, deadline_ns) for item in items
            )
        self._gw.orders_gate.succeeded()
        return await _all_settled(
            self._batch_item(item, answer, deadline_ns)
            for item, answer in zip(items, answers, strict=True)
        )

    async def _batch_item(
        self, item: Mapping[str, Any], answer: Mapping[str, Any], deadline_ns: int
    ) -> Order | APIError:
        """One answered item: its order, a definite error, or an unknown settled alone."""
        if "orderId" in answer or "code" not in answer:
            return Order.from_payload(answer)
        error = _item_error(answer, BATCH_ORDERS)
        if isinstance(error, UnknownOutcome):
            # The batch was answered, so it was stamped no later than now: a safe bound.
            log.info("batch item %s: outcome unknown; querying", item["newClientOrderId"])
            return await self._settle_item(item, self._gw.clock.now_ms(), deadline_ns)
        if isinstance(error, ServerBusy):  # a certain failure of this item: send it alone
            log.info("batch item %s: %s; resending alone", item["newClientOrderId"], error.code)
            return await self._place_item(item, deadline_ns)
        return error

    async def _settle_item(
        self, item: Mapping[str, Any], timestamp_ms: int | None, deadline_ns: int
    ) -> Order | APIError:
        cid = item["newClientOrderId"]
        found = await self._rec.find_placed(item["symbol"], cid, timestamp_ms, deadline_ns)
        if found is not None:
            return found
        self._rec.resubmissions += 1
        log.info("batch item %s: proven not placed; resubmitting alone, same id", cid)
        return await self._place_item(item, deadline_ns, resubmitted=True)

    async def _place_item(
        self, item: Mapping[str, Any], deadline_ns: int, *, resubmitted: bool = False
    ) -> Order | APIError:
        priority = Priority.URGENT if reduces_risk(item) else Priority.NORMAL
        try:
            return await self._rec.place(
                item, priority=priority, deadline_ns=deadline_ns, resubmitted=resubmitted
            )
        except APIError as exc:
            return exc

    # -- cancel ----------------------------------------------------------------------------

    async def cancel(
        self, symbol: str, refs: Sequence[tuple[str, Any]], *, deadline_ns: int
    ) -> list[Order | BinanceError]:
        """Cancel up to 10 orders, each given as ("orderId", id) or ("origClientOrderId", id)."""
        kinds = {kind for kind, _ in refs}
        if len(kinds) != 1:
            raise InvalidRequest("cancel a batch by order ids or by client order ids, not both")
        kind = kinds.pop()
        list_name = "orderIdList" if kind == "orderId" else "origClientOrderIdList"
        params = {"symbol": symbol, list_name: [value for _, value in refs]}
        answers: list[Any]
        try:
            answers = await self._gw.request(
                BATCH_CANCEL,
                params,
                priority=Priority.URGENT,
                deadline_ns=deadline_ns,
                ref=",".join(str(value) for _, value in refs),
            )
        except (UnknownOutcome, TransportError) as exc:
            if not outcome_unknown(exc):
                raise
            names = [str(value) for _, value in refs]
            log.info("batch cancel %s: outcome unknown; settling item by item", names)
            answers = [None] * len(refs)
        return await _all_settled(
            self._cancel_item({"symbol": symbol, name: value}, answer, deadline_ns)
            for (name, value), answer in zip(refs, answers, strict=True)
        )

    async def _cancel_item(
        self, params: Mapping[str, Any], answer: Mapping[str, Any] | None, deadline_ns: int
    ) -> Order | APIError:
        """One item of a batch cancel: its answer, its final state, or a single cancel."""
        if answer is not None and "orderId" in answer:
            return Order.from_payload(answer)
        query, ref = order_query(params), order_ref(params)
        if answer is None:  # the batch's outcome is unknown: look before cancelling again
            self._rec.reconciliations += 1
            final = await self._rec.lookup(query, ref, BATCH_CANCEL, deadline_ns)
            if final is not None and not final.is_open:
                log.info("cancel %s: settled by query (%s)", ref, final.status)
                return final
        else:
            error = _item_error(answer, BATCH_CANCEL)
            if isinstance(error, CancelRejected):
                try:
                    return await self._rec.final_state(query, ref, error, deadline_ns)
                except APIError as exc:
                    return exc
            if not isinstance(error, UnknownOutcome | ServerBusy):
                return error
        try:
            return await self._rec.cancel(params, deadline_ns=deadline_ns)
        except APIError as exc:
            return exc
