"""Spot's order endpoints: place, test, query, cancel, open orders, all orders, cancel-replace.

Where the docs are silent: an order queried by ``orderId`` and an ``origClientOrderId`` that
is not its own is "not found" (-2013; a cancel: -2011 "Unknown order sent."); cancelling
every open order of a symbol that has none is -2011 "Unknown order sent."; ``allOrders``
with ``startTime`` gives the first ``limit`` orders from it, with ``endTime`` alone the last
``limit`` up to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from .. import readers
from ..call import Call
from ..errors import ApiError, invalid_param
from .engine import Rejection
from .parse import ORDER_FIELDS, ORDER_PARAMS, SIGNED, check_client_id, parse_order
from .records import SpotOrder, SpotOrderRequest, SpotTrade
from .render import cancel_payload, list_payload, order_query, order_result
from .state import SpotState
from .symbols import fmt8

__all__ = [
    "all_orders",
    "cancel_open_orders",
    "cancel_order",
    "cancel_replace",
    "new_order",
    "open_orders",
    "place",
    "query_order",
    "spot",
    "test_order",
]

_DAY_MS = 86_400_000
_PEG = ("pegPriceType", "pegOffsetValue", "pegOffsetType")


def spot(call: Call) -> SpotState:
    """The Spot exchange of the call's simulator."""
    return call.state.spot


def refuse_pegs(params: Mapping[str, str], names: tuple[str, ...] = _PEG) -> None:
    """Pegged orders: our symbols have ``pegInstructionsAllowed`` false."""
    if any(name in params for name in names):
        raise ApiError(-2010, "Pegged orders are not supported for this symbol.")


def place(call: Call, req: SpotOrderRequest) -> tuple[SpotOrder, list[SpotTrade]]:
    """Hand a validated order to the matching engine; the order and its fills."""
    state = spot(call)
    engine, ex = state.engine, state.exchange
    engine.check_room(call.account, req.symbol, 1, int(req.type.startswith(("STOP", "TAKE"))))
    order = engine.new_order(call.account, req, call.now_ms)
    refused = engine.refusal(order)
    if refused is not None:
        raise refused
    before = len(ex.trades)
    engine.accept(order, call.now_ms)
    call.state.audit.note_accepted(order.placed_client_order_id)
    return order, [t for t in ex.trades[before:] if t.order_id == order.order_id]


def new_order(call: Call) -> object:
    """POST /api/v3/order."""
    refuse_pegs(call.params)
    req = parse_order(call.params, spot(call).exchange, allowed=ORDER_PARAMS | set(_PEG))
    order, fills = place(call, req)
    return order_result(order, call.now_ms, req.resp_type, fills)


def test_order(call: Call) -> object:
    """POST /api/v3/order/test: validation only; the fee rates with computeCommissionRates."""
    params = call.params
    refuse_pegs(params)
    allowed = ORDER_PARAMS | set(_PEG) | {"computeCommissionRates"}
    parse_order(params, spot(call).exchange, allowed=allowed)
    if not readers.boolean(params, "computeCommissionRates"):
        return {}
    ex = spot(call).exchange
    zero = {"maker": fmt8(Decimal(0)), "taker": fmt8(Decimal(0))}
    return {
        "standardCommissionForOrder": {
            "maker": fmt8(ex.maker_commission),
            "taker": fmt8(ex.taker_commission),
        },
        "specialCommissionForOrder": dict(zero),
        "taxCommissionForOrder": dict(zero),
        "discount": {
            "enabledForAccount": False,
            "enabledForSymbol": False,
            "discountAsset": "BNB",
            "discount": fmt8(Decimal(0)),
        },
    }


def _restrictions(params: Mapping[str, str]) -> str | None:
    return readers.enum(
        params,
        "cancelRestrictions",
        ("ONLY_NEW", "ONLY_PARTIALLY_FILLED"),
        ApiError(-1145, "Invalid cancelRestrictions"),
    )


def _cancel(
    call: Call,
    symbol: str,
    ref: tuple[int | None, str | None],
    new_client_id: str | None,
    restrictions: str | None,
) -> dict[str, object]:
    """Cancel one open order (its whole list if it is in one); its cancel answer."""
    state = spot(call)
    order = state.exchange.find(call.account, symbol, ref[0], ref[1])
    if order is None or not order.is_open:
        raise ApiError(-2011, "Unknown order sent.")
    wanted = {"ONLY_NEW": "NEW", "ONLY_PARTIALLY_FILLED": "PARTIALLY_FILLED"}.get(
        restrictions or ""
    )
    if wanted is not None and order.status != wanted:
        raise ApiError(-2011, "Order was not canceled due to cancel restrictions.")
    order_list = state.exchange.list_of(order)
    if order_list is None:
        old = state.engine.cancel(order, call.now_ms, new_client_id)
    else:
        cancelled = state.lists.cancel(order_list, call.now_ms, new_client_id)
        old = next(o for c, o in cancelled if c is order)
    return cancel_payload(order, old, call.now_ms)


def cancel_order(call: Call) -> object:
    """DELETE /api/v3/order."""
    params = call.params
    readers.check_unknown(
        params,
        SIGNED
        | {"symbol", "orderId", "origClientOrderId", "newClientOrderId", "cancelRestrictions"},
    )
    symbol = spot(call).exchange.spec(readers.require(params, "symbol")).symbol
    ref = readers.order_ref(params)
    new_id = check_client_id(params, "newClientOrderId")
    return _cancel(call, symbol, ref, new_id, _restrictions(params))


def query_order(call: Call) -> object:
    """GET /api/v3/order."""
    params = call.params
    readers.check_unknown(params, SIGNED | {"symbol", "orderId", "origClientOrderId"})
    ex = spot(call).exchange
    symbol = ex.spec(readers.require(params, "symbol")).symbol
    order_id, client_id = readers.order_ref(params)
    order = ex.find(call.account, symbol, order_id, client_id)
    if order is None:
        raise ApiError(-2013, "Order does not exist.")
    return order_query(order)


def open_orders(call: Call) -> object:
    """GET /api/v3/openOrders: one symbol or all."""
    readers.check_unknown(call.params, SIGNED | {"symbol"})
    ex = spot(call).exchange
    symbol = readers.text(call.params, "symbol")
    if symbol is not None:
        ex.spec(symbol)
    return [order_query(o) for o in ex.open_orders(call.account, symbol)]


def cancel_open_orders(call: Call) -> object:
    """DELETE /api/v3/openOrders: every open order of the symbol, order lists included."""
    readers.check_unknown(call.params, SIGNED | {"symbol"})
    state = spot(call)
    ex = state.exchange
    symbol = ex.spec(readers.require(call.params, "symbol")).symbol
    found = ex.open_orders(call.account, symbol)
    if not found:
        raise ApiError(-2011, "Unknown order sent.")
    out: list[object] = []
    done_lists: set[int] = set()
    for order in found:
        if not order.is_open:
            continue
        order_list = ex.list_of(order)
        if order_list is None:
            old = state.engine.cancel(order, call.now_ms, None)
            out.append(cancel_payload(order, old, call.now_ms))
        elif order_list.order_list_id not in done_lists:
            done_lists.add(order_list.order_list_id)
            cancelled = state.lists.cancel(order_list, call.now_ms, None)
            reports = [cancel_payload(o, old, call.now_ms) for o, old in cancelled]
            out.append(list_payload(ex, order_list, reports))
    return out


def time_window(params: Mapping[str, str]) -> tuple[int | None, int | None]:
    """``startTime`` / ``endTime``: -1023 reversed, -1127 more than 24 hours apart."""
    return readers.time_range(
        params,
        max_ms=_DAY_MS,
        too_long=ApiError(-1127, "More than 24 hours between startTime and endTime."),
    )


def all_orders(call: Call) -> object:
    """GET /api/v3/allOrders."""
    params = call.params
    readers.check_unknown(params, SIGNED | {"symbol", "orderId", "startTime", "endTime", "limit"})
    ex = spot(call).exchange
    symbol = ex.spec(readers.require(params, "symbol")).symbol
    from_id = readers.integer(params, "orderId")
    limit = readers.limit(params, 500, 1000)
    start, end = time_window(params)
    found = [
        o
        for o in ex.orders.values()
        if o.account == call.account
        and o.symbol == symbol
        and o.order_id >= (from_id or 0)
        and (start is None or o.time_ms >= start)
        and (end is None or o.time_ms <= end)
    ]
    chosen = found[:limit] if from_id is not None or start is not None else found[-limit:]
    return [order_query(o) for o in chosen]


_CANCEL_REPLACE = ORDER_PARAMS | {
    "cancelReplaceMode",
    "cancelNewClientOrderId",
    "cancelOrigClientOrderId",
    "cancelOrderId",
    "cancelRestrictions",
    "orderRateLimitExceededMode",
    *_PEG,
}


class CancelReplaceError(ApiError):
    """A cancel-replace that failed in part (409, -2021) or whole (400, -2022): its ``data``
    tells each half's result."""

    def __init__(self, code: int, msg: str, data: dict[str, object], *, status: int) -> None:
        super().__init__(code, msg, status=status)
        self.data = data

    def payload(self) -> dict[str, object]:
        """``{"code", "msg", "data"}``."""
        return {"code": self.code, "msg": self.msg, "data": self.data}


def cancel_replace(call: Call) -> object:
    """POST /api/v3/order/cancelReplace: the new order's filters and the unfilled order count
    are checked before anything happens; then the cancel, then (unless STOP_ON_FAILURE and the
    cancel failed) the new order. 200 both, 409 -2021 one of them, 400 -2022 neither. A new
    order the matching engine refuses after the cancel succeeded is reported REJECTED on the
    user data stream (user-data-stream.md, "Execution types").

    The count (1, even when the new order is not attempted) is taken here, not by the
    pipeline, for ``orderRateLimitExceededMode=CANCEL_ONLY``: over the count, the cancel still
    happens and the answer is 429 (-2021 with the cancel's result, or -2022 if it failed);
    with DO_NOTHING (the default) it is the plain 429 -1015."""
    params = call.params
    readers.check_unknown(params, _CANCEL_REPLACE)
    refuse_pegs(params)
    mode = readers.require(params, "cancelReplaceMode")
    if mode not in ("STOP_ON_FAILURE", "ALLOW_FAILURE"):
        raise invalid_param("cancelReplaceMode")
    rate_mode = readers.enum(
        params,
        "orderRateLimitExceededMode",
        ("DO_NOTHING", "CANCEL_ONLY"),
        invalid_param("orderRateLimitExceededMode"),
    )
    cancel_id = readers.integer(params, "cancelOrderId")
    cancel_orig = readers.text(params, "cancelOrigClientOrderId")
    if cancel_id is None and cancel_orig is None:
        raise ApiError(
            -1102,
            "Param 'cancelOrderId' or 'cancelOrigClientOrderId' must be sent, "
            "but both were empty/null!",
        )
    cancel_new = check_client_id(params, "cancelNewClientOrderId")
    restrictions = _restrictions(params)
    ex = spot(call).exchange
    req = parse_order({k: v for k, v in params.items() if k in ORDER_FIELDS}, ex, allowed=None)
    over = ex.limiter.admit_orders(call.account, ex.limiter.spot_costs(1), call.now_ms)
    if over is not None and rate_mode != "CANCEL_ONLY":
        raise ApiError(over.code, over.msg, status=over.status)
    cancel_ok, new_ok = True, True
    cancel_answer: object
    new_answer: object = None
    try:
        cancel_answer = _cancel(
            call, req.symbol, (cancel_id, cancel_orig), cancel_new, restrictions
        )
    except ApiError as exc:
        cancel_ok, cancel_answer = False, exc.payload()
    attempted = cancel_ok or mode == "ALLOW_FAILURE"
    if over is not None:
        refused: dict[str, object] = {
            "cancelResult": "SUCCESS" if cancel_ok else "FAILURE",
            "newOrderResult": "FAILURE" if cancel_ok else "NOT_ATTEMPTED",
            "cancelResponse": cancel_answer,
            "newOrderResponse": {"code": over.code, "msg": over.msg} if cancel_ok else None,
        }
        if cancel_ok:
            raise CancelReplaceError(
                -2021, "Order cancel-replace partially failed.", refused, status=429
            )
        raise CancelReplaceError(-2022, "Order cancel-replace failed.", refused, status=429)
    if attempted:
        try:
            order, fills = place(call, req)
            new_answer = order_result(order, call.now_ms, req.resp_type, fills)
        except ApiError as exc:
            new_ok, new_answer = False, exc.payload()
            if cancel_ok and isinstance(exc, Rejection):
                spot(call).engine.reject(exc.order, exc.reason, call.now_ms)
    data: dict[str, object] = {
        "cancelResult": "SUCCESS" if cancel_ok else "FAILURE",
        "newOrderResult": ("SUCCESS" if new_ok else "FAILURE") if attempted else "NOT_ATTEMPTED",
        "cancelResponse": cancel_answer,
        "newOrderResponse": new_answer,
    }
    if cancel_ok and new_ok:
        return data
    if attempted and (cancel_ok or new_ok):
        raise CancelReplaceError(-2021, "Order cancel-replace partially failed.", data, status=409)
    raise CancelReplaceError(-2022, "Order cancel-replace failed.", data, status=400)
