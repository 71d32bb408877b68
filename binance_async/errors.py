"""Exceptions raised by binance_async, and the one table that maps exchange codes to them.

The tree::

    BinanceError
    ├── InvalidRequest (also ValueError)      bad input, refused before anything is sent
    │   ├── UnknownSymbol
    │   └── FilterViolation                   price/quantity breaks a symbol filter
    ├── IPBanned                              418: nothing is sent until ``until_ms``
    ├── TransportError                        no answer could be read (connection, timeout)
    │   ├── RequestTimeout
    │   └── DeadlineExceeded                  the call's deadline passed before sending
    ├── ExecutionUnknown                      an order's fate stayed unknown past the deadline
    └── APIError                              the exchange answered with an error
        ├── InvalidTimestamp        -1021, -5028
        ├── InvalidSignature        -1022
        ├── Unauthorized            -1002, -2014, -2015
        ├── RateLimited             429 (-1003, -1015)
        ├── ServerBusy                          certain failures, safe to resend
        │   ├── Throttled           -1008
        │   ├── ServiceUnavailable  503 "Service Unavailable."
        │   └── InternalError       -1001
        ├── UnknownOutcome          503 unknown, -1000, -1006, -1007, 408: may have executed
        ├── BadRequest              -11xx parameter errors
        └── OrderRejected           -2xxx / -4xxx / -5xxx order errors
            ├── NoSuchOrder         -2013
            ├── CancelRejected      -2011
            ├── InsufficientMargin  -2018, -2019
            ├── DuplicateClientOrderId  -4116
            ├── FilterRejected      filter failures (-4xxx price/qty/notional)
            └── AlgoOrderRequired   -4120

No exception carries a secret: only the endpoint (method and path), never the query.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "APIError",
    "AlgoOrderRequired",
    "BadRequest",
    "BinanceError",
    "CancelRejected",
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
    "NoSuchOrder",
    "OrderRejected",
    "RateLimited",
    "RequestTimeout",
    "ServerBusy",
    "ServiceUnavailable",
    "Throttled",
    "TransportError",
    "Unauthorized",
    "UnknownOutcome",
    "UnknownSymbol",
    "api_error",
]


class BinanceError(Exception):
    """Base of every error binance_async raises."""


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
    """The exchange banned this egress address (HTTP 418) until ``until_ms``."""

    def __init__(self, until_ms: int, address: str | None = None) -> None:
        where = f" for {address}" if address else ""
        super().__init__(f"IP banned{where} until {until_ms} (server ms); nothing is sent")
        self.until_ms = until_ms
        self.address = address


class TransportError(BinanceError):
    """No response could be read: connection refused, dropped, or reset."""

    def __init__(self, message: str, *, endpoint: str, sent: bool) -> None:
        super().__init__(f"{endpoint}: {message}")
        self.endpoint = endpoint
        #: True when the request may have reached the exchange.
        self.sent = sent
        #: The signed request's ``timestamp`` (ms), when it was signed.
        self.timestamp_ms: int | None = None


class RequestTimeout(TransportError):
    """No response arrived within the request timeout."""


class DeadlineExceeded(TransportError):
    """The call's deadline passed while it waited (for budget or a slot); nothing was sent."""

    def __init__(self, message: str, *, endpoint: str) -> None:
        super().__init__(message, endpoint=endpoint, sent=False)


class ExecutionUnknown(BinanceError):
    """The exchange stayed unreachable past the call's deadline; the order may exist.

    Query it later by ``client_order_id``.
    """

    def __init__(self, client_order_id: str, *, endpoint: str, cause: str) -> None:
        super().__init__(
            f"{endpoint}: outcome of order {client_order_id!r} unknown past the deadline ({cause})"
        )
        self.client_order_id = client_order_id
        self.endpoint = endpoint


class APIError(BinanceError):
    """The exchange answered with an error status and, usually, a Binance error body."""

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        endpoint: str,
        headers: Any = None,
    ) -> None:
        label = f"{code}" if code is not None else "no code"
        super().__init__(f"{endpoint} -> HTTP {status} ({label}): {message}")
        self.status = status
        self.code = code
        self.message = message
        self.endpoint = endpoint
        self.headers = headers
        #: The signed request's ``timestamp`` (ms), when it was signed.
        self.timestamp_ms: int | None = None
        #: The clock's generation when the request was stamped (see ServerClock.resync).
        self.clock_generation = 0


class InvalidTimestamp(APIError):
    """-1021: the timestamp fell outside the recvWindow (the request was not processed)."""


class InvalidSignature(APIError):
    """-1022: the signature does not match what was sent."""


class Unauthorized(APIError):
    """The API key is invalid, lacks permission, or the IP is not whitelisted."""


class RateLimited(APIError):
    """HTTP 429: a request-weight or order-count limit was broken."""

    @property
    def retry_after_s(self) -> float | None:
        """Seconds the exchange asked to wait, when it said."""
        value = self.headers.get("Retry-After") if self.headers is not None else None
        try:
            return float(value) if value is not None else None
        except ValueError:
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
    """The request reached the exchange but its outcome is unknown (503 unknown, -1006, -1007)."""


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


_FILTER_CODES = (-4002, -4003, -4004, -4005, -4013, -4014, -4016, -4023, -4024, -4164, -1111)
_BAD_REQUEST_CODES = tuple(range(-1199, -1099))

#: The one code -> class table, from reference/fapi-errors.tsv.
CODE_TABLE: dict[int, type[APIError]] = {
    -1000: UnknownOutcome,
    -1001: InternalError,
    -1002: Unauthorized,
    -1003: RateLimited,
    -1006: UnknownOutcome,
    -1007: UnknownOutcome,
    -1008: Throttled,
    -1015: RateLimited,
    -1021: InvalidTimestamp,
    -1022: InvalidSignature,
    # -5028: the request reached the matching engine past its recvWindow and was refused
    # unprocessed; like -1021 it is repaired by re-stamping (reference/fapi-errors.tsv).
    -5028: InvalidTimestamp,
    -2011: CancelRejected,
    -2013: NoSuchOrder,
    -2014: Unauthorized,
    -2015: Unauthorized,
    -2018: InsufficientMargin,
    -2019: InsufficientMargin,
    -4116: DuplicateClientOrderId,
    -4120: AlgoOrderRequired,
    **dict.fromkeys(_FILTER_CODES, FilterRejected),
}
for _code in _BAD_REQUEST_CODES:
    CODE_TABLE.setdefault(_code, BadRequest)

#: The exchange's only discriminator between its 503 variants is the documented message;
#: "Service Unavailable." is a definite failure, every other 503 without a code of its own
#: may have executed (reference/fapi-rules.md, "HTTP 503 variants").
_SERVICE_UNAVAILABLE_MSG = "Service Unavailable."


def api_error(
    *, status: int, code: int | None, message: str, endpoint: str, headers: Any = None
) -> APIError:
    """Build the typed error for an error response; the only place errors are classified."""
    cls: type[APIError] | None = CODE_TABLE.get(code) if code is not None else None
    if status == 503 and cls in (None, UnknownOutcome):
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
        else:
            cls = APIError
    return cls(status=status, code=code, message=message, endpoint=endpoint, headers=headers)
