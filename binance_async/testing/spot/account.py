"""Spot's account endpoints: account, myTrades, myPreventedMatches, account/commission and
rateLimit/order.

Where the docs are silent: ``makerCommission`` / ``takerCommission`` are the rates in basis
points (rounded down), as the docs' example pairs 15 with 0.0015; nothing is ever prevented by
self-trade prevention here (users' orders never meet), so ``myPreventedMatches`` is ``[]``
after its parameters are checked (-1128 for a combination the docs do not list).
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from .. import readers
from ..call import Call
from ..errors import ApiError
from .parse import SIGNED
from .render import trade_payload
from .symbols import fmt8
from .trading import spot, time_window

__all__ = ["account", "commission", "my_trades", "prevented_matches", "rate_limit_order"]

_ZERO = fmt8(Decimal(0))


def _bips(rate: Decimal) -> int:
    return int((rate * 10_000).to_integral_value(rounding=ROUND_DOWN))


def account(call: Call) -> object:
    """GET /api/v3/account."""
    readers.check_unknown(call.params, SIGNED | {"omitZeroBalances"})
    omit = bool(readers.boolean(call.params, "omitZeroBalances"))
    ex = spot(call).exchange
    balances = [
        {"asset": b.asset, "free": fmt8(b.free), "locked": fmt8(b.locked)}
        for b in ex.balances(call.account).values()
        if not omit or b.free or b.locked
    ]
    maker, taker = ex.maker_commission, ex.taker_commission
    return {
        "makerCommission": _bips(maker),
        "takerCommission": _bips(taker),
        "buyerCommission": 0,
        "sellerCommission": 0,
        "commissionRates": {
            "maker": fmt8(maker),
            "taker": fmt8(taker),
            "buyer": _ZERO,
            "seller": _ZERO,
        },
        "canTrade": True,
        "canWithdraw": True,
        "canDeposit": True,
        "brokered": False,
        "requireSelfTradePrevention": False,
        "preventSor": False,
        "updateTime": call.now_ms,
        "accountType": "SPOT",
        "balances": balances,
        "permissions": ["SPOT"],
        "uid": 354937868,
    }


def my_trades(call: Call) -> object:
    """GET /api/v3/myTrades: the supported combinations of the docs, else -1128."""
    params = call.params
    names = {"orderId", "startTime", "endTime", "fromId", "limit"}
    readers.check_unknown(params, SIGNED | names | {"symbol"})
    ex = spot(call).exchange
    symbol = ex.spec(readers.require(params, "symbol")).symbol
    order_id = readers.integer(params, "orderId")
    from_id = readers.integer(params, "fromId")
    start, end = time_window(params)
    limit = readers.limit(params, 500, 1000)
    sent = frozenset(n for n in ("orderId", "startTime", "endTime", "fromId") if n in params)
    allowed = [
        set(),
        {"orderId"},
        {"startTime"},
        {"endTime"},
        {"fromId"},
        {"startTime", "endTime"},
        {"orderId", "fromId"},
    ]
    if sent not in allowed:
        raise ApiError(-1128, "Combination of optional parameters invalid.")
    found = [
        t
        for t in ex.trades
        if t.account == call.account
        and t.symbol == symbol
        and (order_id is None or t.order_id == order_id)
        and t.trade_id >= (from_id or 0)
        and (start is None or t.time_ms >= start)
        and (end is None or t.time_ms <= end)
    ]
    chosen = found[:limit] if from_id is not None or start is not None else found[-limit:]
    return [trade_payload(t) for t in chosen]


def prevented_matches(call: Call) -> object:
    """GET /api/v3/myPreventedMatches: ``[]`` (see the module docstring)."""
    params = call.params
    names = ("preventedMatchId", "orderId", "fromPreventedMatchId", "limit")
    readers.check_unknown(params, SIGNED | {"symbol", *names})
    spot(call).exchange.spec(readers.require(params, "symbol"))
    for name in names[:3]:
        readers.integer(params, name)
    readers.limit(params, 500, 1000)
    sent = frozenset(n for n in names if n in params)
    allowed = [
        {"preventedMatchId"},
        {"orderId"},
        {"orderId", "fromPreventedMatchId"},
        {"orderId", "fromPreventedMatchId", "limit"},
    ]
    if sent not in allowed:
        raise ApiError(-1128, "Combination of optional parameters invalid.")
    return []


def commission(call: Call) -> object:
    """GET /api/v3/account/commission."""
    readers.check_unknown(call.params, SIGNED | {"symbol"})
    ex = spot(call).exchange
    symbol = ex.spec(readers.require(call.params, "symbol")).symbol
    zeros = {"maker": _ZERO, "taker": _ZERO, "buyer": _ZERO, "seller": _ZERO}
    return {
        "symbol": symbol,
        "standardCommission": {
            "maker": fmt8(ex.maker_commission),
            "taker": fmt8(ex.taker_commission),
            "buyer": _ZERO,
            "seller": _ZERO,
        },
        "specialCommission": dict(zeros),
        "taxCommission": dict(zeros),
        "discount": {
            "enabledForAccount": False,
            "enabledForSymbol": False,
            "discountAsset": "BNB",
            "discount": _ZERO,
        },
    }


def rate_limit_order(call: Call) -> object:
    """GET /api/v3/rateLimit/order: the account's unfilled order count in each window."""
    readers.check_unknown(call.params, SIGNED)
    limiter = spot(call).exchange.limiter
    return [
        {**window.payload("ORDERS"), "count": count}
        for window, _, count in limiter.order_counts(call.account, call.now_ms)
    ]
