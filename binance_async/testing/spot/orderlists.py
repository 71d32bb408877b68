"""Spot's order-list endpoints: OCO, OTO, OTOCO (and the legacy ``order/oco``), cancel, query.

Where the docs are silent: the orderReports of a placement are in the ``newOrderRespType``
asked, RESULT by default (the docs' examples); an unknown list is -2013 "Order list does
not exist." on a query and -2011 "Unknown order sent." on a cancel; OTOCO requires its
``pendingBelowType`` (-1102); ``icebergQty`` on a leg whose timeInForce is not GTC is -1160.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import readers
from ..call import Call
from ..errors import ApiError, invalid_param, mandatory
from .parse import SIGNED, check_client_id, parse_order, resp_type
from .records import SpotOrderRequest
from .render import cancel_payload, list_payload, order_result
from .trading import refuse_pegs, spot, time_window

__all__ = [
    "all_order_lists",
    "cancel_order_list",
    "legacy_oco",
    "oco",
    "open_order_lists",
    "oto",
    "otoco",
    "query_order_list",
]

#: A leg's own parameter names (after its prefix) -> the single-order parameter.
_LEG_FIELDS = {
    "Type": "type",
    "Side": "side",
    "ClientOrderId": "newClientOrderId",
    "Price": "price",
    "StopPrice": "stopPrice",
    "TrailingDelta": "trailingDelta",
    "Quantity": "quantity",
    "IcebergQty": "icebergQty",
    "TimeInForce": "timeInForce",
    "StrategyId": "strategyId",
    "StrategyType": "strategyType",
}
_PEGS = ("PegPriceType", "PegOffsetType", "PegOffsetValue")
_OCO_TYPES = frozenset(
    {"STOP_LOSS_LIMIT", "STOP_LOSS", "LIMIT_MAKER", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"}
)
_COMMON = SIGNED | {"symbol", "listClientOrderId", "newOrderRespType", "selfTradePreventionMode"}


def _names(prefix: str, fields: tuple[str, ...]) -> set[str]:
    return {prefix + f for f in fields} | {prefix + p for p in _PEGS}


def _leg(
    params: Mapping[str, str], prefix: str, *, side: str | None = None, qty: str | None = None
) -> dict[str, str]:
    """One leg's parameters under the single-order names."""
    leg = {"symbol": params.get("symbol", "")}
    for suffix, name in _LEG_FIELDS.items():
        if prefix + suffix in params:
            leg[name] = params[prefix + suffix]
    if side is not None:
        leg["side"] = side
    if qty is not None:
        leg["quantity"] = qty
    if "selfTradePreventionMode" in params:
        leg["selfTradePreventionMode"] = params["selfTradePreventionMode"]
    return leg


def _parse_leg(call: Call, leg: dict[str, str], prefix: str) -> SpotOrderRequest:
    try:
        return parse_order(leg, spot(call).exchange, allowed=None)
    except ApiError as exc:
        if exc.code != -1014:
            raise
        raise ApiError(
            -1160,
            f"Parameter '{prefix}IcebergQty' is not supported if '{prefix}TimeInForce' is not GTC.",
        ) from exc


def _check_pair(side: str, above: str, below: str) -> None:
    """Which types an OCO pair may have above and below the price (errors.md -1158 ...)."""
    for kind in (above, below):
        if kind not in _OCO_TYPES:
            raise ApiError(-1158, "Order type not supported in OCO.")
    if above == below == "LIMIT_MAKER":
        raise ApiError(-1168, "At least one OCO order must be contingent.")
    sell = side == "SELL"
    for kind, is_above in ((above, True), (below, False)):
        if kind == "LIMIT_MAKER" and is_above != sell:
            code, where = (
                (-1166, "sell OCO must be above") if sell else (-1165, "buy OCO must be below")
            )
            raise ApiError(code, f"A limit order in a {where}.")
        if kind.startswith("STOP_LOSS") and is_above == sell:
            code, where = (
                (-1197, "sell OCO must be below") if sell else (-1196, "buy OCO must be above")
            )
            raise ApiError(code, f"A stop loss order in a {where}.")
        if kind.startswith("TAKE_PROFIT") and is_above != sell:
            code, where = (
                (-1199, "sell OCO must be above") if sell else (-1198, "buy OCO must be below")
            )
            raise ApiError(code, f"A take profit order in a {where}.")


def _placed(call: Call, kind: str, legs: list[SpotOrderRequest], response: str) -> object:
    state = spot(call)
    params = call.params
    list_id = check_client_id(params, "listClientOrderId")
    for prefix in ("above", "below", "working", "pending", "pendingAbove", "pendingBelow"):
        refuse_pegs(params, tuple(prefix + p for p in _PEGS))
    before = len(state.exchange.trades)
    order_list = state.lists.place(call.account, kind, legs, list_id, call.now_ms)
    audit = call.state.audit
    audit.note_accepted(order_list.list_client_order_id)
    trades = state.exchange.trades[before:]
    reports: list[dict[str, object]] = []
    for order_id in order_list.order_ids:
        order = state.exchange.orders[order_id]
        audit.note_accepted(order.placed_client_order_id)
        fills = [t for t in trades if t.order_id == order_id]
        reports.append(order_result(order, call.now_ms, response, fills))
    return list_payload(state.exchange, order_list, reports)


def oco(call: Call) -> object:
    """POST /api/v3/orderList/oco."""
    params = call.params
    fields = tuple(f for f in _LEG_FIELDS if f not in ("Side", "Quantity"))
    allowed = _COMMON | {"side", "quantity"} | _names("above", fields) | _names("below", fields)
    readers.check_unknown(params, allowed)
    side = readers.require(params, "side")
    qty = readers.require(params, "quantity")
    _check_pair(side, readers.require(params, "aboveType"), readers.require(params, "belowType"))
    legs = [_parse_leg(call, _leg(params, p, side=side, qty=qty), p) for p in ("above", "below")]
    return _placed(call, "OCO", legs, resp_type(params, "RESULT"))


def _working(call: Call) -> SpotOrderRequest:
    params = call.params
    if readers.require(params, "workingType") not in ("LIMIT", "LIMIT_MAKER"):
        raise invalid_param("workingType")
    readers.require(params, "workingPrice")
    readers.require(params, "workingQuantity")
    return _parse_leg(call, _leg(params, "working"), "working")


_WORKING = (
    *("Type", "Side", "ClientOrderId", "Price", "Quantity", "IcebergQty", "TimeInForce"),
    *("StrategyId", "StrategyType"),
)


def oto(call: Call) -> object:
    """POST /api/v3/orderList/oto."""
    params = call.params
    allowed = _COMMON | _names("working", _WORKING) | _names("pending", tuple(_LEG_FIELDS))
    readers.check_unknown(params, allowed)
    working = _working(call)
    readers.require(params, "pendingType")
    readers.require(params, "pendingQuantity")
    pending = _parse_leg(call, _leg(params, "pending"), "pending")
    return _placed(call, "OTO", [working, pending], resp_type(params, "RESULT"))


def otoco(call: Call) -> object:
    """POST /api/v3/orderList/otoco."""
    params = call.params
    pair = tuple(f for f in _LEG_FIELDS if f not in ("Side", "Quantity"))
    allowed = (
        _COMMON
        | {"pendingSide", "pendingQuantity"}
        | _names("working", _WORKING)
        | _names("pendingAbove", pair)
        | _names("pendingBelow", pair)
    )
    readers.check_unknown(params, allowed)
    working = _working(call)
    side = readers.require(params, "pendingSide")
    qty = readers.require(params, "pendingQuantity")
    above_type = readers.require(params, "pendingAboveType")
    if "pendingBelowType" not in params:
        raise mandatory("pendingBelowType")
    _check_pair(side, above_type, params["pendingBelowType"])
    legs = [
        _parse_leg(call, _leg(params, p, side=side, qty=qty), p)
        for p in ("pendingAbove", "pendingBelow")
    ]
    return _placed(call, "OTOCO", [working, *legs], resp_type(params, "RESULT"))


_LEGACY = _COMMON | {
    "side",
    "quantity",
    "limitClientOrderId",
    "limitStrategyId",
    "limitStrategyType",
    "price",
    "limitIcebergQty",
    "trailingDelta",
    "stopClientOrderId",
    "stopPrice",
    "stopStrategyId",
    "stopStrategyType",
    "stopLimitPrice",
    "stopIcebergQty",
    "stopLimitTimeInForce",
}


def legacy_oco(call: Call) -> object:
    """POST /api/v3/order/oco (deprecated): a LIMIT_MAKER leg at ``price`` and a STOP_LOSS
    (``stopLimitPrice``: STOP_LOSS_LIMIT) leg at ``stopPrice``, as the new OCO places them."""
    params = call.params
    readers.check_unknown(params, _LEGACY)
    side = readers.require(params, "side")
    qty = readers.require(params, "quantity")
    readers.require(params, "price")
    limit = {"symbol": params.get("symbol", ""), "side": side, "quantity": qty}
    limit["type"] = "LIMIT_MAKER"
    stop = dict(limit)
    stop["type"] = "STOP_LOSS_LIMIT" if "stopLimitPrice" in params else "STOP_LOSS"
    for source, leg, name in (
        ("limitClientOrderId", limit, "newClientOrderId"),
        ("limitStrategyId", limit, "strategyId"),
        ("limitStrategyType", limit, "strategyType"),
        ("price", limit, "price"),
        ("limitIcebergQty", limit, "icebergQty"),
        ("trailingDelta", stop, "trailingDelta"),
        ("stopClientOrderId", stop, "newClientOrderId"),
        ("stopPrice", stop, "stopPrice"),
        ("stopStrategyId", stop, "strategyId"),
        ("stopStrategyType", stop, "strategyType"),
        ("stopLimitPrice", stop, "price"),
        ("stopIcebergQty", stop, "icebergQty"),
        ("stopLimitTimeInForce", stop, "timeInForce"),
        ("selfTradePreventionMode", limit, "selfTradePreventionMode"),
        ("selfTradePreventionMode", stop, "selfTradePreventionMode"),
    ):
        if source in params:
            leg[name] = params[source]
    pair = [limit, stop] if side == "SELL" else [stop, limit]
    legs = [_parse_leg(call, leg, "stop" if leg is stop else "limit") for leg in pair]
    return _placed(call, "OCO", legs, resp_type(params, "RESULT"))


def _list_ref(params: Mapping[str, str], client_name: str) -> tuple[int | None, str | None]:
    list_id = readers.integer(params, "orderListId")
    client_id = readers.text(params, client_name)
    if list_id is None and client_id is None:
        raise ApiError(
            -1102,
            f"Param 'orderListId' or '{client_name}' must be sent, but both were empty/null!",
        )
    return list_id, client_id


def cancel_order_list(call: Call) -> object:
    """DELETE /api/v3/orderList: every open order of the list."""
    params = call.params
    readers.check_unknown(
        params, SIGNED | {"symbol", "orderListId", "listClientOrderId", "newClientOrderId"}
    )
    state = spot(call)
    symbol = state.exchange.spec(readers.require(params, "symbol")).symbol
    list_id, client_id = _list_ref(params, "listClientOrderId")
    new_id = check_client_id(params, "newClientOrderId")
    order_list = state.exchange.find_list(call.account, list_id, client_id)
    if order_list is None or order_list.symbol != symbol or not order_list.is_open:
        raise ApiError(-2011, "Unknown order sent.")
    cancelled = state.lists.cancel(order_list, call.now_ms, new_id)
    reports = [cancel_payload(o, old, call.now_ms) for o, old in cancelled]
    return list_payload(state.exchange, order_list, reports)


def query_order_list(call: Call) -> object:
    """GET /api/v3/orderList: by orderListId, or origClientOrderId (its listClientOrderId)."""
    params = call.params
    readers.check_unknown(params, SIGNED | {"orderListId", "origClientOrderId"})
    ex = spot(call).exchange
    list_id, client_id = _list_ref(params, "origClientOrderId")
    order_list = ex.find_list(call.account, list_id, client_id)
    if order_list is None:
        raise ApiError(-2013, "Order list does not exist.")
    return list_payload(ex, order_list)


def all_order_lists(call: Call) -> object:
    """GET /api/v3/allOrderList: from ``fromId`` (not with a time range, -1128) or in a time
    range of at most 24 hours; else the most recent ``limit``."""
    params = call.params
    readers.check_unknown(params, SIGNED | {"fromId", "startTime", "endTime", "limit"})
    from_id = readers.integer(params, "fromId")
    start, end = time_window(params)
    if from_id is not None and (start is not None or end is not None):
        raise ApiError(-1128, "Combination of optional parameters invalid.")
    limit = readers.limit(params, 500, 1000)
    ex = spot(call).exchange
    found = [
        lst
        for lst in ex.lists.values()
        if lst.account == call.account
        and lst.order_list_id >= (from_id or 0)
        and (start is None or lst.transaction_time_ms >= start)
        and (end is None or lst.transaction_time_ms <= end)
    ]
    chosen = found[:limit] if from_id is not None or start is not None else found[-limit:]
    return [list_payload(ex, lst) for lst in chosen]


def open_order_lists(call: Call) -> object:
    """GET /api/v3/openOrderList: the account's executing lists."""
    readers.check_unknown(call.params, SIGNED)
    ex = spot(call).exchange
    return [
        list_payload(ex, lst)
        for lst in ex.lists.values()
        if lst.account == call.account and lst.is_open
    ]
