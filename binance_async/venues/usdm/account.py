"""USDⓈ-M account endpoints: balances, positions, settings, income, the user stream's
listenKey (reference/fapi-endpoints.tsv): data only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...endpoint import Endpoint, Security, deferred, many, obj, with_symbol

if TYPE_CHECKING:
    from ...models.account import LeverageBracket
from ...params import BOOL, DECIMAL, Param, choice, integer, span_at_most
from .common import END_TIME, POSITION_SIDE, START_TIME, SYMBOL_OPTIONAL, SYMBOL_REQUIRED, limit

__all__ = [
    "ACCOUNT",
    "ACCOUNT_CONFIG",
    "ACCOUNT_ENDPOINTS",
    "ACCOUNT_V2",
    "ADL_QUANTILE",
    "API_TRADING_STATUS",
    "BALANCE",
    "BALANCE_V2",
    "CHANGE_LEVERAGE",
    "CHANGE_MARGIN_TYPE",
    "CHANGE_MULTI_ASSETS_MODE",
    "CHANGE_POSITION_MODE",
    "COMMISSION_RATE",
    "FEE_BURN",
    "GET_MULTI_ASSETS_MODE",
    "GET_POSITION_MODE",
    "INCOME",
    "INCOME_TYPES",
    "LEVERAGE_BRACKET",
    "LISTEN_KEY_CLOSE",
    "LISTEN_KEY_KEEPALIVE",
    "LISTEN_KEY_NEW",
    "MODIFY_POSITION_MARGIN",
    "ORDER_RATE_LIMIT",
    "POSITION_MARGIN_HISTORY",
    "POSITION_RISK",
    "POSITION_RISK_V2",
    "SET_FEE_BURN",
    "SYMBOL_CONFIG",
]

SIGNED = Security.SIGNED
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
_THIRTY_DAYS_MS = 30 * 86_400_000


def _flag(key: str) -> Any:
    """The boolean ``key`` of an answer object (``{"dualSidePosition": true}``)."""

    def parse(payload: Any) -> bool:
        value = payload[key]
        if not isinstance(value, bool):
            raise TypeError(f"{key} is not a boolean: {value!r}")
        return value

    return parse


def _signed(method: str, path: str, weight: Any, *params: Param, **options: Any) -> Endpoint:
    return Endpoint(
        method=method, path=path, weight=weight, security=SIGNED, params=params, **options
    )


def _model(name: str, shape: Any = None) -> Any:
    """``name``'s builder; the account models load with the first answer (import time)."""
    return deferred("binance_async.models.account", name, shape)


_BRACKETS = _model("LeverageBracket", many)


def _brackets(payload: Any) -> list[LeverageBracket]:
    """A list of brackets (all symbols), or one symbol's as an object: always a list."""
    brackets: list[LeverageBracket] = _BRACKETS(payload if isinstance(payload, list) else [payload])
    return brackets


def _listen_key(payload: Any) -> str:
    key = payload["listenKey"]
    if not isinstance(key, str) or not key:
        raise TypeError("listenKey is not a string")
    return key


CHANGE_POSITION_MODE = _signed(
    "POST",
    "/fapi/v1/positionSide/dual",
    1,
    Param("dual_side_position", "dualSidePosition", BOOL, required=True),
    model=obj,
)
GET_POSITION_MODE = _signed(
    "GET", "/fapi/v1/positionSide/dual", 30, model=_flag("dualSidePosition")
)
CHANGE_MULTI_ASSETS_MODE = _signed(
    "POST",
    "/fapi/v1/multiAssetsMargin",
    1,
    Param("multi_assets_margin", "multiAssetsMargin", BOOL, required=True),
    model=obj,
)
GET_MULTI_ASSETS_MODE = _signed(
    "GET", "/fapi/v1/multiAssetsMargin", 30, model=_flag("multiAssetsMargin")
)
CHANGE_LEVERAGE = _signed(
    "POST",
    "/fapi/v1/leverage",
    1,
    SYMBOL_REQUIRED,
    Param("leverage", "leverage", integer(1, 125), required=True),
    model=_model("LeverageChange"),
)
CHANGE_MARGIN_TYPE = _signed(
    "POST",
    "/fapi/v1/marginType",
    1,
    SYMBOL_REQUIRED,
    Param("margin_type", "marginType", choice({"ISOLATED", "CROSSED"}), required=True),
    model=obj,
)
MODIFY_POSITION_MARGIN = _signed(
    "POST",
    "/fapi/v1/positionMargin",
    1,
    SYMBOL_REQUIRED,
    POSITION_SIDE,
    Param("amount", "amount", DECIMAL, required=True),
    Param("type", "type", choice({1, 2}), required=True),
    model=obj,
)
POSITION_MARGIN_HISTORY = _signed(
    "GET",
    "/fapi/v1/positionMargin/history",
    1,
    SYMBOL_REQUIRED,
    Param("type", "type", choice({1, 2})),
    START_TIME,
    END_TIME,
    limit(1000),
    model=_model("PositionMarginChange", many),
    checks=(span_at_most(_THIRTY_DAYS_MS),),
)
# 5 (docs, SDK) or 1 (ccxt) for the v2 forms: the larger.
POSITION_RISK_V2 = _signed(
    "GET", "/fapi/v2/positionRisk", 5, SYMBOL_OPTIONAL, model=_model("Position", many)
)
POSITION_RISK = _signed(
    "GET", "/fapi/v3/positionRisk", 5, SYMBOL_OPTIONAL, model=_model("Position", many)
)
ADL_QUANTILE = _signed(
    "GET", "/fapi/v1/adlQuantile", 5, SYMBOL_OPTIONAL, model=_model("AdlQuantile", many)
)
COMMISSION_RATE = _signed(
    "GET", "/fapi/v1/commissionRate", 20, SYMBOL_REQUIRED, model=_model("CommissionRate")
)
ACCOUNT_V2 = _signed("GET", "/fapi/v2/account", 5, model=_model("AccountInfo"))
ACCOUNT = _signed("GET", "/fapi/v3/account", 5, model=_model("AccountInfo"))
BALANCE_V2 = _signed("GET", "/fapi/v2/balance", 5, model=_model("Balance", many))
BALANCE = _signed("GET", "/fapi/v3/balance", 5, model=_model("Balance", many))
INCOME = _signed(
    "GET",
    "/fapi/v1/income",
    30,
    SYMBOL_OPTIONAL,
    Param("income_type", "incomeType", choice(INCOME_TYPES)),
    START_TIME,
    END_TIME,
    Param("page", "page", integer(1)),
    limit(1000),
    model=_model("Income", many),
)
LEVERAGE_BRACKET = _signed(
    "GET",
    "/fapi/v1/leverageBracket",
    1,
    SYMBOL_OPTIONAL,
    model=_brackets,
)
API_TRADING_STATUS = _signed(
    "GET", "/fapi/v1/apiTradingStatus", with_symbol(1, 10), SYMBOL_OPTIONAL, model=obj
)
ORDER_RATE_LIMIT = _signed("GET", "/fapi/v1/rateLimit/order", 1)
ACCOUNT_CONFIG = _signed("GET", "/fapi/v1/accountConfig", 5, model=_model("AccountConfig"))
SYMBOL_CONFIG = _signed(
    "GET", "/fapi/v1/symbolConfig", 5, SYMBOL_OPTIONAL, model=_model("SymbolConfig", many)
)
FEE_BURN = _signed("GET", "/fapi/v1/feeBurn", 30, model=_flag("feeBurn"))
SET_FEE_BURN = _signed(
    "POST",
    "/fapi/v1/feeBurn",
    1,
    Param("fee_burn", "feeBurn", BOOL, required=True),
    model=obj,
)
LISTEN_KEY_NEW = Endpoint(
    method="POST",
    path="/fapi/v1/listenKey",
    weight=1,
    security=Security.API_KEY,
    model=_listen_key,
)
LISTEN_KEY_KEEPALIVE = Endpoint(
    method="PUT", path="/fapi/v1/listenKey", weight=1, security=Security.API_KEY, model=obj
)
LISTEN_KEY_CLOSE = Endpoint(
    method="DELETE", path="/fapi/v1/listenKey", weight=1, security=Security.API_KEY, model=obj
)

ACCOUNT_ENDPOINTS: tuple[Endpoint, ...] = (
    CHANGE_POSITION_MODE,
    GET_POSITION_MODE,
    CHANGE_MULTI_ASSETS_MODE,
    GET_MULTI_ASSETS_MODE,
    CHANGE_LEVERAGE,
    CHANGE_MARGIN_TYPE,
    MODIFY_POSITION_MARGIN,
    POSITION_MARGIN_HISTORY,
    POSITION_RISK_V2,
    POSITION_RISK,
    ADL_QUANTILE,
    COMMISSION_RATE,
    ACCOUNT_V2,
    ACCOUNT,
    BALANCE_V2,
    BALANCE,
    INCOME,
    LEVERAGE_BRACKET,
    API_TRADING_STATUS,
    ORDER_RATE_LIMIT,
    ACCOUNT_CONFIG,
    SYMBOL_CONFIG,
    FEE_BURN,
    SET_FEE_BURN,
    LISTEN_KEY_NEW,
    LISTEN_KEY_KEEPALIVE,
    LISTEN_KEY_CLOSE,
)
