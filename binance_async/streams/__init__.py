"""Streams owned by the client: market streams, local order books, the user data stream.

Layout (one job per module):

- ``settings``  :class:`~.settings.StreamConfig`: rotation, silence watchdog, queues, pace.
- ``names``     stream names: their spelling, their route (``/public``, ``/market``) and the
                record each delivers.
- ``hub``       the client's streams: URLs, the shared aiohttp session, closing with the client.
- ``connection`` one WebSocket read without pause; control messages with ids, paced.
- ``link``      streams kept on a connection: reconnect with jittered backoff, resubscribe,
                rotation before the 24 h cut.
- ``rotation``  the overlap of two connections: each event delivered once.
- ``market``    :class:`~.market.MarketStream`: the bounded queue, typed events, aggregate
                trades exactly once (backfilled over REST), gaps reported.
- ``book``      :class:`~.book.OrderBook`: snapshot + diff stream, ``U``/``u``/``pu``.
- ``user``      :class:`~.user.UserDataStream`: listenKey, resync, the reconciler's feed.
- ``mirror``    :class:`~.mirror.AccountMirror`: orders, positions, balances by exchange time.
- ``acks``      order states by client id for the reconciler.

The layer sits above the reconciler and below the clients: nothing of the core imports it,
and it names no venue (the client hands it URLs, REST calls and order family names).
"""

__all__: list[str] = []
