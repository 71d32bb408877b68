"""New-order and modify-order requests: parsing and the checks that need no account state."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

import attrs

from . import readers
from .errors import ApiError, not_required
from .market import Market, SymbolSpec

__all__ = [
    "CLIENT_ID_RE",
    "CONDITIONAL",
    "MAX_GTD_MS",
    "MODIFY_PARAMS",
    "NEW_ORDER_PARAMS",
    "PRICE_MATCH",
    "STP_MODES",
    "TIF",
    "ModifyRequest",
    "OrderRequest",
    "matched_price",
    "parse_modify",
    "parse_new_order",
    "position_side",
]

SIGNED_PARAMS = frozenset({"timestamp", "recvWindow"})
_ORDER_FIELDS = frozenset(
    {
        "symbol",
        "side",
        "positionSide",
        "type",
        "timeInForce",
        "quantity",
        "reduceOnly",
        "price",
        "newClientOrderId",
        "stopPrice",
        "closePosition",
        "activationPrice",
        "callbackRate",
        "workingType",
        "priceProtect",
        "newOrderRespType",
        "priceMatch",
        "selfTradePreventionMode",
        "goodTillDate",
    }
)
NEW_ORDER_PARAMS = _ORDER_FIELDS | SIGNED_PARAMS
_MODIFY_FIELDS = frozenset(
    {"symbol", "side", "quantity", "price", "orderId", "origClientOrderId", "priceMatch"}
)
MODIFY_PARAMS = _MODIFY_FIELDS | SIGNED_PARAMS

CLIENT_ID_RE = re.compile(r"^[\.A-Z\:/a-z0-9_-]{1,36}$")
CONDITIONAL = frozenset(
    {"STOP", "STOP_MARKET", "TAKE_PROFIT", "TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"}
)
TIF = frozenset({"GTC", "IOC", "FOK", "GTX", "GTD"})
PRICE_MATCH = frozenset(
    {"NONE", "OPPONENT", "OPPONENT_5", "OPPONENT_10", "OPPONENT_20"}
    | {"QUEUE", "QUEUE_5", "QUEUE_10", "QUEUE_20"}
)
STP_MODES = frozenset({"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"})
MAX_GTD_MS = 253402300799000


@attrs.frozen(kw_only=True)
class OrderRequest:
    """A validated new order (filters and price checks passed)."""

    symbol: str
    side: str
    type: str
    quantity: Decimal
    price: Decimal  # 0 for MARKET
    time_in_force: str
    reduce_only: bool
    position_side: str
    client_order_id: str | None
    resp_type: str
    working_type: str
    price_protect: bool
    price_match: str
    stp_mode: str
    good_till_date: int
    close_position: bool = False


@attrs.frozen(kw_only=True)
class ModifyRequest:
    """A validated modification of a resting LIMIT order."""

    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    order_id: int | None
    client_order_id: str | None
    price_match: str


def matched_price(spec: SymbolSpec, side: str, match: str, mark: Decimal) -> Decimal:
    """priceMatch: OPPONENT_n takes the n-th level across the book, QUEUE_n joins ours."""
    kind, _, level = match.partition("_")
    steps = int(level or 1)
    base = mark.quantize(spec.tick_size)
    toward = 1 if (side == "BUY") == (kind == "OPPONENT") else -1
    return base + toward * steps * spec.tick_size


def _check_price_rules(
    spec: SymbolSpec, side: str, price: Decimal, qty: Decimal, mark: Decimal, reduce_only: bool
) -> None:
    spec.check_price(price)
    spec.check_percent_price(side, price, mark)
    spec.check_notional(price * qty, reduce_only=reduce_only)


def position_side(params: Mapping[str, str], *, hedge: bool) -> str:
    """``positionSide`` for the account's mode: BOTH in one-way mode, LONG or SHORT in hedge
    mode (-4061 otherwise); ``reduceOnly`` may not be sent at all in hedge mode (-1106)."""
    side = readers.enum(
        params, "positionSide", ("BOTH", "LONG", "SHORT"), ApiError(-4060, "Invalid position side.")
    )
    if hedge:
        if side not in ("LONG", "SHORT"):
            raise ApiError(-4061, "Order's position side does not match user's setting.")
        if "reduceOnly" in params:
            raise ApiError(-1106, "Parameter 'reduceonly' sent when not required.")
        return side
    if side not in (None, "BOTH"):
        raise ApiError(-4061, "Order's position side does not match user's setting.")
    return "BOTH"


def parse_new_order(
    params: Mapping[str, str],
    market: Market,
    *,
    now_ms: int,
    batch_item: bool = False,
    hedge: bool = False,
) -> OrderRequest:
    """Validate a POST /fapi/v1/order (or one batch item) the way the exchange does."""
    readers.check_unknown(params, _ORDER_FIELDS if batch_item else NEW_ORDER_PARAMS)
    symbol = readers.require(params, "symbol")
    side = readers.require(params, "side")
    type_ = readers.require(params, "type")
    spec = market.spec(symbol)
    if side not in ("BUY", "SELL"):
        raise ApiError(-1117, "Invalid side.")
    if type_ in CONDITIONAL:
        raise ApiError(
            -4120,
            "Order type not supported for this endpoint. "
            "Please use the Algo Order API endpoints instead.",
        )
    if type_ not in ("LIMIT", "MARKET"):
        raise ApiError(-1116, "Invalid orderType.")
    pos_side = position_side(params, hedge=hedge)
    reduce_only = bool(readers.boolean(params, "reduceOnly"))
    # Closing orders (reduce-only, or LONG+SELL / SHORT+BUY in hedge mode) skip MIN_NOTIONAL.
    closing = reduce_only or (pos_side, side) in (("LONG", "SELL"), ("SHORT", "BUY"))
    if readers.boolean(params, "closePosition"):
        raise not_required("closePosition")
    price_protect = bool(readers.boolean(params, "priceProtect", any_case=True))
    for name in ("stopPrice", "activationPrice", "callbackRate"):
        if name in params:
            raise not_required(name)
    working_type = readers.enum(
        params,
        "workingType",
        ("MARK_PRICE", "CONTRACT_PRICE"),
        ApiError(-4031, "Invalid workingType."),
    )
    resp_type = readers.enum(
        params, "newOrderRespType", ("ACK", "RESULT"), ApiError(-1136, "Invalid newOrderRespType.")
    )
    stp_mode = readers.enum(
        params,
        "selfTradePreventionMode",
        STP_MODES,
        ApiError(-5039, "Invalid selfTradePreventionMode."),
    )
    price_match = readers.enum(
        params, "priceMatch", PRICE_MATCH, ApiError(-5037, "Invalid priceMatch.")
    )
    client_id = params.get("newClientOrderId")
    if client_id is not None and not CLIENT_ID_RE.fullmatch(client_id):
        raise ApiError(-4015, "Client order id is not valid.")
    quantity = readers.decimal(params, "quantity", required=True)
    assert quantity is not None
    mark = market.mark(symbol)
    good_till = 0
    if type_ == "MARKET":
        for name in ("timeInForce", "price", "goodTillDate"):
            if name in params:
                raise not_required(name)
        if price_match not in (None, "NONE"):
            raise ApiError(
                -5038, "priceMatch is only supported by LIMIT, STOP AND TAKE_PROFIT order."
            )
        tif = "GTC"
        price = Decimal(0)
        spec.check_qty(quantity, market=True)
        spec.check_notional(mark * quantity, reduce_only=closing)
    else:
        tif = readers.require(params, "timeInForce")
        if tif not in TIF:
            raise ApiError(-1115, "Invalid timeInForce.")
        if price_match not in (None, "NONE"):
            if "price" in params:
                raise not_required("price")
            price = matched_price(spec, side, price_match, mark)
        else:
            sent = readers.decimal(params, "price", required=True)
            assert sent is not None
            price = sent
        if tif == "GTD":
            good_till = readers.integer(params, "goodTillDate", required=True) or 0
            if not now_ms + 600_000 < good_till < MAX_GTD_MS:
                raise ApiError(
                    -5040,
                    "goodTillDate must be greater than current time plus 600 seconds and "
                    f"smaller than {MAX_GTD_MS}",
                )
        elif "goodTillDate" in params:
            raise not_required("goodTillDate")
        spec.check_qty(quantity, market=False)
        _check_price_rules(spec, side, price, quantity, mark, closing)
    return OrderRequest(
        symbol=symbol,
        side=side,
        type=type_,
        quantity=quantity,
        price=price,
        time_in_force=tif,
        reduce_only=reduce_only,
        position_side=pos_side,
        client_order_id=client_id,
        resp_type=resp_type or "ACK",
        working_type=working_type or "CONTRACT_PRICE",
        price_protect=price_protect,
        price_match=price_match or "NONE",
        stp_mode=stp_mode or "EXPIRE_MAKER",
        good_till_date=good_till,
    )


def parse_modify(
    params: Mapping[str, str], market: Market, *, batch_item: bool = False
) -> ModifyRequest:
    """Validate a PUT /fapi/v1/order (or one batch item): new quantity and price of a LIMIT."""
    readers.check_unknown(params, _MODIFY_FIELDS if batch_item else MODIFY_PARAMS)
    symbol = readers.require(params, "symbol")
    side = readers.require(params, "side")
    spec = market.spec(symbol)
    if side not in ("BUY", "SELL"):
        raise ApiError(-1117, "Invalid side.")
    order_id, client_id = readers.order_ref(params)
    quantity = readers.decimal(params, "quantity", required=True)
    assert quantity is not None
    price_match = readers.enum(
        params, "priceMatch", PRICE_MATCH, ApiError(-5037, "Invalid priceMatch.")
    )
    mark = market.mark(symbol)
    if price_match not in (None, "NONE"):
        if "price" in params:
            raise not_required("price")
        price = matched_price(spec, side, price_match or "NONE", mark)
    else:
        sent = readers.decimal(params, "price", required=True)
        assert sent is not None
        price = sent
    spec.check_qty(quantity, market=False)
    _check_price_rules(spec, side, price, quantity, mark, reduce_only=False)
    return ModifyRequest(
        symbol=symbol,
        side=side,
        quantity=quantity,
        price=price,
        order_id=order_id,
        client_order_id=client_id,
        price_match=price_match or "NONE",
    )
