"""Errors: one code -> class table, and the 503 variants."""

from __future__ import annotations

from binance_async import errors as e


def make(status: int, code: int | None, message: str = "x") -> e.APIError:
    return e.api_error(status=status, code=code, message=message, endpoint="POST /fapi/v1/order")


def test_code_table() -> None:
    """Documented codes map to their classes."""
    assert type(make(400, -1021)) is e.InvalidTimestamp
    assert type(make(400, -1022)) is e.InvalidSignature
    assert type(make(429, -1003)) is e.RateLimited
    assert type(make(503, -1008)) is e.Throttled
    assert type(make(400, -2011)) is e.CancelRejected
    assert type(make(400, -2013)) is e.NoSuchOrder
    assert type(make(400, -2019)) is e.InsufficientMargin
    assert type(make(400, -4116)) is e.DuplicateClientOrderId
    assert type(make(400, -4014)) is e.FilterRejected
    assert type(make(400, -4120)) is e.AlgoOrderRequired
    assert type(make(400, -1102)) is e.BadRequest
    assert type(make(400, -2010)) is e.OrderRejected


def test_503_variants() -> None:
    """'Service Unavailable.' is a certain failure; other 503s may have executed."""
    assert type(make(503, None, "Service Unavailable.")) is e.ServiceUnavailable
    unknown = "Unknown error, please check your request or try again later."
    assert type(make(503, -1000, unknown)) is e.UnknownOutcome
    assert type(make(503, None, "")) is e.UnknownOutcome
    assert type(make(503, -1001)) is e.InternalError
    assert type(make(502, None)) is e.UnknownOutcome


def test_errors_carry_status_code_message_endpoint() -> None:
    """Every API error names its status, code, message and endpoint."""
    err = make(400, -2019, "Margin is insufficient.")
    assert (err.status, err.code, err.message, err.endpoint) == (
        400,
        -2019,
        "Margin is insufficient.",
        "POST /fapi/v1/order",
    )
    assert "-2019" in str(err) and "POST /fapi/v1/order" in str(err)
    assert isinstance(err, e.BinanceError)


def test_invalid_request_is_a_value_error() -> None:
    """Bad input errors are ValueErrors too."""
    assert issubclass(e.InvalidRequest, ValueError)
    assert issubclass(e.FilterViolation, e.InvalidRequest)
