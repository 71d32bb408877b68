"""The account: balances, positions, totals, income, and its settings."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .fields import (
    RAW,
    Model,
    build,
    model,
    to_bool,
    to_cap,
    to_dec,
    to_int,
    to_opt_dec,
    to_opt_int,
    to_opt_str,
    to_str,
    wire,
)

__all__ = [
    "AccountAsset",
    "AccountConfig",
    "AccountInfo",
    "AdlQuantile",
    "Balance",
    "CommissionRate",
    "Income",
    "LeverageBracket",
    "LeverageChange",
    "NotionalBracket",
    "Position",
    "PositionMarginChange",
    "SymbolConfig",
]


@model
class Balance(Model):
    """One asset of the futures wallet (``/fapi/v3/balance`` or ``/fapi/v2/balance``)."""

    asset: str = wire("asset", to_str)
    balance: Decimal = wire("balance", to_dec)
    cross_wallet_balance: Decimal = wire("crossWalletBalance", to_dec, Decimal(0))
    cross_un_pnl: Decimal = wire("crossUnPnl", to_dec, Decimal(0))
    available_balance: Decimal = wire("availableBalance", to_dec, Decimal(0))
    max_withdraw_amount: Decimal = wire("maxWithdrawAmount", to_dec, Decimal(0))
    margin_available: bool = wire("marginAvailable", to_bool, True)
    update_time_ms: int | None = wire("updateTime", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@model
class Position(Model):
    """One position: a symbol and a side (``BOTH`` in one-way mode, LONG/SHORT in hedge mode).

    Built from ``/fapi/v3/positionRisk``, ``/fapi/v2/positionRisk`` or the account's positions.
    """

    symbol: str = wire("symbol", to_str)
    position_side: str = wire("positionSide", to_str, "BOTH")
    position_amt: Decimal = wire("positionAmt", to_dec)
    entry_price: Decimal = wire("entryPrice", to_dec, Decimal(0))
    break_even_price: Decimal | None = wire("breakEvenPrice", to_opt_dec, None)
    mark_price: Decimal = wire("markPrice", to_dec, Decimal(0))
    unrealized_profit: Decimal = wire("unRealizedProfit", to_dec, Decimal(0))
    liquidation_price: Decimal | None = wire("liquidationPrice", to_opt_dec, None)
    notional: Decimal = wire("notional", to_dec, Decimal(0))
    leverage: int | None = wire("leverage", to_opt_int, None)
    margin_type: str | None = wire("marginType", to_opt_str, None)
    isolated_margin: Decimal | None = wire("isolatedMargin", to_opt_dec, None)
    initial_margin: Decimal | None = wire("initialMargin", to_opt_dec, None)
    maint_margin: Decimal | None = wire("maintMargin", to_opt_dec, None)
    update_time_ms: int | None = wire("updateTime", to_opt_int, None)
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_payload(cls, payload: Any) -> Position:
        """Build from one position item (``unrealizedProfit`` is the account's spelling)."""
        if isinstance(payload, Mapping) and "unRealizedProfit" not in payload:
            unrealized = payload.get("unrealizedProfit")
            if unrealized is not None:
                return build(cls, payload, unrealized_profit=to_dec(unrealized))
        return build(cls, payload)


@model
class AccountAsset(Model):
    """One asset of the account (``/fapi/v3/account``'s ``assets``)."""

    asset: str = wire("asset", to_str)
    wallet_balance: Decimal = wire("walletBalance", to_dec)
    unrealized_profit: Decimal = wire("unrealizedProfit", to_dec, Decimal(0))
    margin_balance: Decimal = wire("marginBalance", to_dec, Decimal(0))
    maint_margin: Decimal = wire("maintMargin", to_dec, Decimal(0))
    initial_margin: Decimal = wire("initialMargin", to_dec, Decimal(0))
    cross_wallet_balance: Decimal = wire("crossWalletBalance", to_dec, Decimal(0))
    available_balance: Decimal = wire("availableBalance", to_dec, Decimal(0))
    max_withdraw_amount: Decimal = wire("maxWithdrawAmount", to_dec, Decimal(0))
    update_time_ms: int | None = wire("updateTime", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@model
class AccountInfo(Model):
    """Account totals with its assets and positions (``/fapi/v3/account``)."""

    total_wallet_balance: Decimal = wire("totalWalletBalance", to_dec)
    total_unrealized_profit: Decimal = wire("totalUnrealizedProfit", to_dec, Decimal(0))
    total_margin_balance: Decimal = wire("totalMarginBalance", to_dec, Decimal(0))
    total_initial_margin: Decimal = wire("totalInitialMargin", to_dec, Decimal(0))
    total_maint_margin: Decimal = wire("totalMaintMargin", to_dec, Decimal(0))
    available_balance: Decimal = wire("availableBalance", to_dec, Decimal(0))
    max_withdraw_amount: Decimal = wire("maxWithdrawAmount", to_dec, Decimal(0))
    assets: tuple[AccountAsset, ...] = wire(
        "assets", lambda v: tuple(map(AccountAsset.from_payload, v)), ()
    )
    positions: tuple[Position, ...] = wire(
        "positions", lambda v: tuple(map(Position.from_payload, v)), ()
    )
    raw: Mapping[str, Any] = RAW


@model
class Income(Model):
    """One income record: realized PnL, commission, funding fee, transfer ..."""

    income_type: str = wire("incomeType", to_str)
    income: Decimal = wire("income", to_dec)
    asset: str = wire("asset", to_str)
    time_ms: int = wire("time", to_int)
    symbol: str | None = wire("symbol", to_opt_str, None)
    info: str | None = wire("info", to_opt_str, None)
    tran_id: int | None = wire("tranId", to_opt_int, None)
    trade_id: int | None = wire("tradeId", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@model
class NotionalBracket(Model):
    """One bracket of a symbol's leverage brackets."""

    bracket: int = wire("bracket", to_int)
    initial_leverage: int = wire("initialLeverage", to_int)
    notional_cap: Decimal = wire("notionalCap", to_dec)
    notional_floor: Decimal = wire("notionalFloor", to_dec)
    maint_margin_ratio: Decimal = wire("maintMarginRatio", to_dec)
    cum: Decimal = wire("cum", to_dec, Decimal(0))
    raw: Mapping[str, Any] = RAW


@model
class LeverageBracket(Model):
    """A symbol's notional brackets and the leverage each allows."""

    symbol: str = wire("symbol", to_str)
    brackets: tuple[NotionalBracket, ...] = wire(
        "brackets", lambda v: tuple(map(NotionalBracket.from_payload, v))
    )
    notional_coef: Decimal | None = wire("notionalCoef", to_opt_dec, None)
    raw: Mapping[str, Any] = RAW


@model
class CommissionRate(Model):
    """The account's maker and taker commission on a symbol."""

    symbol: str = wire("symbol", to_str)
    maker_commission_rate: Decimal = wire("makerCommissionRate", to_dec)
    taker_commission_rate: Decimal = wire("takerCommissionRate", to_dec)
    raw: Mapping[str, Any] = RAW


def _quantiles(value: Any) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise TypeError(f"adlQuantile is not an object: {value!r}")
    return {str(side): to_int(level) for side, level in value.items()}


@model
class AdlQuantile(Model):
    """A symbol's auto-deleveraging queue position per side (0 to 4)."""

    symbol: str = wire("symbol", to_str)
    quantiles: Mapping[str, int] = wire("adlQuantile", _quantiles)
    raw: Mapping[str, Any] = RAW


@model
class PositionMarginChange(Model):
    """One change of an isolated position's margin (``/fapi/v1/positionMargin/history``)."""

    symbol: str = wire("symbol", to_str)
    type: int = wire("type", to_int)
    amount: Decimal = wire("amount", to_dec)
    asset: str | None = wire("asset", to_opt_str, None)
    time_ms: int = wire("time", to_int)
    position_side: str | None = wire("positionSide", to_opt_str, None)
    delta_type: str | None = wire("deltaType", to_opt_str, None)
    raw: Mapping[str, Any] = RAW


@model
class AccountConfig(Model):
    """The account's settings: fee tier, permissions, position and multi-assets mode."""

    fee_tier: int = wire("feeTier", to_int)
    can_trade: bool = wire("canTrade", to_bool)
    can_deposit: bool = wire("canDeposit", to_bool, False)
    can_withdraw: bool = wire("canWithdraw", to_bool, False)
    dual_side_position: bool = wire("dualSidePosition", to_bool)
    multi_assets_margin: bool = wire("multiAssetsMargin", to_bool)
    trade_group_id: int | None = wire("tradeGroupId", to_opt_int, None)
    update_time_ms: int | None = wire("updateTime", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@model
class SymbolConfig(Model):
    """The account's settings on one symbol: margin type, leverage."""

    symbol: str = wire("symbol", to_str)
    margin_type: str = wire("marginType", to_str)
    leverage: int = wire("leverage", to_int)
    is_auto_add_margin: bool = wire("isAutoAddMargin", to_bool, False)
    max_notional_value: Decimal | None = wire("maxNotionalValue", to_cap, None)
    raw: Mapping[str, Any] = RAW


@model
class LeverageChange(Model):
    """The answer to a leverage change: the leverage now and the notional it allows."""

    symbol: str = wire("symbol", to_str)
    leverage: int = wire("leverage", to_int)
    max_notional_value: Decimal | None = wire("maxNotionalValue", to_cap, None)
    raw: Mapping[str, Any] = RAW
