"""Who hears of the Spot exchange's changes: the user data feed and the market streams
subscribe here (nobody by default). Callbacks run synchronously, inside the change, and must
not raise."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..tape import PublicTrade
    from .records import SpotOrder, SpotOrderList, SpotTrade

__all__ = ["OrderEvent", "SpotObservers"]

#: (order, execution type, the fill of a TRADE, the former client id of a CANCELED, now)
OrderEvent = Callable[["SpotOrder", str, "SpotTrade | None", str, int], None]


class SpotObservers:
    """Callback lists, one per kind of change; they outlive ``Simulator.reset``."""

    def __init__(self) -> None:
        self.orders: list[OrderEvent] = []
        self.lists: list[Callable[[SpotOrderList, int], None]] = []
        #: (account, asset, delta, now): a deposit or withdrawal.
        self.balances: list[Callable[[str, str, Decimal, int], None]] = []
        self.trades: list[Callable[[str, PublicTrade], None]] = []

    def order(
        self, order: SpotOrder, execution: str, trade: SpotTrade | None, orig: str, now_ms: int
    ) -> None:
        """An order event (execution type NEW, TRADE, CANCELED, EXPIRED or REJECTED)."""
        for callback in self.orders:
            callback(order, execution, trade, orig, now_ms)

    def order_list(self, order_list: SpotOrderList, now_ms: int) -> None:
        """An order list was placed or its status changed."""
        for callback in self.lists:
            callback(order_list, now_ms)

    def balance(self, account: str, asset: str, delta: Decimal, now_ms: int) -> None:
        """A balance changed outside trading."""
        for callback in self.balances:
            callback(account, asset, delta, now_ms)

    def trade(self, symbol: str, trade: PublicTrade) -> None:
        """A trade printed on the tape."""
        for callback in self.trades:
            callback(symbol, trade)
