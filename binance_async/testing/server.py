"""The HTTP front: ban -> weight -> bucket -> auth -> timing -> order count -> fault -> handler
-> headers. Time-driven work (countdowns, expiries) runs first on every request. The WebSocket
API (``wsapi.py``) sends its requests through the same :meth:`Pipeline.answer`.

A request injected with ``delay_before_execute`` is held before all of it; a time answer may
be shifted by a queued outlier (``Simulator.inject_time_outlier``) after it.

One pipeline serves one :class:`Venue`: its routes, its ledger of limits, its timing rule and
what an order request costs on its ORDERS windows. :data:`USDM` is the futures one; Spot
(``spot/routes.py``) has its own, so the two markets keep separate budgets on one IP.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import attrs
import orjson
from aiohttp import web

from .audit import RequestRecord
from .auth import KeyEntry, verify_signature
from .call import Call
from .errors import ApiError, mandatory
from .faults import DELAY_BEFORE_EXECUTE, ORDER_ENDPOINTS, Fault
from .params import RequestParams, parse_params
from .ratelimit import LimitWindow, RateLimiter, Refusal
from .routes import ROUTES, Route
from .state import ExchangeState
from .timing import check_timing

__all__ = ["TIME_OUTLIER", "USDM", "Answer", "Inbound", "Pipeline", "Venue"]

#: The audit's ``fault`` of a time answer shifted by ``Simulator.inject_time_outlier``.
TIME_OUTLIER = "time_outlier"
_TIME = ("GET", "/fapi/v1/time")
_JSON = "application/json"
_FORM = "application/x-www-form-urlencoded"
_UNKNOWN = {"code": -1000, "msg": "Unknown error, please check your request or try again later."}
#: The certain-failure 503: the docs give its message only ("Service Unavailable."), which is
#: what tells it from the unknown-outcome 503; the body is JSON like every other error.
_SERVICE_UNAVAILABLE = {"code": -1000, "msg": "Service Unavailable."}
_THROTTLED = {
    "code": -1008,
    "msg": (
        "Request throttled by system-level protection. "
        "Reduce-only/close-position orders are exempt. Please try again."
    ),
}
#: Faults after which the exchange does not count the request toward limits.
_UNCOUNTED = frozenset({"unavailable", "throttled", "http_429", "http_418"})


@attrs.define
class Answer:
    """How the exchange answers one request (the HTTP front and the WebSocket API wrap it)."""

    status: int
    body: bytes
    content_type: str = _JSON
    #: The JSON value of ``body`` (None for a body that is not JSON).
    payload: object = None
    code: int | None = None
    retry_after_s: int | None = None
    drop: bool = False
    delay_s: float = 0.0


@attrs.define(kw_only=True)
class Inbound:
    """One request as the pipeline sees it: the endpoint (METHOD, path) and where it came from."""

    method: str
    path: str
    query: str
    body: bytes
    form: bool
    ip: str
    api_key: str | None
    now_ms: int
    route: Route | None
    weight: int = 0
    account: str | None = None
    order_costs: list[tuple[LimitWindow, int]] | None = None
    fault: str | None = None
    #: Parameters already parsed (the WebSocket API's); None: parsed from query and body.
    parsed: RequestParams | None = None
    #: The key a WebSocket API connection is logged on with (``session.logon``): a request
    #: carrying no API key is the session's, and needs no signature.
    session: KeyEntry | None = None

    def record(self, status: int | None, code: int | None) -> RequestRecord:
        """The audit's record of this request, answered ``status`` (None: dropped)."""
        return RequestRecord(
            method=self.method,
            path=self.path,
            query=self.query,
            body=self.body,
            ip=self.ip,
            api_key=self.api_key,
            status=status,
            code=code,
            server_time_ms=self.now_ms,
            weight=self.weight,
            fault=self.fault,
            account=self.account,
        )


@attrs.frozen(kw_only=True)
class Venue:
    """What differs between the markets a pipeline serves."""

    routes: Mapping[tuple[str, str], Route]
    #: The venue's limiter, read from the state on each request (``reset`` replaces it).
    limiter: Callable[[ExchangeState], RateLimiter]
    #: The timing rule of SIGNED requests: raises the refusal.
    check_timing: Callable[[Mapping[str, str], int], None]
    #: What an order request (``route.orders != "none"``) costs on each ORDERS window.
    order_costs: Callable[[RateLimiter, Route], list[tuple[LimitWindow, int]]]


def _usdm_costs(limiter: RateLimiter, route: Route) -> list[tuple[LimitWindow, int]]:
    return limiter.order_costs(batch=route.orders == "batch")


def _usdm_limiter(state: ExchangeState) -> RateLimiter:
    return state.limiter


#: USDⓈ-M futures: every route of ``routes.py``.
USDM = Venue(
    routes=ROUTES, limiter=_usdm_limiter, check_timing=check_timing, order_costs=_usdm_costs
)


def _json(status: int, payload: object, code: int | None = None) -> Answer:
    return Answer(status=status, body=orjson.dumps(payload), payload=payload, code=code)


def _error(exc: ApiError) -> Answer:
    return _json(exc.status, exc.payload(), exc.code)


def _refusal(refusal: Refusal) -> Answer:
    answer = _json(refusal.status, {"code": refusal.code, "msg": refusal.msg}, refusal.code)
    answer.retry_after_s = refusal.retry_after_s
    return answer


def _is_true(value: object) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _exempt(path: str, params: dict[str, str]) -> bool:
    """Reduce-only / close-position orders are exempt from -1008 throttling."""
    if path.endswith("batchOrders") and "batchOrders" in params:
        try:
            items = orjson.loads(params["batchOrders"])
        except orjson.JSONDecodeError:
            return False
        return isinstance(items, list) and any(
            isinstance(i, dict)
            and (_is_true(i.get("reduceOnly")) or _is_true(i.get("closePosition")))
            for i in items
        )
    return _is_true(params.get("reduceOnly")) or _is_true(params.get("closePosition"))


def _verify(entry: KeyEntry, parsed: RequestParams) -> None:
    if parsed.signature is None:
        raise mandatory("signature")
    if not verify_signature(entry, parsed.payload, parsed.signature):
        raise ApiError(-1022, "Signature for this request is not valid.")


class Pipeline:
    """Answers every request of the simulated exchange, and records it in the audit."""

    def __init__(self, state: ExchangeState, venue: Venue = USDM) -> None:
        self.state = state
        self.venue = venue

    @property
    def limiter(self) -> RateLimiter:
        """The venue's limiter now."""
        return self.venue.limiter(self.state)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one request."""
        state = self.state
        if state.request_delay_s:
            await asyncio.sleep(state.request_delay_s)
        path, _, query = request.raw_path.partition("?")
        body = await request.read()
        # delay_before_execute: the request is held, then processed as if it arrived now (the
        # timing rule, the limits and the order all see the server's time after the delay).
        held_s = state.faults.take_delay(request.method, path)
        if held_s is not None:
            await asyncio.sleep(held_s)
        req = Inbound(
            method=request.method,
            path=path,
            query=query,
            body=body,
            form=request.content_type == _FORM,
            ip=request.remote or "",
            api_key=request.headers.get("X-MBX-APIKEY"),
            now_ms=state.clock.now_ms(),
            route=self.venue.routes.get((request.method, path)),
            fault=None if held_s is None else DELAY_BEFORE_EXECUTE,
        )
        state.tick(req.now_ms)
        answer = self.answer(req)
        if (req.method, req.path) == _TIME and answer.status == 200:
            self._time_outlier(req, answer)
        state.audit.record(req.record(None if answer.drop else answer.status, answer.code))
        return await self.respond(request, req, answer)

    async def respond(
        self, request: web.Request, req: Inbound, answer: Answer
    ) -> web.StreamResponse:
        """Send ``answer`` after its delays, or drop the connection."""
        if answer.delay_s:
            await asyncio.sleep(answer.delay_s)
        if answer.drop:
            if request.transport is not None:
                request.transport.abort()
            return web.Response(status=500)  # never written: the connection is gone
        if self.state.response_delay_s:
            await asyncio.sleep(self.state.response_delay_s)
        return web.Response(
            status=answer.status, body=answer.body, headers=self.headers(req, answer)
        )

    def _time_outlier(self, req: Inbound, answer: Answer) -> None:
        """Shift this time answer's ``serverTime`` if an outlier is queued (audit: its fault)."""
        shift = self.state.time_outliers.take()
        if shift is not None:
            answer.payload = {"serverTime": req.now_ms + shift}
            answer.body = orjson.dumps(answer.payload)
            req.fault = TIME_OUTLIER

    def headers(self, req: Inbound, answer: Answer) -> dict[str, str]:
        """Content type, used weight, order counts (order endpoints) and Retry-After."""
        limiter = self.limiter
        headers = {
            "Content-Type": answer.content_type,
            f"X-MBX-USED-WEIGHT-{limiter.weight_window.label}": str(
                limiter.used_weight(req.ip, req.now_ms)
            ),
        }
        if req.account is not None and req.route is not None and req.route.orders != "none":
            for window, _, count in limiter.order_counts(req.account, req.now_ms):
                headers[f"X-MBX-ORDER-COUNT-{window.label}"] = str(count)
        if answer.retry_after_s is not None:
            headers["Retry-After"] = str(answer.retry_after_s)
        return headers

    def answer(self, req: Inbound) -> Answer:
        """Admit, authenticate, count and run one request (no audit record: the front's job)."""
        route = req.route
        if route is None:
            known = any(path == req.path for _, path in self.venue.routes)
            msg = f"{req.method} {req.path} is not supported by this exchange."
            return _json(405 if known else 404, {"code": -1020, "msg": msg}, -1020)
        try:
            return self._admit_and_run(req, route)
        except ApiError as exc:
            return _error(exc)

    def _admit_and_run(self, req: Inbound, route: Route) -> Answer:
        state = self.state
        limiter = self.limiter
        now = req.now_ms
        until = limiter.banned_until(req.ip, now)
        if until is not None:
            return _refusal(limiter.ban_refusal(req.ip, until, now))
        parsed = req.parsed
        if parsed is None:
            parsed = parse_params(req.query, req.body if req.form else b"")
        weight = route.weight_for(parsed.params)
        refused = limiter.admit_weight(req.ip, weight, now)
        if refused is not None:
            return _refusal(refused)
        req.weight = weight
        state.audit.note_weight(
            req.ip, limiter.weight_window.start(now), limiter.used_weight(req.ip, now)
        )
        if route.bucket is not None:
            refused = state.buckets.admit(route.bucket, req.ip, now)
            if refused is not None:
                return _refusal(refused)
        if route.security != "NONE":
            session = req.session if req.api_key is None else None
            entry = session if session is not None else self._key(req.api_key)
            req.account = entry.account
            if parsed.error is not None:
                raise parsed.error
            if route.security == "SIGNED":
                if session is None or parsed.signature is not None:
                    _verify(entry, parsed)
                self.venue.check_timing(parsed.params, now)
        elif parsed.error is not None:
            raise parsed.error
        if route.orders != "none" and req.account is not None:
            costs = self.venue.order_costs(limiter, route)
            refused = limiter.admit_orders(req.account, costs, now)
            if refused is not None:
                return _refusal(refused)
            req.order_costs = costs
            for window, start, count in limiter.order_counts(req.account, now):
                state.audit.note_orders(req.account, window.label, start, count)
        exempt = (req.method, req.path) in ORDER_ENDPOINTS and _exempt(req.path, parsed.params)
        # One fault per request: a request held by delay_before_execute gets no other.
        fault = None if req.fault else state.faults.choose(req.method, req.path, exempt=exempt)
        if fault is not None:
            req.fault = fault.kind
            early = self._fault_before(req, fault)
            if early is not None:
                return early
        call = Call(state=state, params=parsed.params, account=req.account or "", now_ms=now)
        try:
            answer = _json(200, route.handler(call))
        except ApiError as exc:
            answer = _error(exc)
        if fault is None:
            return answer
        if fault.kind == "unknown_executed":
            return _json(503, _UNKNOWN, -1000)
        if fault.kind == "drop_after_execute":
            answer.drop = True
        elif fault.kind == "slow":
            answer.delay_s = fault.delay_s
        return answer

    def _fault_before(self, req: Inbound, fault: Fault) -> Answer | None:
        """The answer of a fault that stops the request before it is executed, if it is one."""
        limiter = self.limiter
        now = req.now_ms
        kind = fault.kind
        if kind in _UNCOUNTED:
            limiter.refund_weight(req.ip, req.weight, now)
            req.weight = 0
            if req.order_costs is not None and req.account is not None:
                limiter.refund_orders(req.account, req.order_costs, now)
        if kind == "unknown_not_executed":
            return _json(503, _UNKNOWN, -1000)
        if kind == "unavailable":
            return _json(503, _SERVICE_UNAVAILABLE, -1000)
        if kind == "throttled":
            return _json(503, _THROTTLED, -1008)
        if kind == "drop_before_execute":
            return Answer(status=0, body=b"", drop=True)
        if kind == "http_429":
            limiter.note_429(req.ip, now)
            return _refusal(limiter.weight_429(req.ip, now))
        if kind == "http_418":
            until = limiter.ban(req.ip, now)
            return _refusal(limiter.ban_refusal(req.ip, until, now))
        if kind == "invalid_timestamp":
            return _error(
                ApiError(-1021, "Timestamp for this request is outside of the recvWindow.")
            )
        return None

    def _key(self, api_key: str | None) -> KeyEntry:
        if not api_key or not api_key.isascii():
            raise ApiError(-2014, "API-key format invalid.", status=401)
        entry = self.state.keys.get(api_key)
        if entry is None:
            raise ApiError(-2015, "Invalid API-key, IP, or permissions for action.", status=401)
        return entry
