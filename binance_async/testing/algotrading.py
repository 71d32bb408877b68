"""Algo order endpoints: place, query, cancel, cancel all, open and all algo orders."""

from __future__ import annotations

from . import readers
from .accounts import ZERO
from .algo import AlgoOrder
from .algoparse import parse_algo_order
from .call import Call
from .call import signed_params as _signed
from .errors import ApiError, invalid_param
from .market import SymbolSpec

__all__ = [
    "algo_payload",
    "all_algo_orders",
    "cancel_algo_order",
    "cancel_all_algo_orders",
    "new_algo_order",
    "open_algo_orders",
    "query_algo_order",
]

_WEEK_MS = 7 * 86_400_000


def algo_payload(call: Call, algo: AlgoOrder, *, placed: bool = False) -> dict[str, object]:
    """An algo order as the exchange prints it (``placed``: the POST answer's fields)."""
    state = call.state
    req = algo.request
    spec: SymbolSpec = state.market.spec(req.symbol)
    trailing = req.order_type == "TRAILING_STOP_MARKET"
    body: dict[str, object] = {
        "algoId": algo.algo_id,
        "clientAlgoId": algo.client_algo_id,
        "algoType": "CONDITIONAL",
        "orderType": req.order_type,
        "symbol": req.symbol,
        "side": req.side,
        "positionSide": req.position_side,
        "timeInForce": req.time_in_force,
        "quantity": spec.fmt_qty(req.quantity),
        "algoStatus": algo.status,
    }
    if not placed:
        actual = state.algos.actual_order(algo)
        body["actualOrderId"] = "" if actual is None else str(actual.order_id)
        body["actualPrice"] = spec.fmt_price(actual.avg_price if actual else ZERO)
    body.update(
        {
            "triggerPrice": spec.fmt_price(req.trigger_price),
            "price": spec.fmt_price(req.price),
            "icebergQuantity": None,
        }
    )
    if not placed:
        zero = spec.fmt_price(ZERO)
        body.update(
            {
                "tpTriggerPrice": zero,
                "tpPrice": zero,
                "slTriggerPrice": zero,
                "slPrice": zero,
                "tpOrderType": "",
            }
        )
    activate = req.activate_price
    body.update(
        {
            "selfTradePreventionMode": req.stp_mode,
            "workingType": req.working_type,
            "priceMatch": req.price_match,
            "closePosition": req.close_position,
            "priceProtect": req.price_protect,
            "reduceOnly": req.reduce_only,
            "activatePrice": spec.fmt_price(activate) if trailing and activate else "",
            "callbackRate": str(req.callback_rate) if trailing else "",
            "createTime": algo.create_time_ms,
            "updateTime": algo.update_time_ms,
            "triggerTime": algo.trigger_time_ms,
            "goodTillDate": req.good_till_date,
        }
    )
    return body


def new_algo_order(call: Call) -> object:
    """POST /fapi/v1/algoOrder."""
    state = call.state
    hedge = state.engine.account(call.account).dual_side
    req = parse_algo_order(call.params, state.market, now_ms=call.now_ms, hedge=hedge)
    algo = state.algos.place(call.account, req, call.now_ms)
    state.audit.note_accepted(algo.client_algo_id)
    return algo_payload(call, algo, placed=True)


def _ref(call: Call) -> tuple[int | None, str | None]:
    readers.check_unknown(call.params, _signed("algoId", "clientAlgoId"))
    algo_id = readers.integer(call.params, "algoId")
    client_id = readers.text(call.params, "clientAlgoId")
    if algo_id is None and client_id is None:
        raise ApiError(
            -1102, "Param 'algoId' or 'clientAlgoId' must be sent, but both were empty/null!"
        )
    return algo_id, client_id


def query_algo_order(call: Call) -> object:
    """GET /fapi/v1/algoOrder: by algoId (wins) or clientAlgoId; -2013 when unknown."""
    algo_id, client_id = _ref(call)
    call.state.algos.refresh(call.now_ms)
    algo = call.state.algos.find(call.account, algo_id, client_id)
    if algo is None:
        raise ApiError(-2013, "Order does not exist.")
    return algo_payload(call, algo)


def cancel_algo_order(call: Call) -> object:
    """DELETE /fapi/v1/algoOrder: -2011 unless the algo order still waits for its trigger."""
    algo_id, client_id = _ref(call)
    algo = call.state.algos.cancel(call.account, algo_id, client_id, call.now_ms)
    return {
        "algoId": algo.algo_id,
        "clientAlgoId": algo.client_algo_id,
        "code": "200",
        "msg": "success",
    }


def cancel_all_algo_orders(call: Call) -> object:
    """DELETE /fapi/v1/algoOpenOrders."""
    readers.check_unknown(call.params, _signed("symbol"))
    symbol = call.state.market.spec(readers.require(call.params, "symbol")).symbol
    call.state.algos.cancel_all(call.account, symbol, call.now_ms)
    return {"code": 200, "msg": "The operation of cancel all open order is done."}


def open_algo_orders(call: Call) -> object:
    """GET /fapi/v1/openAlgoOrders: waiting algo orders (one symbol, one id, or all)."""
    params = call.params
    readers.check_unknown(params, _signed("algoType", "symbol", "algoId"))
    readers.enum(params, "algoType", ("CONDITIONAL",), invalid_param("algoType"))
    symbol = readers.text(params, "symbol")
    if symbol is not None:
        call.state.market.spec(symbol)
    algo_id = readers.integer(params, "algoId")
    call.state.algos.refresh(call.now_ms)
    found = call.state.algos.open_orders(call.account, symbol)
    return [algo_payload(call, a) for a in found if algo_id in (None, a.algo_id)]


def all_algo_orders(call: Call) -> object:
    """GET /fapi/v1/allAlgoOrders: from ``algoId`` on, or a range of at most 7 days (-4165;
    none sent: the last 7 days)."""
    params = call.params
    readers.check_unknown(params, _signed("symbol", "algoId", "startTime", "endTime", "limit"))
    symbol = call.state.market.spec(readers.require(params, "symbol")).symbol
    algo_id = readers.integer(params, "algoId")
    limit = readers.limit(params, 500, 1000)
    start, end = readers.time_range(params, max_ms=_WEEK_MS - 1, too_long=readers.max_days(7))
    if start is None and end is None and algo_id is None:
        start = call.now_ms - _WEEK_MS
    call.state.algos.refresh(call.now_ms)
    found = [
        a
        for a in call.state.algos.algos.values()
        if a.account == call.account
        and a.symbol == symbol
        and a.algo_id >= (algo_id or 0)
        and (start is None or a.create_time_ms >= start)
        and (end is None or a.create_time_ms <= end)
    ]
    chosen = found[:limit] if algo_id is not None else found[-limit:]
    return [algo_payload(call, a) for a in chosen]
