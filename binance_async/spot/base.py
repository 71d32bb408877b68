"""What the Spot method groups share: the symbol's Spot rules, and one order's checks."""

from __future__ import annotations

from typing import Any

from ..client import ClientBase
from ..errors import MalformedAnswer, RequestInfo
from ..models.spotmarket import SpotSymbolInfo
from ..venues.spot import market
from .rules import Shape, check_filters, check_shape

__all__ = ["SpotBase"]


class SpotBase(ClientBase):
    """A Spot client's shared steps (the groups derive from it)."""

    async def spot_rules(self, symbol: str) -> SpotSymbolInfo:
        """``symbol``'s Spot rules (filters, allowed order kinds), from cached exchangeInfo.

        Raises :class:`~binance_async.errors.UnknownSymbol` for a malformed or unlisted
        symbol, and :class:`~binance_async.errors.MalformedAnswer` when exchangeInfo cannot
        be read.
        """
        info = await self.symbol_info(symbol)
        if not isinstance(info, SpotSymbolInfo):  # the venue's exchangeInfo builds these
            endpoint = market.EXCHANGE_INFO
            raise MalformedAnswer(
                status=200,
                code=None,
                message=f"{symbol}'s rules are not Spot's",
                request=RequestInfo(endpoint.method, endpoint.path),
            )
        return info

    async def _check_order(
        self, symbol: str, order: Shape, *, stp_mode: Any = None, what: str = ""
    ) -> None:
        """The type's parameters, then the symbol's filters (``InvalidRequest`` and its
        ``FilterViolation``; nothing is sent)."""
        check_shape(order, what)
        check_filters(await self.spot_rules(symbol), order, stp_mode=stp_mode, what=what)
