"""What the Spot endpoint tables share: parameter specs and enumerations (Spot enums)."""

from __future__ import annotations

import re
from typing import Any

from ...errors import InvalidRequest
from ...params import CLIENT_ID, SYMBOL, Param, choice, integer, list_of

__all__ = [
    "DAY_MS",
    "END_TIME",
    "ORDER_ID",
    "ORDER_TYPES",
    "ORIG_CLIENT_ORDER_ID",
    "RESPONSE_TYPES",
    "SIDE",
    "SIDES",
    "START_TIME",
    "STP_MODES",
    "STRATEGY_ID",
    "STRATEGY_TYPE",
    "SYMBOLS",
    "SYMBOL_OPTIONAL",
    "SYMBOL_REQUIRED",
    "TIME_IN_FORCE",
    "TIME_IN_FORCES",
    "TIME_ZONE",
    "TRAILING_DELTA",
    "limit",
]

SIDES = frozenset({"BUY", "SELL"})
ORDER_TYPES = frozenset(
    {
        "LIMIT",
        "MARKET",
        "STOP_LOSS",
        "STOP_LOSS_LIMIT",
        "TAKE_PROFIT",
        "TAKE_PROFIT_LIMIT",
        "LIMIT_MAKER",
    }
)
TIME_IN_FORCES = frozenset({"GTC", "IOC", "FOK"})
RESPONSE_TYPES = frozenset({"ACK", "RESULT", "FULL"})
STP_MODES = frozenset(
    {"NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH", "DECREMENT", "TRANSFER"}
)
#: The longest span the history endpoints take (allOrders, myTrades, allOrderList).
DAY_MS = 86_400_000

SYMBOL_REQUIRED = Param("symbol", "symbol", SYMBOL, required=True)
SYMBOL_OPTIONAL = Param("symbol", "symbol", SYMBOL)
#: Several symbols, sent as a JSON list (``["BTCUSDT","BNBUSDT"]``).
SYMBOLS = Param("symbols", "symbols", list_of(SYMBOL))
SIDE = Param("side", "side", choice(SIDES), required=True)
TIME_IN_FORCE = Param("time_in_force", "timeInForce", choice(TIME_IN_FORCES))
ORDER_ID = Param("order_id", "orderId", integer(0))
ORIG_CLIENT_ORDER_ID = Param("orig_client_order_id", "origClientOrderId", CLIENT_ID)
START_TIME = Param("start_time_ms", "startTime", integer(0))
END_TIME = Param("end_time_ms", "endTime", integer(0))
#: Trailing stops: the delta in basis points.
TRAILING_DELTA = Param("trailing_delta", "trailingDelta", integer(1))
STRATEGY_ID = Param("strategy_id", "strategyId", integer(0))
#: Values below 1000000 are reserved by the exchange (-1134).
STRATEGY_TYPE = Param("strategy_type", "strategyType", integer(1_000_000))

# Hours, or hours and minutes: "0", "8", "-1:00", "05:45"; within [-12:00, +14:00].
_TIME_ZONE = re.compile(r"([+-]?)(\d{1,2})(?::([0-5]\d))?")


def _time_zone(name: str, value: Any) -> str:
    match = _TIME_ZONE.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise InvalidRequest(f"{name}={value!r}: give hours or hours:minutes, e.g. '8', '-1:00'")
    sign, hours, minutes = match.groups()
    offset = int(hours) * 60 + int(minutes or 0)
    if (sign == "-" and offset > 12 * 60) or (sign != "-" and offset > 14 * 60):
        raise InvalidRequest(f"{name}={value!r} is outside [-12:00, +14:00]")
    return str(value)


TIME_ZONE = Param("time_zone", "timeZone", _time_zone)


def limit(maximum: int, minimum: int = 1) -> Param:
    """A ``limit`` parameter within the documented range."""
    return Param("limit", "limit", integer(minimum, maximum))
