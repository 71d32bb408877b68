"""Market data: connectivity, time, the order book, trades, klines, tickers, funding, statistics.

Every method checks its keyword arguments before sending (``InvalidRequest``, nothing sent)
and returns the model of the answer. Times are integers of milliseconds (``*_ms``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..client import ClientBase
from ..venues.usdm import market as ep

if TYPE_CHECKING:  # the models load with the first answer (import time)
    from ..models.market import (
        AggTrade,
        BookTicker,
        Depth,
        FundingRate,
        Kline,
        MarkPrice,
        OpenInterest,
        PriceTicker,
        Ticker24h,
        Trade,
    )

__all__ = ["MarketData"]


class MarketData(ClientBase):
    """Public market-data methods."""

    async def ping(self) -> None:
        """Test connectivity."""
        await self._call(ep.PING)

    async def server_time(self) -> int:
        """The exchange's time (ms) as it answers now.

        Raises :class:`~binance_async.errors.MalformedAnswer` for an unreadable answer.
        """
        result: int = await self._call(ep.TIME)
        return result

    async def depth(self, symbol: str, limit: int = 500) -> Depth:
        """Order book snapshot; ``limit`` in 5, 10, 20, 50, 100, 500, 1000 (weight by limit).

        Raises :class:`~binance_async.errors.InvalidRequest` for a bad symbol or limit.
        """
        result: Depth = await self._read(ep.DEPTH, symbol=symbol, limit=limit)
        return result

    async def rpi_depth(self, symbol: str) -> Depth:
        """Order book including retail-price-improvement orders (limit 1000, weight 20)."""
        result: Depth = await self._read(ep.RPI_DEPTH, symbol=symbol, limit=1000)
        return result

    async def trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        """Recent public trades (up to 1000)."""
        result: list[Trade] = await self._read(ep.TRADES, symbol=symbol, limit=limit)
        return result

    async def historical_trades(
        self, symbol: str, *, limit: int | None = None, from_id: int | None = None
    ) -> list[Trade]:
        """Older public trades from ``from_id`` (API key needed; up to 500)."""
        result: list[Trade] = await self._read(
            ep.HISTORICAL_TRADES, symbol=symbol, limit=limit, from_id=from_id
        )
        return result

    async def agg_trades(
        self,
        symbol: str,
        *,
        from_id: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[AggTrade]:
        """Aggregate trades, by id (``from_id``) or by a time range under one hour, not both.

        Raises :class:`~binance_async.errors.InvalidRequest` for a longer range or both.
        """
        result: list[AggTrade] = await self._read(
            ep.AGG_TRADES,
            symbol=symbol,
            from_id=from_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def klines(
        self,
        symbol: str,
        interval: str,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles of ``symbol`` (``interval`` 1m .. 1M; weight by ``limit``, up to 1500)."""
        result: list[Kline] = await self._read(
            ep.KLINES,
            symbol=symbol,
            interval=interval,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def continuous_klines(
        self,
        pair: str,
        contract_type: str,
        interval: str,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles of a pair's continuous contract (PERPETUAL, CURRENT_QUARTER, NEXT_QUARTER)."""
        result: list[Kline] = await self._read(
            ep.CONTINUOUS_KLINES,
            pair=pair,
            contract_type=contract_type,
            interval=interval,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def index_price_klines(
        self,
        pair: str,
        interval: str,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles of a pair's index price (volumes are zero)."""
        result: list[Kline] = await self._read(
            ep.INDEX_PRICE_KLINES,
            pair=pair,
            interval=interval,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def mark_price_klines(
        self,
        symbol: str,
        interval: str,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles of a symbol's mark price (volumes are zero)."""
        result: list[Kline] = await self._read(
            ep.MARK_PRICE_KLINES,
            symbol=symbol,
            interval=interval,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def premium_index_klines(
        self,
        symbol: str,
        interval: str,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles of a symbol's premium index (volumes are zero)."""
        result: list[Kline] = await self._read(
            ep.PREMIUM_INDEX_KLINES,
            symbol=symbol,
            interval=interval,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def premium_index(self, symbol: str | None = None) -> MarkPrice | list[MarkPrice]:
        """Mark price, index price and funding: of one symbol, or a list of all (weight 10)."""
        result: MarkPrice | list[MarkPrice] = await self._read(ep.PREMIUM_INDEX, symbol=symbol)
        return result

    async def funding_rate(
        self,
        symbol: str | None = None,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[FundingRate]:
        """Funding rate history (its own 500 requests per 5 minutes, with funding_info)."""
        result: list[FundingRate] = await self._read(
            ep.FUNDING_RATE,
            symbol=symbol,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result

    async def funding_info(self) -> list[dict[str, Any]]:
        """Symbols with adjusted funding caps, floors or intervals."""
        result: list[dict[str, Any]] = await self._call(ep.FUNDING_INFO)
        return result

    async def ticker_24hr(self, symbol: str | None = None) -> Ticker24h | list[Ticker24h]:
        """24 hour statistics: of one symbol, or a list of all (weight 40)."""
        result: Ticker24h | list[Ticker24h] = await self._read(ep.TICKER_24HR, symbol=symbol)
        return result

    async def ticker_price(self, symbol: str | None = None) -> PriceTicker | list[PriceTicker]:
        """Latest price: of one symbol, or a list of all (``/fapi/v2/ticker/price``)."""
        result: PriceTicker | list[PriceTicker] = await self._read(ep.TICKER_PRICE, symbol=symbol)
        return result

    async def ticker_price_v1(self, symbol: str | None = None) -> PriceTicker | list[PriceTicker]:
        """Latest price from the older ``/fapi/v1/ticker/price``."""
        result: PriceTicker | list[PriceTicker] = await self._read(
            ep.TICKER_PRICE_V1, symbol=symbol
        )
        return result

    async def book_ticker(self, symbol: str | None = None) -> BookTicker | list[BookTicker]:
        """Best bid and ask: of one symbol, or a list of all (weight 5)."""
        result: BookTicker | list[BookTicker] = await self._read(ep.BOOK_TICKER, symbol=symbol)
        return result

    async def open_interest(self, symbol: str) -> OpenInterest:
        """A symbol's open interest now."""
        result: OpenInterest = await self._read(ep.OPEN_INTEREST, symbol=symbol)
        return result

    async def _statistics(self, endpoint: Any, **values: Any) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = await self._read(endpoint, **values)
        return result

    async def open_interest_hist(
        self,
        symbol: str,
        period: str,
        *,
        limit: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
    ) -> list[dict[str, Any]]:
        """Open interest history (the last 30 days; its own 1000 requests per 5 minutes)."""
        return await self._statistics(
            ep.OPEN_INTEREST_HIST,
            symbol=symbol,
            period=period,
            limit=limit,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
        )

    async def top_long_short_position_ratio(
        self,
        symbol: str,
        period: str,
        *,
        limit: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
    ) -> list[dict[str, Any]]:
        """Top traders' long/short ratio by positions."""
        return await self._statistics(
            ep.TOP_LONG_SHORT_POSITION_RATIO,
            symbol=symbol,
            period=period,
            limit=limit,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
        )

    async def top_long_short_account_ratio(
        self,
        symbol: str,
        period: str,
        *,
        limit: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
    ) -> list[dict[str, Any]]:
        """Top traders' long/short ratio by accounts."""
        return await self._statistics(
            ep.TOP_LONG_SHORT_ACCOUNT_RATIO,
            symbol=symbol,
            period=period,
            limit=limit,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
        )

    async def global_long_short_account_ratio(
        self,
        symbol: str,
        period: str,
        *,
        limit: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
    ) -> list[dict[str, Any]]:
        """All traders' long/short ratio by accounts."""
        return await self._statistics(
            ep.GLOBAL_LONG_SHORT_ACCOUNT_RATIO,
            symbol=symbol,
            period=period,
            limit=limit,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
        )

    async def taker_long_short_ratio(
        self,
        symbol: str,
        period: str,
        *,
        limit: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
    ) -> list[dict[str, Any]]:
        """Taker buy/sell volume ratio."""
        return await self._statistics(
            ep.TAKER_LONG_SHORT_RATIO,
            symbol=symbol,
            period=period,
            limit=limit,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
        )

    async def basis(
        self,
        pair: str,
        contract_type: str,
        period: str,
        limit: int,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
    ) -> list[dict[str, Any]]:
        """Basis of a pair's contract against its index (``limit`` is mandatory here)."""
        return await self._statistics(
            ep.BASIS,
            pair=pair,
            contract_type=contract_type,
            period=period,
            limit=limit,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
        )

    async def delivery_price(self, pair: str) -> list[dict[str, Any]]:
        """Settlement prices of a pair's quarterly contracts."""
        return await self._statistics(ep.DELIVERY_PRICE, pair=pair)

    async def index_info(self, symbol: str | None = None) -> Any:
        """Composite index symbols and their components."""
        return await self._read(ep.INDEX_INFO, symbol=symbol)

    async def asset_index(self, symbol: str | None = None) -> Any:
        """Multi-assets mode asset index: of one, or all (weight 10)."""
        return await self._read(ep.ASSET_INDEX, symbol=symbol)

    async def constituents(self, symbol: str) -> dict[str, Any]:
        """The constituents of a symbol's index price."""
        result: dict[str, Any] = await self._read(ep.CONSTITUENTS, symbol=symbol)
        return result

    async def insurance_balance(self, symbol: str | None = None) -> Any:
        """Insurance fund balance."""
        return await self._read(ep.INSURANCE_BALANCE, symbol=symbol)

    async def symbol_adl_risk(self, symbol: str | None = None) -> Any:
        """Auto-deleveraging risk rating of symbols."""
        return await self._read(ep.SYMBOL_ADL_RISK, symbol=symbol)
