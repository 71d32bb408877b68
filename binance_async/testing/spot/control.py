"""SpotControl: a test's hands on the Spot exchange (``Simulator.spot``): prices, trades,
balances, orders, order lists, fee rates and limits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import attrs

from ..state import ExchangeState
from .config import SpotRateLimitConfig
from .records import SpotBalance, SpotOrder, SpotOrderList, SpotTrade
from .state import SpotState

__all__ = ["SpotControl"]


class SpotControl:
    """Reads hand out copies: later changes of the exchange do not touch them."""

    def __init__(self, state: Callable[[], ExchangeState]) -> None:
        self._state = state

    @property
    def _spot(self) -> SpotState:
        return self._state().spot

    def _now(self) -> int:
        return self._state().clock.now_ms()

    # -- market -----------------------------------------------------------------------------

    def price(self, symbol: str) -> Decimal:
        """The symbol's last (and average) price."""
        return self._spot.exchange.price(symbol)

    def set_price(self, symbol: str, price: Decimal) -> None:
        """Move the price: resting orders it crosses fill at their price, then stops whose
        condition it meets trigger (trailing ones track it)."""
        now = self._now()
        self._spot.exchange.record_price(symbol, Decimal(price), now)
        self._spot.engine.on_price(symbol, now)

    def trade(self, symbol: str, price: Decimal, qty: Decimal) -> None:
        """A trade prints ``qty`` at ``price`` (the price does not move): resting orders at
        that price or better fill at their own price up to ``qty`` on each side."""
        price, qty = Decimal(price), Decimal(qty)
        self._spot.exchange.spec(symbol)
        if price <= 0 or qty <= 0:
            raise ValueError(f"price and qty must be positive, got {price=}, {qty=}")
        self._spot.engine.on_trade(symbol, price, qty, self._now())

    def set_commission(self, *, maker: Decimal, taker: Decimal) -> None:
        """Fee rates on fills (maker: resting orders; taker: the others)."""
        ex = self._spot.exchange
        ex.maker_commission, ex.taker_commission = Decimal(maker), Decimal(taker)

    # -- accounts ---------------------------------------------------------------------------

    def balance(self, asset: str, account: str = "main") -> SpotBalance:
        """The account's ``free`` and ``locked`` amounts of ``asset``."""
        return attrs.evolve(self._spot.exchange.balance(account, asset))

    def deposit(self, asset: str, amount: Decimal, account: str = "main") -> None:
        """Add ``amount`` of ``asset`` to the account's free balance (negative: a withdrawal;
        ValueError beyond what is free); the user data stream tells a ``balanceUpdate``."""
        amount = Decimal(amount)
        balance = self._spot.exchange.balance(account, asset)
        if not amount.is_finite() or not amount or balance.free + amount < 0:
            raise ValueError(f"deposit: {amount} of {asset} with {balance.free} free")
        balance.free += amount
        self._spot.exchange.observers.balance(account, asset, amount, self._now())

    def order(
        self, *, client_order_id: str | None = None, order_id: int | None = None
    ) -> SpotOrder | None:
        """An order by id, or the most recent one (any account) that has or was placed with
        ``client_order_id``."""
        ex = self._spot.exchange
        if order_id is not None:
            found = ex.orders.get(order_id)
        elif client_order_id is not None:
            found = next(
                (
                    o
                    for o in reversed(ex.orders.values())
                    if client_order_id in (o.client_order_id, o.placed_client_order_id)
                ),
                None,
            )
        else:
            raise ValueError("spot_order: give client_order_id or order_id")
        return None if found is None else ex.snapshot(found)

    def open_orders(self, account: str = "main", symbol: str | None = None) -> list[SpotOrder]:
        """The account's open orders (PENDING_NEW list orders included), oldest first."""
        ex = self._spot.exchange
        return [ex.snapshot(o) for o in ex.open_orders(account, symbol)]

    def order_list(
        self, *, list_client_order_id: str | None = None, order_list_id: int | None = None
    ) -> SpotOrderList | None:
        """An order list by id, or the most recent with ``list_client_order_id``."""
        lists = self._spot.exchange.lists
        if order_list_id is not None:
            found = lists.get(order_list_id)
        elif list_client_order_id is not None:
            found = next(
                (
                    lst
                    for lst in reversed(lists.values())
                    if lst.list_client_order_id == list_client_order_id
                ),
                None,
            )
        else:
            raise ValueError("spot_order_list: give list_client_order_id or order_list_id")
        return None if found is None else attrs.evolve(found, order_ids=list(found.order_ids))

    def user_trades(self, account: str = "main") -> list[SpotTrade]:
        """The account's fills, oldest first."""
        return [t for t in self._spot.exchange.trades if t.account == account]

    # -- limits -----------------------------------------------------------------------------

    @property
    def rate_limits(self) -> SpotRateLimitConfig:
        """Spot's limits in force."""
        return self._spot.exchange.limiter.spot_config

    def used_weight(self, ip: str) -> int:
        """Spot weight used by ``ip`` in the current window."""
        return self._spot.exchange.limiter.used_weight(ip, self._now())

    def preload_weight(self, ip: str, weight: int) -> None:
        """As if another process on ``ip`` had used ``weight`` of Spot's in this window."""
        self._spot.exchange.limiter.preload_weight(ip, weight, self._now())

    def order_counts(self, account: str = "main") -> dict[str, int]:
        """The account's unfilled order count per window label (``10S``, ``1D``)."""
        limiter = self._spot.exchange.limiter
        return {w.label: count for w, _, count in limiter.order_counts(account, self._now())}
