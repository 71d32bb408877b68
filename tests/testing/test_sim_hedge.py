"""Account settings that change what the exchange does: position mode (hedge), leverage and
its brackets, margin type and isolated margin, Multi-Assets mode, and the margin checks."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from binance_async.testing import Simulator

from .conftest import RawClient

ORDER = "/fapi/v1/order"
DUAL = "/fapi/v1/positionSide/dual"
SUCCESS = {"code": 200, "msg": "success"}


def order(side: str, qty: str = "0.01", **extra: Any) -> dict[str, Any]:
    """A BTCUSDT MARKET order."""
    return {"symbol": "BTCUSDT", "side": side, "type": "MARKET", "quantity": qty, **extra}


def limit(side: str, price: str, qty: str = "0.01", **extra: Any) -> dict[str, Any]:
    """A BTCUSDT LIMIT GTC order."""
    return {
        "symbol": "BTCUSDT",
        "side": side,
        "type": "LIMIT",
        "timeInForce": "GTC",
        "quantity": qty,
        "price": price,
        **extra,
    }


async def hedge(client: RawClient) -> None:
    """Switch the account to hedge mode."""
    reply = await client.signed("POST", DUAL, {"dualSidePosition": "true"})
    assert reply.json == SUCCESS, reply


async def test_position_mode_switches_only_when_idle(sim: Simulator, client: RawClient) -> None:
    """-4059 unchanged; -4067 with open orders (algo orders too); -4068 with a position."""
    assert (await client.signed("GET", DUAL)).json == {"dualSidePosition": False}
    await client.signed("POST", ORDER, limit("BUY", "49000", newClientOrderId="rest"))
    busy = await client.signed("POST", DUAL, {"dualSidePosition": "true"})
    assert busy.json == {
        "code": -4067,
        "msg": "Position side cannot be changed if there exists open orders.",
    }
    await client.signed("DELETE", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "rest"})
    stop = {"algoType": "CONDITIONAL", "symbol": "BTCUSDT", "side": "SELL",
            "type": "STOP_MARKET", "quantity": "0.01", "triggerPrice": "40000"}  # fmt: skip
    await client.signed("POST", "/fapi/v1/algoOrder", stop)
    assert (await client.signed("POST", DUAL, {"dualSidePosition": "true"})).code == -4067
    await client.signed("DELETE", "/fapi/v1/algoOpenOrders", {"symbol": "BTCUSDT"})
    await client.signed("POST", ORDER, order("BUY"))
    held = await client.signed("POST", DUAL, {"dualSidePosition": "true"})
    assert held.json == {
        "code": -4068,
        "msg": "Position side cannot be changed if there exists position.",
    }
    await client.signed("POST", ORDER, order("SELL"))
    await hedge(client)
    assert (await client.signed("GET", DUAL)).json == {"dualSidePosition": True}
    same = await client.signed("POST", DUAL, {"dualSidePosition": "true"})
    assert same.json == {"code": -4059, "msg": "No need to change position side."}
    config = (await client.signed("GET", "/fapi/v1/accountConfig")).json
    assert config["dualSidePosition"] is True and config["multiAssetsMargin"] is False


async def test_hedge_orders_need_a_side_and_no_reduce_only(
    sim: Simulator, client: RawClient
) -> None:
    """In hedge mode: positionSide LONG or SHORT (-4061 otherwise); reduceOnly refused -1106."""
    await hedge(client)
    assert (await client.signed("POST", ORDER, order("BUY"))).code == -4061
    both = await client.signed("POST", ORDER, order("BUY", positionSide="BOTH"))
    assert both.json == {
        "code": -4061,
        "msg": "Order's position side does not match user's setting.",
    }
    for value in ("true", "false"):
        reduce = await client.signed(
            "POST", ORDER, order("SELL", positionSide="LONG", reduceOnly=value)
        )
        assert reduce.json == {
            "code": -1106,
            "msg": "Parameter 'reduceonly' sent when not required.",
        }
    test = await client.signed("POST", "/fapi/v1/order/test", order("BUY", positionSide="SHORT"))
    assert (test.status, test.json) == (200, {})
    nothing = await client.signed("POST", ORDER, order("SELL", positionSide="LONG"))
    assert nothing.json == {"code": -2022, "msg": "ReduceOnly Order is rejected."}
    assert sim.audit.orders == []


async def test_hedge_positions_are_kept_per_side(sim: Simulator, client: RawClient) -> None:
    """LONG and SHORT positions live side by side; closing orders reduce their own side (and
    skip MIN_NOTIONAL); positionRisk and the account show both sides."""
    await hedge(client)
    await client.signed("POST", ORDER, order("BUY", "0.02", positionSide="LONG"))
    await client.signed("POST", ORDER, order("SELL", "0.01", positionSide="SHORT"))
    assert sim.position("BTCUSDT", position_side="LONG").amount == Decimal("0.02")
    assert sim.position("BTCUSDT", position_side="SHORT").amount == Decimal("-0.01")
    sim.set_mark_price("BTCUSDT", Decimal("51000"))
    close = await client.signed(
        "POST", ORDER, order("SELL", "0.001", positionSide="LONG", newOrderRespType="RESULT")
    )
    assert (close.json["status"], close.json["positionSide"]) == ("FILLED", "LONG")
    assert sim.position("BTCUSDT", position_side="LONG").amount == Decimal("0.019")
    assert sim.wallet_balance() == Decimal("100001")  # 0.001 * (51000 - 50000)
    risk = (await client.signed("GET", "/fapi/v2/positionRisk", {"symbol": "BTCUSDT"})).json
    sides = {r["positionSide"]: r for r in risk}
    assert set(sides) == {"LONG", "SHORT"}
    assert (sides["LONG"]["positionAmt"], sides["SHORT"]["positionAmt"]) == ("0.019", "-0.01")
    assert (sides["SHORT"]["unRealizedProfit"], sides["LONG"]["entryPrice"]) == ("-10.0", "50000.0")
    v3 = (await client.signed("GET", "/fapi/v3/positionRisk")).json
    assert [(r["symbol"], r["positionSide"]) for r in v3] == [
        ("BTCUSDT", "LONG"),
        ("BTCUSDT", "SHORT"),
    ]
    assert len((await client.signed("GET", "/fapi/v2/positionRisk")).json) == 6
    account = (await client.signed("GET", "/fapi/v3/account")).json
    assert {p["positionSide"] for p in account["positions"]} == {"LONG", "SHORT"}
    over = await client.signed(
        "POST", ORDER, order("BUY", "0.05", positionSide="SHORT", newOrderRespType="RESULT")
    )
    assert (over.json["status"], over.json["executedQty"]) == ("EXPIRED", "0.010")
    assert sim.position("BTCUSDT", position_side="SHORT").amount == 0
    adl = (await client.signed("GET", "/fapi/v1/adlQuantile", {"symbol": "BTCUSDT"})).json
    assert adl == [{"symbol": "BTCUSDT", "adlQuantile": {"LONG": 2, "SHORT": 0, "HEDGE": 0}}]


async def test_closing_orders_hold_no_margin(sim: Simulator, client: RawClient) -> None:
    """A resting hedge-closing LIMIT holds no initial margin; an opening one does."""
    await hedge(client)
    await client.signed("POST", ORDER, order("BUY", "0.02", positionSide="LONG"))
    before = (await client.signed("GET", "/fapi/v3/account")).json["totalOpenOrderInitialMargin"]
    await client.signed("POST", ORDER, limit("SELL", "51000", positionSide="LONG"))
    after = (await client.signed("GET", "/fapi/v3/account")).json["totalOpenOrderInitialMargin"]
    assert before == after == "0.0"
    await client.signed("POST", ORDER, limit("BUY", "49000", positionSide="LONG"))
    opening = (await client.signed("GET", "/fapi/v3/account")).json
    assert opening["totalOpenOrderInitialMargin"] == "24.5"  # 0.01 * 49000 / 20


async def test_leverage_and_margin_checks(sim: Simulator, client: RawClient) -> None:
    """Leverage from 1 to the first bracket's; an order needs notional / leverage of available
    balance (-2019) and must fit the leverage's maximum notional (-2027)."""
    answer = await client.signed("POST", "/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 1})
    assert answer.json == {"leverage": 1, "maxNotionalValue": "1800000000", "symbol": "BTCUSDT"}
    too_much = await client.signed("POST", ORDER, order("BUY", "2.1"))  # 105 000 at 1x
    assert too_much.json == {"code": -2019, "msg": "Margin is insufficient."}
    fits = await client.signed("POST", ORDER, order("BUY", "1.9"))
    assert fits.status == 200
    await client.signed("POST", ORDER, order("SELL", "1.9"))
    await client.signed("POST", "/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 125})
    capped = await client.signed("POST", ORDER, order("BUY", "1.1"))  # 55 000 > 50 000 at 125x
    assert capped.json["code"] == -2027
    assert (await client.signed("POST", ORDER, order("BUY", "0.9"))).status == 200
    await client.signed("POST", "/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 20})
    lower = await client.signed("POST", "/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 125})
    assert lower.status == 200  # 45 000 still fits 125x
    small = await client.signed(
        "POST", "/fapi/v1/leverage", {"symbol": "币安人生USDT", "leverage": 76}
    )
    assert small.json == {"code": -4028, "msg": "Leverage 76 is not valid"}
    config = (await client.signed("GET", "/fapi/v1/symbolConfig", {"symbol": "BTCUSDT"})).json
    assert config == [
        {
            "symbol": "BTCUSDT",
            "marginType": "CROSSED",
            "isAutoAddMargin": "false",
            "leverage": 125,
            "maxNotionalValue": "50000",
        }
    ]


async def test_leverage_brackets(client: RawClient) -> None:
    """An object with a symbol, an array without; numbers as documented; cum carried over."""
    one = (await client.signed("GET", "/fapi/v1/leverageBracket", {"symbol": "BTCUSDT"})).json
    assert one["symbol"] == "BTCUSDT" and one["brackets"][0] == {
        "bracket": 1,
        "initialLeverage": 125,
        "notionalCap": 50000,
        "notionalFloor": 0,
        "maintMarginRatio": 0.004,
        "cum": 0.0,
    }
    assert one["brackets"][1]["cum"] == 50.0  # 50 000 * (0.005 - 0.004)
    every = (await client.signed("GET", "/fapi/v1/leverageBracket")).json
    assert [b["symbol"] for b in every] == ["BTCUSDT", "ETHUSDT", "币安人生USDT"]
    assert every[2]["brackets"][0]["initialLeverage"] == 75


async def test_margin_type_and_isolated_margin(sim: Simulator, client: RawClient) -> None:
    """ISOLATED/CROSSED with -4046/-4047/-4048; an isolated position holds its own wallet,
    which positionMargin adds to or reduces (kept above its initial margin) and records."""
    iso = {"symbol": "BTCUSDT", "marginType": "ISOLATED"}
    await client.signed("POST", ORDER, limit("BUY", "49000", newClientOrderId="o"))
    assert (await client.signed("POST", "/fapi/v1/marginType", iso)).code == -4047
    await client.signed("DELETE", ORDER, {"symbol": "BTCUSDT", "origClientOrderId": "o"})
    assert (await client.signed("POST", "/fapi/v1/marginType", iso)).json == SUCCESS
    again = await client.signed("POST", "/fapi/v1/marginType", iso)
    assert again.json == {"code": -4046, "msg": "No need to change margin type."}
    margin = {"symbol": "BTCUSDT", "amount": "100", "type": 1}
    assert (await client.signed("POST", "/fapi/v1/positionMargin", margin)).code == -4054
    await client.signed("POST", ORDER, order("BUY", "0.1"))  # 5000 notional, 250 margin at 20x
    back = {"symbol": "BTCUSDT", "marginType": "CROSSED"}
    assert (await client.signed("POST", "/fapi/v1/marginType", back)).code == -4048
    added = await client.signed("POST", "/fapi/v1/positionMargin", margin)
    assert added.json == {
        "amount": 100.0,
        "code": 200,
        "msg": "Successfully modify position margin.",
        "type": 1,
    }
    risk = (await client.signed("GET", "/fapi/v2/positionRisk", {"symbol": "BTCUSDT"})).json[0]
    assert (risk["marginType"], risk["isolatedWallet"], risk["isolatedMargin"]) == (
        "isolated",
        "350.0",
        "350.0",
    )
    reduce = {"symbol": "BTCUSDT", "amount": "101", "type": 2}
    refused = await client.signed("POST", "/fapi/v1/positionMargin", reduce)
    assert refused.json == {"code": -4051, "msg": "Isolated balance insufficient."}
    reduce["amount"] = "100"
    assert (await client.signed("POST", "/fapi/v1/positionMargin", reduce)).status == 200
    zero = await client.signed("POST", "/fapi/v1/positionMargin", {**margin, "amount": "0"})
    assert zero.code == -4055
    history = (
        await client.signed("GET", "/fapi/v1/positionMargin/history", {"symbol": "BTCUSDT"})
    ).json
    assert [(h["type"], h["amount"], h["deltaType"], h["positionSide"]) for h in history] == [
        (1, "100.0", "USER_ADJUST", "BOTH"),
        (2, "100.0", "USER_ADJUST", "BOTH"),
    ]
    only_adds = await client.signed(
        "GET", "/fapi/v1/positionMargin/history", {"symbol": "BTCUSDT", "type": 1}
    )
    assert len(only_adds.json) == 1
    account = (await client.signed("GET", "/fapi/v2/account")).json
    btc = next(p for p in account["positions"] if p["symbol"] == "BTCUSDT")
    assert (btc["isolated"], btc["isolatedWallet"]) == (True, "250.0")


async def test_multi_assets_mode(client: RawClient) -> None:
    """Multi-Assets mode: -4171 unchanged, -4167 with isolated symbols, -4170 with open
    orders; in it, ISOLATED margin is refused (-4168)."""
    assert (await client.signed("GET", "/fapi/v1/multiAssetsMargin")).json == {
        "multiAssetsMargin": False
    }
    await client.signed(
        "POST", "/fapi/v1/marginType", {"symbol": "ETHUSDT", "marginType": "ISOLATED"}
    )
    on = {"multiAssetsMargin": "true"}
    assert (await client.signed("POST", "/fapi/v1/multiAssetsMargin", on)).code == -4167
    await client.signed(
        "POST", "/fapi/v1/marginType", {"symbol": "ETHUSDT", "marginType": "CROSSED"}
    )
    await client.signed("POST", ORDER, limit("BUY", "49000", newClientOrderId="o"))
    assert (await client.signed("POST", "/fapi/v1/multiAssetsMargin", on)).code == -4170
    await client.signed("DELETE", "/fapi/v1/allOpenOrders", {"symbol": "BTCUSDT"})
    assert (await client.signed("POST", "/fapi/v1/multiAssetsMargin", on)).json == SUCCESS
    assert (await client.signed("GET", "/fapi/v1/multiAssetsMargin")).json == {
        "multiAssetsMargin": True
    }
    assert (await client.signed("GET", "/fapi/v3/account")).json["multiAssetsMargin"] is True
    iso = await client.signed(
        "POST", "/fapi/v1/marginType", {"symbol": "BTCUSDT", "marginType": "ISOLATED"}
    )
    assert iso.code == -4168


@pytest.mark.parametrize(("maker", "taker"), [("0.0002", "0.0004")])
async def test_commission_rate_and_fee_burn(
    sim: Simulator, client: RawClient, maker: str, taker: str
) -> None:
    """commissionRate shows the configured rates; feeBurn is stored per account."""
    sim.set_commission(maker=Decimal(maker), taker=Decimal(taker))
    rate = (await client.signed("GET", "/fapi/v1/commissionRate", {"symbol": "ETHUSDT"})).json
    assert rate == {"symbol": "ETHUSDT", "makerCommissionRate": maker, "takerCommissionRate": taker}
    assert (await client.signed("GET", "/fapi/v1/feeBurn")).json == {"feeBurn": False}
    assert (await client.signed("POST", "/fapi/v1/feeBurn", {"feeBurn": "true"})).json == SUCCESS
    assert (await client.signed("GET", "/fapi/v1/feeBurn")).json == {"feeBurn": True}
    status = (await client.signed("GET", "/fapi/v1/apiTradingStatus")).json
    assert status["indicators"] == {} and isinstance(status["updateTime"], int)
