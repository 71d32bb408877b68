"""The endpoints with their own per-IP request buckets: fundingRate + fundingInfo, and
/futures/data/*."""

from __future__ import annotations

import pytest

from binance_async.testing import RateLimitConfig, Simulator

from .conftest import RawClient

BTC = {"symbol": "BTCUSDT"}


@pytest.fixture
def limits() -> RateLimitConfig:
    """Tiny special buckets: 3 funding requests and 2 /futures/data requests per 5 minutes."""
    return RateLimitConfig(funding_limit=3, futures_data_limit=2)


async def test_special_buckets(sim: Simulator, client: RawClient) -> None:
    """fundingRate and fundingInfo share one bucket; /futures/data/* has its own; 429 -1003
    with Retry-After, no bucket header; other endpoints and the weight are untouched."""
    sim.clock.freeze(1_700_000_200_000)  # 100 s into a 5-minute window
    for path in ("/fapi/v1/fundingRate", "/fapi/v1/fundingInfo", "/fapi/v1/fundingRate"):
        assert (await client.public("GET", path)).status == 200
    refused = await client.public("GET", "/fapi/v1/fundingInfo")
    assert (refused.status, refused.code) == (429, -1003)
    assert refused.json["msg"].endswith("is 3 requests per 5 minutes.")
    assert refused.headers["Retry-After"] == "200"
    assert not [h for h in refused.headers if "COUNT" in h.upper()]
    data = {**BTC, "period": "5m"}
    for _ in range(2):
        assert (await client.public("GET", "/futures/data/takerlongshortRatio", data)).status == 200
    over = await client.public("GET", "/futures/data/basis", {"pair": "BTCUSDT"})
    assert over.status == 429
    assert (await client.public("GET", "/fapi/v1/premiumIndex", BTC)).status == 200
    sim.clock.jump(200_000)
    assert (await client.public("GET", "/fapi/v1/fundingInfo")).status == 200
