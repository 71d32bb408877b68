"""The Spot account: balances, commission rates, trades, prevented matches, order counts."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .fields import (
    RAW,
    Model,
    model,
    to_bool,
    to_dec,
    to_int,
    to_opt_int,
    to_opt_str,
    to_str,
    wire,
)

__all__ = [
    "CommissionDiscount",
    "CommissionRates",
    "FeeRates",
    "OrderCountUsage",
    "PreventedMatch",
    "SpotAccount",
    "SpotBalance",
    "SpotTrade",
]


@model
class FeeRates(Model):
    """Commission rates by role: maker, taker, and the buyer's and seller's extra."""

    maker: Decimal = wire("maker", to_dec)
    taker: Decimal = wire("taker", to_dec)
    buyer: Decimal = wire("buyer", to_dec, Decimal(0))
    seller: Decimal = wire("seller", to_dec, Decimal(0))
    raw: Mapping[str, Any] = RAW


def _rates(value: Any) -> FeeRates:
    return FeeRates.from_payload(value)


@model
class SpotBalance(Model):
    """One asset of the account: ``free`` to trade, ``locked`` in open orders."""

    asset: str = wire("asset", to_str)
    free: Decimal = wire("free", to_dec)
    locked: Decimal = wire("locked", to_dec)
    raw: Mapping[str, Any] = RAW

    @property
    def total(self) -> Decimal:
        """Free and locked together."""
        return self.free + self.locked


def _balances(value: Any) -> tuple[SpotBalance, ...]:
    if not isinstance(value, list):
        raise TypeError(f"balances is not a list: {value!r:.80}")
    return tuple(SpotBalance.from_payload(b) for b in value)


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError(f"not a list of strings: {value!r:.80}")
    return tuple(to_str(v) for v in value)


@model
class SpotAccount(Model):
    """The account (``GET /api/v3/account``): balances, commission rates, permissions."""

    commission_rates: FeeRates = wire("commissionRates", _rates)
    balances: tuple[SpotBalance, ...] = wire("balances", _balances)
    #: Legacy commissions in basis points (``commission_rates`` holds the rates).
    maker_commission: int = wire("makerCommission", to_int, 0)
    taker_commission: int = wire("takerCommission", to_int, 0)
    buyer_commission: int = wire("buyerCommission", to_int, 0)
    seller_commission: int = wire("sellerCommission", to_int, 0)
    can_trade: bool = wire("canTrade", to_bool, False)
    can_withdraw: bool = wire("canWithdraw", to_bool, False)
    can_deposit: bool = wire("canDeposit", to_bool, False)
    brokered: bool = wire("brokered", to_bool, False)
    require_self_trade_prevention: bool = wire("requireSelfTradePrevention", to_bool, False)
    prevent_sor: bool = wire("preventSor", to_bool, False)
    update_time_ms: int | None = wire("updateTime", to_opt_int, None)
    account_type: str | None = wire("accountType", to_opt_str, None)
    permissions: tuple[str, ...] = wire("permissions", _strings, ())
    uid: int | None = wire("uid", to_opt_int, None)
    raw: Mapping[str, Any] = RAW

    def balance(self, asset: str) -> SpotBalance | None:
        """The balance of ``asset``, or None when the account lists none."""
        for item in self.balances:
            if item.asset == asset:
                return item
        return None


@model
class CommissionDiscount(Model):
    """The discount on standard commissions when paying in the discount asset (BNB)."""

    enabled_for_account: bool = wire("enabledForAccount", to_bool)
    enabled_for_symbol: bool = wire("enabledForSymbol", to_bool)
    discount_asset: str = wire("discountAsset", to_str)
    discount: Decimal = wire("discount", to_dec)
    raw: Mapping[str, Any] = RAW


def _discount(value: Any) -> CommissionDiscount:
    return CommissionDiscount.from_payload(value)


@model
class CommissionRates(Model):
    """The account's commission on one symbol (``GET /api/v3/account/commission``)."""

    symbol: str = wire("symbol", to_str)
    standard: FeeRates = wire("standardCommission", _rates)
    tax: FeeRates = wire("taxCommission", _rates)
    discount: CommissionDiscount = wire("discount", _discount)
    #: Special commission rates, when the exchange lists them.
    special: FeeRates | None = wire("specialCommission", _rates, None)
    raw: Mapping[str, Any] = RAW


@model
class SpotTrade(Model):
    """One fill of the account's orders (``GET /api/v3/myTrades``)."""

    symbol: str = wire("symbol", to_str)
    id: int = wire("id", to_int)
    order_id: int = wire("orderId", to_int)
    price: Decimal = wire("price", to_dec)
    qty: Decimal = wire("qty", to_dec)
    quote_qty: Decimal = wire("quoteQty", to_dec)
    commission: Decimal = wire("commission", to_dec)
    commission_asset: str = wire("commissionAsset", to_str)
    time_ms: int = wire("time", to_int)
    is_buyer: bool = wire("isBuyer", to_bool)
    is_maker: bool = wire("isMaker", to_bool)
    is_best_match: bool = wire("isBestMatch", to_bool, False)
    #: The order list of the order; -1 when none (the exchange's value).
    order_list_id: int = wire("orderListId", to_int, -1)
    raw: Mapping[str, Any] = RAW


@model
class PreventedMatch(Model):
    """A match that self-trade prevention expired (``GET /api/v3/myPreventedMatches``)."""

    symbol: str = wire("symbol", to_str)
    prevented_match_id: int = wire("preventedMatchId", to_int)
    taker_order_id: int = wire("takerOrderId", to_int)
    maker_order_id: int = wire("makerOrderId", to_int)
    trade_group_id: int = wire("tradeGroupId", to_int)
    self_trade_prevention_mode: str = wire("selfTradePreventionMode", to_str)
    price: Decimal = wire("price", to_dec)
    maker_prevented_quantity: Decimal = wire("makerPreventedQuantity", to_dec)
    transact_time_ms: int = wire("transactTime", to_int)
    maker_symbol: str | None = wire("makerSymbol", to_opt_str, None)
    raw: Mapping[str, Any] = RAW


@model
class OrderCountUsage(Model):
    """The account's unfilled order count in one window (``GET /api/v3/rateLimit/order``)."""

    rate_limit_type: str = wire("rateLimitType", to_str)
    interval: str = wire("interval", to_str)
    interval_num: int = wire("intervalNum", to_int)
    limit: int = wire("limit", to_int)
    count: int = wire("count", to_int)
    raw: Mapping[str, Any] = RAW
