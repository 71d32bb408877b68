"""Order endpoints: place, test, modify, cancel, query, batches, countdown cancel-all."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from . import readers
from .call import Call
from .call import signed_params as _signed
from .engine import Order
from .errors import ApiError, invalid_param
from .orders import parse_modify, parse_new_order
from .render import order_payload

__all__ = [
    "all_orders",
    "batch_cancel",
    "batch_modify",
    "batch_place",
    "cancel_all",
    "cancel_order",
    "countdown_cancel_all",
    "modify_order",
    "new_order",
    "open_orders",
    "query_open_order",
    "query_order",
    "test_order",
]


def _placed(call: Call, ack: Order, final: Order, resp_type: str) -> dict[str, object]:
    call.state.audit.note_accepted(ack.client_order_id)
    return order_payload(call.state.engine, final if resp_type == "RESULT" else ack)


def _hedge(call: Call) -> bool:
    return call.state.engine.account(call.account).dual_side


def new_order(call: Call) -> object:
    """POST /fapi/v1/order."""
    state = call.state
    req = parse_new_order(call.params, state.market, now_ms=call.now_ms, hedge=_hedge(call))
    ack, final = state.engine.place(call.account, req, call.now_ms)
    return _placed(call, ack, final, req.resp_type)


def test_order(call: Call) -> object:
    """POST /fapi/v1/order/test: validation only (nothing is created, so it answers {})."""
    parse_new_order(call.params, call.state.market, now_ms=call.now_ms, hedge=_hedge(call))
    return {}


def modify_order(call: Call) -> object:
    """PUT /fapi/v1/order."""
    state = call.state
    req = parse_modify(call.params, state.market)
    return order_payload(state.engine, state.engine.modify(call.account, req, call.now_ms))


_REF_PARAMS = _signed("symbol", "orderId", "origClientOrderId")


def _ref(call: Call) -> tuple[str, int | None, str | None]:
    readers.check_unknown(call.params, _REF_PARAMS)
    symbol = call.state.market.spec(readers.require(call.params, "symbol")).symbol
    order_id, client_id = readers.order_ref(call.params)
    return symbol, order_id, client_id


def cancel_order(call: Call) -> object:
    """DELETE /fapi/v1/order."""
    symbol, order_id, client_id = _ref(call)
    engine = call.state.engine
    return order_payload(
        engine, engine.cancel(call.account, symbol, order_id, client_id, call.now_ms)
    )


def query_order(call: Call) -> object:
    """GET /fapi/v1/order."""
    symbol, order_id, client_id = _ref(call)
    engine = call.state.engine
    engine.expire_due(call.now_ms)
    order = engine.find(call.account, symbol, order_id, client_id)
    if order is None:
        raise ApiError(-2013, "Order does not exist.")
    return order_payload(engine, order, with_time=True)


def query_open_order(call: Call) -> object:
    """GET /fapi/v1/openOrder."""
    symbol, order_id, client_id = _ref(call)
    engine = call.state.engine
    engine.expire_due(call.now_ms)
    order = engine.find(call.account, symbol, order_id, client_id)
    if order is None or not order.is_open:
        raise ApiError(-2013, "Order does not exist.")
    return order_payload(engine, order, with_time=True)


def open_orders(call: Call) -> object:
    """GET /fapi/v1/openOrders: one symbol or all."""
    readers.check_unknown(call.params, _signed("symbol"))
    engine = call.state.engine
    symbol = readers.text(call.params, "symbol")
    if symbol is not None:
        call.state.market.spec(symbol)
    engine.expire_due(call.now_ms)
    return [
        order_payload(engine, o, with_time=True) for o in engine.open_orders(call.account, symbol)
    ]


_WEEK_MS = 7 * 86_400_000


def all_orders(call: Call) -> object:
    """GET /fapi/v1/allOrders: the account's orders on a symbol: from ``orderId`` on (the first
    ``limit``), else the most recent ``limit``; a time range of at most 7 days (-4165)."""
    params = call.params
    readers.check_unknown(params, _signed("symbol", "orderId", "startTime", "endTime", "limit"))
    symbol = call.state.market.spec(readers.require(params, "symbol")).symbol
    from_id = readers.integer(params, "orderId")
    limit = readers.limit(params, 500, 1000)
    start, end = readers.time_range(params, max_ms=_WEEK_MS - 1, too_long=readers.max_days(7))
    if start is None and end is None and from_id is None:
        start = call.now_ms - _WEEK_MS
    engine = call.state.engine
    engine.expire_due(call.now_ms)
    found = [
        o
        for o in engine.all_orders()
        if o.account == call.account
        and o.symbol == symbol
        and o.order_id >= (from_id or 0)
        and (start is None or o.time_ms >= start)
        and (end is None or o.time_ms <= end)
    ]
    chosen = found[:limit] if from_id is not None else found[-limit:]
    return [order_payload(engine, o, with_time=True) for o in chosen]


def cancel_all(call: Call) -> object:
    """DELETE /fapi/v1/allOpenOrders."""
    readers.check_unknown(call.params, _signed("symbol"))
    symbol = call.state.market.spec(readers.require(call.params, "symbol")).symbol
    call.state.engine.cancel_all(call.account, symbol, call.now_ms)
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


def _json_list(params: Mapping[str, str], name: str) -> list[object]:
    try:
        value = orjson.loads(params[name])
    except orjson.JSONDecodeError as exc:
        raise invalid_param(name) from exc
    if not isinstance(value, list):
        raise invalid_param(name)
    return value


def _item_params(item: object, name: str) -> dict[str, str]:
    if not isinstance(item, dict):
        raise invalid_param(name)
    out: dict[str, str] = {}
    for key, value in item.items():
        if isinstance(value, bool):
            out[key] = "true" if value else "false"
        elif isinstance(value, int | float | str):
            out[key] = str(value)  # a float such as 1e-05 keeps its exponent and is refused
        else:
            raise invalid_param(key)
    return out


def _batch(call: Call) -> list[object]:
    readers.check_unknown(call.params, _signed("batchOrders"))
    readers.require(call.params, "batchOrders")
    items = _json_list(call.params, "batchOrders")
    if not 1 <= len(items) <= 5:
        raise ApiError(-4082, "Invalid number of batch place orders.")
    return items


def batch_place(call: Call) -> object:
    """POST /fapi/v1/batchOrders: up to 5 new orders, one result (order or error) each."""
    state = call.state
    results: list[object] = []
    for item in _batch(call):
        try:
            params = _item_params(item, "batchOrders")
            req = parse_new_order(
                params, state.market, now_ms=call.now_ms, batch_item=True, hedge=_hedge(call)
            )
            ack, final = state.engine.place(call.account, req, call.now_ms)
            results.append(_placed(call, ack, final, req.resp_type))
        except ApiError as exc:
            results.append(exc.payload())
    return results


def batch_modify(call: Call) -> object:
    """PUT /fapi/v1/batchOrders: up to 5 modifications, one result each."""
    state = call.state
    results: list[object] = []
    for item in _batch(call):
        try:
            req = parse_modify(_item_params(item, "batchOrders"), state.market, batch_item=True)
            order = state.engine.modify(call.account, req, call.now_ms)
            results.append(order_payload(state.engine, order))
        except ApiError as exc:
            results.append(exc.payload())
    return results


def batch_cancel(call: Call) -> object:
    """DELETE /fapi/v1/batchOrders: up to 10 cancels by orderIdList or origClientOrderIdList."""
    params = call.params
    readers.check_unknown(params, _signed("symbol", "orderIdList", "origClientOrderIdList"))
    symbol = call.state.market.spec(readers.require(params, "symbol")).symbol
    refs: list[tuple[int | None, str | None]]
    if readers.text(params, "orderIdList"):
        ids = _json_list(params, "orderIdList")
        if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
            raise invalid_param("orderIdList")
        refs = [(int(i), None) for i in ids]  # type: ignore[call-overload]
    elif readers.text(params, "origClientOrderIdList"):
        names = _json_list(params, "origClientOrderIdList")
        if not all(isinstance(n, str) for n in names):
            raise invalid_param("origClientOrderIdList")
        refs = [(None, str(n)) for n in names]
    else:
        raise ApiError(
            -1102,
            "Param 'orderIdList' or 'origClientOrderIdList' must be sent, "
            "but both were empty/null!",
        )
    if not refs:
        raise invalid_param("orderIdList")
    if len(refs) > 10:
        raise ApiError(-4032, "Exceeds maximum cancel order size.")
    engine = call.state.engine
    results: list[object] = []
    for order_id, client_id in refs:
        try:
            order = engine.cancel(call.account, symbol, order_id, client_id, call.now_ms)
            results.append(order_payload(engine, order))
        except ApiError as exc:
            results.append(exc.payload())
    return results


def countdown_cancel_all(call: Call) -> object:
    """POST /fapi/v1/countdownCancelAll: cancel the symbol's open orders when ``countdownTime``
    ms pass without a refresh (0 switches it off)."""
    readers.check_unknown(call.params, _signed("symbol", "countdownTime"))
    symbol = call.state.market.spec(readers.require(call.params, "symbol")).symbol
    countdown = readers.integer(call.params, "countdownTime", required=True)
    assert countdown is not None
    call.state.countdowns.set(call.account, symbol, countdown, call.now_ms)
    return {"symbol": symbol, "countdownTime": str(countdown)}
