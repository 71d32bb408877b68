"""Changing and cancelling orders with their unknown outcomes settled.

A cancel whose outcome is unknown is settled by querying the order (a cancel is harmless to
send again while the order is open); a cancel refused because the order is no longer open
reports the order's final state. Where a cancel gives the order its own client id (Spot), the
order is looked for under that id too. A modify whose outcome is unknown is settled by comparing the
order with the change, and sent again only once proven not applied (the same settle point as
a placement, :class:`~.reconcile.Reconciler`). Both work for any order family.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, TypeVar

from .errors import (
    APIError,
    BinanceError,
    CancelRejected,
    ExecutionUnknown,
    NoSuchOrder,
    RequestInfo,
    TransportError,
    UnknownOutcome,
)
from .ratelimits import Priority
from .reconcile import Reconciler, order_query, order_ref, outcome_unknown
from .venue import FamilyOrder, OrderFamily

__all__ = ["Amendments"]

log = logging.getLogger("binance_async.reconcile")

T = TypeVar("T", bound=FamilyOrder)

#: -5027: "No need to modify the order": the modification is already in place.
_SAME_ORDER = -5027


class Amendments:
    """Cancels and modifications, settled through a :class:`Reconciler`'s queries."""

    def __init__(self, reconciler: Reconciler) -> None:
        self._rec = reconciler
        self._gw = reconciler.gateway

    # -- cancel ----------------------------------------------------------------------------

    async def cancel(
        self, family: OrderFamily[T], params: Mapping[str, Any], *, deadline_ns: int
    ) -> T:
        """Cancel one order; an order already gone reports its final state."""
        query, ref = order_query(family, params), order_ref(family, params)
        renamed = _renamed_query(family, params)
        origin = RequestInfo(family.cancel.method, family.cancel.path, client_order_id=ref)
        unknown = False  # an earlier attempt may still land
        while True:
            try:
                order: T = await self._gw.request(
                    family.cancel,
                    params,
                    priority=Priority.URGENT,
                    deadline_ns=deadline_ns,
                    ref=ref,
                )
            except CancelRejected as exc:
                # Not open: filled, cancelled, expired, or never there. Report what it is.
                return await self.final_state(
                    family, query, origin, exc, deadline_ns, renamed=renamed
                )
            except BinanceError as exc:
                if not outcome_unknown(exc):
                    if unknown:  # a definite failure now, but an earlier cancel may still land
                        raise ExecutionUnknown(ref, request=origin, cause=str(exc)) from exc
                    raise
                unknown = True
                log.info("cancel %s: outcome unknown (%s); querying", ref, type(exc).__name__)
                self._rec.reconciliations += 1
                final = await self._find(family, query, renamed, origin, deadline_ns)
                if final is not None and not family.is_open(final):
                    return final
                # Still open (or unknown to the exchange): a cancel is harmless to send again.
                log.info("cancel %s: order still open; sending the cancel again", ref)
            else:
                if family.cancel_answers_order:
                    return order
                # The answer names the order but is not it: read its final state back.
                final, _ = await self._rec.lookup(family, query, origin, deadline_ns)
                if final is None:
                    raise NoSuchOrder(
                        status=400, code=-2013, message="Order does not exist.", request=origin
                    )
                return final

    async def final_state(
        self,
        family: OrderFamily[T],
        query: Mapping[str, Any],
        origin: RequestInfo,
        refusal: APIError,
        deadline_ns: int,
        *,
        renamed: Mapping[str, Any] | None = None,
    ) -> T:
        """The final state of an order a cancel found not open, else the refusal itself
        (``renamed``: the query naming it by the id a cancel gave it)."""
        try:
            final = await self._find(family, query, renamed, origin, deadline_ns)
        except ExecutionUnknown:
            raise refusal from None
        if final is None or family.is_open(final):
            raise refusal
        log.info("cancel %s: already %s", origin.client_order_id, final.status)
        return final

    async def _find(
        self,
        family: OrderFamily[T],
        query: Mapping[str, Any],
        renamed: Mapping[str, Any] | None,
        origin: RequestInfo,
        deadline_ns: int,
    ) -> T | None:
        """The order by ``query``; when absent, by ``renamed`` (the id a cancel gave it)."""
        final, _ = await self._rec.lookup(family, query, origin, deadline_ns)
        if final is None and renamed is not None:
            final, _ = await self._rec.lookup(family, renamed, origin, deadline_ns)
        return final

    # -- modify ----------------------------------------------------------------------------

    async def modify(
        self, family: OrderFamily[T], params: Mapping[str, Any], *, deadline_ns: int
    ) -> T:
        """Modify an order; an unknown outcome is settled by comparing the order."""
        endpoint = family.modify
        assert endpoint is not None, f"{family.name} orders cannot be modified"
        ref = order_ref(family, params)
        while True:
            try:
                order: T = await self._gw.request(
                    endpoint, params, priority=Priority.NORMAL, deadline_ns=deadline_ns, ref=ref
                )
            except APIError as exc:
                if exc.code == _SAME_ORDER or isinstance(exc, NoSuchOrder):
                    return await self._modified(family, params, exc, deadline_ns)
                if not isinstance(exc, UnknownOutcome):
                    raise
                request = exc.request
            except TransportError as exc:
                if not exc.sent:
                    raise
                request = exc.request
            else:
                return order
            log.info("modify %s: outcome unknown; querying", ref)
            settled = await self.settle_modify(family, params, request, deadline_ns)
            if settled is not None:
                return settled
            self._rec.resubmissions += 1
            log.info("modify %s: proven not applied; sending it again", ref)

    async def settle_modify(
        self,
        family: OrderFamily[T],
        params: Mapping[str, Any],
        request: RequestInfo,
        deadline_ns: int,
    ) -> T | None:
        """The order once a modification sent as ``request`` shows (or the order closed);
        None once it is proven never applied. ``NoSuchOrder`` when the order is gone."""
        query = order_query(family, params)
        settled = await self._rec.settle(
            family,
            query,
            request,
            deadline_ns,
            self._rec.settle_point(request),
            lambda o: o is None or family.shows_modify(params, o) or not family.is_open(o),
        )
        if settled is None:
            raise NoSuchOrder(
                status=400, code=-2013, message="Order does not exist.", request=request
            )
        if family.shows_modify(params, settled) or not family.is_open(settled):
            log.info("modify %s: settled by query (%s)", order_ref(family, params), settled.status)
            return settled
        return None

    async def _modified(
        self,
        family: OrderFamily[T],
        params: Mapping[str, Any],
        refusal: APIError,
        deadline_ns: int,
    ) -> T:
        """After -5027 (already so) or -2013 (not open): the order if it shows the change.

        A -2013 can follow a change applied by an attempt this code never saw (a transport's
        silent retry of a PUT after a dropped connection); otherwise the refusal stands.
        """
        ref = order_ref(family, params)
        origin = refusal.request
        try:
            found, _ = await self._rec.lookup(
                family, order_query(family, params), origin, deadline_ns
            )
        except ExecutionUnknown:
            raise refusal from None
        if found is None or not family.shows_modify(params, found):
            raise refusal
        log.info("modify %s: already applied (%s)", ref, found.status)
        return found


def _renamed_query(family: OrderFamily[Any], params: Mapping[str, Any]) -> dict[str, Any] | None:
    """The query naming an order by the client id its cancel gives it (None: the family's
    cancels rename nothing, the cancel carries no such id, or the order is named by its
    exchange id, which never changes)."""
    name = family.cancel_renames
    if name is None or params.get(name) is None or params.get(family.exchange_id) is not None:
        return None
    symbol = params.get("symbol", "")
    return family.query_params(symbol, **{family.query_client_id: params[name]})
