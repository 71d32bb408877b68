"""The control API: a few JSON endpoints under ``/_sim/`` beside the exchange's paths, so that
a bot in another process (or another language) can script the simulator it trades on.

Served only when the simulator has a control token (``Simulator(control_token=...)``, which
``python -m binance_async simulator`` always sets); every request must carry it, as
``X-Sim-Token: <token>`` or ``Authorization: Bearer <token>``, or is answered 401. Bodies are
JSON objects; answers are JSON; errors are ``{"code": ..., "msg": ...}`` like the exchange's.

==========================  ===========================================================
``GET /_sim/status``         server time, clock, limits, latency, fault plan, keys, marks
``POST /_sim/clock``         ``{"offset_ms", "drift_ppm", "frozen", "at_ms"}`` (any of them)
``POST /_sim/clock/jump``    ``{"ms": -1500}``: step the exchange's clock
``POST /_sim/mark_price``    ``{"symbol", "price"}``: move the mark (fills, triggers)
``POST /_sim/trade``         ``{"symbol", "price", "qty"}``: print a trade (fills resting)
``POST /_sim/faults/next``   ``{"kind", "count", "endpoint": ["POST", path] or null,
                             "delay_s"}``: inject the next fault(s)
``PUT /_sim/faults/plan``    FaultPlan fields (``{"unknown_executed": 0.1}``); ``DELETE``
                             removes the plan
``POST /_sim/latency``       ``{"request_ms", "response_ms"}``
``GET /_sim/audit``          requests (``?since=N``: from the N-th), accepted client ids,
                             duplicates, counts by status
``POST /_sim/reset``         forget orders, positions, balances, audit, counters, bans,
                             queued faults; keep keys, clock, limits, latency, the plan
==========================  ===========================================================
"""

from __future__ import annotations

import hmac
from collections import Counter
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

import attrs
import orjson
from aiohttp import web

from .audit import RequestRecord
from .faults import FAULT_KINDS, FaultKind, FaultPlan

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = ["CONTROL_PREFIX", "ControlApi"]

#: Where the control API is served.
CONTROL_PREFIX = "/_sim"
_Handler = Callable[[dict[str, Any], web.Request], Awaitable[object]]


class _Invalid(Exception):
    """A control request with missing or malformed data (400 -1130)."""


def _reply(status: int, payload: object) -> web.Response:
    return web.Response(status=status, body=orjson.dumps(payload), content_type="application/json")


def _error(status: int, code: int, msg: str) -> web.Response:
    return _reply(status, {"code": code, "msg": msg})


def _decimal(body: dict[str, Any], name: str) -> Decimal:
    value = body.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _Invalid(f"'{name}': expected a decimal string, got {value!r}")
    try:
        out = Decimal(str(value))
    except InvalidOperation:
        raise _Invalid(f"'{name}': expected a decimal string, got {value!r}") from None
    if not out.is_finite():
        raise _Invalid(f"'{name}': expected a finite decimal, got {value!r}")
    return out


def _number(body: dict[str, Any], name: str, default: float | None = None) -> float:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Invalid(f"'{name}': expected a number, got {value!r}")
    return float(value)


def _integer(body: dict[str, Any], name: str, default: int | None = None) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Invalid(f"'{name}': expected an integer, got {value!r}")
    return value


def record_payload(index: int, record: RequestRecord) -> dict[str, object]:
    """One audit record as the control API shows it."""
    return {
        "index": index,
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "body": record.body.decode("utf-8", "replace"),
        "ip": record.ip,
        "api_key": record.api_key,
        "account": record.account,
        "status": record.status,
        "code": record.code,
        "server_time_ms": record.server_time_ms,
        "weight": record.weight,
        "fault": record.fault,
    }


class ControlApi:
    """Answers ``/_sim/*`` for one simulator, behind its token."""

    def __init__(self, sim: Simulator, token: str) -> None:
        if not token:
            raise ValueError("control token must not be empty")
        self._sim = sim
        self._token = token.encode()
        self._routes: dict[tuple[str, str], _Handler] = {
            ("GET", "/status"): self._status,
            ("POST", "/clock"): self._clock,
            ("POST", "/clock/jump"): self._jump,
            ("POST", "/mark_price"): self._mark_price,
            ("POST", "/trade"): self._trade,
            ("POST", "/faults/next"): self._inject_next,
            ("PUT", "/faults/plan"): self._set_plan,
            ("DELETE", "/faults/plan"): self._clear_plan,
            ("POST", "/latency"): self._latency,
            ("GET", "/audit"): self._audit,
            ("POST", "/reset"): self._reset,
        }

    def _authorized(self, request: web.Request) -> bool:
        given = request.headers.get("X-Sim-Token")
        if given is None:
            scheme, _, value = request.headers.get("Authorization", "").partition(" ")
            given = value.strip() if scheme.lower() == "bearer" else None
        return given is not None and hmac.compare_digest(given.encode(), self._token)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one control request."""
        if not self._authorized(request):
            return _error(401, -1002, "Control API: send the simulator's token as X-Sim-Token.")
        sub = request.path[len(CONTROL_PREFIX) :] or "/"
        handler = self._routes.get((request.method, sub))
        if handler is None:
            known = any(path == sub for _, path in self._routes)
            return _error(
                405 if known else 404,
                -1020,
                f"{request.method} {request.path} is not a control endpoint.",
            )
        raw = await request.read()
        try:
            body = orjson.loads(raw) if raw.strip() else {}
        except orjson.JSONDecodeError:
            return _error(400, -1130, "Control API: the body is not JSON.")
        if not isinstance(body, dict):
            return _error(400, -1130, "Control API: the body must be a JSON object.")
        try:
            result = await handler(body, request)
        except (_Invalid, ValueError, KeyError, TypeError) as exc:
            msg = exc.args[0] if exc.args else type(exc).__name__
            return _error(400, -1130, f"Control API: {msg}")
        return _reply(200, result)

    # -- endpoints ------------------------------------------------------------------------------

    async def _status(self, body: dict[str, Any], request: web.Request) -> object:
        return self._sim.status()

    async def _clock(self, body: dict[str, Any], request: web.Request) -> object:
        clock = self._sim.clock
        unknown = set(body) - {"offset_ms", "drift_ppm", "frozen", "at_ms"}
        if unknown:
            raise _Invalid(f"unknown fields {sorted(unknown)}")
        if "offset_ms" in body:
            clock.set_offset_ms(_number(body, "offset_ms"))
        if "drift_ppm" in body:
            clock.set_drift_ppm(_number(body, "drift_ppm"))
        frozen = body.get("frozen")
        if frozen is True or "at_ms" in body:
            clock.freeze(_integer(body, "at_ms") if "at_ms" in body else None)
        elif frozen is False:
            clock.unfreeze()
        elif frozen is not None:
            raise _Invalid(f"'frozen': expected true or false, got {frozen!r}")
        return self._sim.status()["clock"]

    async def _jump(self, body: dict[str, Any], request: web.Request) -> object:
        self._sim.clock.jump(_number(body, "ms"))
        return self._sim.status()["clock"]

    async def _mark_price(self, body: dict[str, Any], request: web.Request) -> object:
        symbol = str(body.get("symbol", ""))
        if symbol not in self._sim.symbols:
            raise _Invalid(f"'symbol': {symbol!r} is not listed")
        self._sim.set_mark_price(symbol, _decimal(body, "price"))
        return {"symbol": symbol, "markPrice": str(self._sim.mark_price(symbol))}

    async def _trade(self, body: dict[str, Any], request: web.Request) -> object:
        symbol = str(body.get("symbol", ""))
        if symbol not in self._sim.symbols:
            raise _Invalid(f"'symbol': {symbol!r} is not listed")
        price, qty = _decimal(body, "price"), _decimal(body, "qty")
        self._sim.trade(symbol, price, qty)
        return {"symbol": symbol, "price": str(price), "qty": str(qty)}

    async def _inject_next(self, body: dict[str, Any], request: web.Request) -> object:
        kind = body.get("kind")
        if kind not in FAULT_KINDS:
            raise _Invalid(f"'kind': expected one of {sorted(FAULT_KINDS)}, got {kind!r}")
        endpoint: tuple[str, str] | None = ("POST", "/fapi/v1/order")
        if "endpoint" in body:
            raw = body["endpoint"]
            if raw is None:
                endpoint = None
            elif (
                isinstance(raw, list)
                and len(raw) == 2
                and all(isinstance(part, str) and part for part in raw)
            ):
                endpoint = (raw[0].upper(), raw[1])
            else:
                raise _Invalid(f"'endpoint': expected [METHOD, path] or null, got {raw!r}")
        delay = body.get("delay_s")
        self._sim.inject_next(
            cast(FaultKind, kind),
            _integer(body, "count", 1),
            endpoint,
            delay_s=None if delay is None else _number(body, "delay_s"),
        )
        return {"kind": kind, "endpoint": None if endpoint is None else list(endpoint)}

    async def _set_plan(self, body: dict[str, Any], request: web.Request) -> object:
        fields = {f.name for f in attrs.fields(FaultPlan)}
        unknown = set(body) - fields
        if unknown:
            raise _Invalid(f"unknown FaultPlan fields {sorted(unknown)}")
        if body.get("endpoints") is not None:
            body["endpoints"] = [tuple(e) for e in body["endpoints"]]
        plan = FaultPlan(**body)
        self._sim.set_faults(plan)
        return self._sim.status()["faults"]

    async def _clear_plan(self, body: dict[str, Any], request: web.Request) -> object:
        self._sim.set_faults(None)
        return {"faults": None}

    async def _latency(self, body: dict[str, Any], request: web.Request) -> object:
        self._sim.set_latency(_number(body, "request_ms", 0), _number(body, "response_ms", 0))
        return self._sim.status()["latency"]

    async def _audit(self, body: dict[str, Any], request: web.Request) -> object:
        raw = request.query.get("since", "0")
        if not raw.isascii() or not raw.isdigit():
            raise _Invalid(f"'since': expected a non-negative integer, got {raw!r}")
        since = int(raw)
        audit = self._sim.audit
        records = audit.requests
        statuses = Counter(str(r.status) for r in records)
        return {
            "next": len(records),
            "requests": [record_payload(i, r) for i, r in enumerate(records[since:], start=since)],
            "accepted": dict(audit.accepted),
            "duplicates": audit.duplicates(),
            "status_counts": dict(statuses),
        }

    async def _reset(self, body: dict[str, Any], request: web.Request) -> object:
        self._sim.reset()
        return self._sim.status()
