"""The account's history: user trades, forced orders, order amendments and income."""

from __future__ import annotations

from . import readers
from .call import Call
from .call import signed_params as _signed
from .errors import ApiError, invalid_param
from .render import fmt

__all__ = ["INCOME_TYPES", "force_orders", "income", "order_amendment", "user_trades"]

_WEEK_MS = 7 * 86_400_000
INCOME_TYPES = frozenset(
    {
        "TRANSFER",
        "WELCOME_BONUS",
        "REALIZED_PNL",
        "FUNDING_FEE",
        "COMMISSION",
        "INSURANCE_CLEAR",
        "REFERRAL_KICKBACK",
        "COMMISSION_REBATE",
        "API_REBATE",
        "CONTEST_REWARD",
        "CROSS_COLLATERAL_TRANSFER",
        "OPTIONS_PREMIUM_FEE",
        "OPTIONS_SETTLE_PROFIT",
        "INTERNAL_TRANSFER",
        "AUTO_EXCHANGE",
        "DELIVERED_SETTELMENT",
        "COIN_SWAP_DEPOSIT",
        "COIN_SWAP_WITHDRAW",
        "POSITION_LIMIT_INCREASE_FEE",
        "STRATEGY_UMFUTURES_TRANSFER",
        "FEE_RETURN",
        "BFUSD_REWARD",
    }
)


def _week_range(call: Call) -> tuple[int, int | None]:
    """A range of at most 7 days (-4165); none sent: the last 7 days."""
    start, end = readers.time_range(call.params, max_ms=_WEEK_MS, too_long=readers.max_days(7))
    if start is None and end is None:
        return call.now_ms - _WEEK_MS, None
    if start is None:
        assert end is not None
        return end - _WEEK_MS, end
    return start, end


def user_trades(call: Call) -> object:
    """GET /fapi/v1/userTrades: ``fromId`` (not with a time range: -1128), or 7 days at most."""
    params = call.params
    readers.check_unknown(
        params, _signed("symbol", "orderId", "startTime", "endTime", "fromId", "limit")
    )
    spec = call.state.market.spec(readers.require(params, "symbol"))
    order_id = readers.integer(params, "orderId")
    from_id = readers.integer(params, "fromId")
    limit = readers.limit(params, 500, 1000)
    if from_id is not None and ("startTime" in params or "endTime" in params):
        raise ApiError(-1128, "Combination of optional parameters invalid.")
    start, end = (0, None) if from_id is not None or order_id is not None else _week_range(call)
    found = [
        t
        for t in call.state.engine.books.trades
        if t.account == call.account
        and t.symbol == spec.symbol
        and (order_id is None or t.order_id == order_id)
        and (from_id is None or t.trade_id >= from_id)
        and t.time_ms >= start
        and (end is None or t.time_ms <= end)
    ]
    chosen = found[:limit] if from_id is not None else found[-limit:]
    return [
        {
            "buyer": t.side == "BUY",
            "commission": fmt(t.commission),
            "commissionAsset": t.commission_asset,
            "id": t.trade_id,
            "maker": t.maker,
            "orderId": t.order_id,
            "price": spec.fmt_price(t.price),
            "qty": spec.fmt_qty(t.qty),
            "quoteQty": fmt(t.quote_qty),
            "realizedPnl": fmt(t.realized_pnl),
            "side": t.side,
            "positionSide": t.position_side,
            "symbol": t.symbol,
            "time": t.time_ms,
        }
        for t in chosen
    ]


def force_orders(call: Call) -> object:
    """GET /fapi/v1/forceOrders: the simulator liquidates nobody, so none."""
    params = call.params
    readers.check_unknown(
        params, _signed("symbol", "autoCloseType", "startTime", "endTime", "limit")
    )
    symbol = readers.text(params, "symbol")
    if symbol is not None:
        call.state.market.spec(symbol)
    readers.enum(params, "autoCloseType", ("LIQUIDATION", "ADL"), invalid_param("autoCloseType"))
    readers.limit(params, 50, 100)
    readers.time_range(params)
    return []


def order_amendment(call: Call) -> object:
    """GET /fapi/v1/orderAmendment: an order's modifications (limit default 50, max 100)."""
    params = call.params
    readers.check_unknown(
        params,
        _signed("symbol", "orderId", "origClientOrderId", "startTime", "endTime", "limit"),
    )
    spec = call.state.market.spec(readers.require(params, "symbol"))
    order_id, client_id = readers.order_ref(params)
    limit = readers.limit(params, 50, 100)
    start, end = readers.time_range(params)
    order = call.state.engine.find(call.account, spec.symbol, order_id, client_id)
    if order is None:
        raise ApiError(-2013, "Order does not exist.")
    found = [
        a
        for a in call.state.engine.books.amendments
        if a.order_id == order.order_id
        and (start is None or a.time_ms >= start)
        and (end is None or a.time_ms <= end)
    ]
    return [
        {
            "amendmentId": a.amendment_id,
            "symbol": a.symbol,
            "pair": a.symbol,
            "orderId": a.order_id,
            "clientOrderId": a.client_order_id,
            "time": a.time_ms,
            "amendment": {
                "price": {"before": fmt(a.price_before), "after": fmt(a.price_after)},
                "origQty": {"before": fmt(a.qty_before), "after": fmt(a.qty_after)},
                "count": a.count,
            },
        }
        for a in found[-limit:]
    ]


def income(call: Call) -> object:
    """GET /fapi/v1/income: income flows, oldest first (last 7 days when no time is sent);
    ``page`` pages through them by ``limit`` (default 100, max 1000)."""
    params = call.params
    readers.check_unknown(
        params, _signed("symbol", "incomeType", "startTime", "endTime", "page", "limit")
    )
    symbol = readers.text(params, "symbol")
    if symbol is not None:
        call.state.market.spec(symbol)
    kind = readers.enum(params, "incomeType", INCOME_TYPES, invalid_param("incomeType"))
    limit = readers.limit(params, 100, 1000)
    page = readers.integer(params, "page") or 1
    start, end = readers.time_range(params)
    if start is None and end is None:
        start = call.now_ms - _WEEK_MS
    found = [
        i
        for i in call.state.engine.books.income
        if i.account == call.account
        and (symbol is None or i.symbol == symbol)
        and (kind is None or i.income_type == kind)
        and (start is None or i.time_ms >= start)
        and (end is None or i.time_ms <= end)
    ]
    chosen = found[(page - 1) * limit : page * limit]
    return [
        {
            "symbol": i.symbol,
            "incomeType": i.income_type,
            "income": f"{i.income:.8f}",
            "asset": i.asset,
            "info": i.income_type,
            "time": i.time_ms,
            "tranId": i.tran_id,
            "tradeId": i.trade_id,
        }
        for i in chosen
    ]
