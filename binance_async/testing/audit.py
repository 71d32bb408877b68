"""What the simulator saw and did: every request, accepted placements, per-window maxima."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import attrs

from .engine import Order

__all__ = ["Audit", "RequestRecord"]


@attrs.frozen(kw_only=True)
class RequestRecord:
    """One request as received (raw query and body) and how it was answered."""

    method: str
    path: str
    #: The raw query string, exactly as received (without ``?``).
    query: str
    body: bytes
    ip: str
    api_key: str | None
    #: HTTP status; None when the connection was dropped without an answer.
    status: int | None
    #: Binance error code of the answer, if it was one.
    code: int | None
    #: Server time when the request was checked.
    server_time_ms: int
    #: IP weight charged.
    weight: int
    #: Fault injected, if any.
    fault: str | None = None
    account: str | None = None


class Audit:
    """The record of requests and order acceptances, for assertions in tests."""

    def __init__(self, orders: Callable[[], Sequence[Order]]) -> None:
        self._orders = orders
        self.requests: list[RequestRecord] = []
        #: client order id (or clientAlgoId) -> how many times an order (or an algo order)
        #: with that id was accepted.
        self.accepted: Counter[str] = Counter()
        self._weight_max: dict[tuple[str, int], int] = {}
        self._orders_max: dict[tuple[str, str, int], int] = {}

    @property
    def orders(self) -> list[Order]:
        """Every order the exchange holds (current state), in id order."""
        return list(self._orders())

    def record(self, record: RequestRecord) -> None:
        """Append a request record."""
        self.requests.append(record)

    def lost(self, record: RequestRecord) -> None:
        """The answer to ``record`` never went out (its WebSocket API connection ended first):
        its status becomes None."""
        for i in range(len(self.requests) - 1, -1, -1):
            if self.requests[i] is record:
                self.requests[i] = attrs.evolve(record, status=None)
                return

    def note_accepted(self, client_order_id: str) -> None:
        """Count one accepted placement of ``client_order_id`` (or of a clientAlgoId)."""
        self.accepted[client_order_id] += 1

    def note_weight(self, ip: str, window_start_ms: int, used: int) -> None:
        """Remember the highest weight seen in an IP's window."""
        key = (ip, window_start_ms)
        if used > self._weight_max.get(key, -1):
            self._weight_max[key] = used

    def note_orders(self, account: str, label: str, window_start_ms: int, count: int) -> None:
        """Remember the highest order count seen in an account's window."""
        key = (account, label, window_start_ms)
        if count > self._orders_max.get(key, -1):
            self._orders_max[key] = count

    def status_count(self, status: int) -> int:
        """How many requests were answered with HTTP ``status``."""
        return sum(1 for r in self.requests if r.status == status)

    def duplicates(self) -> dict[str, int]:
        """Client order ids (and clientAlgoIds) accepted more than once."""
        return {cid: n for cid, n in self.accepted.items() if n > 1}

    def max_weight_per_window(self) -> dict[tuple[str, int], int]:
        """(ip, window start ms) -> highest used weight."""
        return dict(self._weight_max)

    def max_orders_per_window(self) -> dict[tuple[str, str, int], int]:
        """(account, interval label such as ``10S``, window start ms) -> highest order count."""
        return dict(self._orders_max)

    def clear(self) -> None:
        """Forget requests, acceptances and maxima (orders stay: they are exchange state)."""
        self.requests.clear()
        self.accepted.clear()
        self._weight_max.clear()
        self._orders_max.clear()
