"""Every endpoint of reference/fapi-endpoints.tsv: served, with its weight, security type and
documented shape; parameter validation; the special request buckets; the Spot paths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from binance_async.testing import Simulator

from .conftest import RawClient

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "fapi-endpoints.tsv"
BTC = {"symbol": "BTCUSDT"}
SIGNED, KEY, NONE = "SIGNED", "KEY", "NONE"

# (method, path, params, security, weight): one call per reference row, with valid parameters.
CALLS: list[tuple[str, str, dict[str, Any], str, int]] = [
    ("GET", "/fapi/v1/ping", {}, NONE, 1),
    ("GET", "/fapi/v1/time", {}, NONE, 1),
    ("GET", "/fapi/v1/exchangeInfo", {}, NONE, 1),
    ("GET", "/fapi/v1/depth", {**BTC, "limit": 5}, NONE, 2),
    ("GET", "/fapi/v1/rpiDepth", {**BTC, "limit": 1000}, NONE, 20),
    ("GET", "/fapi/v1/trades", BTC, NONE, 5),
    ("GET", "/fapi/v1/historicalTrades", BTC, KEY, 200),
    ("GET", "/fapi/v1/aggTrades", BTC, NONE, 20),
    ("GET", "/fapi/v1/klines", {**BTC, "interval": "1m", "limit": 99}, NONE, 1),
    (
        "GET",
        "/fapi/v1/continuousKlines",
        {"pair": "BTCUSDT", "contractType": "PERPETUAL", "interval": "1h", "limit": 100},
        NONE,
        2,
    ),
    ("GET", "/fapi/v1/indexPriceKlines", {"pair": "BTCUSDT", "interval": "1d"}, NONE, 5),
    ("GET", "/fapi/v1/markPriceKlines", {**BTC, "interval": "1m", "limit": 1000}, NONE, 5),
    ("GET", "/fapi/v1/premiumIndexKlines", {**BTC, "interval": "1m", "limit": 1500}, NONE, 10),
    ("GET", "/fapi/v1/premiumIndex", BTC, NONE, 1),
    ("GET", "/fapi/v1/fundingRate", BTC, NONE, 1),
    ("GET", "/fapi/v1/fundingInfo", {}, NONE, 1),
    ("GET", "/fapi/v1/ticker/24hr", BTC, NONE, 1),
    ("GET", "/fapi/v1/ticker/price", BTC, NONE, 1),
    ("GET", "/fapi/v2/ticker/price", {}, NONE, 2),
    ("GET", "/fapi/v1/ticker/bookTicker", {}, NONE, 5),
    ("GET", "/fapi/v1/openInterest", BTC, NONE, 1),
    ("GET", "/futures/data/openInterestHist", {**BTC, "period": "5m"}, NONE, 1),
    ("GET", "/futures/data/topLongShortPositionRatio", {**BTC, "period": "1h"}, NONE, 0),
    ("GET", "/futures/data/topLongShortAccountRatio", {**BTC, "period": "1h"}, NONE, 0),
    ("GET", "/futures/data/globalLongShortAccountRatio", {**BTC, "period": "1d"}, NONE, 0),
    ("GET", "/futures/data/takerlongshortRatio", {**BTC, "period": "5m"}, NONE, 0),
    (
        "GET",
        "/futures/data/basis",
        {"pair": "BTCUSDT", "contractType": "PERPETUAL", "period": "5m", "limit": 30},
        NONE,
        0,
    ),
    ("GET", "/futures/data/delivery-price", {"pair": "BTCUSDT"}, NONE, 0),
    ("GET", "/fapi/v1/indexInfo", {}, NONE, 1),
    ("GET", "/fapi/v1/assetIndex", {}, NONE, 10),
    ("GET", "/fapi/v1/constituents", BTC, NONE, 2),
    ("GET", "/fapi/v1/insuranceBalance", BTC, NONE, 1),
    ("GET", "/fapi/v1/symbolAdlRisk", {}, NONE, 1),
    (
        "POST",
        "/fapi/v1/order",
        {
            **BTC,
            "side": "BUY",
            "type": "LIMIT",
            "timeInForce": "GTC",
            "quantity": "0.01",
            "price": "49000",
            "newClientOrderId": "s1",
        },
        SIGNED,
        0,
    ),
    (
        "POST",
        "/fapi/v1/order/test",
        {**BTC, "side": "BUY", "type": "MARKET", "quantity": "0.01"},
        SIGNED,
        1,
    ),
    (
        "PUT",
        "/fapi/v1/order",
        {**BTC, "side": "BUY", "origClientOrderId": "s1", "quantity": "0.01", "price": "48000"},
        SIGNED,
        0,
    ),
    ("GET", "/fapi/v1/order", {**BTC, "origClientOrderId": "s1"}, SIGNED, 1),
    ("GET", "/fapi/v1/openOrder", {**BTC, "origClientOrderId": "s1"}, SIGNED, 1),
    ("GET", "/fapi/v1/openOrders", {}, SIGNED, 40),
    ("GET", "/fapi/v1/allOrders", BTC, SIGNED, 5),
    ("GET", "/fapi/v1/orderAmendment", {**BTC, "origClientOrderId": "s1"}, SIGNED, 1),
    ("DELETE", "/fapi/v1/order", {**BTC, "origClientOrderId": "s1"}, SIGNED, 1),
    (
        "POST",
        "/fapi/v1/batchOrders",
        {
            "batchOrders": '[{"symbol":"BTCUSDT","side":"BUY","type":"LIMIT","timeInForce":"GTC",'
            '"quantity":"0.01","price":"49000","newClientOrderId":"b1"}]'
        },
        SIGNED,
        5,
    ),
    (
        "PUT",
        "/fapi/v1/batchOrders",
        {
            "batchOrders": '[{"symbol":"BTCUSDT","side":"BUY","origClientOrderId":"b1",'
            '"quantity":"0.01","price":"48500"}]'
        },
        SIGNED,
        5,
    ),
    ("DELETE", "/fapi/v1/batchOrders", {**BTC, "origClientOrderIdList": '["b1"]'}, SIGNED, 1),
    ("DELETE", "/fapi/v1/allOpenOrders", BTC, SIGNED, 1),
    ("POST", "/fapi/v1/countdownCancelAll", {**BTC, "countdownTime": 0}, SIGNED, 10),
    ("GET", "/fapi/v1/forceOrders", {}, SIGNED, 50),
    ("GET", "/fapi/v1/userTrades", BTC, SIGNED, 5),
    ("GET", "/fapi/v1/positionSide/dual", {}, SIGNED, 30),
    ("GET", "/fapi/v1/multiAssetsMargin", {}, SIGNED, 30),
    ("POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "true"}, SIGNED, 1),
    ("POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "false"}, SIGNED, 1),
    ("POST", "/fapi/v1/positionSide/dual", {"dualSidePosition": "true"}, SIGNED, 1),
    ("POST", "/fapi/v1/leverage", {**BTC, "leverage": 10}, SIGNED, 1),
    ("POST", "/fapi/v1/marginType", {**BTC, "marginType": "ISOLATED"}, SIGNED, 1),
    (
        "POST",
        "/fapi/v1/order",
        {**BTC, "side": "BUY", "positionSide": "LONG", "type": "MARKET", "quantity": "0.01"},
        SIGNED,
        0,
    ),
    (
        "POST",
        "/fapi/v1/positionMargin",
        {**BTC, "positionSide": "LONG", "amount": "10", "type": 1},
        SIGNED,
        1,
    ),
    ("GET", "/fapi/v1/positionMargin/history", BTC, SIGNED, 1),
    ("GET", "/fapi/v2/positionRisk", {}, SIGNED, 5),
    ("GET", "/fapi/v3/positionRisk", {}, SIGNED, 5),
    ("GET", "/fapi/v1/adlQuantile", {}, SIGNED, 5),
    ("GET", "/fapi/v1/commissionRate", BTC, SIGNED, 20),
    (
        "POST",
        "/fapi/v1/algoOrder",
        {
            "algoType": "CONDITIONAL",
            **BTC,
            "side": "SELL",
            "positionSide": "LONG",
            "type": "STOP_MARKET",
            "triggerPrice": "45000",
            "quantity": "0.01",
            "clientAlgoId": "a1",
        },
        SIGNED,
        0,
    ),
    ("GET", "/fapi/v1/algoOrder", {"clientAlgoId": "a1"}, SIGNED, 1),
    ("GET", "/fapi/v1/openAlgoOrders", BTC, SIGNED, 1),
    ("GET", "/fapi/v1/allAlgoOrders", BTC, SIGNED, 5),
    ("DELETE", "/fapi/v1/algoOrder", {"clientAlgoId": "a1"}, SIGNED, 1),
    ("DELETE", "/fapi/v1/algoOpenOrders", BTC, SIGNED, 1),
    ("GET", "/fapi/v2/account", {}, SIGNED, 5),
    ("GET", "/fapi/v3/account", {}, SIGNED, 5),
    ("GET", "/fapi/v2/balance", {}, SIGNED, 5),
    ("GET", "/fapi/v3/balance", {}, SIGNED, 5),
    ("GET", "/fapi/v1/income", {}, SIGNED, 30),
    ("GET", "/fapi/v1/leverageBracket", BTC, SIGNED, 1),
    ("GET", "/fapi/v1/apiTradingStatus", {}, SIGNED, 10),
    ("GET", "/fapi/v1/rateLimit/order", {}, SIGNED, 1),
    ("GET", "/fapi/v1/accountConfig", {}, SIGNED, 5),
    ("GET", "/fapi/v1/symbolConfig", {}, SIGNED, 5),
    ("GET", "/fapi/v1/feeBurn", {}, SIGNED, 30),
    ("POST", "/fapi/v1/feeBurn", {"feeBurn": "true"}, SIGNED, 1),
    ("POST", "/fapi/v1/listenKey", {}, KEY, 1),
    ("PUT", "/fapi/v1/listenKey", {}, KEY, 1),
    ("DELETE", "/fapi/v1/listenKey", {}, KEY, 1),
]


def _reference_rows() -> set[tuple[str, str]]:
    rows = set()
    for line in REFERENCE.read_text(encoding="utf-8").splitlines():
        method, _, rest = line.partition("\t")
        if method in ("GET", "POST", "PUT", "DELETE"):
            rows.add((method, rest.split("\t")[0]))
    return rows


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference not checked out beside the repo")
def test_every_reference_row_is_called_here() -> None:
    """The table above covers every row of the reference (and nothing else)."""
    assert {(m, p) for m, p, *_ in CALLS} == _reference_rows()


async def _call(client: RawClient, method: str, path: str, params: dict[str, Any], sec: str):
    if sec == SIGNED:
        return await client.signed(method, path, params)
    return await client.public(method, path, params)


async def test_every_endpoint_answers_with_its_weight(sim: Simulator, client: RawClient) -> None:
    """In order, each call of the table succeeds and charges its documented weight."""
    sim.clock.freeze(1_700_000_010_000)  # one weight window for the whole walk
    used = 0
    for method, path, params, security, weight in CALLS:
        reply = await _call(client, method, path, params, security)
        assert reply.status == 200, (method, path, reply)
        used += weight
        assert reply.headers["X-MBX-USED-WEIGHT-1M"] == str(used), (method, path)
        assert sim.audit.requests[-1].weight == weight


async def test_security_types(sim: Simulator, make_client: Callable[..., RawClient]) -> None:
    """MARKET_DATA and USER_STREAM need the key (no signature); SIGNED needs both; NONE none."""
    anonymous = make_client()
    assert (await anonymous.public("GET", "/fapi/v1/trades", BTC)).status == 200
    no_key = await anonymous.public("GET", "/fapi/v1/historicalTrades", BTC)
    assert (no_key.status, no_key.code) == (401, -2014)
    bad_key = await anonymous.send(
        "GET", "/fapi/v1/historicalTrades", query="symbol=BTCUSDT", api_key="nope"
    )
    assert bad_key.code == -2015
    keyed = make_client(sim.new_credentials("ed25519"))
    assert (await keyed.public("GET", "/fapi/v1/historicalTrades", BTC)).status == 200
    unsigned = await keyed.public("GET", "/fapi/v1/leverageBracket")
    assert unsigned.code == -1102  # signature missing


@pytest.mark.parametrize(
    ("limit", "weight"), [(1, 1), (99, 1), (100, 2), (499, 2), (500, 5), (1000, 5), (1001, 10)]
)
async def test_kline_weights_by_limit(client: RawClient, limit: int, weight: int) -> None:
    """[1,100) 1; [100,500) 2; [500,1000] 5; above 10 - for every kline variant."""
    for path, key in (
        ("/fapi/v1/klines", "symbol"),
        ("/fapi/v1/markPriceKlines", "symbol"),
        ("/fapi/v1/indexPriceKlines", "pair"),
    ):
        reply = await client.public("GET", path, {key: "BTCUSDT", "interval": "1m", "limit": limit})
        assert reply.status == 200 and len(reply.json) == limit
        assert client.sim.audit.requests[-1].weight == weight


async def test_spot_paths_count_on_the_spot_ledger(client: RawClient) -> None:
    """python-binance's first calls, /api/v3/ping and /api/v3/time, are Spot's own routes:
    weight 1 each on Spot's ledger, nothing on the futures one."""
    ping = await client.public("GET", "/api/v3/ping")
    time = await client.public("GET", "/api/v3/time")
    assert (ping.json, set(time.json)) == ({}, {"serverTime"})
    assert time.headers["X-MBX-USED-WEIGHT-1M"] == "2"
    futures = await client.public("GET", "/fapi/v1/ping")
    assert futures.headers["X-MBX-USED-WEIGHT-1M"] == "1"


@pytest.mark.parametrize(
    ("method", "path", "params", "code"),
    [
        ("GET", "/fapi/v1/klines", {"symbol": "BTCUSDT"}, -1102),
        ("GET", "/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "2m"}, -1120),
        ("GET", "/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "1m", "limit": 1501}, -1130),
        ("GET", "/fapi/v1/klines", {"symbol": "NOPE", "interval": "1m"}, -1121),
        ("GET", "/fapi/v1/klines", {"symbol": "BTCUSDT", "interval": "1m", "limit": "x"}, -1100),
        (
            "GET",
            "/fapi/v1/klines",
            {"symbol": "BTCUSDT", "interval": "1m", "startTime": 2, "endTime": 1},
            -1023,
        ),
        ("GET", "/fapi/v1/continuousKlines", {"pair": "BTCUSDT", "interval": "1m"}, -1102),
        (
            "GET",
            "/fapi/v1/continuousKlines",
            {"pair": "BTCUSDT", "contractType": "WEEKLY", "interval": "1m"},
            -4104,
        ),
        ("GET", "/fapi/v1/indexPriceKlines", {"pair": "XYZ", "interval": "1m"}, -4144),
        ("GET", "/fapi/v1/trades", {"symbol": "BTCUSDT", "limit": 1001}, -1130),
        ("GET", "/fapi/v1/historicalTrades", {"symbol": "BTCUSDT", "limit": 501}, -1130),
        ("GET", "/fapi/v1/aggTrades", {"symbol": "BTCUSDT", "fromId": 1, "startTime": 1}, -1128),
        (
            "GET",
            "/fapi/v1/aggTrades",
            {"symbol": "BTCUSDT", "startTime": 0, "endTime": 3_600_000},  # "< 1 hour"
            -1127,
        ),
        ("GET", "/fapi/v1/rpiDepth", {"symbol": "BTCUSDT", "limit": 500}, -4021),
        ("GET", "/fapi/v1/constituents", {}, -1102),
        ("GET", "/fapi/v1/assetIndex", {"symbol": "XYZUSD"}, -1121),
        ("GET", "/futures/data/openInterestHist", {"symbol": "BTCUSDT", "period": "3m"}, -1130),
        ("GET", "/futures/data/openInterestHist", {"symbol": "BTCUSDT"}, -1102),
        ("GET", "/futures/data/basis", {"pair": "BTCUSDT", "period": "5m"}, -1102),
        ("GET", "/fapi/v1/fundingRate", {"limit": 1001}, -1130),
        ("GET", "/fapi/v1/premiumIndex", {"symbol": "BTCUSDT", "x": 1}, -1103),
    ],
)
async def test_public_validation(
    client: RawClient, method: str, path: str, params: dict[str, Any], code: int
) -> None:
    """Missing, malformed and out-of-range parameters get the reference's codes."""
    reply = await client.public(method, path, params)
    assert (reply.status, reply.code) == (400, code), reply


@pytest.mark.parametrize(
    ("method", "path", "params", "code"),
    [
        ("GET", "/fapi/v1/userTrades", {}, -1102),
        ("GET", "/fapi/v1/userTrades", {"symbol": "BTCUSDT", "fromId": 1, "startTime": 1}, -1128),
        (
            "GET",
            "/fapi/v1/userTrades",
            {"symbol": "BTCUSDT", "startTime": 0, "endTime": 7 * 86_400_000 + 1},
            -4165,
        ),
        (
            "GET",
            "/fapi/v1/allOrders",
            {"symbol": "BTCUSDT", "startTime": 0, "endTime": 7 * 86_400_000},  # "< 7 days"
            -4165,
        ),
        (
            "GET",
            "/fapi/v1/allAlgoOrders",
            {"symbol": "BTCUSDT", "startTime": 0, "endTime": 7 * 86_400_000},  # "< 7 days"
            -4165,
        ),
        (
            "GET",
            "/fapi/v1/positionMargin/history",
            {"symbol": "BTCUSDT", "startTime": 0, "endTime": 30 * 86_400_000 + 1},
            -4165,
        ),
        ("GET", "/fapi/v1/income", {"incomeType": "GIFT"}, -1130),
        ("GET", "/fapi/v1/income", {"limit": 1001}, -1130),
        ("GET", "/fapi/v1/forceOrders", {"autoCloseType": "OTHER"}, -1130),
        ("GET", "/fapi/v1/orderAmendment", {"symbol": "BTCUSDT"}, -1102),
        ("GET", "/fapi/v1/orderAmendment", {"symbol": "BTCUSDT", "orderId": 1}, -2013),
        ("GET", "/fapi/v1/commissionRate", {}, -1102),
        ("POST", "/fapi/v1/countdownCancelAll", {"symbol": "BTCUSDT"}, -1102),
        (
            "POST",
            "/fapi/v1/countdownCancelAll",
            {"symbol": "BTCUSDT", "countdownTime": "-1"},
            -1100,
        ),
        ("POST", "/fapi/v1/leverage", {"symbol": "BTCUSDT", "leverage": 126}, -4028),
        ("POST", "/fapi/v1/leverage", {"symbol": "ETHUSDT"}, -1102),
        ("POST", "/fapi/v1/marginType", {"symbol": "BTCUSDT", "marginType": "CROSS"}, -1130),
        ("POST", "/fapi/v1/marginType", {"symbol": "BTCUSDT", "marginType": "CROSSED"}, -4046),
        ("POST", "/fapi/v1/positionSide/dual", {"dualSidePosition": "false"}, -4059),
        ("POST", "/fapi/v1/positionSide/dual", {"dualSidePosition": "yes"}, -1130),
        ("POST", "/fapi/v1/positionSide/dual", {}, -1102),
        ("POST", "/fapi/v1/multiAssetsMargin", {"multiAssetsMargin": "false"}, -4171),
        ("POST", "/fapi/v1/feeBurn", {}, -1102),
        (
            "POST",
            "/fapi/v1/positionMargin",
            {"symbol": "BTCUSDT", "amount": "10", "type": 3},
            -1130,
        ),
        (
            "POST",
            "/fapi/v1/positionMargin",
            {"symbol": "BTCUSDT", "amount": "10", "type": 1},
            -4049,
        ),
        ("GET", "/fapi/v1/algoOrder", {}, -1102),
        ("GET", "/fapi/v1/algoOrder", {"algoId": 1}, -2013),
        ("DELETE", "/fapi/v1/algoOrder", {"clientAlgoId": "none"}, -2011),
        ("GET", "/fapi/v1/openAlgoOrders", {"algoType": "VP"}, -1130),
    ],
)
async def test_signed_validation(
    client: RawClient, method: str, path: str, params: dict[str, Any], code: int
) -> None:
    """The signed endpoints refuse bad requests with the reference's codes."""
    reply = await client.signed(method, path, params)
    assert (reply.status, reply.code) == (400, code), reply


async def test_market_data_shapes(sim: Simulator, client: RawClient) -> None:
    """Field names and types as documented: decimals as strings, ids and times as integers."""
    sim.clock.freeze(1_700_000_010_000)  # no candle or period ends during the test
    sim.trade("BTCUSDT", "50000", "0.5")
    kline = (await client.public("GET", "/fapi/v1/klines", {**BTC, "interval": "1m"})).json[-1]
    assert len(kline) == 12 and isinstance(kline[0], int) and isinstance(kline[6], int)
    assert [type(v) for v in kline[1:6]] == [str] * 5 and isinstance(kline[8], int)
    assert (kline[5], kline[8], kline[11]) == ("0.500", 1, "0")
    assert kline[6] - kline[0] == 59_999
    premium = (await client.public("GET", "/fapi/v1/premiumIndex", BTC)).json
    assert set(premium) == {
        "symbol",
        "markPrice",
        "indexPrice",
        "estimatedSettlePrice",
        "lastFundingRate",
        "interestRate",
        "nextFundingTime",
        "time",
    }
    assert premium["markPrice"] == "50000.00000000" and premium["nextFundingTime"] % 28_800_000 == 0
    assert len((await client.public("GET", "/fapi/v1/premiumIndex")).json) == 3
    funding = (await client.public("GET", "/fapi/v1/fundingRate", {**BTC, "limit": 3})).json
    assert [set(f) for f in funding] == [{"symbol", "fundingRate", "fundingTime", "markPrice"}] * 3
    assert funding[1]["fundingTime"] - funding[0]["fundingTime"] == 28_800_000
    info = (await client.public("GET", "/fapi/v1/fundingInfo")).json
    assert info == [
        {
            "symbol": "币安人生USDT",
            "adjustedFundingRateCap": "0.02000000",
            "adjustedFundingRateFloor": "-0.02000000",
            "fundingIntervalHours": 4,
            "disclaimer": False,
        }
    ]
    ticker = (await client.public("GET", "/fapi/v1/ticker/24hr", BTC)).json
    assert (ticker["volume"], ticker["count"], ticker["lastPrice"]) == ("0.500", 1, "50000.00")
    assert isinstance(ticker["firstId"], int) and ticker["firstId"] == ticker["lastId"]
    book = (await client.public("GET", "/fapi/v1/ticker/bookTicker", BTC)).json
    assert set(book) == {"symbol", "bidPrice", "bidQty", "askPrice", "askQty", "time"}
    interest = (await client.public("GET", "/fapi/v1/openInterest", BTC)).json
    assert set(interest) == {"openInterest", "symbol", "time"}
    ratio = (
        await client.public(
            "GET", "/futures/data/topLongShortAccountRatio", {**BTC, "period": "1h", "limit": 2}
        )
    ).json
    assert len(ratio) == 2 and isinstance(ratio[0]["timestamp"], int)
    assert set(ratio[0]) == {"symbol", "longShortRatio", "longAccount", "shortAccount", "timestamp"}
    taker = (
        await client.public("GET", "/futures/data/takerlongshortRatio", {**BTC, "period": "5m"})
    ).json
    assert len(taker) == 30 and taker[-1]["buyVol"] == "0.5000" and taker[-1]["sellVol"] == "0.0000"
    hist = (
        await client.public("GET", "/futures/data/openInterestHist", {**BTC, "period": "1d"})
    ).json
    assert set(hist[0]) == {
        "symbol",
        "sumOpenInterest",
        "sumOpenInterestValue",
        "CMCCirculatingSupply",
        "timestamp",
    }
    basis = (
        await client.public(
            "GET",
            "/futures/data/basis",
            {"pair": "BTCUSDT", "contractType": "PERPETUAL", "period": "1h", "limit": 1},
        )
    ).json
    assert basis[0]["annualizedBasisRate"] == "" and basis[0]["pair"] == "BTCUSDT"
    constituents = (await client.public("GET", "/fapi/v1/constituents", BTC)).json
    assert constituents["constituents"][0]["exchange"] == "binance"
    assets = (await client.public("GET", "/fapi/v1/assetIndex", {"symbol": "BTCUSD"})).json
    assert assets["index"] == "50000.00000000" and assets["bidRate"] == "45000.00000000"
    insurance = (await client.public("GET", "/fapi/v1/insuranceBalance")).json
    assert isinstance(insurance, list) and insurance[0]["assets"][0]["asset"] == "USDT"
    adl = (await client.public("GET", "/fapi/v1/symbolAdlRisk", BTC)).json
    assert set(adl) == {"symbol", "adlRisk", "updateTime"}
    index = (await client.public("GET", "/fapi/v1/indexInfo")).json
    assert index[0]["component"] == "baseAsset" and len(index[0]["baseAssetList"]) == 2


async def test_mark_price_klines_follow_the_mark(sim: Simulator, client: RawClient) -> None:
    """A candle's high and low include every mark set in it; its close is the latest mark."""
    sim.clock.freeze(1_700_000_000_000 + 10_000)  # 30 s into a minute
    sim.set_mark_price("BTCUSDT", "50500")
    sim.clock.jump(1000)
    sim.set_mark_price("BTCUSDT", "49800")
    sim.clock.jump(1000)
    sim.set_mark_price("BTCUSDT", "50100")
    rows = (
        await client.public(
            "GET", "/fapi/v1/markPriceKlines", {**BTC, "interval": "1m", "limit": 2}
        )
    ).json
    previous, current = rows
    assert previous[1:5] == ["50000.00000000"] * 4
    assert current[1:5] == ["50000.00000000", "50500.00000000", "49800.00000000", "50100.00000000"]
    assert current[0] == 1_700_000_000_000 - 1_700_000_000_000 % 60_000
    start = current[0]
    by_range = (
        await client.public(
            "GET",
            "/fapi/v1/klines",
            {**BTC, "interval": "1m", "startTime": start - 1, "endTime": start},
        )
    ).json
    assert [r[0] for r in by_range] == [start]
    monthly = (
        await client.public("GET", "/fapi/v1/klines", {**BTC, "interval": "1M", "limit": 2})
    ).json
    assert monthly[1][0] == 1698796800000  # 2023-11-01T00:00Z
    assert monthly[0][6] == monthly[1][0] - 1


async def test_range_limits_at_their_edges(client: RawClient) -> None:
    """userTrades allows exactly 7 days ("<= 7 days"); aggTrades just under an hour."""
    week = {"symbol": "BTCUSDT", "startTime": 0, "endTime": 7 * 86_400_000}
    assert (await client.signed("GET", "/fapi/v1/userTrades", week)).status == 200
    hour = {"symbol": "BTCUSDT", "startTime": 0, "endTime": 3_599_999}
    assert (await client.public("GET", "/fapi/v1/aggTrades", hour)).status == 200
