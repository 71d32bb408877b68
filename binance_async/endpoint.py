"""The Endpoint record: one REST (or WebSocket API) call, as data.

Method, path, weight (a number or a function of the parameters), security type, cost on the
account's order counters, whether repeating it is harmless, its parameter specs and the model
its answer becomes. The security type decides stamping and signing, not each call site.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import attrs

from .params import Param, ParamTable, WireCheck

__all__ = [
    "Endpoint",
    "Security",
    "WeightFn",
    "by_limit",
    "by_limit_ranges",
    "deferred",
    "listed",
    "many",
    "obj",
    "one_or_many",
    "with_symbol",
]

WeightFn = Callable[[Mapping[str, Any]], int]
M = TypeVar("M")


class Security(enum.Enum):
    """Security type of an endpoint."""

    NONE = "NONE"  # public
    API_KEY = "API_KEY"  # MARKET_DATA and USER_STREAM: key header, no signature
    SIGNED = "SIGNED"  # TRADE and USER_DATA: key header, timestamp, signature


@attrs.frozen(kw_only=True, slots=True)
class Endpoint:
    """One endpoint, as data."""

    method: str
    path: str
    #: IP request weight: a number, or a function of the wire params (depth ``limit`` ...).
    weight: int | WeightFn
    security: Security = Security.NONE
    #: Cost on the account's ORDERS counters.
    orders: int = 0
    #: The request bucket of an endpoint with its own request limit (a ``RAW_REQUESTS``
    #: ``RateLimit`` of that ``bucket`` in the venue's limits), e.g. USDⓈ-M's funding rates.
    bucket: str | None = None
    #: True when repeating the call is harmless (reads); False for orders and cancels.
    idempotent: bool = True
    #: True when a request changes orders: reconciled, never resent blind.
    is_order_write: bool = False
    #: The keyword parameters a call takes, in wire order.
    params: tuple[Param, ...] = ()
    #: Builds the answer's model from the decoded JSON (None: the JSON as it is).
    model: Callable[[Any], Any] | None = None
    #: Checks across parameters (a time span the docs limit, ids that exclude each other),
    #: run on the wire parameters; each raises ``InvalidRequest``.
    checks: tuple[WireCheck, ...] = ()
    #: Whether requests carry timestamp and signature (from ``security``).
    signed: bool = attrs.field(init=False)
    _table: ParamTable = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "signed", self.security is Security.SIGNED)
        object.__setattr__(self, "_table", ParamTable(self.params))

    def wire(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The wire parameters of a call's keyword ``values``, checked (``InvalidRequest``)."""
        out = self._table.wire(values, self)
        for check in self.checks:
            check(out)
        return out

    def weight_for(self, params: Mapping[str, Any] | None) -> int:
        """Weight of this call with these wire params."""
        weight = self.weight
        if isinstance(weight, int):
            return weight
        return weight(params or {})

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def with_symbol(with_: int, without: int) -> WeightFn:
    """Weight ``with_`` when a ``symbol`` is given, ``without`` otherwise."""

    def weight(params: Mapping[str, Any]) -> int:
        return with_ if params.get("symbol") else without

    return weight


def by_limit(table: Mapping[int, int], default_limit: int) -> WeightFn:
    """Weight by the ``limit`` parameter; a limit not in ``table`` costs the most."""
    worst = max(table.values())

    def weight(params: Mapping[str, Any]) -> int:
        limit = params.get("limit", default_limit)
        return table.get(limit, worst) if isinstance(limit, int) else worst

    return weight


def by_limit_ranges(bounds: tuple[tuple[int, int], ...], default_limit: int) -> WeightFn:
    """Weight by ``limit``: the first ``(below, weight)`` whose bound exceeds the limit; the
    last weight beyond them all (klines: below 100 -> 1, below 500 -> 2, ...)."""

    def weight(params: Mapping[str, Any]) -> int:
        limit = params.get("limit", default_limit)
        for below, cost in bounds:
            if isinstance(limit, int) and limit < below:
                return cost
        return bounds[-1][1]

    return weight


def obj(payload: Any) -> dict[str, Any]:
    """The answer as it is, when it is an object (the model of a plain object answer)."""
    if not isinstance(payload, dict):
        raise TypeError(f"expected an object, got {type(payload).__name__}")
    return payload


def listed(payload: Any) -> list[Any]:
    """The answer as it is, when it is a list."""
    if not isinstance(payload, list):
        raise TypeError(f"expected a list, got {type(payload).__name__}")
    return payload


def many(build: Callable[[Any], M]) -> Callable[[Any], list[M]]:
    """A model builder for an answer that is a list of ``build``'s objects."""

    def parse(payload: Any) -> list[M]:
        if not isinstance(payload, list):
            raise TypeError(f"expected a list, got {type(payload).__name__}")
        return [build(item) for item in payload]

    return parse


def one_or_many(build: Callable[[Any], M]) -> Callable[[Any], M | list[M]]:
    """A model builder for an answer that is one object (with a symbol) or a list (without)."""
    listed = many(build)

    def parse(payload: Any) -> M | list[M]:
        return listed(payload) if isinstance(payload, list) else build(payload)

    return parse


def deferred(
    module: str, name: str, shape: Callable[[Callable[[Any], Any]], Any] | None = None
) -> Callable[[Any], Any]:
    """The model builder ``module.name.from_payload`` (wrapped by ``shape``, e.g. :func:`many`)
    with its module loaded on the first answer, not at import: a client pays for the models
    of the calls it makes."""
    built: list[Callable[[Any], Any]] = []

    def parse(payload: Any) -> Any:
        if not built:
            build = getattr(importlib.import_module(module), name).from_payload
            built.append(build if shape is None else shape(build))
        return built[0](payload)

    return parse
