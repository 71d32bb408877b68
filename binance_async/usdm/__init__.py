"""The USDⓈ-M futures client: :class:`UMFutures`, composed of its method groups."""

from __future__ import annotations

from typing import ClassVar

from ..venue import Venue
from ..venues.usdm import USDM
from .account import Account
from .algo import AlgoOrders
from .market import MarketData
from .trading import Trading
from .userstream import UserStream

__all__ = ["UMFutures"]


class UMFutures(Trading, AlgoOrders, MarketData, Account, UserStream):
    """Asyncio client for Binance USDⓈ-M futures; use as ``async with``.

    HMAC: ``UMFutures(api_key, api_secret)``; RSA or Ed25519: ``UMFutures(api_key,
    private_key=pem_bytes_or_path)`` (the key type is detected). ``base_url`` or
    ``testnet=True`` choose the exchange; ``recv_window_ms``, ``request_timeout_s``,
    ``call_deadline_s`` and ``close_timeout_s`` bound each request and call;
    ``local_addresses`` spreads requests over source addresses (each its own weight budget);
    ``budget_store`` shares the budgets with other clients (``account`` names the account in
    it). Raises :class:`~binance_async.errors.InvalidRequest` for a malformed key and
    ``ValueError`` for a bad setting.
    """

    venue: ClassVar[Venue] = USDM
