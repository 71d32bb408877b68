"""Account endpoints (account, balance, positions) and the user data stream's listen key."""

from __future__ import annotations

import secrets

from . import readers
from .call import Call, Handler
from .call import signed_params as _signed
from .errors import ApiError
from .orders import SIGNED_PARAMS
from .render import account_payload, balance_payload, position_risk_payload

__all__ = [
    "account_v2",
    "account_v3",
    "balance",
    "listen_key_close",
    "listen_key_keepalive",
    "listen_key_new",
    "order_rate_limits",
    "position_risk_v2",
    "position_risk_v3",
]

_LISTEN_KEY_MS = 60 * 60 * 1000


def _account(version: int) -> Handler:
    def handler(call: Call) -> object:
        readers.check_unknown(call.params, SIGNED_PARAMS)
        return account_payload(call.state.engine, call.account, version=version)

    handler.__doc__ = f"GET /fapi/v{version}/account."
    return handler


def balance(call: Call) -> object:
    """GET /fapi/v2|v3/balance."""
    readers.check_unknown(call.params, SIGNED_PARAMS)
    return balance_payload(call.state.engine, call.account)


def _position_risk(version: int) -> Handler:
    def handler(call: Call) -> object:
        readers.check_unknown(call.params, _signed("symbol"))
        symbol = readers.text(call.params, "symbol")
        if symbol is not None:
            call.state.market.spec(symbol)
        return position_risk_payload(call.state.engine, call.account, symbol, version=version)

    handler.__doc__ = f"GET /fapi/v{version}/positionRisk."
    return handler


def order_rate_limits(call: Call) -> object:
    """GET /fapi/v1/rateLimit/order."""
    readers.check_unknown(call.params, SIGNED_PARAMS)
    return [w.payload("ORDERS") for w in call.state.limiter.order_windows]


# -- user data stream -------------------------------------------------------------------------


def listen_key_new(call: Call) -> object:
    """POST /fapi/v1/listenKey: the account's active key (extended), or a new one."""
    readers.check_unknown(call.params, ())
    keys = call.state.listen_keys
    current = keys.get(call.account)
    key = current[0] if current and current[1] > call.now_ms else secrets.token_urlsafe(48)
    keys[call.account] = (key, call.now_ms + _LISTEN_KEY_MS)
    return {"listenKey": key}


def listen_key_keepalive(call: Call) -> object:
    """PUT /fapi/v1/listenKey: extend by 60 minutes; -1125 when the key has expired."""
    readers.check_unknown(call.params, ("listenKey",))
    keys = call.state.listen_keys
    current = keys.get(call.account)
    if current is None or current[1] <= call.now_ms:
        raise ApiError(-1125, "This listenKey does not exist.")
    keys[call.account] = (current[0], call.now_ms + _LISTEN_KEY_MS)
    return {"listenKey": current[0]}


def listen_key_close(call: Call) -> object:
    """DELETE /fapi/v1/listenKey."""
    readers.check_unknown(call.params, ("listenKey",))
    call.state.listen_keys.pop(call.account, None)
    return {}


account_v2 = _account(2)
account_v3 = _account(3)
position_risk_v2 = _position_risk(2)
position_risk_v3 = _position_risk(3)
