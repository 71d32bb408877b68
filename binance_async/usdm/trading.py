"""Orders: place, modify, cancel, query; single and in batches, never lost, never doubled; the
account's order history and fills; the exchange's dead man's switch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from .. import filters
from ..client import ClientBase
from ..errors import BinanceError, InvalidRequest
from ..models.orders import Order, UserTrade
from ..params import check_symbol_format
from ..ratelimits import Priority
from ..reconcile import new_client_order_id
from ..venues.usdm import ORDERS
from ..venues.usdm import algo as algo_ep
from ..venues.usdm import trading as ep
from .deadman import DeadMansSwitch

__all__ = ["Trading"]

Amount = Decimal | int | float | str

#: Parameters of conditional orders: refused here with a pointer to the algo endpoint.
_CONDITIONAL = ("stop_price", "close_position", "activation_price", "callback_rate")
_CONDITIONAL_SET = frozenset(_CONDITIONAL)
#: new_order's keyword arguments, which each item of a batch takes.
_ORDER_FIELDS = frozenset(p.name for p in ep.ORDER_PARAMS) | frozenset(_CONDITIONAL)
_MODIFY_FIELDS = frozenset(p.name for p in ep.MODIFY_PARAMS)


class Trading(ClientBase):
    """Order methods; unknown outcomes are settled by query before anything is resent."""

    async def _order_params(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validate one order (new_order's keyword names) and build its wire parameters."""
        # Looks up the 4 conditional names in values, not values' keys in the set.
        given = (
            [name for name in _CONDITIONAL if values.pop(name, None) is not None]
            if not values.keys().isdisjoint(_CONDITIONAL_SET)
            else None
        )
        if given:
            raise InvalidRequest(
                f"{', '.join(sorted(given))}: parameters of conditional orders, which the "
                "exchange now accepts only on the algo-order endpoint: use new_algo_order(...) "
                "(trigger_price, activate_price, callback_rate, close_position)"
            )
        if values.get("type") in algo_ep.ALGO_TYPES:
            raise InvalidRequest(
                f"type={values['type']} is a conditional order: since the Algo Service "
                "migration the exchange accepts it only on POST /fapi/v1/algoOrder (-4120): "
                "use new_algo_order(...)"
            )
        # Defaults go in before the check, so the wire keeps the documented order.
        if values.get("new_client_order_id") is None:
            values["new_client_order_id"] = new_client_order_id()
        if values.get("time_in_force") is None and values.get("type") == "LIMIT":
            values["time_in_force"] = "GTC"
        wire = ep.NEW_ORDER.wire(values)
        kind, qty, px = wire["type"], wire.get("quantity"), wire.get("price")
        if qty is None:
            raise InvalidRequest(f"{kind} orders need a quantity")
        if kind == "MARKET":
            if px is not None or "timeInForce" in wire or "priceMatch" in wire:
                raise InvalidRequest("MARKET orders take no price, time_in_force or price_match")
        else:
            if (px is None) == ("priceMatch" not in wire):
                raise InvalidRequest("LIMIT orders need exactly one of price or price_match")
        gtd = wire.get("timeInForce") == "GTD"
        if gtd != ("goodTillDate" in wire):
            raise InvalidRequest("time_in_force=GTD goes with good_till_date (ms), and only it")
        symbol = wire["symbol"]
        info = self._fresh_symbol(symbol) or await self.symbol_info(symbol)
        filters.check_order(
            info, order_type=kind, quantity=qty, price=px, reduce_only=bool(wire.get("reduceOnly"))
        )
        return wire

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
        anything is resent; orders that reduce risk go ahead of new risk (in hedge mode,
        LONG+SELL and SHORT+BUY too). If the caller is cancelled while the order may have
        left, it settles in the background: ``client.interrupted_orders[id]``. Conditional
        types (stop, take profit, trailing) go through :meth:`new_algo_order`.

        Raises :class:`~binance_async.errors.InvalidRequest` (nothing sent), the exchange's
        refusal (an ``APIError``), or ``ExecutionUnknown`` past the call's deadline.
        """
        values = {
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
        }
        if not (stop_price is close_position is activation_price is callback_rate is None):
            values.update(
                stop_price=stop_price,
                close_position=close_position,
                activation_price=activation_price,
                callback_rate=callback_rate,
            )
        params = await self._order_params(values)
        return await self._run(lambda d: self._reconciler.place(ORDERS, params, deadline_ns=d))

    async def test_order(self, **order: Any) -> dict[str, Any]:
        """Validate an order at the exchange without placing it; takes :meth:`new_order`'s
        keyword arguments. Raises what :meth:`new_order` would."""
        unknown = sorted(set(order) - _ORDER_FIELDS)
        if unknown:
            raise InvalidRequest(f"test_order: unknown {unknown}; takes new_order's arguments")
        params = await self._order_params(dict(order))
        result: dict[str, Any] = await self._call(ep.TEST_ORDER, params)
        return result

    async def new_batch_orders(
        self, orders: Sequence[Mapping[str, Any]]
    ) -> list[Order | BinanceError]:
        """Place up to 5 orders in one request; each takes :meth:`new_order`'s keyword
        arguments. Each item ends, in place, as an :class:`Order` or its own error (a
        definite refusal, or ExecutionUnknown past the deadline).

        Raises :class:`~binance_async.errors.InvalidRequest` for a bad item (nothing sent).
        """
        specs = _batch(orders, 5, _ORDER_FIELDS, "new_order")
        items = [await self._order_params(spec) for spec in specs]
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
        result: Order = await self._read(
            ep.GET_ORDER,
            symbol=symbol,
            order_id=order_id,
            orig_client_order_id=orig_client_order_id,
        )
        return result

    async def get_open_order(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
    ) -> Order:
        """One open order; ``NoSuchOrder`` once it is filled or cancelled."""
        result: Order = await self._read(
            ep.GET_OPEN_ORDER,
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
    ) -> Order:
        """Cancel one order. An order already gone reports its final state, not an error."""
        params = ep.CANCEL_ORDER.wire(
            {"symbol": symbol, "order_id": order_id, "orig_client_order_id": orig_client_order_id}
        )
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
        wire = ep.BATCH_CANCEL.wire(
            {
                "symbol": symbol,
                "order_ids": order_ids,
                "orig_client_order_ids": orig_client_order_ids,
            }
        )
        name = "orderId" if order_ids is not None else "origClientOrderId"
        ids = wire.get("orderIdList") or wire["origClientOrderIdList"]
        if len(ids) > 10:
            raise InvalidRequest(f"a batch cancel holds 1 to 10 orders, got {len(ids)}")
        refs = [(name, value) for value in ids]
        return await self._run(lambda d: self._batches.cancel(ORDERS, symbol, refs, deadline_ns=d))

    async def _modify_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        params = ep.MODIFY_ORDER.wire(values)
        info = await self.symbol_info(params["symbol"])
        filters.check_order(
            info, order_type="LIMIT", quantity=params["quantity"], price=params["price"]
        )
        return params

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
        params = await self._modify_params(
            {
                "symbol": symbol,
                "side": side,
                "quantity": quantity,
                "price": price,
                "order_id": order_id,
                "orig_client_order_id": orig_client_order_id,
                "price_match": price_match,
            }
        )
        return await self._run(lambda d: self._amend.modify(ORDERS, params, deadline_ns=d))

    async def modify_batch_orders(
        self, orders: Sequence[Mapping[str, Any]]
    ) -> list[Order | BinanceError]:
        """Modify up to 5 LIMIT orders in one request; each takes :meth:`modify_order`'s
        keyword arguments and ends, in place, as its :class:`Order` or its own error."""
        specs = _batch(orders, 5, _MODIFY_FIELDS, "modify_order")
        items = [await self._modify_params(spec) for spec in specs]
        return await self._run(lambda d: self._batches.modify(ORDERS, items, deadline_ns=d))

    async def open_orders(self, symbol: str | None = None) -> list[Order]:
        """Open orders of one symbol (weight 1), or of all (weight 40)."""
        result: list[Order] = await self._read(ep.OPEN_ORDERS, symbol=symbol)
        return result

    async def cancel_all_open_orders(self, symbol: str) -> dict[str, Any]:
        """Cancel every open (non-algo) order of ``symbol``."""
        check_symbol_format(symbol)
        result: dict[str, Any] = await self._call(
            ep.CANCEL_ALL, {"symbol": symbol}, Priority.URGENT
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
    ) -> list[Order]:
        """The account's orders of ``symbol`` (a window under 7 days; from ``order_id`` on)."""
        result: list[Order] = await self._read(
            ep.ALL_ORDERS,
            symbol=symbol,
            order_id=order_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def force_orders(
        self,
        symbol: str | None = None,
        *,
        auto_close_type: str | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[Order]:
        """The account's liquidation and ADL orders (``auto_close_type``: LIQUIDATION, ADL)."""
        result: list[Order] = await self._read(
            ep.FORCE_ORDERS,
            symbol=symbol,
            auto_close_type=auto_close_type,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def user_trades(
        self,
        symbol: str,
        *,
        order_id: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        from_id: int | None = None,
        limit: int | None = None,
    ) -> list[UserTrade]:
        """The account's fills on ``symbol`` (a window of at most 7 days, or from ``from_id``)."""
        result: list[UserTrade] = await self._read(
            ep.USER_TRADES,
            symbol=symbol,
            order_id=order_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            from_id=from_id,
            limit=limit,
        )
        return result

    async def order_amendment(
        self,
        *,
        symbol: str,
        order_id: int | None = None,
        orig_client_order_id: str | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The modification history of one order."""
        result: list[dict[str, Any]] = await self._read(
            ep.ORDER_AMENDMENT,
            symbol=symbol,
            order_id=order_id,
            orig_client_order_id=orig_client_order_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def countdown_cancel_all(self, symbol: str, countdown_ms: int) -> dict[str, Any]:
        """Arm (or with 0 disarm) the exchange's countdown: unless called again within
        ``countdown_ms``, it cancels every open order of ``symbol``."""
        result: dict[str, Any] = await self._read(
            ep.COUNTDOWN_CANCEL_ALL, symbol=symbol, countdown_ms=countdown_ms
        )
        return result

    def dead_mans_switch(
        self, symbol: str, countdown_ms: int = 60_000, *, refresh_s: float | None = None
    ) -> DeadMansSwitch:
        """``async with client.dead_mans_switch("BTCUSDT"):`` keeps the exchange's countdown
        armed while the block runs; if this process freezes or loses the network, the exchange
        cancels the symbol's open orders. A clean exit disarms it; an exception leaves it
        armed. See :class:`DeadMansSwitch`."""
        return DeadMansSwitch(self, symbol, countdown_ms, refresh_s=refresh_s)


def _batch(
    orders: Sequence[Mapping[str, Any]], most: int, fields: frozenset[str], like: str
) -> list[dict[str, Any]]:
    """Each item of a batch as a dict of ``like``'s keyword arguments (none unknown)."""
    if isinstance(orders, str | bytes) or not isinstance(orders, Sequence):
        raise InvalidRequest(f"a batch is a list of 1 to {most} items")
    if not 1 <= len(orders) <= most:
        raise InvalidRequest(f"a batch holds 1 to {most} items, got {len(orders)}")
    specs = []
    for spec in orders:
        if not isinstance(spec, Mapping) or set(spec) - fields:
            unknown = sorted(set(spec) - fields) if isinstance(spec, Mapping) else spec
            raise InvalidRequest(f"batch item: unknown {unknown!r}; items take {like}'s arguments")
        specs.append(dict(spec))
    return specs
