"""Order states from the user data stream, by client id: what settles unknown outcomes sooner.

:class:`OrderAcks` is the :class:`~binance_async.reconcile.OrderFeed` a user stream attaches to
the client's reconciler while it is live. Every ``ORDER_TRADE_UPDATE`` and ``ALGO_UPDATE``
records the order's state with the local (monotonic) time it arrived, and wakes whoever
waits for that client id. The latest states of the most recent client ids are kept (a bounded
table), enough for any outcome still being settled.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ..venue import OrderFamily

__all__ = ["OrderAcks"]

#: Client ids whose latest state is kept.
_KEEP = 10_000


class OrderAcks:
    """Latest order states by (family, client id), and futures waiting for the next."""

    def __init__(self, *, grace_s: float, monotonic_ns: Callable[[], int]) -> None:
        self._grace_s = grace_s
        self._monotonic_ns = monotonic_ns
        self._latest: OrderedDict[tuple[str, str], tuple[Any, int]] = OrderedDict()
        self._waiting: dict[tuple[str, str], list[asyncio.Future[Any]]] = {}
        self._live = False
        #: Unknown outcomes these states settled.
        self.settled_outcomes = 0

    # -- the user stream's side --------------------------------------------------------------

    def set_live(self, live: bool) -> None:
        """States arrive (connected and in sync), or not."""
        self._live = live

    def record(self, family: str, client_id: str, order: Any) -> None:
        """An order state received now."""
        key = (family, client_id)
        latest = self._latest
        latest[key] = (order, self._monotonic_ns())
        latest.move_to_end(key)
        if len(latest) > _KEEP:
            latest.popitem(last=False)
        waiting = self._waiting.pop(key, None)
        if waiting:
            for future in waiting:
                if not future.done():
                    future.set_result(order)

    def close(self) -> None:
        """The stream closed: whoever waits is told (their futures are cancelled)."""
        self._live = False
        waiting, self._waiting = self._waiting, {}
        for futures in waiting.values():
            for future in futures:
                future.cancel()

    # -- the reconciler's side (OrderFeed) ---------------------------------------------------

    @property
    def live(self) -> bool:
        """Whether states arrive now."""
        return self._live

    @property
    def grace_s(self) -> float:
        """How long the reconciler gives the stream before its first query."""
        return self._grace_s

    def seen(self, family: OrderFamily[Any], client_id: str, since_ns: int) -> Any | None:
        """The latest state of ``client_id`` received at or after ``since_ns``."""
        found = self._latest.get((family.name, client_id))
        if found is None or found[1] < since_ns:
            return None
        return found[0]

    def watch(self, family: OrderFamily[Any], client_id: str) -> asyncio.Future[Any]:
        """A future set to the next state of ``client_id``."""
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault((family.name, client_id), []).append(future)
        return future

    def unwatch(
        self, family: OrderFamily[Any], client_id: str, future: asyncio.Future[Any]
    ) -> None:
        """Forget a watch no longer wanted."""
        key = (family.name, client_id)
        waiting = self._waiting.get(key)
        if waiting and future in waiting:
            waiting.remove(future)
            if not waiting:
                del self._waiting[key]

    def settled(self, family: OrderFamily[Any], client_id: str) -> None:
        """Count an unknown outcome settled by a state of the stream."""
        self.settled_outcomes += 1
