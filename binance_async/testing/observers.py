"""Who hears of the exchange's changes: the stream feeds subscribe here (nobody by default).

The engine calls :meth:`Observers.order` with every order state it stores, the algo book
:meth:`Observers.algo` with every algo order state, the tape :meth:`Observers.trade` with every
public trade, and the account settings :meth:`Observers.account` (a margin transfer) and
:meth:`Observers.config` (leverage, Multi-Assets mode). Callbacks run synchronously, inside
the change, and must not raise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .algo import AlgoOrder
    from .engine import Order
    from .tape import PublicTrade

__all__ = ["Observers"]


class Observers:
    """Callback lists, one per kind of change."""

    def __init__(self) -> None:
        self.orders: list[Callable[[Order], None]] = []
        self.algos: list[Callable[[AlgoOrder], None]] = []
        self.trades: list[Callable[[str, PublicTrade], None]] = []
        #: (account, reason, symbol, position side)
        self.accounts: list[Callable[[str, str, str, str], None]] = []
        #: (account, what changed: {"symbol": ..., "leverage": ...} or {"multi_assets": ...})
        self.configs: list[Callable[[str, dict[str, Any]], None]] = []

    def order(self, order: Order) -> None:
        """An order's new state was stored."""
        for callback in self.orders:
            callback(order)

    def algo(self, algo: AlgoOrder) -> None:
        """An algo order's new state was stored."""
        for callback in self.algos:
            callback(algo)

    def trade(self, symbol: str, trade: PublicTrade) -> None:
        """A trade printed on the tape."""
        for callback in self.trades:
            callback(symbol, trade)

    def account(self, account: str, reason: str, symbol: str, position_side: str) -> None:
        """A balance or position changed outside a fill (``reason``: MARGIN_TRANSFER ...)."""
        for callback in self.accounts:
            callback(account, reason, symbol, position_side)

    def config(self, account: str, change: dict[str, Any]) -> None:
        """An account setting changed."""
        for callback in self.configs:
            callback(account, change)
