"""POST /fapi/v1/algoOrder requests: parsing and the checks that need no account state."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import attrs

from . import readers
from .accounts import ZERO
from .errors import ApiError, invalid_param, not_required
from .market import Market
from .orders import (
    CLIENT_ID_RE,
    CONDITIONAL,
    MAX_GTD_MS,
    PRICE_MATCH,
    SIGNED_PARAMS,
    STP_MODES,
    TIF,
    position_side,
)

__all__ = ["ALGO_PARAMS", "AlgoRequest", "parse_algo_order"]

ALGO_PARAMS = SIGNED_PARAMS | frozenset(
    {
        "algoType",
        "symbol",
        "side",
        "positionSide",
        "type",
        "timeInForce",
        "quantity",
        "price",
        "triggerPrice",
        "workingType",
        "priceMatch",
        "closePosition",
        "priceProtect",
        "reduceOnly",
        "activatePrice",
        "callbackRate",
        "clientAlgoId",
        "newOrderRespType",
        "selfTradePreventionMode",
        "goodTillDate",
    }
)
_WITH_PRICE = frozenset({"STOP", "TAKE_PROFIT"})
_CLOSE_ALL = frozenset({"STOP_MARKET", "TAKE_PROFIT_MARKET"})
_TRAILING = "TRAILING_STOP_MARKET"
_MIN_CALLBACK, _MAX_CALLBACK = Decimal("0.1"), Decimal(10)


@attrs.frozen(kw_only=True)
class AlgoRequest:
    """A validated conditional order (filters passed; not yet checked against the market)."""

    symbol: str
    side: str
    order_type: str
    position_side: str
    time_in_force: str
    quantity: Decimal  # 0 with closePosition
    price: Decimal  # 0 for the *_MARKET types (or with priceMatch)
    trigger_price: Decimal  # 0 for TRAILING_STOP_MARKET
    working_type: str
    price_match: str
    close_position: bool
    price_protect: bool
    reduce_only: bool
    activate_price: Decimal | None
    callback_rate: Decimal | None
    client_algo_id: str | None
    stp_mode: str
    good_till_date: int


def _refuse_if_sent(params: Mapping[str, str], *names: str) -> None:
    for name in names:
        if name in params:
            raise not_required(name)


def _time_in_force(params: Mapping[str, str], now_ms: int) -> tuple[str, int]:
    tif = readers.enum(params, "timeInForce", TIF, ApiError(-1115, "Invalid timeInForce."))
    if tif != "GTD":
        _refuse_if_sent(params, "goodTillDate")
        return tif or "GTC", 0
    good_till = readers.integer(params, "goodTillDate", required=True) or 0
    if not now_ms + 600_000 < good_till < MAX_GTD_MS:
        raise ApiError(
            -5040,
            "goodTillDate must be greater than current time plus 600 seconds and "
            f"smaller than {MAX_GTD_MS}",
        )
    return tif, good_till


def _trailing(params: Mapping[str, str], type_: str) -> tuple[Decimal | None, Decimal | None]:
    if type_ != _TRAILING:
        _refuse_if_sent(params, "activatePrice", "callbackRate")
        return None, None
    _refuse_if_sent(params, "triggerPrice")
    rate = readers.decimal(params, "callbackRate", required=True)
    assert rate is not None
    if not _MIN_CALLBACK <= rate <= _MAX_CALLBACK:
        raise invalid_param("callbackRate")
    return readers.decimal(params, "activatePrice"), rate


def parse_algo_order(
    params: Mapping[str, str], market: Market, *, now_ms: int, hedge: bool
) -> AlgoRequest:
    """Validate a POST /fapi/v1/algoOrder the way the exchange does."""
    readers.check_unknown(params, ALGO_PARAMS)
    algo_type = readers.require(params, "algoType")
    symbol = readers.require(params, "symbol")
    side = readers.require(params, "side")
    type_ = readers.require(params, "type")
    if algo_type != "CONDITIONAL":
        raise invalid_param("algoType")
    spec = market.spec(symbol)
    if side not in ("BUY", "SELL"):
        raise ApiError(-1117, "Invalid side.")
    if type_ not in CONDITIONAL:
        raise ApiError(-1116, "Invalid orderType.")
    pos_side = position_side(params, hedge=hedge)
    reduce_only = bool(readers.boolean(params, "reduceOnly"))
    close_position = bool(readers.boolean(params, "closePosition"))
    price_protect = bool(readers.boolean(params, "priceProtect", any_case=True))
    if close_position:
        if type_ not in _CLOSE_ALL:
            raise not_required("closePosition")
        if "quantity" in params:
            raise ApiError(-4137, "Quantity must be zero with closePosition equals true.")
        _refuse_if_sent(params, "reduceOnly")
        if hedge and (pos_side, side) in (("LONG", "BUY"), ("SHORT", "SELL")):
            raise not_required("closePosition")
    working_type = readers.enum(
        params,
        "workingType",
        ("MARK_PRICE", "CONTRACT_PRICE"),
        ApiError(-4031, "Invalid workingType."),
    )
    readers.enum(
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
    if price_match not in (None, "NONE") and type_ not in _WITH_PRICE:
        raise ApiError(-5038, "priceMatch is only supported by LIMIT, STOP AND TAKE_PROFIT order.")
    client_id = params.get("clientAlgoId")
    if client_id is not None and not CLIENT_ID_RE.fullmatch(client_id):
        raise ApiError(-4015, "Client order id is not valid.")
    tif, good_till = _time_in_force(params, now_ms)
    activate, rate = _trailing(params, type_)
    trigger = ZERO if type_ == _TRAILING else readers.decimal(params, "triggerPrice", required=True)
    assert trigger is not None
    price = ZERO
    if type_ in _WITH_PRICE:
        if price_match not in (None, "NONE"):
            _refuse_if_sent(params, "price")
        else:
            sent = readers.decimal(params, "price", required=True)
            assert sent is not None
            price = sent
    else:
        _refuse_if_sent(params, "price")
    quantity = ZERO
    if not close_position:
        sent_qty = readers.decimal(params, "quantity", required=True)
        assert sent_qty is not None
        quantity = sent_qty
        spec.check_qty(quantity, market=type_ not in _WITH_PRICE)
    for value in (price, trigger, activate or ZERO):
        if value:
            spec.check_price(value)
    closing = (
        reduce_only or close_position or (pos_side, side) in (("LONG", "SELL"), ("SHORT", "BUY"))
    )
    reference = price or trigger or activate or market.mark(spec.symbol)
    if not close_position:
        spec.check_notional(reference * quantity, reduce_only=closing)
    return AlgoRequest(
        symbol=spec.symbol,
        side=side,
        order_type=type_,
        position_side=pos_side,
        time_in_force=tif,
        quantity=quantity,
        price=price,
        trigger_price=trigger,
        working_type=working_type or "CONTRACT_PRICE",
        price_match=price_match or "NONE",
        close_position=close_position,
        price_protect=price_protect,
        reduce_only=reduce_only,
        activate_price=activate,
        callback_rate=rate,
        client_algo_id=client_id,
        stp_mode=stp_mode or "EXPIRE_MAKER",
        good_till_date=good_till,
    )
