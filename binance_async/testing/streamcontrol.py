"""The streams' control messages and stream names (reference/fapi-rules.md section 7).

``SUBSCRIBE`` / ``UNSUBSCRIBE`` / ``LIST_SUBSCRIPTIONS`` / ``SET_PROPERTY`` / ``GET_PROPERTY``
(``combined``), answered ``{"result": ..., "id": n}`` or ``{"code": 0..3, "msg", "id"}`` as
the exchange's error codes go: 0 unknown property, 1 a value of the wrong type, 2 an invalid
request, 3 invalid JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, Protocol

import orjson

__all__ = ["answer", "is_book", "refusal", "valid_name"]

_BOOK_EVENTS = ("depth", "bookTicker", "rpiDepth")


class Target(Protocol):
    """The connection a control message is for."""

    streams: set[str]
    account: str | None
    combined: bool


def is_book(name: str) -> bool:
    event = name[1:] if name.startswith("!") else name.partition("@")[2]
    return event.startswith(_BOOK_EVENTS)


def valid_name(name: object) -> bool:
    if not isinstance(name, str) or not name or len(name) > 200 or not name.isprintable():
        return False
    if name.startswith("!"):
        return True
    symbol, at, event = name.partition("@")
    return bool(symbol and at and event) and symbol == symbol.lower()


def refusal(route: str, names: Collection[Any], existing: int, max_streams: int) -> str | None:
    """Why ``names`` cannot be subscribed on ``route`` (None: they can)."""
    for name in names:
        if not valid_name(name):
            return f"Invalid stream name: {name!r}"
        if route == "/private":
            return "Invalid request: market streams are not served under /private"
        if route == "/public" and not is_book(name):
            return f"Invalid request: {name} is not served under /public"
        if route == "/market" and is_book(name):
            return f"Invalid request: {name} is not served under /market"
    if existing + len(set(names)) > max_streams:
        return f"Invalid request: more than {max_streams} streams"
    return None


def answer(
    conn: Target,
    text: str,
    subscribe: Callable[[list[str]], str | None],
    unsubscribe: Callable[[list[str]], None],
) -> dict[str, Any] | None:
    """The answer to one control message (``subscribe`` returns a refusal, or subscribes)."""
    try:
        request = orjson.loads(text)
    except orjson.JSONDecodeError:
        return {"code": 3, "msg": "Invalid JSON: expected value at line 1 column 1"}
    if not isinstance(request, dict):
        return {"code": 3, "msg": "Invalid JSON: expected an object"}
    rid = request.get("id")
    if isinstance(rid, bool) or not isinstance(rid, int) or rid < 0:
        return {"code": 2, "msg": "Invalid request: request ID must be an unsigned integer"}
    method = request.get("method")
    params = request.get("params", [])
    if not isinstance(params, list):
        return {"code": 2, "msg": "Invalid request: params must be a list", "id": rid}
    if method == "LIST_SUBSCRIPTIONS":
        return {"result": sorted(conn.streams), "id": rid}
    if method in ("SUBSCRIBE", "UNSUBSCRIBE"):
        if conn.account is not None:
            return {"code": 2, "msg": "Invalid request: not on a user stream", "id": rid}
        if method == "SUBSCRIBE":
            refused = subscribe(params)
            if refused is not None:
                return {"code": 2, "msg": refused, "id": rid}
        else:
            unsubscribe([p for p in params if isinstance(p, str)])
        return {"result": None, "id": rid}
    if method in ("SET_PROPERTY", "GET_PROPERTY"):
        if not params or params[0] != "combined":
            return {"code": 0, "msg": "Unknown property", "id": rid}
        if method == "GET_PROPERTY":
            return {"result": conn.combined, "id": rid}
        if len(params) != 2 or not isinstance(params[1], bool):
            return {"code": 1, "msg": "Invalid value type: expected Boolean", "id": rid}
        conn.combined = params[1]
        return {"result": None, "id": rid}
    return {
        "code": 2,
        "msg": f"Invalid request: unknown variant {method}, expected one of SUBSCRIBE, "
        "UNSUBSCRIBE, LIST_SUBSCRIPTIONS, SET_PROPERTY, GET_PROPERTY",
        "id": rid,
    }
