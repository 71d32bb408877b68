"""What the Spot exchange holds: orders, order lists, user trades and balances."""

from __future__ import annotations

from decimal import Decimal

import attrs

__all__ = [
    "OPEN_STATUSES",
    "ZERO",
    "SpotBalance",
    "SpotOrder",
    "SpotOrderList",
    "SpotOrderRequest",
    "SpotTrade",
]

ZERO = Decimal(0)
#: An order holding its client id and counting toward MAX_NUM_ORDERS; PENDING_NEW is the
#: pending order of an OTO/OTOCO list, not yet on the book.
OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED", "PENDING_NEW"})
_UP_STOPS = frozenset({("STOP_LOSS", "BUY"), ("TAKE_PROFIT", "SELL")})


@attrs.frozen(kw_only=True)
class SpotOrderRequest:
    """A new order as validated by the API (filters passed); the matching engine decides."""

    symbol: str
    side: str
    type: str
    time_in_force: str
    quantity: Decimal | None
    quote_order_qty: Decimal | None = None
    price: Decimal = ZERO
    stop_price: Decimal = ZERO
    trailing_delta: int = 0
    iceberg_qty: Decimal = ZERO
    client_order_id: str | None = None
    resp_type: str = "ACK"
    strategy_id: int | None = None
    strategy_type: int | None = None
    stp_mode: str = "EXPIRE_MAKER"


@attrs.define(kw_only=True)
class SpotBalance:
    """One asset of an account: ``free`` and ``locked`` (by open orders)."""

    asset: str
    free: Decimal
    locked: Decimal = ZERO


@attrs.define(kw_only=True, eq=False)
class SpotOrder:
    """One order; the exchange updates it in place (``Simulator.spot_order`` hands out copies)."""

    account: str
    symbol: str
    order_id: int
    client_order_id: str
    #: The client id it was placed with (a cancel replaces ``client_order_id``).
    placed_client_order_id: str
    side: str
    type: str
    time_in_force: str
    qty: Decimal
    price: Decimal = ZERO
    stop_price: Decimal = ZERO
    trailing_delta: int = 0
    iceberg_qty: Decimal = ZERO
    quote_order_qty: Decimal = ZERO
    strategy_id: int | None = None
    strategy_type: int | None = None
    stp_mode: str = "EXPIRE_MAKER"
    order_list_id: int = -1
    status: str = "NEW"
    executed_qty: Decimal = ZERO
    cum_quote: Decimal = ZERO
    time_ms: int
    update_time_ms: int
    #: When it went on the book (-1: not yet: a waiting stop, a pending list order).
    working_time_ms: int = -1
    #: When a trailing stop started tracking (-1: not yet).
    trailing_time_ms: int = -1
    #: The best price seen while tracking (the highest for a SELL, the lowest for a BUY).
    trailing_extreme: Decimal | None = None
    #: A stop or take-profit order whose condition was met (it now works as its base type).
    triggered: bool = False
    #: Why the engine refused it (an executionReport's ``r``); NONE unless REJECTED.
    reject_reason: str = "NONE"
    #: What the order holds of the account (the quote asset for a BUY, the base for a SELL).
    locked: Decimal = ZERO
    #: Queue position at its price (an iceberg's refreshed slice goes to the back).
    seq: int = 0
    #: What is left of an iceberg's visible slice.
    slice_left: Decimal = ZERO

    @property
    def is_open(self) -> bool:
        """Still holding its client id (NEW, PARTIALLY_FILLED or PENDING_NEW)."""
        return self.status in OPEN_STATUSES

    @property
    def is_algo(self) -> bool:
        """A stop or take-profit order (STOP_LOSS, TAKE_PROFIT and their LIMIT forms)."""
        return self.type.startswith(("STOP_LOSS", "TAKE_PROFIT"))

    @property
    def is_working(self) -> bool:
        """On the book: an open order that is neither a waiting stop nor a pending one."""
        return self.status in ("NEW", "PARTIALLY_FILLED") and (not self.is_algo or self.triggered)

    @property
    def remaining(self) -> Decimal:
        """Quantity still to fill."""
        return self.qty - self.executed_qty

    @property
    def stops_upward(self) -> bool:
        """Whether its stop is met by a price at or above ``stopPrice`` (STOP_LOSS BUY,
        TAKE_PROFIT SELL and their LIMIT forms), rather than at or below it."""
        return (self.type.removesuffix("_LIMIT"), self.side) in _UP_STOPS

    @property
    def visible(self) -> Decimal:
        """What the book shows of it: the iceberg's slice, or all that is left."""
        return min(self.slice_left, self.remaining) if self.iceberg_qty else self.remaining


@attrs.define(kw_only=True, eq=False)
class SpotOrderList:
    """An OCO, OTO or OTOCO list (OTOCO's contingencyType is ``OTO``, as documented)."""

    account: str
    symbol: str
    order_list_id: int
    list_client_order_id: str
    contingency_type: str
    #: OCO, OTO or OTOCO: how the list behaves.
    kind: str
    order_ids: list[int]
    transaction_time_ms: int
    list_status_type: str = "EXEC_STARTED"
    list_order_status: str = "EXECUTING"

    @property
    def is_open(self) -> bool:
        """Still executing (holding its listClientOrderId)."""
        return self.list_order_status == "EXECUTING"


@attrs.frozen(kw_only=True)
class SpotTrade:
    """One fill of one order (``myTrades``); ``trade_id`` is the public tape's."""

    trade_id: int
    account: str
    symbol: str
    order_id: int
    order_list_id: int
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    time_ms: int
    is_buyer: bool
    is_maker: bool

    @property
    def quote_qty(self) -> Decimal:
        """price * qty."""
        return self.price * self.qty
