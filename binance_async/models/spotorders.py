"""Spot orders, order lists (OCO, OTO, OTOCO) and the cancel-replace result.

``SpotOrder.from_payload`` is written out by hand: it runs for every order answer, on the hot
path. One model reads every shape the exchange answers an order in: ``ACK`` (ids and time
only), ``RESULT``, ``FULL`` (with ``fills``), a query, a cancel, and an order list's reports.
Fields a shape does not carry are None (or zero for the amounts every non-ACK shape carries).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .fields import RAW, Model, model, to_dec, to_int, to_opt_int, to_opt_str, to_str, wire

__all__ = [
    "LIST_OPEN_STATUSES",
    "SPOT_OPEN_STATUSES",
    "CancelReplaceResult",
    "OrderList",
    "OrderListItem",
    "Refusal",
    "SpotFill",
    "SpotOrder",
    "parse_order_or_list",
]

#: Spot order statuses in which an order can still trade (``PENDING_NEW``: an order list's
#: pending order, waiting for its working order to fill).
SPOT_OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED", "PENDING_NEW"})
#: Order list statuses (``listOrderStatus``) in which a list can still trade.
LIST_OPEN_STATUSES = frozenset({"EXECUTING"})


def _dec(payload: Mapping[str, Any], key: str) -> Decimal:
    value = payload.get(key)
    if value in (None, ""):
        return Decimal(0)
    return to_dec(value)


def _opt_dec(payload: Mapping[str, Any], key: str) -> Decimal | None:
    value = payload.get(key)
    return None if value in (None, "") else to_dec(value)


def _opt_int(payload: Mapping[str, Any], key: str) -> int | None:
    value = payload.get(key)
    return None if value is None else to_int(value)


def _opt_str(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    if value is not None and type(value) is not str:
        raise TypeError(f"{key} is not a string: {value!r}")
    return value


def _time(payload: Mapping[str, Any], key: str) -> int | None:
    """A time in ms; None when absent or the exchange's -1 ("not yet": a pending order)."""
    value = _opt_int(payload, key)
    return None if value is None or value < 0 else value


@model
class SpotFill(Model):
    """One fill of a ``FULL`` order answer."""

    price: Decimal = wire("price", to_dec)
    qty: Decimal = wire("qty", to_dec)
    commission: Decimal = wire("commission", to_dec, Decimal(0))
    commission_asset: str | None = wire("commissionAsset", to_opt_str, None)
    #: The trade's id (-1 for a fill allocated by the smart order router).
    trade_id: int | None = wire("tradeId", to_opt_int, None)
    match_type: str | None = wire("matchType", to_opt_str, None)
    alloc_id: int | None = wire("allocId", to_opt_int, None)
    raw: Mapping[str, Any] = RAW


@attrs.frozen(kw_only=True, slots=True)
class SpotOrder:
    """A Spot order as the exchange reports it.

    ``client_order_id`` is the id the order is named by: a cancel answer names the order by
    ``origClientOrderId`` and the cancel by ``clientOrderId``, kept as
    ``cancel_client_order_id`` (once cancelled, the exchange reports the order under the
    cancel's id). ``status``, ``side`` and ``type`` are None in an ``ACK``
    answer; ``fills`` is empty unless the answer was ``FULL``.
    """

    symbol: str
    order_id: int
    client_order_id: str
    #: The order list the order belongs to; -1 when none (the exchange's value).
    order_list_id: int
    status: str | None
    side: str | None
    type: str | None
    time_in_force: str | None
    price: Decimal
    orig_qty: Decimal
    executed_qty: Decimal
    #: The quote amount filled so far (the exchange's spelling, ``cummulativeQuoteQty``).
    cummulative_quote_qty: Decimal
    orig_quote_order_qty: Decimal
    stop_price: Decimal | None
    iceberg_qty: Decimal | None
    trailing_delta: int | None
    trailing_time_ms: int | None
    #: When the order went on the book; None while it waits (the exchange's -1).
    working_time_ms: int | None
    transact_time_ms: int | None
    time_ms: int | None
    update_time_ms: int | None
    is_working: bool | None
    self_trade_prevention_mode: str | None
    prevented_match_id: int | None
    prevented_quantity: Decimal | None
    strategy_id: int | None
    strategy_type: int | None
    #: A cancel answer's own client id (the cancel's, not the order's).
    cancel_client_order_id: str | None
    fills: tuple[SpotFill, ...] = ()
    #: True when the order was found by a reconciliation query after an unknown outcome.
    reconciled: bool = False
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> SpotOrder:
        """Build from any order answer (place in each response type, query, cancel, list
        reports); ``KeyError``/``TypeError``/``ValueError`` for one that is not an order."""
        symbol, order_id = payload["symbol"], payload["orderId"]
        own = payload.get("clientOrderId")
        orig = payload.get("origClientOrderId")
        cid = orig if orig is not None else own
        if type(order_id) is not int or type(symbol) is not str or type(cid) is not str:
            raise TypeError(f"not an order: {payload!r:.200}")
        fills = payload.get("fills")
        if fills is not None and not isinstance(fills, list):
            raise TypeError(f"fills is not a list: {fills!r:.80}")
        working = payload.get("isWorking")
        list_id = payload.get("orderListId", -1)
        return cls(
            symbol=symbol,
            order_id=order_id,
            client_order_id=cid,
            order_list_id=to_int(list_id),
            status=_opt_str(payload, "status"),
            side=_opt_str(payload, "side"),
            type=_opt_str(payload, "type"),
            time_in_force=_opt_str(payload, "timeInForce"),
            price=_dec(payload, "price"),
            orig_qty=_dec(payload, "origQty"),
            executed_qty=_dec(payload, "executedQty"),
            cummulative_quote_qty=_dec(payload, "cummulativeQuoteQty"),
            orig_quote_order_qty=_dec(payload, "origQuoteOrderQty"),
            stop_price=_opt_dec(payload, "stopPrice"),
            iceberg_qty=_opt_dec(payload, "icebergQty"),
            trailing_delta=_opt_int(payload, "trailingDelta"),
            trailing_time_ms=_time(payload, "trailingTime"),
            working_time_ms=_time(payload, "workingTime"),
            transact_time_ms=_time(payload, "transactTime"),
            time_ms=_time(payload, "time"),
            update_time_ms=_time(payload, "updateTime"),
            is_working=working if type(working) is bool else None,
            self_trade_prevention_mode=_opt_str(payload, "selfTradePreventionMode"),
            prevented_match_id=_opt_int(payload, "preventedMatchId"),
            prevented_quantity=_opt_dec(payload, "preventedQuantity"),
            strategy_id=_opt_int(payload, "strategyId"),
            strategy_type=_opt_int(payload, "strategyType"),
            cancel_client_order_id=own if orig is not None else None,
            fills=tuple(SpotFill.from_payload(f) for f in fills or ()),
            raw=payload,
        )

    @property
    def is_open(self) -> bool:
        """True while the order can still trade (False for an ``ACK``: its state is unknown)."""
        return self.status in SPOT_OPEN_STATUSES

    @property
    def avg_price(self) -> Decimal | None:
        """The average fill price (quote filled / quantity filled); None before any fill."""
        if not self.executed_qty:
            return None
        return self.cummulative_quote_qty / self.executed_qty

    def as_reconciled(self) -> SpotOrder:
        """This order, marked as found by a reconciliation query."""
        return self if self.reconciled else attrs.evolve(self, reconciled=True)


@model
class OrderListItem(Model):
    """One order of an order list, as the list names it."""

    symbol: str = wire("symbol", to_str)
    order_id: int = wire("orderId", to_int)
    client_order_id: str = wire("clientOrderId", to_str)
    raw: Mapping[str, Any] = RAW


@attrs.frozen(kw_only=True, slots=True)
class OrderList:
    """An order list (OCO, OTO, OTOCO). ``status`` is its ``listOrderStatus``: EXECUTING
    while it can trade, then ALL_DONE (or REJECT). A placement or cancel answer carries
    ``order_reports`` (each order's state); a query names the orders only (``orders``)."""

    order_list_id: int
    list_client_order_id: str
    symbol: str
    contingency_type: str
    list_status_type: str
    list_order_status: str
    transaction_time_ms: int | None
    orders: tuple[OrderListItem, ...]
    order_reports: tuple[SpotOrder, ...] = ()
    #: True when the list was found by a reconciliation query after an unknown outcome.
    reconciled: bool = False
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> OrderList:
        """Build from an order list answer (place, query, cancel)."""
        orders = payload["orders"]
        reports = payload.get("orderReports", ())
        if not isinstance(orders, list) or not isinstance(reports, list | tuple):
            raise TypeError(f"not an order list: {payload!r:.200}")
        return cls(
            order_list_id=to_int(payload["orderListId"]),
            list_client_order_id=to_str(payload["listClientOrderId"]),
            symbol=to_str(payload["symbol"]),
            contingency_type=to_str(payload["contingencyType"]),
            list_status_type=to_str(payload["listStatusType"]),
            list_order_status=to_str(payload["listOrderStatus"]),
            transaction_time_ms=_time(payload, "transactionTime"),
            orders=tuple(OrderListItem.from_payload(o) for o in orders),
            order_reports=tuple(SpotOrder.from_payload(r) for r in reports),
            raw=payload,
        )

    @property
    def status(self) -> str:
        """The list's ``listOrderStatus`` (EXECUTING, ALL_DONE, REJECT)."""
        return self.list_order_status

    @property
    def is_open(self) -> bool:
        """True while the list can still trade."""
        return self.list_order_status in LIST_OPEN_STATUSES

    def as_reconciled(self) -> OrderList:
        """This list, marked as found by a reconciliation query."""
        return self if self.reconciled else attrs.evolve(self, reconciled=True)


def parse_order_or_list(payload: Any) -> SpotOrder | OrderList:
    """One item of a cancel-all answer: an order, or an order list (it has ``orders``)."""
    if not isinstance(payload, Mapping):
        raise TypeError(f"expected an object, got {type(payload).__name__}")
    if "contingencyType" in payload:
        return OrderList.from_payload(payload)
    return SpotOrder.from_payload(payload)


@model
class Refusal(Model):
    """The exchange's refusal of one half of a cancel-replace (``{"code", "msg"}``)."""

    code: int | None = wire("code", to_opt_int, None)
    message: str = wire("msg", to_str, "")
    raw: Mapping[str, Any] = RAW


_RESULTS = frozenset({"SUCCESS", "FAILURE", "NOT_ATTEMPTED"})


def _half(value: Any) -> tuple[SpotOrder | None, Refusal | None]:
    """A half's answer: the order, or the refusal (``{"code", "msg"}``), or neither (null)."""
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        raise TypeError(f"a cancel-replace half is not an object: {value!r:.80}")
    if "orderId" in value:
        return SpotOrder.from_payload(value), None
    return None, Refusal.from_payload(value)


@attrs.frozen(kw_only=True, slots=True)
class CancelReplaceResult:
    """Both halves of a cancel-replace: whether the cancel and the new order succeeded, the
    cancelled order and the new order when they did, each half's refusal when it did not.

    A partial success (HTTP 409, ``-2021``) is a result, not an error: ``partial`` says so,
    and ``cancel_result`` / ``new_order_result`` say which half failed.
    """

    #: SUCCESS or FAILURE.
    cancel_result: str
    #: SUCCESS, FAILURE or NOT_ATTEMPTED.
    new_order_result: str
    #: The cancelled order (when the cancel succeeded).
    cancelled: SpotOrder | None = None
    #: The new order (when it was placed).
    new_order: SpotOrder | None = None
    cancel_refusal: Refusal | None = None
    new_order_refusal: Refusal | None = None
    #: True when the outcome was settled by queries after the answer was lost.
    reconciled: bool = False
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_payload(cls, payload: Any) -> CancelReplaceResult:
        """Build from a cancel-replace answer, or the ``data`` of its -2021/-2022 error."""
        if not isinstance(payload, Mapping):
            raise TypeError(f"expected an object, got {type(payload).__name__}")
        cancel, new = to_str(payload["cancelResult"]), to_str(payload["newOrderResult"])
        if cancel not in _RESULTS or new not in _RESULTS:
            raise ValueError(f"unknown cancel-replace results {cancel!r}, {new!r}")
        cancelled, cancel_refusal = _half(payload.get("cancelResponse"))
        new_order, new_refusal = _half(payload.get("newOrderResponse"))
        return cls(
            cancel_result=cancel,
            new_order_result=new,
            cancelled=cancelled,
            new_order=new_order,
            cancel_refusal=cancel_refusal,
            new_order_refusal=new_refusal,
            raw=payload,
        )

    @property
    def succeeded(self) -> bool:
        """True when both halves succeeded."""
        return self.cancel_result == "SUCCESS" and self.new_order_result == "SUCCESS"

    @property
    def partial(self) -> bool:
        """True when exactly one half succeeded (the exchange's HTTP 409)."""
        return (self.cancel_result == "SUCCESS") != (self.new_order_result == "SUCCESS")

    @property
    def status(self) -> str | None:
        """The new order's status, when it was placed (what the reconciler reads)."""
        return self.new_order.status if self.new_order is not None else None
