"""Orders: place, modify, cancel, query; single and in batches, never lost, never doubled."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .. import filters
from ..client import ClientBase
from ..errors import BinanceError, InvalidRequest
from ..models import Order
from ..params import check_symbol_format, wire_params
from ..ratelimits import Priority
from ..reconcile import new_client_order_id
from ..venues import usdm_endpoints as ep
from ..venues.usdm import ORDERS

__all__ = ["Trading"]

Amount = Decimal | int | float | str

#: Moved to the algo-order endpoint (POST /fapi/v1/algoOrder) by the Algo Service migration.
_ALGO_TYPES = frozenset(
    {"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"}
)
#: Parameters of conditional orders: refused here with a pointer to the algo endpoint.
_CONDITIONAL = ("stop_price", "close_position", "activation_price", "callback_rate")
#: new_order's keyword arguments, which each item of a batch takes.
_ORDER_FIELDS = frozenset(p.name for p in ep.ORDER_PARAMS) | frozenset(_CONDITIONAL)


def _order_ref(symbol: str, order_id: int | None, client_id: str | None) -> dict[str, Any]:
    """Wire params naming one order by id or client id."""
    if order_id is None and client_id is None:
        raise InvalidRequest("give order_id or orig_client_order_id")
    return wire_params(
        ep.GET_ORDER.params,
        {"symbol": symbol, "order_id": order_id, "orig_client_order_id": client_id},
        where="order",
    )


class Trading(ClientBase):
    """Order methods; unknown outcomes are settled by query before anything is resent."""

    async def _order_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate one order (new_order's keyword names) and build its wire parameters."""
        given = sorted(name for name in _CONDITIONAL if values.pop(name, None) is not None)
        if given:
            raise InvalidRequest(
                f"{', '.join(given)}: parameters of conditional orders, which the exchange now "
                "accepts only on POST /fapi/v1/algoOrder (algoType=CONDITIONAL, triggerPrice), "
                "not on /fapi/v1/order"
            )
        if values.get("type") in _ALGO_TYPES:
            raise InvalidRequest(
                f"type={values['type']} is a conditional order: since the Algo Service "
                "migration the exchange accepts it only on POST /fapi/v1/algoOrder "
                "(algoType=CONDITIONAL, triggerPrice), not on /fapi/v1/order (-4120)"
            )
        wire = wire_params(ep.ORDER_PARAMS, values, where="new_order")
        kind, qty, px = wire["type"], wire.get("quantity"), wire.get("price")
        if qty is None:
            raise InvalidRequest(f"{kind} orders need a quantity")
        if kind == "MARKET":
            if px is not None or "timeInForce" in wire or "priceMatch" in wire:
                raise InvalidRequest("MARKET orders take no price, time_in_force or price_match")
        else:
            if (px is None) == ("priceMatch" not in wire):
                raise InvalidRequest("LIMIT orders need exactly one of price or price_match")
            wire.setdefault("timeInForce", "GTC")
        gtd = wire.get("timeInForce") == "GTD"
        if gtd != ("goodTillDate" in wire):
            raise InvalidRequest("time_in_force=GTD goes with good_till_date (ms), and only it")
        info = await self.symbol_info(wire["symbol"])
        filters.check_order(
            info, order_type=kind, quantity=qty, price=px, reduce_only=bool(wire.get("reduceOnly"))
        )
        if "newClientOrderId" not in wire:
            wire["newClientOrderId"] = new_client_order_id()
        # The documented order on the wire (defaults added last go back in their place).
        return {p.wire: wire[p.wire] for p in ep.ORDER_PARAMS if p.wire in wire}

    async def new_order(
        self,
        *,
        symbol: str,
        side: str,
        type: str,
        quantity: Amount | None = None,
        price: Amount | None = None,
        time_in_force: str | None = None,
        reduce_only: bool | None = None,
        position_side: str | None = None,
        new_client_order_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
        good_till_date: int | None = None,
        price_match: str | None = None,
        price_protect: bool | None = None,
        working_type: str | None = None,
        stop_price: Amount | None = None,
        close_position: bool | None = None,
        activation_price: Amount | None = None,
        callback_rate: Amount | None = None,
    ) -> Order:
        """Place a LIMIT or MARKET order; never lost, never duplicated.

        Without ``new_client_order_id`` one is generated (or make one first with
        :meth:`new_client_order_id`). An unknown outcome is settled by querying that id before
        anything is resent; reduce-only orders go ahead of new risk. If the caller is
        cancelled while the order may have left, it settles in the background:
        ``client.interrupted_orders[id]``.

        Raises :class:`~binance_async.errors.InvalidRequest` (nothing sent), the exchange's
        refusal (an ``APIError``), or ``ExecutionUnknown`` past the call's deadline.
        """
        params = await self._order_params(
            {
                "symbol": symbol,
                "side": side,
                "type": type,
                "quantity": quantity,
                "price": price,
                "time_in_force": time_in_force,
                "reduce_only": reduce_only,
                "position_side": position_side,
                "new_client_order_id": new_client_order_id,
                "new_order_resp_type": new_order_resp_type,
                "self_trade_prevention_mode": self_trade_prevention_mode,
                "good_till_date": good_till_date,
                "price_match": price_match,
                "price_protect": price_protect,
                "working_type": working_type,
                "stop_price": stop_price,
                "close_position": close_position,
                "activation_price": activation_price,
                "callback_rate": callback_rate,
            }
        )
        return await self._run(lambda d: self._reconciler.place(ORDERS, params, deadline_ns=d))

    async def new_batch_orders(
        self, orders: Sequence[Mapping[str, Any]]
    ) -> list[Order | BinanceError]:
        """Place up to 5 orders in one request; each takes :meth:`new_order`'s keyword
        arguments. Each item ends, in place, as an :class:`Order` or its own error (a
        definite refusal, or ExecutionUnknown past the deadline).

        Raises :class:`~binance_async.errors.InvalidRequest` for a bad item (nothing sent).
        """
        if not isinstance(orders, Sequence) or not 1 <= len(orders) <= 5:
            raise InvalidRequest("a batch holds 1 to 5 orders")
        items = []
        for spec in orders:
            if not isinstance(spec, Mapping) or set(spec) - _ORDER_FIELDS:
                unknown = sorted(set(spec) - _ORDER_FIELDS) if isinstance(spec, Mapping) else spec
                raise InvalidRequest(
                    f"batch order: unknown {unknown!r}; items take new_order's keyword arguments"
                )
            items.append(await self._order_params(dict(spec)))
        ids = [item["newClientOrderId"] for item in items]
        if len(set(ids)) != len(ids):
            raise InvalidRequest("client order ids in a batch must differ")
        return await self._run(lambda d: self._batches.place(ORDERS, items, deadline_ns=d))

    async def get_order(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
    ) -> Order:
        """Query one order by ``order_id`` or ``orig_client_order_id``.

        Raises :class:`~binance_async.errors.NoSuchOrder` when the exchange has none.
        """
        result: Order = await self._call(
            ep.GET_ORDER, _order_ref(symbol, order_id, orig_client_order_id)
        )
        return result

    async def cancel_order(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
    ) -> Order:
        """Cancel one order. An order already gone reports its final state, not an error."""
        params = _order_ref(symbol, order_id, orig_client_order_id)
        return await self._run(lambda d: self._amend.cancel(ORDERS, params, deadline_ns=d))

    async def cancel_batch_orders(
        self,
        *,
        symbol: str,
        order_ids: Sequence[int] | None = None,
        orig_client_order_ids: Sequence[str] | None = None,
    ) -> list[Order | BinanceError]:
        """Cancel up to 10 orders of one symbol by order ids or by client order ids.

        Raises :class:`~binance_async.errors.InvalidRequest` for ids that are not ints (or
        valid client ids), or more than 10 (nothing sent).
        """
        if (order_ids is None) == (orig_client_order_ids is None):
            raise InvalidRequest("give order_ids or orig_client_order_ids")
        wire = wire_params(
            ep.BATCH_CANCEL.params,
            {
                "symbol": symbol,
                "order_ids": order_ids,
                "orig_client_order_ids": orig_client_order_ids,
            },
            where="cancel_batch_orders",
        )
        name = "orderId" if order_ids is not None else "origClientOrderId"
        ids = wire.get("orderIdList") or wire["origClientOrderIdList"]
        if len(ids) > 10:
            raise InvalidRequest(f"a batch cancel holds 1 to 10 orders, got {len(ids)}")
        refs = [(name, value) for value in ids]
        return await self._run(lambda d: self._batches.cancel(ORDERS, symbol, refs, deadline_ns=d))

    async def modify_order(
        self,
        *,
        symbol: str,
        side: str,
        quantity: Amount,
        price: Amount,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
        price_match: str | None = None,
    ) -> Order:
        """Change a LIMIT order's price and quantity (both required by the exchange).

        An unknown outcome is settled by comparing the order with the change.
        """
        if order_id is None and orig_client_order_id is None:
            raise InvalidRequest("give order_id or orig_client_order_id")
        params = wire_params(
            ep.MODIFY_ORDER.params,
            {
                "symbol": symbol,
                "side": side,
                "quantity": quantity,
                "price": price,
                "order_id": order_id,
                "orig_client_order_id": orig_client_order_id,
                "price_match": price_match,
            },
            where="modify_order",
        )
        info = await self.symbol_info(symbol)
        filters.check_order(
            info, order_type="LIMIT", quantity=params["quantity"], price=params["price"]
        )
        return await self._run(lambda d: self._amend.modify(ORDERS, params, deadline_ns=d))

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders of one symbol (weight 1), or of all (weight 40)."""
        result: list[Order] = await self._read(ep.OPEN_ORDERS, symbol=symbol)
        return result

    async def cancel_all_open_orders(self, symbol: str) -> None:
        """Cancel every open (non-algo) order of ``symbol``."""
        check_symbol_format(symbol)
        await self._call(ep.CANCEL_ALL, {"symbol": symbol}, Priority.URGENT)
