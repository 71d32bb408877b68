"""The Spot client: :class:`Spot`, composed of its method groups."""

from __future__ import annotations

from typing import ClassVar

from ..venue import Venue
from ..venues.spot import SPOT
from .account import Account
from .lists import OrderLists
from .market import MarketData
from .streams import Streams
from .trading import Trading
from .user import UserStream

__all__ = ["Spot"]


class Spot(Trading, OrderLists, MarketData, Account, Streams, UserStream):
    """Asyncio client for Binance Spot; use as ``async with``.

    HMAC: ``Spot(api_key, api_secret)``; RSA or Ed25519: ``Spot(api_key,
    private_key=pem_bytes_or_path)`` (the key type is detected). ``base_url`` or
    ``testnet=True`` choose the exchange (``https://api.binance.com`` by default);
    ``recv_window_ms`` (up to 60000, with up to three decimals on Spot),
    ``request_timeout_s``, ``call_deadline_s`` and ``close_timeout_s`` bound each request
    and call; ``local_addresses`` spreads requests over source addresses (each its own
    weight budget); ``budget_store`` shares the budgets with other clients (``account``
    names the account in it); Spot's budgets are their own, apart from USDⓈ-M's on the same
    address. ``stream(...)`` and ``order_book(...)`` open market streams at
    ``wss://stream.binance.com:9443`` (testnet's with ``testnet=True``; ``stream_url``
    overrides); ``user_stream()`` subscribes over the WebSocket API (``ws_api_url``).
    Raises :class:`~binance_async.errors.InvalidRequest` for a malformed key and
    ``ValueError`` for a bad setting.
    """

    venue: ClassVar[Venue] = SPOT
