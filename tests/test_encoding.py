"""Encoding: parameters to the exact wire string."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st

from binance_async.encoding import encode_params, encode_value
from binance_async.errors import InvalidRequest

PLAIN = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


def test_decimals_never_in_exponent_form() -> None:
    """Decimal, float and int quantities are written as plain decimals (never 1e-05)."""
    assert encode_value(Decimal("1E-5")) == "0.00001"
    assert encode_value(1e-05) == "0.00001"
    assert encode_value(Decimal("1.5E+3")) == "1500"
    assert encode_value(0.1) == "0.1"
    assert encode_value(12) == "12"
    assert encode_value(Decimal("0.010")) == "0.010"


def test_booleans_and_none() -> None:
    """Booleans are true/false; None parameters are left out."""
    assert encode_params({"reduceOnly": True, "priceProtect": False, "price": None}) == (
        "reduceOnly=true&priceProtect=false"
    )


def test_lists_are_json_then_percent_encoded() -> None:
    """batchOrders-style lists become URL-encoded JSON with decimals as strings."""
    wire = encode_params({"batchOrders": [{"symbol": "BTCUSDT", "quantity": Decimal("1E-3")}]})
    assert wire == (
        "batchOrders=%5B%7B%22symbol%22%3A%22BTCUSDT%22%2C%22quantity%22%3A%220.001%22%7D%5D"
    )
    assert encode_params({"orderIdList": [1, 2]}) == "orderIdList=%5B1%2C2%5D"


def test_non_finite_refused() -> None:
    """NaN and infinity are refused before sending."""
    for bad in (float("nan"), float("inf"), Decimal("NaN")):
        with pytest.raises(InvalidRequest):
            encode_value(bad)


def test_callers_params_not_mutated() -> None:
    """Encoding leaves the caller's mapping exactly as it was."""
    params = {"symbol": "BTCUSDT", "quantity": Decimal("1"), "x": None}
    before = dict(params)
    encode_params(params)
    assert params == before


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_any_decimal_round_trips_plain(value: Decimal) -> None:
    """Any finite Decimal encodes to a plain decimal equal in value."""
    text = encode_value(value)
    assert PLAIN.match(text), text
    assert Decimal(text) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_float_round_trips_plain(value: float) -> None:
    """Any finite float encodes to a plain decimal that reads back as the same float."""
    text = encode_value(value)
    assert PLAIN.match(text), text
    assert float(text) == value


@given(st.dictionaries(st.from_regex(r"[a-zA-Z]{1,10}", fullmatch=True), st.text(), max_size=6))
def test_any_text_survives_the_wire(params: dict[str, str]) -> None:
    """Any text value decodes back to itself from the wire string."""
    wire = encode_params(params)
    assert dict(parse_qsl(wire, keep_blank_values=True)) == params
    assert wire.isascii() and " " not in wire


@given(st.decimals(allow_nan=False, allow_infinity=False, places=None))
def test_decimal_text_keeps_its_digits(value: Decimal) -> None:
    """A Decimal goes out with exactly its own digits (trailing zeros kept), never more."""
    expected = format(value, "f")
    assert encode_value(value) == ("0" if expected in ("-0", "-0.0") else expected)


def test_unreserved_text_goes_out_as_is_the_rest_percent_encoded() -> None:
    """Letters, digits and - . _ ~ are sent unchanged; anything else is percent-encoded."""
    assert encode_params({"a": "x-1.b_2~Z", "b": "BTCUSDT", "c": "a b/é", "d": ""}) == (
        "a=x-1.b_2~Z&b=BTCUSDT&c=a%20b%2F%C3%A9&d="
    )
