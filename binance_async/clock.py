"""The exchange's clock, estimated from round-trip samples.

Local time is ``monotonic_ns`` (a step of the wall clock changes nothing); the server's time is
local time plus an estimated offset. Each sample brackets one ``serverTime`` between the send
time t0 and the receive time t1, so the server's clock read somewhere in [t0, t1]: offset =
serverTime - (t0 + t1) / 2 with an error of at most (t1 - t0) / 2. The estimator trusts the
sample whose error bound, aged by a drift allowance, is smallest (the NTP clock filter).

:class:`ServerClock` keeps that estimate fresh in a background task: on a schedule, sooner
while uncertain, at once after a ``-1021`` (:meth:`ServerClock.resync`), and when the wall
clock and the monotonic clock stop agreeing (a suspended VM, a stepped clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

import attrs

__all__ = [
    "SYSTEM_TIME",
    "Estimate",
    "Sample",
    "ServerClock",
    "SystemTime",
    "TimeSource",
    "estimate_offset",
]

log = logging.getLogger("binance_async.clock")

_NS_PER_MS = 1_000_000
#: serverTime is whole milliseconds: the true reading lies in [serverTime, serverTime + 1).
_QUANTUM_NS = _NS_PER_MS // 2


class TimeSource(Protocol):
    """Where local time comes from; tests inject a scripted one."""

    def monotonic_ns(self) -> int:
        """Monotonic local time, ns."""
        ...

    def wall_ns(self) -> int:
        """Wall-clock time since the epoch, ns."""
        ...


class SystemTime:
    """The machine's clocks."""

    monotonic_ns = staticmethod(time.monotonic_ns)
    wall_ns = staticmethod(time.time_ns)


SYSTEM_TIME = SystemTime()


@attrs.frozen(kw_only=True, slots=True)
class Sample:
    """One round trip: local send time, the server's reading, local receive time."""

    sent_ns: int
    server_ms: int
    received_ns: int

    @property
    def half_rtt_ns(self) -> int:
        """Half the round trip: the bound on this sample's offset error."""
        return (self.received_ns - self.sent_ns) // 2

    @property
    def offset_ns(self) -> int:
        """Server time minus local monotonic time, at the midpoint of the round trip."""
        midpoint = (self.sent_ns + self.received_ns) // 2
        return self.server_ms * _NS_PER_MS + _QUANTUM_NS - midpoint


@attrs.frozen(kw_only=True, slots=True)
class Estimate:
    """The offset to trust now, and how wrong it can be."""

    offset_ns: int
    uncertainty_ns: int
    sample: Sample


def estimate_offset(samples: Sequence[Sample], now_ns: int, drift_ppm: float) -> Estimate | None:
    """Pick the sample with the smallest error bound at ``now_ns`` (pure function).

    A sample's bound is its half round trip, plus half a millisecond of ``serverTime``
    rounding, plus ``drift_ppm`` of its age: an old sample from a quiet network loses to a
    fresh one once the clocks may have drifted apart by more than the difference.
    """
    best: Estimate | None = None
    for sample in samples:
        age_ns = max(0, now_ns - sample.received_ns)
        bound = sample.half_rtt_ns + _QUANTUM_NS + int(age_ns * drift_ppm / 1e6)
        if best is None or bound < best.uncertainty_ns:
            best = Estimate(offset_ns=sample.offset_ns, uncertainty_ns=bound, sample=sample)
    return best


SampleFetch = Callable[[], Awaitable[Sample]]


class ServerClock:
    """A live estimate of the exchange's clock.

    ``fetch`` performs one round trip and returns its :class:`Sample`, measured with this
    clock's ``time`` source right around the send (the gateway's time request).
    """

    def __init__(
        self,
        fetch: SampleFetch,
        *,
        time_source: TimeSource = SYSTEM_TIME,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        resync_interval_s: float = 60.0,
        fast_interval_s: float = 5.0,
        uncertain_ms: float = 25.0,
        max_samples: int = 8,
        drift_ppm: float = 100.0,
        initial_samples: int = 3,
        wall_check_interval_s: float = 1.0,
        wall_jump_tolerance_ms: float = 100.0,
    ) -> None:
        self.time = time_source
        self._fetch = fetch
        self._sleep = sleep
        self._resync_interval_s = resync_interval_s
        self._fast_interval_s = fast_interval_s
        self._uncertain_ns = int(uncertain_ms * _NS_PER_MS)
        self._samples: deque[Sample] = deque(maxlen=max_samples)
        self._drift_ppm = drift_ppm
        self._initial_samples = initial_samples
        self._wall_check_interval_s = wall_check_interval_s
        self._wall_jump_tolerance_ns = int(wall_jump_tolerance_ms * _NS_PER_MS)
        # Before the first sample, the limiter still needs a notion of "now"; signed requests
        # are never stamped from it (the gateway awaits ensure_synced first).
        self._offset_ns = time_source.wall_ns() - time_source.monotonic_ns()
        self._estimate: Estimate | None = None
        self._wall_minus_mono_ns = self._offset_ns
        self._resync: asyncio.Future[None] | None = None
        self._task: asyncio.Task[None] | None = None
        #: Bumped whenever the estimate is replaced after a resync; requests stamped under an
        #: older generation need no further resync when they come back with -1021.
        self.generation = 0
        self.samples_taken = 0
        self.resyncs = 0
        self.steps_detected = 0

    # -- reading ---------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The exchange's current time, by the estimate, in ms."""
        return (self.time.monotonic_ns() + self._offset_ns) // _NS_PER_MS

    @property
    def synced(self) -> bool:
        """True once at least one sample was taken."""
        return self._estimate is not None

    @property
    def offset_ms(self) -> float:
        """Server time minus this machine's wall time, ms (positive: the exchange is ahead)."""
        mono = self.time.monotonic_ns()
        return (mono + self._offset_ns - self.time.wall_ns()) / _NS_PER_MS

    @property
    def uncertainty_ms(self) -> float:
        """Bound on the estimate's error now, ms (1000 before the first sample)."""
        est = self._estimate
        if est is None:
            return 1000.0
        sample = est.sample
        age_ns = max(0, self.time.monotonic_ns() - sample.received_ns)
        bound = sample.half_rtt_ns + _QUANTUM_NS + age_ns * self._drift_ppm / 1e6
        return bound / _NS_PER_MS

    def _current(self) -> Estimate | None:
        if not self._samples:
            return None
        return estimate_offset(self._samples, self.time.monotonic_ns(), self._drift_ppm)

    def __repr__(self) -> str:
        if not self.synced:
            return "<ServerClock unsynced>"
        return (
            f"<ServerClock offset={self.offset_ms:+.1f}ms "
            f"uncertainty={self.uncertainty_ms:.1f}ms samples={len(self._samples)} "
            f"resyncs={self.resyncs}>"
        )

    # -- updating --------------------------------------------------------------------------

    def add_sample(self, sample: Sample) -> None:
        """Fold one round trip into the estimate; a sample that contradicts it means a step."""
        self.samples_taken += 1
        current = self._current()
        if current is not None:
            gap = abs(sample.offset_ns - current.offset_ns)
            if gap > sample.half_rtt_ns + _QUANTUM_NS + current.uncertainty_ns + _NS_PER_MS:
                # Both error bounds cannot hold at once: the server's clock (or ours) moved.
                self.steps_detected += 1
                log.info("server clock stepped by %.1f ms; old samples dropped", gap / 1e6)
                self._samples.clear()
        self._samples.append(sample)
        best = self._current()
        assert best is not None
        self._estimate = best
        self._offset_ns = best.offset_ns
        self._wall_minus_mono_ns = self.time.wall_ns() - self.time.monotonic_ns()

    async def sample(self) -> Sample:
        """Take one sample now and fold it in."""
        sample = await self._fetch()
        self.add_sample(sample)
        return sample

    async def sync(self, samples: int | None = None) -> None:
        """Take ``samples`` round trips in a row (the initial sync)."""
        for _ in range(samples or self._initial_samples):
            await self.sample()

    async def ensure_synced(self) -> None:
        """Sync once if no sample was taken yet."""
        if self._estimate is None:
            await self.resync()

    async def resync(self, *, stale_generation: int | None = None) -> None:
        """Re-estimate now, dropping old samples; concurrent callers share one resync.

        ``stale_generation``: the generation a refused request was stamped under; if the
        estimate was already replaced since, nothing more is done.
        """
        if stale_generation is not None and stale_generation < self.generation:
            return
        if self._resync is not None:
            await asyncio.shield(self._resync)
            return
        self._resync = asyncio.get_running_loop().create_future()
        try:
            self.resyncs += 1
            self._samples.clear()
            await self.sync(2)
            self.generation += 1
            self._resync.set_result(None)
        except BaseException as exc:
            self._resync.set_exception(exc)
            # The waiters see the error; nobody else needs to retrieve it.
            self._resync.exception()
            raise
        finally:
            self._resync = None

    # -- background ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background resampling task (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="binance_async.clock"
            )

    async def stop(self) -> None:
        """Cancel and await the background task."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def next_interval_s(self) -> float:
        """How long until the next scheduled sample: shorter while uncertain or young."""
        est = self._current()
        if est is None or est.uncertainty_ns > self._uncertain_ns:
            return self._fast_interval_s
        if len(self._samples) < self._initial_samples:
            return self._fast_interval_s
        return self._resync_interval_s

    def wall_clock_moved(self) -> bool:
        """True when wall time and monotonic time no longer advance together."""
        now_gap = self.time.wall_ns() - self.time.monotonic_ns()
        return abs(now_gap - self._wall_minus_mono_ns) > self._wall_jump_tolerance_ns

    async def _run(self) -> None:
        while True:
            waited = 0.0
            interval = self.next_interval_s()
            while waited < interval:
                step = min(self._wall_check_interval_s, interval - waited)
                await self._sleep(step)
                waited += step
                if self.wall_clock_moved():
                    log.info("wall clock and monotonic clock disagree; resampling now")
                    break
            try:
                await self.sample()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # keep running; the next round tries again
                log.warning("clock sample failed: %s", exc)
