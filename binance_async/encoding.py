"""Parameters to the exact wire string that is signed and sent.

Rules (reference/fapi-rules.md section 2): values are percent-encoded UTF-8; decimals are
written plainly, never in exponent form; booleans are ``true``/``false``; lists and dicts are
JSON (``batchOrders``, ``orderIdList``), then percent-encoded. ``None`` values are left out.
The caller's mapping is never mutated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import orjson

from .errors import InvalidRequest

__all__ = ["encode_params", "encode_value", "plain_decimal"]

# RFC 3986 unreserved characters pass through; everything else is percent-encoded.
_UNRESERVED = "-._~"
#: True for text made of unreserved characters only (most values: nothing to encode).
_PLAIN = re.compile(r"[A-Za-z0-9._~-]*").fullmatch


def plain_decimal(value: Decimal) -> str:
    """Write a finite Decimal without an exponent: ``Decimal('1E-5')`` -> ``'0.00001'``."""
    text = str(value)  # plain already unless it has an exponent (and cheaper than format)
    if "E" in text or not value.is_finite():
        if not value.is_finite():
            raise InvalidRequest(f"not a finite number: {value!r}")
        text = format(value, "f")
    return "0" if text in ("-0", "-0.0") else text


def _quote(text: str) -> str:
    if (text.isalnum() and text.isascii()) or _PLAIN(text) is not None:
        return text
    return quote(text, safe=_UNRESERVED)


def encode_value(value: Any) -> str:
    """Encode one parameter value as it appears after ``name=`` on the wire."""
    # Order matters: bool is an int subclass, and str is the common case.
    if type(value) is str:
        return _quote(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, Decimal):
        return plain_decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidRequest(f"not a finite number: {value!r}")
        # repr() is the shortest round-trip form; Decimal of it removes any exponent.
        return plain_decimal(Decimal(repr(value)))
    if isinstance(value, str):  # str subclasses, e.g. StrEnum members
        return _quote(str(value))
    if isinstance(value, list | tuple | dict):
        return _quote(orjson.dumps(_jsonable(value)).decode())
    raise InvalidRequest(f"cannot encode parameter value of type {type(value).__name__}")


def _jsonable(value: Any) -> Any:
    """Decimals and floats inside JSON lists become plain decimal strings, as the API wants."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, bool) or value is None:
        return "true" if value is True else "false" if value is False else None
    if isinstance(value, Decimal | float):
        return encode_value(value)
    return value


def encode_params(params: Mapping[str, Any] | Iterable[tuple[str, Any]] | None) -> str:
    """Join parameters as ``name=value&...`` in the given order, skipping ``None`` values."""
    if not params:
        return ""
    # A dict first: the ABC check costs more than the type test, and a dict is what comes.
    items = params.items() if type(params) is dict or isinstance(params, Mapping) else params
    parts = []
    for name, value in items:
        if value is None:
            continue
        # Plain strings (symbol, side, type, ids) are most values: encoded here, in line.
        if type(value) is str and (
            (value.isalnum() and value.isascii()) or _PLAIN(value) is not None
        ):
            parts.append(f"{name}={value}")
        elif type(value) is Decimal:  # quantities and prices, next most common
            parts.append(f"{name}={plain_decimal(value)}")
        else:
            parts.append(f"{name}={encode_value(value)}")
    return "&".join(parts)
