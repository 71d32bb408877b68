"""Exceptions raised by binance_async, and the one place an answer becomes a typed error.

The tree::

    BinanceError
    ├── InvalidRequest (also ValueError)      bad input, refused before anything is sent
    │   ├── UnknownSymbol
    │   └── FilterViolation                   price/quantity breaks a symbol filter
    ├── IPBanned                              418: nothing is sent until ``until_ms``
    ├── TransportError                        no answer could be read (connection, timeout)
    │   ├── RequestTimeout (also TimeoutError)
    │   └── DeadlineExceeded                  the call's deadline passed before sending
    ├── ExecutionUnknown                      an order's fate stayed unknown past the deadline
    └── APIError                              the exchange answered with an error
        ├── InvalidTimestamp        -1021, -5028
        ├── InvalidSignature        -1022
        ├── Unauthorized            -1002, -2014, -2015, 401/403
        ├── RateLimited             429 (-1003, -1015)
        ├── ServerBusy                          certain failures, safe to resend
        │   ├── Throttled           -1008
        │   ├── ServiceUnavailable  503 "Service Unavailable."
        │   └── InternalError       -1001
        ├── UnknownOutcome          503 unknown, -1000, -1006, -1007, 408, 5xx: may have executed
        │   └── MalformedAnswer     a 2xx that is not the endpoint's answer
        │       └── UnexpectedRedirect  a 3xx: never followed
        ├── BadRequest              -11xx parameter errors
        └── OrderRejected           -2xxx / -4xxx / -5xxx order errors
            ├── NoSuchOrder         -2013
            ├── CancelRejected      -2011
            ├── InsufficientMargin  -2018, -2019
            ├── DuplicateClientOrderId  -4116
            ├── FilterRejected      filter failures (-4xxx price/qty/notional, -1111)
            └── AlgoOrderRequired   -4120

Which code maps to which class is venue data (``binance_async.venues``); :func:`api_error` adds
the HTTP rules every Binance venue shares. Every error of a request carries its
:class:`RequestInfo`, given when the error is built. No exception carries a secret: the
endpoint (method and path), never the query. Every exception survives a pickle round trip.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

__all__ = [
    "APIError",
    "AlgoOrderRequired",
    "BadRequest",
    "BinanceError",
    "CancelRejected",
    "CodeTable",
    "DeadlineExceeded",
    "DuplicateClientOrderId",
    "ExecutionUnknown",
    "FilterRejected",
    "FilterViolation",
    "IPBanned",
    "InsufficientMargin",
    "InternalError",
    "InvalidRequest",
    "InvalidSignature",
    "InvalidTimestamp",
    "MalformedAnswer",
    "NoSuchOrder",
    "OrderRejected",
    "RateLimited",
    "RequestInfo",
    "RequestTimeout",
    "ServerBusy",
    "ServiceUnavailable",
    "Throttled",
    "TransportError",
    "Unauthorized",
    "UnexpectedRedirect",
    "UnknownOutcome",
    "UnknownSymbol",
    "api_error",
]


class RequestInfo(NamedTuple):
    """The facts of one request, as it was sent."""

    method: str
    path: str
    #: The signed request's ``timestamp`` (server ms); None when it was not signed.
    timestamp_ms: int | None = None
    #: The order's client id (or the call's reference), when there is one.
    client_order_id: str | None = None
    #: Local monotonic time (ns) when the request left; None when it never did.
    sent_ns: int | None = None
    #: Generation of the clock estimate the timestamp came from (see ``ServerClock``).
    clock_generation: int = 0

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _rebuild(cls: type[BinanceError], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    exc = cls.__new__(cls, *args)
    exc.args = args
    exc.__dict__.update(state)
    return exc


class BinanceError(Exception):
    """Base of every error binance_async raises."""

    request: RequestInfo | None = None

    @property
    def endpoint(self) -> str | None:
        """The request's method and path, for errors of a request."""
        return None if self.request is None else str(self.request)

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors cannot be replayed from ``args``: rebuild from the state.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class InvalidRequest(BinanceError, ValueError):
    """The call's arguments are wrong; nothing was sent."""


class UnknownSymbol(InvalidRequest):
    """The symbol is malformed or not listed by the exchange."""


class FilterViolation(InvalidRequest):
    """A price or quantity breaks one of the symbol's exchange filters."""

    def __init__(self, message: str, *, symbol: str, filter_type: str) -> None:
        super().__init__(message)
        self.symbol = symbol
        self.filter_type = filter_type


class IPBanned(BinanceError):
    """The exchange banned this egress address (HTTP 418) until ``until_ms`` (server ms)."""

    def __init__(self, until_ms: int, address: str | None = None) -> None:
        where = f" for {address}" if address else ""
        super().__init__(f"IP banned{where} until {until_ms} (server ms); nothing is sent")
        self.until_ms = until_ms
        self.address = address


class TransportError(BinanceError):
    """No answer could be read: connection refused, dropped, or reset."""

    request: RequestInfo

    def __init__(self, message: str, *, request: RequestInfo, sent: bool) -> None:
        super().__init__(f"{request}: {message}")
        self.request = request
        #: True when the request may have reached the exchange.
        self.sent = sent


class RequestTimeout(TransportError, TimeoutError):
    """No answer arrived within the request's timeout."""


class DeadlineExceeded(TransportError):
    """The call's deadline passed while it waited (for budget, a slot or a closing client);
    nothing was sent."""

    def __init__(self, message: str, *, request: RequestInfo) -> None:
        super().__init__(message, request=request, sent=False)


class ExecutionUnknown(BinanceError):
    """The exchange stayed unreachable past the call's deadline; the order may exist.

    Query it later by ``client_order_id``.
    """

    request: RequestInfo

    def __init__(self, client_order_id: str, *, request: RequestInfo, cause: str) -> None:
        super().__init__(
            f"{request}: outcome of order {client_order_id!r} unknown past the deadline ({cause})"
        )
        self.client_order_id = client_order_id
        self.request = request


class APIError(BinanceError):
    """The exchange answered with an error status and, usually, a Binance error body."""

    request: RequestInfo

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        request: RequestInfo,
        headers: Mapping[str, str] | None = None,
        data: Any = None,
    ) -> None:
        label = f"{code}" if code is not None else "no code"
        super().__init__(f"{request} -> HTTP {status} ({label}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.request = request
        #: The answer's headers (a plain dict), when it had any.
        self.headers: dict[str, str] = dict(headers) if headers is not None else {}
        #: The error body's ``data``, when it had one (Spot's cancelReplace: each half's
        #: answer); None otherwise.
        self.data = data


class InvalidTimestamp(APIError):
    """-1021 / -5028: the timestamp fell outside the recvWindow (not processed)."""


class InvalidSignature(APIError):
    """-1022: the signature does not match what was sent."""


class Unauthorized(APIError):
    """The API key is invalid, lacks permission, or the IP is not whitelisted."""


class RateLimited(APIError):
    """HTTP 429: a request-weight or order-count limit was broken."""

    @property
    def retry_after_s(self) -> float | None:
        """Seconds the exchange asked to wait, when it said so readably."""
        for name, value in self.headers.items():
            if name.lower() == "retry-after":
                try:
                    seconds = float(value)
                except ValueError:
                    return None
                return seconds if 0 <= seconds < float("inf") else None
        return None


class ServerBusy(APIError):
    """A certain failure on the exchange's side: nothing was executed, resending is safe."""


class Throttled(ServerBusy):
    """-1008: system-level protection; reduce-only and close-position orders are exempt."""


class ServiceUnavailable(ServerBusy):
    """HTTP 503 "Service Unavailable.": a definite failure."""


class InternalError(ServerBusy):
    """-1001: internal error, the request was not processed."""


class UnknownOutcome(APIError):
    """The request reached the exchange but its outcome is unknown (503 unknown, -1006...)."""


class MalformedAnswer(UnknownOutcome):
    """A 2xx answer that is not what the endpoint returns (not JSON, wrong shape).

    For an order write the outcome is unknown and settled by query; a read is retried.
    """


class UnexpectedRedirect(MalformedAnswer):
    """A 3xx answer. Redirects are never followed: nothing is sent to the ``Location``."""


class BadRequest(APIError):
    """A parameter is missing, malformed or not allowed."""


class OrderRejected(APIError):
    """The exchange refused an order operation."""


class NoSuchOrder(OrderRejected):
    """-2013: the order does not exist (or was archived)."""


class CancelRejected(OrderRejected):
    """-2011: the order is not open (filled, cancelled, expired, or never existed)."""


class InsufficientMargin(OrderRejected):
    """-2018 / -2019: not enough balance or margin."""


class DuplicateClientOrderId(OrderRejected):
    """-4116: an open order already carries this client order id."""


class FilterRejected(OrderRejected):
    """The exchange refused a price, quantity or notional against the symbol's filters."""


class AlgoOrderRequired(OrderRejected):
    """-4120: conditional order types are placed through the algo-order endpoint."""


#: A venue's code -> class table (``binance_async.venues``).
CodeTable = Mapping[int, type[APIError]]

#: The exchange's only discriminator between its 503 variants is the documented message;
#: "Service Unavailable." is a definite failure, every other 503 without a code of its own
#: may have executed (reference/fapi-rules.md, "HTTP 503 variants").
_SERVICE_UNAVAILABLE_MSG = "Service Unavailable."


def api_error(
    *,
    status: int,
    code: int | None,
    message: str,
    request: RequestInfo,
    table: CodeTable,
    headers: Mapping[str, str] | None = None,
    data: Any = None,
) -> APIError:
    """Build the typed error of an answer: the venue's code table, then the HTTP rules."""
    cls: type[APIError] | None = table.get(code) if code is not None else None
    if 300 <= status < 400:
        cls = UnexpectedRedirect
    elif status == 503 and cls in (None, UnknownOutcome):
        cls = ServiceUnavailable if message.strip() == _SERVICE_UNAVAILABLE_MSG else UnknownOutcome
    elif cls is None:
        if status in (429, 418):
            cls = RateLimited
        elif status == 408 or status >= 500:
            cls = UnknownOutcome
        elif status in (401, 403) and code is None:
            cls = Unauthorized
        elif code is not None and code <= -2000:
            cls = OrderRejected
        elif 200 <= status < 300:
            cls = MalformedAnswer
        else:
            cls = APIError
    return cls(
        status=status, code=code, message=message, request=request, headers=headers, data=data
    )
