"""The timing security rule for SIGNED requests."""

from __future__ import annotations

from collections.abc import Mapping

from . import readers
from .errors import ApiError, invalid_param

__all__ = ["DEFAULT_RECV_WINDOW_MS", "MAX_RECV_WINDOW_MS", "check_timing"]

DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60_000


def check_timing(params: Mapping[str, str], server_time_ms: int) -> None:
    """Accept iff ``timestamp < serverTime + 1000 and serverTime - timestamp <= recvWindow``.

    -1102 without a timestamp, -1130 for a recvWindow that is not an integer up to 60000,
    -1021 outside the window (two messages: ahead of the server, or too old).
    """
    timestamp = readers.integer(params, "timestamp", required=True)
    assert timestamp is not None
    raw_window = params.get("recvWindow")
    if raw_window is None:
        recv_window = DEFAULT_RECV_WINDOW_MS
    elif raw_window.isascii() and raw_window.isdigit() and int(raw_window) <= MAX_RECV_WINDOW_MS:
        recv_window = int(raw_window)
    else:
        raise invalid_param("recvWindow")
    if timestamp >= server_time_ms + 1000:
        raise ApiError(-1021, "Timestamp for this request was 1000ms ahead of the server's time.")
    if server_time_ms - timestamp > recv_window:
        raise ApiError(-1021, "Timestamp for this request is outside of the recvWindow.")
