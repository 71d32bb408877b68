"""Spot's user data events (user-data-stream.md), built from the exchange's own changes.

- ``executionReport`` for every order event: NEW when accepted (status NEW, or PENDING_NEW for
  a list's pending order; NEW again when it is placed), NEW again when a stop or take-profit
  triggers (now working: ``w`` true, ``W`` the trigger's time; then its TRADEs, if it takes),
  TRADE for each fill, CANCELED, EXPIRED, and REJECTED (``r`` the reason) for a
  cancel-replace's new order that the engine refuses after the cancel succeeded. Conditional
  fields as documented: ``d``/``D`` (trailing stops), ``j``/``J`` (strategy), ``W`` (once on
  the book, from the NEW of an order placed on it). Never TRADE_PREVENTION: users' orders
  never meet here (:mod:`.engine`), so self-trade prevention has nothing to prevent.
- ``listStatus`` when an order list is placed and when its status changes.
- ``outboundAccountPosition`` after the changes of one request (or one market move): the
  assets whose free or locked amount changed since the account's last one.
- ``balanceUpdate`` for a deposit or withdrawal (``sim.spot.deposit``).

:class:`SpotUserFeed` hands each event to ``publish(account, event)`` for the accounts
someone listens to (``wanted``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Any

from ..state import ExchangeState
from .records import SpotOrder, SpotOrderList, SpotTrade
from .symbols import fmt8

__all__ = ["SpotUserFeed", "execution_report", "list_status"]

_ZERO = Decimal(0)
Publish = Callable[[str, dict[str, Any]], None]


def execution_report(
    order: SpotOrder,
    execution: str,
    trade: SpotTrade | None,
    orig_client_id: str,
    now_ms: int,
    execution_id: int,
) -> dict[str, Any]:
    """One ``executionReport``: the order as it stands after ``execution``."""
    event: dict[str, Any] = {
        "e": "executionReport",
        "E": now_ms,
        "s": order.symbol,
        "c": order.client_order_id,
        "S": order.side,
        "o": order.type,
        "f": order.time_in_force,
        "q": fmt8(order.qty),
        "p": fmt8(order.price),
        "P": fmt8(order.stop_price),
    }
    if order.trailing_delta:
        event["d"] = order.trailing_delta
    event.update(
        {
            "F": fmt8(order.iceberg_qty),
            "g": order.order_list_id,
            "C": orig_client_id,
            "x": execution,
            "X": order.status,
            "r": order.reject_reason,
            "i": order.order_id,
            "l": fmt8(trade.qty if trade else _ZERO),
            "z": fmt8(order.executed_qty),
            "L": fmt8(trade.price if trade else _ZERO),
            "n": fmt8(trade.commission) if trade else "0",
            "N": trade.commission_asset if trade else None,
            "T": trade.time_ms if trade else now_ms,
            "t": trade.trade_id if trade else -1,
            "I": execution_id,
            "w": order.is_working,
            "m": trade.is_maker if trade else False,
            "M": False,
            "O": order.time_ms,
            "Z": fmt8(order.cum_quote),
            "Y": fmt8(trade.quote_qty if trade else _ZERO),
            "Q": fmt8(order.quote_order_qty),
        }
    )
    if order.trailing_time_ms != -1:
        event["D"] = order.trailing_time_ms
    if order.strategy_id is not None:
        event["j"] = order.strategy_id
    if order.strategy_type is not None:
        event["J"] = order.strategy_type
    if order.working_time_ms != -1:
        event["W"] = order.working_time_ms
    elif order.is_working:
        event["W"] = now_ms  # accepted onto the book now; the engine places it next
    event["V"] = order.stp_mode
    return event


def list_status(order_list: SpotOrderList, orders: list[SpotOrder], now_ms: int) -> dict[str, Any]:
    """One ``listStatus``: the list as it stands."""
    return {
        "e": "listStatus",
        "E": now_ms,
        "s": order_list.symbol,
        "g": order_list.order_list_id,
        "c": order_list.contingency_type,
        "l": order_list.list_status_type,
        "L": order_list.list_order_status,
        "r": "NONE",
        "C": order_list.list_client_order_id,
        "T": order_list.transaction_time_ms,
        "O": [{"s": o.symbol, "i": o.order_id, "c": o.client_order_id} for o in orders],
    }


class SpotUserFeed:
    """Turns the Spot exchange's changes into user data events for the listened accounts."""

    def __init__(
        self, state: ExchangeState, publish: Publish, wanted: Callable[[], Collection[str]]
    ) -> None:
        self._state = state
        self._publish = publish
        self._wanted = wanted
        #: account -> asset -> (free, locked) as the last outboundAccountPosition left them.
        self._known: dict[str, dict[str, tuple[Decimal, Decimal]]] = {}
        self._dirty: dict[str, int] = {}
        self._flush_due = False
        self._execution_id = 0
        observers = state.spot.exchange.observers
        observers.orders.append(self._order)
        observers.lists.append(self._list)
        observers.balances.append(self._balance)

    def listen(self, account: str) -> None:
        """Someone starts listening to ``account``: positions are told from its balances now."""
        self._known[account] = self._balances(account)

    def _balances(self, account: str) -> dict[str, tuple[Decimal, Decimal]]:
        found = self._state.spot.exchange.balances(account)
        return {asset: (b.free, b.locked) for asset, b in found.items()}

    # -- events ------------------------------------------------------------------------------

    def _order(
        self, order: SpotOrder, execution: str, trade: SpotTrade | None, orig: str, now_ms: int
    ) -> None:
        if order.account not in self._wanted():
            return
        self._execution_id += 1
        report = execution_report(order, execution, trade, orig, now_ms, self._execution_id)
        self._publish(order.account, report)
        self._touch(order.account, now_ms)

    def _list(self, order_list: SpotOrderList, now_ms: int) -> None:
        if order_list.account not in self._wanted():
            return
        orders = self._state.spot.exchange.orders
        members = [orders[i] for i in order_list.order_ids]
        self._publish(order_list.account, list_status(order_list, members, now_ms))

    def _balance(self, account: str, asset: str, delta: Decimal, now_ms: int) -> None:
        if account not in self._wanted():
            return
        event = {"e": "balanceUpdate", "E": now_ms, "a": asset, "d": fmt8(delta), "T": now_ms}
        self._publish(account, event)
        self._touch(account, now_ms)

    # -- account positions ---------------------------------------------------------------------

    def _touch(self, account: str, now_ms: int) -> None:
        """The account's balances may have changed: tell them once the change is complete
        (after the request's or the market move's other events)."""
        self._dirty[account] = now_ms
        if self._flush_due:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_due = True
        loop.call_soon(self.flush)

    def flush(self) -> None:
        """An ``outboundAccountPosition`` for each touched account whose balances changed."""
        self._flush_due = False
        dirty, self._dirty = self._dirty, {}
        wanted = self._wanted()
        now_ms = self._state.clock.now_ms()
        for account, updated_ms in dirty.items():
            if account not in wanted:
                continue
            known = self._known.get(account, {})
            current = self._balances(account)
            changed = [asset for asset, value in current.items() if known.get(asset) != value]
            self._known[account] = current
            if not changed:
                continue
            self._publish(
                account,
                {
                    "e": "outboundAccountPosition",
                    "E": now_ms,
                    "u": updated_ms,
                    "B": [
                        {"a": a, "f": fmt8(current[a][0]), "l": fmt8(current[a][1])}
                        for a in changed
                    ],
                },
            )
