"""The server clock: offset estimation, resync, steps, wall-clock jumps; time is scripted."""

from __future__ import annotations

import asyncio
import random

from binance_async.clock import Sample, ServerClock, estimate_offset

MS = 1_000_000


class FakeTime:
    """A scripted machine: monotonic and wall clocks under the test's control."""

    def __init__(self) -> None:
        self.mono = 5_000 * MS
        self.wall = 1_700_000_000_000 * MS

    def monotonic_ns(self) -> int:
        return self.mono

    def wall_ns(self) -> int:
        return self.wall

    def advance(self, ns: int) -> None:
        self.mono += ns
        self.wall += ns


class ScriptedServer:
    """An exchange whose clock is ``offset`` ahead of the fake wall clock, reached through
    asymmetric, jittered one-way delays; it answers whole milliseconds, like the real one."""

    def __init__(self, time: FakeTime, offset_ns: int, seed: int = 1) -> None:
        self.time = time
        self.offset_ns = offset_ns
        self.rng = random.Random(seed)
        self.half_rtts: list[int] = []

    def true_server_ns(self) -> int:
        return self.time.wall_ns() + self.offset_ns

    async def fetch(self) -> Sample:
        sent = self.time.monotonic_ns()
        out = int(self.rng.uniform(0.3, 40) * MS)  # request path: slow and jittery
        back = int(self.rng.uniform(0.1, 3) * MS)  # response path: fast
        self.time.advance(out)
        server_ms = self.true_server_ns() // MS
        self.time.advance(back)
        received = self.time.monotonic_ns()
        self.half_rtts.append((received - sent) // 2)
        return Sample(sent_ns=sent, server_ms=server_ms, received_ns=received)


def error_ns(clock: ServerClock, server: ScriptedServer) -> int:
    return abs(clock.now_ms() * MS - server.true_server_ns())


def test_offset_of_one_sample_is_midpoint() -> None:
    """A sample's offset is serverTime (+0.5 ms rounding) minus the round trip's midpoint."""
    sample = Sample(sent_ns=10 * MS, server_ms=1000, received_ns=20 * MS)
    assert sample.offset_ns == 1000 * MS + MS // 2 - 15 * MS
    assert sample.half_rtt_ns == 5 * MS


def test_estimator_trusts_smallest_round_trip() -> None:
    """Among samples of one age, the one with the smallest round trip wins."""
    wide = Sample(sent_ns=0, server_ms=100, received_ns=40 * MS)
    narrow = Sample(sent_ns=0, server_ms=90, received_ns=2 * MS)
    est = estimate_offset([wide, narrow], now_ns=40 * MS, drift_ppm=0)
    assert est is not None and est.sample is narrow
    assert est.uncertainty_ns == MS + MS // 2


def test_old_sample_loses_to_fresh_one_by_drift() -> None:
    """An old tight sample loses once drift allowance makes it worse than a fresh wider one."""
    old = Sample(sent_ns=0, server_ms=0, received_ns=2 * MS)
    fresh = Sample(sent_ns=1000_000 * MS, server_ms=0, received_ns=1000_000 * MS + 20 * MS)
    est = estimate_offset([old, fresh], now_ns=1000_000 * MS + 20 * MS, drift_ppm=100)
    assert est is not None and est.sample is fresh


async def test_error_within_smallest_half_round_trip() -> None:
    """With asymmetric jittered delays the estimate's error stays within the smallest
    sample's half round trip (plus the half millisecond of serverTime rounding)."""
    for seed in range(20):
        time = FakeTime()
        server = ScriptedServer(time, offset_ns=int(1234.567 * MS), seed=seed)
        clock = ServerClock(server.fetch, time_source=time, drift_ppm=0)
        await clock.sync(8)
        bound = min(server.half_rtts) + MS // 2
        # now_ms() floors to whole ms: allow that one ms of reading resolution.
        assert error_ns(clock, server) <= bound + MS, (seed, error_ns(clock, server), bound)
        assert clock.uncertainty_ms * MS >= min(server.half_rtts)


async def test_server_clock_step_takes_two_agreeing_samples() -> None:
    """A sample that contradicts the estimate waits aside; a second agreeing one makes it the
    estimate and drops the old samples (a real step of the server's clock)."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=0)
    clock = ServerClock(server.fetch, time_source=time, drift_ppm=0)
    await clock.sync(5)
    server.offset_ns += 3000 * MS
    assert not await clock.sample()
    assert clock.steps_detected == 0 and error_ns(clock, server) >= 2900 * MS
    assert await clock.sample()
    assert clock.steps_detected == 1
    assert error_ns(clock, server) <= max(server.half_rtts[-2:]) + 2 * MS


async def test_one_bogus_sample_never_moves_the_estimate() -> None:
    """A single sample an hour ahead is held aside as an outlier; the next honest one drops it."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=250 * MS)
    clock = ServerClock(server.fetch, time_source=time, drift_ppm=0)
    await clock.sync(3)
    before = clock.now_ms()
    server.offset_ns += 3_600_000 * MS
    assert not await clock.sample()
    server.offset_ns -= 3_600_000 * MS
    assert clock.outliers == 1 and abs(clock.now_ms() - before) < 100
    assert clock.next_interval_s() == 5.0  # a suspected step is checked soon
    assert await clock.sample()
    assert clock.steps_detected == 0 and clock.next_interval_s() == 60.0


async def test_first_sync_needs_two_agreeing_samples() -> None:
    """Before two samples agree there is no estimate: a bogus first answer is outvoted."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=0)
    answers = iter([3_600_000 * MS, 0, 0])

    async def fetch() -> Sample:
        server.offset_ns = next(answers)
        return await server.fetch()

    clock = ServerClock(fetch, time_source=time, drift_ppm=0)
    assert await clock.sync(1)
    assert clock.samples_taken == 3 and clock.synced
    assert error_ns(clock, server) <= max(server.half_rtts) + 2 * MS


async def test_cancelling_one_resync_caller_leaves_the_resync_to_the_others() -> None:
    """The shared resync runs in its own task: a cancelled caller cancels nobody else."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=0)
    release = asyncio.Event()

    async def fetch() -> Sample:
        await release.wait()
        return await server.fetch()

    clock = ServerClock(fetch, time_source=time)
    callers = [asyncio.create_task(clock.resync()) for _ in range(4)]
    await asyncio.sleep(0)
    callers[0].cancel()
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*callers[1:])
    assert callers[0].cancelled() and clock.synced and clock.resyncs == 1


async def test_resync_is_shared_and_generation_guarded() -> None:
    """Concurrent resyncs share one round of sampling; a stale generation skips it."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=0)
    calls = 0

    async def fetch() -> Sample:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0)
        return await server.fetch()

    clock = ServerClock(fetch, time_source=time)
    await clock.sync(1)
    stamped_under = clock.generation
    calls = 0
    await asyncio.gather(*(clock.resync(stale_generation=stamped_under) for _ in range(50)))
    assert calls == 2 and clock.resyncs == 1 and clock.generation == stamped_under + 1
    await clock.resync(stale_generation=stamped_under)  # refused under the old estimate
    assert calls == 2


async def test_background_resamples_when_wall_clock_jumps() -> None:
    """A step of the wall clock relative to monotonic time triggers a sample at once."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=0)
    slept: list[float] = []
    gate = asyncio.Event()

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        time.advance(int(seconds * 1e9))
        if len(slept) == 3:
            time.wall += 3600 * 10**9  # the VM was suspended / the wall clock stepped
        if len(slept) > 3:
            gate.set()
            await asyncio.Event().wait()  # park until cancelled
        await asyncio.sleep(0)

    clock = ServerClock(
        server.fetch, time_source=time, sleep=fake_sleep, resync_interval_s=60, drift_ppm=0
    )
    await clock.sync(3)
    taken = clock.samples_taken
    clock.start()
    await asyncio.wait_for(gate.wait(), 5)
    await clock.stop()
    # Three 1 s checks, then the jump seen at once: one sample long before the 60 s schedule.
    assert clock.samples_taken == taken + 1
    assert sum(slept[:3]) == 3.0


async def test_schedule_faster_while_uncertain() -> None:
    """The next sample comes sooner while the estimate is uncertain."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=0)
    clock = ServerClock(
        server.fetch, time_source=time, resync_interval_s=60, fast_interval_s=5, uncertain_ms=25
    )
    assert clock.next_interval_s() == 5
    await clock.sync(3)
    assert clock.next_interval_s() == 60
    time.advance(3600 * 10**9)  # an hour of drift allowance at 100 ppm: 360 ms
    assert clock.next_interval_s() == 5


def test_unsynced_clock_reports_it() -> None:
    """Before any sample the clock says so, with a wide uncertainty."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=0)
    clock = ServerClock(server.fetch, time_source=time)
    assert not clock.synced and clock.uncertainty_ms == 1000.0
    assert "unsynced" in repr(clock)


async def test_one_reading_gives_the_time_and_its_uncertainty() -> None:
    """``reading()`` (the limiter's one read per request) is ``now_ms()`` and
    ``uncertainty_ms`` at that instant: before the first sample, after it, and as the
    estimate ages and its bound grows by the drift allowance."""
    time = FakeTime()
    server = ScriptedServer(time, offset_ns=int(777.25 * MS))
    clock = ServerClock(server.fetch, time_source=time, drift_ppm=100)
    assert clock.reading() == (clock.now_ms(), 1000.0)
    await clock.sync(3)
    for step_ns in (0, 3 * MS, 10**9, 600 * 10**9):
        time.advance(step_ns)
        now, uncertainty = clock.reading()
        assert (now, uncertainty) == (clock.now_ms(), clock.uncertainty_ms)
    assert uncertainty >= 60.0  # ten minutes at 100 ppm
