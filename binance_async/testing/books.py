"""An account's own records: user trades, income, and order amendments."""

from __future__ import annotations

from decimal import Decimal

import attrs

__all__ = ["Amendment", "Books", "Income", "UserTrade"]

_FIRST_TRAN_ID = 9_000_000_001
_FIRST_AMENDMENT_ID = 100_001


@attrs.frozen(kw_only=True)
class UserTrade:
    """One fill of one of the account's orders (GET /fapi/v1/userTrades)."""

    account: str
    trade_id: int
    symbol: str
    order_id: int
    side: str
    position_side: str
    price: Decimal
    qty: Decimal
    commission: Decimal
    commission_asset: str
    realized_pnl: Decimal
    maker: bool
    time_ms: int

    @property
    def quote_qty(self) -> Decimal:
        """price * qty."""
        return self.price * self.qty


@attrs.frozen(kw_only=True)
class Income:
    """One income record (GET /fapi/v1/income)."""

    account: str
    symbol: str
    income_type: str
    income: Decimal
    asset: str
    time_ms: int
    tran_id: int
    trade_id: str


@attrs.frozen(kw_only=True)
class Amendment:
    """One modification of an order (GET /fapi/v1/orderAmendment)."""

    amendment_id: int
    account: str
    symbol: str
    order_id: int
    client_order_id: str
    time_ms: int
    price_before: Decimal
    price_after: Decimal
    qty_before: Decimal
    qty_after: Decimal
    count: int


class Books:
    """User trades, income records and amendments of every account, in the order they happen."""

    def __init__(self) -> None:
        self.trades: list[UserTrade] = []
        self.income: list[Income] = []
        self.amendments: list[Amendment] = []
        self._next_tran = _FIRST_TRAN_ID
        self._next_amendment = _FIRST_AMENDMENT_ID

    def add_trade(self, trade: UserTrade) -> None:
        """Record a fill."""
        self.trades.append(trade)

    def add_income(
        self,
        account: str,
        symbol: str,
        income_type: str,
        amount: Decimal,
        time_ms: int,
        trade_id: int | None = None,
    ) -> None:
        """Record an income flow (one transaction id each)."""
        self.income.append(
            Income(
                account=account,
                symbol=symbol,
                income_type=income_type,
                income=amount,
                asset="USDT",
                time_ms=time_ms,
                tran_id=self._next_tran,
                trade_id="" if trade_id is None else str(trade_id),
            )
        )
        self._next_tran += 1

    def add_amendment(
        self,
        account: str,
        symbol: str,
        order_id: int,
        client_order_id: str,
        time_ms: int,
        before: tuple[Decimal, Decimal],
        after: tuple[Decimal, Decimal],
    ) -> Amendment:
        """Record a modification: ``before`` and ``after`` are (price, quantity)."""
        count = 1 + sum(1 for a in self.amendments if a.order_id == order_id)
        amendment = Amendment(
            amendment_id=self._next_amendment,
            account=account,
            symbol=symbol,
            order_id=order_id,
            client_order_id=client_order_id,
            time_ms=time_ms,
            price_before=before[0],
            price_after=after[0],
            qty_before=before[1],
            qty_after=after[1],
            count=count,
        )
        self._next_amendment += 1
        self.amendments.append(amendment)
        return amendment
