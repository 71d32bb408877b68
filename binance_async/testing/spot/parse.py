"""New-order parameters, validated the way the Spot API does before the matching engine
sees them: mandatory parameters by type (-1102), parameters a type does not take (-1106,
-1114), enums, client ids, precision (-1111) and the symbol's filters (-1013).

Codes where the docs name none: an invalid ``newOrderRespType`` or
``selfTradePreventionMode`` is -1130 (invalid value); ``icebergQty`` with a timeInForce
other than GTC is -1014 "Unsupported order combination." (the documented message).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from decimal import Decimal

from .. import readers
from ..errors import ApiError, invalid_param, mandatory, not_required
from .exchange import SpotExchange
from .records import ZERO, SpotOrderRequest
from .symbols import ORDER_TYPES, STP_MODES, SpotSymbol

__all__ = [
    "CLIENT_ID_RE",
    "ORDER_PARAMS",
    "SIGNED",
    "check_client_id",
    "parse_order",
    "resp_type",
]

SIGNED = frozenset({"timestamp", "recvWindow"})
#: The parameters of POST /api/v3/order (and order/test, with computeCommissionRates).
ORDER_FIELDS = frozenset(
    {
        "symbol",
        "side",
        "type",
        "timeInForce",
        "quantity",
        "quoteOrderQty",
        "price",
        "newClientOrderId",
        "strategyId",
        "strategyType",
        "stopPrice",
        "trailingDelta",
        "icebergQty",
        "newOrderRespType",
        "selfTradePreventionMode",
    }
)
ORDER_PARAMS = ORDER_FIELDS | SIGNED
CLIENT_ID_RE = re.compile(r"[a-zA-Z0-9_-]{1,36}")
_TIF = ("GTC", "IOC", "FOK")
_LIMIT_TYPES = frozenset({"LIMIT", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"})
_STOP_TYPES = frozenset({"STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"})
_PRICED = _LIMIT_TYPES | {"LIMIT_MAKER"}
_MARKET_LIKE = frozenset({"MARKET", "STOP_LOSS", "TAKE_PROFIT"})


def check_client_id(params: Mapping[str, str], name: str) -> str | None:
    """A client id parameter: -1118 when empty (for newClientOrderId), -1100 when it has other
    characters than ``[a-zA-Z0-9-_]`` or more than 36."""
    value = params.get(name)
    if value is None:
        return None
    if not value:
        raise ApiError(-1118, "New client order ID was empty.")
    if not CLIENT_ID_RE.fullmatch(value):
        raise ApiError(
            -1100,
            f"Illegal characters found in parameter '{name}'; legal range is "
            "'^[a-zA-Z0-9-_]{1,36}$'.",
        )
    return value


def resp_type(params: Mapping[str, str], default: str) -> str:
    """``newOrderRespType``: ACK, RESULT or FULL (-1130 otherwise)."""
    return (
        readers.enum(
            params, "newOrderRespType", ("ACK", "RESULT", "FULL"), invalid_param("newOrderRespType")
        )
        or default
    )


def _amount(params: Mapping[str, str], name: str, spec: SpotSymbol) -> Decimal | None:
    value = readers.decimal(params, name)
    if value is not None:
        spec.check_precision(name, value)
    return value


def _forbid(params: Mapping[str, str], names: Collection[str]) -> None:
    for name in names:
        if name in params:
            if name == "timeInForce":
                raise ApiError(-1114, "TimeInForce parameter sent when not required.")
            raise not_required(name)


def parse_order(
    params: Mapping[str, str], exchange: SpotExchange, *, allowed: Collection[str] | None
) -> SpotOrderRequest:
    """Validate one new order (``allowed``: the parameters the endpoint takes, None when the
    caller already checked them, as for an order list's legs)."""
    if allowed is not None:
        readers.check_unknown(params, allowed)
    spec = exchange.spec(readers.require(params, "symbol"))
    side = readers.require(params, "side")
    if side not in ("BUY", "SELL"):
        raise ApiError(-1117, "Invalid side.")
    order_type = readers.require(params, "type")
    if order_type not in ORDER_TYPES:
        raise ApiError(-1116, "Invalid orderType.")
    client_id = check_client_id(params, "newClientOrderId")
    stp = readers.enum(
        params, "selfTradePreventionMode", STP_MODES, invalid_param("selfTradePreventionMode")
    )
    default_resp = "FULL" if order_type in ("MARKET", "LIMIT") else "ACK"
    response = resp_type(params, default_resp)
    strategy_id = readers.integer(params, "strategyId")
    strategy_type = readers.integer(params, "strategyType")
    if strategy_type is not None and strategy_type < 1_000_000:
        raise ApiError(-1134, "`strategyType` was less than 1000000.")
    quantity = _amount(params, "quantity", spec)
    quote_qty = _amount(params, "quoteOrderQty", spec)
    price = _amount(params, "price", spec)
    stop_price = _amount(params, "stopPrice", spec)
    iceberg = _amount(params, "icebergQty", spec)
    trailing = readers.integer(params, "trailingDelta")
    tif = "GTC"
    if order_type in _LIMIT_TYPES:
        tif = readers.require(params, "timeInForce")
        if tif not in _TIF:
            raise ApiError(-1115, "Invalid timeInForce.")
    else:
        _forbid(params, ("timeInForce",))
    if order_type == "MARKET":
        _forbid(params, ("price", "stopPrice", "trailingDelta", "icebergQty"))
        if quantity is not None and quote_qty is not None:
            raise not_required("quoteOrderQty")
        if quantity is None and quote_qty is None:
            raise ApiError(
                -1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!"
            )
    else:
        _forbid(params, ("quoteOrderQty",))
        if quantity is None:
            raise mandatory("quantity")
    if order_type in _PRICED:
        if price is None:
            raise mandatory("price")
    else:
        _forbid(params, ("price",))
    if order_type in _STOP_TYPES:
        if stop_price is None and trailing is None:
            raise ApiError(
                -1102,
                "Param 'stopPrice' or 'trailingDelta' must be sent, but both were empty/null!",
            )
    else:
        _forbid(params, ("stopPrice", "trailingDelta"))
    if order_type in ("STOP_LOSS", "TAKE_PROFIT"):
        _forbid(params, ("icebergQty",))
    if iceberg is not None and tif != "GTC":
        raise ApiError(-1014, "Unsupported order combination.")
    average = exchange.price(spec.symbol)
    market = order_type in _MARKET_LIKE
    if price is not None:
        spec.check_price(price)
        spec.check_percent_price(side, price, average)
    if stop_price is not None:
        spec.check_price(stop_price)
    if quantity is not None:
        spec.check_lot(quantity, market=market)
        if iceberg is not None:
            spec.check_iceberg(quantity, iceberg)
    if trailing is not None:
        spec.check_trailing(order_type, side, trailing)
    if quote_qty is not None:
        spec.check_notional(quote_qty, market=True)
    elif quantity is not None:
        reference = price if price is not None else stop_price or average
        spec.check_notional(quantity * reference, market=market)
    return SpotOrderRequest(
        symbol=spec.symbol,
        side=side,
        type=order_type,
        time_in_force=tif,
        quantity=quantity,
        quote_order_qty=quote_qty,
        price=price or ZERO,
        stop_price=stop_price or ZERO,
        trailing_delta=trailing or 0,
        iceberg_qty=iceberg or ZERO,
        client_order_id=client_id,
        resp_type=response,
        strategy_id=strategy_id,
        strategy_type=strategy_type,
        stp_mode=stp or "EXPIRE_MAKER",
    )
