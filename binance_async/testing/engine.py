"""Accounts, orders, matching against the mark price, and one-way positions."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from decimal import Decimal

import attrs

from .errors import ApiError
from .market import Market
from .orders import ModifyRequest, OrderRequest

__all__ = ["AccountState", "Engine", "Order", "Position"]

ZERO = Decimal(0)
OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})
_FIRST_ORDER_ID = 5_000_000_001  # above 2**32: a client storing ids in 32 bits breaks at once


@attrs.frozen(kw_only=True)
class Order:
    """One order as the exchange holds it; replaced (never mutated) when its state changes."""

    account: str
    symbol: str
    order_id: int
    client_order_id: str
    status: str
    side: str
    type: str
    time_in_force: str
    qty: Decimal
    price: Decimal
    avg_price: Decimal = ZERO
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO
    reduce_only: bool = False
    close_position: bool = False
    position_side: str = "BOTH"
    stop_price: Decimal = ZERO
    working_type: str = "CONTRACT_PRICE"
    price_protect: bool = False
    price_match: str = "NONE"
    stp_mode: str = "EXPIRE_MAKER"
    good_till_date: int = 0
    time_ms: int
    update_time_ms: int

    @property
    def is_open(self) -> bool:
        """Whether the order rests on the book."""
        return self.status in OPEN_STATUSES


@attrs.frozen(kw_only=True)
class Position:
    """A one-way (positionSide BOTH) position: signed amount and entry price."""

    symbol: str
    amount: Decimal = ZERO
    entry_price: Decimal = ZERO
    update_time_ms: int = 0


@attrs.define(kw_only=True)
class AccountState:
    """An account's wallet, positions and leverage (mutable exchange state)."""

    name: str
    wallet: Decimal
    positions: dict[str, Position] = attrs.Factory(dict)
    leverage: dict[str, int] = attrs.Factory(dict)
    update_time_ms: int = 0


def _crosses(side: str, price: Decimal, mark: Decimal) -> bool:
    return price >= mark if side == "BUY" else price <= mark


class Engine:
    """The matching engine: every order of every account, filled against the mark price."""

    def __init__(self, market: Market, *, initial_balance: Decimal) -> None:
        self.market = market
        self.initial_balance = initial_balance
        self.orders: dict[int, Order] = {}
        self.accounts: dict[str, AccountState] = {}
        self._next_id = _FIRST_ORDER_ID
        self._by_client: dict[tuple[str, str], int] = {}
        self._latest_client: dict[str, int] = {}
        self._open: dict[tuple[str, str], dict[int, None]] = {}
        self._gtd: set[int] = set()

    # -- accounts -------------------------------------------------------------------------------

    def account(self, name: str) -> AccountState:
        """The account, created with the initial balance on first use."""
        state = self.accounts.get(name)
        if state is None:
            state = AccountState(name=name, wallet=self.initial_balance)
            self.accounts[name] = state
        return state

    def leverage(self, account: str, symbol: str) -> int:
        """The account's leverage on ``symbol`` (default 20)."""
        return self.account(account).leverage.get(symbol, 20)

    def position(self, account: str, symbol: str) -> Position:
        """The account's position on ``symbol`` (flat when none)."""
        return self.account(account).positions.get(symbol) or Position(symbol=symbol)

    def open_orders(self, account: str, symbol: str | None = None) -> list[Order]:
        """The account's open orders, on one symbol or all, oldest first."""
        keys = [(account, symbol)] if symbol else [k for k in self._open if k[0] == account]
        return [self.orders[i] for key in keys for i in self._open.get(key, {})]

    def book_orders(self, symbol: str) -> list[Order]:
        """Open orders of every account on ``symbol``."""
        keys = [k for k in self._open if k[1] == symbol]
        return [self.orders[i] for key in keys for i in self._open[key]]

    def unrealized(self, account: str, symbol: str) -> Decimal:
        """Unrealized PnL of the position at the mark price."""
        pos = self.position(account, symbol)
        return pos.amount * (self.market.mark(symbol) - pos.entry_price) if pos.amount else ZERO

    def position_margin(self, account: str, symbol: str) -> Decimal:
        """Initial margin of the position at the mark price."""
        pos = self.position(account, symbol)
        return abs(pos.amount) * self.market.mark(symbol) / self.leverage(account, symbol)

    def open_order_margin(self, account: str, symbol: str | None = None) -> Decimal:
        """Initial margin held by the account's open (non reduce-only) orders."""
        total = ZERO
        for order in self.open_orders(account, symbol):
            if not order.reduce_only:
                remaining = order.qty - order.executed_qty
                total += remaining * order.price / self.leverage(account, order.symbol)
        return total

    def available(self, account: str) -> Decimal:
        """Wallet + unrealized PnL - position margin - open-order margin."""
        state = self.account(account)
        held = sum(
            (
                self.position_margin(account, s) - self.unrealized(account, s)
                for s in state.positions
            ),
            ZERO,
        )
        return state.wallet - held - self.open_order_margin(account)

    # -- orders ---------------------------------------------------------------------------------

    def find(
        self, account: str, symbol: str, order_id: int | None, client_order_id: str | None
    ) -> Order | None:
        """The account's order by id (wins) or the most recent with that client order id."""
        if order_id is None:
            order_id = self._by_client.get((account, client_order_id or ""))
        order = self.orders.get(order_id) if order_id is not None else None
        if order is None or order.account != account or order.symbol != symbol:
            return None
        return order

    def latest_by_client_id(self, client_order_id: str) -> Order | None:
        """The most recent order (any account) with this client order id."""
        order_id = self._latest_client.get(client_order_id)
        return None if order_id is None else self.orders[order_id]

    def place(self, account: str, req: OrderRequest, now_ms: int) -> tuple[Order, Order]:
        """Accept (or refuse) a new order; returns (state at acceptance, state after matching)."""
        self.expire_due(now_ms)
        spec = self.market.spec(req.symbol)
        client_id = req.client_order_id or secrets.token_urlsafe(16)  # 22 chars of [A-Za-z0-9_-]
        previous = self._by_client.get((account, client_id))
        if previous is not None and self.orders[previous].is_open:
            raise ApiError(-4116, "ClientOrderId is duplicated.")
        if len(self._open.get((account, req.symbol), ())) >= spec.max_num_orders:
            raise ApiError(-2025, "Reach max open order limit.")
        mark = self.market.mark(req.symbol)
        crossing = req.type == "MARKET" or _crosses(req.side, req.price, mark)
        if req.time_in_force == "GTX" and crossing:
            raise ApiError(
                -5022,
                "Due to the order could not be executed as maker, the Post Only order will be "
                "rejected. The order will not be recorded in the order history",
            )
        if req.time_in_force == "FOK" and not crossing:
            raise ApiError(
                -5021,
                "Due to the order could not be filled immediately, the FOK order has been "
                "rejected. The order will not be recorded in the order history",
            )
        position = self.position(account, req.symbol).amount
        signed = req.quantity if req.side == "BUY" else -req.quantity
        if req.reduce_only and (position == 0 or position * signed > 0):
            raise ApiError(-2022, "ReduceOnly Order is rejected.")
        if not req.reduce_only:
            closing = min(req.quantity, abs(position)) if position * signed < 0 else ZERO
            price = mark if req.type == "MARKET" else req.price
            required = (req.quantity - closing) * price / self.leverage(account, req.symbol)
            if required > self.available(account):
                raise ApiError(-2019, "Margin is insufficient.")
        order = Order(
            account=account,
            symbol=req.symbol,
            order_id=self._next_id,
            client_order_id=client_id,
            status="NEW",
            side=req.side,
            type=req.type,
            time_in_force=req.time_in_force,
            qty=req.quantity,
            price=req.price,
            reduce_only=req.reduce_only,
            working_type=req.working_type,
            price_protect=req.price_protect,
            price_match=req.price_match,
            stp_mode=req.stp_mode,
            good_till_date=req.good_till_date,
            time_ms=now_ms,
            update_time_ms=now_ms,
        )
        self._next_id += 1
        self._store(order)
        self._by_client[(account, client_id)] = order.order_id
        self._latest_client[client_id] = order.order_id
        if crossing:
            final = self._fill(order, mark if req.type == "MARKET" else req.price, now_ms)
        elif req.time_in_force == "IOC":
            final = self._store(attrs.evolve(order, status="EXPIRED"))
        else:
            final = order
        return order, final

    def modify(self, account: str, req: ModifyRequest, now_ms: int) -> Order:
        """Change quantity and price of an open LIMIT order (fills at once if it now crosses)."""
        self.expire_due(now_ms)
        order = self.find(account, req.symbol, req.order_id, req.client_order_id)
        if order is None:
            raise ApiError(-2013, "Order does not exist.")
        if order.type != "LIMIT":
            raise ApiError(-5025, "Only limit order is supported.")
        if not order.is_open:
            raise ApiError(-2013, "Order does not exist.")
        if req.quantity == order.qty and req.price == order.price:
            raise ApiError(-5027, "No need to modify the order.")
        spec = self.market.spec(order.symbol)
        spec.check_notional(req.price * req.quantity, reduce_only=order.reduce_only)
        order = self._store(
            attrs.evolve(order, qty=req.quantity, price=req.price, update_time_ms=now_ms)
        )
        if _crosses(order.side, order.price, self.market.mark(order.symbol)):
            if order.time_in_force == "GTX":
                return self._store(attrs.evolve(order, status="CANCELED"))
            return self._fill(order, order.price, now_ms)
        return order

    def cancel(
        self,
        account: str,
        symbol: str,
        order_id: int | None,
        client_order_id: str | None,
        now_ms: int,
    ) -> Order:
        """Cancel an open order; -2011 when it is not open."""
        self.expire_due(now_ms)
        order = self.find(account, symbol, order_id, client_order_id)
        if order is None or not order.is_open:
            raise ApiError(-2011, "Unknown order sent.")
        return self._store(attrs.evolve(order, status="CANCELED", update_time_ms=now_ms))

    def cancel_all(self, account: str, symbol: str, now_ms: int) -> list[Order]:
        """Cancel every open order of the account on ``symbol``."""
        return [
            self._store(attrs.evolve(o, status="CANCELED", update_time_ms=now_ms))
            for o in self.open_orders(account, symbol)
        ]

    def on_mark(self, symbol: str, now_ms: int) -> None:
        """Fill resting LIMIT orders that cross the new mark price, at their own price."""
        self.expire_due(now_ms)
        mark = self.market.mark(symbol)
        for key in [k for k in self._open if k[1] == symbol]:
            for order_id in list(self._open.get(key, {})):
                order = self.orders[order_id]
                if _crosses(order.side, order.price, mark):
                    self._fill(order, order.price, now_ms)

    def expire_due(self, now_ms: int) -> None:
        """Expire GTD orders whose goodTillDate has passed."""
        for order_id in [i for i in self._gtd if self.orders[i].good_till_date <= now_ms]:
            order = self.orders[order_id]
            self._store(attrs.evolve(order, status="EXPIRED", update_time_ms=now_ms))

    def all_orders(self) -> Iterator[Order]:
        """Every order, in id order."""
        return iter(self.orders.values())

    # -- internals ------------------------------------------------------------------------------

    def _store(self, order: Order) -> Order:
        self.orders[order.order_id] = order
        key = (order.account, order.symbol)
        if order.is_open:
            self._open.setdefault(key, {})[order.order_id] = None
            if order.time_in_force == "GTD":
                self._gtd.add(order.order_id)
        else:
            self._open.get(key, {}).pop(order.order_id, None)
            self._gtd.discard(order.order_id)
        return order

    def _fill(self, order: Order, price: Decimal, now_ms: int) -> Order:
        qty = order.qty - order.executed_qty
        if order.reduce_only:
            position = self.position(order.account, order.symbol).amount
            reducing = position < 0 if order.side == "BUY" else position > 0
            qty = min(qty, abs(position)) if reducing else ZERO
        if qty > 0:
            self._apply_fill(order.account, order.symbol, order.side, qty, price, now_ms)
        executed = order.executed_qty + qty
        cum_quote = order.cum_quote + qty * price
        status = "FILLED" if executed == order.qty else "EXPIRED"
        avg = cum_quote / executed if executed else ZERO
        return self._store(
            attrs.evolve(
                order,
                status=status,
                executed_qty=executed,
                cum_quote=cum_quote,
                avg_price=avg,
                update_time_ms=now_ms,
            )
        )

    def _apply_fill(
        self, account: str, symbol: str, side: str, qty: Decimal, price: Decimal, now_ms: int
    ) -> None:
        state = self.account(account)
        pos = self.position(account, symbol)
        amount, entry = pos.amount, pos.entry_price
        delta = qty if side == "BUY" else -qty
        new_amount = amount + delta
        if amount == 0 or (amount > 0) == (delta > 0):
            entry = (abs(amount) * entry + qty * price) / abs(new_amount)
        else:
            closed = min(qty, abs(amount))
            state.wallet += (price - entry) * closed * (1 if amount > 0 else -1)
            if new_amount == 0:
                entry = ZERO
            elif (new_amount > 0) != (amount > 0):
                entry = price
        state.positions[symbol] = Position(
            symbol=symbol, amount=new_amount, entry_price=entry, update_time_ms=now_ms
        )
        state.update_time_ms = now_ms
