"""Request buckets (RAW_REQUESTS limits no header reports) and requests pinned to an address.

Endpoint buckets: USDⓈ-M's fundingRate + fundingInfo share 500 requests per 5 minutes per IP,
``/futures/data/*`` 1000; Spot's RAW_REQUESTS counts every request. No header reports any of
them, so the limiter keeps them as sliding windows: no window of the server's, wherever its
boundaries lie, may count more than the limit.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest

from binance_async import UMFutures
from binance_async.budget import MemoryBudgetStore
from binance_async.limits import Limiter
from binance_async.ratelimits import Priority, RateLimit
from binance_async.testing import RateLimitConfig, Simulator, SpotConfig, SpotRateLimitConfig
from binance_async.windows import SLOTS

from .conftest import make_client, make_spot
from .test_limits import M0, FakeServerTime, task, weight_limit

FIVE_MIN = 300_000


def bucket(limit: int, name: str | None = "f", num: int = 5) -> RateLimit:
    """A RAW_REQUESTS limit of ``limit`` per ``num`` minutes (``name`` None: every request)."""
    return RateLimit(
        kind="RAW_REQUESTS", interval="MINUTE", interval_num=num, limit=limit, bucket=name
    )


def worst_window(times: list[int], window: int, phases: range) -> int:
    """The most requests any server window of length ``window`` held, over the phases."""
    worst = 0
    for phase in phases:
        per = Counter((t - phase) // window for t in times)
        worst = max(worst, max(per.values(), default=0))
    return worst


async def test_bucket_never_overfills_a_server_window_of_any_phase() -> None:
    """Requests of a bucket, sent as fast as it admits them for 40 minutes: no 5-minute window
    of any phase holds more than the limit, and a steady flow gets most of it."""
    clock = FakeServerTime(start_ms=M0 + 12_345)
    limiter = Limiter(clock=clock, limits=(weight_limit(10**6), bucket(50)), sleep=clock.sleep)
    sent: list[int] = []
    end = clock.now_ms() + 40 * 60_000

    async def worker() -> None:
        while clock.now_ms() < end:
            reservation = await limiter.admit(weight=1, bucket="f")
            sent.append(clock.now_ms())
            limiter.observe(reservation, status=200, counts={})

    workers = [asyncio.get_running_loop().create_task(worker()) for _ in range(4)]
    await asyncio.wait_for(clock.run(workers), 30)
    assert worst_window(sent, FIVE_MIN, range(0, FIVE_MIN, 7_001)) <= 50
    # Eight windows' worth of time: at least SLOTS/(SLOTS+1) of eight budgets, less one
    # window for the start.
    assert len(sent) >= 7 * 50 * SLOTS // (SLOTS + 1), len(sent)


async def test_a_full_bucket_keeps_nobody_else_waiting() -> None:
    """The bucket's waiters wait for it; requests of no bucket (and of another) go at once."""
    clock = FakeServerTime()
    limiter = Limiter(
        clock=clock,
        limits=(weight_limit(100), bucket(3), bucket(5, "g")),
        sleep=clock.sleep,
    )
    for _ in range(3):
        limiter.observe(await limiter.admit(weight=1, bucket="f"), status=200, counts={})
    blocked = task(limiter.admit(weight=1, bucket="f"))
    await clock.settle()
    assert not blocked.done() and limiter.waiting == 1
    plain = task(limiter.admit(weight=1))
    urgent = task(limiter.admit(weight=1, priority=Priority.URGENT))
    other = task(limiter.admit(weight=1, bucket="g"))
    await clock.settle()
    assert plain.done() and urgent.done() and other.done() and not blocked.done()
    state = {(w.kind, w.bucket): w for w in limiter.snapshot.windows}
    assert state["RAW_REQUESTS", "f"].used == 3 and state["RAW_REQUESTS", "g"].in_flight == 1
    assert "RAW_REQUESTS[f] 5M@default 3/3" in str(limiter.snapshot)
    # The 3 requests leave the sliding window 5 minutes (and a slot) after they were sent.
    await clock.advance_to(clock.now_ms() + FIVE_MIN - 20_000)
    assert not blocked.done()
    await clock.advance_to(clock.now_ms() + 40_000)
    assert blocked.done()


async def test_every_request_counts_on_a_venue_wide_raw_limit() -> None:
    """Spot's RAW_REQUESTS (no bucket): weightless requests count too, bucketed ones on both."""
    clock = FakeServerTime()
    limiter = Limiter(
        clock=clock,
        limits=(weight_limit(1000), bucket(4, None), bucket(10, "f")),
        sleep=clock.sleep,
    )
    for cost, name in ((0, None), (1, None), (1, "f"), (5, None)):
        limiter.observe(await limiter.admit(weight=cost, bucket=name), status=200, counts={})
    fifth = task(limiter.admit(weight=0))
    await clock.settle()
    assert not fifth.done()
    counts = {(w.kind, w.bucket): w.used for w in limiter.snapshot.windows}
    assert counts["RAW_REQUESTS", None] == 4 and counts["RAW_REQUESTS", "f"] == 1
    assert counts["REQUEST_WEIGHT", None] == 7


async def test_429_of_a_full_bucket_pauses_that_bucket_only() -> None:
    """A 429 on a request whose bucket the local counts show full, the weight not: the bucket
    waits until Retry-After, everything else goes on."""
    clock = FakeServerTime()
    limiter = Limiter(clock=clock, limits=(weight_limit(100), bucket(2)), sleep=clock.sleep)
    limiter.observe(await limiter.admit(weight=1, bucket="f"), status=200, counts={})
    refused = await limiter.admit(weight=1, bucket="f")
    limiter.observe(refused, status=429, counts={"retry-after": "400"}, code=-1003)
    assert (await limiter.admit(weight=1)).address == "default"
    waiter = task(limiter.admit(weight=1, bucket="f"))
    await clock.advance_to(clock.now_ms() + 399_000)
    assert not waiter.done()
    await clock.advance_to(clock.now_ms() + 2_000)
    assert waiter.done()


async def test_a_429_the_bucket_does_not_explain_pauses_the_address() -> None:
    """A bucket with room locally, and a 429: the address's weight is paused (caution)."""
    clock = FakeServerTime()
    limiter = Limiter(clock=clock, limits=(weight_limit(100), bucket(50)), sleep=clock.sleep)
    refused = await limiter.admit(weight=1, bucket="f")
    limiter.observe(refused, status=429, counts={"retry-after": "3"}, code=-1003)
    plain = task(limiter.admit(weight=1))
    await clock.settle()
    assert not plain.done()
    await clock.advance_to(clock.now_ms() + 3_500)
    assert plain.done()


async def test_pinned_request_waits_for_its_own_address() -> None:
    """A request pinned to an address (a WebSocket connection's handshake) is charged there,
    waits for that address alone, and keeps nobody else off the other."""
    clock = FakeServerTime()
    limiter = Limiter(
        clock=clock, limits=(weight_limit(10),), addresses=("a", "b"), sleep=clock.sleep
    )
    full = await limiter.admit(weight=0, address=1)
    assert full.address == "b"
    limiter.observe(full, status=200, counts={"x-mbx-used-weight-1m": "8"})
    pinned = task(limiter.admit(weight=5, address=1))
    await clock.settle()
    assert not pinned.done()
    free = [task(limiter.admit(weight=5)) for _ in range(2)]
    await clock.settle()
    assert [t.result().address for t in free] == ["a", "a"]
    await clock.advance_to(clock.now_ms() + 60_000)
    assert pinned.done() and pinned.result().address == "b"
    with pytest.raises(ValueError, match="address"):
        limiter.try_admit(weight=1, address=2)


async def test_clients_sharing_a_store_share_a_bucket() -> None:
    """Three limiters on one store, bursting on one bucket: together within the limit in
    every window of any phase; the shared keys name the bucket."""
    clock = FakeServerTime()
    store = MemoryBudgetStore()
    limits = (weight_limit(10**6), bucket(30))
    limiters = [
        Limiter(clock=clock, limits=limits, store=store, account=f"acct{i}", sleep=clock.sleep)
        for i in range(3)
    ]
    sent: list[int] = []
    rng = random.Random(7)
    end = clock.now_ms() + 12 * 60_000

    async def worker(limiter: Limiter) -> None:
        while clock.now_ms() < end:
            reservation = await limiter.admit(weight=1, bucket="f")
            sent.append(clock.now_ms())
            await clock.sleep(rng.random() * 0.2)
            limiter.observe(reservation, status=200, counts={})

    workers = [
        asyncio.get_running_loop().create_task(worker(limiter))
        for limiter in limiters
        for _ in range(3)
    ]
    await asyncio.wait_for(clock.run(workers), 60)
    assert worst_window(sent, FIVE_MIN, range(0, FIVE_MIN, 3_001)) <= 30
    assert len(sent) >= 2 * 30
    keys = {key for key, _ in store._counts}
    assert any(key.startswith("usdm|ip:default|requests:f|RAW_REQUESTS 5M") for key in keys)
    for limiter in limiters:
        await limiter.close()


async def test_funding_burst_against_the_simulator_draws_no_429() -> None:
    """200 tasks fetch funding rates and info and ratio data, with the simulator's buckets
    cut to 20 and 30 per 5 minutes (the client told the same) and its clock standing still:
    each bucket gets exactly its limit, the rest wait, zero 429."""
    limits = RateLimitConfig(funding_limit=20, futures_data_limit=30)
    async with Simulator(rate_limits=limits) as sim:
        sim.clock.freeze(1_700_000_100_000)
        client_limits = (
            RateLimit(kind="REQUEST_WEIGHT", interval="MINUTE", interval_num=1, limit=2400),
            RateLimit(kind="ORDERS", interval="SECOND", interval_num=10, limit=300),
            bucket(20, "funding"),
            bucket(30, "futures-data"),
        )
        async with make_client(
            sim, sim.new_credentials("hmac"), rate_limits=client_limits
        ) as client:
            assert isinstance(client, UMFutures)
            done = Counter[str]()

            async def fetch(n: int) -> None:
                if n % 3 == 0:
                    await client.funding_info()
                    done["funding"] += 1
                elif n % 3 == 1:
                    await client.funding_rate(symbol="BTCUSDT")
                    done["funding"] += 1
                else:
                    await client.open_interest_hist("BTCUSDT", period="5m")
                    done["data"] += 1

            calls = [asyncio.ensure_future(fetch(n)) for n in range(200)]
            try:
                for _ in range(100):  # bounded: 10 s at most
                    await asyncio.sleep(0.1)
                    if done == {"funding": 20, "data": 30}:
                        break
                await asyncio.sleep(0.3)  # and no more after
                # The exchange's clock stands still: each bucket admitted exactly its limit,
                # the other calls wait for the next window.
                assert done == {"funding": 20, "data": 30}
                assert sum(not call.done() for call in calls) == 150
            finally:
                for call in calls:
                    call.cancel()
                await asyncio.gather(*calls, return_exceptions=True)
        assert sim.audit.status_count(429) == 0 and sim.audit.status_count(418) == 0


async def test_spot_raw_requests_burst_draws_no_429() -> None:
    """Spot's RAW_REQUESTS read from exchangeInfo (cut to 40 per second, the weight ample):
    120 requests from 30 tasks, zero 429, no second of the exchange's over 40 requests."""
    limits = SpotRateLimitConfig(
        weight_limit=100_000,
        raw_requests_limit=40,
        raw_requests_interval="SECOND",
        raw_requests_interval_num=1,
    )
    async with Simulator(spot=SpotConfig(rate_limits=limits)) as sim:
        async with make_spot(sim, sim.new_credentials("hmac"), call_deadline_s=30.0) as client:
            await client.exchange_info()
            assert any(w.kind == "RAW_REQUESTS" and w.limit == 40 for w in client.limits.windows)

            async def pings(n: int) -> None:
                for _ in range(4):
                    await (client.ping() if n % 2 else client.server_time())

            async with asyncio.timeout(60):
                await asyncio.gather(*(pings(n) for n in range(30)))
        answered = [r for r in sim.audit.requests if r.status is not None]
        assert sim.audit.status_count(429) == 0 and sim.audit.status_count(418) == 0
        assert len(answered) >= 121
        per_second = Counter(r.server_time_ms // 1000 for r in answered)
        assert max(per_second.values()) <= 40
