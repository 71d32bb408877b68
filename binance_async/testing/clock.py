"""SimClock: the exchange's clock, with offset, drift, jumps and freezing under test control."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["SimClock"]


class SimClock:
    """Server time = real time + offset + drift since the drift was set; or a frozen value.

    Real time is the wall clock read once at start, advanced by ``time.monotonic_ns``, so a step
    of the host's wall clock (or a test patching ``time.time``) does not move the exchange.
    """

    def __init__(
        self,
        *,
        monotonic_ns: Callable[[], int] = time.monotonic_ns,
        wall_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._monotonic_ns = monotonic_ns
        self._origin_ms = (wall_ns() - monotonic_ns()) / 1e6
        self._offset_ms = 0.0
        self._drift_ppm = 0.0
        self._drift_anchor_ms = self._real_ms()
        self._frozen_ms: float | None = None

    def _real_ms(self) -> float:
        return self._origin_ms + self._monotonic_ns() / 1e6

    def _running_ms(self, real_ms: float) -> float:
        drift = (real_ms - self._drift_anchor_ms) * self._drift_ppm / 1e6
        return real_ms + self._offset_ms + drift

    def now_ms(self) -> int:
        """The exchange's current time in epoch milliseconds."""
        if self._frozen_ms is not None:
            return int(self._frozen_ms)
        return int(self._running_ms(self._real_ms()))

    def real_ms(self) -> float:
        """The simulator's notion of true time (no offset, drift or jumps)."""
        return self._real_ms()

    @property
    def offset_ms(self) -> float:
        """How far the exchange's clock is from true time right now."""
        return self.now_ms() - self._real_ms()

    def set_offset_ms(self, ms: float) -> None:
        """Set server time to real time + ``ms``; accumulated drift starts again from zero."""
        real = self._real_ms()
        if self._frozen_ms is not None:
            self._frozen_ms = real + ms
        self._offset_ms = float(ms)
        self._drift_anchor_ms = real

    def jump(self, ms: float) -> None:
        """Step the server clock by ``ms`` (either sign)."""
        if self._frozen_ms is not None:
            self._frozen_ms += ms
        else:
            self._offset_ms += ms

    def set_drift_ppm(self, ppm: float) -> None:
        """From now on the server clock runs fast (positive) or slow by ``ppm``."""
        real = self._real_ms()
        self._offset_ms += (real - self._drift_anchor_ms) * self._drift_ppm / 1e6
        self._drift_anchor_ms = real
        self._drift_ppm = float(ppm)

    def freeze(self, at_ms: int | None = None) -> None:
        """Stop the clock at ``at_ms`` (default: now); ``jump`` still steps it."""
        self._frozen_ms = float(self.now_ms() if at_ms is None else at_ms)

    def unfreeze(self) -> None:
        """Let the clock run again from its frozen value, at the configured drift."""
        if self._frozen_ms is None:
            return
        real = self._real_ms()
        self._offset_ms = self._frozen_ms - real
        self._drift_anchor_ms = real
        self._frozen_ms = None

    @property
    def drift_ppm(self) -> float:
        """How fast (positive) or slow the clock runs, in parts per million."""
        return self._drift_ppm

    @property
    def frozen(self) -> bool:
        """Whether the clock is frozen."""
        return self._frozen_ms is not None

    def __repr__(self) -> str:
        return (
            f"SimClock(now_ms={self.now_ms()}, offset_ms={self.offset_ms:.0f}, "
            f"drift_ppm={self._drift_ppm:g}, frozen={self.frozen})"
        )
