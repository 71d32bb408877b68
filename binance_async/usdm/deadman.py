"""A dead man's switch: the exchange's ``countdownCancelAll`` kept armed while a block runs.

The exchange cancels a symbol's open orders when its countdown passes without a refresh. The
switch arms it on entry, refreshes it from a background task well before it would expire
(a quarter of the countdown by default; a failed refresh is logged and tried again at once,
and then more often), and on a clean exit disarms it (countdown 0). If the block raises, the
switch stops refreshing but stays armed: a bot that failed should not keep orders it can no
longer watch. If the process freezes or loses the network, nothing refreshes, and the exchange
cancels the orders on its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import TYPE_CHECKING

from ..errors import BinanceError, InvalidRequest

if TYPE_CHECKING:
    from .trading import Trading

__all__ = ["DeadMansSwitch"]

log = logging.getLogger("binance_async.deadman")

#: The shortest countdown the switch accepts: it must leave room for refreshes.
MIN_COUNTDOWN_MS = 2_000


class DeadMansSwitch:
    """``async with client.dead_mans_switch(symbol, countdown_ms):`` (see the module)."""

    def __init__(
        self,
        client: Trading,
        symbol: str,
        countdown_ms: int,
        *,
        refresh_s: float | None = None,
    ) -> None:
        if isinstance(countdown_ms, bool) or not isinstance(countdown_ms, int):
            raise InvalidRequest(f"countdown_ms must be an int of ms, got {countdown_ms!r}")
        if countdown_ms < MIN_COUNTDOWN_MS:
            raise InvalidRequest(f"countdown_ms must be at least {MIN_COUNTDOWN_MS} ms")
        period_s = countdown_ms / 4000 if refresh_s is None else refresh_s
        if not 0 < period_s <= countdown_ms / 2000:
            raise InvalidRequest(
                f"refresh_s={refresh_s!r} must be > 0 and at most half the countdown"
            )
        self._client = client
        self.symbol = symbol
        self.countdown_ms = countdown_ms
        self.refresh_s = period_s
        self._task: asyncio.Task[None] | None = None
        #: Successful refreshes after arming, and failed ones.
        self.refreshes = 0
        self.failures = 0

    @property
    def refreshing(self) -> bool:
        """True while the background refresh runs."""
        return self._task is not None and not self._task.done()

    async def __aenter__(self) -> DeadMansSwitch:
        await self._client.countdown_cancel_all(self.symbol, self.countdown_ms)
        self._task = asyncio.get_running_loop().create_task(
            self._run(), name=f"binance_async.deadman-{self.symbol}"
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_refreshing()
        if exc_type is None:
            await self._client.countdown_cancel_all(self.symbol, 0)
        else:
            log.warning(
                "dead man's switch on %s left armed after %s: the exchange cancels its open "
                "orders within %d ms",
                self.symbol,
                exc_type.__name__,
                self.countdown_ms,
            )

    async def stop_refreshing(self) -> None:
        """Stop refreshing without disarming: the exchange cancels the symbol's open orders
        once the countdown passes (as for a frozen process)."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        wait_s = self.refresh_s
        while True:
            await asyncio.sleep(wait_s)
            try:
                await self._client.countdown_cancel_all(self.symbol, self.countdown_ms)
            except asyncio.CancelledError:
                raise
            except (BinanceError, RuntimeError) as exc:
                self.failures += 1
                # Try again sooner: a quarter of the period, so several tries fit before the
                # countdown would pass.
                wait_s = self.refresh_s / 4
                log.warning("dead man's switch on %s: refresh failed (%s)", self.symbol, exc)
            else:
                self.refreshes += 1
                wait_s = self.refresh_s

    def __repr__(self) -> str:
        state = "refreshing" if self.refreshing else "idle"
        return f"<DeadMansSwitch {self.symbol} {self.countdown_ms} ms {state}>"
