"""What each Spot order type takes (the Spot REST documentation, "New order"), checked before
anything is sent, for a single order and for each order of a list.

A :class:`Shape` is one order in plain names, whatever its wire prefix (``price`` for
``price``, ``abovePrice`` or ``pendingBelowPrice``). :func:`check_shape` refuses what the
exchange would refuse for the type (a MARKET order with a price, a LIMIT_MAKER with a time in
force, an iceberg on a stop market ...); :func:`with_default_tif` gives the types that need
a time in force GTC when none is given, as :class:`~binance_async.UMFutures` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..errors import InvalidRequest
from ..models.spotmarket import SpotSymbolInfo
from ..spotfilters import check_spot_order

__all__ = ["Shape", "check_filters", "check_shape", "shape_of", "with_default_tif"]

#: Types that rest at a limit price and take a time in force.
_TIF_TYPES = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
#: Types with a limit price.
_PRICED = _TIF_TYPES | {"LIMIT_MAKER"}
#: Types triggered by a stop price or a trailing delta.
_TRIGGERED = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})


@attrs.frozen(kw_only=True)
class Shape:
    """One order, in plain names."""

    type: str
    side: str
    quantity: Decimal | None = None
    quote_order_qty: Decimal | None = None
    price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_delta: int | None = None
    iceberg_qty: Decimal | None = None
    time_in_force: str | None = None


def shape_of(
    wire: Mapping[str, Any], prefix: str = "", *, side: str | None = None, **shared: Any
) -> Shape:
    """The shape of one order in wire parameters: names under ``prefix`` (``"above"``:
    ``aboveType``, ``abovePrice`` ...); ``side`` and ``shared`` values (a list's quantity)
    stand for those the order takes from its list."""

    def get(name: str) -> Any:
        key = prefix + name[0].upper() + name[1:] if prefix else name
        return wire.get(key)

    return Shape(
        type=get("type"),
        side=side if side is not None else get("side"),
        quantity=shared.get("quantity", get("quantity")),
        quote_order_qty=get("quoteOrderQty"),
        price=get("price"),
        stop_price=get("stopPrice"),
        trailing_delta=get("trailingDelta"),
        iceberg_qty=get("icebergQty"),
        time_in_force=get("timeInForce"),
    )


def with_default_tif(kind: str, time_in_force: str | None) -> str | None:
    """GTC for a type that needs a time in force and was given none."""
    if time_in_force is None and kind in _TIF_TYPES:
        return "GTC"
    return time_in_force


def check_shape(order: Shape, what: str = "") -> None:
    """Refuse (``InvalidRequest``) parameters the order's type does not take or lacks."""
    kind, name = order.type, f"{what} " if what else ""
    where = f"{name}{kind}"

    def refuse(text: str) -> InvalidRequest:
        return InvalidRequest(f"{where} orders {text}")

    if kind == "MARKET":
        if (order.quantity is None) == (order.quote_order_qty is None):
            raise refuse("need exactly one of quantity or quote_order_qty")
    elif order.quote_order_qty is not None:
        raise refuse("take no quote_order_qty (MARKET orders only)")
    elif order.quantity is None:
        raise refuse("need a quantity")
    if kind in _PRICED and order.price is None:
        raise refuse("need a price")
    if kind not in _PRICED and order.price is not None:
        raise refuse("take no price")
    if kind in _TIF_TYPES and order.time_in_force is None:
        raise refuse("need a time_in_force")
    if kind not in _TIF_TYPES and order.time_in_force is not None:
        raise refuse("take no time_in_force")
    if kind in _TRIGGERED and order.stop_price is None and order.trailing_delta is None:
        raise refuse("need a stop_price, a trailing_delta, or both")
    if kind not in _TRIGGERED and (
        order.stop_price is not None or order.trailing_delta is not None
    ):
        raise refuse("take no stop_price or trailing_delta")
    if order.iceberg_qty is not None:
        if kind not in _PRICED:
            raise refuse("take no iceberg_qty (LIMIT, LIMIT_MAKER and the LIMIT stops only)")
        if order.time_in_force not in (None, "GTC"):
            raise refuse("with an iceberg_qty need time_in_force GTC")


def check_filters(
    info: SpotSymbolInfo, order: Shape, *, stp_mode: str | None = None, what: str = ""
) -> None:
    """The symbol's filters for one order (``FilterViolation``)."""
    check_spot_order(
        info,
        order_type=order.type,
        side=order.side,
        quantity=order.quantity,
        quote_order_qty=order.quote_order_qty,
        price=order.price,
        stop_price=order.stop_price,
        trailing_delta=order.trailing_delta,
        iceberg_qty=order.iceberg_qty,
        self_trade_prevention_mode=stp_mode,
        what=what,
    )
