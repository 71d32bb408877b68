"""Spot's cancel-replace with every outcome settled: both halves done, one (HTTP 409), none,
or an answer lost on the way.

The exchange answers a partial success with HTTP 409 (``-2021``) and a body naming each half:
that is a :class:`~binance_async.models.spotorders.CancelReplaceResult`, never an error. A
full failure (``-2022``) stays an error (an ``OrderRejected`` whose ``data`` names both
halves).

An unknown outcome (a 5xx, a timeout, a connection lost after sending) is settled by queries
before anything is sent again. The new order is looked for by its client id until found or
proven absent (:meth:`~binance_async.reconcile.Reconciler.find_placed`); the order to cancel
is read once (by its id, else by the cancel's: a cancelled Spot order carries the id of the
cancel). Then:

- the new order exists: both halves are reported from what the queries found;
- the new order is absent and the order to cancel is still open: nothing happened, the
  cancel-replace is sent again, same ids;
- the new order is absent and the order to cancel was cancelled (or, with
  ``ALLOW_FAILURE``, is gone whatever its end): the new order is placed alone, as a
  placement settled like any other;
- the new order is absent, and with ``STOP_ON_FAILURE`` the order to cancel ended otherwise
  (filled, expired, unknown): the exchange would not have attempted the new order, so the
  call fails as it would have (``-2022``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Any

from ..errors import (
    APIError,
    OrderRejected,
    RequestInfo,
    TransportError,
    UnknownOutcome,
)
from ..gateway import Sent
from ..models.spotorders import CancelReplaceResult, Refusal, SpotOrder
from ..ratelimits import Priority
from ..reconcile import Reconciler, outcome_unknown
from ..venues.spot import SPOT_ORDERS
from ..venues.spot.trading import CANCEL_REPLACE, ORDER_PARAMS

__all__ = ["CancelReplace"]

log = logging.getLogger("binance_async.reconcile")

#: -2021: one half failed (HTTP 409); its ``data`` is the result.
_PARTIAL = -2021
#: The new order's parameters, by wire name (the cancel-replace also carries its own).
_NEW_ORDER_WIRE = tuple(p.wire for p in ORDER_PARAMS)
_MALFORMED = (KeyError, TypeError, ValueError, ArithmeticError)


class CancelReplace:
    """Cancel-replaces, settled through a :class:`Reconciler`'s queries."""

    def __init__(self, reconciler: Reconciler) -> None:
        self._rec = reconciler
        self._gw = reconciler.gateway

    async def send(self, params: Mapping[str, Any], *, deadline_ns: int) -> CancelReplaceResult:
        """Cancel and place (``params`` in wire names, with ``newClientOrderId``)."""
        rec, gate = self._rec, self._gw.orders_gate
        cid: str = params["newClientOrderId"]
        sent = Sent()
        try:
            while True:
                try:
                    await rec.hold_slots(1, deadline_ns, CANCEL_REPLACE, cid)
                    try:
                        result: CancelReplaceResult = await self._gw.request(
                            CANCEL_REPLACE,
                            params,
                            priority=Priority.NORMAL,
                            deadline_ns=deadline_ns,
                            ref=cid,
                            sent=sent,
                        )
                    finally:
                        gate.release(1)
                except OrderRejected as exc:
                    return _partial(exc)
                except (UnknownOutcome, TransportError) as exc:
                    if not outcome_unknown(exc):
                        raise
                    log.info("cancel-replace %s: outcome unknown (%s); querying", cid, exc)
                    settled = await self._settle(params, exc.request, deadline_ns)
                    if settled is not None:
                        return settled
                    sent.info = None  # proven not done: that attempt can no longer land
                    rec.resubmissions += 1
                    log.info("cancel-replace %s: nothing done; sending it again", cid)
                    continue
                gate.succeeded()
                return result
        except asyncio.CancelledError:
            if sent.info is not None:
                rec.interrupt(SPOT_ORDERS, params["symbol"], cid, sent.info, deadline_ns)
            raise

    async def _settle(
        self, params: Mapping[str, Any], request: RequestInfo, deadline_ns: int
    ) -> CancelReplaceResult | None:
        """Both halves as the queries find them; None when nothing was done."""
        rec, symbol, cid = self._rec, params["symbol"], params["newClientOrderId"]
        new = await rec.find_placed(SPOT_ORDERS, symbol, cid, request, deadline_ns)
        if "cancelOrderId" in params:
            ref = {"symbol": symbol, "orderId": params["cancelOrderId"]}
        else:
            ref = {"symbol": symbol, "origClientOrderId": params["cancelOrigClientOrderId"]}
        old, _ = await rec.lookup(SPOT_ORDERS, ref, request, deadline_ns)
        renamed = params.get("cancelNewClientOrderId")
        if old is None and "cancelOrderId" not in params and renamed is not None:
            # Cancelled, the order carries the cancel's client id.
            ref = {"symbol": symbol, "origClientOrderId": renamed}
            old, _ = await rec.lookup(SPOT_ORDERS, ref, request, deadline_ns)
        cancelled = old if old is not None and old.status == "CANCELED" else None
        cancel_result = "SUCCESS" if cancelled is not None else "FAILURE"
        if new is not None:
            log.info("cancel-replace %s: the new order is %s", cid, new.status)
            return _settled(cancel_result, "SUCCESS", cancelled, new)
        if old is not None and SPOT_ORDERS.is_open(old):
            return None
        if cancelled is None and params["cancelReplaceMode"] == "STOP_ON_FAILURE":
            state = old.status if old is not None else "not found"
            raise OrderRejected(
                status=400,
                code=-2022,
                message=f"Order cancel-replace failed (settled by query: the order to cancel "
                f"is {state}; the new order was not attempted).",
                request=request,
                data={"cancelResult": "FAILURE", "newOrderResult": "NOT_ATTEMPTED"},
            )
        # The cancel half is done (or, with ALLOW_FAILURE, need not be): the new order alone.
        log.info("cancel-replace %s: the new order never landed; placing it alone", cid)
        rec.resubmissions += 1
        alone = {k: params[k] for k in _NEW_ORDER_WIRE if k in params}
        try:
            placed: SpotOrder = await rec.place(
                SPOT_ORDERS, alone, deadline_ns=deadline_ns, resubmitted=True
            )
        except APIError as exc:  # a definite refusal (an unknown outcome was settled above)
            refusal = Refusal(code=exc.code, message=exc.message)
            return _settled(cancel_result, "FAILURE", cancelled, None, refusal)
        return _settled(cancel_result, "SUCCESS", cancelled, placed)


def _partial(exc: OrderRejected) -> CancelReplaceResult:
    """A -2021 (one half failed, HTTP 409) as its result; any other refusal stands."""
    if exc.code != _PARTIAL or not isinstance(exc.data, Mapping):
        raise exc
    try:
        return CancelReplaceResult.from_payload(exc.data)
    except _MALFORMED:
        raise exc from None


def _settled(
    cancel_result: str,
    new_order_result: str,
    cancelled: SpotOrder | None,
    new_order: SpotOrder | None,
    refusal: Refusal | None = None,
) -> CancelReplaceResult:
    return CancelReplaceResult(
        cancel_result=cancel_result,
        new_order_result=new_order_result,
        cancelled=cancelled,
        new_order=new_order,
        new_order_refusal=refusal,
        reconciled=True,
    )
