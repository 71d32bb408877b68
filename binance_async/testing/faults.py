"""Fault injection: a seeded random plan on order (and algo order) endpoints, and deterministic
injections.

Besides the answering and dropping faults, ``delay_before_execute`` holds a request before the
exchange processes it (an order "still travelling" when the client gives up), and
:class:`TimeOutliers` makes GET /fapi/v1/time report a bogus ``serverTime``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Literal, get_args

import attrs

__all__ = [
    "ORDER_ENDPOINTS",
    "SPOT_ORDER_ENDPOINTS",
    "Fault",
    "FaultInjector",
    "FaultKind",
    "FaultPlan",
    "TimeOutliers",
]

FaultKind = Literal[
    "unknown_executed",
    "unknown_not_executed",
    "unavailable",
    "throttled",
    "drop_after_execute",
    "drop_before_execute",
    "slow",
    "http_429",
    "http_418",
    "invalid_timestamp",
    "delay_before_execute",
]
FAULT_KINDS: frozenset[str] = frozenset(get_args(FaultKind))

Endpoint = tuple[str, str]
#: Spot's order endpoints: placing (an order, an order list, cancel-replace) and cancelling.
SPOT_ORDER_ENDPOINTS: frozenset[Endpoint] = frozenset(
    [("POST", f"/api/v3/{path}") for path in ("order", "order/cancelReplace", "order/oco")]
    + [("POST", f"/api/v3/orderList/{kind}") for kind in ("oco", "oto", "otoco")]
    + [("DELETE", "/api/v3/order"), ("DELETE", "/api/v3/orderList")]
)
#: Where the random plan and ``inject_next(..., endpoint=None)`` apply: placing, modifying and
#: cancelling orders, in one or in batches, and placing and cancelling algo orders; Spot's
#: order endpoints too.
ORDER_ENDPOINTS: frozenset[Endpoint] = (
    frozenset(
        [
            (method, path)
            for method in ("POST", "PUT", "DELETE")
            for path in ("/fapi/v1/order", "/fapi/v1/batchOrders")
        ]
        + [("POST", "/fapi/v1/algoOrder"), ("DELETE", "/fapi/v1/algoOrder")]
    )
    | SPOT_ORDER_ENDPOINTS
)
#: Injected only, and taken before the request is processed (:meth:`FaultInjector.take_delay`).
DELAY_BEFORE_EXECUTE: FaultKind = "delay_before_execute"
#: Kinds the random plan draws, in the order their probabilities are stacked.
_PLAN_KINDS: tuple[FaultKind, ...] = (
    "unknown_executed",
    "unknown_not_executed",
    "unavailable",
    "throttled",
    "drop_after_execute",
    "drop_before_execute",
    "slow",
)


def _probability(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{attribute.name}: expected a probability in [0, 1], got {value!r}")


def _endpoints(value: Iterable[Endpoint] | None) -> frozenset[Endpoint] | None:
    return None if value is None else frozenset((m.upper(), p) for m, p in value)


@attrs.frozen(kw_only=True)
class FaultPlan:
    """Per-request probabilities of each fault on order endpoints (at most 1 in total)."""

    unknown_executed: float = attrs.field(default=0.0, validator=_probability)
    unknown_not_executed: float = attrs.field(default=0.0, validator=_probability)
    unavailable: float = attrs.field(default=0.0, validator=_probability)
    throttled: float = attrs.field(default=0.0, validator=_probability)
    drop_after_execute: float = attrs.field(default=0.0, validator=_probability)
    drop_before_execute: float = attrs.field(default=0.0, validator=_probability)
    slow: float = attrs.field(default=0.0, validator=_probability)
    slow_delay_s: float = attrs.field(default=3.0, validator=attrs.validators.ge(0))
    #: None: every order endpoint; else a set of (METHOD, path).
    endpoints: frozenset[Endpoint] | None = attrs.field(default=None, converter=_endpoints)

    def __attrs_post_init__(self) -> None:
        total = sum(getattr(self, kind) for kind in _PLAN_KINDS)
        if total > 1.0 + 1e-9:
            raise ValueError(f"FaultPlan: probabilities add up to {total}, more than 1")


@attrs.frozen(kw_only=True)
class Fault:
    """A fault chosen for one request."""

    kind: FaultKind
    delay_s: float = 0.0


@attrs.define
class _Pending:
    kind: FaultKind
    remaining: int
    endpoint: Endpoint | None
    delay_s: float


class FaultInjector:
    """Chooses the fault, if any, for each request: queued injections first, then the plan."""

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._plan: FaultPlan | None = None
        self._pending: list[_Pending] = []

    @property
    def plan(self) -> FaultPlan | None:
        """The random plan in force."""
        return self._plan

    def set_plan(self, plan: FaultPlan | None) -> None:
        """Install (or with None remove) the random plan."""
        self._plan = plan

    def inject_next(
        self,
        kind: FaultKind,
        count: int = 1,
        endpoint: Endpoint | None = ("POST", "/fapi/v1/order"),
        delay_s: float | None = None,
    ) -> None:
        """The next ``count`` requests to ``endpoint`` (None: any order endpoint) get ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind: expected one of {sorted(FAULT_KINDS)}, got {kind!r}")
        if count < 1:
            raise ValueError(f"count: expected at least 1, got {count}")
        if delay_s is None:
            delay_s = self._plan.slow_delay_s if self._plan else 3.0
        target = None if endpoint is None else (endpoint[0].upper(), endpoint[1])
        self._pending.append(_Pending(kind, count, target, delay_s))

    def clear(self) -> None:
        """Drop queued injections and the plan."""
        self._pending.clear()
        self._plan = None

    @staticmethod
    def _matches(pending: _Pending, endpoint: Endpoint) -> bool:
        target = pending.endpoint
        return endpoint in ORDER_ENDPOINTS if target is None else endpoint == target

    def take_delay(self, method: str, path: str) -> float | None:
        """Seconds to hold this request before processing it, if its next injection is
        ``delay_before_execute`` (consumed here, before anything else looks at the request)."""
        endpoint = (method, path)
        for pending in self._pending:
            if not self._matches(pending, endpoint):
                continue
            if pending.kind != DELAY_BEFORE_EXECUTE:
                return None
            pending.remaining -= 1
            if pending.remaining == 0:
                self._pending.remove(pending)
            return pending.delay_s
        return None

    def choose(self, method: str, path: str, *, exempt: bool) -> Fault | None:
        """The fault for this request; ``exempt`` (reduce-only/close-position) skips -1008."""
        endpoint = (method, path)
        for pending in self._pending:
            if (
                not self._matches(pending, endpoint)
                or pending.kind == DELAY_BEFORE_EXECUTE
                or (exempt and pending.kind == "throttled")
            ):
                continue
            pending.remaining -= 1
            if pending.remaining == 0:
                self._pending.remove(pending)
            return Fault(kind=pending.kind, delay_s=pending.delay_s)
        plan = self._plan
        if plan is None or endpoint not in ORDER_ENDPOINTS:
            return None
        if plan.endpoints is not None and endpoint not in plan.endpoints:
            return None
        draw = self._rng.random()
        for kind in _PLAN_KINDS:
            draw -= getattr(plan, kind)
            if draw < 0:
                if kind == "throttled" and exempt:
                    return None
                return Fault(kind=kind, delay_s=plan.slow_delay_s if kind == "slow" else 0.0)
        return None


class TimeOutliers:
    """Bogus ``serverTime`` samples: after ``after`` true answers of GET /fapi/v1/time, the next
    ``count`` answers are shifted by ``offset_ms`` (a misbehaving cache); nothing else moves."""

    def __init__(self) -> None:
        self._queue: list[list[int]] = []  # [answers to skip, answers to shift, offset]

    def inject(self, offset_ms: int, count: int = 1, after: int = 0) -> None:
        """Queue ``count`` shifted answers, after ``after`` true ones."""
        if not isinstance(offset_ms, int) or isinstance(offset_ms, bool):
            raise ValueError(f"offset_ms: expected an int, got {offset_ms!r}")
        if count < 1:
            raise ValueError(f"count: expected at least 1, got {count}")
        if after < 0:
            raise ValueError(f"after: expected 0 or more, got {after}")
        self._queue.append([after, count, offset_ms])

    def take(self) -> int | None:
        """The shift of this time answer (None: the true time); consumes one answer."""
        if not self._queue:
            return None
        head = self._queue[0]
        if head[0] > 0:
            head[0] -= 1
            return None
        head[1] -= 1
        if head[1] == 0:
            self._queue.pop(0)
        return head[2]

    def clear(self) -> None:
        """Drop every queued outlier."""
        self._queue.clear()
