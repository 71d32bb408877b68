"""Spot's matching engine: simple, and exact to the last unit of every balance.

Liquidity outside the users' orders is synthetic and unlimited at the symbol's last price
``P``: a MARKET order fills at once at ``P`` (``quoteOrderQty``: the most LOT_SIZE steps that
amount buys or sells at ``P``); a LIMIT order whose price crosses ``P`` fills at once at ``P``
(taker) and otherwise rests; users' orders never meet each other. Resting orders fill at their
own price (maker) when ``P`` moves through them (``Simulator.spot_set_price``), or partly when
a trade prints through them (``Simulator.spot_trade``, in price-time priority; an iceberg
shows one slice at a time, and each refreshed slice joins the back of the queue).

Stops and take-profits wait for ``P`` (trailing ones track the best price first, as the
Trailing Stop FAQ describes) and then work as a MARKET order, or as a LIMIT order at their
price. Funds are locked when an order is accepted: the quote asset for a BUY (price x
quantity; the stop price, or ``P`` for a trailing stop without one, for a stop-market BUY),
the base asset for a SELL; they are released exactly as the order fills, expires or is
cancelled. Fees (maker or taker rate) are taken from what the order receives.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ..errors import ApiError
from .exchange import SpotExchange, new_client_id
from .records import ZERO, SpotOrder, SpotOrderRequest, SpotTrade
from .symbols import ALGO_TYPES, filter_failure

__all__ = ["Rejection", "SpotEngine"]

_BIPS = Decimal(10_000)
Listener = Callable[[SpotOrder, str, int], None]


def _crosses(order: SpotOrder, price: Decimal) -> bool:
    return order.price >= price if order.side == "BUY" else order.price <= price


def _stop_met(order: SpotOrder, price: Decimal) -> bool:
    return price >= order.stop_price if order.stops_upward else price <= order.stop_price


class Rejection(ApiError):
    """-2010: the matching engine took ``order`` and refused it; ``reason`` is what an
    ``executionReport`` would carry in ``r`` (user-data-stream.md, "Order Reject Reason")."""

    def __init__(self, msg: str, reason: str, order: SpotOrder) -> None:
        super().__init__(-2010, msg)
        self.reason = reason
        self.order = order


def _insufficient(order: SpotOrder) -> Rejection:
    return Rejection(
        "Account has insufficient balance for requested action.", "INSUFFICIENT_BALANCES", order
    )


class SpotEngine:
    """Places, fills, triggers and cancels Spot orders."""

    def __init__(self, exchange: SpotExchange) -> None:
        self.ex = exchange
        #: Told of each order event ("fill" on the first fill, "trigger", "done") for the
        #: order lists' rules (:mod:`.lists`).
        self.listener: Listener | None = None

    # -- placement --------------------------------------------------------------------------

    def check_room(self, account: str, symbol: str, orders: int, algos: int) -> None:
        """MAX_NUM_ORDERS and MAX_NUM_ALGO_ORDERS with ``orders`` (``algos``) more."""
        spec = self.ex.spec(symbol)
        open_orders = self.ex.open_orders(account, symbol)
        if len(open_orders) + orders > spec.max_num_orders:
            raise filter_failure("MAX_NUM_ORDERS")
        if algos and sum(o.type in ALGO_TYPES for o in open_orders) + algos > (
            spec.max_num_algo_orders
        ):
            raise filter_failure("MAX_NUM_ALGO_ORDERS")

    def new_order(
        self, account: str, req: SpotOrderRequest, now_ms: int, *, order_list_id: int = -1
    ) -> SpotOrder:
        """An order from ``req`` (not stored); -2010 for a duplicate client id."""
        client_id = req.client_order_id or new_client_id()
        if self.ex.duplicate(account, req.symbol, client_id):
            raise ApiError(-2010, "Duplicate order sent.")
        qty = req.quantity if req.quantity is not None else ZERO
        return SpotOrder(
            account=account,
            symbol=req.symbol,
            order_id=0,
            client_order_id=client_id,
            placed_client_order_id=client_id,
            side=req.side,
            type=req.type,
            time_in_force=req.time_in_force,
            qty=qty,
            price=req.price,
            stop_price=req.stop_price,
            trailing_delta=req.trailing_delta,
            iceberg_qty=req.iceberg_qty,
            quote_order_qty=req.quote_order_qty or ZERO,
            strategy_id=req.strategy_id,
            strategy_type=req.strategy_type,
            stp_mode=req.stp_mode,
            order_list_id=order_list_id,
            time_ms=now_ms,
            update_time_ms=now_ms,
        )

    def refusal(self, order: SpotOrder) -> Rejection | None:
        """Why the matching engine would refuse ``order`` at the price now, if it would: a
        LIMIT_MAKER that would take, a stop (not trailing) whose condition is already met."""
        price = self.ex.price(order.symbol)
        if order.type == "LIMIT_MAKER" and _crosses(order, price):
            return Rejection(
                "Order would immediately match and take.", "WOULD_MATCH_IMMEDIATELY", order
            )
        if order.is_algo and not order.trailing_delta and _stop_met(order, price):
            return Rejection(
                "Order would trigger immediately.", "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY", order
            )
        return None

    def market_qty(self, order: SpotOrder) -> Decimal:
        """The quantity a MARKET order fills at the price now (``quoteOrderQty`` converted)."""
        if not order.quote_order_qty:
            return order.remaining
        spec = self.ex.spec(order.symbol)
        qty = spec.step_down(order.quote_order_qty / self.ex.price(order.symbol))
        spec.check_lot(qty, market=True)
        return qty

    def lock_amount(self, order: SpotOrder) -> Decimal:
        """What a resting order must hold (0 for an order that executes at once: MARKET)."""
        if order.type == "MARKET":
            return ZERO
        if order.side == "SELL":
            return order.remaining
        if order.price:
            return order.price * order.remaining
        return (order.stop_price or self.ex.price(order.symbol)) * order.remaining

    def accept(
        self,
        order: SpotOrder,
        now_ms: int,
        *,
        pending: bool = False,
        start: bool = True,
        announce: bool = True,
    ) -> SpotOrder:
        """Store ``order`` and lock its funds (-2010 when they fall short), then let it work
        unless ``start`` is False (``pending``: stored PENDING_NEW, holding nothing: a list's
        pending order until its working order fills). ``announce``: report it NEW now (else
        the caller does, with :meth:`announce`)."""
        ex = self.ex
        if order.type == "MARKET" and not pending:
            self._check_market_funds(order)
        elif not pending:
            amount = self.lock_amount(order)
            if amount:
                try:
                    ex.lock(order.account, ex.lock_asset(order), amount)
                except ApiError:
                    raise _insufficient(order) from None
                order.locked = amount
        order.order_id = ex.next_order_id()
        order.seq = ex.next_seq()
        order.status = "PENDING_NEW" if pending else "NEW"
        ex.store(order)
        if start and not pending and order.is_algo:
            # A stop only starts waiting (a trailing one tracking, which its NEW shows: D).
            self.start(order, now_ms)
            start = False
        if announce:
            self.announce(order, now_ms)
        if start and not pending:
            self.start(order, now_ms)
        return order

    def activate(self, order: SpotOrder, now_ms: int) -> None:
        """A pending list order goes on: its funds are locked now (it expires if they fall
        short), then it works like a new order."""
        ex = self.ex
        order.status = "NEW"
        order.update_time_ms = now_ms
        if self.refusal(order) is not None:
            self.expire(order, now_ms)
            return
        try:
            if order.type == "MARKET":
                self._check_market_funds(order)
            else:
                amount = self.lock_amount(order)
                if amount:
                    ex.lock(order.account, ex.lock_asset(order), amount)
                    order.locked = amount
        except ApiError:
            self.expire(order, now_ms)
            return
        self.announce(order, now_ms)
        self.start(order, now_ms)

    def announce(self, order: SpotOrder, now_ms: int) -> None:
        """Report an order accepted (execution type NEW, its status as it stands)."""
        self.ex.observers.order(order, "NEW", None, "", now_ms)

    def reject(self, order: SpotOrder, reason: str, now_ms: int) -> None:
        """Report an order the engine took and refused (execution type and status REJECTED,
        ``r`` the reason: a cancel-replace's new order after its cancel succeeded). It is
        numbered like any order the engine takes, but neither stored nor holding anything."""
        order.order_id = self.ex.next_order_id()
        order.status = "REJECTED"
        order.reject_reason = reason
        order.update_time_ms = now_ms
        self.ex.observers.order(order, "REJECTED", None, "", now_ms)

    def _check_market_funds(self, order: SpotOrder) -> None:
        price = self.ex.price(order.symbol)
        qty = self.market_qty(order)
        spec = self.ex.spec(order.symbol)
        if order.side == "BUY":
            have = self.ex.balance(order.account, spec.quote_asset).free + order.locked
            if qty * price > have:
                raise _insufficient(order)
        elif qty > self.ex.balance(order.account, spec.base_asset).free + order.locked:
            raise _insufficient(order)

    def start(self, order: SpotOrder, now_ms: int) -> None:
        """A new (or activated) order meets the market."""
        price = self.ex.price(order.symbol)
        if order.type == "MARKET":
            order.working_time_ms = now_ms
            qty = self.market_qty(order)
            if order.quote_order_qty:
                order.qty = qty
            self.fill(order, qty, price, now_ms, maker=False)
            return
        if order.is_algo:
            if order.trailing_delta and (not order.stop_price or _stop_met(order, price)):
                order.trailing_time_ms = now_ms
                order.trailing_extreme = price
            return
        self.work(order, now_ms)

    def work(self, order: SpotOrder, now_ms: int) -> None:
        """A limit order on the book: it takes at the price if it crosses it, else rests (or
        expires: IOC, FOK)."""
        order.working_time_ms = now_ms
        order.slice_left = min(order.iceberg_qty, order.remaining)
        price = self.ex.price(order.symbol)
        if _crosses(order, price):
            self.fill(order, order.remaining, price, now_ms, maker=False)
        elif order.time_in_force in ("IOC", "FOK"):
            self.expire(order, now_ms)

    # -- fills ------------------------------------------------------------------------------

    def fill(
        self, order: SpotOrder, qty: Decimal, price: Decimal, now_ms: int, *, maker: bool
    ) -> None:
        """``qty`` of ``order`` trades at ``price``: balances, the trade, the order count."""
        ex = self.ex
        spec = ex.spec(order.symbol)
        base = ex.balance(order.account, spec.base_asset)
        quote = ex.balance(order.account, spec.quote_asset)
        rate = ex.maker_commission if maker else ex.taker_commission
        amount = qty * price
        if qty == order.remaining or not order.locked:
            share = order.locked
        else:
            share = qty * order.price if order.side == "BUY" else qty
        if order.side == "BUY":
            quote.locked -= share
            quote.free += share - amount
            commission, asset = qty * rate, spec.base_asset
            base.free += qty - commission
        else:
            base.locked -= share
            base.free -= qty - share
            commission, asset = amount * rate, spec.quote_asset
            quote.free += amount - commission
        order.locked -= share
        printed = ex.tape.record(
            order.symbol, price, qty, buyer_maker=maker == (order.side == "BUY"), now_ms=now_ms
        )
        trade = SpotTrade(
            trade_id=printed.trade_id,
            account=order.account,
            symbol=order.symbol,
            order_id=order.order_id,
            order_list_id=order.order_list_id,
            price=price,
            qty=qty,
            commission=commission,
            commission_asset=asset,
            time_ms=printed.time_ms,
            is_buyer=order.side == "BUY",
            is_maker=maker,
        )
        ex.trades.append(trade)
        first = not order.executed_qty
        order.executed_qty += qty
        order.cum_quote += amount
        order.update_time_ms = now_ms
        order.status = "FILLED" if not order.remaining else "PARTIALLY_FILLED"
        ex.observers.order(order, "TRADE", trade, "", now_ms)
        if first:
            ex.limiter.order_filled(order.account, now_ms)
            self._tell(order, "fill", now_ms)
        if order.status == "FILLED":
            ex.release(order)
            self._tell(order, "done", now_ms)
        elif order.type == "MARKET" or order.time_in_force in ("IOC", "FOK"):
            self.expire(order, now_ms)

    def expire(self, order: SpotOrder, now_ms: int, status: str = "EXPIRED") -> None:
        """The order ends without filling the rest (EXPIRED, or CANCELED)."""
        self.ex.release(order)
        order.status = status
        order.update_time_ms = now_ms
        self.ex.observers.order(order, status, None, "", now_ms)
        self._tell(order, "done", now_ms)

    def cancel(self, order: SpotOrder, now_ms: int, new_client_id_: str | None) -> str:
        """Cancel an open order; it takes the cancel's client id. Returns the old one."""
        old = order.client_order_id
        self.ex.rename(order, new_client_id_ or new_client_id())
        self.ex.release(order)
        order.status = "CANCELED"
        order.update_time_ms = now_ms
        self.ex.observers.order(order, "CANCELED", None, old, now_ms)
        return old

    def _tell(self, order: SpotOrder, event: str, now_ms: int) -> None:
        if self.listener is not None and order.order_list_id != -1:
            self.listener(order, event, now_ms)

    # -- the market moves -------------------------------------------------------------------

    def on_price(self, symbol: str, now_ms: int) -> None:
        """The price moved: resting orders it crosses fill at their price (maker); stops
        whose condition it meets trigger."""
        price = self.ex.price(symbol)
        for order in sorted(self.ex.orders.values(), key=lambda o: o.seq):
            if order.symbol != symbol or order.status not in ("NEW", "PARTIALLY_FILLED"):
                continue
            if order.is_working and _crosses(order, price):
                self.fill(order, order.remaining, order.price, now_ms, maker=True)
            elif order.is_algo and not order.triggered and self._triggers(order, price, now_ms):
                self.trigger(order, now_ms)

    def _triggers(self, order: SpotOrder, price: Decimal, now_ms: int) -> bool:
        if not order.trailing_delta:
            return _stop_met(order, price)
        extreme = order.trailing_extreme
        if extreme is None:
            if _stop_met(order, price):
                order.trailing_time_ms = now_ms
                order.trailing_extreme = price
            return False
        delta = Decimal(order.trailing_delta) / _BIPS
        if order.side == "SELL":
            if price <= extreme * (1 - delta):
                return True
            order.trailing_extreme = max(extreme, price)
        else:
            if price >= extreme * (1 + delta):
                return True
            order.trailing_extreme = min(extreme, price)
        return False

    def trigger(self, order: SpotOrder, now_ms: int) -> None:
        """A stop's condition is met: it is reported NEW again, now working (``w`` true,
        ``W`` the trigger's time), then works as MARKET (expiring if its funds fall short) or
        as LIMIT at its price. An order list's other leg expires after that report and
        before the order trades."""
        order.triggered = True
        order.update_time_ms = now_ms
        order.working_time_ms = now_ms
        self.announce(order, now_ms)
        self._tell(order, "trigger", now_ms)
        if not order.is_open:
            return
        if order.type.endswith("_LIMIT"):
            self.work(order, now_ms)
            return
        try:
            self._check_market_funds(order)
        except ApiError:
            self.expire(order, now_ms)
            return
        self.fill(order, order.remaining, self.ex.price(order.symbol), now_ms, maker=False)

    def on_trade(self, symbol: str, price: Decimal, qty: Decimal, now_ms: int) -> None:
        """A trade prints ``qty`` at ``price``: resting orders at that price or better fill at
        their own price, in price-time priority, up to ``qty`` on each side; an iceberg fills
        one slice at a time, its next slice at the back of the queue. What they do not take
        is printed on the tape at ``price``."""
        taken = ZERO
        for side in ("BUY", "SELL"):
            left = qty
            for _ in range(10_000):  # bounded: every pass fills a slice or ends
                book = [
                    o
                    for o in self.ex.book(symbol)
                    if o.side == side and (o.price >= price if side == "BUY" else o.price <= price)
                ]
                if left <= 0 or not book:
                    break
                best = min(book, key=lambda o: (-o.price if side == "BUY" else o.price, o.seq))
                slice_qty = min(best.visible, left)
                self.fill(best, slice_qty, best.price, now_ms, maker=True)
                left -= slice_qty
                if best.iceberg_qty and best.is_open:
                    best.slice_left -= slice_qty
                    if not best.slice_left:
                        best.slice_left = min(best.iceberg_qty, best.remaining)
                        best.seq = self.ex.next_seq()
            taken = max(taken, qty - left)
        if qty > taken:
            self.ex.tape.record(symbol, price, qty - taken, buyer_maker=False, now_ms=now_ms)
