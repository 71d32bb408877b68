"""Account: totals, balances, positions."""

from __future__ import annotations

from ..client import ClientBase
from ..models import AccountInfo, Balance, Position
from ..venues import usdm_endpoints as ep

__all__ = ["Account"]


class Account(ClientBase):
    """Signed account reads."""

    async def account(self) -> AccountInfo:
        """Account totals, assets and positions (weight 5)."""
        result: AccountInfo = await self._call(ep.ACCOUNT)
        return result

    async def balance(self) -> list[Balance]:
        """Futures wallet balances (weight 5)."""
        result: list[Balance] = await self._call(ep.BALANCE)
        return result

    async def position_risk(self, symbol: str | None = None) -> list[Position]:
        """Positions, of one symbol or of all (weight 5)."""
        result: list[Position] = await self._read(ep.POSITION_RISK, symbol=symbol)
        return result
