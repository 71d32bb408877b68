"""countdownCancelAll: per account and symbol, a deadline on the exchange's clock."""

from __future__ import annotations

__all__ = ["Countdowns"]


class Countdowns:
    """Deadlines set by POST /fapi/v1/countdownCancelAll; each fires once, then is gone."""

    def __init__(self) -> None:
        self._deadlines: dict[tuple[str, str], int] = {}

    def set(self, account: str, symbol: str, countdown_ms: int, now_ms: int) -> None:
        """Start (or replace) the countdown; 0 switches it off."""
        if countdown_ms == 0:
            self._deadlines.pop((account, symbol), None)
        else:
            self._deadlines[(account, symbol)] = now_ms + countdown_ms

    def deadline(self, account: str, symbol: str) -> int | None:
        """When the symbol's orders of the account will be cancelled, if a countdown runs."""
        return self._deadlines.get((account, symbol))

    def due(self, now_ms: int) -> list[tuple[str, str]]:
        """(account, symbol) of the countdowns that passed; they are removed."""
        passed = [key for key, at in self._deadlines.items() if at <= now_ms]
        for key in passed:
            del self._deadlines[key]
        return passed
