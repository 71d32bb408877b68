"""Margin arithmetic: unrealized PnL, initial margins and the available balance."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

from .accounts import ZERO, Position

if TYPE_CHECKING:
    from .engine import Engine, Order

__all__ = [
    "available",
    "closes_hedge",
    "maint_margin",
    "order_margin",
    "position_margin",
    "unrealized",
]


def closes_hedge(position_side: str, side: str) -> bool:
    """In hedge mode, LONG+SELL and SHORT+BUY close a position (reduce only by nature)."""
    return (position_side, side) in (("LONG", "SELL"), ("SHORT", "BUY"))


def unrealized(engine: Engine, pos: Position) -> Decimal:
    """Unrealized PnL of a position at the mark price."""
    if not pos.amount:
        return ZERO
    return pos.amount * (engine.market.mark(pos.symbol) - pos.entry_price)


def position_margin(engine: Engine, account: str, pos: Position) -> Decimal:
    """Initial margin of a position at the mark price (its wallet when isolated)."""
    if pos.symbol in engine.account(account).isolated:
        return pos.isolated_wallet
    mark = engine.market.mark(pos.symbol)
    return abs(pos.amount) * mark / engine.leverage(account, pos.symbol)


def maint_margin(engine: Engine, pos: Position) -> Decimal:
    """Maintenance margin of a position: notional * ratio - cum of its bracket."""
    notional = abs(pos.amount) * engine.market.mark(pos.symbol)
    if not notional:
        return ZERO
    for bracket in engine.brackets(pos.symbol):
        if notional <= bracket.notional_cap:
            return notional * bracket.maint_margin_ratio - bracket.cum
    return notional / 2


def _reserving(orders: Iterable[Order]) -> Iterable[Order]:
    for order in orders:
        if not order.reduce_only and not closes_hedge(order.position_side, order.side):
            yield order


def order_margin(engine: Engine, account: str, symbol: str | None = None) -> Decimal:
    """Initial margin held by the account's open orders (closing orders hold none)."""
    total = ZERO
    for order in _reserving(engine.open_orders(account, symbol)):
        remaining = order.qty - order.executed_qty
        total += remaining * order.price / engine.leverage(account, order.symbol)
    return total


def available(engine: Engine, account: str) -> Decimal:
    """Wallet + cross unrealized PnL - cross position margin - isolated wallets - order margin."""
    state = engine.account(account)
    held = ZERO
    for pos in state.positions.values():
        if pos.symbol in state.isolated:
            held += pos.isolated_wallet
        else:
            held += position_margin(engine, account, pos) - unrealized(engine, pos)
    return state.wallet - held - order_margin(engine, account)
