"""The recovery policy's tools: backoff delays, and the in-flight cap that -1008 shrinks."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import deque
from collections.abc import Callable

from .admission import Closed
from .config import RetryConfig

__all__ = ["Backoff", "InflightGate"]

#: Past this many doublings every delay is the cap anyway; it also keeps 2**n finite.
_MAX_DOUBLINGS = 30


class Backoff:
    """Exponential delays with jitter: 200, 400, 800 ms ... capped (from :class:`RetryConfig`)."""

    def __init__(self, config: RetryConfig, rng: random.Random) -> None:
        self._config = config
        self._rng = rng

    def delay_s(self, attempt: int) -> float:
        """The delay before retry number ``attempt`` (0-based); any ``attempt`` is safe."""
        cfg = self._config
        doublings = min(max(attempt, 0), _MAX_DOUBLINGS)
        base: float = min(cfg.max_delay_s, cfg.base_delay_s * 2.0**doublings)
        if cfg.jitter:
            base *= 1.0 + self._rng.uniform(-cfg.jitter, cfg.jitter)
        return base


class InflightGate:
    """Caps new-risk orders in flight; -1008 halves the cap, each success adds one back.

    The -1008s of requests that were in flight together are one signal, not many: the cap is
    halved at most once per ``hold_s`` (by default the first backoff delay, so a request that
    backed off and was throttled again does count anew). Without that, one burst of answers
    would cut a cap of 200 to 1 at once.

    Time comes from the injected ``monotonic_ns`` (the client's time source).

    Reduce-only and close-position orders are exempt: they never wait here. A batch holds one
    slot per new-risk order in it; a request larger than the cap goes alone, so a shrunken cap
    delays a batch without ever blocking it for good. Waiting is FIFO.
    """

    def __init__(
        self,
        maximum: int,
        minimum: int = 1,
        *,
        hold_s: float = 0.2,
        monotonic_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        if not 1 <= minimum <= maximum:
            raise ValueError(f"InflightGate: need 1 <= minimum <= maximum, got {minimum}/{maximum}")
        if not hold_s >= 0:
            raise ValueError(f"InflightGate: hold_s must be >= 0, got {hold_s!r}")
        self.maximum = maximum
        self.minimum = minimum
        self.limit = maximum
        self._hold_ns = int(hold_s * 1e9)
        self._monotonic_ns = monotonic_ns
        self._halved_at: int | None = None
        self.in_flight = 0
        #: The lowest the cap has been since the gate was made (how far -1008 pushed it).
        self.lowest_limit = maximum
        self._waiters: deque[tuple[int, asyncio.Future[None]]] = deque()
        self._closed = False

    def _fits(self, count: int) -> bool:
        return self.in_flight == 0 or self.in_flight + count <= self.limit

    def try_acquire(self, count: int = 1) -> bool:
        """Take ``count`` slots if they are free now and nobody waits (never waits)."""
        if self._closed or self._waiters or not self._fits(count):
            return False
        self.in_flight += count
        return True

    async def acquire(self, count: int = 1) -> None:
        """Wait (FIFO) for ``count`` slots; :class:`~.admission.Closed` once closed."""
        if self._closed:
            raise Closed
        if not self._waiters and self._fits(count):
            self.in_flight += count
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (count, fut)
        self._waiters.append(entry)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled():
                # Granted and cancelled in the same breath: give the slots back.
                self.release(count)
            else:
                with contextlib.suppress(ValueError):  # _wake may have dropped it already
                    self._waiters.remove(entry)
                self._wake()  # a waiter behind this one may fit now
            raise

    def release(self, count: int = 1) -> None:
        """Give ``count`` slots back and wake waiters that now fit."""
        self.in_flight -= count
        self._wake()

    def _wake(self) -> None:
        while self._waiters:
            count, fut = self._waiters[0]
            if fut.done():  # cancelled while waiting
                self._waiters.popleft()
                continue
            if not self._fits(count):
                return
            self._waiters.popleft()
            self.in_flight += count
            fut.set_result(None)

    def close(self) -> None:
        """Fail every waiter (and every later acquire) with :class:`~.admission.Closed`."""
        self._closed = True
        while self._waiters:
            _, fut = self._waiters.popleft()
            if not fut.done():
                fut.set_exception(Closed())

    def throttled(self) -> None:
        """The exchange said -1008: halve the cap (once per ``hold_s``)."""
        now = self._monotonic_ns()
        if self._halved_at is not None and now - self._halved_at < self._hold_ns:
            return  # the same burst of answers
        self._halved_at = now
        self.limit = max(self.minimum, self.limit // 2)
        self.lowest_limit = min(self.lowest_limit, self.limit)

    def succeeded(self) -> None:
        """An order went through: grow the cap back by one."""
        if self.limit < self.maximum:
            self.limit += 1
            self._wake()

    def __repr__(self) -> str:
        return f"<InflightGate {self.in_flight}/{self.limit} (max {self.maximum})>"
