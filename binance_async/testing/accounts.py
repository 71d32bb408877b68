"""Accounts: wallet, positions per side, per-symbol settings and the leverage brackets."""

from __future__ import annotations

from decimal import Decimal

import attrs

__all__ = [
    "BOTH",
    "ZERO",
    "AccountState",
    "Bracket",
    "MarginChange",
    "Position",
    "brackets",
    "max_leverage",
    "max_notional",
]

ZERO = Decimal(0)
BOTH = "BOTH"

# (initial leverage, notional cap, maintenance margin ratio) per bracket, lowest notional first.
_BTC_ETH = (
    (125, 50_000, "0.004"),
    (100, 600_000, "0.005"),
    (75, 3_000_000, "0.0065"),
    (50, 12_000_000, "0.01"),
    (25, 70_000_000, "0.02"),
    (20, 100_000_000, "0.025"),
    (10, 230_000_000, "0.05"),
    (5, 480_000_000, "0.1"),
    (4, 600_000_000, "0.125"),
    (3, 800_000_000, "0.15"),
    (2, 1_200_000_000, "0.25"),
    (1, 1_800_000_000, "0.5"),
)
_SMALL = (
    (75, 5_000, "0.01"),
    (50, 25_000, "0.02"),
    (25, 100_000, "0.025"),
    (20, 250_000, "0.05"),
    (10, 1_000_000, "0.1"),
    (5, 2_000_000, "0.125"),
    (4, 5_000_000, "0.15"),
    (2, 10_000_000, "0.25"),
    (1, 20_000_000, "0.5"),
)
_TABLES = {"BTCUSDT": _BTC_ETH, "ETHUSDT": _BTC_ETH}


@attrs.frozen(kw_only=True)
class Bracket:
    """One notional bracket of a symbol (as GET /fapi/v1/leverageBracket shows it)."""

    bracket: int
    initial_leverage: int
    notional_cap: int
    notional_floor: int
    maint_margin_ratio: Decimal
    cum: Decimal

    def payload(self) -> dict[str, object]:
        """The bracket as the exchange prints it (numbers, not strings, as documented)."""
        return {
            "bracket": self.bracket,
            "initialLeverage": self.initial_leverage,
            "notionalCap": self.notional_cap,
            "notionalFloor": self.notional_floor,
            "maintMarginRatio": float(self.maint_margin_ratio),
            "cum": float(self.cum),
        }


def brackets(symbol: str) -> tuple[Bracket, ...]:
    """The symbol's brackets; ``cum`` is the maintenance amount carried between brackets."""
    out: list[Bracket] = []
    floor, cum, previous_ratio = 0, ZERO, ZERO
    for i, (leverage, cap, ratio) in enumerate(_TABLES.get(symbol, _SMALL), start=1):
        mmr = Decimal(ratio)
        cum += floor * (mmr - previous_ratio)
        out.append(
            Bracket(
                bracket=i,
                initial_leverage=leverage,
                notional_cap=cap,
                notional_floor=floor,
                maint_margin_ratio=mmr,
                cum=cum,
            )
        )
        floor, previous_ratio = cap, mmr
    return tuple(out)


def max_leverage(symbol: str) -> int:
    """The highest leverage the symbol allows (its first bracket's)."""
    return brackets(symbol)[0].initial_leverage


def max_notional(symbol: str, leverage: int) -> int:
    """The largest position notional allowed at ``leverage``."""
    allowed = [b.notional_cap for b in brackets(symbol) if b.initial_leverage >= leverage]
    return max(allowed, default=0)


@attrs.frozen(kw_only=True)
class Position:
    """A position on one side: signed amount (SHORT negative), entry price, isolated wallet."""

    symbol: str
    amount: Decimal = ZERO
    entry_price: Decimal = ZERO
    update_time_ms: int = 0
    position_side: str = BOTH
    #: Margin held by an isolated position (0 for cross).
    isolated_wallet: Decimal = ZERO


@attrs.frozen(kw_only=True)
class MarginChange:
    """One change of an isolated position's margin (GET /fapi/v1/positionMargin/history)."""

    symbol: str
    type: int
    amount: Decimal
    position_side: str
    time_ms: int


@attrs.define(kw_only=True)
class AccountState:
    """An account's wallet, positions and settings (mutable exchange state)."""

    name: str
    wallet: Decimal
    #: (symbol, position side) -> position; BOTH in one-way mode, LONG/SHORT in hedge mode.
    positions: dict[tuple[str, str], Position] = attrs.Factory(dict)
    leverage: dict[str, int] = attrs.Factory(dict)
    #: Symbols in isolated margin (every other symbol is CROSSED).
    isolated: set[str] = attrs.Factory(set)
    dual_side: bool = False
    multi_assets: bool = False
    fee_burn: bool = False
    update_time_ms: int = 0
    margin_changes: list[MarginChange] = attrs.Factory(list)

    def position(self, symbol: str, side: str = BOTH) -> Position:
        """The position on ``symbol`` and ``side`` (flat when none)."""
        found = self.positions.get((symbol, side))
        return found or Position(symbol=symbol, position_side=side)

    def sides(self) -> tuple[str, ...]:
        """The position sides of the account's mode."""
        return ("LONG", "SHORT") if self.dual_side else (BOTH,)

    def has_position(self, symbol: str | None = None) -> bool:
        """Whether any (or ``symbol``'s) position is open."""
        return any(p.amount != 0 for (s, _), p in self.positions.items() if symbol in (None, s))
