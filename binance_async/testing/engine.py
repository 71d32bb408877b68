"""The matching engine: orders of every account, filled against the mark price and trade prints.

A MARKET order fills at the mark; a LIMIT order that crosses the mark fills at its own price
(taker); a resting LIMIT fills when the mark crosses it (``on_mark``, in full) or when a trade
prints through it (``on_trade``, partly or fully, in price-time priority; maker).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from decimal import Decimal

import attrs

from . import margin
from .accounts import BOTH, ZERO, AccountState, Bracket, Position, brackets, max_notional
from .books import Books
from .depthbook import DepthBooks
from .errors import ApiError
from .fills import settle
from .market import Market
from .observers import Observers
from .orders import ModifyRequest, OrderRequest
from .tape import Tape

__all__ = ["OPEN_STATUSES", "ZERO", "AccountState", "Engine", "Order", "Position"]

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
    position_side: str = BOTH
    stop_price: Decimal = ZERO
    working_type: str = "CONTRACT_PRICE"
    price_protect: bool = False
    price_match: str = "NONE"
    stp_mode: str = "EXPIRE_MAKER"
    good_till_date: int = 0
    time_ms: int
    update_time_ms: int
    #: Queue position: set at placement and again at each modification (which loses priority).
    seq: int = 0

    @property
    def is_open(self) -> bool:
        """Whether the order rests on the book."""
        return self.status in OPEN_STATUSES


def _crosses(side: str, price: Decimal, reference: Decimal) -> bool:
    return price >= reference if side == "BUY" else price <= reference


def _priority(order: Order) -> tuple[Decimal, int]:
    return (-order.price if order.side == "BUY" else order.price, order.seq)


class Engine:
    """Every order of every account; positions, fills and the records they leave."""

    def __init__(self, market: Market, *, initial_balance: Decimal) -> None:
        self.market = market
        self.initial_balance = initial_balance
        #: Who hears of every order stored, trade printed ... (the stream feeds).
        self.observers = Observers()
        self.tape = Tape(self.observers.trade)
        #: The order books as REST depth and the depth streams publish them.
        self.depth = DepthBooks(market, self)
        self.books = Books()
        self.maker_commission = ZERO
        self.taker_commission = ZERO
        self.orders: dict[int, Order] = {}
        self.accounts: dict[str, AccountState] = {}
        self._next_id = _FIRST_ORDER_ID
        self._seq = 0
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

    def brackets(self, symbol: str) -> tuple[Bracket, ...]:
        """The symbol's notional and leverage brackets."""
        return brackets(symbol)

    def position(self, account: str, symbol: str, side: str = BOTH) -> Position:
        """The account's position on ``symbol`` and ``side`` (flat when none)."""
        return self.account(account).position(symbol, side)

    def open_orders(self, account: str, symbol: str | None = None) -> list[Order]:
        """The account's open orders, on one symbol or all, oldest first."""
        keys = [(account, symbol)] if symbol else [k for k in self._open if k[0] == account]
        return [self.orders[i] for key in keys for i in self._open.get(key, {})]

    def book_orders(self, symbol: str) -> list[Order]:
        """Open orders of every account on ``symbol``."""
        keys = [k for k in self._open if k[1] == symbol]
        return [self.orders[i] for key in keys for i in self._open[key]]

    def available(self, account: str) -> Decimal:
        """The account's available balance."""
        return margin.available(self, account)

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

    def _check_position_rules(self, account: str, req: OrderRequest, price: Decimal) -> None:
        """Reduce-only and hedge-closing orders need a position to reduce; others need margin
        (notional / leverage) and must stay inside the leverage's maximum position."""
        pos = self.position(account, req.symbol, req.position_side).amount
        signed = req.quantity if req.side == "BUY" else -req.quantity
        if req.reduce_only or margin.closes_hedge(req.position_side, req.side):
            if pos == 0 or pos * signed > 0:
                raise ApiError(-2022, "ReduceOnly Order is rejected.")
            return
        closing = min(req.quantity, abs(pos)) if pos * signed < 0 else ZERO
        opening = req.quantity - closing
        leverage = self.leverage(account, req.symbol)
        if opening and (abs(pos) - closing + opening) * price > max_notional(req.symbol, leverage):
            raise ApiError(-2027, "Exceeded the maximum allowable position at current leverage.")
        if opening * price / leverage > self.available(account):
            raise ApiError(-2019, "Margin is insufficient.")

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
        self._check_position_rules(account, req, mark if req.type == "MARKET" else req.price)
        self._seq += 1
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
            close_position=req.close_position,
            position_side=req.position_side,
            working_type=req.working_type,
            price_protect=req.price_protect,
            price_match=req.price_match,
            stp_mode=req.stp_mode,
            good_till_date=req.good_till_date,
            time_ms=now_ms,
            update_time_ms=now_ms,
            seq=self._seq,
        )
        self._next_id += 1
        self._store(order)
        self._by_client[(account, client_id)] = order.order_id
        self._latest_client[client_id] = order.order_id
        if crossing:
            price = mark if req.type == "MARKET" else req.price
            final = self._fill(order, price, now_ms, maker=False)
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
        self.books.add_amendment(
            account,
            order.symbol,
            order.order_id,
            order.client_order_id,
            now_ms,
            (order.price, order.qty),
            (req.price, req.quantity),
        )
        if order.executed_qty and req.quantity <= order.executed_qty:
            return self._store(attrs.evolve(order, status="CANCELED", update_time_ms=now_ms))
        self._seq += 1
        order = self._store(
            attrs.evolve(
                order, qty=req.quantity, price=req.price, update_time_ms=now_ms, seq=self._seq
            )
        )
        if _crosses(order.side, order.price, self.market.mark(order.symbol)):
            if order.time_in_force == "GTX":
                return self._store(attrs.evolve(order, status="CANCELED"))
            return self._fill(order, order.price, now_ms, maker=False)
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

    def _crossed(self, symbol: str, side: str, price: Decimal) -> list[Order]:
        found = [
            o
            for o in self.book_orders(symbol)
            if o.side == side and o.type == "LIMIT" and _crosses(o.side, o.price, price)
        ]
        return sorted(found, key=_priority)

    def on_mark(self, symbol: str, now_ms: int) -> None:
        """Fill resting LIMIT orders that cross the new mark price, at their own price."""
        self.expire_due(now_ms)
        mark = self.market.mark(symbol)
        for side in ("BUY", "SELL"):
            for order in self._crossed(symbol, side, mark):
                self._fill(order, order.price, now_ms, maker=True)

    def on_trade(self, symbol: str, price: Decimal, qty: Decimal, now_ms: int) -> None:
        """A trade prints ``qty`` at ``price``: resting LIMIT orders at that price or better
        fill at their own price, in price-time priority, up to ``qty`` on each side; what no
        resting order took is printed on the tape as one trade at ``price``."""
        self.expire_due(now_ms)
        taken = ZERO
        for side in ("BUY", "SELL"):
            left = qty
            for order in self._crossed(symbol, side, price):
                if left <= 0:
                    break
                before = order.executed_qty
                filled = self._fill(order, order.price, now_ms, maker=True, limit=left)
                left -= filled.executed_qty - before
            taken = max(taken, qty - left)
        if qty > taken:
            self.tape.record(symbol, price, qty - taken, buyer_maker=False, now_ms=now_ms)

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
        self.observers.order(order)
        return order

    def _reducible(self, order: Order) -> Decimal | None:
        """How much a reduce-only (or hedge-closing) order may still fill; None: no cap."""
        if not order.reduce_only and not margin.closes_hedge(order.position_side, order.side):
            return None
        position = self.position(order.account, order.symbol, order.position_side).amount
        reducing = position < 0 if order.side == "BUY" else position > 0
        return abs(position) if reducing else ZERO

    def _fill(
        self,
        order: Order,
        price: Decimal,
        now_ms: int,
        *,
        maker: bool,
        limit: Decimal | None = None,
    ) -> Order:
        """Fill the rest of ``order`` (or at most ``limit`` of it) at ``price``.

        Without ``limit`` whatever cannot fill expires (an order filling at once); with it
        the order stays open, PARTIALLY_FILLED, unless a reduce-only cap ends it.
        """
        remaining = order.qty - order.executed_qty
        want = remaining if limit is None else min(limit, remaining)
        cap = self._reducible(order)
        qty = want if cap is None else min(want, cap)
        if qty > 0:
            settle(self, order, qty, price, now_ms, maker=maker)
        executed = order.executed_qty + qty
        cum_quote = order.cum_quote + qty * price
        if executed == order.qty:
            status = "FILLED"
        elif limit is None or qty < want:
            status = "EXPIRED"
        else:
            status = "PARTIALLY_FILLED" if executed else order.status
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
