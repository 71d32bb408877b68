"""Tests of the limiter (ledger, admission queue, shared store): windows, counts, guard,
unconfirmed windows and their probe, fairness, 429 pauses and 418 bans.

Time is virtual: FakeServerTime is the exchange's clock as the limiter sees it (true time plus
a fixed skew) and its ``sleep`` returns only when the test advances true time.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
import random
from collections.abc import Coroutine, Iterable, Mapping
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy

from binance_async.budget import (
    Claim,
    Fallback,
    MemoryBudgetStore,
    StoreUnavailable,
    SyncReply,
    SyncRequest,
    Update,
)
from binance_async.errors import IPBanned
from binance_async.ledger import Ledger
from binance_async.limits import Limiter
from binance_async.ratelimits import (
    Interval,
    LimitsSnapshot,
    Priority,
    RateLimit,
    WindowState,
)
from binance_async.venues.usdm import USDM
from binance_async.windows import Reservation

MINUTE = 60_000
#: A server-minute boundary (1_700_000_040_000 % 60_000 == 0).
M0 = 1_700_000_040_000


class FakeServerTime:
    """The exchange's clock as the limiter reads it, and a sleep driven by the test."""

    def __init__(
        self, *, start_ms: float = M0 + 10_000, skew_ms: float = 0.0, uncertainty_ms: float = 0.0
    ) -> None:
        self.true_ms = float(start_ms)  # the exchange's real time
        self.skew_ms = skew_ms  # our estimate minus the real time
        self._uncertainty_ms = uncertainty_ms
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()
        self.sleeps: list[float] = []

    def now_ms(self) -> int:
        return math.floor(self.true_ms + self.skew_ms)

    @property
    def uncertainty_ms(self) -> float:
        return self._uncertainty_ms

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.true_ms + seconds * 1000, next(self._seq), future))
        await future

    @staticmethod
    async def settle() -> None:
        """Let every ready task run until it blocks again."""
        for _ in range(30):
            await asyncio.sleep(0)

    def _wake_next(self, limit_ms: float) -> bool:
        while self._sleepers and self._sleepers[0][0] <= limit_ms:
            due, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                self.true_ms = max(self.true_ms, due)
                future.set_result(None)
                return True
        return False

    async def advance_to(self, server_ms: float) -> None:
        """Move time on until our clock reads ``server_ms``, waking sleepers on the way."""
        target = server_ms - self.skew_ms
        await self.settle()
        while self._wake_next(target):
            await self.settle()
        self.true_ms = max(self.true_ms, target)
        await self.settle()

    async def run(self, tasks: Iterable[asyncio.Task[Any]]) -> None:
        """Advance from sleeper to sleeper until every task is done."""
        pending = list(tasks)
        while True:
            await self.settle()
            if all(t.done() for t in pending):
                return
            assert self._wake_next(math.inf), "deadlock: tasks wait and nothing sleeps"


def weight_limit(limit: int, interval: Interval = "MINUTE", num: int = 1) -> RateLimit:
    """A REQUEST_WEIGHT limit."""
    return RateLimit(kind="REQUEST_WEIGHT", interval=interval, interval_num=num, limit=limit)


def order_limit(limit: int, interval: Interval = "SECOND", num: int = 10) -> RateLimit:
    """An ORDERS limit."""
    return RateLimit(kind="ORDERS", interval=interval, interval_num=num, limit=limit)


def make(
    clock: FakeServerTime, *limits: RateLimit, addresses: tuple[str, ...] = ("default",)
) -> Limiter:
    """A limiter on ``clock`` (weight 10 per minute unless told)."""
    return Limiter(
        clock=clock, addresses=addresses, limits=limits or (weight_limit(10),), sleep=clock.sleep
    )


def count(limiter: Limiter, start: int, label: str = "1M", address: str | None = "default") -> int:
    """The ledger's count of one window (by its start), for one address or the account."""
    for where, scope in limiter.ledger.scopes():
        for track in scope.tracks:
            if track.rate.label == label and where == address:
                return track.counts.get(start, 0)
    raise AssertionError(f"no {label} window for {address}")


def task(coro: Coroutine[Any, Any, Reservation]) -> asyncio.Task[Reservation]:
    """Run an admit concurrently."""
    return asyncio.get_running_loop().create_task(coro)


async def admitted_at_once(clock: FakeServerTime, limiter: Limiter, n: int) -> list[bool]:
    """Ask for ``n`` more weight-1 admissions at once: which of them were granted without
    time moving on (in order); the rest are cancelled."""
    more = [task(limiter.admit(weight=1)) for _ in range(n)]
    await clock.settle()
    granted = [t.done() for t in more]
    for waiter in more:
        waiter.cancel()
    await clock.settle()
    return granted


def used(
    limiter: Limiter,
    kind: str = "REQUEST_WEIGHT",
    label: str = "1M",
    address: str | None = "default",
) -> int:
    """Committed count of one current window, from the snapshot."""
    (state,) = [
        w
        for w in limiter.snapshot.windows
        if w.kind == kind and w.label == label and (kind == "ORDERS" or w.address == address)
    ]
    return state.used


OK: Mapping[str, str] = {}


# -- records ---------------------------------------------------------------------------------


def test_rate_limit_names_window_and_header() -> None:
    """RateLimit derives window length, label and the lower-case header name."""
    rate = weight_limit(2400)
    assert (rate.window_ms, rate.label, rate.header) == (60_000, "1M", "x-mbx-used-weight-1m")
    orders = order_limit(300)
    assert (orders.window_ms, orders.label, orders.header) == (
        10_000,
        "10S",
        "x-mbx-order-count-10s",
    )


def test_rate_limit_from_payload_skips_untracked_kinds() -> None:
    """from_payload builds the three kinds (RAW_REQUESTS has no header) and returns None for
    a kind it does not know."""
    item = {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 1200}
    assert RateLimit.from_payload(item) == order_limit(1200, "MINUTE", 1)
    raw = {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 6100}
    parsed = RateLimit.from_payload(raw)
    assert parsed == RateLimit(kind="RAW_REQUESTS", interval="MINUTE", interval_num=5, limit=6100)
    assert (parsed.label, parsed.header, parsed.bucket) == ("5M", "", None)
    assert RateLimit.from_payload({**raw, "rateLimitType": "CONNECTIONS"}) is None
    with pytest.raises(ValueError, match="bucket"):
        RateLimit(kind="ORDERS", interval="SECOND", interval_num=10, limit=5, bucket="x")


def test_rate_limit_rejects_bad_values() -> None:
    """Validators name the field and the bad value."""
    with pytest.raises(ValueError, match="interval"):
        weight_limit(10, interval="WEEK")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="interval_num"):
        weight_limit(10, num=0)


def test_default_limits_follow_the_reference() -> None:
    """Defaults are weight 2400/1M, orders 300/10S, 1200/1M, and the funding (500/5M) and
    /futures/data (1000/5M) request buckets (fapi-rules.md section 5)."""
    assert {(r.kind, r.label, r.limit, r.bucket) for r in USDM.limits} == {
        ("REQUEST_WEIGHT", "1M", 2400, None),
        ("ORDERS", "10S", 300, None),
        ("ORDERS", "1M", 1200, None),
        ("RAW_REQUESTS", "5M", 500, "funding"),
        ("RAW_REQUESTS", "5M", 1000, "futures-data"),
    }


async def test_memory_store_reserves_only_what_fits_and_expires_holds() -> None:
    """The in-process store applies news, reserves atomically, and drops a dead hold in time."""
    store = MemoryBudgetStore()
    key = "usdm|ip:a|REQUEST_WEIGHT 1M"
    news = SyncRequest(
        now_ms=M0,
        updates=(Update(key, M0, 6, add=True, read=True), Update(key, M0, 8, add=False)),
    )
    assert not (await store.sync(news)).granted  # news alone reserve nothing
    claim = Claim(key, (M0,), 2, 10)
    first = await store.sync(
        SyncRequest(now_ms=M0, hold_id="h1", claims=(claim,), hold_until_ms=M0 + 500)
    )
    assert first.granted and first.counts == {(key, M0): 8}
    second = await store.sync(SyncRequest(now_ms=M0 + 1, hold_id="h2", claims=(claim,)))
    assert not second.granted and second.counts == {(key, M0): 10}  # 8 + h1's hold of 2
    assert second.retry_after_ms == 499  # h1 ends then at the latest
    later = await store.sync(SyncRequest(now_ms=M0 + 500, hold_id="h3", claims=(claim,)))
    assert later.granted  # h1's process never settled: its hold expired


async def test_memory_store_unconfirmed_claim_counts_both_windows_and_one_probe() -> None:
    """A claim on an unconfirmed window adds the previous window; one probe may pass alone."""
    store = MemoryBudgetStore()
    key = "usdm|ip:a|REQUEST_WEIGHT 1M"
    await store.sync(SyncRequest(now_ms=M0, updates=(Update(key, M0 - MINUTE, 9, add=True),)))
    both = Claim(key, (M0 - MINUTE, M0), 2, 10)
    assert not (await store.sync(SyncRequest(now_ms=M0, hold_id="a", claims=(both,)))).granted
    probe = Claim(key, (M0,), 2, 10, probe=True)
    assert (
        await store.sync(
            SyncRequest(now_ms=M0, hold_id="p1", claims=(probe,), hold_until_ms=M0 + 9)
        )
    ).granted
    assert not (await store.sync(SyncRequest(now_ms=M0, hold_id="p2", claims=(probe,)))).granted


# -- windows and headers ---------------------------------------------------------------------


async def test_uncontended_admit_never_suspends_nor_creates_tasks() -> None:
    """An admit that fits completes on its first step, with no task or future made."""
    clock = FakeServerTime()
    limiter = make(clock)
    tasks_before = len(asyncio.all_tasks())
    coro = limiter.admit(weight=3)
    with pytest.raises(StopIteration) as stop:
        coro.send(None)
    reservation = stop.value.value
    assert isinstance(reservation, Reservation)
    assert (reservation.address, reservation.weight, reservation.sent_at_ms) == (
        "default",
        3,
        clock.now_ms(),
    )
    assert len(asyncio.all_tasks()) == tasks_before


async def test_exhausted_budget_blocks_until_rollover() -> None:
    """A full window blocks admission; the next server window admits without any response."""
    clock = FakeServerTime()
    limiter = make(clock)
    limiter.observe(await limiter.admit(weight=10), status=200, counts=OK)
    waiter = task(limiter.admit(weight=1))
    await clock.advance_to(M0 + MINUTE - 1)
    assert not waiter.done()
    await clock.advance_to(M0 + MINUTE + 5)  # rollover + guard (uncertainty 0 + margin 5)
    assert waiter.done()
    assert waiter.result().sent_at_ms == M0 + MINUTE + 5
    assert clock.sleeps == [pytest.approx((MINUTE + 5 - 10_000) / 1000)]  # one timer, no polling


async def test_windows_follow_the_server_clock() -> None:
    """Windows start at the server's minute, not the local one, however far apart they are."""
    clock = FakeServerTime(skew_ms=25_000)  # our estimate of the server reads 25 s ahead
    limiter = make(clock)
    assert limiter.snapshot.windows[0].window_start_ms == M0
    limiter.observe(await limiter.admit(weight=10), status=200, counts=OK)
    waiter = task(limiter.admit(weight=1))
    await clock.advance_to(M0 + MINUTE + 4)
    assert not waiter.done()
    await clock.advance_to(M0 + MINUTE + 5)
    assert waiter.done()
    assert clock.true_ms == M0 + MINUTE + 5 - 25_000


async def test_guard_keeps_previous_window_usage_after_rollover() -> None:
    """Until uncertainty + margin past the rollover, the previous window's usage still applies."""
    clock = FakeServerTime(start_ms=M0 + 50_000, uncertainty_ms=20.0)
    limiter = make(clock)
    limiter.observe(await limiter.admit(weight=6), status=200, counts=OK)
    await clock.advance_to(M0 + MINUTE + 10)  # inside the 25 ms guard
    small = await limiter.admit(weight=4)  # 6 + 4 fits the previous window too
    big = task(limiter.admit(weight=1))
    await clock.advance_to(M0 + MINUTE + 24)
    assert not big.done()
    await clock.advance_to(M0 + MINUTE + 25)
    assert big.done()
    limiter.observe(small, status=200, counts=OK)
    limiter.observe(big.result(), status=200, counts=OK)


async def test_header_raises_usage_from_the_first_response() -> None:
    """Another process's weight on the IP, shown by the header, counts from the first response."""
    clock = FakeServerTime()
    limiter = make(clock, weight_limit(100))
    limiter.observe(
        await limiter.admit(weight=1), status=200, counts={"x-mbx-used-weight-1m": "95"}
    )
    assert used(limiter) == 95
    last = await limiter.admit(weight=5)
    over = task(limiter.admit(weight=1))
    await clock.settle()
    assert not over.done()
    limiter.observe(last, status=200, counts={"x-mbx-used-weight-1m": "100"})
    await clock.advance_to(M0 + MINUTE + 5)
    assert over.done()


async def test_header_lookup_is_case_insensitive() -> None:
    """Counts are read from aiohttp's case-insensitive headers whatever their case."""
    clock = FakeServerTime()
    limiter = make(clock, weight_limit(100), order_limit(50))
    headers = CIMultiDictProxy(
        CIMultiDict({"X-Mbx-Used-Weight-1m": "7", "X-MBX-Order-Count-10s": "4"})
    )
    limiter.observe(await limiter.admit(weight=1, orders=1), status=200, counts=headers)
    assert (used(limiter), used(limiter, "ORDERS", "10S")) == (7, 4)


async def test_straddling_response_does_not_poison_new_window() -> None:
    """A round trip across a rollover: the old count stays in the old window, cost in both."""
    clock = FakeServerTime(start_ms=M0 + MINUTE - 100)
    limiter = make(clock, weight_limit(100))
    reservation = await limiter.admit(weight=2)
    await clock.advance_to(M0 + MINUTE + 100)
    limiter.observe(reservation, status=200, counts={"x-mbx-used-weight-1m": "100"})
    assert count(limiter, M0) == 100
    assert used(limiter) == 2
    coro = limiter.admit(weight=98)
    with pytest.raises(StopIteration) as stop:
        coro.send(None)  # admitted at once, as the new window's probe
    assert stop.value.value.probes is not None


async def test_release_commits_the_cost_to_every_window_it_may_have_hit() -> None:
    """A request without a response counts, in both windows when it straddled a rollover."""
    clock = FakeServerTime(start_ms=M0 + MINUTE - 100)
    limiter = make(clock, weight_limit(100))
    reservation = await limiter.admit(weight=7)
    assert limiter.snapshot.windows[0].in_flight == 7
    await clock.advance_to(M0 + MINUTE + 100)
    limiter.release(reservation)
    limiter.release(reservation)  # a second hand-back is ignored
    assert (count(limiter, M0), used(limiter)) == (7, 7)
    assert limiter.snapshot.windows[0].in_flight == 0


async def test_response_near_rollover_also_counts_in_the_next_window() -> None:
    """Within the guard of a rollover the cost counts in both windows: our clock may be behind."""
    clock = FakeServerTime(start_ms=M0 + MINUTE - 5, uncertainty_ms=10.0)
    limiter = make(clock, weight_limit(100))
    reservation = await limiter.admit(weight=3)
    await clock.advance_to(M0 + MINUTE - 2)
    limiter.observe(reservation, status=200, counts={"x-mbx-used-weight-1m": "40"})
    assert (count(limiter, M0), count(limiter, M0 + MINUTE)) == (40, 3)


async def test_in_flight_requests_hold_budget_until_observed() -> None:
    """Admitted requests count against the window while pending; observing twice is a no-op."""
    clock = FakeServerTime()
    limiter = make(clock)
    first = await limiter.admit(weight=6)
    waiter = task(limiter.admit(weight=5))
    await clock.settle()
    assert not waiter.done()
    limiter.observe(first, status=200, counts=OK)
    limiter.observe(first, status=200, counts={"x-mbx-used-weight-1m": "10"})
    await clock.settle()
    assert not waiter.done()  # 6 committed + 5 > 10: waits for the rollover
    assert used(limiter) == 6
    waiter.cancel()
    await clock.settle()


async def test_old_windows_are_pruned() -> None:
    """The ledger keeps only the current and previous windows of each limit."""
    clock = FakeServerTime()
    limiter = Limiter(clock=clock, limits=USDM.limits, sleep=clock.sleep)
    for minute in range(1, 50):
        await clock.advance_to(M0 + minute * MINUTE + 30_000)
        reservation = await limiter.admit(weight=1, orders=1)
        limiter.observe(reservation, status=200, counts={"x-mbx-order-count-10s": "1"})
    held = [len(t.counts) for _, scope in limiter.ledger.scopes() for t in scope.tracks]
    assert max(held) <= 2 and sum(held) <= 6


async def test_shared_store_carries_usage_between_limiters() -> None:
    """Two limiters on one store (two clients on one IP): one's use holds the other back."""
    clock = FakeServerTime()
    store = MemoryBudgetStore()
    one = Limiter(clock=clock, limits=[weight_limit(10)], store=store, sleep=clock.sleep)
    two = Limiter(clock=clock, limits=[weight_limit(10)], store=store, sleep=clock.sleep)
    first = await one.admit(weight=8)
    blocked = task(two.admit(weight=3))  # 8 held by one + 3 > 10, though two has seen nothing
    await clock.settle()
    assert not blocked.done()
    one.observe(first, status=200, counts={"x-mbx-used-weight-1m": "8"})
    await clock.settle()
    assert used(two) == 8  # the shared count reached two's mirror
    small = await two.admit(weight=2)
    two.observe(small, status=200, counts={"x-mbx-used-weight-1m": "10"})
    await clock.advance_to(M0 + MINUTE + 5)
    assert blocked.done()  # the next window, as its probe
    two.observe(blocked.result(), status=200, counts={"x-mbx-used-weight-1m": "3"})
    await one.close()
    await two.close()


async def test_cost_that_can_never_fit_is_refused() -> None:
    """A weight above every window's limit raises ValueError instead of waiting forever."""
    limiter = make(FakeServerTime())
    with pytest.raises(ValueError, match="weight=11"):
        await limiter.admit(weight=11)


# -- fairness and cancellation ---------------------------------------------------------------


async def test_urgent_waiter_goes_before_earlier_normal_waiters() -> None:
    """At the rollover an URGENT waiter is granted before NORMAL ones that queued first."""
    clock = FakeServerTime()
    limiter = make(clock)
    limiter.observe(await limiter.admit(weight=10), status=200, counts=OK)
    first = task(limiter.admit(weight=6))
    second = task(limiter.admit(weight=6))
    urgent = task(limiter.admit(weight=6, priority=Priority.URGENT))
    await clock.advance_to(M0 + MINUTE + 5)
    assert (urgent.done(), first.done(), second.done()) == (True, False, False)
    limiter.observe(urgent.result(), status=200, counts=OK)
    await clock.advance_to(M0 + 2 * MINUTE + 5)
    assert (first.done(), second.done()) == (True, False)
    first.result()
    second.cancel()
    await clock.settle()


async def test_blocked_normal_head_holds_later_normal_but_not_urgent() -> None:
    """A big NORMAL head that does not fit is not overtaken by small NORMALs; URGENT passes it."""
    clock = FakeServerTime()
    limiter = make(clock)
    held = await limiter.admit(weight=5)
    big = task(limiter.admit(weight=8))
    small = task(limiter.admit(weight=1))
    urgent = task(limiter.admit(weight=1, priority=Priority.URGENT))
    await clock.settle()
    assert (big.done(), small.done(), urgent.done()) == (False, False, True)
    limiter.observe(held, status=200, counts=OK)
    limiter.observe(urgent.result(), status=200, counts=OK)
    await clock.advance_to(M0 + MINUTE + 5)
    assert big.done() and not small.done()  # the new window's probe goes first
    limiter.observe(big.result(), status=200, counts={"x-mbx-used-weight-1m": "8"})
    await clock.settle()
    assert small.done()


async def test_order_only_request_passes_a_head_blocked_on_weight() -> None:
    """A waiter short of weight does not hold back requests that need no weight."""
    clock = FakeServerTime()
    limiter = make(clock, weight_limit(10), order_limit(5))
    held = await limiter.admit(weight=10)
    reader = task(limiter.admit(weight=2))
    order = task(limiter.admit(weight=0, orders=1))
    await clock.settle()
    assert (reader.done(), order.done()) == (False, True)
    limiter.observe(order.result(), status=200, counts=OK)
    limiter.release(held)
    reader.cancel()
    await clock.settle()


async def test_cancelled_waiter_leaves_the_queue_holding_nothing() -> None:
    """Cancelling a waiter removes it, and the waiter behind it moves up."""
    clock = FakeServerTime()
    limiter = make(clock)
    held = await limiter.admit(weight=4)
    big = task(limiter.admit(weight=8))
    small = task(limiter.admit(weight=2))
    await clock.settle()
    assert limiter.waiting == 2
    big.cancel()
    await clock.settle()
    assert big.cancelled() and small.done()
    assert limiter.waiting == 0
    assert asyncio.all_tasks() == {asyncio.current_task()}  # the wake-up timer went too
    assert limiter.snapshot.windows[0].in_flight == 6
    limiter.observe(held, status=200, counts=OK)
    limiter.observe(small.result(), status=200, counts=OK)


async def test_waiter_cancelled_right_after_its_grant_returns_the_hold() -> None:
    """A grant that its cancelled caller never used is handed back, not leaked."""
    clock = FakeServerTime()
    limiter = make(clock)
    held = await limiter.admit(weight=10)
    waiter = task(limiter.admit(weight=3))
    await clock.settle()
    limiter.load_rate_limits(
        [{"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 20}]
    )  # room now: the waiter is granted at once...
    waiter.cancel()  # ...and cancelled before it runs
    await clock.settle()
    assert waiter.cancelled()
    assert limiter.snapshot.windows[0].in_flight == 10
    limiter.release(held)


async def test_concurrent_load_never_exceeds_a_server_window() -> None:
    """200 tasks asking 10x the budget all finish; no server window ever counts over its limit."""
    for skew_ms, addresses in [(-9.0, ("a",)), (0.0, ("a", "b")), (9.0, ("a",))]:
        await _run_load(skew_ms, addresses)


async def _run_load(skew_ms: float, addresses: tuple[str, ...]) -> None:
    """Drive 200 requests through a model server that counts by true time."""
    rng = random.Random(f"{skew_ms}{addresses}")
    clock = FakeServerTime(start_ms=M0 + 59_000, skew_ms=skew_ms, uncertainty_ms=10.0)
    limits = (weight_limit(100), order_limit(8), order_limit(40, "MINUTE", 1))
    limiter = make(clock, *limits, addresses=addresses)
    counted: dict[tuple[str, str, int], int] = {}  # what a model server counts, by true time

    def server_counts(address: str, weight: int, orders: int) -> dict[str, str]:
        now = int(clock.true_ms)
        headers = {}
        for rate in limits:
            scope, cost = (address, weight) if rate.kind == "REQUEST_WEIGHT" else ("acct", orders)
            if rate.kind == "ORDERS" and not orders:
                continue
            key = (scope, rate.label, now - now % rate.window_ms)
            counted[key] = counted.get(key, 0) + cost
            headers[rate.header] = str(counted[key])
        return headers

    async def one_request() -> None:
        weight, orders = rng.choice([(5, 0), (5, 0), (1, 1), (0, 1), (10, 0)])
        priority = Priority.URGENT if rng.random() < 0.2 else Priority.NORMAL
        reservation = await limiter.admit(weight=weight, orders=orders, priority=priority)
        rtt_s, at = rng.uniform(0.005, 0.4), rng.random()
        fate = rng.random()
        await clock.sleep(rtt_s * at)
        headers = server_counts(reservation.address, weight, orders) if fate > 0.05 else {}
        await clock.sleep(rtt_s * (1 - at))
        if fate < 0.1:
            limiter.release(reservation)  # lost: counted by the server or not
        else:
            limiter.observe(reservation, status=200, counts=headers)

    tasks = [asyncio.get_running_loop().create_task(one_request()) for _ in range(200)]
    started = clock.true_ms
    await clock.run(tasks)
    for t in tasks:
        t.result()
    limit_of = {(r.label, r.kind == "ORDERS"): r.limit for r in limits}
    for (scope, label, _), count in counted.items():
        assert count <= limit_of[label, scope == "acct"], (skew_ms, scope, label, count)
    busiest = max(
        v for (scope, label, _), v in counted.items() if label == "1M" and scope != "acct"
    )
    assert busiest >= 90  # the budget is used, not wasted
    assert clock.true_ms - started < 12 * MINUTE / len(addresses)
    assert limiter.waiting == 0
    assert all(w.in_flight == 0 for w in limiter.snapshot.windows)


# -- 429 and 418 -----------------------------------------------------------------------------


async def test_429_holds_every_waiter_until_retry_after() -> None:
    """After a 429 nothing goes out before Retry-After; then one probe, and the rest once its
    answer shows the server's window rolled. Retry-After also moves the window's boundary."""
    clock = FakeServerTime(start_ms=M0 + 58_000)
    limiter = make(clock)
    first = await limiter.admit(weight=10)
    pending = [
        task(limiter.admit(weight=1)),
        task(limiter.admit(weight=1, priority=Priority.URGENT)),
    ]
    await clock.advance_to(M0 + 58_500)
    limiter.observe(first, status=429, counts={"retry-after": "5"}, code=-1003)
    pending.append(task(limiter.admit(weight=1)))
    assert limiter.snapshot.paused_until_ms == M0 + 63_500
    await clock.advance_to(M0 + 63_504)  # the server's new window, plus the guard
    assert not any(t.done() for t in pending)
    await clock.advance_to(M0 + 63_505)
    assert [t.done() for t in pending] == [False, True, False]  # the URGENT one probes
    assert limiter.snapshot.windows[0].window_start_ms == M0 + 63_500
    limiter.observe(pending[1].result(), status=200, counts={"x-mbx-used-weight-1m": "1"})
    await clock.settle()
    assert all(t.done() for t in pending)


async def test_unconfirmed_window_counts_the_previous_one_until_the_server_shows_it_rolled() -> (
    None
):
    """Where the server's window starts is unknown: a new window is charged with the previous
    window's count (safe for any boundary) until an answer shows the count dropped."""
    clock = FakeServerTime(start_ms=M0 + 50_000)
    limiter = make(clock, weight_limit(10))
    limiter.observe(await limiter.admit(weight=6), status=200, counts={"x-mbx-used-weight-1m": "6"})
    await clock.advance_to(M0 + MINUTE + 100)
    fits = await limiter.admit(weight=4)  # 6 + 4: fits even if the server is still in M0
    probe = task(limiter.admit(weight=1))
    await clock.settle()
    assert probe.done() and probe.result().probes is not None  # alone, beyond the sum
    more = task(limiter.admit(weight=1))
    await clock.settle()
    assert not more.done()  # one probe at a time
    limiter.observe(probe.result(), status=200, counts={"x-mbx-used-weight-1m": "5"})
    await clock.settle()
    assert more.done()  # 5 < 6: the server rolled, M0 no longer counts
    limiter.observe(fits, status=200, counts={"x-mbx-used-weight-1m": "5"})
    limiter.observe(more.result(), status=200, counts={"x-mbx-used-weight-1m": "6"})


async def test_a_probe_that_meets_the_old_window_keeps_the_rest_waiting() -> None:
    """A probe answered with the old window's count (no drop) confirms nothing."""
    clock = FakeServerTime(start_ms=M0 + 50_000)
    limiter = make(clock, weight_limit(10))
    limiter.observe(await limiter.admit(weight=9), status=200, counts={"x-mbx-used-weight-1m": "9"})
    await clock.advance_to(M0 + MINUTE + 100)
    probe = await limiter.admit(weight=1)
    rest = task(limiter.admit(weight=5))
    limiter.observe(probe, status=200, counts={"x-mbx-used-weight-1m": "10"})  # still old
    await clock.settle()
    assert not rest.done()
    rest.cancel()
    await clock.settle()


async def test_429_without_retry_after_marks_window_full_until_it_ends() -> None:
    """A 429 with no Retry-After marks the window full and waits for the next one."""
    clock = FakeServerTime()
    limiter = make(clock)
    limiter.observe(await limiter.admit(weight=1), status=429, counts=OK, code=-1003)
    assert used(limiter) == 10
    assert limiter.snapshot.paused_until_ms == M0 + MINUTE
    waiter = task(limiter.admit(weight=1))
    await clock.advance_to(M0 + MINUTE + 4)
    assert not waiter.done()
    await clock.advance_to(M0 + MINUTE + 5)
    assert waiter.done()


async def test_order_429_holds_only_requests_with_orders() -> None:
    """A -1015 pauses order requests on every address; weight-only requests go on."""
    clock = FakeServerTime()
    limiter = make(clock, weight_limit(100), order_limit(10), addresses=("a", "b"))
    limiter.observe(
        await limiter.admit(weight=1, orders=1),
        status=429,
        counts={"retry-after": "2"},
        code=-1015,
    )
    order = task(limiter.admit(weight=0, orders=1))
    reader = await limiter.admit(weight=5)
    await clock.advance_to(M0 + 10_000 + 2_004)
    assert not order.done()
    await clock.advance_to(M0 + 12_005)  # the pause end, as the order window's probe
    assert order.done()
    limiter.observe(reader, status=200, counts=OK)


async def test_418_raises_ip_banned_for_every_call_without_admitting() -> None:
    """After a 418 every admit and every waiter raises IPBanned(until, address); nothing holds."""
    clock = FakeServerTime()
    limiter = make(clock)
    banned = await limiter.admit(weight=10)
    waiter = task(limiter.admit(weight=1))
    await clock.settle()
    until = M0 + 10_000 + 300_000
    limiter.observe(
        banned,
        status=418,
        counts=OK,
        code=-1003,
        msg=f"Way too many requests; IP banned until {until}.",
    )
    await clock.settle()
    with pytest.raises(IPBanned) as caught:
        waiter.result()
    assert (caught.value.until_ms, caught.value.address) == (until, "default")
    for priority in Priority:
        with pytest.raises(IPBanned):
            await limiter.admit(weight=0, priority=priority)
    assert limiter.snapshot.banned_until_ms == {"default": until}
    assert all(w.in_flight == 0 for w in limiter.snapshot.windows)


async def test_418_ban_end_prefers_retry_after_then_defaults_to_two_minutes() -> None:
    """Retry-After beats the message; with neither, the ban lasts 2 minutes."""
    clock = FakeServerTime()
    limiter = make(clock, addresses=("a", "b"))
    now = clock.now_ms()
    limiter.observe(
        await limiter.admit(weight=1),
        status=418,
        counts={"retry-after": "30"},
        msg="banned until 1800000000000",
    )
    limiter.observe(await limiter.admit(weight=1), status=418, counts=OK, msg="banned")
    assert limiter.snapshot.banned_until_ms == {"a": now + 30_000, "b": now + 120_000}
    with pytest.raises(IPBanned) as caught:
        await limiter.admit(weight=1)
    assert (caught.value.until_ms, caught.value.address) == (now + 30_000, "a")


async def test_ban_ends_by_itself() -> None:
    """Once the server clock passes the ban's end, admission resumes."""
    clock = FakeServerTime()
    limiter = make(clock)
    limiter.observe(await limiter.admit(weight=1), status=418, counts={"retry-after": "60"})
    await clock.advance_to(M0 + 69_999)
    with pytest.raises(IPBanned):
        await limiter.admit(weight=1)
    await clock.advance_to(M0 + 70_000)
    limiter.observe(await limiter.admit(weight=1), status=200, counts=OK)
    assert limiter.snapshot.banned_until_ms == {}


async def test_banned_address_is_skipped_while_another_serves() -> None:
    """With one address banned, requests go out on the others and do not raise."""
    clock = FakeServerTime()
    limiter = make(clock, addresses=("a", "b"))
    limiter.observe(await limiter.admit(weight=1), status=418, counts={"retry-after": "600"})
    reservations = [await limiter.admit(weight=5), await limiter.admit(weight=5)]
    assert {r.address for r in reservations} == {"b"}
    waiter = task(limiter.admit(weight=1))
    await clock.settle()
    assert not waiter.done()  # waits for b's budget rather than raising
    for r in reservations:
        limiter.observe(r, status=200, counts=OK)
    await clock.advance_to(M0 + MINUTE + 5)
    assert waiter.result().address == "b"


# -- addresses and configuration -------------------------------------------------------------


async def test_addresses_have_own_weight_but_share_orders() -> None:
    """Each address has its own weight budget; the order budget is the account's."""
    clock = FakeServerTime()
    limiter = make(clock, weight_limit(10), order_limit(3), addresses=("a", "b"))
    one, two = await limiter.admit(weight=10), await limiter.admit(weight=10)
    assert {one.address, two.address} == {"a", "b"}
    weight_waiter = task(limiter.admit(weight=1))
    orders = [await limiter.admit(weight=0, orders=1) for _ in range(3)]
    order_waiter = task(limiter.admit(weight=0, orders=1))
    await clock.settle()
    assert not weight_waiter.done() and not order_waiter.done()
    limiter.observe(one, status=200, counts={"x-mbx-used-weight-1m": "10"})
    assert (used(limiter, address="a"), used(limiter, address="b")) == (10, 0)
    for r in (two, *orders):
        limiter.observe(r, status=200, counts=OK)
    await clock.advance_to(M0 + 20_005)
    assert order_waiter.done() and not weight_waiter.done()
    await clock.advance_to(M0 + MINUTE + 5)
    assert weight_waiter.done()


async def test_least_used_address_is_chosen() -> None:
    """Admission picks the address with the most room left."""
    clock = FakeServerTime()
    limiter = make(clock, weight_limit(100), addresses=("a", "b", "c"))
    for address, value in [("a", "50"), ("b", "20"), ("c", "70")]:
        reservation = await limiter.admit(weight=0)
        assert reservation.address == address  # a fresh address has the most room
        limiter.observe(reservation, status=200, counts={"x-mbx-used-weight-1m": value})
    assert (await limiter.admit(weight=1)).address == "b"


async def test_load_rate_limits_changes_limits_and_header_names() -> None:
    """exchangeInfo limits replace the defaults, and header names follow their intervals."""
    clock = FakeServerTime()
    limiter = Limiter(clock=clock, limits=USDM.limits, sleep=clock.sleep)
    limiter.load_rate_limits(
        [
            {
                "rateLimitType": "REQUEST_WEIGHT",
                "interval": "SECOND",
                "intervalNum": 10,
                "limit": 50,
            },
            {"rateLimitType": "ORDERS", "interval": "MINUTE", "intervalNum": 1, "limit": 20},
            {
                "rateLimitType": "RAW_REQUESTS",
                "interval": "MINUTE",
                "intervalNum": 5,
                "limit": 6100,
            },
        ]
    )
    assert [(r.header, r.bucket) for r in limiter.limits] == [
        ("x-mbx-used-weight-10s", None),
        ("x-mbx-order-count-1m", None),
        ("", None),  # Spot's RAW_REQUESTS: every request
        ("", "funding"),  # the venue's endpoint buckets stay
        ("", "futures-data"),
    ]
    limiter.observe(
        await limiter.admit(weight=1), status=200, counts={"x-mbx-used-weight-10s": "48"}
    )
    assert used(limiter, label="10S") == 48
    waiter = task(limiter.admit(weight=3))
    await clock.settle()
    assert not waiter.done()
    await clock.advance_to(M0 + 20_005)
    assert waiter.done()
    with pytest.raises(ValueError, match="orders=21"):
        await limiter.admit(weight=0, orders=21)


async def test_snapshot_reports_windows_bans_and_pauses() -> None:
    """The snapshot lists each window's usage, active bans and the pause end; repr sums it up."""
    clock = FakeServerTime()
    limiter = make(clock, weight_limit(100), order_limit(10), addresses=("a", "b"))
    limiter.observe(
        await limiter.admit(weight=4, orders=1),
        status=200,
        counts={"x-mbx-used-weight-1m": "30", "x-mbx-order-count-10s": "2"},
    )
    in_flight = await limiter.admit(weight=3)
    limiter.observe(await limiter.admit(weight=0), status=418, counts={"retry-after": "9"})
    snapshot = limiter.snapshot
    assert snapshot == LimitsSnapshot(
        windows=(
            WindowState(
                kind="REQUEST_WEIGHT",
                label="1M",
                address="a",
                used=30,
                limit=100,
                window_start_ms=M0,
            ),
            WindowState(
                kind="REQUEST_WEIGHT",
                label="1M",
                address="b",
                used=0,
                limit=100,
                window_start_ms=M0,
                in_flight=3,
            ),
            WindowState(
                kind="ORDERS",
                label="10S",
                address=None,
                used=2,
                limit=10,
                window_start_ms=M0 + 10_000,
            ),
        ),
        banned_until_ms={"b": M0 + 19_000},
        paused_until_ms=None,
    )
    assert str(snapshot) == (
        "REQUEST_WEIGHT 1M@a 30/100, REQUEST_WEIGHT 1M@b 0+3/100, ORDERS 10S 2/10; "
        f"b banned until {M0 + 19_000}"
    )
    assert repr(limiter) == f"<Limiter {snapshot} waiting=0>"
    limiter.release(in_flight)


# -- a shared store that fails -----------------------------------------------------------------


class FlakyStore:
    """A MemoryBudgetStore that raises while ``down`` (a network store that does not answer)."""

    def __init__(self, *, local_share: float = 0.25, retry_interval_s: float = 1.0) -> None:
        self.inner = MemoryBudgetStore()
        self.fallback = Fallback(local_share=local_share, retry_interval_s=retry_interval_s)
        self.down = False
        self.calls = 0

    async def sync(self, request: SyncRequest) -> SyncReply:
        self.calls += 1
        if self.down:
            raise StoreUnavailable("connection refused")
        return await self.inner.sync(request)


def weight_limit_of(limiter: Limiter) -> int:
    """The weight limit the limiter admits within now."""
    (state,) = [w for w in limiter.snapshot.windows if w.kind == "REQUEST_WEIGHT"]
    return state.limit


async def test_memory_store_counts_a_live_reservation_in_every_window() -> None:
    """A reservation counts in every window of its key until it settles (the server counts
    the request whenever it gets there), a probe's check included."""
    store = MemoryBudgetStore()
    key = "usdm|ip:a|REQUEST_WEIGHT 1M"
    late = Claim(key, (M0 - MINUTE,), 6, 10, window_ms=MINUTE)
    assert (
        await store.sync(
            SyncRequest(now_ms=M0 - 1, hold_id="late", claims=(late,), hold_until_ms=M0 + 900)
        )
    ).granted
    five = Claim(key, (M0,), 5, 10, window_ms=MINUTE)
    refused = await store.sync(SyncRequest(now_ms=M0, hold_id="a", claims=(five,)))
    assert not refused.granted and refused.counts == {(key, M0): 6}
    probe = Claim(key, (M0 - MINUTE, M0), 5, 10, probe=True, window_ms=MINUTE)
    assert not (await store.sync(SyncRequest(now_ms=M0, hold_id="p", claims=(probe,)))).granted
    settled = SyncRequest(
        now_ms=M0 + 1, releases=("late",), updates=(Update(key, M0 - MINUTE, 6, True, MINUTE),)
    )
    await store.sync(settled)
    assert (await store.sync(SyncRequest(now_ms=M0 + 2, hold_id="c", claims=(five,)))).granted


async def test_memory_store_a_late_claim_counts_what_the_next_window_holds() -> None:
    """A claim decided late (its window already over for other clients) may be counted in
    the next window: the next window's count and reservations must leave room for it."""
    store = MemoryBudgetStore()
    key = "usdm|account:x|ORDERS 1S"
    second = 1_000
    ahead = Claim(key, (M0 - second, M0), 6, 10, window_ms=second)
    assert (
        await store.sync(
            SyncRequest(now_ms=M0 + 1, hold_id="next", claims=(ahead,), hold_until_ms=M0 + 900)
        )
    ).granted
    late = Claim(key, (M0 - 2 * second, M0 - second), 5, 10, window_ms=second)
    refused = await store.sync(SyncRequest(now_ms=M0 - 1, hold_id="late", claims=(late,)))
    assert not refused.granted  # 6 on the next window + 5 > 10, though its own is empty
    await store.sync(SyncRequest(now_ms=M0 + 2, updates=(Update(key, M0, 6, True, second),)))
    await store.sync(SyncRequest(now_ms=M0 + 2, releases=("next",)))
    assert not (await store.sync(SyncRequest(now_ms=M0 - 1, hold_id="l2", claims=(late,)))).granted
    four = Claim(key, (M0 - 2 * second, M0 - second), 4, 10, window_ms=second)
    assert (await store.sync(SyncRequest(now_ms=M0 - 1, hold_id="l3", claims=(four,)))).granted


async def test_a_window_one_client_confirmed_is_confirmed_for_every_client() -> None:
    """Once a client saw the server past a window's start, the store checks every client's
    claim on that window alone (no previous window, no probe) and tells them."""
    store = MemoryBudgetStore()
    key = "usdm|ip:a|REQUEST_WEIGHT 1M"
    await store.sync(SyncRequest(now_ms=M0, updates=(Update(key, M0 - MINUTE, 9, add=True),)))
    unconfirmed = Claim(key, (M0 - MINUTE, M0), 2, 10, window_ms=MINUTE)
    refused = await store.sync(SyncRequest(now_ms=M0, hold_id="a", claims=(unconfirmed,)))
    assert not refused.granted and refused.confirmed == {}
    seen = await store.sync(SyncRequest(now_ms=M0 + 5, confirms=((key, M0),)))
    assert seen.confirmed == {}  # no claims, nothing to tell
    granted = await store.sync(SyncRequest(now_ms=M0 + 6, hold_id="b", claims=(unconfirmed,)))
    assert granted.granted and granted.confirmed == {key: M0}


async def test_limiters_on_one_store_share_what_they_confirmed() -> None:
    """One limiter's answer shows the server rolled: the other stops charging the previous
    window at its next sync, without a probe of its own."""
    clock = FakeServerTime(start_ms=M0 - 5_000)
    store = MemoryBudgetStore()
    one = Limiter(clock=clock, limits=[weight_limit(10)], store=store, sleep=clock.sleep)
    two = Limiter(clock=clock, limits=[weight_limit(10)], store=store, sleep=clock.sleep)
    full = await one.admit(weight=8)
    one.observe(full, status=200, counts={"x-mbx-used-weight-1m": "8"})
    await clock.advance_to(M0 + 100)
    first = await one.admit(weight=1)  # 8 + 1 fits even if the server is still in M0 - 1M
    one.observe(first, status=200, counts={"x-mbx-used-weight-1m": "1"})  # it rolled
    await clock.settle()
    (track,) = [t for _, s in two.ledger.scopes() for t in s.tracks]
    assert track.confirmed < M0
    three = await two.admit(weight=3)  # would not fit 8 + 1 + 3 if M0 were not confirmed
    assert track.confirmed == M0
    two.observe(three, status=200, counts={"x-mbx-used-weight-1m": "4"})
    await one.close()
    await two.close()


async def test_store_down_admits_on_a_local_share_with_one_warning_then_shares_again(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Store down: the current window counts as full (what others reserved since is
    unknown); from the next on, a quarter of each limit, decided locally; one warning however
    many calls fail. Back: shared at once, the full limits after twice the retry interval."""
    clock = FakeServerTime(start_ms=M0 + 50_000)
    m1 = M0 + MINUTE
    store = FlakyStore()
    limiter = Limiter(clock=clock, limits=[weight_limit(100)], store=store, sleep=clock.sleep)
    first = await limiter.admit(weight=10)
    limiter.observe(first, status=200, counts={"x-mbx-used-weight-1m": "10"})
    store.down = True
    with caplog.at_level("WARNING", logger="binance_async.limits"):
        probe = task(limiter.admit(weight=3))
        await clock.advance_to(m1 - 1)
        assert not probe.done() and not limiter.shared
        await clock.advance_to(m1 + 5)  # the next window, after the guard: a probe first
        assert probe.done()
        second = task(limiter.admit(weight=3))
        await clock.settle()
        assert not second.done()
        limiter.observe(probe.result(), status=200, counts={"x-mbx-used-weight-1m": "3"})
        held = [await second, *[await limiter.admit(weight=3) for _ in range(6)]]
        held.append(await limiter.admit(weight=1))  # 3 + 21 + 1 = 25: the share
        blocked = task(limiter.admit(weight=1))
        await clock.settle()
        assert not blocked.done() and weight_limit_of(limiter) == 25
        for reservation in held:
            limiter.observe(reservation, status=200, counts=OK)
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "does not answer" in warnings[0].getMessage()
    assert "store=unreachable (local share 0.25)" in repr(limiter)
    store.down = False
    await clock.advance_to(m1 + 1_000)  # the next attempt to reach the store
    assert limiter.shared and weight_limit_of(limiter) == 25  # shared; the share a while more
    assert not blocked.done()
    await clock.advance_to(m1 + 3_000)
    assert weight_limit_of(limiter) == 100
    assert blocked.done()  # the waiter went through the store once it was back
    # What the store missed was handed over: the window's 25, and the waiter's hold.
    key = used_key(limiter)
    reply = await store.inner.sync(
        SyncRequest(now_ms=clock.now_ms(), claims=(Claim(key, (m1,), 0, 100),))
    )
    assert reply.counts == {(key, m1): 26}
    limiter.observe(blocked.result(), status=200, counts=OK)
    await limiter.close()


async def test_store_down_mid_admission_decides_again_on_the_share() -> None:
    """A reservation the store could not confirm is decided again locally: never an error to
    the caller, never the full budget; a cost only the full limits take waits for them
    without holding the others back; what the server's count shows holds."""
    clock = FakeServerTime(start_ms=M0 + 50_000)
    m1, m2 = M0 + MINUTE, M0 + 2 * MINUTE
    store = FlakyStore()
    limiter = Limiter(clock=clock, limits=[weight_limit(100)], store=store, sleep=clock.sleep)
    store.down = True
    big = task(limiter.admit(weight=30))  # fits the budget, not the share of 25
    small = task(limiter.admit(weight=5))
    await clock.advance_to(m1 + 5)
    assert small.done() and not big.done() and not limiter.shared
    # The others used the window while the store was away: the share is gone for it.
    limiter.observe(small.result(), status=200, counts={"x-mbx-used-weight-1m": "95"})
    one = task(limiter.admit(weight=1))
    await clock.advance_to(m2 - 1)
    assert not one.done()
    await clock.advance_to(m2 + 5)
    assert one.done()
    limiter.observe(one.result(), status=200, counts={"x-mbx-used-weight-1m": "1"})
    big.cancel()
    await limiter.close()


async def test_shared_ban_and_pause_reach_every_client() -> None:
    """A 418 seen by one client bans the address in another; a 429 pauses it."""
    clock = FakeServerTime()
    store = MemoryBudgetStore()
    one = Limiter(clock=clock, limits=[weight_limit(100)], store=store, sleep=clock.sleep)
    two = Limiter(clock=clock, limits=[weight_limit(100)], store=store, sleep=clock.sleep)
    refused = await one.admit(weight=1)
    one.observe(refused, status=418, counts={"retry-after": "30"})
    await clock.settle()
    with pytest.raises(IPBanned) as banned:
        await two.admit(weight=1)
    assert banned.value.until_ms == clock.now_ms() + 30_000
    await one.close()
    await two.close()


async def test_limits_loaded_with_a_store_hand_the_seed_to_it() -> None:
    """New windows seeded from the old ones' count tell the store, which has not seen them."""
    clock = FakeServerTime()
    store = MemoryBudgetStore()
    one = Limiter(clock=clock, limits=[weight_limit(100)], store=store, sleep=clock.sleep)
    one.observe(await one.admit(weight=7), status=200, counts={"x-mbx-used-weight-1m": "7"})
    one.load([weight_limit(50, "SECOND", 10)])
    await clock.settle()
    two = Limiter(
        clock=clock, limits=[weight_limit(50, "SECOND", 10)], store=store, sleep=clock.sleep
    )
    blocked = task(two.admit(weight=44))  # 7 seeded + 44 > 50
    await clock.settle()
    assert not blocked.done()
    blocked.cancel()
    await one.close()
    await two.close()


async def test_a_seed_handed_over_late_adds_to_what_the_new_windows_counted_meanwhile() -> None:
    """A client on the old windows loads the new ones after another client already counts in
    them: its seed (what it saw on the old windows) adds to the shared count. Raised to
    instead, the larger of the two would hide the other's requests, which the server counted
    all the same."""
    clock = FakeServerTime(start_ms=M0 + 15_000)  # mid-window: nothing in the one before
    store = MemoryBudgetStore()
    ten_s = weight_limit(50, "SECOND", 10)
    early = Limiter(clock=clock, limits=[ten_s], store=store, sleep=clock.sleep)
    early.observe(await early.admit(weight=5), status=200, counts={"x-mbx-used-weight-10s": "5"})
    late = Limiter(clock=clock, limits=[weight_limit(100)], store=store, sleep=clock.sleep)
    late.observe(await late.admit(weight=7), status=200, counts={"x-mbx-used-weight-1m": "7"})
    late.load([ten_s])  # the server's 10 s window holds 5 + 7
    await clock.settle()
    third = Limiter(clock=clock, limits=[ten_s], store=store, sleep=clock.sleep)
    fits = await third.admit(weight=38)  # 12 + 38 = 50
    blocked = task(third.admit(weight=1))
    await clock.settle()
    assert not blocked.done()
    blocked.cancel()
    third.release(fits)
    for limiter in (early, late, third):
        await limiter.close()


def used_key(limiter: Limiter) -> str:
    """The store key of the limiter's weight window."""
    (key,) = [t.key for _, s in limiter.ledger.scopes() for t in s.tracks if "WEIGHT" in t.key]
    return key


async def test_answers_out_of_order_do_not_confirm_a_window_the_server_has_not_reached() -> None:
    """Two answers in the reverse of the order the server counted them: the later count is
    lower, but only because it came first. That is no sign of a new window; taken for one,
    the limiter would fill the new window while the server still counts the old one."""
    clock = FakeServerTime(start_ms=M0 + 50_000, skew_ms=5, uncertainty_ms=6)
    limiter = make(clock, weight_limit(10))
    first = await limiter.admit(weight=4)
    limiter.observe(first, status=200, counts={"x-mbx-used-weight-1m": "4"})
    await clock.advance_to(M0 + MINUTE - 5)  # the server is 10 ms before its boundary
    slow = await limiter.admit(weight=3)  # 4 + 3 in the old window
    await clock.advance_to(M0 + MINUTE + 2)  # ours says the new window began 2 ms ago
    fast = await limiter.admit(weight=1)  # 7 + 1: fits even if the server is still in M0
    # The server counts `fast` first (5) and `slow` after it (8); `slow`'s answer comes first.
    limiter.observe(slow, status=200, counts={"x-mbx-used-weight-1m": "8"})
    limiter.observe(fast, status=200, counts={"x-mbx-used-weight-1m": "5"})
    # The server is still in M0 with 8 of 10: at most 2 more may go before it rolls over.
    assert sum(await admitted_at_once(clock, limiter, 5)) <= 2


async def test_a_count_below_one_answered_before_the_request_left_shows_the_new_window() -> None:
    """A count lower than the server gave a request answered before this one left: the
    server rolled over in between. That confirms the new window at once, even for a request
    sent too close to the boundary for the clock alone to say which window it reached."""
    clock = FakeServerTime(start_ms=M0 + 50_000, uncertainty_ms=6)
    limiter = make(clock, weight_limit(10))
    limiter.observe(await limiter.admit(weight=8), status=200, counts={"x-mbx-used-weight-1m": "8"})
    await clock.advance_to(M0 + MINUTE + 2)  # 2 ms into the window, well inside the guard
    early = await limiter.admit(weight=2)  # 8 + 2 fit even if the server were still in M0
    limiter.observe(early, status=200, counts={"x-mbx-used-weight-1m": "2"})
    assert await admitted_at_once(clock, limiter, 9) == [True] * 8 + [False]  # 2 + 8: new room


async def test_a_probe_confirms_its_window_though_the_guard_grew_while_it_was_out() -> None:
    """A probe leaves only once the clock says the window surely began; its answer confirms
    the window even when the clock's uncertainty grew meanwhile (a resample), and nothing
    answered before it in the old window can show the drop."""
    clock = FakeServerTime(start_ms=M0 + 50_000, uncertainty_ms=3)
    limiter = make(clock, weight_limit(10))
    limiter.release(await limiter.admit(weight=9))  # no answer: counted, no count read
    await clock.advance_to(M0 + MINUTE + 8)  # guard 3 + 5 ms margin: the probe may go
    probe = await limiter.admit(weight=2)  # 9 + 2 > 10: only as the window's probe
    assert probe.probes is not None
    clock._uncertainty_ms = 12
    limiter.observe(probe, status=200, counts={"x-mbx-used-weight-1m": "2"})
    assert await admitted_at_once(clock, limiter, 9) == [True] * 8 + [False]  # 2 + 8: new room


async def test_answers_in_reverse_order_count_each_request_once() -> None:
    """Three requests in flight answered in the reverse of the order the server counted them
    (3, 2, 1): the window holds 3. The highest count already holds the two answered after it,
    so their own costs must not be added on top of it (that would leave the window looking
    full, and the client idle, until it ends)."""
    clock = FakeServerTime(start_ms=M0 + 20_000)
    limiter = make(clock, weight_limit(10))
    held = [await limiter.admit(weight=1) for _ in range(3)]
    for reservation, count in zip(reversed(held), ("3", "2", "1"), strict=True):
        limiter.observe(reservation, status=200, counts={"x-mbx-used-weight-1m": count})
    assert used(limiter) == 3
    assert await admitted_at_once(clock, limiter, 8) == [True] * 7 + [False]  # 3 + 7 = 10


async def test_memory_store_counts_each_request_once_whatever_the_order_of_news() -> None:
    """A window's shared count is the larger of all its adds together and its highest
    reading plus the adds no reading covers, whatever order the news come in: a reading of 3
    and two commits it covers stay 3; three more commits and a reading of 4 make 5; a commit
    without an answer's count (it may have come after any reading) goes on top: 6."""
    store = MemoryBudgetStore()
    key = "usdm|ip:default|REQUEST_WEIGHT 1M"
    claim = Claim(key, (M0,), 0, 100)

    def read(value: int) -> Update:
        return Update(key, M0, value, True, read=True)

    news = (Update(key, M0, 3, False), read(1), read(1))
    reply = await store.sync(SyncRequest(now_ms=M0 + 1, claims=(claim,), updates=news))
    assert reply.counts[(key, M0)] == 3
    more = (read(1), read(1), read(1), Update(key, M0, 4, False))
    reply = await store.sync(SyncRequest(now_ms=M0 + 2, claims=(claim,), updates=more))
    assert reply.counts[(key, M0)] == 5
    blind = (Update(key, M0, 1, True),)
    reply = await store.sync(SyncRequest(now_ms=M0 + 3, claims=(claim,), updates=blind))
    assert reply.counts[(key, M0)] == 6
    late = (Update(key, M0, 5, False),)  # a reading of 5 leaves the unread one on top
    reply = await store.sync(SyncRequest(now_ms=M0 + 4, claims=(claim,), updates=late))
    assert reply.counts[(key, M0)] == 6


async def test_a_cost_without_a_count_goes_on_top_until_a_later_request_reads_it() -> None:
    """A request settled without the server's count (no answer) may have been counted after
    any count read for a request in flight with it: it stays on top of that count. A count
    read for a request admitted after it settled holds it: nothing on top."""
    clock = FakeServerTime(start_ms=M0 + 20_000)
    limiter = make(clock, weight_limit(20))
    concurrent = await limiter.admit(weight=1)
    limiter.release(await limiter.admit(weight=2))  # no answer: 2 on top
    limiter.observe(concurrent, status=200, counts={"x-mbx-used-weight-1m": "5"})
    assert used(limiter) == 7  # 5, and the 2 the server may have counted after it
    later = await limiter.admit(weight=1)
    limiter.observe(later, status=200, counts={"x-mbx-used-weight-1m": "9"})
    assert used(limiter) == 9  # counted after the 2 settled: they are in the 9


async def test_another_clients_reservation_holds_back_only_while_it_is_live() -> None:
    """A shared store's count includes the other clients' live reservations: they hold this
    client back while they are live, and are not kept as its window's count once they are
    given back unsent (they never reached the server)."""
    clock = FakeServerTime()
    store = MemoryBudgetStore()
    one = Limiter(clock=clock, limits=[weight_limit(10)], store=store, sleep=clock.sleep)
    two = Limiter(clock=clock, limits=[weight_limit(10)], store=store, sleep=clock.sleep)
    held = await one.admit(weight=8)
    waiter = task(two.admit(weight=3))  # 8 held by one + 3 > 10
    await clock.settle()
    assert not waiter.done()
    one.drop(held)  # never sent: nothing counted
    await clock.advance_to(clock.now_ms() + 200)  # the waiter asks the store again
    assert waiter.done() and used(two) == 0
    two.observe(waiter.result(), status=200, counts={"x-mbx-used-weight-1m": "3"})
    await one.close()
    await two.close()


# -- the ledger's shortcuts agree with its general steps ---------------------------------------


def _ledger_state(ledger: Ledger) -> list[Any]:
    """Everything a ledger decides with: each scope's holds and refusals, each track's
    windows, answer history and confirmation."""
    state: list[Any] = [ledger._heard]
    for _, scope in ledger.scopes():
        state.append(
            (scope.name, scope.in_flight, scope.paused_until, scope.banned_until, scope.streak)
        )
        for t in scope.tracks:
            state.append(
                (
                    t.key,
                    sorted(t.counts.items()),
                    sorted(t.adds.items()),
                    sorted(t.blind.items()),
                    sorted(t.blind_at.items()),
                    list(t.heard),
                    t.confirmed,
                    t.seen_start,
                    t.probing,
                    t.phase,
                )
            )
    return state


@pytest.mark.parametrize("seed", range(8))
def test_the_ledgers_shortcuts_decide_and_count_as_its_general_steps(seed: int) -> None:
    """Without a store, the ledger admits and settles the common request (confirmed
    windows, an answer that falls in one window) by a shortcut; with an outbox it never
    does. Driven alike by a server counting in its own windows (answers out of order, lost
    answers, 429s with Retry-After, a skewed clock), both give every request the same
    answer and hold the same state after every step."""
    rng = random.Random(seed)
    limits = [
        weight_limit(40, "SECOND", 10),
        order_limit(4, "SECOND", 1),
        order_limit(60, "MINUTE", 1),
    ]
    quick = Ledger(venue="usdm", account="a", addresses=("default",), limits=limits)
    general = Ledger(venue="usdm", account="a", addresses=("default",), limits=limits)
    general.outbox = []  # a store's ledger: always the general steps
    skew = rng.uniform(-8, 8)
    guard = abs(skew) + rng.uniform(0.5, 6)
    true_ms = float(M0 + rng.randrange(60_000))
    # Short windows (10 s, 1 s): many boundaries, many answers near one.
    server: dict[tuple[str, int], int] = {}  # (header, server window start) -> count
    # Events: (true time, seq, kind, request); kinds: "try", "arrive", "answer".
    events: list[tuple[float, int, str, Any]] = []
    seq = itertools.count()
    for _ in range(1500):
        true_ms += rng.expovariate(1 / 60) if rng.random() < 0.97 else rng.uniform(2_000, 9_000)
        heapq.heappush(events, (true_ms, next(seq), "try", None))
    confirmed_settles = settles = 0
    while events:
        at, _, kind, request = heapq.heappop(events)
        now = math.floor(at + skew)
        if kind == "try":
            order = rng.random() < 0.4
            weight, orders = (0, 1) if order else (rng.choice((1, 1, 1, 5)), 0)
            a = quick.pick(weight, orders, now, guard)
            b = general.pick(weight, orders, now, guard)
            assert (a is None) == (b is None) and quick.short == general.short
            if a is None or b is None:
                continue
            assert (a.weight, a.orders, a.sent_at_ms, a.heard, a.probes is None) == (
                b.weight,
                b.orders,
                b.sent_at_ms,
                b.heard,
                b.probes is None,
            )
            arrive = at + rng.uniform(0, 40)
            heapq.heappush(events, (arrive, next(seq), "arrive", [a, b, weight, orders, None]))
        elif kind == "arrive":
            a, b, weight, orders, _ = request
            counts: dict[str, str] = {}
            refused = False
            for header, cost, window, limit in (
                ("X-MBX-USED-WEIGHT-10S", weight, 10_000, 40),
                ("X-MBX-ORDER-COUNT-1S", orders, 1_000, 4),
                ("X-MBX-ORDER-COUNT-1M", orders, 60_000, 60),
            ):
                if header.startswith("X-MBX-ORDER") and not orders:
                    continue
                key = (header, int(at) - int(at) % window)
                server[key] = server.get(key, 0) + cost
                counts[header] = str(server[key])
                refused |= server[key] > limit
            if refused:
                counts["Retry-After"] = str(rng.randint(1, 3))
            request[4] = (429 if refused else 200, CIMultiDictProxy(CIMultiDict(counts)))
            answer = at + rng.uniform(0, 40)
            heapq.heappush(events, (answer, next(seq), "answer", request))
        else:
            a, b, _, _, (status, counts) = request
            if rng.random() < 0.04:  # the answer is lost: the cost counts, no count read
                quick.settle(a, now, guard, None)
                general.settle(b, now, guard, None)
            else:
                settles += 1
                track = quick._ip[0].tracks[0]
                sent_start = a.sent_at_ms - a.sent_at_ms % track.window
                confirmed_settles += sent_start <= track.confirmed
                code = -1003 if status == 429 else None
                quick.settle(a, now, guard, counts, status, code)
                general.settle(b, now, guard, counts, status, code)
        assert _ledger_state(quick) == _ledger_state(general)
    # The shortcut's case was common, and the limits were reached (429s and refusals).
    assert confirmed_settles > settles // 2
    assert any(t.confirmed > 0 for t in quick._orders.tracks)
