"""Market data: connectivity, time, the order book, prices."""

from __future__ import annotations

from typing import Any

from ..client import ClientBase
from ..venues import usdm_endpoints as ep

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

    async def depth(self, symbol: str, limit: int = 500) -> Any:
        """Order book snapshot; ``limit`` in 5, 10, 20, 50, 100, 500, 1000 (weight by limit).

        Raises :class:`~binance_async.errors.InvalidRequest` for a bad symbol or limit.
        """
        return await self._read(ep.DEPTH, symbol=symbol, limit=limit)

    async def ticker_price(self, symbol: str | None = None) -> Any:
        """Latest price of one symbol, or of all (weight 1 / 2)."""
        return await self._read(ep.TICKER_PRICE, symbol=symbol)
