"""Market data: klines, trades, the order book, tickers, mark price and funding."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from .fields import (
    RAW,
    Model,
    event_builder,
    model,
    to_bool,
    to_dec,
    to_int,
    to_opt_dec,
    to_opt_int,
    to_str,
    wire,
)

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
    #: Stream klines only (None over REST): the symbol (a pair's for continuous klines), the
    #: interval, whether the candle is closed, its trade ids, the event time and the stream.
    symbol: str | None = None
    interval: str | None = None
    closed: bool | None = None
    first_trade_id: int | None = None
    last_trade_id: int | None = None
    event_time_ms: int | None = None
    stream: str | None = None
    #: The REST array, or the stream event.
    raw: Sequence[Any] | Mapping[str, Any] = attrs.field(default=(), repr=False, eq=False)

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

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> Kline:
        """Build from a ``kline`` (or ``continuous_kline``) stream event: its ``k`` object."""
        k = data["k"]
        return cls(
            open_time_ms=to_int(k["t"]),
            open=to_dec(k["o"]),
            high=to_dec(k["h"]),
            low=to_dec(k["l"]),
            close=to_dec(k["c"]),
            volume=to_dec(k["v"]),
            close_time_ms=to_int(k["T"]),
            quote_volume=to_dec(k["q"]),
            trades=to_int(k["n"]),
            taker_buy_volume=to_dec(k["V"]),
            taker_buy_quote_volume=to_dec(k["Q"]),
            symbol=data.get("s") or data.get("ps") or k.get("s"),
            interval=k.get("i"),
            closed=to_bool(k["x"]),
            first_trade_id=to_opt_int(k.get("f")),
            last_trade_id=to_opt_int(k.get("L")),
            event_time_ms=to_opt_int(data.get("E")),
            stream=stream,
            raw=data,
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


@attrs.frozen(kw_only=True, slots=True, repr=False)
class AggTrade:
    """One aggregate trade: fills of one taker order at one price; ids are consecutive per
    symbol.

    The same record over REST (``/fapi/v1/aggTrades``, :meth:`from_payload`) and from the
    ``<symbol>@aggTrade`` stream (:meth:`from_event`): both carry the keys ``a p q f l T m``.
    Fields are read from ``raw`` when asked for (a stream consumer that reads only the id
    pays for no Decimal); ``from_payload`` checks every field once, the stream is trusted.
    """

    raw: Mapping[str, Any]
    #: The symbol (the stream's ``s``; given by the caller over REST, which omits it).
    symbol: str | None = None
    #: The stream it came from (None over REST; the stream's name for trades backfilled
    #: into it over REST).
    stream: str | None = None

    @classmethod
    def from_payload(cls, payload: Any, symbol: str | None = None) -> AggTrade:
        """Build from one item of ``/fapi/v1/aggTrades`` (``KeyError``/``TypeError``/
        ``ValueError`` when it is not one)."""
        if not isinstance(payload, Mapping):
            raise TypeError(f"not an aggregate trade: {payload!r:.120}")
        for key in ("a", "f", "l", "T"):
            to_int(payload[key])
        to_dec(payload["p"]), to_dec(payload["q"]), to_bool(payload["m"])
        return cls(raw=payload, symbol=symbol if symbol is not None else payload.get("s"))

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> AggTrade:
        """Build from an ``aggTrade`` stream event (nothing is converted yet)."""
        return AGG_TRADE_EVENT(data, stream)

    @property
    def agg_id(self) -> int:
        """The aggregate trade id (consecutive per symbol)."""
        return to_int(self.raw["a"])

    @property
    def price(self) -> Decimal:
        """The price."""
        return Decimal(self.raw["p"])

    @property
    def qty(self) -> Decimal:
        """The quantity."""
        return Decimal(self.raw["q"])

    @property
    def first_trade_id(self) -> int:
        """The first trade id it aggregates."""
        return to_int(self.raw["f"])

    @property
    def last_trade_id(self) -> int:
        """The last trade id it aggregates."""
        return to_int(self.raw["l"])

    @property
    def time_ms(self) -> int:
        """The trade time."""
        return to_int(self.raw["T"])

    @property
    def is_buyer_maker(self) -> bool:
        """True when the buyer was the maker."""
        return to_bool(self.raw["m"])

    @property
    def event_time_ms(self) -> int | None:
        """The stream event's time (None over REST)."""
        return to_opt_int(self.raw.get("E"))

    def __repr__(self) -> str:
        return (
            f"AggTrade(symbol={self.symbol!r}, agg_id={self.raw.get('a')!r}, "
            f"price={self.raw.get('p')!r}, qty={self.raw.get('q')!r}, "
            f"time_ms={self.raw.get('T')!r})"
        )


#: ``(data, stream) -> AggTrade``: the stream's constructor (fills the slots directly).
AGG_TRADE_EVENT = event_builder(AggTrade)


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
    #: The stream it came from (None over REST).
    stream: str | None = None
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> MarkPrice:
        """Build from a ``markPriceUpdate`` stream event (``time_ms`` is its event time)."""
        return cls(
            symbol=to_str(data["s"]),
            mark_price=to_dec(data["p"]),
            index_price=to_dec(data.get("i", "")),
            estimated_settle_price=to_dec(data.get("P", "")),
            last_funding_rate=to_dec(data.get("r", "")),
            interest_rate=Decimal(0),
            next_funding_time_ms=to_int(data.get("T", 0)),
            time_ms=to_int(data["E"]),
            stream=stream,
            raw=data,
        )


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


def _either(raw: Mapping[str, Any], stream_key: str, rest_key: str) -> Any:
    value = raw.get(stream_key)
    return raw[rest_key] if value is None else value


@attrs.frozen(kw_only=True, slots=True, repr=False)
class BookTicker:
    """A symbol's best bid and ask.

    The same record over REST (``/fapi/v1/ticker/bookTicker``: ``bidPrice`` ...) and from the
    ``bookTicker`` streams (``b B a A u``); fields are read from ``raw`` when asked for.
    """

    symbol: str
    raw: Mapping[str, Any]
    #: The stream it came from (None over REST).
    stream: str | None = None

    @classmethod
    def from_payload(cls, payload: Any) -> BookTicker:
        """Build from the REST answer (``KeyError``/``TypeError``/``ValueError`` when it is
        not one)."""
        if not isinstance(payload, Mapping):
            raise TypeError(f"not a book ticker: {payload!r:.120}")
        for key in ("bidPrice", "bidQty", "askPrice", "askQty"):
            to_dec(payload[key])
        to_opt_int(payload.get("time"))
        return cls(symbol=to_str(payload["symbol"]), raw=payload)

    @classmethod
    def from_event(cls, data: Mapping[str, Any], stream: str | None = None) -> BookTicker:
        """Build from a ``bookTicker`` stream event (nothing is converted yet)."""
        return BOOK_TICKER_EVENT(data, stream)

    @property
    def bid_price(self) -> Decimal:
        """The best bid."""
        return to_dec(_either(self.raw, "b", "bidPrice"))

    @property
    def bid_qty(self) -> Decimal:
        """The quantity at the best bid."""
        return to_dec(_either(self.raw, "B", "bidQty"))

    @property
    def ask_price(self) -> Decimal:
        """The best ask."""
        return to_dec(_either(self.raw, "a", "askPrice"))

    @property
    def ask_qty(self) -> Decimal:
        """The quantity at the best ask."""
        return to_dec(_either(self.raw, "A", "askQty"))

    @property
    def time_ms(self) -> int | None:
        """The transaction time (``T``; REST ``time``)."""
        return to_opt_int(self.raw.get("T", self.raw.get("time")))

    @property
    def update_id(self) -> int | None:
        """The book's update id (``u``; REST ``lastUpdateId`` where given)."""
        return to_opt_int(self.raw.get("u", self.raw.get("lastUpdateId")))

    @property
    def event_time_ms(self) -> int | None:
        """The stream event's time (None over REST)."""
        return to_opt_int(self.raw.get("E"))

    def __repr__(self) -> str:
        return (
            f"BookTicker(symbol={self.symbol!r}, bid={_either(self.raw, 'b', 'bidPrice')!r}, "
            f"ask={_either(self.raw, 'a', 'askPrice')!r})"
        )


#: ``(data, stream) -> BookTicker``: the stream's constructor (fills the slots directly).
BOOK_TICKER_EVENT = event_builder(BookTicker)
