"""Spot orders: place (every type), test, query, cancel, cancel-replace; open orders and the
order history. Never lost, never doubled: every order carries a client id, and an unknown
outcome is settled by query before anything is sent again."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..errors import FilterViolation, InvalidRequest
from ..models.spotorders import CancelReplaceResult, OrderList, SpotOrder
from ..params import BOOL, Param, check_symbol_format
from ..ratelimits import Priority
from ..reconcile import new_client_order_id
from ..venues.spot import SPOT_ORDERS
from ..venues.spot import trading as ep
from .base import SpotBase
from .replace import CancelReplace
from .rules import shape_of, with_default_tif

__all__ = ["Trading"]

Amount = Decimal | int | float | str

_ORDER_FIELDS = frozenset(p.name for p in ep.ORDER_PARAMS)


def _in_order(specs: Iterable[Param], wire: dict[str, Any]) -> dict[str, Any]:
    """``wire`` in the documented order (defaults added last go back in their place)."""
    return {p.wire: wire[p.wire] for p in specs if p.wire in wire}


class Trading(SpotBase):
    """Order methods; unknown outcomes are settled by query before anything is resent."""

    async def _order_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate one order (new_order's keyword names) and build its wire parameters."""
        wire = ep.NEW_ORDER.wire(values)
        tif = with_default_tif(wire["type"], wire.get("timeInForce"))
        if tif is not None:
            wire["timeInForce"] = tif
        await self._check_order(
            wire["symbol"], shape_of(wire), stp_mode=wire.get("selfTradePreventionMode")
        )
        if "newClientOrderId" not in wire:
            wire["newClientOrderId"] = new_client_order_id()
        return _in_order(ep.ORDER_PARAMS, wire)

    async def new_order(
        self,
        *,
        symbol: str,
        side: str,
        type: str,
        quantity: Amount | None = None,
        quote_order_qty: Amount | None = None,
        price: Amount | None = None,
        time_in_force: str | None = None,
        stop_price: Amount | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Amount | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
    ) -> SpotOrder:
        """Place an order of any Spot type; never lost, never duplicated.

        LIMIT (``quantity``, ``price``; ``time_in_force`` GTC unless given), MARKET
        (``quantity`` or ``quote_order_qty``), LIMIT_MAKER (post-only), STOP_LOSS and
        TAKE_PROFIT (``stop_price`` and/or ``trailing_delta`` in basis points) and their
        LIMIT forms (with a ``price``); ``iceberg_qty`` for the priced types.
        ``new_order_resp_type`` ACK, RESULT or FULL (the exchange's default: FULL for
        MARKET and LIMIT, with ``fills``). Without ``new_client_order_id`` one is generated
        (or make one first with :meth:`new_client_order_id`). An unknown outcome is settled
        by querying that id before anything is resent; a caller cancelled while the order
        may have left leaves it settling in the background: ``client.interrupted_orders``.

        Raises :class:`~binance_async.errors.InvalidRequest` (and its
        :class:`~binance_async.errors.FilterViolation`; nothing sent), the exchange's refusal
        (an ``APIError``: ``OrderRejected`` for -2010, ``FilterRejected`` for -1013), or
        ``ExecutionUnknown`` past the call's deadline.
        """
        values = dict(locals())  # the keyword arguments, by name
        del values["self"]
        params = await self._order_params(values)
        return await self._run(lambda d: self._reconciler.place(SPOT_ORDERS, params, deadline_ns=d))

    async def test_order(
        self, *, compute_commission_rates: bool | None = None, **order: Any
    ) -> dict[str, Any]:
        """Validate an order at the exchange without placing it; takes :meth:`new_order`'s
        keyword arguments. With ``compute_commission_rates`` (weight 20) the answer holds
        the commission the order would pay. Raises what :meth:`new_order` would."""
        unknown = sorted(set(order) - _ORDER_FIELDS)
        if unknown:
            raise InvalidRequest(f"test_order: unknown {unknown}; takes new_order's arguments")
        params = await self._order_params(dict(order))
        if compute_commission_rates is not None:
            name = "compute_commission_rates"
            params["computeCommissionRates"] = BOOL(name, compute_commission_rates)
        result: dict[str, Any] = await self._call(ep.TEST_ORDER, params)
        return result

    async def get_order(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
    ) -> SpotOrder:
        """Query one order by ``order_id`` or ``orig_client_order_id`` (weight 4).

        Raises :class:`~binance_async.errors.NoSuchOrder` when the exchange has none.
        """
        result: SpotOrder = await self._read(
            ep.GET_ORDER,
            symbol=symbol,
            order_id=order_id,
            orig_client_order_id=orig_client_order_id,
        )
        return result

    async def cancel_order(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
        new_client_order_id: str | None = None,
        cancel_restrictions: str | None = None,
    ) -> SpotOrder:
        """Cancel one order; an order already gone reports its final state, not an error.

        ``new_client_order_id`` names the cancel itself (one is generated unless given): once
        cancelled, the exchange reports the order under that id. ``cancel_restrictions``
        ONLY_NEW or ONLY_PARTIALLY_FILLED cancels only in that state. An unknown outcome is
        settled by querying the order (under its id, else the cancel's). Raises
        :class:`~binance_async.errors.CancelRejected` when the order is open but the cancel
        was refused (its restrictions), or for an order the exchange does not know.
        """
        params = ep.CANCEL_ORDER.wire(
            {
                "symbol": symbol,
                "order_id": order_id,
                "orig_client_order_id": orig_client_order_id,
                "new_client_order_id": new_client_order_id,
                "cancel_restrictions": cancel_restrictions,
            }
        )
        if "newClientOrderId" not in params:
            params["newClientOrderId"] = self.new_client_order_id()
        return await self._run(lambda d: self._amend.cancel(SPOT_ORDERS, params, deadline_ns=d))

    async def open_orders(self, symbol: str | None = None) -> list[SpotOrder]:
        """Open orders of one symbol (weight 6), or of all (weight 80)."""
        result: list[SpotOrder] = await self._read(ep.OPEN_ORDERS, symbol=symbol)
        return result

    async def cancel_open_orders(self, symbol: str) -> list[SpotOrder | OrderList]:
        """Cancel every open order of ``symbol``, order lists included; each as it ended."""
        check_symbol_format(symbol)
        result: list[SpotOrder | OrderList] = await self._call(
            ep.CANCEL_OPEN_ORDERS, {"symbol": symbol}, Priority.URGENT
        )
        return result

    async def all_orders(
        self,
        symbol: str,
        *,
        order_id: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[SpotOrder]:
        """The account's orders of ``symbol`` (from ``order_id`` on, or a window of at most
        24 hours; weight 20). Raises :class:`~binance_async.errors.InvalidRequest` for a
        longer window."""
        result: list[SpotOrder] = await self._read(
            ep.ALL_ORDERS,
            symbol=symbol,
            order_id=order_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def cancel_replace_order(
        self,
        *,
        symbol: str,
        side: str,
        type: str,
        cancel_replace_mode: str,
        cancel_order_id: int | None = None,
        cancel_orig_client_order_id: str | None = None,
        cancel_new_client_order_id: str | None = None,
        quantity: Amount | None = None,
        quote_order_qty: Amount | None = None,
        price: Amount | None = None,
        time_in_force: str | None = None,
        stop_price: Amount | None = None,
        trailing_delta: int | None = None,
        iceberg_qty: Amount | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
        strategy_id: int | None = None,
        strategy_type: int | None = None,
        cancel_restrictions: str | None = None,
        order_rate_limit_exceeded_mode: str | None = None,
    ) -> CancelReplaceResult:
        """Cancel an order (``cancel_order_id`` or ``cancel_orig_client_order_id``) and
        place a new one (:meth:`new_order`'s arguments) in one request.

        ``cancel_replace_mode``: STOP_ON_FAILURE (no new order unless the cancel succeeded)
        or ALLOW_FAILURE (the new order is attempted anyway). A partial success (HTTP 409)
        is a :class:`~binance_async.CancelReplaceResult` saying which half failed, not an
        error. The new order's client id, and the cancel's (which the cancelled order takes),
        are generated unless given; the new order's must differ from the cancelled order's:
        the new order is found by it when the answer is lost, which settles the outcome before
        anything is sent again (see :mod:`.replace`).

        Raises :class:`~binance_async.errors.InvalidRequest` (nothing sent), an
        ``OrderRejected`` for -2022 (both halves failed, or the cancel with STOP_ON_FAILURE;
        its ``data`` names each half), another refusal, or ``ExecutionUnknown``.
        """
        values = dict(locals())  # the keyword arguments, by name
        del values["self"]
        wire = ep.CANCEL_REPLACE.wire(values)
        tif = with_default_tif(wire["type"], wire.get("timeInForce"))
        if tif is not None:
            wire["timeInForce"] = tif
        for name in ("newClientOrderId", "cancelNewClientOrderId"):
            if name not in wire:
                wire[name] = self.new_client_order_id()
        cid = wire["newClientOrderId"]
        if cid == wire.get("cancelOrigClientOrderId"):
            raise InvalidRequest(
                "new_client_order_id must differ from cancel_orig_client_order_id: a lost "
                "answer is settled by finding the new order by its id"
            )
        await self._check_order(
            wire["symbol"],
            shape_of(wire),
            stp_mode=wire.get("selfTradePreventionMode"),
            what="the new order:",
        )
        rules = await self.spot_rules(wire["symbol"])
        if not rules.cancel_replace_allowed:
            raise FilterViolation(
                f"{symbol}: cancel-replace is not allowed on this symbol",
                symbol=symbol,
                filter_type="cancelReplaceAllowed",
            )
        params = _in_order(ep.CANCEL_REPLACE_PARAMS, wire)
        replace = CancelReplace(self._reconciler)
        return await self._run(lambda d: replace.send(params, deadline_ns=d))
