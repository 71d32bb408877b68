"""Spot order list endpoints: OCO, OTO and OTOCO placements, the list's query and cancel, the
list history (Spot REST documentation, "Order lists"): data only.

Each order of a list is a *leg* with its own parameters under a prefix (``above``,
``working``, ``pendingAbove`` ...); :func:`leg` builds a leg's specs, keyword ``above_price``
for wire ``abovePrice``. A list costs IP weight 1 and one ORDERS count per order it holds.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ...endpoint import Endpoint, Security, many
from ...models.spotorders import OrderList
from ...params import (
    CLIENT_ID,
    DECIMAL,
    Param,
    at_most_one,
    choice,
    integer,
    one_required,
    span_at_most,
)
from .common import (
    DAY_MS,
    END_TIME,
    ORDER_TYPES,
    RESPONSE_TYPES,
    SIDES,
    START_TIME,
    STP_MODES,
    SYMBOL_REQUIRED,
    TIME_IN_FORCES,
    limit,
)

__all__ = [
    "ALL_ORDER_LISTS",
    "CANCEL_ORDER_LIST",
    "GET_ORDER_LIST",
    "LISTS_ENDPOINTS",
    "NEW_OCO",
    "NEW_OTO",
    "NEW_OTOCO",
    "OCO_LEGS",
    "OPEN_ORDER_LISTS",
    "OTOCO_LEGS",
    "OTO_LEGS",
    "Leg",
    "leg",
]

SIGNED = Security.SIGNED
#: An OCO's (or OTOCO's pending) pair: a limit maker or take profit above, a stop loss below,
#: or the other way round.
PAIR_TYPES = frozenset(
    {"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT", "LIMIT_MAKER"}
)
WORKING_TYPES = frozenset({"LIMIT", "LIMIT_MAKER"})
#: Leg fields: keyword suffix, wire suffix, check.
_FIELDS = {
    "client_order_id": ("ClientOrderId", CLIENT_ID),
    "price": ("Price", DECIMAL),
    "stop_price": ("StopPrice", DECIMAL),
    "trailing_delta": ("TrailingDelta", integer(1)),
    "quantity": ("Quantity", DECIMAL),
    "iceberg_qty": ("IcebergQty", DECIMAL),
    "time_in_force": ("TimeInForce", choice(TIME_IN_FORCES)),
    "strategy_id": ("StrategyId", integer(0)),
    "strategy_type": ("StrategyType", integer(1_000_000)),
}


@attrs.frozen
class Leg:
    """One order of a list: its keyword and wire prefixes, types and fields."""

    #: Keyword prefix (``pending_above``) and wire prefix (``pendingAbove``).
    name: str
    wire: str
    types: frozenset[str]
    #: The leg's fields beyond ``type`` (and ``side``, when it has its own).
    fields: tuple[str, ...]
    #: Wire names of the side and quantity it trades: its own, or its list's.
    side: str
    quantity: str

    def params(self) -> tuple[Param, ...]:
        """The leg's parameter specs."""
        specs = [Param(f"{self.name}_type", f"{self.wire}Type", choice(self.types), True)]
        if self.side == f"{self.wire}Side":
            specs.append(Param(f"{self.name}_side", self.side, choice(SIDES), True))
        for field in self.fields:
            suffix, check = _FIELDS[field]
            required = field == "quantity"
            specs.append(Param(f"{self.name}_{field}", f"{self.wire}{suffix}", check, required))
        return tuple(specs)

    @property
    def client_id(self) -> str:
        """The wire name of the leg's client order id."""
        return f"{self.wire}ClientOrderId"


_PRICED = ("client_order_id", "price", "stop_price", "trailing_delta", "iceberg_qty")
_TAIL = ("time_in_force", "strategy_id", "strategy_type")


def leg(
    name: str,
    wire: str,
    types: Iterable[str],
    *,
    stops: bool = True,
    own: bool = False,
    side: str = "side",
    quantity: str = "quantity",
) -> Leg:
    """A leg; ``stops`` for a stop price and trailing delta, ``own`` for its own side and
    quantity (else it trades the list's, by their wire names ``side`` and ``quantity``)."""
    fields = [f for f in _PRICED if stops or f not in ("stop_price", "trailing_delta")]
    if own:
        fields.insert(fields.index("iceberg_qty"), "quantity")
        side, quantity = f"{wire}Side", f"{wire}Quantity"
    return Leg(name, wire, frozenset(types), (*fields, *_TAIL), side=side, quantity=quantity)


ABOVE = leg("above", "above", PAIR_TYPES)
BELOW = leg("below", "below", PAIR_TYPES)
OCO_LEGS = (ABOVE, BELOW)
WORKING = leg("working", "working", WORKING_TYPES, stops=False, own=True)
PENDING = leg("pending", "pending", ORDER_TYPES, own=True)
OTO_LEGS = (WORKING, PENDING)
# The documentation marks pendingBelowType optional, but an OTOCO is three orders: required.
PENDING_ABOVE = leg(
    "pending_above", "pendingAbove", PAIR_TYPES, side="pendingSide", quantity="pendingQuantity"
)
PENDING_BELOW = leg(
    "pending_below", "pendingBelow", PAIR_TYPES, side="pendingSide", quantity="pendingQuantity"
)
OTOCO_LEGS = (WORKING, PENDING_ABOVE, PENDING_BELOW)

_LIST_HEAD = (
    SYMBOL_REQUIRED,
    Param("list_client_order_id", "listClientOrderId", CLIENT_ID),
)
_LIST_TAIL = (
    Param("new_order_resp_type", "newOrderRespType", choice(RESPONSE_TYPES)),
    Param("self_trade_prevention_mode", "selfTradePreventionMode", choice(STP_MODES)),
)
OCO_PARAMS = (
    *_LIST_HEAD,
    Param("side", "side", choice(SIDES), required=True),
    Param("quantity", "quantity", DECIMAL, required=True),
    *ABOVE.params(),
    *BELOW.params(),
    *_LIST_TAIL,
)
OTO_PARAMS = (
    *_LIST_HEAD,
    *_LIST_TAIL,
    *WORKING.params(),
    *PENDING.params(),
)
OTOCO_PARAMS = (
    *_LIST_HEAD,
    *_LIST_TAIL,
    *WORKING.params(),
    Param("pending_side", "pendingSide", choice(SIDES), required=True),
    Param("pending_quantity", "pendingQuantity", DECIMAL, required=True),
    *PENDING_ABOVE.params(),
    *PENDING_BELOW.params(),
)


def _place(path: str, params: tuple[Param, ...], orders: int) -> Endpoint:
    return Endpoint(
        method="POST",
        path=path,
        weight=1,
        security=SIGNED,
        orders=orders,
        idempotent=False,
        is_order_write=True,
        params=params,
        model=OrderList.from_payload,
    )


NEW_OCO = _place("/api/v3/orderList/oco", OCO_PARAMS, 2)
NEW_OTO = _place("/api/v3/orderList/oto", OTO_PARAMS, 2)
NEW_OTOCO = _place("/api/v3/orderList/otoco", OTOCO_PARAMS, 3)

ORDER_LIST_ID = Param("order_list_id", "orderListId", integer(0))
# A list is queried by its listClientOrderId, sent under the name origClientOrderId, and
# without a symbol.
GET_ORDER_LIST = Endpoint(
    method="GET",
    path="/api/v3/orderList",
    weight=4,
    security=SIGNED,
    params=(ORDER_LIST_ID, Param("list_client_order_id", "origClientOrderId", CLIENT_ID)),
    model=OrderList.from_payload,
    checks=(one_required("orderListId", "origClientOrderId"),),
)
CANCEL_ORDER_LIST = Endpoint(
    method="DELETE",
    path="/api/v3/orderList",
    weight=1,
    security=SIGNED,
    idempotent=False,
    is_order_write=True,
    params=(
        SYMBOL_REQUIRED,
        ORDER_LIST_ID,
        Param("list_client_order_id", "listClientOrderId", CLIENT_ID),
        Param("new_client_order_id", "newClientOrderId", CLIENT_ID),
    ),
    model=OrderList.from_payload,
    checks=(one_required("orderListId", "listClientOrderId"),),
)
ALL_ORDER_LISTS = Endpoint(
    method="GET",
    path="/api/v3/allOrderList",
    weight=20,
    security=SIGNED,
    params=(Param("from_id", "fromId", integer(0)), START_TIME, END_TIME, limit(1000)),
    model=many(OrderList.from_payload),
    checks=(
        span_at_most(DAY_MS),
        at_most_one("fromId", "startTime"),
        at_most_one("fromId", "endTime"),
    ),
)
OPEN_ORDER_LISTS = Endpoint(
    method="GET",
    path="/api/v3/openOrderList",
    weight=6,
    security=SIGNED,
    model=many(OrderList.from_payload),
)

LISTS_ENDPOINTS: tuple[Endpoint, ...] = (
    NEW_OCO,
    NEW_OTO,
    NEW_OTOCO,
    GET_ORDER_LIST,
    CANCEL_ORDER_LIST,
    ALL_ORDER_LISTS,
    OPEN_ORDER_LISTS,
)
