"""The account as the user data stream shows it: orders, algo orders, positions, balances.

Each item keeps the exchange time of the state it holds (an event's transaction time ``T``,
or a REST answer's ``updateTime``). An event is applied only if it is not older than the
state held (events come in ``E`` order on a connection; one seen twice, or one older than a
REST read, is dropped), and an order never goes back: not to a smaller filled quantity, not
from a final status to an open one.

After every (re)connect the user stream holds the new connection's events, re-reads the
account over REST and merges it here (:meth:`AccountMirror.merge`), then applies the held
events: an item the REST answer shows is taken unless the mirror holds a newer state; an
open order the answer no longer shows has ended in between and is read again for its final
state (the caller does that); a position it no longer shows is closed. Anything that changed
after the connection opened is in the held events, applied last by the same rules.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from ..models.account import Balance, Position
from ..models.orders import ALGO_OPEN_STATUSES, OPEN_STATUSES, AlgoOrder, Order
from ..models.userevents import (
    AccountConfigUpdate,
    AccountUpdate,
    AlgoUpdate,
    BalanceUpdate,
    OrderUpdate,
    PositionUpdate,
)
from .asof import AsOf, ClosedKept, regresses

__all__ = ["AccountMirror"]

#: Closed orders (and algo orders) kept, most recent last.
_CLOSED_KEPT = 10_000
PositionKey = tuple[str, str]


class AccountMirror:
    """Orders by client id, algo orders by client algo id, positions by (symbol, side),
    balances by asset, as of the events and REST reads applied."""

    def __init__(self) -> None:
        self._orders: OrderedDict[str, Order] = OrderedDict()
        self._algos: OrderedDict[str, AlgoOrder] = OrderedDict()
        self._positions: dict[PositionKey, Position] = {}
        self._balances: dict[str, Balance] = {}
        self._leverage: dict[str, int] = {}
        self.multi_assets: bool | None = None
        #: Exchange time of the state held, per item.
        self._as_of = AsOf()
        forget = self._as_of.forget
        self._trim_orders = ClosedKept(
            _CLOSED_KEPT, OPEN_STATUSES, lambda order: forget(("order", order.order_id))
        )
        self._trim_algos = ClosedKept(
            _CLOSED_KEPT, ALGO_OPEN_STATUSES, lambda algo: forget(("algo", algo.algo_id))
        )

    # -- reading -----------------------------------------------------------------------------

    @property
    def orders(self) -> Mapping[str, Order]:
        """Orders by client order id: every open one, and the latest closed ones."""
        return self._orders

    @property
    def open_orders(self) -> dict[str, Order]:
        """The open orders by client order id."""
        return {cid: o for cid, o in self._orders.items() if o.status in OPEN_STATUSES}

    @property
    def algo_orders(self) -> Mapping[str, AlgoOrder]:
        """Algo orders by client algo id: every waiting one, and the latest others."""
        return self._algos

    @property
    def positions(self) -> Mapping[PositionKey, Position]:
        """Open positions by (symbol, position side); side ``BOTH`` in one-way mode."""
        return self._positions

    @property
    def balances(self) -> Mapping[str, Balance]:
        """Balances by asset (``balance`` is the wallet balance; ``available_balance`` and
        ``max_withdraw_amount`` are as of the last REST read: events do not carry them)."""
        return self._balances

    @property
    def leverage(self) -> Mapping[str, int]:
        """Leverage by symbol, as ``ACCOUNT_CONFIG_UPDATE`` events reported it."""
        return self._leverage

    # -- events ------------------------------------------------------------------------------

    def apply(self, event: object) -> bool:
        """Apply one event; False when it was stale (older than the state held)."""
        if isinstance(event, OrderUpdate):
            return self._order(event.order, event.transaction_time_ms, event=True)
        if isinstance(event, AlgoUpdate):
            return self._algo(event.algo_order, event.transaction_time_ms, event=True)
        if isinstance(event, AccountUpdate):
            applied = False
            for balance in event.balances:
                applied |= self._balance_event(balance, event.transaction_time_ms)
            for position in event.positions:
                applied |= self._position_event(position, event.transaction_time_ms)
            return applied
        if isinstance(event, AccountConfigUpdate):
            if event.symbol is not None and event.leverage is not None:
                self._leverage[event.symbol] = event.leverage
            if event.multi_assets is not None:
                self.multi_assets = event.multi_assets
            return True
        return False

    def _order(self, order: Order, when: int, *, event: bool) -> bool:
        cid = order.client_order_id
        current = self._orders.get(cid)
        if current is not None:
            if current.order_id > order.order_id:
                return False  # a newer order holds this client id
            if current.order_id == order.order_id and regresses(current, order, OPEN_STATUSES):
                return False
        if not self._as_of.fresh(("order", order.order_id), when, event=event):
            return False
        if current is not None and current.order_id != order.order_id:
            self._as_of.forget(("order", current.order_id))  # the id's earlier order
        self._orders[cid] = order
        self._orders.move_to_end(cid)
        self._trim_orders(self._orders)
        return True

    def _algo(self, algo: AlgoOrder, when: int, *, event: bool) -> bool:
        caid = algo.client_algo_id
        current = self._algos.get(caid)
        if current is not None:
            if current.algo_id > algo.algo_id:
                return False
            if current.algo_id == algo.algo_id and regresses(current, algo, ALGO_OPEN_STATUSES):
                return False
        if not self._as_of.fresh(("algo", algo.algo_id), when, event=event):
            return False
        if current is not None and current.algo_id != algo.algo_id:
            self._as_of.forget(("algo", current.algo_id))
        self._algos[caid] = algo
        self._algos.move_to_end(caid)
        self._trim_algos(self._algos)
        return True

    def _balance_event(self, item: BalanceUpdate, when: int) -> bool:
        if not self._as_of.fresh(("balance", item.asset), when, event=True):
            return False
        current = self._balances.get(item.asset)
        if current is None:
            # @model's defaults are invisible to mypy: every other field has one.
            current = Balance(asset=item.asset, balance=item.wallet_balance)  # type: ignore[call-arg]
        self._balances[item.asset] = attrs.evolve(  # type: ignore[misc]
            current,
            balance=item.wallet_balance,
            cross_wallet_balance=item.cross_wallet_balance,
            update_time_ms=when,
        )
        return True

    def _position_event(self, item: PositionUpdate, when: int) -> bool:
        key = (item.symbol, item.position_side)
        if not self._as_of.fresh(("position", key), when, event=True):
            return False
        if not item.position_amt:
            self._positions.pop(key, None)
            return True
        current = self._positions.get(key) or Position(  # type: ignore[call-arg]
            symbol=item.symbol, position_side=item.position_side, position_amt=Decimal(0)
        )
        self._positions[key] = attrs.evolve(  # type: ignore[misc]
            current,
            position_amt=item.position_amt,
            entry_price=item.entry_price,
            break_even_price=item.break_even_price,
            unrealized_profit=item.unrealized_profit,
            margin_type=item.margin_type,
            update_time_ms=when,
        )
        return True

    # -- REST reads --------------------------------------------------------------------------

    def merge(
        self,
        *,
        open_orders: Iterable[Order],
        open_algo_orders: Iterable[AlgoOrder],
        positions: Iterable[Position],
        balances: Iterable[Balance],
    ) -> tuple[list[Order], list[AlgoOrder]]:
        """Merge a REST read of the account; the orders and algo orders that left the open
        lists, whose final state the caller reads and gives to :meth:`settle_order` /
        :meth:`settle_algo`."""
        listed = set()
        for order in open_orders:
            listed.add(order.order_id)
            self._order(order, order.update_time_ms or 0, event=False)
        gone = [
            o
            for o in self._orders.values()
            if o.status in OPEN_STATUSES and o.order_id not in listed
        ]
        listed_algos = set()
        for algo in open_algo_orders:
            listed_algos.add(algo.algo_id)
            self._algo(algo, algo.update_time_ms or 0, event=False)
        gone_algos = [
            a
            for a in self._algos.values()
            if a.status in ALGO_OPEN_STATUSES and a.algo_id not in listed_algos
        ]
        shown: set[PositionKey] = set()
        for position in positions:
            key = (position.symbol, position.position_side)
            shown.add(key)
            when = position.update_time_ms or 0
            if not self._as_of.fresh(("position", key), when, event=False):
                continue
            if position.position_amt:
                self._positions[key] = position
            else:
                self._positions.pop(key, None)
        for key in [k for k in self._positions if k not in shown]:
            del self._positions[key]
        for balance in balances:
            when = balance.update_time_ms or 0
            if self._as_of.fresh(("balance", balance.asset), when, event=False):
                self._balances[balance.asset] = balance
        return gone, gone_algos

    def settle_order(self, order: Order) -> None:
        """The final state of an order that left the open list (read over REST)."""
        self._order(order, order.update_time_ms or 0, event=False)

    def settle_algo(self, algo: AlgoOrder) -> None:
        """The final state of an algo order that left the open list (read over REST)."""
        self._algo(algo, algo.update_time_ms or 0, event=False)

    def __repr__(self) -> str:
        return (
            f"<AccountMirror orders={len(self._orders)} open={len(self.open_orders)} "
            f"positions={len(self._positions)} balances={sorted(self._balances)}>"
        )
