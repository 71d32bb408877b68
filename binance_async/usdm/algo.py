"""Algo (conditional) orders: stop, take profit and trailing stop, with the same guarantees as
regular orders (an unknown outcome is settled by querying ``clientAlgoId`` first)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .. import filters
from ..client import ClientBase
from ..errors import InvalidRequest
from ..models.orders import AlgoOrder
from ..params import check_symbol_format
from ..ratelimits import Priority
from ..reconcile import new_client_order_id
from ..venues.usdm import ALGO_ORDERS
from ..venues.usdm import algo as ep

__all__ = ["AlgoOrders"]

Amount = Decimal | int | float | str

_LIMIT_TYPES = frozenset({"STOP", "TAKE_PROFIT"})
_TRIGGERED_TYPES = frozenset({"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET"})
#: callbackRate bounds, percent (reference/fapi-rules.md section 9).
_CALLBACK_RATE = (Decimal("0.1"), Decimal("10"))


class AlgoOrders(ClientBase):
    """Algo order methods."""

    async def _algo_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate one algo order and build its wire parameters."""
        wire = ep.NEW_ALGO_ORDER.wire({"algo_type": "CONDITIONAL", **values})
        kind = wire["type"]
        qty, px, trigger = wire.get("quantity"), wire.get("price"), wire.get("triggerPrice")
        closing = wire.get("closePosition") is True
        if kind in _TRIGGERED_TYPES and trigger is None:
            raise InvalidRequest(f"{kind} orders need a trigger_price")
        if kind in _LIMIT_TYPES:
            if px is None:
                raise InvalidRequest(f"{kind} orders need a price")
            wire.setdefault("timeInForce", "GTC")
        elif px is not None or "timeInForce" in wire:
            raise InvalidRequest(f"{kind} orders take no price or time_in_force")
        if kind == "TRAILING_STOP_MARKET":
            rate = wire.get("callbackRate")
            if rate is None or not _CALLBACK_RATE[0] <= rate <= _CALLBACK_RATE[1]:
                raise InvalidRequest("TRAILING_STOP_MARKET needs callback_rate from 0.1 to 10 (%)")
            if trigger is not None:
                raise InvalidRequest("TRAILING_STOP_MARKET takes activate_price, not trigger_price")
        elif "callbackRate" in wire or "activatePrice" in wire:
            raise InvalidRequest("callback_rate and activate_price are for TRAILING_STOP_MARKET")
        if closing:
            if kind not in ("STOP_MARKET", "TAKE_PROFIT_MARKET"):
                raise InvalidRequest("close_position is for STOP_MARKET and TAKE_PROFIT_MARKET")
            if qty is not None or "reduceOnly" in wire:
                raise InvalidRequest("close_position=True takes no quantity or reduce_only")
        elif qty is None:
            raise InvalidRequest(f"{kind} orders need a quantity (or close_position=True)")
        info = await self.symbol_info(wire["symbol"])
        filters.check_order(
            info,
            order_type="MARKET" if px is None else "LIMIT",
            quantity=qty,
            price=px,
            reduce_only=bool(wire.get("reduceOnly")) or closing,
        )
        for name in ("triggerPrice", "activatePrice"):
            if name in wire:
                filters.check_price(info, wire[name], name)
        if "clientAlgoId" not in wire:
            wire["clientAlgoId"] = new_client_order_id()
        return {p.wire: wire[p.wire] for p in ep.ALGO_ORDER_PARAMS if p.wire in wire}

    async def new_algo_order(
        self,
        *,
        symbol: str,
        side: str,
        type: str,
        quantity: Amount | None = None,
        trigger_price: Amount | None = None,
        price: Amount | None = None,
        time_in_force: str | None = None,
        position_side: str | None = None,
        working_type: str | None = None,
        price_match: str | None = None,
        close_position: bool | None = None,
        price_protect: bool | None = None,
        reduce_only: bool | None = None,
        activate_price: Amount | None = None,
        callback_rate: Amount | None = None,
        client_algo_id: str | None = None,
        new_order_resp_type: str | None = None,
        self_trade_prevention_mode: str | None = None,
        good_till_date: int | None = None,
    ) -> AlgoOrder:
        """Place a conditional order: STOP and TAKE_PROFIT (``price`` and ``trigger_price``),
        STOP_MARKET and TAKE_PROFIT_MARKET (``trigger_price``; ``quantity`` or
        ``close_position``), TRAILING_STOP_MARKET (``callback_rate``, ``activate_price``).

        Without ``client_algo_id`` one is generated; an unknown outcome is settled by querying
        it before anything is resent. Raises :class:`~binance_async.errors.InvalidRequest`
        (nothing sent), the exchange's refusal, or ``ExecutionUnknown`` past the deadline.
        """
        params = await self._algo_params(
            {
                "symbol": symbol,
                "side": side,
                "type": type,
                "quantity": quantity,
                "trigger_price": trigger_price,
                "price": price,
                "time_in_force": time_in_force,
                "position_side": position_side,
                "working_type": working_type,
                "price_match": price_match,
                "close_position": close_position,
                "price_protect": price_protect,
                "reduce_only": reduce_only,
                "activate_price": activate_price,
                "callback_rate": callback_rate,
                "client_algo_id": client_algo_id,
                "new_order_resp_type": new_order_resp_type,
                "self_trade_prevention_mode": self_trade_prevention_mode,
                "good_till_date": good_till_date,
            }
        )
        return await self._run(lambda d: self._reconciler.place(ALGO_ORDERS, params, deadline_ns=d))

    async def get_algo_order(
        self, *, algo_id: int | None = None, client_algo_id: str | None = None
    ) -> AlgoOrder:
        """One algo order by ``algo_id`` or ``client_algo_id``."""
        result: AlgoOrder = await self._read(
            ep.GET_ALGO_ORDER, algo_id=algo_id, client_algo_id=client_algo_id
        )
        return result

    async def cancel_algo_order(
        self, *, algo_id: int | None = None, client_algo_id: str | None = None
    ) -> AlgoOrder:
        """Cancel one algo order; its final state is read back (an order already triggered
        or cancelled reports that state)."""
        params = ep.CANCEL_ALGO_ORDER.wire({"algo_id": algo_id, "client_algo_id": client_algo_id})
        return await self._run(lambda d: self._amend.cancel(ALGO_ORDERS, params, deadline_ns=d))

    async def cancel_all_algo_orders(self, symbol: str) -> dict[str, Any]:
        """Cancel every open algo order of ``symbol``."""
        check_symbol_format(symbol)
        result: dict[str, Any] = await self._call(
            ep.CANCEL_ALL_ALGO_ORDERS, {"symbol": symbol}, Priority.URGENT
        )
        return result

    async def open_algo_orders(
        self, symbol: str | None = None, *, algo_id: int | None = None
    ) -> list[AlgoOrder]:
        """Open algo orders, of one symbol (weight 1) or all (weight 40)."""
        result: list[AlgoOrder] = await self._read(
            ep.OPEN_ALGO_ORDERS, symbol=symbol, algo_id=algo_id
        )
        return result

    async def all_algo_orders(
        self,
        symbol: str,
        *,
        algo_id: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[AlgoOrder]:
        """The account's algo orders of ``symbol`` (a window under 7 days)."""
        result: list[AlgoOrder] = await self._read(
            ep.ALL_ALGO_ORDERS,
            symbol=symbol,
            algo_id=algo_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result
