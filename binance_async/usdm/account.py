"""Account: totals, balances, positions, income, commission, and the account's settings
(position mode, multi-assets mode, leverage, margin type, position margin)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..client import ClientBase
from ..venues.usdm import account as ep

if TYPE_CHECKING:  # the models load with the first answer (import time)
    from ..models.account import (
        AccountConfig,
        AccountInfo,
        AdlQuantile,
        Balance,
        CommissionRate,
        Income,
        LeverageBracket,
        LeverageChange,
        Position,
        PositionMarginChange,
        SymbolConfig,
    )

__all__ = ["Account"]


class Account(ClientBase):
    """Signed account reads and settings."""

    async def account(self) -> AccountInfo:
        """Account totals, assets, and positions of symbols with a position or open orders."""
        result: AccountInfo = await self._call(ep.ACCOUNT)
        return result

    async def account_v2(self) -> AccountInfo:
        """Account totals, assets, and positions of every symbol (``/fapi/v2/account``)."""
        result: AccountInfo = await self._call(ep.ACCOUNT_V2)
        return result

    async def balance(self) -> list[Balance]:
        """Futures wallet balances (weight 5)."""
        result: list[Balance] = await self._call(ep.BALANCE)
        return result

    async def balance_v2(self) -> list[Balance]:
        """Futures wallet balances from ``/fapi/v2/balance``."""
        result: list[Balance] = await self._call(ep.BALANCE_V2)
        return result

    async def position_risk(self, symbol: str | None = None) -> list[Position]:
        """Positions of symbols with a position or open orders (weight 5)."""
        result: list[Position] = await self._read(ep.POSITION_RISK, symbol=symbol)
        return result

    async def position_risk_v2(self, symbol: str | None = None) -> list[Position]:
        """Positions of every symbol and side (``/fapi/v2/positionRisk``)."""
        result: list[Position] = await self._read(ep.POSITION_RISK_V2, symbol=symbol)
        return result

    async def income(
        self,
        symbol: str | None = None,
        *,
        income_type: str | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        page: int | None = None,
        limit: int | None = None,
    ) -> list[Income]:
        """Income records: realized PnL, commission, funding fees, transfers ... (weight 30)."""
        result: list[Income] = await self._read(
            ep.INCOME,
            symbol=symbol,
            income_type=income_type,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            page=page,
            limit=limit,
        )
        return result

    async def commission_rate(self, symbol: str) -> CommissionRate:
        """The account's maker and taker commission on ``symbol`` (weight 20)."""
        result: CommissionRate = await self._read(ep.COMMISSION_RATE, symbol=symbol)
        return result

    async def adl_quantile(self, symbol: str | None = None) -> list[AdlQuantile]:
        """Auto-deleveraging queue position per symbol and side (0 to 4)."""
        result: list[AdlQuantile] = await self._read(ep.ADL_QUANTILE, symbol=symbol)
        return result

    async def leverage_bracket(self, symbol: str | None = None) -> list[LeverageBracket]:
        """Notional brackets and the leverage each allows, of one symbol or all."""
        result: list[LeverageBracket] = await self._read(ep.LEVERAGE_BRACKET, symbol=symbol)
        return result

    async def account_config(self) -> AccountConfig:
        """The account's settings: fee tier, permissions, position and multi-assets mode."""
        result: AccountConfig = await self._call(ep.ACCOUNT_CONFIG)
        return result

    async def symbol_config(self, symbol: str | None = None) -> list[SymbolConfig]:
        """The account's margin type and leverage per symbol."""
        result: list[SymbolConfig] = await self._read(ep.SYMBOL_CONFIG, symbol=symbol)
        return result

    async def api_trading_status(self, symbol: str | None = None) -> dict[str, Any]:
        """The account's quantitative-rules indicators."""
        result: dict[str, Any] = await self._read(ep.API_TRADING_STATUS, symbol=symbol)
        return result

    async def order_rate_limit(self) -> Any:
        """The account's ORDERS limits (which can be above the exchange's defaults)."""
        return await self._call(ep.ORDER_RATE_LIMIT)

    async def get_fee_burn(self) -> bool:
        """Whether fees are paid in BNB at a discount."""
        result: bool = await self._call(ep.FEE_BURN)
        return result

    async def set_fee_burn(self, fee_burn: bool) -> dict[str, Any]:
        """Pay fees in BNB at a discount (True), or not."""
        result: dict[str, Any] = await self._read(ep.SET_FEE_BURN, fee_burn=fee_burn)
        return result

    # -- settings --------------------------------------------------------------------------

    async def get_position_mode(self) -> bool:
        """True in hedge mode (positions per side), False in one-way mode."""
        result: bool = await self._call(ep.GET_POSITION_MODE)
        return result

    async def change_position_mode(self, dual_side_position: bool) -> dict[str, Any]:
        """Hedge mode (True: LONG and SHORT positions, orders carry ``position_side``) or
        one-way mode (False). Refused (-4059, -4067, -4068) when unchanged, or with open
        orders or positions."""
        result: dict[str, Any] = await self._read(
            ep.CHANGE_POSITION_MODE, dual_side_position=dual_side_position
        )
        return result

    async def get_multi_assets_mode(self) -> bool:
        """True when margin is shared across assets."""
        result: bool = await self._call(ep.GET_MULTI_ASSETS_MODE)
        return result

    async def change_multi_assets_mode(self, multi_assets_margin: bool) -> dict[str, Any]:
        """Share margin across assets (True) or not."""
        result: dict[str, Any] = await self._read(
            ep.CHANGE_MULTI_ASSETS_MODE, multi_assets_margin=multi_assets_margin
        )
        return result

    async def change_leverage(self, symbol: str, leverage: int) -> LeverageChange:
        """Set ``symbol``'s leverage (1 to 125, within its brackets)."""
        result: LeverageChange = await self._read(
            ep.CHANGE_LEVERAGE, symbol=symbol, leverage=leverage
        )
        return result

    async def change_margin_type(self, symbol: str, margin_type: str) -> dict[str, Any]:
        """``ISOLATED`` or ``CROSSED`` margin for ``symbol`` (-4046 when unchanged)."""
        result: dict[str, Any] = await self._read(
            ep.CHANGE_MARGIN_TYPE, symbol=symbol, margin_type=margin_type
        )
        return result

    async def modify_position_margin(
        self,
        symbol: str,
        amount: Decimal | int | str,
        type: int,
        *,
        position_side: str | None = None,
    ) -> dict[str, Any]:
        """Add (``type=1``) or remove (``type=2``) margin of an isolated position."""
        result: dict[str, Any] = await self._read(
            ep.MODIFY_POSITION_MARGIN,
            symbol=symbol,
            amount=amount,
            type=type,
            position_side=position_side,
        )
        return result

    async def position_margin_history(
        self,
        symbol: str,
        *,
        type: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        limit: int | None = None,
    ) -> list[PositionMarginChange]:
        """Changes of an isolated position's margin (a window of at most 30 days)."""
        result: list[PositionMarginChange] = await self._read(
            ep.POSITION_MARGIN_HISTORY,
            symbol=symbol,
            type=type,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            limit=limit,
        )
        return result
