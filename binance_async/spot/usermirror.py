"""The Spot account as its user data stream shows it: orders by client id, balances by asset.

Each item keeps the exchange time of the state it holds: an ``executionReport``'s transaction
time ``T`` or an order answer's ``updateTime``; an ``outboundAccountPosition``'s ``u`` or the
account answer's ``updateTime``. An event is applied unless the state held is newer (an event
seen twice, or one older than a REST read, is dropped); a REST answer only when it is newer
than what is held. An order never goes back: not to a smaller filled quantity, not from a
final status to an open one. A cancelled order keeps the client id it was placed with (its
report names the cancel's id in ``c`` and the order's in ``C``).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping

from ..models.spotaccount import SpotBalance
from ..models.spotorders import SPOT_OPEN_STATUSES, SpotOrder
from ..models.spotuserevents import AccountPosition, ExecutionReport
from ..streams.asof import AsOf, ClosedKept, regresses

__all__ = ["SpotAccountMirror"]

#: Closed orders kept, most recent last.
_CLOSED_KEPT = 10_000


class SpotAccountMirror:
    """Orders by client order id and balances by asset, as of what was applied."""

    def __init__(self) -> None:
        self._orders: OrderedDict[str, SpotOrder] = OrderedDict()
        self._names: dict[int, str] = {}  # order id -> the client id it is kept under
        self._balances: dict[str, SpotBalance] = {}
        self._as_of = AsOf()
        self._trim = ClosedKept(_CLOSED_KEPT, SPOT_OPEN_STATUSES, self._forget)

    @property
    def orders(self) -> Mapping[str, SpotOrder]:
        """Orders by client order id: every open one, and the latest closed ones."""
        return self._orders

    @property
    def open_orders(self) -> dict[str, SpotOrder]:
        """The open orders by client order id."""
        return {cid: o for cid, o in self._orders.items() if o.status in SPOT_OPEN_STATUSES}

    @property
    def balances(self) -> Mapping[str, SpotBalance]:
        """Balances (free, locked) by asset."""
        return self._balances

    # -- events ------------------------------------------------------------------------------

    def apply(self, event: object) -> bool:
        """Apply one event; False when it was stale (the state held is newer)."""
        if isinstance(event, ExecutionReport):
            return self._order(event.order, event.transaction_time_ms, event=True)
        if isinstance(event, AccountPosition):
            applied = False
            for item in event.balances:
                balance = SpotBalance(asset=item.asset, free=item.free, locked=item.locked)
                applied |= self._balance(balance, event.last_update_time_ms, event=True)
            return applied
        return True

    def _order(self, order: SpotOrder, when: int, *, event: bool) -> bool:
        cid = self._names.get(order.order_id, order.client_order_id)
        current = self._orders.get(cid)
        if current is not None:
            if current.order_id > order.order_id:
                return False  # a newer order holds this client id
            if current.order_id == order.order_id and regresses(current, order, SPOT_OPEN_STATUSES):
                return False
        if not self._as_of.fresh(("order", order.order_id), when, event=event):
            return False
        if current is not None and current.order_id != order.order_id:
            self._forget(current)  # the id's earlier order
        self._names[order.order_id] = cid
        self._orders[cid] = order
        self._orders.move_to_end(cid)
        self._trim(self._orders)
        return True

    def _forget(self, gone: SpotOrder) -> None:
        """An order no longer kept: its name and exchange time go too."""
        self._names.pop(gone.order_id, None)
        self._as_of.forget(("order", gone.order_id))

    def _balance(self, balance: SpotBalance, when: int, *, event: bool) -> bool:
        if not self._as_of.fresh(("balance", balance.asset), when, event=event):
            return False
        self._balances[balance.asset] = balance
        return True

    # -- REST reads --------------------------------------------------------------------------

    def merge(
        self,
        *,
        open_orders: Iterable[SpotOrder],
        balances: Iterable[SpotBalance],
        account_time_ms: int,
    ) -> list[SpotOrder]:
        """Merge a REST read of the account; the open orders it no longer lists, whose final
        state the caller reads and gives to :meth:`settle_order`."""
        listed = set()
        for order in open_orders:
            listed.add(order.order_id)
            self._order(order, order.update_time_ms or 0, event=False)
        for balance in balances:
            self._balance(balance, account_time_ms, event=False)
        return [
            o
            for o in self._orders.values()
            if o.status in SPOT_OPEN_STATUSES and o.order_id not in listed
        ]

    def settle_order(self, order: SpotOrder) -> None:
        """The final state of an order that left the open list (read over REST)."""
        self._order(order, order.update_time_ms or 0, event=False)

    def __repr__(self) -> str:
        return (
            f"<SpotAccountMirror orders={len(self._orders)} open={len(self.open_orders)} "
            f"balances={sorted(self._balances)}>"
        )
