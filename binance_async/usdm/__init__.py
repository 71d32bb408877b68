"""The USDⓈ-M futures client: :class:`UMFutures`, composed of its method groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from ..venue import Venue
from ..venues.usdm import USDM
from .account import Account
from .algo import AlgoOrders
from .market import MarketData
from .streams import Streams
from .trading import Trading
from .userstream import UserStream

if TYPE_CHECKING:  # loaded with the first WebSocket API session (import time)
    from .wsapi import WsApi

__all__ = ["UMFutures"]


class UMFutures(Trading, AlgoOrders, MarketData, Account, UserStream, Streams):
    """Asyncio client for Binance USDⓈ-M futures; use as ``async with``.

    HMAC: ``UMFutures(api_key, api_secret)``; RSA or Ed25519: ``UMFutures(api_key,
    private_key=pem_bytes_or_path)`` (the key type is detected). ``base_url`` or
    ``testnet=True`` choose the exchange; ``recv_window_ms``, ``request_timeout_s``,
    ``call_deadline_s`` and ``close_timeout_s`` bound each request and call;
    ``local_addresses`` spreads requests over source addresses (each its own weight budget);
    ``ws_api_url`` is the WebSocket API (:meth:`ws_api`; the venue's by default, required
    with a custom ``base_url``);
    ``budget_store`` shares the budgets with other clients (``account`` names the account in
    it). Raises :class:`~binance_async.errors.InvalidRequest` for a malformed key and
    ``ValueError`` for a bad setting.
    """

    venue: ClassVar[Venue] = USDM

    def ws_api(
        self,
        *,
        rotate_after_s: float = 23.5 * 3600,
        heartbeat_s: float | None = 30.0,
        session_logon: bool = True,
    ) -> WsApi:
        """A WebSocket API session: ``async with client.ws_api() as ws: await ws.new_order(...)``.

        Connections are replaced every ``rotate_after_s`` (before the exchange's 24 h cut)
        and pinged every ``heartbeat_s``; with an Ed25519 key and ``session_logon`` each
        connection logs on once instead of signing each request. Raises
        :class:`~binance_async.errors.InvalidRequest` without ``ws_api_url`` (when
        ``base_url`` is custom) or without a signing key, ``ValueError`` for a bad setting.
        """
        from .wsapi import WsApi

        return WsApi(
            self,
            self._ws_api_transport(
                rotate_after_s=rotate_after_s,
                heartbeat_s=heartbeat_s,
                session_logon=session_logon,
            ),
        )
