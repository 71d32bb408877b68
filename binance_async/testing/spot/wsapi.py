"""Spot's WebSocket API (``GET /ws-api/v3``): its methods as rows of Spot's REST route table.

Served by the same :class:`~binance_async.testing.wsapi.WsApi` as the futures one, with
Spot's pipeline venue: REQUEST_WEIGHT is the Spot ledger REST uses (per IP), the handshake
costs 2 weight, order methods count on the account's unfilled ORDERS windows and say so in
``rateLimits``, faults injected on a REST order endpoint hit its method too, and ``symbols``
may be sent as a JSON array. Requests are signed over their parameters sorted by name,
``apiKey`` included; ``session.logon`` takes Ed25519 keys only. The user data subscriptions
(``userDataStream.subscribe`` ...) are :mod:`.userstream`'s.
"""

from __future__ import annotations

from ..routes import Route
from ..wsapi import WsDialect
from ..wsframes import LOGON, LOGOUT, METHODS, STATUS
from .routes import SPOT, SPOT_ROUTES
from .userstream import SUBSCRIPTION_METHODS, SpotSubscriptions

__all__ = ["SPOT_WS", "SPOT_WS_API_PATH", "SPOT_WS_METHODS"]

#: Where Spot's WebSocket API is served.
SPOT_WS_API_PATH = "/ws-api/v3"

_V3 = "/api/v3/"
#: WebSocket API method -> the REST endpoint it is (Spot's web-socket-api.md).
_REST_METHODS: dict[str, tuple[str, str]] = {
    "ping": ("GET", "ping"),
    "time": ("GET", "time"),
    "exchangeInfo": ("GET", "exchangeInfo"),
    "depth": ("GET", "depth"),
    "trades.recent": ("GET", "trades"),
    "trades.historical": ("GET", "historicalTrades"),
    "trades.aggregate": ("GET", "aggTrades"),
    "klines": ("GET", "klines"),
    "uiKlines": ("GET", "uiKlines"),
    "avgPrice": ("GET", "avgPrice"),
    "ticker.24hr": ("GET", "ticker/24hr"),
    "ticker": ("GET", "ticker"),
    "ticker.price": ("GET", "ticker/price"),
    "ticker.book": ("GET", "ticker/bookTicker"),
    "order.place": ("POST", "order"),
    "order.test": ("POST", "order/test"),
    "order.status": ("GET", "order"),
    "order.cancel": ("DELETE", "order"),
    "order.cancelReplace": ("POST", "order/cancelReplace"),
    "openOrders.status": ("GET", "openOrders"),
    "openOrders.cancelAll": ("DELETE", "openOrders"),
    "allOrders": ("GET", "allOrders"),
    "orderList.place": ("POST", "order/oco"),
    "orderList.place.oco": ("POST", "orderList/oco"),
    "orderList.place.oto": ("POST", "orderList/oto"),
    "orderList.place.otoco": ("POST", "orderList/otoco"),
    "orderList.status": ("GET", "orderList"),
    "orderList.cancel": ("DELETE", "orderList"),
    "openOrderLists.status": ("GET", "openOrderList"),
    "allOrderLists": ("GET", "allOrderList"),
    "account.status": ("GET", "account"),
    "account.rateLimits.orders": ("GET", "rateLimit/order"),
    "account.commission": ("GET", "account/commission"),
    "myTrades": ("GET", "myTrades"),
    "myPreventedMatches": ("GET", "myPreventedMatches"),
}


def _upgrade(_: object) -> None:
    """The handshake: the pipeline admits it (ban, weight); the caller upgrades it."""


#: Spot's methods: the REST rows, session.*, and the user data subscriptions.
SPOT_WS_METHODS: dict[str, Route] = (
    {name: SPOT_ROUTES[(method, _V3 + path)] for name, (method, path) in _REST_METHODS.items()}
    | {name: METHODS[name] for name in (LOGON, STATUS, LOGOUT)}
    | SUBSCRIPTION_METHODS
)

#: Spot at ``/ws-api/v3``: the handshake costs 2 weight on Spot's ledger.
SPOT_WS = WsDialect(
    path=SPOT_WS_API_PATH,
    handshake=Route(method="GET", path=SPOT_WS_API_PATH, handler=_upgrade, weight=2),
    methods=SPOT_WS_METHODS,
    venue=SPOT,
    arrays=True,
    extension=SpotSubscriptions,
)
