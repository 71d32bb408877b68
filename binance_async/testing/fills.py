"""Settling one fill: the position, the wallet, the user trade, income and the public tape."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

import attrs

from .accounts import ZERO, AccountState, Position
from .books import UserTrade

if TYPE_CHECKING:
    from .engine import Engine, Order

__all__ = ["settle"]

_CENT = Decimal("0.00000001")


def _move(
    state: AccountState, pos: Position, delta: Decimal, price: Decimal, lev: int, now_ms: int
) -> Decimal:
    """Apply a signed quantity to ``pos`` at ``price``; returns the realized PnL."""
    amount, entry = pos.amount, pos.entry_price
    new_amount = amount + delta
    isolated = pos.symbol in state.isolated
    wallet = pos.isolated_wallet
    realized = ZERO
    if amount == 0 or (amount > 0) == (delta > 0):
        entry = (abs(amount) * entry + abs(delta) * price) / abs(new_amount)
        if isolated:
            wallet += abs(delta) * price / lev
    else:
        closed = min(abs(delta), abs(amount))
        realized = (price - entry) * closed * (1 if amount > 0 else -1)
        if isolated:
            wallet -= wallet * closed / abs(amount)
        if new_amount == 0:
            entry = ZERO
        elif (new_amount > 0) != (amount > 0):
            entry = price  # flipped through zero (one-way mode only)
            if isolated:
                wallet = abs(new_amount) * price / lev
    state.positions[(pos.symbol, pos.position_side)] = attrs.evolve(
        pos, amount=new_amount, entry_price=entry, isolated_wallet=wallet, update_time_ms=now_ms
    )
    return realized


def settle(
    engine: Engine, order: Order, qty: Decimal, price: Decimal, now_ms: int, *, maker: bool
) -> None:
    """Fill ``qty`` of ``order`` at ``price``: move the position, pay PnL and commission,
    print the trade on the tape, and record the user trade and its income."""
    state = engine.account(order.account)
    pos = state.position(order.symbol, order.position_side)
    delta = qty if order.side == "BUY" else -qty
    lev = engine.leverage(order.account, order.symbol)
    realized = _move(state, pos, delta, price, lev, now_ms)
    rate = engine.maker_commission if maker else engine.taker_commission
    commission = (qty * price * rate).quantize(_CENT, ROUND_HALF_UP)
    state.wallet += realized - commission
    state.update_time_ms = now_ms
    # The buyer is the maker when our BUY rests, or when our SELL takes.
    public = engine.tape.record(
        order.symbol, price, qty, buyer_maker=(order.side == "BUY") == maker, now_ms=now_ms
    )
    books = engine.books
    books.add_trade(
        UserTrade(
            account=order.account,
            trade_id=public.trade_id,
            symbol=order.symbol,
            order_id=order.order_id,
            side=order.side,
            position_side=order.position_side,
            price=price,
            qty=qty,
            commission=commission,
            commission_asset="USDT",
            realized_pnl=realized,
            maker=maker,
            time_ms=public.time_ms,
        )
    )
    if realized:
        books.add_income(
            order.account, order.symbol, "REALIZED_PNL", realized, public.time_ms, public.trade_id
        )
    if commission:
        books.add_income(
            order.account, order.symbol, "COMMISSION", -commission, public.time_ms, public.trade_id
        )
