"""Spot account endpoints: the account, its trades, prevented matches, commission rates and
unfilled order counts (Spot REST documentation, "Account endpoints"): data only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...endpoint import Endpoint, Security, many
from ...errors import InvalidRequest
from ...models.spotaccount import (
    CommissionRates,
    OrderCountUsage,
    PreventedMatch,
    SpotAccount,
    SpotTrade,
)
from ...params import BOOL, Param, at_most_one, integer, span_at_most
from .common import DAY_MS, END_TIME, ORDER_ID, START_TIME, SYMBOL_REQUIRED, limit

__all__ = [
    "ACCOUNT",
    "ACCOUNT_ENDPOINTS",
    "COMMISSION",
    "MY_PREVENTED_MATCHES",
    "MY_TRADES",
    "RATE_LIMIT_ORDER",
]

SIGNED = Security.SIGNED


def _trades_weight(params: Mapping[str, Any]) -> int:
    # 5 with orderId, 20 without.
    return 5 if "orderId" in params else 20


def _prevented_weight(params: Mapping[str, Any]) -> int:
    # 2 by preventedMatchId, 20 by orderId.
    return 20 if "orderId" in params else 2


def _prevented_combination(wire: Mapping[str, Any]) -> None:
    """symbol + preventedMatchId, or symbol + orderId (+ fromPreventedMatchId, limit)."""
    by_match, by_order = "preventedMatchId" in wire, "orderId" in wire
    if by_match == by_order:
        raise InvalidRequest("give prevented_match_id or order_id (one of them)")
    if by_match and ("fromPreventedMatchId" in wire or "limit" in wire):
        raise InvalidRequest("from_prevented_match_id and limit go with order_id only")


ACCOUNT = Endpoint(
    method="GET",
    path="/api/v3/account",
    weight=20,
    security=SIGNED,
    params=(Param("omit_zero_balances", "omitZeroBalances", BOOL),),
    model=SpotAccount.from_payload,
)
MY_TRADES = Endpoint(
    method="GET",
    path="/api/v3/myTrades",
    weight=_trades_weight,
    security=SIGNED,
    params=(
        SYMBOL_REQUIRED,
        ORDER_ID,
        START_TIME,
        END_TIME,
        Param("from_id", "fromId", integer(0)),
        limit(1000),
    ),
    model=many(SpotTrade.from_payload),
    # The documented combinations: a time range, fromId, or orderId (with fromId), alone.
    checks=(
        span_at_most(DAY_MS),
        at_most_one("fromId", "startTime"),
        at_most_one("fromId", "endTime"),
        at_most_one("orderId", "startTime"),
        at_most_one("orderId", "endTime"),
    ),
)
MY_PREVENTED_MATCHES = Endpoint(
    method="GET",
    path="/api/v3/myPreventedMatches",
    weight=_prevented_weight,
    security=SIGNED,
    params=(
        SYMBOL_REQUIRED,
        Param("prevented_match_id", "preventedMatchId", integer(0)),
        ORDER_ID,
        Param("from_prevented_match_id", "fromPreventedMatchId", integer(0)),
        limit(1000),
    ),
    model=many(PreventedMatch.from_payload),
    checks=(_prevented_combination,),
)
COMMISSION = Endpoint(
    method="GET",
    path="/api/v3/account/commission",
    weight=20,
    security=SIGNED,
    params=(SYMBOL_REQUIRED,),
    model=CommissionRates.from_payload,
)
RATE_LIMIT_ORDER = Endpoint(
    method="GET",
    path="/api/v3/rateLimit/order",
    weight=40,
    security=SIGNED,
    model=many(OrderCountUsage.from_payload),
)

ACCOUNT_ENDPOINTS: tuple[Endpoint, ...] = (
    ACCOUNT,
    MY_TRADES,
    MY_PREVENTED_MATCHES,
    COMMISSION,
    RATE_LIMIT_ORDER,
)
