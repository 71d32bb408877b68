"""The exchange's rules: rate limits and each symbol's filters."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from ..ratelimits import RateLimit
from .fields import RAW, to_dec, to_str

__all__ = ["ExchangeInfo", "SymbolInfo"]


def _filter(filters: Mapping[str, Mapping[str, Any]], kind: str, key: str) -> Decimal:
    value = filters.get(kind, {}).get(key)
    return Decimal(0) if value is None else to_dec(value)


@attrs.frozen(kw_only=True, slots=True)
class SymbolInfo:
    """A symbol's trading rules from exchangeInfo; a zero filter field disables its check."""

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
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_payload(cls, payload: Any) -> SymbolInfo:
        """Build from one exchangeInfo ``symbols`` item."""
        if not isinstance(payload, Mapping):
            raise TypeError(f"a symbol is not an object: {payload!r:.80}")
        items = payload.get("filters", ())
        if not isinstance(items, list) or not all(isinstance(f, Mapping) for f in items):
            raise TypeError("filters is not a list of objects")
        filters = {f["filterType"]: f for f in items}
        market = "MARKET_LOT_SIZE" if "MARKET_LOT_SIZE" in filters else "LOT_SIZE"
        return cls(
            symbol=to_str(payload["symbol"]),
            status=to_str(payload.get("status", "TRADING")),
            base_asset=to_str(payload.get("baseAsset", "")),
            quote_asset=to_str(payload.get("quoteAsset", "")),
            tick_size=_filter(filters, "PRICE_FILTER", "tickSize"),
            min_price=_filter(filters, "PRICE_FILTER", "minPrice"),
            max_price=_filter(filters, "PRICE_FILTER", "maxPrice"),
            step_size=_filter(filters, "LOT_SIZE", "stepSize"),
            min_qty=_filter(filters, "LOT_SIZE", "minQty"),
            max_qty=_filter(filters, "LOT_SIZE", "maxQty"),
            market_step_size=_filter(filters, market, "stepSize"),
            market_min_qty=_filter(filters, market, "minQty"),
            market_max_qty=_filter(filters, market, "maxQty"),
            min_notional=_filter(filters, "MIN_NOTIONAL", "notional"),
            order_types=tuple(payload.get("orderTypes") or payload.get("OrderType") or ()),
            raw=payload,
        )

    def round_quantity(
        self, quantity: Decimal, *, market: bool = False, rounding: str = ROUND_DOWN
    ) -> Decimal:
        """``quantity`` onto the lot step (the MARKET lot step with ``market``); ``rounding``
        is a ``decimal`` rounding mode, down by default so a quantity never grows."""
        step = self.market_step_size if market else self.step_size
        low = self.market_min_qty if market else self.min_qty
        if not step:
            return quantity
        steps = ((quantity - low) / step).to_integral_value(rounding=rounding)
        return (low + steps * step).quantize(step)

    def round_price(self, price: Decimal, *, rounding: str = ROUND_HALF_UP) -> Decimal:
        """``price`` onto the tick (to the nearest by default; ``ROUND_DOWN`` for a bid that must
        not rise, ``ROUND_UP`` for an ask that must not fall)."""
        if not self.tick_size:
            return price
        ticks = ((price - self.min_price) / self.tick_size).to_integral_value(rounding=rounding)
        return (self.min_price + ticks * self.tick_size).quantize(self.tick_size)


@attrs.frozen(kw_only=True, slots=True)
class ExchangeInfo:
    """Exchange rules: rate limits and symbols."""

    rate_limits: tuple[RateLimit, ...]
    symbols: Mapping[str, SymbolInfo]
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_payload(
        cls, payload: Any, symbol: Callable[[Any], SymbolInfo] = SymbolInfo.from_payload
    ) -> ExchangeInfo:
        """Build from a venue's exchangeInfo, each symbol by ``symbol`` (a venue's own
        :class:`SymbolInfo`); ``ValueError`` when ``rateLimits`` is missing or holds a
        malformed limit (unknown kinds such as RAW_REQUESTS are skipped)."""
        items = payload["rateLimits"]
        if not isinstance(items, list):
            raise ValueError("rateLimits is not a list")
        limits = tuple(r for r in map(RateLimit.from_payload, items) if r is not None)
        if not limits:
            raise ValueError("rateLimits has no REQUEST_WEIGHT or ORDERS limit")
        raw_symbols = payload.get("symbols", ())
        if not isinstance(raw_symbols, list):
            raise ValueError("symbols is not a list")
        symbols = {s.symbol: s for s in map(symbol, raw_symbols)}
        return cls(rate_limits=limits, symbols=symbols, raw=payload)
