"""Spot's ``user_stream()``: the account's events and mirror over the WebSocket API's
subscription (:mod:`.userstream`); its REST reads go through the client's call path."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..client import ClientBase
from ..errors import InvalidRequest, NoSuchOrder
from ..models.spotaccount import SpotAccount
from ..models.spotorders import SpotOrder
from ..venues.spot import OCO_LISTS, SPOT_ORDERS
from ..venues.spot import account as account_ep
from ..venues.spot import trading as trading_ep

if TYPE_CHECKING:  # the stream modules load with the first stream (import time)
    from .userstream import SpotUserStream

__all__ = ["UserStream"]


class UserStream(ClientBase):
    """Spot's ``user_stream``."""

    def user_stream(self) -> SpotUserStream:
        """The user data stream with its account mirror (``user.orders`` by client order
        id, ``user.balances`` by asset): ``async with client.user_stream() as user: async
        for event in user``. It subscribes on the WebSocket API (``ws_api_url``): with an
        Ed25519 key by ``session.logon``, else by signature. While it is open, an order of
        unknown outcome is settled by its ``executionReport`` when that comes before the
        query's answer.

        Raises :class:`~binance_async.errors.InvalidRequest` for a client without a
        ``ws_api_url`` (a custom ``base_url`` needs one) or without a key that signs.
        """
        from .userstream import SpotUserKeys, SpotUserStream

        if self._ws_api_url is None:
            raise InvalidRequest("this client has a custom base_url: give ws_api_url too")
        gw = self._gateway
        if gw.signer is None or self._api_key is None:
            raise InvalidRequest("the user data stream needs api_key and its secret or key")
        keys = SpotUserKeys(
            api_key=self._api_key,
            signer=gw.signer,
            clock=gw.clock,
            recv_window_ms=self.config.recv_window_ms,
            codes=self.venue.codes,
        )
        return SpotUserStream(
            self._stream_hub,
            _UserRest(self),
            url=self._ws_api_url,
            keys=keys,
            budget=gw.limiter,
            order_family=SPOT_ORDERS.name,
            list_family=OCO_LISTS.name,  # OTO and OTOCO lists share its name
            reconciler=self._reconciler,
            monotonic_ns=self._time_source.monotonic_ns,
        )


class _UserRest:
    """The user stream's REST reads, through the client's call path."""

    def __init__(self, client: ClientBase) -> None:
        self._client = client

    async def open_orders(self) -> Sequence[SpotOrder]:
        orders: list[SpotOrder] = await self._client._read(trading_ep.OPEN_ORDERS)
        return orders

    async def account(self) -> SpotAccount:
        account: SpotAccount = await self._client._read(account_ep.ACCOUNT)
        return account

    async def order(self, symbol: str, order_id: int) -> SpotOrder | None:
        try:
            order: SpotOrder = await self._client._read(
                trading_ep.GET_ORDER, symbol=symbol, order_id=order_id
            )
        except NoSuchOrder:
            return None
        return order
