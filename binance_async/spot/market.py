"""Spot market data: connectivity, time, the order book, trades, klines, the average price and
the tickers.

Every method checks its keyword arguments before sending (``InvalidRequest``, nothing sent)
and returns the model of the answer. Times are integers of milliseconds (``*_ms``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..models.market import AggTrade, BookTicker, Depth, Kline, PriceTicker, Ticker24h, Trade
from ..models.spotmarket import AvgPrice, SpotMiniTicker
from ..venues.spot import market as ep
from .base import SpotBase

__all__ = ["MarketData"]

Ticker = Ticker24h | SpotMiniTicker


def _candles(arguments: dict[str, Any]) -> dict[str, Any]:
    """A kline method's keyword arguments (its locals, ``self`` left out)."""
    return {k: v for k, v in arguments.items() if k != "self"}


class MarketData(SpotBase):
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

    async def depth(self, symbol: str, limit: int = 100) -> Depth:
        """Order book snapshot, up to 5000 levels a side (weight 5 up to 100, 25 up to 500,
        50 up to 1000, 250 beyond).

        Raises :class:`~binance_async.errors.InvalidRequest` for a bad symbol or limit.
        """
        result: Depth = await self._read(ep.DEPTH, symbol=symbol, limit=limit)
        return result

    async def trades(self, symbol: str, limit: int | None = None) -> list[Trade]:
        """Recent public trades (up to 1000; weight 25)."""
        result: list[Trade] = await self._read(ep.TRADES, symbol=symbol, limit=limit)
        return result

    async def historical_trades(
        self, symbol: str, *, limit: int | None = None, from_id: int | None = None
    ) -> list[Trade]:
        """Older public trades from ``from_id`` (up to 1000; weight 25)."""
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
        """Aggregate trades, by id (``from_id``) or by time, not both (weight 4).

        Raises :class:`~binance_async.errors.InvalidRequest` for both.
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
        time_zone: str | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles of ``symbol`` (``interval`` 1s .. 1M; up to 1000; weight 2); with
        ``time_zone`` (``"8"``, ``"-1:00"``) the intervals follow that zone."""
        result: list[Kline] = await self._read(ep.KLINES, **_candles(locals()))
        return result

    async def ui_klines(
        self,
        symbol: str,
        interval: str,
        *,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        time_zone: str | None = None,
        limit: int | None = None,
    ) -> list[Kline]:
        """Candles shaped for charts (as :meth:`klines`; weight 2)."""
        result: list[Kline] = await self._read(ep.UI_KLINES, **_candles(locals()))
        return result

    async def avg_price(self, symbol: str) -> AvgPrice:
        """The average price over the exchange's last minutes (weight 2)."""
        result: AvgPrice = await self._read(ep.AVG_PRICE, symbol=symbol)
        return result

    async def ticker_24hr(
        self,
        symbol: str | None = None,
        *,
        symbols: Sequence[str] | None = None,
        type: str | None = None,
    ) -> Ticker | list[Ticker]:
        """24 hour statistics of one symbol (weight 2), of ``symbols`` (2 up to 20, 40 up
        to 100, 80 beyond) or of all (80); ``type`` FULL or MINI (:class:`SpotMiniTicker`)."""
        result: Ticker | list[Ticker] = await self._read(
            ep.TICKER_24HR, symbol=symbol, symbols=symbols, type=type
        )
        return result

    async def ticker_price(
        self, symbol: str | None = None, *, symbols: Sequence[str] | None = None
    ) -> PriceTicker | list[PriceTicker]:
        """Latest price of one symbol (weight 2), of ``symbols`` or of all (4)."""
        result: PriceTicker | list[PriceTicker] = await self._read(
            ep.TICKER_PRICE, symbol=symbol, symbols=symbols
        )
        return result

    async def book_ticker(
        self, symbol: str | None = None, *, symbols: Sequence[str] | None = None
    ) -> BookTicker | list[BookTicker]:
        """Best bid and ask of one symbol (weight 2), of ``symbols`` or of all (4)."""
        result: BookTicker | list[BookTicker] = await self._read(
            ep.BOOK_TICKER, symbol=symbol, symbols=symbols
        )
        return result

    async def rolling_window_ticker(
        self,
        symbol: str | None = None,
        *,
        symbols: Sequence[str] | None = None,
        window_size: str | None = None,
        type: str | None = None,
    ) -> Ticker | list[Ticker]:
        """Statistics over a rolling window (``window_size`` 1m..59m, 1h..23h, 1d..7d; the
        exchange's default 1d) of ``symbol`` or of up to 100 ``symbols`` (weight 4 a symbol,
        at most 200)."""
        result: Ticker | list[Ticker] = await self._read(
            ep.ROLLING_TICKER, symbol=symbol, symbols=symbols, window_size=window_size, type=type
        )
        return result

    async def trading_day_ticker(
        self,
        symbol: str | None = None,
        *,
        symbols: Sequence[str] | None = None,
        time_zone: str | None = None,
        type: str | None = None,
    ) -> Ticker | list[Ticker]:
        """Statistics since the trading day began in ``time_zone`` (hours, or hours:minutes,
        -12:00..+14:00; the exchange's default 0, UTC) of ``symbol`` or of up to 100
        ``symbols`` (weight 4 a symbol, at most 200). Raises ``InvalidRequest`` for neither
        or both, more than 100 symbols or a malformed ``time_zone``."""
        result: Ticker | list[Ticker] = await self._read(
            ep.TRADING_DAY_TICKER, symbol=symbol, symbols=symbols, time_zone=time_zone, type=type
        )
        return result
