"""Where the limiter keeps used counts: one integer per (key, window start).

A key names one rate limit on one scope, e.g. ``"REQUEST_WEIGHT 1M @10.0.0.1"`` or
``"ORDERS 10S"``. :class:`BudgetStore` is the small interface the limiter needs, so a store
shared by several processes on the same IP or account can be plugged in later;
:class:`MemoryBudgetStore` is the in-process one.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["BudgetStore", "MemoryBudgetStore"]


class BudgetStore(Protocol):
    """Used counts per (key, window start in server ms)."""

    def get(self, key: str, window_start_ms: int) -> int:
        """The count for that window; 0 when nothing was recorded."""
        ...

    def raise_to(self, key: str, window_start_ms: int, value: int) -> int:
        """Set the count to ``max(count, value)``; return the new count."""
        ...

    def add(self, key: str, window_start_ms: int, amount: int) -> int:
        """Add ``amount`` to the count; return the new count."""
        ...

    def drop_before(self, key: str, window_start_ms: int) -> None:
        """Forget the key's windows that start before ``window_start_ms``."""
        ...


class MemoryBudgetStore:
    """A :class:`BudgetStore` in a dict; the limiter prunes it, so it stays small."""

    __slots__ = ("_data",)

    def __init__(self) -> None:
        self._data: dict[str, dict[int, int]] = {}

    def get(self, key: str, window_start_ms: int) -> int:
        """The count for that window; 0 when nothing was recorded."""
        windows = self._data.get(key)
        return 0 if windows is None else windows.get(window_start_ms, 0)

    def raise_to(self, key: str, window_start_ms: int, value: int) -> int:
        """Set the count to ``max(count, value)``; return the new count."""
        windows = self._data.setdefault(key, {})
        current = windows.get(window_start_ms, 0)
        if value > current:
            windows[window_start_ms] = current = value
        return current

    def add(self, key: str, window_start_ms: int, amount: int) -> int:
        """Add ``amount`` to the count; return the new count."""
        windows = self._data.setdefault(key, {})
        value = windows.get(window_start_ms, 0) + amount
        windows[window_start_ms] = value
        return value

    def drop_before(self, key: str, window_start_ms: int) -> None:
        """Forget the key's windows that start before ``window_start_ms``."""
        windows = self._data.get(key)
        if windows:
            for start in [s for s in windows if s < window_start_ms]:
                del windows[start]

    def __len__(self) -> int:
        """Number of (key, window) counts held."""
        return sum(len(w) for w in self._data.values())

    def __repr__(self) -> str:
        return f"<MemoryBudgetStore keys={len(self._data)} windows={len(self)}>"
