"""The Spot simulator's ``executionReport`` events beyond NEW/TRADE/CANCELED/EXPIRED, read by
the real client's user stream over a real WebSocket connection: a stop or take-profit that
triggers is reported NEW again, now working (``w`` true, ``W`` the trigger's time), before
it trades; an OCO's stop leg triggering expires the other leg in between; a cancel-replace
whose new order the engine refuses after the cancel succeeded reports it REJECTED with the
documented reject reason, and a plain refused order reports nothing."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from binance_async import (
    AccountPosition,
    ExecutionReport,
    ListStatus,
    OrderRejected,
    Spot,
    SpotBalanceUpdate,
)
from binance_async.testing import Simulator

from .test_spot_user_stream import BTC, take, user_client


def reports(events: list[Any]) -> list[ExecutionReport]:
    """The executionReports among ``events``, in order."""
    return [e for e in events if isinstance(e, ExecutionReport)]


def steps(events: list[Any]) -> list[tuple[str, str, str, str]]:
    """Each event as (kind, client id, execution type, status); positions as ("position")."""
    out: list[tuple[str, str, str, str]] = []
    for event in events:
        if isinstance(event, ExecutionReport):
            out.append(("report", event.order_client_id, event.execution_type, event.status))
        elif isinstance(event, ListStatus):
            out.append(("list", event.list_client_order_id, "", event.list_order_status))
        else:
            assert isinstance(event, AccountPosition)
            out.append(("position", "", "", ""))
    return out


async def stop_limit(client: Spot, cid: str, stop: str, price: str) -> None:
    """A STOP_LOSS_LIMIT SELL of 0.01 BTC."""
    await client.new_order(
        symbol=BTC, side="SELL", type="STOP_LOSS_LIMIT", time_in_force="GTC",
        quantity=D("0.01"), price=D(price), stop_price=D(stop), new_client_order_id=cid,
    )  # fmt: skip


async def limit_buy(client: Spot, cid: str) -> None:
    """A GTC LIMIT BUY of 0.01 BTC at 49000 (it rests below the price)."""
    await client.new_order(
        symbol=BTC, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D("0.01"),
        price=D("49000"), new_client_order_id=cid,
    )  # fmt: skip


async def test_a_stop_limit_that_triggers_is_reported_working_then_fills(sim: Simulator) -> None:
    """A STOP_LOSS_LIMIT is NEW and not working; when the price meets its stop it is NEW
    again, working since that moment (``W``), and rests; it then fills as a maker: NEW, NEW,
    TRADE, with the funds locked throughout and released by the fill."""
    sim.spot.set_commission(maker=D("0.001"), taker=D("0.001"))
    assert sim.spot.price(BTC) == D(50000)
    async with user_client(sim) as client, client.user_stream() as user:
        await stop_limit(client, "s-1", stop="49500", price="49480")
        placed, locked = await take(user, 2)
        assert isinstance(placed, ExecutionReport) and isinstance(locked, AccountPosition)
        assert (placed.execution_type, placed.status, placed.order_type) == (
            "NEW", "NEW", "STOP_LOSS_LIMIT",
        )  # fmt: skip
        assert placed.is_working is False and "W" not in placed.raw
        assert (placed.stop_price, placed.price) == (D(49500), D(49480))

        sim.spot_set_price(BTC, D("49450"))
        (triggered,) = await take(user, 1)
        held = sim.spot_order(client_order_id="s-1")
        assert held is not None and held.status == "NEW" and held.working_time_ms != -1
        assert isinstance(triggered, ExecutionReport)
        assert (triggered.execution_type, triggered.status, triggered.order_id) == (
            "NEW", "NEW", placed.order_id,
        )  # fmt: skip
        assert triggered.is_working is True
        assert triggered.raw["W"] == held.working_time_ms == triggered.transaction_time_ms
        assert (triggered.cumulative_qty, triggered.trade_id, triggered.last_qty) == (
            D(0), -1, D(0),
        )  # fmt: skip
        assert user.orders["s-1"].is_working and user.orders["s-1"].status == "NEW"
        assert sim.spot_balance("BTC").locked == D("0.01")

        sim.spot_set_price(BTC, D("49500"))
        fill, after = await take(user, 2)
        (trade,) = sim.spot.user_trades()
        assert isinstance(fill, ExecutionReport) and isinstance(after, AccountPosition)
        assert (fill.execution_type, fill.status, fill.last_qty, fill.last_price) == (
            "TRADE", "FILLED", D("0.01"), D("49480"),
        )  # fmt: skip
        assert (fill.trade_id, fill.is_maker, fill.raw["W"]) == (
            trade.trade_id, True, held.working_time_ms,
        )  # fmt: skip
        assert sim.spot_balance("BTC").locked == 0
        assert user.orders["s-1"].status == "FILLED"


async def test_a_trailing_stop_market_triggers_then_takes(sim: Simulator) -> None:
    """A trailing STOP_LOSS (market, no stop price) tracks from placement (``d``, ``D``);
    when the price falls by its delta from the high it is NEW again, working, then fills at
    once as a taker at the price: NEW, NEW, TRADE, and one position."""
    async with user_client(sim) as client, client.user_stream() as user:
        await client.new_order(
            symbol=BTC, side="SELL", type="STOP_LOSS", quantity=D("0.01"),
            trailing_delta=100, new_client_order_id="tr-1",
        )  # fmt: skip
        placed, _ = await take(user, 2)
        assert isinstance(placed, ExecutionReport)
        assert (placed.execution_type, placed.is_working, placed.trailing_delta) == (
            "NEW", False, 100,
        )  # fmt: skip
        tracking_since = placed.trailing_time_ms
        assert tracking_since is not None and "W" not in placed.raw

        sim.spot_set_price(BTC, D("51000"))  # the high: 1% below it is 50490
        sim.spot_set_price(BTC, D("50500"))  # not yet
        sim.spot_set_price(BTC, D("50490"))
        events = await take(user, 3)
        assert steps(events) == [
            ("report", "tr-1", "NEW", "NEW"),
            ("report", "tr-1", "TRADE", "FILLED"),
            ("position", "", "", ""),
        ]
        triggered, fill = reports(events)
        assert triggered.is_working and triggered.raw["W"] == fill.transaction_time_ms
        assert (triggered.raw["d"], triggered.raw["D"]) == (100, tracking_since)
        assert (fill.last_qty, fill.last_price, fill.is_maker) == (D("0.01"), D("50490"), False)
        (trade,) = sim.spot.user_trades()
        assert fill.trade_id == trade.trade_id


async def test_an_oco_stop_leg_triggering_expires_the_other_leg_before_it_trades(
    sim: Simulator,
) -> None:
    """An OCO's stop-limit leg triggers: its NEW (working), then the limit-maker leg EXPIRED,
    then its TRADE, then the list ALL_DONE, then one position: the exchange's order."""
    async with user_client(sim) as client, client.user_stream() as user:
        await client.new_order_list_oco(
            symbol=BTC, side="SELL", quantity="0.001", above_type="LIMIT_MAKER",
            above_price="52000", below_type="STOP_LOSS_LIMIT", below_price="47000",
            below_stop_price="47500", list_client_order_id="l-1",
            above_client_order_id="up", below_client_order_id="down",
        )  # fmt: skip
        await take(user, 4)  # two NEWs, the listStatus, the position
        sim.spot_set_price(BTC, D("47400"))
        events = await take(user, 5)
        assert steps(events) == [
            ("report", "down", "NEW", "NEW"),
            ("report", "up", "EXPIRED", "EXPIRED"),
            ("report", "down", "TRADE", "FILLED"),
            ("list", "l-1", "", "ALL_DONE"),
            ("position", "", "", ""),
        ]
        triggered, expired, fill = reports(events)
        assert triggered.is_working and not expired.is_working
        assert (fill.last_price, fill.is_maker) == (D("47400"), False)
        assert sim.spot_balance("BTC").locked == 0


async def test_a_cancel_replace_whose_new_order_is_refused_reports_it_rejected(
    sim: Simulator,
) -> None:
    """Cancel succeeded, new order refused by the engine (409 -2021): the user stream says
    CANCELED for the old order, then REJECTED (status REJECTED, ``r`` the documented reason:
    WOULD_MATCH_IMMEDIATELY, INSUFFICIENT_BALANCES, STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY)
    for the new one, never working; a plain new order refused the same way reports
    nothing."""
    async with user_client(sim) as client, client.user_stream() as user:
        await limit_buy(client, "old-1")
        await take(user, 2)
        result = await client.cancel_replace_order(
            symbol=BTC, side="BUY", type="LIMIT_MAKER", quantity=D("0.01"), price=D("50100"),
            cancel_orig_client_order_id="old-1", cancel_new_client_order_id="c-1",
            new_client_order_id="new-1", cancel_replace_mode="STOP_ON_FAILURE",
        )  # fmt: skip
        assert result.partial and result.new_order_refusal is not None
        assert result.new_order_refusal.code == -2010
        events = await take(user, 3)
        assert steps(events) == [
            ("report", "old-1", "CANCELED", "CANCELED"),
            ("report", "new-1", "REJECTED", "REJECTED"),
            ("position", "", "", ""),
        ]
        cancelled, rejected = reports(events)
        assert (cancelled.reject_reason, rejected.reject_reason) == (
            "NONE", "WOULD_MATCH_IMMEDIATELY",
        )  # fmt: skip
        assert (rejected.order_type, rejected.side, rejected.quantity, rejected.price) == (
            "LIMIT_MAKER", "BUY", D("0.01"), D("50100"),
        )  # fmt: skip
        assert rejected.is_working is False and "W" not in rejected.raw
        assert rejected.order_id > cancelled.order_id
        assert sim.spot_order(client_order_id="new-1") is None
        assert user.orders["new-1"].status == "REJECTED"

        await limit_buy(client, "old-2")
        await take(user, 2)
        await client.cancel_replace_order(
            symbol=BTC, side="BUY", type="LIMIT", time_in_force="GTC", quantity=D("100"),
            price=D("49000"), cancel_orig_client_order_id="old-2",
            new_client_order_id="new-2", cancel_replace_mode="STOP_ON_FAILURE",
        )  # fmt: skip
        events = await take(user, 3)
        assert steps(events)[:2] == [
            ("report", "old-2", "CANCELED", "CANCELED"),
            ("report", "new-2", "REJECTED", "REJECTED"),
        ]
        assert reports(events)[1].reject_reason == "INSUFFICIENT_BALANCES"

        await limit_buy(client, "old-3")
        await take(user, 2)
        await client.cancel_replace_order(
            symbol=BTC, side="SELL", type="STOP_LOSS_LIMIT", time_in_force="GTC",
            quantity=D("0.01"), price=D("50400"), stop_price=D("50500"),
            cancel_orig_client_order_id="old-3", new_client_order_id="new-3",
            cancel_replace_mode="STOP_ON_FAILURE",
        )  # fmt: skip
        events = await take(user, 3)
        assert [(r.order_client_id, r.status, r.reject_reason) for r in reports(events)] == [
            ("old-3", "CANCELED", "NONE"),
            ("new-3", "REJECTED", "STOP_PRICE_WOULD_TRIGGER_IMMEDIATELY"),
        ]

        with pytest.raises(OrderRejected) as refused:
            await client.new_order(
                symbol=BTC, side="BUY", type="LIMIT_MAKER", quantity=D("0.01"),
                price=D("50100"), new_client_order_id="plain-1",
            )  # fmt: skip
        assert refused.value.code == -2010
        sim.spot.deposit("BTC", D("1"))
        (deposit, _) = await take(user, 2)
        assert isinstance(deposit, SpotBalanceUpdate)  # the refusal itself sent nothing
        assert "plain-1" not in user.orders
