"""What the core is handed about a market: the venue record and its order families.

The core (gateway, clock, limiter, reconciler, batches) knows no market. A :class:`Venue` tells
it where to connect, how to read the exchange's time, the default limits, and which error code
is which; an :class:`OrderFamily` tells the reconciler how to place, find and cancel one kind of
order (regular orders, algo orders, order lists) and what its answers look like. The instances
live in :mod:`binance_async.venues`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from .endpoint import Endpoint
from .errors import APIError, CodeTable, NoSuchOrder
from .ratelimits import RateLimit

__all__ = ["FamilyOrder", "OrderFamily", "StreamPaths", "Urls", "Venue"]


class FamilyOrder(Protocol):
    """What the reconciler reads of an order of any family."""

    @property
    def status(self) -> str | None:
        """The exchange's status of the order (None when the answer does not say: an ACK)."""
        ...


T = TypeVar("T", bound=FamilyOrder)


def _never(params: Mapping[str, Any]) -> bool:
    return False


def _same(params: Mapping[str, Any], order: Any) -> bool:
    return True


@attrs.frozen(kw_only=True)
class OrderFamily(Generic[T]):
    """One kind of order, as the reconciler settles it."""

    name: str
    place: Endpoint
    query: Endpoint
    cancel: Endpoint
    #: Wire name of the client id when placing (``newClientOrderId``, ``clientAlgoId``).
    client_id: str
    #: Wire name of the client id when querying or cancelling (``origClientOrderId``).
    query_client_id: str
    #: Wire name of the exchange's id (``orderId``, ``algoId``).
    exchange_id: str
    #: The answer's JSON -> the family's model; raises on a malformed answer.
    parse: Callable[[Any], T]
    #: Marks a model as found by a reconciliation query.
    mark_reconciled: Callable[[T], T]
    #: Statuses in which the order can still trade.
    open_statuses: frozenset[str]
    #: Errors of the query that mean "no such order".
    absent: tuple[type[APIError], ...] = (NoSuchOrder,)
    #: True for orders that only reduce risk: they skip the -1008 in-flight cap and go first.
    reduces_risk: Callable[[Mapping[str, Any]], bool] = _never
    modify: Endpoint | None = None
    #: Whether an order shows a modification's params (``modify`` settles by comparing).
    shows_modify: Callable[[Mapping[str, Any], T], bool] = _same
    batch_place: Endpoint | None = None
    batch_modify: Endpoint | None = None
    batch_cancel: Endpoint | None = None
    #: False when a cancel answers less than the order (algo orders): it is read back.
    cancel_answers_order: bool = True
    #: False when the query and cancel name the order by its ids alone, without ``symbol``.
    query_by_symbol: bool = True
    #: Wire name of the client id when cancelling, where it is not the query's (Spot's order
    #: lists are cancelled by ``listClientOrderId``, queried by ``origClientOrderId``).
    cancel_client_id: str | None = None
    #: Wire name of a cancel's own client id, which the order carries once cancelled (Spot: a
    #: cancel's ``newClientOrderId`` becomes the order's ``clientOrderId``): the settling
    #: queries look for the order under it too.
    cancel_renames: str | None = None

    def query_params(self, symbol: str, **ids: Any) -> dict[str, Any]:
        """Query (or cancel) parameters naming one order: its symbol if the family wants it,
        and the ids given (None values left out)."""
        params = {"symbol": symbol} if self.query_by_symbol else {}
        params.update((k, v) for k, v in ids.items() if v is not None)
        return params

    #: Wire names of the batch cancel's id lists (exchange ids, client ids).
    batch_cancel_lists: tuple[str, str] = ("orderIdList", "origClientOrderIdList")

    def is_open(self, order: T) -> bool:
        """True while ``order`` can still trade."""
        return order.status in self.open_statuses


@attrs.frozen(kw_only=True)
class Urls:
    """Where a venue lives, in one environment (production or testnet)."""

    rest: str
    market_streams: str
    private_streams: str
    ws_api: str


@attrs.frozen(kw_only=True)
class StreamPaths:
    """Where a venue serves its streams under a streams host (``Urls.market_streams``, or a
    client's ``stream_url``)."""

    #: The market streams' path ("": at the host itself).
    market: str = ""
    #: The book streams' path where the venue serves them apart (USD-M: "/public"; None:
    #: with the other market streams).
    book: str | None = None
    #: The user data streams' path under a client's ``stream_url``.
    private: str = ""


@attrs.frozen(kw_only=True)
class Venue:
    """A market the core is handed: URLs, clock, limits, error codes."""

    name: str
    production: Urls
    testnet: Urls
    #: The exchange's time: the endpoint, and its answer's JSON -> server ms (raises
    #: ``ValueError``/``TypeError``/``KeyError`` on a malformed answer).
    time: Endpoint
    parse_time: Callable[[Any], int]
    #: The exchange's rules; its model has ``rate_limits`` and ``symbols``.
    exchange_info: Endpoint
    #: Defaults until ``exchangeInfo`` is loaded.
    limits: tuple[RateLimit, ...]
    codes: CodeTable
    #: The WebSocket API's methods by REST path and HTTP method (``{"/fapi/v1/order":
    #: {"POST": "order.place"}}``): the endpoints a WebSocket API session carries.
    ws_api_methods: Mapping[str, Mapping[str, str]] = attrs.field(factory=dict)
    #: Decimals ``recvWindow`` may carry (0: whole milliseconds; Spot takes 3, microseconds).
    recv_window_decimals: int = 0
    #: The streams' paths under the streams host.
    stream_paths: StreamPaths = attrs.field(factory=StreamPaths)
    #: Incoming messages a second a stream connection takes (pings and pongs count): control
    #: messages leave at two fewer a second, room for a ping and a pong.
    stream_messages_per_s: int = 10
