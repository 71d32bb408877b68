"""Spot market rules and data: a symbol's Spot filters and permissions, the average price, the
MINI ticker, and Spot's exchangeInfo."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .exchange import ExchangeInfo, SymbolInfo
from .fields import RAW, Model, model, to_bool, to_dec, to_int, to_opt_int, to_str, wire
from .market import Ticker24h

__all__ = [
    "AvgPrice",
    "SpotMiniTicker",
    "SpotSymbolInfo",
    "spot_exchange_info",
    "spot_ticker",
    "spot_tickers",
]

_ZERO = Decimal(0)


class _Filters:
    """A symbol's ``filters`` list by type; absent fields read as zero (disabled)."""

    def __init__(self, payload: Mapping[str, Any]) -> None:
        items = payload.get("filters", ())
        if not isinstance(items, list) or not all(isinstance(f, Mapping) for f in items):
            raise TypeError("filters is not a list of objects")
        self.by_type: dict[str, Mapping[str, Any]] = {to_str(f["filterType"]): f for f in items}

    def dec(self, kind: str, key: str) -> Decimal:
        value = self.by_type.get(kind, {}).get(key)
        return _ZERO if value is None else to_dec(value)

    def opt_dec(self, kind: str, key: str) -> Decimal | None:
        value = self.by_type.get(kind, {}).get(key)
        return None if value is None else to_dec(value)

    def int(self, kind: str, key: str) -> int:
        value = self.by_type.get(kind, {}).get(key)
        return 0 if value is None else to_int(value)

    def flag(self, kind: str, key: str) -> bool:
        value = self.by_type.get(kind, {}).get(key)
        return False if value is None else to_bool(value)


def _flag(payload: Mapping[str, Any], key: str, default: bool) -> bool:
    value = payload.get(key)
    return default if value is None else to_bool(value)


def _strings(payload: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = payload.get(key) or ()
    if not isinstance(value, list | tuple):
        raise TypeError(f"{key} is not a list: {value!r:.80}")
    return tuple(to_str(v) for v in value)


@attrs.frozen(kw_only=True, slots=True)
class SpotSymbolInfo(SymbolInfo):
    """A Spot symbol's rules: the filters every venue shares (:class:`SymbolInfo`), and
    Spot's own: NOTIONAL (or the legacy MIN_NOTIONAL), PERCENT_PRICE_BY_SIDE, ICEBERG_PARTS,
    TRAILING_DELTA, the MAX_NUM_* counts, and which order kinds the symbol allows.

    A zero (or None) field disables its check. ``min_notional`` is the larger of NOTIONAL's
    and MIN_NOTIONAL's minimums when a symbol lists both.
    """

    max_notional: Decimal = _ZERO
    #: Whether the notional bounds apply to MARKET orders (at the average price).
    apply_min_to_market: bool = False
    apply_max_to_market: bool = False
    #: PERCENT_PRICE_BY_SIDE: a price's bounds as multiples of the average price, by side.
    bid_multiplier_up: Decimal | None = None
    bid_multiplier_down: Decimal | None = None
    ask_multiplier_up: Decimal | None = None
    ask_multiplier_down: Decimal | None = None
    avg_price_mins: int = 0
    #: ICEBERG_PARTS: at most this many parts, ``ceil(quantity / icebergQty)``.
    iceberg_parts: int = 0
    #: TRAILING_DELTA bounds (basis points): above for STOP_LOSS BUY and TAKE_PROFIT SELL
    #: (and their LIMIT forms), below for STOP_LOSS SELL and TAKE_PROFIT BUY.
    min_trailing_above_delta: int = 0
    max_trailing_above_delta: int = 0
    min_trailing_below_delta: int = 0
    max_trailing_below_delta: int = 0
    max_num_orders: int = 0
    max_num_algo_orders: int = 0
    max_num_iceberg_orders: int = 0
    max_num_order_lists: int = 0
    base_asset_precision: int | None = None
    quote_asset_precision: int | None = None
    iceberg_allowed: bool = True
    oco_allowed: bool = True
    oto_allowed: bool = True
    quote_order_qty_market_allowed: bool = True
    allow_trailing_stop: bool = True
    cancel_replace_allowed: bool = True
    is_spot_trading_allowed: bool = True
    default_self_trade_prevention_mode: str | None = None
    #: The STP modes the symbol takes (empty: the exchange did not say).
    allowed_self_trade_prevention_modes: tuple[str, ...] = ()

    @classmethod
    def from_payload(cls, payload: Any) -> SpotSymbolInfo:
        """Build from one Spot exchangeInfo ``symbols`` item."""
        if not isinstance(payload, Mapping):
            raise TypeError(f"a symbol is not an object: {payload!r:.80}")
        f = _Filters(payload)
        market = "MARKET_LOT_SIZE" if "MARKET_LOT_SIZE" in f.by_type else "LOT_SIZE"
        precision = payload.get("quoteAssetPrecision", payload.get("quotePrecision"))
        return cls(
            symbol=to_str(payload["symbol"]),
            status=to_str(payload.get("status", "TRADING")),
            base_asset=to_str(payload.get("baseAsset", "")),
            quote_asset=to_str(payload.get("quoteAsset", "")),
            tick_size=f.dec("PRICE_FILTER", "tickSize"),
            min_price=f.dec("PRICE_FILTER", "minPrice"),
            max_price=f.dec("PRICE_FILTER", "maxPrice"),
            step_size=f.dec("LOT_SIZE", "stepSize"),
            min_qty=f.dec("LOT_SIZE", "minQty"),
            max_qty=f.dec("LOT_SIZE", "maxQty"),
            market_step_size=f.dec(market, "stepSize"),
            market_min_qty=f.dec(market, "minQty"),
            market_max_qty=f.dec(market, "maxQty"),
            min_notional=max(
                f.dec("NOTIONAL", "minNotional"), f.dec("MIN_NOTIONAL", "minNotional")
            ),
            order_types=_strings(payload, "orderTypes"),
            max_notional=f.dec("NOTIONAL", "maxNotional"),
            apply_min_to_market=f.flag("NOTIONAL", "applyMinToMarket")
            or f.flag("MIN_NOTIONAL", "applyToMarket"),
            apply_max_to_market=f.flag("NOTIONAL", "applyMaxToMarket"),
            bid_multiplier_up=f.opt_dec("PERCENT_PRICE_BY_SIDE", "bidMultiplierUp"),
            bid_multiplier_down=f.opt_dec("PERCENT_PRICE_BY_SIDE", "bidMultiplierDown"),
            ask_multiplier_up=f.opt_dec("PERCENT_PRICE_BY_SIDE", "askMultiplierUp"),
            ask_multiplier_down=f.opt_dec("PERCENT_PRICE_BY_SIDE", "askMultiplierDown"),
            avg_price_mins=f.int("PERCENT_PRICE_BY_SIDE", "avgPriceMins")
            or f.int("NOTIONAL", "avgPriceMins"),
            iceberg_parts=f.int("ICEBERG_PARTS", "limit"),
            min_trailing_above_delta=f.int("TRAILING_DELTA", "minTrailingAboveDelta"),
            max_trailing_above_delta=f.int("TRAILING_DELTA", "maxTrailingAboveDelta"),
            min_trailing_below_delta=f.int("TRAILING_DELTA", "minTrailingBelowDelta"),
            max_trailing_below_delta=f.int("TRAILING_DELTA", "maxTrailingBelowDelta"),
            max_num_orders=f.int("MAX_NUM_ORDERS", "maxNumOrders"),
            max_num_algo_orders=f.int("MAX_NUM_ALGO_ORDERS", "maxNumAlgoOrders"),
            max_num_iceberg_orders=f.int("MAX_NUM_ICEBERG_ORDERS", "maxNumIcebergOrders"),
            max_num_order_lists=f.int("MAX_NUM_ORDER_LISTS", "maxNumOrderLists"),
            base_asset_precision=to_opt_int(payload.get("baseAssetPrecision")),
            quote_asset_precision=to_opt_int(precision),
            iceberg_allowed=_flag(payload, "icebergAllowed", True),
            oco_allowed=_flag(payload, "ocoAllowed", True),
            oto_allowed=_flag(payload, "otoAllowed", True),
            quote_order_qty_market_allowed=_flag(payload, "quoteOrderQtyMarketAllowed", True),
            allow_trailing_stop=_flag(payload, "allowTrailingStop", True),
            cancel_replace_allowed=_flag(payload, "cancelReplaceAllowed", True),
            is_spot_trading_allowed=_flag(payload, "isSpotTradingAllowed", True),
            default_self_trade_prevention_mode=payload.get("defaultSelfTradePreventionMode"),
            allowed_self_trade_prevention_modes=_strings(
                payload, "allowedSelfTradePreventionModes"
            ),
            raw=payload,
        )


def spot_exchange_info(payload: Any) -> ExchangeInfo:
    """Spot's exchangeInfo: its rate limits, each symbol as a :class:`SpotSymbolInfo`."""
    return ExchangeInfo.from_payload(payload, SpotSymbolInfo.from_payload)


@model
class AvgPrice(Model):
    """The average price over the last ``mins`` minutes (``GET /api/v3/avgPrice``)."""

    mins: int = wire("mins", to_int)
    price: Decimal = wire("price", to_dec)
    #: The last trade's time.
    close_time_ms: int | None = wire("closeTime", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@model
class SpotMiniTicker(Model):
    """A symbol's statistics over a window, the ``MINI`` form (no price change fields)."""

    symbol: str = wire("symbol", to_str)
    open_price: Decimal = wire("openPrice", to_dec)
    high_price: Decimal = wire("highPrice", to_dec)
    low_price: Decimal = wire("lowPrice", to_dec)
    last_price: Decimal = wire("lastPrice", to_dec)
    volume: Decimal = wire("volume", to_dec)
    quote_volume: Decimal = wire("quoteVolume", to_dec)
    open_time_ms: int = wire("openTime", to_int)
    close_time_ms: int = wire("closeTime", to_int)
    first_id: int | None = wire("firstId", to_opt_int, None)
    last_id: int | None = wire("lastId", to_opt_int, None)
    count: int = wire("count", to_int, 0)
    raw: Mapping[str, Any] = RAW


def spot_ticker(payload: Any) -> Ticker24h | SpotMiniTicker:
    """One ticker: the ``FULL`` form (it has ``priceChange``) or the ``MINI`` one."""
    if isinstance(payload, Mapping) and "priceChange" not in payload:
        return SpotMiniTicker.from_payload(payload)
    return Ticker24h.from_payload(payload)


def spot_tickers(payload: Any) -> Ticker24h | SpotMiniTicker | list[Ticker24h | SpotMiniTicker]:
    """A ticker answer: one object (with ``symbol``) or a list (with ``symbols`` or none)."""
    if isinstance(payload, list):
        return [spot_ticker(item) for item in payload]
    return spot_ticker(payload)
