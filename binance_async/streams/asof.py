"""What every account mirror applies the same way: exchange time per item, and orders that
never go back.

A state is taken only if it is not older than the one held: an event at the same exchange
time as the state held is taken (events of one connection come in order), a REST answer only
when it is newer. An order never goes back: not to a smaller filled quantity, not from a
final status to an open one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

__all__ = ["AsOf", "ClosedKept", "regresses"]


class AsOf:
    """The exchange time of the state held, per item (``("order", order_id)``, ...)."""

    __slots__ = ("_times",)

    def __init__(self) -> None:
        self._times: dict[tuple[str, Any], int] = {}

    def fresh(self, key: tuple[str, Any], when: int, *, event: bool) -> bool:
        """Whether a state of exchange time ``when`` may replace the one held; if so, ``when``
        is recorded. ``event``: an event (taken at the held time too), not a REST answer."""
        held = self._times.get(key)
        if held is not None and (when < held or (when == held and not event)):
            return False
        self._times[key] = when
        return True

    def forget(self, key: tuple[str, Any]) -> None:
        """Drop the time held for ``key`` (an item no longer kept)."""
        self._times.pop(key, None)


class ClosedKept:
    """Keeps a table of orders (oldest first) to every open one and the latest ``keep``
    closed ones. The table is swept once it is ``slack`` past what was left by the last
    sweep, so a sweep (a pass over the table) is paid once per ``slack`` insertions, even
    when thousands of orders stay open; ``forget`` is told of each order dropped."""

    __slots__ = ("_at", "_forget", "_keep", "_open", "_slack")

    def __init__(
        self,
        keep: int,
        open_statuses: frozenset[str],
        forget: Callable[[Any], None],
        slack: int = 1_000,
    ) -> None:
        self._keep = keep
        self._open = open_statuses
        self._forget = forget
        self._slack = slack
        self._at = keep + slack

    def __call__(self, table: OrderedDict[str, Any]) -> None:
        """Sweep ``table`` if it is due."""
        if len(table) <= self._at:
            return
        closed = [key for key, order in table.items() if order.status not in self._open]
        for key in closed[: max(0, len(table) - self._keep)]:
            self._forget(table.pop(key))
        self._at = max(len(table), self._keep) + self._slack


def regresses(old: Any, new: Any, open_statuses: frozenset[str]) -> bool:
    """Whether ``new`` would take an order back: less filled, or reopened."""
    if old.status not in open_statuses and new.status in open_statuses:
        return True
    old_filled = getattr(old, "executed_qty", None)
    new_filled = getattr(new, "executed_qty", None)
    return old_filled is not None and new_filled is not None and new_filled < old_filled
