"""Account settings: leverage, margin type, position mode, Multi-Assets mode, isolated margin,
brackets, configuration, commission, ADL quantile, trading status and BNB fee burn."""

from __future__ import annotations

from decimal import Decimal

import attrs

from . import readers
from .accounts import ZERO, MarginChange, brackets, max_leverage, max_notional
from .call import Call
from .call import signed_params as _signed
from .errors import ApiError, invalid_param, mandatory
from .margin import available, unrealized
from .orders import SIGNED_PARAMS, position_side
from .render import fmt

__all__ = [
    "account_config",
    "adl_quantile",
    "api_trading_status",
    "commission_rate",
    "fee_burn",
    "leverage",
    "leverage_bracket",
    "margin_type",
    "multi_assets",
    "position_margin",
    "position_margin_history",
    "position_mode",
    "set_fee_burn",
    "set_multi_assets",
    "set_position_mode",
    "symbol_config",
]

_SUCCESS = {"code": 200, "msg": "success"}
_MONTH_MS = 30 * 86_400_000


def _flag(call: Call, name: str) -> bool:
    value = readers.boolean(call.params, name)
    if value is None:
        raise mandatory(name)
    return value


def _has_open_orders(call: Call, symbol: str | None = None) -> bool:
    state = call.state
    return bool(
        state.engine.open_orders(call.account, symbol)
        or state.algos.open_orders(call.account, symbol)
    )


def leverage(call: Call) -> object:
    """POST /fapi/v1/leverage: 1 up to the symbol's first bracket (-4028); the position must
    fit the new leverage's maximum notional (-2027)."""
    readers.check_unknown(call.params, _signed("symbol", "leverage"))
    symbol = call.state.market.spec(readers.require(call.params, "symbol")).symbol
    value = readers.integer(call.params, "leverage", required=True) or 0
    if not 1 <= value <= max_leverage(symbol):
        raise ApiError(-4028, f"Leverage {value} is not valid")
    engine = call.state.engine
    state = engine.account(call.account)
    mark = engine.market.mark(symbol)
    held = sum((abs(p.amount) for (s, _), p in state.positions.items() if s == symbol), ZERO)
    if held * mark > max_notional(symbol, value):
        raise ApiError(-2027, "Exceeded the maximum allowable position at current leverage.")
    if symbol in state.isolated and held and value < engine.leverage(call.account, symbol):
        raise ApiError(
            -4161,
            "Leverage reduction is not supported in Isolated Margin Mode with open positions.",
        )
    state.leverage[symbol] = value
    engine.observers.config(call.account, {"symbol": symbol, "leverage": value})
    return {
        "leverage": value,
        "maxNotionalValue": str(max_notional(symbol, value)),
        "symbol": symbol,
    }


def margin_type(call: Call) -> object:
    """POST /fapi/v1/marginType: ISOLATED or CROSSED (-4046 unchanged, -4047 open orders,
    -4048 a position, -4168 isolated under Multi-Assets mode)."""
    readers.check_unknown(call.params, _signed("symbol", "marginType"))
    symbol = call.state.market.spec(readers.require(call.params, "symbol")).symbol
    wanted = readers.require(call.params, "marginType")
    if wanted not in ("ISOLATED", "CROSSED"):
        raise invalid_param("marginType")
    state = call.state.engine.account(call.account)
    if (symbol in state.isolated) == (wanted == "ISOLATED"):
        raise ApiError(-4046, "No need to change margin type.")
    if wanted == "ISOLATED" and state.multi_assets:
        raise ApiError(
            -4168, "Unable to adjust to isolated-margin mode under the Multi-Assets mode."
        )
    if _has_open_orders(call, symbol):
        raise ApiError(-4047, "Margin type cannot be changed if there exists open orders.")
    if state.has_position(symbol):
        raise ApiError(-4048, "Margin type cannot be changed if there exists position.")
    if wanted == "ISOLATED":
        state.isolated.add(symbol)
    else:
        state.isolated.discard(symbol)
    return dict(_SUCCESS)


def set_position_mode(call: Call) -> object:
    """POST /fapi/v1/positionSide/dual: hedge (true) or one-way (false), account-wide
    (-4059 unchanged, -4067 open orders, -4068 a position)."""
    readers.check_unknown(call.params, _signed("dualSidePosition"))
    dual = _flag(call, "dualSidePosition")
    state = call.state.engine.account(call.account)
    if state.dual_side == dual:
        raise ApiError(-4059, "No need to change position side.")
    if _has_open_orders(call):
        raise ApiError(-4067, "Position side cannot be changed if there exists open orders.")
    if state.has_position():
        raise ApiError(-4068, "Position side cannot be changed if there exists position.")
    state.dual_side = dual
    state.positions.clear()  # only flat positions remain: they belong to the old mode's sides
    return dict(_SUCCESS)


def position_mode(call: Call) -> object:
    """GET /fapi/v1/positionSide/dual."""
    readers.check_unknown(call.params, SIGNED_PARAMS)
    return {"dualSidePosition": call.state.engine.account(call.account).dual_side}


def set_multi_assets(call: Call) -> object:
    """POST /fapi/v1/multiAssetsMargin (-4171 unchanged, -4167 isolated symbols, -4170 open
    orders)."""
    readers.check_unknown(call.params, _signed("multiAssetsMargin"))
    wanted = _flag(call, "multiAssetsMargin")
    state = call.state.engine.account(call.account)
    if state.multi_assets == wanted:
        raise ApiError(-4171, "Multi-Assets mode is already set.")
    if wanted and state.isolated:
        raise ApiError(
            -4167,
            "Unable to adjust to Multi-Assets mode with symbols of USDⓈ-M Futures under "
            "isolated-margin mode.",
        )
    if _has_open_orders(call):
        raise ApiError(-4170, "Unable to adjust Multi-Assets Mode with open orders.")
    state.multi_assets = wanted
    call.state.engine.observers.config(call.account, {"multi_assets": wanted})
    return dict(_SUCCESS)


def multi_assets(call: Call) -> object:
    """GET /fapi/v1/multiAssetsMargin."""
    readers.check_unknown(call.params, SIGNED_PARAMS)
    return {"multiAssetsMargin": call.state.engine.account(call.account).multi_assets}


def position_margin(call: Call) -> object:
    """POST /fapi/v1/positionMargin: add (type 1) or reduce (type 2) an isolated position's
    margin; a reduction keeps at least the position's initial margin at the mark."""
    params = call.params
    readers.check_unknown(params, _signed("symbol", "positionSide", "amount", "type"))
    symbol = call.state.market.spec(readers.require(params, "symbol")).symbol
    amount = readers.decimal(params, "amount", required=True)
    kind = readers.integer(params, "type", required=True)
    assert amount is not None
    if kind not in (1, 2):
        raise invalid_param("type")
    engine = call.state.engine
    state = engine.account(call.account)
    side = position_side(params, hedge=state.dual_side)
    if amount <= 0:
        raise ApiError(-4055, "Amount must be positive.")
    if symbol not in state.isolated:
        raise ApiError(-4049, "Add margin only support for isolated position.")
    pos = state.position(symbol, side)
    if pos.amount == 0:
        raise ApiError(-4054, "Cannot add position margin: position is 0.")
    if kind == 1 and amount > available(engine, call.account):
        raise ApiError(-4050, "Cross balance insufficient.")
    if kind == 2:
        floor = abs(pos.amount) * engine.market.mark(symbol) / engine.leverage(call.account, symbol)
        if pos.isolated_wallet - amount < floor:
            raise ApiError(-4051, "Isolated balance insufficient.")
    change = amount if kind == 1 else -amount
    state.positions[(symbol, side)] = attrs.evolve(
        pos, isolated_wallet=pos.isolated_wallet + change
    )
    state.margin_changes.append(
        MarginChange(
            symbol=symbol, type=kind, amount=amount, position_side=side, time_ms=call.now_ms
        )
    )
    engine.observers.account(call.account, "MARGIN_TRANSFER", symbol, side)
    return {
        "amount": float(amount),
        "code": 200,
        "msg": "Successfully modify position margin.",
        "type": kind,
    }


def position_margin_history(call: Call) -> object:
    """GET /fapi/v1/positionMargin/history: at most 30 days (-4165)."""
    params = call.params
    readers.check_unknown(params, _signed("symbol", "type", "startTime", "endTime", "limit"))
    symbol = call.state.market.spec(readers.require(params, "symbol")).symbol
    kind = readers.integer(params, "type")
    if kind not in (None, 1, 2):
        raise invalid_param("type")
    limit = readers.limit(params, 500, 1000)
    start, end = readers.time_range(params, max_ms=_MONTH_MS, too_long=readers.max_days(30))
    changes = [
        c
        for c in call.state.engine.account(call.account).margin_changes
        if c.symbol == symbol
        and kind in (None, c.type)
        and (start is None or c.time_ms >= start)
        and (end is None or c.time_ms <= end)
    ]
    return [
        {
            "symbol": c.symbol,
            "type": c.type,
            "deltaType": "USER_ADJUST",
            "amount": fmt(c.amount),
            "asset": "USDT",
            "time": c.time_ms,
            "positionSide": c.position_side,
        }
        for c in changes[:limit]
    ]


def leverage_bracket(call: Call) -> object:
    """GET /fapi/v1/leverageBracket: an object with a symbol, an array without."""
    readers.check_unknown(call.params, _signed("symbol"))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    names = [market.spec(symbol).symbol] if symbol else list(market.symbols)
    items = [{"symbol": n, "brackets": [b.payload() for b in brackets(n)]} for n in names]
    return items[0] if symbol else items


def account_config(call: Call) -> object:
    """GET /fapi/v1/accountConfig."""
    readers.check_unknown(call.params, SIGNED_PARAMS)
    state = call.state.engine.account(call.account)
    return {
        "feeTier": 0,
        "canTrade": True,
        "canDeposit": True,
        "canWithdraw": True,
        "dualSidePosition": state.dual_side,
        "updateTime": 0,
        "multiAssetsMargin": state.multi_assets,
        "tradeGroupId": -1,
    }


def symbol_config(call: Call) -> object:
    """GET /fapi/v1/symbolConfig: one entry per symbol (or the one asked)."""
    readers.check_unknown(call.params, _signed("symbol"))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    names = [market.spec(symbol).symbol] if symbol else list(market.symbols)
    engine = call.state.engine
    state = engine.account(call.account)
    return [
        {
            "symbol": n,
            "marginType": "ISOLATED" if n in state.isolated else "CROSSED",
            "isAutoAddMargin": "false",
            "leverage": engine.leverage(call.account, n),
            "maxNotionalValue": str(max_notional(n, engine.leverage(call.account, n))),
        }
        for n in names
    ]


def commission_rate(call: Call) -> object:
    """GET /fapi/v1/commissionRate."""
    readers.check_unknown(call.params, _signed("symbol"))
    symbol = call.state.market.spec(readers.require(call.params, "symbol")).symbol
    engine = call.state.engine
    return {
        "symbol": symbol,
        "makerCommissionRate": fmt(engine.maker_commission),
        "takerCommissionRate": fmt(engine.taker_commission),
    }


def _quantile(amount: Decimal, upnl: Decimal) -> int:
    return 0 if not amount else 2 if upnl > 0 else 1


def adl_quantile(call: Call) -> object:
    """GET /fapi/v1/adlQuantile: symbols with a position; 0 flat, 1 losing, 2 winning."""
    readers.check_unknown(call.params, _signed("symbol"))
    market = call.state.market
    symbol = readers.text(call.params, "symbol")
    if symbol is not None:
        market.spec(symbol)
    engine = call.state.engine
    state = engine.account(call.account)
    out = []
    for name in market.symbols:
        if symbol not in (None, name) or not state.has_position(name):
            continue
        sides = {}
        for side in ("LONG", "SHORT", "BOTH"):
            pos = state.position(name, side)
            sides[side] = _quantile(pos.amount, unrealized(engine, pos))
        if state.dual_side and name not in state.isolated:
            sides["HEDGE"] = sides.pop("BOTH")
        out.append({"symbol": name, "adlQuantile": sides})
    return out


def api_trading_status(call: Call) -> object:
    """GET /fapi/v1/apiTradingStatus: no quantitative rule is ever triggered here."""
    readers.check_unknown(call.params, _signed("symbol"))
    symbol = readers.text(call.params, "symbol")
    if symbol is not None:
        call.state.market.spec(symbol)
    return {"indicators": {}, "updateTime": call.now_ms}


def fee_burn(call: Call) -> object:
    """GET /fapi/v1/feeBurn."""
    readers.check_unknown(call.params, SIGNED_PARAMS)
    return {"feeBurn": call.state.engine.account(call.account).fee_burn}


def set_fee_burn(call: Call) -> object:
    """POST /fapi/v1/feeBurn."""
    readers.check_unknown(call.params, _signed("feeBurn"))
    call.state.engine.account(call.account).fee_burn = _flag(call, "feeBurn")
    return dict(_SUCCESS)
