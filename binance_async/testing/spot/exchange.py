"""SpotExchange: Spot's state, apart from the futures exchange's: symbols and their prices,
balances, orders, order lists, trades and the Spot limiter."""

from __future__ import annotations

import bisect
import secrets
from decimal import Decimal

import attrs

from ..errors import ApiError
from ..tape import Tape
from .config import SpotConfig
from .limits import SpotRateLimiter
from .observers import SpotObservers
from .records import SpotBalance, SpotOrder, SpotOrderList, SpotTrade
from .symbols import SpotSymbol, SpotSymbols

__all__ = ["SpotExchange", "new_client_id"]

_FIRST_ORDER_ID = 7_000_000_001  # above 2**32, as on the futures side
_FIRST_LIST_ID = 9_000_001


def new_client_id() -> str:
    """A generated client id: 22 characters of ``[A-Za-z0-9_-]``, as Binance's look."""
    return secrets.token_urlsafe(16)


class SpotExchange:
    """Everything Spot holds; the matching rules are in :mod:`.engine`."""

    def __init__(self, config: SpotConfig, observers: SpotObservers | None = None) -> None:
        self.config = config
        #: Told of order, list, balance and trade events (kept by ``fresh``).
        self.observers = observers if observers is not None else SpotObservers()
        self.symbols = SpotSymbols()
        self.limiter = SpotRateLimiter(config.rate_limits)
        self.maker_commission = config.maker_commission
        self.taker_commission = config.taker_commission
        self.tape = Tape(self.observers.trade)
        self.orders: dict[int, SpotOrder] = {}
        self.lists: dict[int, SpotOrderList] = {}
        self.trades: list[SpotTrade] = []
        self._balances: dict[str, dict[str, SpotBalance]] = {}
        self._prices: dict[str, list[tuple[int, Decimal]]] = {}
        self._by_client: dict[tuple[str, str, str], int] = {}
        self._lists_by_client: dict[tuple[str, str], int] = {}
        self._next_order_id = _FIRST_ORDER_ID
        self._next_list_id = _FIRST_LIST_ID
        self._seq = 0

    def fresh(self) -> SpotExchange:
        """A new exchange with this one's configuration, fee rates and observers."""
        other = SpotExchange(self.config, self.observers)
        other.maker_commission, other.taker_commission = (
            self.maker_commission,
            self.taker_commission,
        )
        return other

    # -- prices -----------------------------------------------------------------------------

    def spec(self, symbol: str | None) -> SpotSymbol:
        """The symbol, or -1121."""
        return self.symbols.get(symbol)

    def price(self, symbol: str) -> Decimal:
        """The last price (also the average price the filters use)."""
        history = self._prices.get(symbol)
        return history[-1][1] if history else self.symbols.get(symbol).initial_price

    def price_at(self, symbol: str, time_ms: int) -> Decimal:
        """The price in force at ``time_ms``."""
        history = self._prices.get(symbol, [])
        i = bisect.bisect_right(history, time_ms, key=lambda item: item[0])
        return history[i - 1][1] if i else self.symbols.get(symbol).initial_price

    def prices_between(self, symbol: str, start_ms: int, end_ms: int) -> list[Decimal]:
        """Prices set with ``start_ms <= time <= end_ms``."""
        history = self._prices.get(symbol, [])
        lo = bisect.bisect_left(history, start_ms, key=lambda item: item[0])
        hi = bisect.bisect_right(history, end_ms, key=lambda item: item[0])
        return [price for _, price in history[lo:hi]]

    def record_price(self, symbol: str, price: Decimal, now_ms: int) -> None:
        """Set the last price (the engine's ``on_price`` acts on it)."""
        self.symbols.get(symbol)
        if not price.is_finite() or price <= 0:
            raise ValueError(f"price: must be positive, got {price}")
        history = self._prices.setdefault(symbol, [])
        history.append((max(now_ms, history[-1][0]) if history else now_ms, price))

    # -- balances ---------------------------------------------------------------------------

    def balances(self, account: str) -> dict[str, SpotBalance]:
        """The account's balances by asset, made with the configured ones on first use."""
        found = self._balances.get(account)
        if found is None:
            found = {
                asset: SpotBalance(asset=asset, free=amount)
                for asset, amount in self.config.balances.items()
            }
            for spec in self.symbols.by_name.values():
                for asset in (spec.base_asset, spec.quote_asset):
                    found.setdefault(asset, SpotBalance(asset=asset, free=Decimal(0)))
            self._balances[account] = found
        return found

    def balance(self, account: str, asset: str) -> SpotBalance:
        """One asset of the account (zero if never held)."""
        balances = self.balances(account)
        found = balances.get(asset)
        if found is None:
            found = balances[asset] = SpotBalance(asset=asset, free=Decimal(0))
        return found

    def lock(self, account: str, asset: str, amount: Decimal) -> None:
        """Move ``amount`` from free to locked, or refuse with -2010."""
        balance = self.balance(account, asset)
        if amount > balance.free:
            raise ApiError(-2010, "Account has insufficient balance for requested action.")
        balance.free -= amount
        balance.locked += amount

    def release(self, order: SpotOrder) -> None:
        """Give back what ``order`` still holds."""
        if order.locked:
            balance = self.balance(order.account, self.lock_asset(order))
            balance.locked -= order.locked
            balance.free += order.locked
            order.locked = Decimal(0)

    def lock_asset(self, order: SpotOrder) -> str:
        """What an order holds: the quote asset for a BUY, the base asset for a SELL."""
        spec = self.symbols.get(order.symbol)
        return spec.quote_asset if order.side == "BUY" else spec.base_asset

    # -- orders -----------------------------------------------------------------------------

    def next_order_id(self) -> int:
        """A new order id."""
        self._next_order_id += 1
        return self._next_order_id - 1

    def next_list_id(self) -> int:
        """A new order list id."""
        self._next_list_id += 1
        return self._next_list_id - 1

    def next_seq(self) -> int:
        """A new queue position."""
        self._seq += 1
        return self._seq

    def store(self, order: SpotOrder) -> None:
        """Hold a new order, indexed by its client id."""
        self.orders[order.order_id] = order
        self._by_client[(order.account, order.symbol, order.client_order_id)] = order.order_id

    def rename(self, order: SpotOrder, client_order_id: str) -> None:
        """A cancel gives the order the cancel's client id, freeing the old one (an open
        order already holding the new id keeps it for lookups and duplicate checks)."""
        key = (order.account, order.symbol, order.client_order_id)
        if self._by_client.get(key) == order.order_id:
            del self._by_client[key]
        order.client_order_id = client_order_id
        if not self.duplicate(order.account, order.symbol, client_order_id):
            self._by_client[(order.account, order.symbol, client_order_id)] = order.order_id

    def duplicate(self, account: str, symbol: str, client_order_id: str) -> bool:
        """Whether an open order of the account on ``symbol`` has this client id."""
        found = self._by_client.get((account, symbol, client_order_id))
        return found is not None and self.orders[found].is_open

    def find(
        self, account: str, symbol: str, order_id: int | None, client_order_id: str | None
    ) -> SpotOrder | None:
        """By id (then its client id must match, if given), else by client id."""
        if order_id is not None:
            order = self.orders.get(order_id)
            if order is None or order.account != account or order.symbol != symbol:
                return None
            if client_order_id is not None and order.client_order_id != client_order_id:
                return None
            return order
        found = self._by_client.get((account, symbol, client_order_id or ""))
        return None if found is None else self.orders[found]

    def open_orders(self, account: str, symbol: str | None = None) -> list[SpotOrder]:
        """The account's open orders (on one symbol or all), oldest first."""
        return [
            o
            for o in self.orders.values()
            if o.account == account and o.is_open and (symbol is None or o.symbol == symbol)
        ]

    def book(self, symbol: str) -> list[SpotOrder]:
        """Every working order on ``symbol`` (any account)."""
        return [o for o in self.orders.values() if o.symbol == symbol and o.is_working]

    # -- order lists ------------------------------------------------------------------------

    def store_list(self, order_list: SpotOrderList) -> None:
        """Hold a new order list, indexed by its listClientOrderId."""
        self.lists[order_list.order_list_id] = order_list
        key = (order_list.account, order_list.list_client_order_id)
        self._lists_by_client[key] = order_list.order_list_id

    def duplicate_list(self, account: str, list_client_order_id: str) -> bool:
        """Whether an executing list of the account has this listClientOrderId."""
        found = self._lists_by_client.get((account, list_client_order_id))
        return found is not None and self.lists[found].is_open

    def find_list(
        self, account: str, order_list_id: int | None, list_client_order_id: str | None
    ) -> SpotOrderList | None:
        """By id (its listClientOrderId must then match, if given), else by client id."""
        if order_list_id is not None:
            found = self.lists.get(order_list_id)
            if found is None or found.account != account:
                return None
            if list_client_order_id is not None and (
                found.list_client_order_id != list_client_order_id
            ):
                return None
            return found
        list_id = self._lists_by_client.get((account, list_client_order_id or ""))
        return None if list_id is None else self.lists[list_id]

    def list_of(self, order: SpotOrder) -> SpotOrderList | None:
        """The list ``order`` belongs to."""
        return self.lists.get(order.order_list_id) if order.order_list_id != -1 else None

    def snapshot(self, order: SpotOrder) -> SpotOrder:
        """A copy that later changes do not touch."""
        return attrs.evolve(order)
