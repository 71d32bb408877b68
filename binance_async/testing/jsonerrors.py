"""Every error the simulator's HTTP server gives is JSON ``{"code": ..., "msg": ...}``: this
middleware turns what aiohttp would answer in text (a body too large, an unexpected exception
in a handler) into the exchange's shape."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import orjson
from aiohttp import web

__all__ = ["json_errors"]

_log = logging.getLogger(__name__)
#: The documented 5XX message ("Request occur unknown error.").
UNKNOWN_5XX = "Request occur unknown error."


def _json(status: int, code: int, msg: str) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps({"code": code, "msg": msg}),
        content_type="application/json",
    )


@web.middleware
async def json_errors(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """Answer aiohttp's HTTP errors and unexpected exceptions as JSON with a code and msg."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return _json(exc.status, -1000, f"{exc.reason}.")
    except Exception:
        _log.exception("simulator: unexpected error answering %s %s", request.method, request.path)
        return _json(500, -1000, UNKNOWN_5XX)
