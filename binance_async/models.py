"""Response models: frozen attrs records built by ``from_payload``, amounts as Decimal.

Each keeps the raw payload (``raw``) for fields not modelled yet. ``from_payload`` refuses
an answer that is not the model's (a missing field, a wrong type: ``KeyError``, ``TypeError``,
``ValueError`` or ``ArithmeticError``); the gateway turns that into ``MalformedAnswer``.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .ratelimits import RateLimit

__all__ = [
    "OPEN_STATUSES",
    "AccountInfo",
    "Balance",
    "ExchangeInfo",
    "Order",
    "Position",
    "SymbolInfo",
]


def _str(payload: Mapping[str, Any], key: str) -> str:
    value = payload[key]
    if not isinstance(value, str):
        raise TypeError(f"{key} is not a string: {value!r}")
    return value


def _dec(payload: Mapping[str, Any], key: str) -> Decimal:
    value = payload.get(key)
    if value in (None, ""):
        return Decimal(0)
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{key} is not a finite number: {value!r}")
    return number


def _opt_dec(payload: Mapping[str, Any], key: str) -> Decimal | None:
    value = payload.get(key)
    return Decimal(value) if value not in (None, "") else None


_NO_RAW: Mapping[str, Any] = {}

#: Order statuses in which an order can still trade.
OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})


@attrs.frozen(kw_only=True, slots=True)
class Order:
    """An order as the exchange reports it."""

    symbol: str
    order_id: int
    client_order_id: str
    status: str
    side: str
    type: str
    price: Decimal
    orig_qty: Decimal
    executed_qty: Decimal
    avg_price: Decimal
    cum_quote: Decimal
    time_in_force: str | None
    reduce_only: bool
    close_position: bool
    position_side: str | None
    update_time: int | None
    #: True when the order was found by a reconciliation query after an unknown outcome.
    reconciled: bool = False
    raw: Mapping[str, Any] = attrs.field(default=_NO_RAW, repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any], *, reconciled: bool = False) -> Order:
        """Build from a ``/fapi/v1/order`` answer (place, query, cancel, modify)."""
        symbol, order_id = payload["symbol"], payload["orderId"]
        cid, status = payload["clientOrderId"], payload["status"]
        side, kind = payload["side"], payload["type"]
        if type(order_id) is not int or not (
            type(symbol) is type(cid) is type(status) is type(side) is type(kind) is str
        ):
            raise TypeError(f"not an order: {payload!r:.200}")
        return cls(
            symbol=symbol,
            order_id=order_id,
            client_order_id=cid,
            status=status,
            side=side,
            type=kind,
            price=_dec(payload, "price"),
            orig_qty=_dec(payload, "origQty"),
            executed_qty=_dec(payload, "executedQty"),
            avg_price=_dec(payload, "avgPrice"),
            cum_quote=_dec(payload, "cumQuote"),
            time_in_force=payload.get("timeInForce"),
            reduce_only=bool(payload.get("reduceOnly", False)),
            close_position=bool(payload.get("closePosition", False)),
            position_side=payload.get("positionSide"),
            update_time=payload.get("updateTime") or payload.get("time"),
            reconciled=reconciled,
            raw=payload,
        )

    @property
    def is_open(self) -> bool:
        """True while the order can still trade."""
        return self.status in OPEN_STATUSES

    def as_reconciled(self) -> Order:
        """This order, marked as found by a reconciliation query."""
        return self if self.reconciled else attrs.evolve(self, reconciled=True)


@attrs.frozen(kw_only=True, slots=True)
class Balance:
    """One asset of the futures wallet."""

    asset: str
    balance: Decimal
    cross_wallet_balance: Decimal
    cross_un_pnl: Decimal
    available_balance: Decimal
    max_withdraw_amount: Decimal
    raw: Mapping[str, Any] = attrs.field(default=_NO_RAW, repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Balance:
        """Build from one ``/fapi/v3/balance`` item."""
        return cls(
            asset=payload["asset"],
            balance=_dec(payload, "balance"),
            cross_wallet_balance=_dec(payload, "crossWalletBalance"),
            cross_un_pnl=_dec(payload, "crossUnPnl"),
            available_balance=_dec(payload, "availableBalance"),
            max_withdraw_amount=_dec(payload, "maxWithdrawAmount"),
            raw=payload,
        )


@attrs.frozen(kw_only=True, slots=True)
class Position:
    """One position (symbol and side)."""

    symbol: str
    position_side: str
    position_amt: Decimal
    entry_price: Decimal
    mark_price: Decimal
    unrealized_profit: Decimal
    notional: Decimal
    raw: Mapping[str, Any] = attrs.field(default=_NO_RAW, repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Position:
        """Build from one ``/fapi/v3/positionRisk`` (or account ``positions``) item."""
        return cls(
            symbol=payload["symbol"],
            position_side=payload.get("positionSide", "BOTH"),
            position_amt=_dec(payload, "positionAmt"),
            entry_price=_dec(payload, "entryPrice"),
            mark_price=_dec(payload, "markPrice"),
            unrealized_profit=_dec(payload, "unRealizedProfit")
            if "unRealizedProfit" in payload
            else _dec(payload, "unrealizedProfit"),
            notional=_dec(payload, "notional"),
            raw=payload,
        )


@attrs.frozen(kw_only=True, slots=True)
class AccountInfo:
    """Account totals with its assets and positions."""

    total_wallet_balance: Decimal
    total_unrealized_profit: Decimal
    total_margin_balance: Decimal
    available_balance: Decimal
    assets: tuple[Mapping[str, Any], ...]
    positions: tuple[Position, ...]
    raw: Mapping[str, Any] = attrs.field(default=_NO_RAW, repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> AccountInfo:
        """Build from ``/fapi/v3/account``."""
        return cls(
            total_wallet_balance=_dec(payload, "totalWalletBalance"),
            total_unrealized_profit=_dec(payload, "totalUnrealizedProfit"),
            total_margin_balance=_dec(payload, "totalMarginBalance"),
            available_balance=_dec(payload, "availableBalance"),
            assets=tuple(payload.get("assets", ())),
            positions=tuple(Position.from_payload(p) for p in payload.get("positions", ())),
            raw=payload,
        )


@attrs.frozen(kw_only=True, slots=True)
class SymbolInfo:
    """A symbol's trading rules from exchangeInfo."""

    symbol: str
    status: str
    base_asset: str
    quote_asset: str
    tick_size: Decimal
    min_price: Decimal
    max_price: Decimal
    step_size: Decimal
    min_qty: Decimal
    max_qty: Decimal
    market_step_size: Decimal
    market_min_qty: Decimal
    market_max_qty: Decimal
    min_notional: Decimal
    order_types: tuple[str, ...]
    raw: Mapping[str, Any] = attrs.field(default=_NO_RAW, repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> SymbolInfo:
        """Build from one exchangeInfo ``symbols`` item."""
        filters = {f["filterType"]: f for f in payload.get("filters", ())}
        if not all(isinstance(f, Mapping) for f in filters.values()):
            raise TypeError("a filter is not an object")
        price = filters.get("PRICE_FILTER", {})
        lot = filters.get("LOT_SIZE", {})
        market = filters.get("MARKET_LOT_SIZE", lot)
        notional = filters.get("MIN_NOTIONAL", {})
        return cls(
            symbol=_str(payload, "symbol"),
            status=payload.get("status", "TRADING"),
            base_asset=payload.get("baseAsset", ""),
            quote_asset=payload.get("quoteAsset", ""),
            tick_size=_dec(price, "tickSize"),
            min_price=_dec(price, "minPrice"),
            max_price=_dec(price, "maxPrice"),
            step_size=_dec(lot, "stepSize"),
            min_qty=_dec(lot, "minQty"),
            max_qty=_dec(lot, "maxQty"),
            market_step_size=_dec(market, "stepSize"),
            market_min_qty=_dec(market, "minQty"),
            market_max_qty=_dec(market, "maxQty"),
            min_notional=_dec(notional, "notional"),
            order_types=tuple(payload.get("orderTypes") or payload.get("OrderType") or ()),
            raw=payload,
        )


@attrs.frozen(kw_only=True, slots=True)
class ExchangeInfo:
    """Exchange rules: rate limits and symbols."""

    rate_limits: tuple[RateLimit, ...]
    symbols: Mapping[str, SymbolInfo]
    raw: Mapping[str, Any] = attrs.field(default=_NO_RAW, repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> ExchangeInfo:
        """Build from ``/fapi/v1/exchangeInfo``; ``ValueError`` when ``rateLimits`` is missing
        or holds a malformed limit (unknown kinds such as RAW_REQUESTS are skipped)."""
        items = payload["rateLimits"]
        if not isinstance(items, list):
            raise ValueError("rateLimits is not a list")
        limits = tuple(r for r in map(RateLimit.from_payload, items) if r is not None)
        if not limits:
            raise ValueError("rateLimits has no REQUEST_WEIGHT or ORDERS limit")
        raw_symbols = payload.get("symbols", ())
        if not isinstance(raw_symbols, list):
            raise ValueError("symbols is not a list")
        symbols = {s.symbol: s for s in map(SymbolInfo.from_payload, raw_symbols)}
        return cls(rate_limits=limits, symbols=symbols, raw=payload)
