"""The account mirrors stay bounded: every open order and the latest 10,000 closed ones are
kept, and what is dropped leaves no trace behind (its exchange time, its name)."""

from __future__ import annotations

import copy
from typing import Any

from binance_async.models.userevents import OrderUpdate
from binance_async.streams.mirror import AccountMirror

from .test_stream_parts import order_event


def event(n: int, status: str) -> OrderUpdate:
    """Order ``n`` (its own client id and order id) in ``status`` at exchange time ``n``."""
    raw: dict[str, Any] = copy.deepcopy(order_event(status, "NEW", "0", 1_000 + n, order_id=n))
    raw["o"]["c"] = f"c-{n}"
    return OrderUpdate.from_event(raw)


def test_closed_orders_beyond_the_kept_ones_leave_no_trace() -> None:
    """25,000 orders that end: the table holds at most 10,000 closed ones (plus the sweep's
    slack) and the exchange-time record no more than the table."""
    mirror = AccountMirror()
    for n in range(25_000):
        assert mirror.apply(event(n, "NEW"))
        assert mirror.apply(event(n, "FILLED"))
    assert 10_000 <= len(mirror.orders) <= 11_000
    assert len(mirror._as_of._times) == len(mirror.orders)
    assert "c-24999" in mirror.orders and "c-0" not in mirror.orders


def test_open_orders_are_never_dropped_and_sweeps_stay_rare() -> None:
    """12,000 open orders, then 3,000 that end: every open one stays, the closed ones go, and
    the table is swept about once per thousand insertions, not at every one past 10,000."""
    mirror = AccountMirror()
    trim = mirror._trim_orders
    sweeps = 0

    def counting(table: Any) -> None:
        nonlocal sweeps
        before = trim._at
        trim(table)
        sweeps += trim._at != before

    mirror._trim_orders = counting  # type: ignore[assignment]
    for n in range(12_000):
        mirror.apply(event(n, "NEW"))
    for n in range(12_000, 15_000):
        mirror.apply(event(n, "NEW"))
        mirror.apply(event(n, "CANCELED"))
    assert len(mirror.open_orders) == 12_000
    assert len(mirror.orders) <= 13_000
    assert 1 <= sweeps <= 6, sweeps
    assert len(mirror._as_of._times) == len(mirror.orders)
