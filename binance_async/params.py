"""Parameter specs: a keyword argument, its wire name, and the check that turns it into a
wire value or refuses it with :class:`~binance_async.errors.InvalidRequest`.

Checks refuse, they never coerce: ``True`` is not an int, ``1.7`` is not an order id, a symbol
with a trailing newline is not a symbol. :func:`wire_params` applies an endpoint's specs to a
call's keyword arguments: unknown names and missing required ones are refused too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from .errors import InvalidRequest, UnknownSymbol

__all__ = [
    "BOOL",
    "CLIENT_ID",
    "DECIMAL",
    "SYMBOL",
    "TEXT",
    "Check",
    "Param",
    "ParamTable",
    "WireCheck",
    "amount",
    "at_most_one",
    "check_client_order_id",
    "check_symbol_format",
    "choice",
    "integer",
    "list_of",
    "one_required",
    "span_at_most",
    "wire_params",
]

Check = Callable[[str, Any], Any]
#: A check across the wire parameters of one call (raises ``InvalidRequest``).
WireCheck = Callable[[Mapping[str, Any]], None]

# Upper-case letters and digits, with "_" for dated contracts (BTCUSDT_250328); fapi also lists
# non-ASCII symbols (since 2025-10), which have no case. Lower case, "/", "-", spaces: refused.
_SYMBOL = re.compile(r"(?:[A-Z0-9_]|[^\x00-\x7f])+")
_CLIENT_ID = re.compile(r"[\.A-Z\:/a-z0-9_-]{1,36}")
#: More significant digits than this is no price or quantity any exchange lists.
_MAX_DIGITS = 40
#: Compared against as a Decimal: a comparison with the int 0 converts it on every call.
_ZERO = Decimal(0)


def check_symbol_format(symbol: object) -> str:
    """Refuse symbols the exchange cannot know, such as ``btcusdt``, ``BTC/USDT``, ``"X\\n"``."""
    if type(symbol) is str and symbol.isascii() and symbol.isalnum() and symbol.isupper():
        return symbol  # the common form (BTCUSDT), without the regex
    if not isinstance(symbol, str) or not _SYMBOL.fullmatch(symbol):
        raise UnknownSymbol(
            f"malformed symbol {symbol!r}: expected the exchange form, e.g. BTCUSDT"
        )
    if not symbol.isascii() and any(ch.islower() for ch in symbol):
        raise UnknownSymbol(f"malformed symbol {symbol!r}: symbols are upper case")
    return symbol


def check_client_order_id(value: object, name: str = "client order id") -> str:
    """Refuse an id the exchange would refuse (-4015) before sending."""
    if not isinstance(value, str) or not _CLIENT_ID.fullmatch(value):
        raise InvalidRequest(
            f"{name} {value!r} must match ^[.A-Z:/a-z0-9_-]{{1,36}}$ (at most 36 chars)"
        )
    return value


def amount(name: str, value: object) -> Decimal:
    """A finite decimal from a Decimal, int, str or float (never a bool)."""
    if type(value) is Decimal:
        number = value  # immutable: no copy needed
    else:
        if isinstance(value, bool) or not isinstance(value, Decimal | int | str | float):
            raise InvalidRequest(f"{name} must be a number, got {value!r}")
        try:
            number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (ArithmeticError, ValueError):
            raise InvalidRequest(f"{name} is not a number: {value!r}") from None
    if not number.is_finite():
        raise InvalidRequest(f"{name} must be finite, got {value!r}")
    # Its text holds every digit: a short one needs no count.
    if len(str(number)) > _MAX_DIGITS and len(number.as_tuple().digits) > _MAX_DIGITS:
        raise InvalidRequest(f"{name} has more than {_MAX_DIGITS} significant digits: {value!r}")
    return number


def _decimal(name: str, value: Any) -> Decimal:
    number = amount(name, value)
    if number <= _ZERO:
        raise InvalidRequest(f"{name} must be > 0, got {value!r}")
    return number


def _bool(name: str, value: Any) -> bool:
    if type(value) is not bool:
        raise InvalidRequest(f"{name} must be True or False, got {value!r}")
    return value


def _text(name: str, value: Any) -> str:
    if not isinstance(value, str) or not value or not value.isprintable():
        raise InvalidRequest(f"{name} must be a non-empty printable string, got {value!r}")
    return value


def _symbol(name: str, value: Any) -> str:
    return check_symbol_format(value)


def _client_id(name: str, value: Any) -> str:
    return check_client_order_id(value, name)


DECIMAL: Check = _decimal
BOOL: Check = _bool
TEXT: Check = _text
SYMBOL: Check = _symbol
CLIENT_ID: Check = _client_id


def integer(minimum: int | None = 0, maximum: int | None = None) -> Check:
    """An ``int`` (never a bool or a float) within ``[minimum, maximum]``."""

    def check(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidRequest(f"{name} must be an int, got {value!r}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise InvalidRequest(f"{name}={value} is outside [{minimum}, {maximum}]")
        return int(value)

    return check


def choice(allowed: Iterable[str | int]) -> Check:
    """One of ``allowed``: strings (StrEnum members included) or ints (never a bool or float)."""
    values = frozenset(allowed)

    def check(name: str, value: Any) -> str | int:
        if type(value) is str and value in values:
            return value
        if isinstance(value, bool) or not isinstance(value, str | int) or value not in values:
            raise InvalidRequest(f"{name}={value!r} is not one of {sorted(values, key=str)}")
        return int(value) if isinstance(value, int) else str(value)

    return check


def list_of(each: Check) -> Check:
    """A non-empty list or tuple, each item checked by ``each``."""

    def check(name: str, value: Any) -> list[Any]:
        if not isinstance(value, list | tuple) or not value:
            raise InvalidRequest(f"{name} must be a non-empty list, got {value!r}")
        return [each(name, v) for v in value]

    return check


@attrs.frozen(slots=True)
class Param:
    """One parameter: its keyword name, its wire name, its check, and whether it is required."""

    name: str
    wire: str
    check: Check = TEXT
    required: bool = False


class ParamTable:
    """An endpoint's specs made ready once for :meth:`wire`, which runs on every call."""

    __slots__ = ("_known", "_rows")

    def __init__(self, specs: Collection[Param]) -> None:
        self._rows = tuple((p.name, p.wire, p.check, p.required) for p in specs)
        self._known = frozenset(p.name for p in specs)

    def wire(self, values: Mapping[str, Any], where: object) -> dict[str, Any]:
        """Check ``values`` (keyword names); the wire parameters, in spec order.

        ``None`` means "not given". Raises :class:`InvalidRequest` for an unknown name, a
        missing required parameter or a value its check refuses (``where`` names the call).
        """
        out: dict[str, Any] = {}
        get = values.get
        for name, wire, check, required in self._rows:
            value = get(name)
            if value is not None:
                out[wire] = check(name, value)
            elif required:
                raise InvalidRequest(f"{where}: {name} is required")
        if not self._known.issuperset(values):
            unknown = sorted(set(values) - self._known)
            known = sorted(self._known)
            raise InvalidRequest(f"{where}: unknown parameter(s) {unknown}; known: {known}")
        return out


def wire_params(
    specs: Collection[Param], values: Mapping[str, Any], *, where: str
) -> dict[str, Any]:
    """Check ``values`` (keyword names) against ``specs``; the wire parameters, in spec order.

    ``None`` means "not given". Raises :class:`InvalidRequest` for an unknown name, a missing
    required parameter or a value its check refuses.
    """
    return ParamTable(specs).wire(values, where)


def span_at_most(limit_ms: int, *, strict: bool = False) -> WireCheck:
    """``startTime`` <= ``endTime``, at most ``limit_ms`` apart (less, when ``strict``)."""

    def check(wire: Mapping[str, Any]) -> None:
        start, end = wire.get("startTime"), wire.get("endTime")
        if start is None or end is None:
            return
        if end < start:
            raise InvalidRequest(f"end_time {end} is before start_time {start}")
        if end - start > limit_ms or (strict and end - start == limit_ms):
            bound = "less than" if strict else "at most"
            raise InvalidRequest(f"start_time..end_time must be {bound} {limit_ms} ms apart")

    return check


def at_most_one(*names: str) -> WireCheck:
    """At most one of the wire parameters ``names`` (``fromId`` or a time range, not both)."""

    def check(wire: Mapping[str, Any]) -> None:
        given = [n for n in names if n in wire]
        if len(given) > 1:
            raise InvalidRequest(f"{' and '.join(given)} cannot be sent together")

    return check


def one_required(*names: str) -> WireCheck:
    """At least one of the wire parameters ``names`` (``orderId`` or ``origClientOrderId``)."""

    def check(wire: Mapping[str, Any]) -> None:
        if not any(n in wire for n in names):
            raise InvalidRequest(f"give one of {', '.join(names)}")

    return check
