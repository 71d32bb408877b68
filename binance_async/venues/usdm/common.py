"""What the USDⓈ-M endpoint tables share: parameter specs and enumerations used by several
groups."""

from __future__ import annotations

from ...params import CLIENT_ID, SYMBOL, Param, choice, integer

__all__ = [
    "END_TIME",
    "ORDER_ID",
    "ORIG_CLIENT_ORDER_ID",
    "POSITION_SIDE",
    "SIDE",
    "SIDES",
    "START_TIME",
    "SYMBOL_OPTIONAL",
    "SYMBOL_REQUIRED",
    "TIME_IN_FORCE",
    "WEEK_MS",
    "WORKING_TYPE",
    "limit",
]

SIDES = frozenset({"BUY", "SELL"})
SYMBOL_REQUIRED = Param("symbol", "symbol", SYMBOL, required=True)
SYMBOL_OPTIONAL = Param("symbol", "symbol", SYMBOL)
SIDE = Param("side", "side", choice(SIDES), required=True)
POSITION_SIDE = Param("position_side", "positionSide", choice({"BOTH", "LONG", "SHORT"}))
TIME_IN_FORCE = Param(
    "time_in_force", "timeInForce", choice({"GTC", "IOC", "FOK", "GTX", "GTD", "RPI"})
)
WORKING_TYPE = Param("working_type", "workingType", choice({"MARK_PRICE", "CONTRACT_PRICE"}))
ORDER_ID = Param("order_id", "orderId", integer(1))
ORIG_CLIENT_ORDER_ID = Param("orig_client_order_id", "origClientOrderId", CLIENT_ID)
START_TIME = Param("start_time_ms", "startTime", integer(0))
END_TIME = Param("end_time_ms", "endTime", integer(0))
#: Seven days, the window several history endpoints allow.
WEEK_MS = 7 * 86_400_000


def limit(maximum: int, minimum: int = 1) -> Param:
    """A ``limit`` parameter within the documented range."""
    return Param("limit", "limit", integer(minimum, maximum))
