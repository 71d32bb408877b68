"""Batch order writes: one request for several orders, each item settled on its own.

A family's batch place takes several orders, its batch cancel several ids; the exchange
answers each item apart, in order. An item ends as its order or as its own error, never as the
batch's: an answered item with an unknown outcome (or a certain failure like a busy server) is
settled or sent again alone, and when the whole batch's outcome is unknown (no answer, or an
answer that is not one item per order) every item is settled by the
:class:`~.reconcile.Reconciler`'s single-order steps, in parallel. A batch of new-risk orders
holds one in-flight slot per new-risk item. A batch placement cancelled after it may have left
hands every item to the reconciler's background settling.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from .amend import Amendments
from .errors import (
    APIError,
    BinanceError,
    CancelRejected,
    InvalidRequest,
    MalformedAnswer,
    RequestInfo,
    ServerBusy,
    TransportError,
    UnknownOutcome,
    api_error,
)
from .gateway import Sent
from .ratelimits import Priority
from .reconcile import Reconciler, order_query, order_ref, outcome_unknown
from .venue import FamilyOrder, OrderFamily

__all__ = ["Batches"]

# Settling a batch is reconciliation: its steps log where the single-order steps do.
log = logging.getLogger("binance_async.reconcile")

T = TypeVar("T", bound=FamilyOrder)
R = TypeVar("R")

#: What a model builder raises on an item that is not an order.
_MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError, AttributeError)


async def _as_value(coro: Coroutine[Any, Any, R]) -> R | BinanceError:
    try:
        return await coro
    except BinanceError as exc:  # an item's own end: a definite error or ExecutionUnknown
        return exc


async def _all_settled(coros: Sequence[Coroutine[Any, Any, R]]) -> list[R | BinanceError]:
    """Settle a batch's items together; each ends as its result or its own error, in place
    (an item still unknown at the deadline is its ExecutionUnknown, not the batch's)."""
    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(_as_value(coro)) for coro in coros]
    return [task.result() for task in tasks]


def _answers(answer: Any, count: int) -> list[Mapping[str, Any] | None] | None:
    """One object (or None: unreadable) per item; None when the answer is not such a list."""
    if not isinstance(answer, list) or len(answer) != count:
        return None
    return [item if isinstance(item, Mapping) else None for item in answer]


class Batches:
    """Batch places and cancels, settled item by item through a :class:`Reconciler`."""

    def __init__(self, reconciler: Reconciler, amendments: Amendments) -> None:
        self._rec = reconciler
        self._amend = amendments
        self._gw = reconciler.gateway

    def _item_error(self, answer: Mapping[str, Any], request: RequestInfo) -> APIError:
        """The typed error of one refused item (``{"code": ..., "msg": ...}``)."""
        code = answer.get("code")
        return api_error(
            status=400,
            code=code if type(code) is int else None,
            message=str(answer.get("msg", ""))[:500],
            request=request,
            table=self._gw.venue.codes,
        )

    # -- place -----------------------------------------------------------------------------

    async def place(
        self, family: OrderFamily[T], items: Sequence[Mapping[str, Any]], *, deadline_ns: int
    ) -> list[T | BinanceError]:
        """Place several orders at once; each item ends as an order or a definite error."""
        endpoint = family.batch_place
        assert endpoint is not None, f"{family.name} orders have no batch placement"
        new_risk = sum(1 for item in items if not family.reduces_risk(item))
        priority = Priority.NORMAL if new_risk else Priority.URGENT
        cids = [item[family.client_id] for item in items]
        sent = Sent()
        try:
            try:
                await self._rec.hold_slots(new_risk, deadline_ns, endpoint, cids[0])
                try:
                    answer = await self._gw.request(
                        endpoint,
                        {"batchOrders": list(items)},
                        priority=priority,
                        deadline_ns=deadline_ns,
                        ref=",".join(cids),
                        sent=sent,
                    )
                finally:
                    if new_risk:
                        self._gw.orders_gate.release(new_risk)
            except (UnknownOutcome, TransportError) as exc:
                if not outcome_unknown(exc):
                    raise
                log.info("batch %s: outcome unknown; settling item by item", cids)
                request = exc.request
                return await _all_settled(
                    [self._settle_item(family, item, request, deadline_ns) for item in items]
                )
        except asyncio.CancelledError:
            if sent.info is not None:
                for item, cid in zip(items, cids, strict=True):
                    self._rec.interrupt(family, item["symbol"], cid, sent.info, deadline_ns)
            raise
        self._gw.orders_gate.succeeded()
        assert sent.info is not None
        request = sent.info
        answers = _answers(answer, len(items))
        if answers is None:
            log.info("batch %s: the answer is not one item per order; settling each", cids)
            return await _all_settled(
                [self._settle_item(family, item, request, deadline_ns) for item in items]
            )
        return await _all_settled(
            [
                self._batch_item(family, item, one, request, deadline_ns)
                for item, one in zip(items, answers, strict=True)
            ]
        )

    async def _batch_item(
        self,
        family: OrderFamily[T],
        item: Mapping[str, Any],
        answer: Mapping[str, Any] | None,
        request: RequestInfo,
        deadline_ns: int,
    ) -> T | APIError:
        """One answered item: its order, a definite error, or an unknown settled alone."""
        cid = item[family.client_id]
        info = request._replace(client_order_id=cid)
        if answer is not None and family.exchange_id in answer:
            try:
                return family.parse(answer)
            except _MALFORMED:
                pass  # not an order after all: settle it like any unknown
        error = (
            self._item_error(answer, info)
            if answer is not None and "code" in answer
            else MalformedAnswer(
                status=200, code=None, message="the item is not an order", request=info
            )
        )
        if isinstance(error, UnknownOutcome):
            log.info("batch item %s: outcome unknown; querying", cid)
            return await self._settle_item(family, item, info, deadline_ns)
        if isinstance(error, ServerBusy):  # a certain failure of this item: send it alone
            log.info("batch item %s: %s; resending alone", cid, error.code)
            return await self._place_item(family, item, deadline_ns)
        return error

    async def _settle_item(
        self,
        family: OrderFamily[T],
        item: Mapping[str, Any],
        request: RequestInfo,
        deadline_ns: int,
    ) -> T | APIError:
        cid = item[family.client_id]
        info = request._replace(client_order_id=cid)
        found = await self._rec.find_placed(family, item["symbol"], cid, info, deadline_ns)
        if found is not None:
            return found
        self._rec.resubmissions += 1
        log.info("batch item %s: proven not placed; resubmitting alone, same id", cid)
        return await self._place_item(family, item, deadline_ns, resubmitted=True)

    async def _place_item(
        self,
        family: OrderFamily[T],
        item: Mapping[str, Any],
        deadline_ns: int,
        *,
        resubmitted: bool = False,
    ) -> T | APIError:
        try:
            return await self._rec.place(
                family, item, deadline_ns=deadline_ns, resubmitted=resubmitted
            )
        except APIError as exc:
            return exc

    # -- modify ----------------------------------------------------------------------------

    async def modify(
        self, family: OrderFamily[T], items: Sequence[Mapping[str, Any]], *, deadline_ns: int
    ) -> list[T | BinanceError]:
        """Modify several orders at once; each item ends as its order or its own error. An
        item whose outcome is unknown is settled by comparing its order with the change."""
        endpoint = family.batch_modify
        assert endpoint is not None, f"{family.name} orders have no batch modify"
        refs = [order_ref(family, item) for item in items]
        sent = Sent()
        try:
            answer = await self._gw.request(
                endpoint,
                {"batchOrders": list(items)},
                deadline_ns=deadline_ns,
                ref=",".join(refs),
                sent=sent,
            )
        except (UnknownOutcome, TransportError) as exc:
            if not outcome_unknown(exc):
                raise
            log.info("batch modify %s: outcome unknown; settling item by item", refs)
            answers: list[Mapping[str, Any] | None] | None = None
            request = exc.request
        else:
            answers = _answers(answer, len(items))
            assert sent.info is not None
            request = sent.info
        return await _all_settled(
            [
                self._modify_item(
                    family, item, answers[i] if answers is not None else None, request, deadline_ns
                )
                for i, item in enumerate(items)
            ]
        )

    async def _modify_item(
        self,
        family: OrderFamily[T],
        item: Mapping[str, Any],
        answer: Mapping[str, Any] | None,
        request: RequestInfo,
        deadline_ns: int,
    ) -> T | APIError:
        """One item of a batch modify: its order, its error, or settled alone."""
        if answer is not None and family.exchange_id in answer:
            try:
                return family.parse(answer)
            except _MALFORMED:
                answer = None
        info = request._replace(client_order_id=order_ref(family, item))
        if answer is not None and "code" in answer:
            error = self._item_error(answer, info)
            if not isinstance(error, UnknownOutcome | ServerBusy):
                return error
            if isinstance(error, ServerBusy):  # certain: nothing changed, send it alone
                return await self._modify_alone(family, item, deadline_ns)
        settled = await self._amend.settle_modify(family, item, info, deadline_ns)
        if settled is not None:
            return settled
        self._rec.resubmissions += 1
        return await self._modify_alone(family, item, deadline_ns)

    async def _modify_alone(
        self, family: OrderFamily[T], item: Mapping[str, Any], deadline_ns: int
    ) -> T | APIError:
        try:
            return await self._amend.modify(family, item, deadline_ns=deadline_ns)
        except APIError as exc:
            return exc

    # -- cancel ----------------------------------------------------------------------------

    async def cancel(
        self,
        family: OrderFamily[T],
        symbol: str,
        refs: Sequence[tuple[str, Any]],
        *,
        deadline_ns: int,
    ) -> list[T | BinanceError]:
        """Cancel several orders, each given as (exchange id name, id) or (client id name, id)."""
        endpoint = family.batch_cancel
        assert endpoint is not None, f"{family.name} orders have no batch cancel"
        kinds = {kind for kind, _ in refs}
        if len(kinds) != 1:
            raise InvalidRequest("cancel a batch by order ids or by client order ids, not both")
        kind = kinds.pop()
        by_id, by_cid = family.batch_cancel_lists
        list_name = by_id if kind == family.exchange_id else by_cid
        params = {"symbol": symbol, list_name: [value for _, value in refs]}
        answers: list[Mapping[str, Any] | None] | None
        try:
            answer = await self._gw.request(
                endpoint,
                params,
                priority=Priority.URGENT,
                deadline_ns=deadline_ns,
                ref=",".join(str(value) for _, value in refs),
            )
        except (UnknownOutcome, TransportError) as exc:
            if not outcome_unknown(exc):
                raise
            log.info("batch cancel %s: outcome unknown; settling item by item", refs)
            answers = None
        else:
            answers = _answers(answer, len(refs))
        return await _all_settled(
            [
                self._cancel_item(
                    family,
                    {"symbol": symbol, name: value},
                    answers[i] if answers is not None else None,
                    deadline_ns,
                )
                for i, (name, value) in enumerate(refs)
            ]
        )

    async def _cancel_item(
        self,
        family: OrderFamily[T],
        params: Mapping[str, Any],
        answer: Mapping[str, Any] | None,
        deadline_ns: int,
    ) -> T | APIError:
        """One item of a batch cancel: its answer, its final state, or a single cancel."""
        if answer is not None and family.exchange_id in answer:
            try:
                return family.parse(answer)
            except _MALFORMED:
                answer = None
        query, ref = order_query(family, params), order_ref(family, params)
        endpoint = family.batch_cancel
        assert endpoint is not None
        origin = RequestInfo(endpoint.method, endpoint.path, client_order_id=ref)
        if answer is None or "code" not in answer:  # unknown: look before cancelling again
            self._rec.reconciliations += 1
            final, _ = await self._rec.lookup(family, query, origin, deadline_ns)
            if final is not None and not family.is_open(final):
                log.info("cancel %s: settled by query (%s)", ref, final.status)
                return final
        else:
            error = self._item_error(answer, origin)
            if isinstance(error, CancelRejected):
                try:
                    return await self._amend.final_state(family, query, origin, error, deadline_ns)
                except APIError as exc:
                    return exc
            if not isinstance(error, UnknownOutcome | ServerBusy):
                return error
        try:
            return await self._amend.cancel(family, params, deadline_ns=deadline_ns)
        except APIError as exc:
            return exc
