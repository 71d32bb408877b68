"""The exchange's clock, estimated from round-trip samples.

Local time is ``monotonic_ns`` (a step of the wall clock changes nothing); the server's time is
local time plus an estimated offset. Each sample brackets one ``serverTime`` between the send
time t0 and the receive time t1, so the server's clock read somewhere in [t0, t1]: offset =
serverTime - (t0 + t1) / 2 with an error of at most (t1 - t0) / 2. The estimator trusts the
sample whose error bound, aged by a drift allowance, is smallest (the NTP clock filter).

No single sample moves the estimate. Two honest samples always agree (their error bounds
overlap), so a sample that contradicts the estimate waits aside until a second one agrees with
it (the server's clock really stepped) or one agrees with the estimate (it was an outlier: a
stale cache, a bogus answer). Before the first two samples agree there is no estimate to stamp
requests with.

:class:`ServerClock` keeps that estimate fresh in a background task: on a schedule, sooner
while uncertain or while a step is suspected, at once after a ``-1021``
(:meth:`ServerClock.resync`, shared by every caller in its own task, so cancelling one caller
cancels nobody else's wait), and when the wall clock and the monotonic clock stop agreeing (a
suspended VM, a stepped clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import attrs

if TYPE_CHECKING:
    import aiohttp

__all__ = [
    "SYSTEM_TIME",
    "Estimate",
    "Sample",
    "ServerClock",
    "SystemTime",
    "TimeSource",
    "agree",
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


def agree(a: Sample, b: Sample, drift_ppm: float) -> bool:
    """Whether two samples can both be honest: their error bounds (aged) overlap."""
    gap = abs(a.offset_ns - b.offset_ns)
    age_ns = abs(a.received_ns - b.received_ns)
    slack = a.half_rtt_ns + b.half_rtt_ns + 2 * _QUANTUM_NS + _NS_PER_MS
    return gap <= slack + int(age_ns * drift_ppm / 1e6)


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


def _retrieve(task: asyncio.Task[None]) -> None:
    """Mark a shared task's error as seen: its callers got it, or nobody is waiting."""
    if not task.cancelled():
        task.exception()


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
        self._monotonic_ns = time_source.monotonic_ns  # read on every request: bound once
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
        self._estimate_bound_ns = self._estimate_at_ns = 0
        self._drift_per_ns = drift_ppm / 1e6
        self._wall_minus_mono_ns = self._offset_ns
        self._pending: deque[Sample] = deque(maxlen=4)
        self._resync_task: asyncio.Task[None] | None = None
        self._task: asyncio.Task[None] | None = None
        #: Bumped whenever the estimate is replaced after a resync; requests stamped under an
        #: older generation need no further resync when they come back with -1021.
        self.generation = 0
        self.samples_taken = 0
        self.resyncs = 0
        self.steps_detected = 0
        #: Samples held aside because they contradicted the estimate.
        self.outliers = 0

    @classmethod
    def for_exchange(
        cls,
        exchange: str,
        *,
        session: aiohttp.ClientSession,
        base_url: str | None = None,
        testnet: bool = False,
        timeout_s: float = 5.0,
        time_source: TimeSource = SYSTEM_TIME,
        **options: Any,
    ) -> ServerClock:
        """A clock of ``exchange`` (``binance-spot``, ``binance-usdm``, ``bybit``, ``okx``,
        ``bitget``, ``kucoin``), sampling its time endpoint through ``session`` (borrowed).

        Each exchange's clock has its own offset, round-trip filter and background
        resampling (``start()``/``stop()``). Raises ``ValueError`` for an unknown exchange.
        """
        from .exchanges import EXCHANGES, fetch_sample  # the table reads Sample from here

        spec = EXCHANGES.get(exchange)
        if spec is None:
            raise ValueError(f"unknown exchange {exchange!r}: one of {sorted(EXCHANGES)}")
        url = base_url or (spec.testnet_url if testnet and spec.testnet_url else spec.base_url)

        async def fetch() -> Sample:
            return await fetch_sample(
                session, spec, base_url=url, timeout_s=timeout_s, time_source=time_source
            )

        return cls(fetch, time_source=time_source, **options)

    # -- reading ---------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The exchange's current time, by the estimate, in ms."""
        return (self._monotonic_ns() + self._offset_ns) // _NS_PER_MS

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
        if self._estimate is None:
            return 1000.0
        age_ns = self._monotonic_ns() - self._estimate_at_ns
        if age_ns < 0:
            age_ns = 0
        return (self._estimate_bound_ns + age_ns * self._drift_per_ns) / _NS_PER_MS

    def reading(self) -> tuple[int, float]:
        """``(now_ms(), uncertainty_ms)`` from one read of the monotonic clock (the limiter
        needs both for every request)."""
        mono = self._monotonic_ns()
        now = (mono + self._offset_ns) // _NS_PER_MS
        if self._estimate is None:
            return now, 1000.0
        age_ns = mono - self._estimate_at_ns
        if age_ns < 0:
            age_ns = 0
        return now, (self._estimate_bound_ns + age_ns * self._drift_per_ns) / _NS_PER_MS

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

    def add_sample(self, sample: Sample) -> bool:
        """Fold one round trip in; True when it is trusted (it moved or confirmed the estimate).

        A sample that contradicts the estimate is held aside: it takes a second sample that
        agrees with it to replace the estimate (a step of the server's clock, or ours).
        """
        self.samples_taken += 1
        if sample.received_ns < sample.sent_ns:
            return False
        drift = self._drift_ppm
        if self._samples:
            best = self._current()
            assert best is not None
            if agree(sample, best.sample, drift):
                self._samples.append(sample)
                self._pending.clear()
                self._adopt()
                return True
        partners = [p for p in self._pending if agree(sample, p, drift)]
        self._pending.append(sample)
        if not partners:
            if self._samples:
                self.outliers += 1
                log.info(
                    "clock: a sample %+.1f ms off the estimate is held aside until confirmed",
                    (sample.offset_ns - self._offset_ns) / 1e6,
                )
            return False
        if self._samples:
            self.steps_detected += 1
            log.info(
                "clock: server clock stepped by %+.1f ms (two samples agree); old samples dropped",
                (sample.offset_ns - self._offset_ns) / 1e6,
            )
        self._samples.clear()
        self._samples.extend([*partners, sample])
        self._pending.clear()
        self._adopt()
        return True

    def _adopt(self) -> None:
        best = self._current()
        assert best is not None
        self._estimate = best
        self._estimate_bound_ns = best.sample.half_rtt_ns + _QUANTUM_NS
        self._estimate_at_ns = best.sample.received_ns
        self._offset_ns = best.offset_ns
        self._wall_minus_mono_ns = self.time.wall_ns() - self.time.monotonic_ns()

    async def sample(self) -> bool:
        """Take one sample now and fold it in; True when it was trusted."""
        return self.add_sample(await self._fetch())

    async def sync(self, samples: int | None = None, *, attempts: int = 8) -> bool:
        """Take at least ``samples`` round trips, more (up to ``attempts``) until two agree.

        Returns whether the clock is synced; errors of the round trips propagate.
        """
        wanted = samples or self._initial_samples
        for taken in range(1, max(attempts, wanted) + 1):
            await self.sample()
            if taken >= wanted and self._estimate is not None and not self._pending:
                return True
        return self._estimate is not None

    async def ensure_synced(self) -> None:
        """Sync once if no estimate exists yet."""
        if self._estimate is None:
            await self.resync()

    async def resync(self, *, stale_generation: int | None = None) -> None:
        """Re-estimate now from fresh samples; concurrent callers share one resync.

        ``stale_generation``: the generation a refused request was stamped under; if the
        estimate was replaced since, nothing more is done. The resync runs in a task of its
        own: a caller cancelled (or timed out) while waiting leaves it running for the rest.
        Raises what the resync's round trips raised.
        """
        if stale_generation is not None and stale_generation < self.generation:
            return
        task = self._resync_task
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(
                self._resync(), name="binance_async.clock-resync"
            )
            task.add_done_callback(_retrieve)
            self._resync_task = task
        await asyncio.shield(task)

    async def _resync(self) -> None:
        self.resyncs += 1
        # The estimate just failed (-1021): new samples must agree among themselves, not
        # with it. It keeps serving the limiter's notion of "now" until replaced.
        trusted = list(self._samples)
        self._samples.clear()
        self._pending.clear()
        try:
            synced = await self.sync(2)
        except BaseException:
            if not self._samples:
                self._samples.extend(trusted)
            raise
        if not synced and not self._samples:
            self._samples.extend(trusted)
            return
        self.generation += 1

    # -- background ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background resampling task (idempotent)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="binance_async.clock"
            )

    async def stop(self) -> None:
        """Cancel and await the background task and any resync."""
        for task in (self._task, self._resync_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        self._task = self._resync_task = None

    def next_interval_s(self) -> float:
        """How long until the next scheduled sample: shorter while uncertain or young."""
        est = self._current()
        if est is None or est.uncertainty_ns > self._uncertain_ns or self._pending:
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
