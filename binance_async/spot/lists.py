"""Order lists: OCO, OTO and OTOCO placements, their queries and cancels. Every list and
every order in it carries a client id; an unknown outcome is settled by querying the list by
its ``listClientOrderId`` before anything is sent again."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ..endpoint import Endpoint
from ..errors import FilterViolation
from ..models.spotorders import OrderList
from ..reconcile import new_client_order_id
from ..venue import OrderFamily
from ..venues.spot import OCO_LISTS, OTO_LISTS, OTOCO_LISTS
from ..venues.spot import lists as ep
from .base import SpotBase
from .rules import shape_of, with_default_tif

__all__ = ["OrderLists"]

Amount = Decimal | int | float | str


class OrderLists(SpotBase):
    """Order list methods; unknown outcomes are settled by query before anything is resent."""

    async def _list_params(
        self, endpoint: Endpoint, legs: tuple[ep.Leg, ...], values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Validate a list (each leg's type, parameters and filters) and build its wire
        parameters, with the list's and each leg's client id."""
        wire = endpoint.wire(values)
        for leg in legs:
            tif = with_default_tif(wire[f"{leg.wire}Type"], wire.get(f"{leg.wire}TimeInForce"))
            if tif is not None:
                wire[f"{leg.wire}TimeInForce"] = tif
        symbol, stp = wire["symbol"], wire.get("selfTradePreventionMode")
        rules = await self.spot_rules(symbol)
        oco = endpoint is ep.NEW_OCO
        if not (rules.oco_allowed if oco else rules.oto_allowed):
            kind = "ocoAllowed" if oco else "otoAllowed"
            raise FilterViolation(
                f"{symbol}: {'OCO' if oco else 'OTO'} order lists are not allowed",
                symbol=symbol,
                filter_type=kind,
            )
        for leg in legs:
            shape = shape_of(wire, leg.wire, side=wire[leg.side], quantity=wire[leg.quantity])
            await self._check_order(symbol, shape, stp_mode=stp, what=leg.name)
        if "listClientOrderId" not in wire:
            wire["listClientOrderId"] = new_client_order_id()
        for leg in legs:
            if leg.client_id not in wire:
                wire[leg.client_id] = new_client_order_id()
        return {p.wire: wire[p.wire] for p in endpoint.params if p.wire in wire}

    async def _place_list(
        self, family: OrderFamily[OrderList], legs: tuple[ep.Leg, ...], values: dict[str, Any]
    ) -> OrderList:
        params = await self._list_params(family.place, legs, values)
        return await self._run(lambda d: self._reconciler.place(family, params, deadline_ns=d))

    async def new_order_list_oco(
        self,
        *,
        symbol: str,
        side: str,
        quantity: Amount,
        above_type: str,
        below_type: str,
        above_price: Amount | None = None,
        above_stop_price: Amount | None = None,
        above_trailing_delta: int | None = None,
        above_time_in_force: str | None = None,
        above_iceberg_qty: Amount | None = None,
        above_client_order_id: str | None = None,
        above_strategy_id: int | None = None,
        above_strategy_type: int | None = None,
        below_price: Amount | None = None,
        below_stop_price: Amount | None = None,
        below_trailing_delta: int | None = None,
        below_time_in_force: str | None = None,
        below_iceberg_qty: Amount | None = None,
        below_client_order_id: str | None = None,
        below_strategy_id: int | None = None,
        below_strategy_type: int | None = None,
        list_client_order_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
    ) -> OrderList:
        """Place an OCO: two orders of ``quantity`` on ``side``, one above the market (a
        LIMIT_MAKER or a take profit, or a stop loss for a BUY), one below; when one
        trades, the other is cancelled. Each leg takes the parameters of its type
        (:meth:`new_order`'s rules; a LIMIT leg's time in force is GTC unless given).

        The list's and each leg's client id are generated unless given; an unknown outcome
        is settled by querying the list by ``list_client_order_id`` before anything is
        resent. Raises :class:`~binance_async.errors.InvalidRequest` (and its
        ``FilterViolation``; nothing sent), the exchange's refusal, or ``ExecutionUnknown``.
        """
        values = dict(locals())  # the keyword arguments, by name
        del values["self"]
        return await self._place_list(OCO_LISTS, ep.OCO_LEGS, values)

    async def new_order_list_oto(
        self,
        *,
        symbol: str,
        working_type: str,
        working_side: str,
        working_price: Amount,
        working_quantity: Amount,
        pending_type: str,
        pending_side: str,
        pending_quantity: Amount,
        working_time_in_force: str | None = None,
        working_iceberg_qty: Amount | None = None,
        working_client_order_id: str | None = None,
        working_strategy_id: int | None = None,
        working_strategy_type: int | None = None,
        pending_price: Amount | None = None,
        pending_stop_price: Amount | None = None,
        pending_trailing_delta: int | None = None,
        pending_time_in_force: str | None = None,
        pending_iceberg_qty: Amount | None = None,
        pending_client_order_id: str | None = None,
        pending_strategy_id: int | None = None,
        pending_strategy_type: int | None = None,
        list_client_order_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
    ) -> OrderList:
        """Place an OTO: a working order (LIMIT or LIMIT_MAKER) and a pending order of any
        type (MARKET by quantity only) that goes on the book once the working order has
        filled. Settled and refused as :meth:`new_order_list_oco`."""
        values = dict(locals())  # the keyword arguments, by name
        del values["self"]
        return await self._place_list(OTO_LISTS, ep.OTO_LEGS, values)

    async def new_order_list_otoco(
        self,
        *,
        symbol: str,
        working_type: str,
        working_side: str,
        working_price: Amount,
        working_quantity: Amount,
        pending_side: str,
        pending_quantity: Amount,
        pending_above_type: str,
        pending_below_type: str,
        working_time_in_force: str | None = None,
        working_iceberg_qty: Amount | None = None,
        working_client_order_id: str | None = None,
        working_strategy_id: int | None = None,
        working_strategy_type: int | None = None,
        pending_above_price: Amount | None = None,
        pending_above_stop_price: Amount | None = None,
        pending_above_trailing_delta: int | None = None,
        pending_above_time_in_force: str | None = None,
        pending_above_iceberg_qty: Amount | None = None,
        pending_above_client_order_id: str | None = None,
        pending_above_strategy_id: int | None = None,
        pending_above_strategy_type: int | None = None,
        pending_below_price: Amount | None = None,
        pending_below_stop_price: Amount | None = None,
        pending_below_trailing_delta: int | None = None,
        pending_below_time_in_force: str | None = None,
        pending_below_iceberg_qty: Amount | None = None,
        pending_below_client_order_id: str | None = None,
        pending_below_strategy_id: int | None = None,
        pending_below_strategy_type: int | None = None,
        list_client_order_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
    ) -> OrderList:
        """Place an OTOCO: a working order, and an OCO pair (above and below, of
        ``pending_quantity`` on ``pending_side``) that goes on the book once the working
        order has filled. Settled and refused as :meth:`new_order_list_oco`."""
        values = dict(locals())  # the keyword arguments, by name
        del values["self"]
        return await self._place_list(OTOCO_LISTS, ep.OTOCO_LEGS, values)

    async def get_order_list(
        self, *, order_list_id: int | None = None, list_client_order_id: str | None = None
    ) -> OrderList:
        """Query one order list by ``order_list_id`` or ``list_client_order_id`` (sent as
        ``origClientOrderId``; weight 4). Raises :class:`~binance_async.errors.NoSuchOrder`
        when the exchange has none."""
        result: OrderList = await self._read(
            ep.GET_ORDER_LIST,
            order_list_id=order_list_id,
            list_client_order_id=list_client_order_id,
        )
        return result

    async def cancel_order_list(
        self,
        *,
        symbol: str,
        order_list_id: int | None = None,
        list_client_order_id: str | None = None,
        new_client_order_id: str | None = None,
    ) -> OrderList:
        """Cancel a whole order list; a list already done reports its final state.

        ``new_client_order_id`` names the cancel itself. An unknown outcome is settled by
        querying the list. Raises :class:`~binance_async.errors.InvalidRequest` without an
        id, and the exchange's refusal for a list it never had.
        """
        params = ep.CANCEL_ORDER_LIST.wire(
            {
                "symbol": symbol,
                "order_list_id": order_list_id,
                "list_client_order_id": list_client_order_id,
                "new_client_order_id": new_client_order_id,
            }
        )
        return await self._run(lambda d: self._amend.cancel(OCO_LISTS, params, deadline_ns=d))

    async def all_order_lists(
        self,
        *,
        from_id: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[OrderList]:
        """The account's order lists (from ``from_id`` on, or a window of at most 24 hours;
        weight 20)."""
        result: list[OrderList] = await self._read(
            ep.ALL_ORDER_LISTS,
            from_id=from_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def open_order_lists(self) -> list[OrderList]:
        """The account's open order lists (weight 6)."""
        result: list[OrderList] = await self._call(ep.OPEN_ORDER_LISTS)
        return result
