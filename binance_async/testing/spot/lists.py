"""Order lists: OCO (two orders, one cancels the other), OTO (a working order that places a
pending one when it fills fully) and OTOCO (a working order whose fill places an OCO pair).

An OCO pair holds its funds once (the larger of its legs' needs), on its LIMIT_MAKER leg if
it has one: the first leg to fill or to trigger takes them over and the other leg EXPIRES
(the "the limit leg of the OCO order will be canceled" of the Trailing Stop FAQ, with the
status the user data stream reports). Pending orders hold nothing until they are placed;
one whose funds then fall short EXPIRES. A working order that ends unfilled expires the
pending ones; cancelling any order of a list cancels the whole list.
"""

from __future__ import annotations

from ..errors import ApiError
from .engine import SpotEngine
from .exchange import new_client_id
from .records import ZERO, SpotOrder, SpotOrderList, SpotOrderRequest

__all__ = ["SpotLists"]

_BAD_PRICES = "The relationship of the prices for the orders is not correct."


class SpotLists:
    """Places order lists and applies their rules as their orders fill, trigger and end."""

    def __init__(self, engine: SpotEngine) -> None:
        self.engine = engine
        self.ex = engine.ex
        engine.listener = self.on_event

    def place(
        self,
        account: str,
        kind: str,
        legs: list[SpotOrderRequest],
        list_client_order_id: str | None,
        now_ms: int,
    ) -> SpotOrderList:
        """Place an OCO (``legs``: above, below), OTO (working, pending) or OTOCO (working,
        pending above, pending below); -2010 for a duplicate listClientOrderId or client id."""
        ex, engine = self.ex, self.engine
        list_id = list_client_order_id or new_client_id()
        if ex.duplicate_list(account, list_id):
            raise ApiError(-2010, "Duplicate order sent.")
        symbol = legs[0].symbol
        engine.check_room(
            account, symbol, len(legs), sum(leg.type.startswith(("STOP", "TAKE")) for leg in legs)
        )
        order_list_id = ex.next_list_id()
        orders = [
            engine.new_order(account, leg, now_ms, order_list_id=order_list_id) for leg in legs
        ]
        ids = [o.client_order_id for o in orders]
        if len(set(ids)) != len(ids):
            raise ApiError(-2010, "Duplicate order sent.")
        if kind == "OCO":
            if any(engine.refusal(o) is not None for o in orders):
                raise ApiError(-2010, _BAD_PRICES)
            self._hold_pair(orders)
            for order in orders:
                engine.accept(order, now_ms, pending=True, announce=False)
                order.status = "NEW"
                engine.announce(order, now_ms)
        else:
            working = orders[0]
            refused = engine.refusal(working)
            if refused is not None:
                raise refused
            engine.accept(working, now_ms, start=False)
            for order in orders[1:]:
                engine.accept(order, now_ms, pending=True)
        order_list = SpotOrderList(
            account=account,
            symbol=symbol,
            order_list_id=order_list_id,
            list_client_order_id=list_id,
            contingency_type="OCO" if kind == "OCO" else "OTO",
            kind=kind,
            order_ids=[o.order_id for o in orders],
            transaction_time_ms=now_ms,
        )
        ex.store_list(order_list)
        ex.observers.order_list(order_list, now_ms)
        for order in orders if kind == "OCO" else orders[:1]:
            if order.is_open:
                engine.start(order, now_ms)
        self._refresh(order_list, now_ms)
        return order_list

    def _hold_pair(self, pair: list[SpotOrder]) -> None:
        """Lock the pair's funds once, on its LIMIT_MAKER leg (else its first); -2010 when
        they fall short (nothing is held then)."""
        need = max(self.engine.lock_amount(o) for o in pair)
        holder = next((o for o in pair if o.type == "LIMIT_MAKER"), pair[0])
        if need:
            self.ex.lock(holder.account, self.ex.lock_asset(holder), need)
        holder.locked = need

    # -- events -----------------------------------------------------------------------------

    def _pair(self, order_list: SpotOrderList) -> list[SpotOrder]:
        ids = order_list.order_ids
        return [self.ex.orders[i] for i in (ids if order_list.kind == "OCO" else ids[1:])]

    def on_event(self, order: SpotOrder, event: str, now_ms: int) -> None:
        """One order of a list filled for the first time, triggered, or ended."""
        order_list = self.ex.list_of(order)
        if order_list is None:
            return
        working = order_list.kind != "OCO" and order.order_id == order_list.order_ids[0]
        if working:
            if event == "done":
                self._working_done(order_list, order, now_ms)
        elif event in ("fill", "trigger") and order_list.kind in ("OCO", "OTOCO"):
            for other in self._pair(order_list):
                if other is not order and other.is_open:
                    order.locked += other.locked
                    other.locked = ZERO
                    self.engine.expire(other, now_ms)
        self._refresh(order_list, now_ms)

    def _working_done(self, order_list: SpotOrderList, working: SpotOrder, now_ms: int) -> None:
        pending = [self.ex.orders[i] for i in order_list.order_ids[1:]]
        if working.status != "FILLED":
            for order in pending:
                if order.is_open:
                    self.engine.expire(order, now_ms)
            return
        if order_list.kind == "OTO":
            self.engine.activate(pending[0], now_ms)
            return
        for order in pending:
            order.status = "NEW"
            order.update_time_ms = now_ms
            self.engine.announce(order, now_ms)
        if any(self.engine.refusal(o) is not None for o in pending):
            for order in pending:
                self.engine.expire(order, now_ms)
            return
        try:
            self._hold_pair(pending)
        except ApiError:
            for order in pending:
                self.engine.expire(order, now_ms)
            return
        for order in pending:
            if order.is_open:
                self.engine.start(order, now_ms)

    def _refresh(self, order_list: SpotOrderList, now_ms: int) -> None:
        if order_list.is_open and not any(self.ex.orders[i].is_open for i in order_list.order_ids):
            order_list.list_status_type = "ALL_DONE"
            order_list.list_order_status = "ALL_DONE"
            order_list.transaction_time_ms = now_ms
            self.ex.observers.order_list(order_list, now_ms)

    # -- cancels ----------------------------------------------------------------------------

    def cancel(
        self, order_list: SpotOrderList, now_ms: int, new_client_order_id: str | None
    ) -> list[tuple[SpotOrder, str]]:
        """Cancel every open order of the list (each takes the cancel's client id); the
        cancelled orders with their former client ids."""
        cancel_id = new_client_order_id or new_client_id()
        out = []
        for order_id in order_list.order_ids:
            order = self.ex.orders[order_id]
            if order.is_open:
                out.append((order, self.engine.cancel(order, now_ms, cancel_id)))
        order_list.list_status_type = "ALL_DONE"
        order_list.list_order_status = "ALL_DONE"
        order_list.transaction_time_ms = now_ms
        self.ex.observers.order_list(order_list, now_ms)
        return out
