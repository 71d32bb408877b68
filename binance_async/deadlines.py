"""Deadlines: when each call must end, and the closing deadline that clips them all.

Time is the injected monotonic clock. :meth:`Deadlines.within` bounds any wait (budget, an
order slot, a clock resync) by the call's deadline and raises a definite
:class:`~binance_async.errors.DeadlineExceeded` (nothing was sent) past it. Once
:meth:`Deadlines.begin_close` is called, every deadline, and every wait already running, ends
no later than the closing deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from .admission import Closed
from .clock import TimeSource
from .errors import DeadlineExceeded, RequestInfo

__all__ = ["Deadlines"]


class Deadlines:
    """Call deadlines in monotonic ns, and the waits they bound."""

    def __init__(self, time_source: TimeSource, call_deadline_s: float) -> None:
        self._time = time_source
        self._call_deadline_s = call_deadline_s
        self._closing_ns: int | None = None
        self._waits: set[asyncio.Timeout] = set()

    def begin_close(self, timeout_s: float) -> None:
        """From now on every call ends within ``timeout_s``: deadlines and waits are clipped."""
        closing = self._time.monotonic_ns() + int(timeout_s * 1e9)
        self._closing_ns = closing if self._closing_ns is None else min(closing, self._closing_ns)
        when = asyncio.get_running_loop().time() + timeout_s
        for wait in self._waits:
            current = wait.when()
            if current is None or current > when:
                wait.reschedule(when)

    def deadline_ns(self, deadline_s: float | None = None) -> int:
        """Monotonic ns by which a call starting now must end."""
        seconds = self._call_deadline_s if deadline_s is None else deadline_s
        return self._time.monotonic_ns() + int(seconds * 1e9)

    def remaining_s(self, deadline_ns: int) -> float:
        """Seconds left before ``deadline_ns`` (or the closing deadline, if sooner)."""
        closing = self._closing_ns
        if closing is not None and closing < deadline_ns:
            deadline_ns = closing
        return (deadline_ns - self._time.monotonic_ns()) / 1e9

    async def within(
        self, awaitable: Awaitable[Any], deadline_ns: int, what: str, ref: RequestInfo
    ) -> Any:
        """Await ``awaitable`` until the deadline; past it, :class:`DeadlineExceeded` saying
        ``what`` was waited for (nothing was sent)."""
        remaining = self.remaining_s(deadline_ns)
        if remaining <= 0:
            if asyncio.iscoroutine(awaitable):
                awaitable.close()
            raise DeadlineExceeded(
                f"call deadline passed before {what}; nothing was sent", request=ref
            )
        timeout = asyncio.timeout(remaining)
        self._waits.add(timeout)
        try:
            async with timeout:
                return await awaitable
        except TimeoutError:
            if not timeout.expired():
                raise
            raise DeadlineExceeded(
                f"call deadline passed while waiting for {what}; nothing was sent", request=ref
            ) from None
        except Closed:
            raise DeadlineExceeded(
                f"the client closed while waiting for {what}; nothing was sent", request=ref
            ) from None
        finally:
            self._waits.discard(timeout)
