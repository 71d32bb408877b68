"""Errors: the venue's code -> class table, the HTTP rules, the request's facts, pickling."""

from __future__ import annotations

import pickle

from binance_async import errors as e
from binance_async.venues.usdm import CODES

ORDER = e.RequestInfo("POST", "/fapi/v1/order", 1_700_000_000_000, "cid-1")


def make(status: int, code: int | None, message: str = "x") -> e.APIError:
    return e.api_error(status=status, code=code, message=message, request=ORDER, table=CODES)


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
    assert type(make(400, -1111)) is e.FilterRejected  # precision over the asset's maximum
    assert type(make(400, -5028)) is e.InvalidTimestamp


def test_503_variants() -> None:
    """'Service Unavailable.' is a certain failure; other 503s may have executed."""
    assert type(make(503, None, "Service Unavailable.")) is e.ServiceUnavailable
    unknown = "Unknown error, please check your request or try again later."
    assert type(make(503, -1000, unknown)) is e.UnknownOutcome
    assert type(make(503, None, "")) is e.UnknownOutcome
    assert type(make(503, -1001)) is e.InternalError
    assert type(make(502, None)) is e.UnknownOutcome


def test_redirects_and_odd_2xx_are_malformed_answers() -> None:
    """A 3xx is never followed: an UnexpectedRedirect, itself an unknown outcome."""
    assert type(make(307, None)) is e.UnexpectedRedirect
    assert issubclass(e.UnexpectedRedirect, e.MalformedAnswer)
    assert issubclass(e.MalformedAnswer, e.UnknownOutcome)
    assert issubclass(e.RequestTimeout, TimeoutError)


def test_errors_carry_status_code_message_and_request() -> None:
    """Every API error names its status, code, message and the request's facts."""
    err = make(400, -2019, "Margin is insufficient.")
    assert (err.status, err.code, err.message, err.request) == (
        400,
        -2019,
        "Margin is insufficient.",
        ORDER,
    )
    assert (err.request.timestamp_ms, err.request.client_order_id) == (1_700_000_000_000, "cid-1")
    assert "-2019" in str(err) and "POST /fapi/v1/order" in str(err)
    assert isinstance(err, e.BinanceError)


def test_errors_survive_a_pickle_round_trip() -> None:
    """A multi-process framework can pass any error on: type, text and facts survive."""
    errors: list[e.BinanceError] = [
        make(429, -1003, "Too many requests"),
        e.api_error(
            status=429,
            code=-1003,
            message="x",
            request=ORDER,
            table=CODES,
            headers={"Retry-After": "7"},
        ),
        e.ExecutionUnknown("cid-1", request=ORDER, cause="deadline reached"),
        e.RequestTimeout("no answer", request=ORDER, sent=True),
        e.DeadlineExceeded("waited", request=ORDER),
        e.IPBanned(1_700_000_100_000, "10.0.0.2"),
        e.FilterViolation("off the tick", symbol="BTCUSDT", filter_type="PRICE_FILTER"),
    ]
    for err in errors:
        copy = pickle.loads(pickle.dumps(err))
        assert type(copy) is type(err) and str(copy) == str(err)
        assert copy.__dict__ == err.__dict__
    assert pickle.loads(pickle.dumps(errors[1])).retry_after_s == 7.0


def test_invalid_request_is_a_value_error() -> None:
    """Bad input errors are ValueErrors too."""
    assert issubclass(e.InvalidRequest, ValueError)
    assert issubclass(e.FilterViolation, e.InvalidRequest)
