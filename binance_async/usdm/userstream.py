"""The user data stream's listenKey: create, keep alive, close (API key, no signature)."""

from __future__ import annotations

from ..client import ClientBase
from ..venues.usdm import account as ep

__all__ = ["UserStream"]


class UserStream(ClientBase):
    """listenKey management (reference/fapi-rules.md section 6)."""

    async def new_listen_key(self) -> str:
        """Start (or extend: one key per account) the user data stream; its listenKey."""
        key: str = await self._call(ep.LISTEN_KEY_NEW)
        return key

    async def keepalive_listen_key(self) -> None:
        """Extend the listenKey by 60 minutes.

        Raises :class:`~binance_async.errors.BadRequest` (-1125) when the key no longer
        exists: create a new one.
        """
        await self._call(ep.LISTEN_KEY_KEEPALIVE)

    async def close_listen_key(self) -> None:
        """Close the user data stream."""
        await self._call(ep.LISTEN_KEY_CLOSE)
