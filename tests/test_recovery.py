"""Backoff delays and the in-flight gate that -1008 shrinks (binance_async.recovery)."""

from __future__ import annotations

import asyncio
import random

import pytest

from binance_async.config import RetryConfig
from binance_async.recovery import Backoff, InflightGate


def test_backoff_doubles_from_the_base_up_to_the_cap() -> None:
    """Without jitter the delays are 200, 400, 800 ms ... and then the cap."""
    backoff = Backoff(RetryConfig(jitter=0.0, max_delay_s=3.2), random.Random(0))
    assert [backoff.delay_s(n) for n in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 3.2, 3.2]


def test_backoff_jitter_stays_within_its_share() -> None:
    """With 25 % jitter each delay lies within +-25 % of its base, and they differ."""
    backoff = Backoff(RetryConfig(jitter=0.25), random.Random(7))
    delays = [backoff.delay_s(1) for _ in range(200)]
    assert all(0.3 <= d <= 0.5 for d in delays)
    assert len(set(delays)) > 100


def test_backoff_survives_any_attempt_number() -> None:
    """A very long retry run gets the cap, not an OverflowError."""
    backoff = Backoff(RetryConfig(jitter=0.0, max_delay_s=2.0), random.Random(0))
    assert backoff.delay_s(5000) == 2.0


class FakeMonotonic:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> int:
        return int(self.now * 1e9)


def test_gate_halves_on_throttle_and_grows_back_by_one() -> None:
    """-1008 halves the cap (never below the minimum); each success adds one back."""
    clock = FakeMonotonic()
    gate = InflightGate(8, minimum=2, monotonic_ns=clock)
    gate.throttled()
    assert gate.limit == 4
    for _ in range(2):
        clock.now += 0.2
        gate.throttled()
    assert gate.limit == 2 and gate.lowest_limit == 2
    for _ in range(10):
        gate.succeeded()
    assert gate.limit == 8 and gate.lowest_limit == 2


def test_gate_counts_a_burst_of_throttles_as_one_signal() -> None:
    """-1008s arriving together halve the cap once; one after the hold halves it again."""
    clock = FakeMonotonic()
    gate = InflightGate(200, monotonic_ns=clock)
    for _ in range(50):
        gate.throttled()
        clock.now += 0.001
    assert gate.limit == 100
    clock.now += 0.2
    gate.throttled()
    assert gate.limit == 50 and gate.lowest_limit == 50


def test_gate_refuses_a_minimum_above_the_maximum() -> None:
    """A gate that could never admit anything is a configuration error."""
    with pytest.raises(ValueError, match="minimum"):
        InflightGate(0)


async def test_gate_holds_callers_past_the_cap_in_fifo_order() -> None:
    """Past the cap callers wait, and are let in in arrival order as slots come back."""
    gate = InflightGate(2)
    await gate.acquire()
    await gate.acquire()
    order: list[int] = []

    async def enter(n: int) -> None:
        await gate.acquire()
        order.append(n)

    waiters = [asyncio.create_task(enter(n)) for n in range(3)]
    await asyncio.sleep(0)
    assert order == [] and gate.in_flight == 2
    gate.release()
    gate.release()
    await asyncio.sleep(0)
    assert order == [0, 1] and gate.in_flight == 2
    gate.release()
    await asyncio.gather(*waiters)
    assert order == [0, 1, 2]


async def test_gate_shrink_holds_new_callers_until_in_flight_drops() -> None:
    """After -1008 halves the cap, a new caller waits until in-flight falls below it."""
    gate = InflightGate(4)
    for _ in range(4):
        await gate.acquire()
    gate.throttled()  # limit 2, 4 in flight
    waiter = asyncio.create_task(gate.acquire())
    gate.release()
    gate.release()
    await asyncio.sleep(0)
    assert not waiter.done()
    gate.release()
    await asyncio.wait_for(waiter, 1)
    assert gate.in_flight == 2


async def test_gate_counts_a_batch_as_several_slots_but_never_blocks_it_forever() -> None:
    """A 5-order batch takes 5 slots; with the cap below 5 it goes alone when nothing else is."""
    gate = InflightGate(8, hold_s=0.0)
    gate.throttled()
    gate.throttled()  # limit 2
    await gate.acquire()
    batch = asyncio.create_task(gate.acquire(5))
    await asyncio.sleep(0)
    assert not batch.done()
    gate.release()
    await asyncio.wait_for(batch, 1)
    assert gate.in_flight == 5
    gate.release(5)
    assert gate.in_flight == 0


async def test_gate_cancelled_waiter_leaves_no_slot_behind() -> None:
    """A caller cancelled while waiting neither keeps a slot nor blocks those behind it."""
    gate = InflightGate(1)
    await gate.acquire()
    first = asyncio.create_task(gate.acquire())
    second = asyncio.create_task(gate.acquire())
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    gate.release()
    await asyncio.wait_for(second, 1)
    assert gate.in_flight == 1
    gate.release()
    assert gate.in_flight == 0
