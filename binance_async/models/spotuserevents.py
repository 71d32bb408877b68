"""Spot's user data events (Binance Spot user-data-stream.md), as the WebSocket API's
subscription pushes them inside ``{"subscriptionId": n, "event": {...}}``:
``executionReport``, ``outboundAccountPosition``, ``balanceUpdate``, ``listStatus`` and
``eventStreamTerminated``. Amounts are ``Decimal``, times ``*_ms``; ``raw`` keeps the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .fields import (
    RAW,
    Model,
    model,
    to_bool,
    to_dec,
    to_int,
    to_opt_dec,
    to_opt_int,
    to_opt_str,
    to_str,
    wire,
)
from .spotorders import SpotOrder

__all__ = [
    "AccountPosition",
    "AssetBalance",
    "BalanceUpdate",
    "EventStreamTerminated",
    "ExecutionReport",
    "ListStatus",
    "ListStatusOrder",
    "SpotBalanceUpdate",
    "parse_spot_user_event",
]


def _time(value: Any) -> int | None:
    """A time in ms; None for the exchange's -1 ("not yet")."""
    number = to_int(value)
    return None if number < 0 else number


@model
class ExecutionReport(Model):
    """One order event (``executionReport``): the order as it stands after ``execution_type``
    (NEW, TRADE, CANCELED, EXPIRED, REPLACED, TRADE_PREVENTION ...). A cancel's report is
    named by the cancel's id (``c``) and carries the order's own in ``C``:
    :attr:`order_client_id` is the order's either way."""

    event_time_ms: int = wire("E", to_int)
    symbol: str = wire("s", to_str)
    client_order_id: str = wire("c", to_str)
    side: str = wire("S", to_str)
    order_type: str = wire("o", to_str)
    time_in_force: str = wire("f", to_str)
    quantity: Decimal = wire("q", to_dec)
    price: Decimal = wire("p", to_dec)
    stop_price: Decimal = wire("P", to_dec, Decimal(0))
    iceberg_qty: Decimal = wire("F", to_dec, Decimal(0))
    order_list_id: int = wire("g", to_int, -1)
    #: The cancelled order's own client id ("" unless the report is a cancel's).
    orig_client_order_id: str = wire("C", to_str, "")
    execution_type: str = wire("x", to_str)
    status: str = wire("X", to_str)
    reject_reason: str = wire("r", to_str, "NONE")
    order_id: int = wire("i", to_int)
    last_qty: Decimal = wire("l", to_dec, Decimal(0))
    cumulative_qty: Decimal = wire("z", to_dec)
    last_price: Decimal = wire("L", to_dec, Decimal(0))
    commission: Decimal = wire("n", to_dec, Decimal(0))
    commission_asset: str | None = wire("N", to_opt_str, None)
    transaction_time_ms: int = wire("T", to_int)
    #: The fill's trade id; -1 when the report is not a fill's.
    trade_id: int = wire("t", to_int, -1)
    execution_id: int | None = wire("I", to_opt_int, None)
    is_working: bool = wire("w", to_bool, False)
    is_maker: bool = wire("m", to_bool, False)
    order_time_ms: int | None = wire("O", _time, None)
    cumulative_quote_qty: Decimal = wire("Z", to_dec, Decimal(0))
    last_quote_qty: Decimal = wire("Y", to_dec, Decimal(0))
    quote_order_qty: Decimal = wire("Q", to_dec, Decimal(0))
    working_time_ms: int | None = wire("W", _time, None)
    self_trade_prevention_mode: str | None = wire("V", to_opt_str, None)
    trailing_delta: int | None = wire("d", to_opt_int, None)
    trailing_time_ms: int | None = wire("D", _time, None)
    strategy_id: int | None = wire("j", to_opt_int, None)
    strategy_type: int | None = wire("J", to_opt_int, None)
    #: Self-trade prevention (``TRADE_PREVENTION``, status ``EXPIRED_IN_MATCH``): the
    #: prevented match, the quantity prevented in all and by this event, the trade group,
    #: the counter order and its symbol, and the execution that did not happen.
    prevented_match_id: int | None = wire("v", to_opt_int, None)
    prevented_quantity: Decimal | None = wire("A", to_opt_dec, None)
    last_prevented_quantity: Decimal | None = wire("B", to_opt_dec, None)
    trade_group_id: int | None = wire("u", to_opt_int, None)
    counter_order_id: int | None = wire("U", to_opt_int, None)
    counter_symbol: str | None = wire("Cs", to_opt_str, None)
    prevented_execution_qty: Decimal | None = wire("pl", to_opt_dec, None)
    prevented_execution_price: Decimal | None = wire("pL", to_opt_dec, None)
    prevented_execution_quote_qty: Decimal | None = wire("pY", to_opt_dec, None)
    raw: Mapping[str, Any] = RAW

    @property
    def order_client_id(self) -> str:
        """The order's client id (``C`` on a cancel's report, else ``c``)."""
        return self.orig_client_order_id or self.client_order_id

    @property
    def order(self) -> SpotOrder:
        """The order as this report leaves it (named by its own client id)."""
        cancel_id = self.client_order_id if self.orig_client_order_id else None
        return SpotOrder(
            symbol=self.symbol,
            order_id=self.order_id,
            client_order_id=self.order_client_id,
            order_list_id=self.order_list_id,
            status=self.status,
            side=self.side,
            type=self.order_type,
            time_in_force=self.time_in_force,
            price=self.price,
            orig_qty=self.quantity,
            executed_qty=self.cumulative_qty,
            cummulative_quote_qty=self.cumulative_quote_qty,
            orig_quote_order_qty=self.quote_order_qty,
            stop_price=self.stop_price,
            iceberg_qty=self.iceberg_qty,
            trailing_delta=self.trailing_delta,
            trailing_time_ms=self.trailing_time_ms,
            working_time_ms=self.working_time_ms,
            transact_time_ms=self.transaction_time_ms,
            time_ms=self.order_time_ms,
            update_time_ms=self.transaction_time_ms,
            is_working=self.is_working,
            self_trade_prevention_mode=self.self_trade_prevention_mode,
            prevented_match_id=self.prevented_match_id,
            prevented_quantity=self.prevented_quantity,
            strategy_id=self.strategy_id,
            strategy_type=self.strategy_type,
            cancel_client_order_id=cancel_id,
            raw=self.raw,
        )


@model
class AssetBalance(Model):
    """One asset of an ``outboundAccountPosition``: ``free`` and ``locked``."""

    asset: str = wire("a", to_str)
    free: Decimal = wire("f", to_dec)
    locked: Decimal = wire("l", to_dec)
    raw: Mapping[str, Any] = RAW


def _assets(value: Any) -> tuple[AssetBalance, ...]:
    if not isinstance(value, list):
        raise TypeError(f"B is not a list: {value!r:.80}")
    return tuple(AssetBalance.from_payload(item) for item in value)


@model
class AccountPosition(Model):
    """The assets whose free or locked amount changed (``outboundAccountPosition``)."""

    event_time_ms: int = wire("E", to_int)
    #: When the account last changed.
    last_update_time_ms: int = wire("u", to_int)
    balances: tuple[AssetBalance, ...] = wire("B", _assets)
    raw: Mapping[str, Any] = RAW


@model
class SpotBalanceUpdate(Model):
    """A deposit, withdrawal or transfer (``balanceUpdate``): ``delta`` of ``asset``."""

    event_time_ms: int = wire("E", to_int)
    asset: str = wire("a", to_str)
    delta: Decimal = wire("d", to_dec)
    clear_time_ms: int = wire("T", to_int)
    raw: Mapping[str, Any] = RAW


#: The name it had before it was exported as ``binance_async.SpotBalanceUpdate`` (USDⓈ-M's
#: ``binance_async.BalanceUpdate`` is another event).
BalanceUpdate = SpotBalanceUpdate


@model
class ListStatusOrder(Model):
    """One order of a ``listStatus``."""

    symbol: str = wire("s", to_str)
    order_id: int = wire("i", to_int)
    client_order_id: str = wire("c", to_str)
    raw: Mapping[str, Any] = RAW


def _list_orders(value: Any) -> tuple[ListStatusOrder, ...]:
    if not isinstance(value, list):
        raise TypeError(f"O is not a list: {value!r:.80}")
    return tuple(ListStatusOrder.from_payload(item) for item in value)


@model
class ListStatus(Model):
    """An order list placed or changed (``listStatus``)."""

    event_time_ms: int = wire("E", to_int)
    symbol: str = wire("s", to_str)
    order_list_id: int = wire("g", to_int)
    contingency_type: str = wire("c", to_str)
    list_status_type: str = wire("l", to_str)
    list_order_status: str = wire("L", to_str)
    reject_reason: str = wire("r", to_str, "NONE")
    list_client_order_id: str = wire("C", to_str)
    transaction_time_ms: int = wire("T", to_int)
    orders: tuple[ListStatusOrder, ...] = wire("O", _list_orders, ())
    raw: Mapping[str, Any] = RAW


@model
class EventStreamTerminated(Model):
    """The subscription ended (``eventStreamTerminated``): no more events come on it."""

    event_time_ms: int = wire("E", to_int)
    raw: Mapping[str, Any] = RAW


_PARSERS: dict[str, Any] = {
    "executionReport": ExecutionReport.from_payload,
    "outboundAccountPosition": AccountPosition.from_payload,
    "balanceUpdate": SpotBalanceUpdate.from_payload,
    "listStatus": ListStatus.from_payload,
    "eventStreamTerminated": EventStreamTerminated.from_payload,
}


def parse_spot_user_event(event: Mapping[str, Any]) -> Any | None:
    """The typed event of one Spot user data event object; None for an event type not
    modelled (``KeyError``/``TypeError``/``ValueError`` for a malformed one)."""
    parse = _PARSERS.get(event.get("e"))  # type: ignore[arg-type]
    return None if parse is None else parse(event)
