"""Market data: klines, trades, the order book, tickers, mark price and funding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .fields import RAW, Model, model, to_bool, to_dec, to_int, to_opt_dec, to_opt_int, to_str, wire

__all__ = [
    "AggTrade",
    "BookTicker",
    "Depth",
    "FundingRate",
    "Kline",
    "MarkPrice",
    "OpenInterest",
    "PriceTicker",
    "Ticker24h",
    "Trade",
]

Level = tuple[Decimal, Decimal]


@attrs.frozen(kw_only=True, slots=True)
class Kline:
    """One candle; built from the exchange's array form (every kline endpoint)."""

    open_time_ms: int
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    close_time_ms: int
    quote_volume: Decimal
    trades: int
    taker_buy_volume: Decimal
    taker_buy_quote_volume: Decimal
    raw: Sequence[Any] = attrs.field(default=(), repr=False, eq=False)

    @classmethod
    def from_payload(cls, payload: Any) -> Kline:
        """Build from ``[openTime, open, high, low, close, volume, closeTime, quoteVolume,
        trades, takerBuyBase, takerBuyQuote, ignore]``."""
        if not isinstance(payload, list) or len(payload) < 11:
            raise TypeError(f"not a kline: {payload!r:.120}")
        return cls(
            open_time_ms=to_int(payload[0]),
            open=to_dec(payload[1]),
            high=to_dec(payload[2]),
            low=to_dec(payload[3]),
            close=to_dec(payload[4]),
            volume=to_dec(payload[5]),
            close_time_ms=to_int(payload[6]),
            quote_volume=to_dec(payload[7]),
            trades=to_int(payload[8]),
            taker_buy_volume=to_dec(payload[9]),
            taker_buy_quote_volume=to_dec(payload[10]),
            raw=payload,
        )


@model
class Trade(Model):
    """One public trade (``/fapi/v1/trades``, ``/fapi/v1/historicalTrades``)."""

    id: int = wire("id", to_int)
    price: Decimal = wire("price", to_dec)
    qty: Decimal = wire("qty", to_dec)
    quote_qty: Decimal = wire("quoteQty", to_dec, Decimal(0))
    time_ms: int = wire("time", to_int)
    is_buyer_maker: bool = wire("isBuyerMaker", to_bool)
    raw: Mapping[str, Any] = RAW


@model
class AggTrade(Model):
    """One aggregate trade: fills of one taker order at one price; ids are consecutive."""

    agg_id: int = wire("a", to_int)
    price: Decimal = wire("p", to_dec)
    qty: Decimal = wire("q", to_dec)
    first_trade_id: int = wire("f", to_int)
    last_trade_id: int = wire("l", to_int)
    time_ms: int = wire("T", to_int)
    is_buyer_maker: bool = wire("m", to_bool)
    raw: Mapping[str, Any] = RAW


def _levels(value: Any) -> tuple[Level, ...]:
    if not isinstance(value, list):
        raise TypeError(f"book side is not a list: {value!r:.80}")
    return tuple((to_dec(level[0]), to_dec(level[1])) for level in value)


@model
class Depth(Model):
    """An order book snapshot, best first: ``bids`` and ``asks`` as (price, qty)."""

    last_update_id: int = wire("lastUpdateId", to_int)
    bids: tuple[Level, ...] = wire("bids", _levels)
    asks: tuple[Level, ...] = wire("asks", _levels)
    event_time_ms: int | None = wire("E", to_opt_int, None)
    transaction_time_ms: int | None = wire("T", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@model
class MarkPrice(Model):
    """Mark price, index price and funding (``/fapi/v1/premiumIndex``)."""

    symbol: str = wire("symbol", to_str)
    mark_price: Decimal = wire("markPrice", to_dec)
    index_price: Decimal = wire("indexPrice", to_dec, Decimal(0))
    estimated_settle_price: Decimal = wire("estimatedSettlePrice", to_dec, Decimal(0))
    last_funding_rate: Decimal = wire("lastFundingRate", to_dec, Decimal(0))
    interest_rate: Decimal = wire("interestRate", to_dec, Decimal(0))
    next_funding_time_ms: int = wire("nextFundingTime", to_int, 0)
    time_ms: int = wire("time", to_int)
    raw: Mapping[str, Any] = RAW


@model
class FundingRate(Model):
    """One funding event (``/fapi/v1/fundingRate``)."""

    symbol: str = wire("symbol", to_str)
    funding_rate: Decimal = wire("fundingRate", to_dec)
    funding_time_ms: int = wire("fundingTime", to_int)
    mark_price: Decimal | None = wire("markPrice", to_opt_dec, None)
    raw: Mapping[str, Any] = RAW


@model
class OpenInterest(Model):
    """A symbol's open interest now."""

    symbol: str = wire("symbol", to_str)
    open_interest: Decimal = wire("openInterest", to_dec)
    time_ms: int = wire("time", to_int)
    raw: Mapping[str, Any] = RAW


@model
class Ticker24h(Model):
    """24 hour rolling statistics of a symbol."""

    symbol: str = wire("symbol", to_str)
    price_change: Decimal = wire("priceChange", to_dec)
    price_change_percent: Decimal = wire("priceChangePercent", to_dec)
    weighted_avg_price: Decimal = wire("weightedAvgPrice", to_dec)
    last_price: Decimal = wire("lastPrice", to_dec)
    last_qty: Decimal = wire("lastQty", to_dec, Decimal(0))
    open_price: Decimal = wire("openPrice", to_dec)
    high_price: Decimal = wire("highPrice", to_dec)
    low_price: Decimal = wire("lowPrice", to_dec)
    volume: Decimal = wire("volume", to_dec)
    quote_volume: Decimal = wire("quoteVolume", to_dec)
    open_time_ms: int = wire("openTime", to_int)
    close_time_ms: int = wire("closeTime", to_int)
    first_id: int | None = wire("firstId", to_opt_int, None)
    last_id: int | None = wire("lastId", to_opt_int, None)
    count: int = wire("count", to_int, 0)
    raw: Mapping[str, Any] = RAW


@model
class PriceTicker(Model):
    """A symbol's latest price."""

    symbol: str = wire("symbol", to_str)
    price: Decimal = wire("price", to_dec)
    time_ms: int | None = wire("time", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@model
class BookTicker(Model):
    """A symbol's best bid and ask."""

    symbol: str = wire("symbol", to_str)
    bid_price: Decimal = wire("bidPrice", to_dec)
    bid_qty: Decimal = wire("bidQty", to_dec)
    ask_price: Decimal = wire("askPrice", to_dec)
    ask_qty: Decimal = wire("askQty", to_dec)
    time_ms: int | None = wire("time", to_opt_int, None)
    raw: Mapping[str, Any] = RAW
