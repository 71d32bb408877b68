"""The Spot account: balances and permissions, trades, prevented matches, commission rates,
and the unfilled order counts."""

from __future__ import annotations

from ..models.spotaccount import (
    CommissionRates,
    OrderCountUsage,
    PreventedMatch,
    SpotAccount,
    SpotTrade,
)
from ..venues.spot import account as ep
from .base import SpotBase

__all__ = ["Account"]


class Account(SpotBase):
    """Signed account reads."""

    async def account(self, *, omit_zero_balances: bool | None = None) -> SpotAccount:
        """Balances (free and locked), commission rates and permissions (weight 20)."""
        result: SpotAccount = await self._read(ep.ACCOUNT, omit_zero_balances=omit_zero_balances)
        return result

    async def my_trades(
        self,
        symbol: str,
        *,
        order_id: int | None = None,
        start_time_ms: int | None = None,
        end_time_ms: int | None = None,
        from_id: int | None = None,
        limit: int | None = None,
    ) -> list[SpotTrade]:
        """The account's fills on ``symbol``: of one order (weight 5), from ``from_id``, or in
        a window of at most 24 hours (weight 20).

        Raises :class:`~binance_async.errors.InvalidRequest` for a combination the exchange
        does not take (a time window with ``from_id`` or ``order_id``, a longer window).
        """
        result: list[SpotTrade] = await self._read(
            ep.MY_TRADES,
            symbol=symbol,
            order_id=order_id,
            start_time_ms=start_time_ms,
            end_time_ms=end_time_ms,
            from_id=from_id,
            limit=limit,
        )
        return result

    async def my_prevented_matches(
        self,
        symbol: str,
        *,
        prevented_match_id: int | None = None,
        order_id: int | None = None,
        from_prevented_match_id: int | None = None,
        limit: int | None = None,
    ) -> list[PreventedMatch]:
        """Orders that self-trade prevention expired: one match by ``prevented_match_id``
        (weight 2), or an order's by ``order_id`` (weight 20; from
        ``from_prevented_match_id`` on).

        Raises :class:`~binance_async.errors.InvalidRequest` unless exactly one of
        ``prevented_match_id`` and ``order_id`` is given.
        """
        result: list[PreventedMatch] = await self._read(
            ep.MY_PREVENTED_MATCHES,
            symbol=symbol,
            prevented_match_id=prevented_match_id,
            order_id=order_id,
            from_prevented_match_id=from_prevented_match_id,
            limit=limit,
        )
        return result

    async def commission_rates(self, symbol: str) -> CommissionRates:
        """The account's commission on ``symbol``: standard, tax, special, and the discount
        for paying in BNB (weight 20)."""
        result: CommissionRates = await self._read(ep.COMMISSION, symbol=symbol)
        return result

    async def order_rate_limit(self) -> list[OrderCountUsage]:
        """The account's unfilled order count in each ORDERS window (weight 40)."""
        result: list[OrderCountUsage] = await self._call(ep.RATE_LIMIT_ORDER)
        return result
