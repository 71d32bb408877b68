"""Orders, algo orders and the account's trades.

``Order.from_payload`` is written out by hand: it runs for every order answer, on the hot path.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from .fields import (
    RAW,
    Model,
    model,
    slot_builder,
    to_bool,
    to_dec,
    to_int,
    to_opt_dec,
    to_opt_int,
    to_opt_str,
    to_str,
    wire,
)

__all__ = ["ALGO_OPEN_STATUSES", "OPEN_STATUSES", "AlgoOrder", "Order", "UserTrade"]

#: Order statuses in which an order can still trade.
OPEN_STATUSES = frozenset({"NEW", "PARTIALLY_FILLED"})
#: Algo order statuses in which the order can still trigger.
ALGO_OPEN_STATUSES = frozenset({"NEW", "TRIGGERING"})


_ZERO = Decimal(0)
#: Decimals already read, by their text: amounts repeat ("0", "0.00", a lot size), and a
#: Decimal is immutable, so one object serves every order. Bounded; full, it stops growing.
_DECIMALS: dict[str, Decimal] = {"": _ZERO}
_DECIMALS_MAX = 4096


def _dec(payload: Mapping[str, Any], key: str) -> Decimal:
    value = payload.get(key)
    if type(value) is str:
        number = _DECIMALS.get(value)
        if number is not None:
            return number
    elif value is None:
        return _ZERO
    number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"{key} is not a finite number: {value!r}")
    if type(value) is str and len(_DECIMALS) < _DECIMALS_MAX:
        _DECIMALS[value] = number
    return number


@attrs.frozen(kw_only=True, slots=True)
class Order:
    """An order as the exchange reports it."""

    symbol: str
    order_id: int
    client_order_id: str
    status: str
    side: str
    type: str
    price: Decimal
    orig_qty: Decimal
    executed_qty: Decimal
    avg_price: Decimal
    cum_quote: Decimal
    time_in_force: str | None
    reduce_only: bool
    close_position: bool
    position_side: str | None
    update_time_ms: int | None
    #: True when the order was found by a reconciliation query after an unknown outcome.
    reconciled: bool = False
    raw: Mapping[str, Any] = RAW

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Order:
        """Build from an order answer (place, query, cancel, modify, open orders)."""
        symbol, order_id = payload["symbol"], payload["orderId"]
        cid, status = payload["clientOrderId"], payload["status"]
        side, kind = payload["side"], payload["type"]
        if type(order_id) is not int or not (
            type(symbol) is type(cid) is type(status) is type(side) is type(kind) is str
        ):
            raise TypeError(f"not an order: {payload!r:.200}")
        updated = payload.get("updateTime") or payload.get("time")
        # The fields in declared order (see _build_order below the class).
        return _build_order(
            symbol,
            order_id,
            cid,
            status,
            side,
            kind,
            _dec(payload, "price"),
            _dec(payload, "origQty"),
            _dec(payload, "executedQty"),
            _dec(payload, "avgPrice"),
            _dec(payload, "cumQuote"),
            payload.get("timeInForce"),
            payload.get("reduceOnly") is True,
            payload.get("closePosition") is True,
            payload.get("positionSide"),
            updated if type(updated) is int else None,
            False,  # reconciled
            payload,
        )

    @property
    def is_open(self) -> bool:
        """True while the order can still trade."""
        return self.status in OPEN_STATUSES

    @property
    def update_time(self) -> int | None:
        """Deprecated name of :attr:`update_time_ms`."""
        return self.update_time_ms

    def as_reconciled(self) -> Order:
        """This order, marked as found by a reconciliation query."""
        return self if self.reconciled else attrs.evolve(self, reconciled=True)


#: ``Order``'s positional constructor for ``from_payload``, which runs on every order answer:
#: half the cost of the keyword ``__init__`` (tests/test_models.py pins them equal).
_build_order = slot_builder(Order)


@model
class AlgoOrder(Model):
    """A conditional (algo) order: STOP, TAKE_PROFIT, their MARKET forms, TRAILING_STOP_MARKET.

    ``status`` is the exchange's ``algoStatus``; once triggered, ``actual_order_id`` names the
    order it placed.
    """

    algo_id: int = wire("algoId", to_int)
    client_algo_id: str = wire("clientAlgoId", to_str)
    symbol: str = wire("symbol", to_str)
    status: str = wire("algoStatus", to_str)
    algo_type: str = wire("algoType", to_str, "CONDITIONAL")
    type: str | None = wire("orderType", to_opt_str, None)
    side: str | None = wire("side", to_opt_str, None)
    position_side: str | None = wire("positionSide", to_opt_str, None)
    time_in_force: str | None = wire("timeInForce", to_opt_str, None)
    quantity: Decimal | None = wire("quantity", to_opt_dec, None)
    trigger_price: Decimal | None = wire("triggerPrice", to_opt_dec, None)
    price: Decimal | None = wire("price", to_opt_dec, None)
    working_type: str | None = wire("workingType", to_opt_str, None)
    close_position: bool = wire("closePosition", to_bool, False)
    reduce_only: bool = wire("reduceOnly", to_bool, False)
    price_protect: bool = wire("priceProtect", to_bool, False)
    activate_price: Decimal | None = wire("activatePrice", to_opt_dec, None)
    callback_rate: Decimal | None = wire("callbackRate", to_opt_dec, None)
    create_time_ms: int | None = wire("createTime", to_opt_int, None)
    update_time_ms: int | None = wire("updateTime", to_opt_int, None)
    trigger_time_ms: int | None = wire("triggerTime", to_opt_int, None)
    actual_order_id: int | None = wire("actualOrderId", to_opt_int, None)
    #: True when the order was found by a reconciliation query after an unknown outcome.
    reconciled: bool = False
    raw: Mapping[str, Any] = RAW

    @property
    def is_open(self) -> bool:
        """True while the order can still trigger."""
        return self.status in ALGO_OPEN_STATUSES

    def as_reconciled(self) -> AlgoOrder:
        """This order, marked as found by a reconciliation query."""
        # mypy sees @model as a dataclass transform, not attrs: evolve is attrs' own.
        return self if self.reconciled else attrs.evolve(self, reconciled=True)  # type: ignore[misc]


@model
class UserTrade(Model):
    """One fill of the account's orders (``/fapi/v1/userTrades``)."""

    id: int = wire("id", to_int)
    order_id: int = wire("orderId", to_int)
    symbol: str = wire("symbol", to_str)
    side: str = wire("side", to_str)
    price: Decimal = wire("price", to_dec)
    qty: Decimal = wire("qty", to_dec)
    time_ms: int = wire("time", to_int)
    quote_qty: Decimal = wire("quoteQty", to_dec, Decimal(0))
    commission: Decimal = wire("commission", to_dec, Decimal(0))
    commission_asset: str | None = wire("commissionAsset", to_opt_str, None)
    realized_pnl: Decimal = wire("realizedPnl", to_dec, Decimal(0))
    position_side: str | None = wire("positionSide", to_opt_str, None)
    maker: bool = wire("maker", to_bool, False)
    buyer: bool = wire("buyer", to_bool, False)
    raw: Mapping[str, Any] = RAW
