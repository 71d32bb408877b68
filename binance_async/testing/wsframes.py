"""The WebSocket API's requests: reading a frame, its parameters as the REST handlers see them,
the signed payload, and the method table (each method a row of the REST route table).

A request is one JSON text frame ``{"id": <int|str|null>, "method": ..., "params": {...}}``.
Parameter values arrive as JSON: strings stay strings, integers become their decimal text,
``true``/``false`` become ``"true"``/``"false"``; anything else is refused (-1100 for a number
with a fraction or an exponent, since decimals travel as strings; -1102 for null, an object
or a list). ``apiKey``, ``signature`` and ``returnRateLimits`` are taken out before the
handler sees the parameters. The signed payload is every parameter but ``signature``,
sorted by name, ``k=v`` joined by ``&``, values as above, UTF-8 and not percent-encoded
(reference/signature-vectors.md A5-A7).
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import orjson

from . import readers
from .call import Call, signed_params
from .errors import ApiError, illegal_chars, invalid_param, mandatory
from .params import RequestParams
from .routes import ROUTES, Route

__all__ = [
    "HANDSHAKE",
    "LOGON",
    "LOGOUT",
    "METHODS",
    "STATUS",
    "WS_API_PATH",
    "Frame",
    "WireParams",
    "read_frame",
    "wire_params",
]

RequestId = int | str | None

#: Where the WebSocket API is served.
WS_API_PATH = "/ws-fapi/v1"
#: The code of a frame the exchange cannot read (Binance's spot WebSocket API answers -1135
#: "Invalid 'params' in JSON request; expected an object." to a bad ``params``).
MALFORMED = -1135
LOGON = "session.logon"
STATUS = "session.status"
LOGOUT = "session.logout"

#: WebSocket API method -> the REST endpoint it is (reference/fapi-rules.md section 8).
#: ``account.*`` are the v2 REST endpoints, ``v2/account.*`` the v3 ones.
_REST_METHODS: dict[str, tuple[str, str]] = {
    "order.place": ("POST", "/fapi/v1/order"),
    "order.modify": ("PUT", "/fapi/v1/order"),
    "order.cancel": ("DELETE", "/fapi/v1/order"),
    "order.status": ("GET", "/fapi/v1/order"),
    "algoOrder.place": ("POST", "/fapi/v1/algoOrder"),
    "algoOrder.cancel": ("DELETE", "/fapi/v1/algoOrder"),
    "account.position": ("GET", "/fapi/v2/positionRisk"),
    "v2/account.position": ("GET", "/fapi/v3/positionRisk"),
    "account.balance": ("GET", "/fapi/v2/balance"),
    "v2/account.balance": ("GET", "/fapi/v3/balance"),
    "account.status": ("GET", "/fapi/v2/account"),
    "v2/account.status": ("GET", "/fapi/v3/account"),
    "depth": ("GET", "/fapi/v1/depth"),
    "ticker.price": ("GET", "/fapi/v1/ticker/price"),
    "ticker.book": ("GET", "/fapi/v1/ticker/bookTicker"),
    "userDataStream.start": ("POST", "/fapi/v1/listenKey"),
    "userDataStream.ping": ("PUT", "/fapi/v1/listenKey"),
    "userDataStream.stop": ("DELETE", "/fapi/v1/listenKey"),
    "time": ("GET", "/fapi/v1/time"),
}


def _upgrade(call: Call) -> None:
    """The handshake: the pipeline admits it (ban, weight); the caller upgrades it."""


def _session(call: Call) -> None:
    """session.*: the pipeline admits them (ban, weight, key, signature, timing); the
    connection they change answers them."""
    readers.check_unknown(call.params, signed_params())


#: The upgrade request: 5 IP weight (reference section 8), counted like any REST request.
HANDSHAKE = Route(method="GET", path=WS_API_PATH, handler=_upgrade, weight=5)
METHODS: dict[str, Route] = {name: ROUTES[key] for name, key in _REST_METHODS.items()} | {
    LOGON: Route(method="WS", path=LOGON, handler=_session, weight=2, security="SIGNED"),
    STATUS: Route(method="WS", path=STATUS, handler=_session, weight=2),
    LOGOUT: Route(method="WS", path=LOGOUT, handler=_session, weight=2),
}


@attrs.frozen
class Frame:
    """One request frame as read: its id, method and raw JSON params, or why it is refused."""

    id: RequestId
    method: str
    params: Mapping[str, object]
    error: ApiError | None = None


def _malformed(msg: str) -> ApiError:
    return ApiError(MALFORMED, msg)


def read_frame(raw: bytes, *, text: bool = True) -> Frame:
    """Read one frame; ``text=False`` (a binary frame) is refused like unreadable JSON."""
    try:
        data = orjson.loads(raw) if text else None
    except orjson.JSONDecodeError:
        data = None
    if not isinstance(data, dict):
        return Frame(None, "", {}, _malformed("Invalid JSON request; expected a JSON object."))
    rid = data.get("id")
    if isinstance(rid, bool) or not isinstance(rid, int | str | None):
        msg = "Invalid 'id' in JSON request; expected an integer, a string or null."
        return Frame(None, "", {}, _malformed(msg))
    method = data.get("method")
    if not isinstance(method, str) or not method:
        msg = "Invalid 'method' in JSON request; expected a string."
        return Frame(rid, "", {}, _malformed(msg))
    params = data.get("params")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        msg = "Invalid 'params' in JSON request; expected an object."
        return Frame(rid, method, {}, _malformed(msg))
    return Frame(rid, method, params)


@attrs.frozen
class WireParams:
    """A frame's parameters for the pipeline, and the ones the WebSocket layer keeps."""

    parsed: RequestParams
    api_key: str | None
    #: The request's ``returnRateLimits`` (None: the connection's).
    return_rate_limits: bool | None


def _text(value: object, arrays: bool = False) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if arrays and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return orjson.dumps(value).decode()
    return None


def wire_params(params: Mapping[str, object], *, arrays: bool = False) -> WireParams:
    """Parameters as the REST handlers see them (``dict[str, str]``), and the signed payload.
    ``arrays``: a list of strings is taken as its compact JSON text (Spot's ``symbols``)."""
    text: dict[str, str] = {}
    error: ApiError | None = None
    for name, value in params.items():
        converted = _text(value, arrays)
        if converted is not None:
            text[name] = converted
        elif error is None:
            error = illegal_chars(name) if isinstance(value, float) else mandatory(name)
    signature = text.pop("signature", None)
    payload = "&".join(f"{name}={text[name]}" for name in sorted(text)).encode()
    api_key = text.pop("apiKey", None)
    show = text.pop("returnRateLimits", None)
    if show not in (None, "true", "false"):
        error = error or invalid_param("returnRateLimits")
    return WireParams(
        parsed=RequestParams(params=text, signature=signature, payload=payload, error=error),
        api_key=api_key,
        return_rate_limits=None if show not in ("true", "false") else show == "true",
    )
