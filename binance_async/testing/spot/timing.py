"""Spot's timing rule: ``timestamp`` in milliseconds or microseconds, ``recvWindow`` in
milliseconds with up to three decimals (so microseconds can be given), at most 60000.

The rule is the documented one, evaluated in microseconds: accept iff
``timestamp < serverTime + 1000 ms`` and ``serverTime - timestamp <= recvWindow``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from .. import readers
from ..errors import ApiError, invalid_param

__all__ = ["MICROSECOND_FROM", "check_spot_timing"]

#: A timestamp this large (16 digits and more) is in microseconds; below, in milliseconds.
#: The docs say only that both units are accepted; today's ms timestamps have 13 digits and
#: µs ones 16, so the boundary is unambiguous for centuries.
MICROSECOND_FROM = 10**15
_RECV_WINDOW = re.compile(r"[0-9]{1,12}(\.[0-9]{1,3})?")
_MAX_RECV_WINDOW_MS = 60_000


def check_spot_timing(params: Mapping[str, str], server_time_ms: int) -> None:
    """-1102 without a timestamp; -1130 for a recvWindow that is not a decimal with at most
    three decimals; -1131 above 60000 (the code the reference gives, "recvWindow must be less
    than 60000"; today's errors.md no longer lists it); -1021 outside the window."""
    timestamp = readers.integer(params, "timestamp", required=True)
    assert timestamp is not None
    raw_window = params.get("recvWindow")
    if raw_window is None:
        recv_window = Decimal(5000)
    elif _RECV_WINDOW.fullmatch(raw_window):
        recv_window = Decimal(raw_window)
        if recv_window > _MAX_RECV_WINDOW_MS:
            raise ApiError(-1131, "recvWindow must be less than 60000")
    else:
        raise invalid_param("recvWindow")
    timestamp_us = timestamp if timestamp >= MICROSECOND_FROM else timestamp * 1000
    server_us = server_time_ms * 1000
    if timestamp_us >= server_us + 1_000_000:
        raise ApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if server_us - timestamp_us > recv_window * 1000:
        raise ApiError(-1021, "Timestamp for this request is outside of the recvWindow.")
