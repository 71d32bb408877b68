"""The recovery policy's tools: backoff delays, and the in-flight cap that -1008 shrinks."""

from __future__ import annotations

import asyncio
import random
from collections import deque

from .config import RetryConfig

__all__ = ["Backoff", "InflightGate"]


class Backoff:
    """Exponential delays with jitter: 200, 400, 800 ms ... capped (from :class:`RetryConfig`)."""

    def __init__(self, config: RetryConfig, rng: random.Random) -> None:
        self._config = config
        self._rng = rng

    def delay_s(self, attempt: int) -> float:
        """The delay before retry number ``attempt`` (0-based)."""
        cfg = self._config
        base: float = min(cfg.max_delay_s, cfg.base_delay_s * 2.0**attempt)
        if cfg.jitter:
            base *= 1.0 + self._rng.uniform(-cfg.jitter, cfg.jitter)
        return base


class InflightGate:
    """Caps new-risk orders in flight; -1008 halves the cap, each success adds one back.

    Reduce-only and close-position orders are exempt: they never wait here.
    """

    def __init__(self, maximum: int, minimum: int = 1) -> None:
        self.maximum = maximum
        self.minimum = minimum
        self.limit = maximum
        self.in_flight = 0
        self._waiters: deque[asyncio.Future[None]] = deque()

    async def acquire(self) -> None:
        """Wait for a slot (FIFO)."""
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled():
                # Granted and cancelled in the same breath: give the slot back.
                self.release()
            else:
                self._waiters.remove(fut)
            raise

    def release(self) -> None:
        """Give a slot back and wake waiters that now fit."""
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            fut = self._waiters.popleft()
            if not fut.done():
                self.in_flight += 1
                fut.set_result(None)

    def throttled(self) -> None:
        """The exchange said -1008: halve the cap."""
        self.limit = max(self.minimum, self.limit // 2)

    def succeeded(self) -> None:
        """An order went through: grow the cap back by one."""
        if self.limit < self.maximum:
            self.limit += 1
            self._wake()

    def __repr__(self) -> str:
        return f"<InflightGate {self.in_flight}/{self.limit} (max {self.maximum})>"
