"""Window phase, requests held before processing, and bogus serverTime samples (issue 14)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest

from binance_async.testing import RateLimitConfig, Simulator

from .conftest import RawClient

T0 = 1_700_000_040_000  # a multiple of 60 s
ORDER = "/fapi/v1/order"
WEIGHT = "X-MBX-USED-WEIGHT-10S"


def _limits(offset_ms: int = 0) -> RateLimitConfig:
    """20 weight / 10 s per IP; 5 orders / 10 s and 8 / minute per account; windows shifted."""
    return RateLimitConfig(
        weight_limit=20,
        weight_interval="SECOND",
        weight_interval_num=10,
        order_limits=((5, "SECOND", 10), (8, "MINUTE", 1)),
        window_offset_ms=offset_ms,
    )


def _market(cid: str) -> dict[str, str]:
    """A BTCUSDT MARKET BUY with a client order id."""
    return {
        "symbol": "BTCUSDT",
        "side": "BUY",
        "type": "MARKET",
        "quantity": "0.01",
        "newClientOrderId": cid,
    }


# -- window phase ----------------------------------------------------------------------------


async def test_shifted_windows_count_reset_and_retry_after_on_the_offset(
    session: aiohttp.ClientSession,
) -> None:
    """With window_offset_ms=4000, weight windows run [T0+4000, T0+14000): headers and
    Retry-After follow them, and the calendar boundary T0+10000 resets nothing."""
    async with Simulator(rate_limits=_limits(4000)) as sim:
        client = RawClient(session, sim, sim.new_credentials("hmac"))
        sim.clock.freeze(T0 + 3000)
        for n in (1, 2, 3):
            assert (await client.public("GET", "/fapi/v1/ping")).headers[WEIGHT] == str(n)
        sim.clock.freeze(T0 + 3999)
        assert (await client.public("GET", "/fapi/v1/ping")).headers[WEIGHT] == "4"
        sim.clock.freeze(T0 + 4000)  # the shifted boundary: a fresh window
        assert (await client.public("GET", "/fapi/v1/ping")).headers[WEIGHT] == "1"
        sim.clock.freeze(T0 + 10_000)  # the calendar boundary: same window
        assert (await client.public("GET", "/fapi/v1/ping")).headers[WEIGHT] == "2"
        sim.preload_weight("127.0.0.1", 18)
        refused = await client.public("GET", "/fapi/v1/ping")
        assert refused.status == 429
        assert refused.headers["Retry-After"] == "4"  # T0+14000 - T0+10000
        assert sim.used_weight("127.0.0.1") == 20
        assert sim.audit.max_weight_per_window() == {
            ("127.0.0.1", T0 - 6000): 4,
            ("127.0.0.1", T0 + 4000): 2,  # preloaded weight is not a request
        }
        assert sim.rate_limits.window_offset_ms == 4000


async def test_shifted_order_windows_count_and_refuse_on_the_offset(
    session: aiohttp.ClientSession,
) -> None:
    """The account's order windows shift too: -1015 Retry-After runs to the shifted end."""
    async with Simulator(rate_limits=_limits(4000)) as sim:
        client = RawClient(session, sim, sim.new_credentials("hmac"))
        sim.clock.freeze(T0 + 9000)  # 10 s window [T0+4000, T0+14000); minute [T0+4000, +64000)
        for n in range(1, 6):
            r = await client.signed("POST", ORDER, _market(f"w{n}"))
            assert r.status == 200, r
            assert (r.headers["X-MBX-ORDER-COUNT-10S"], r.headers["X-MBX-ORDER-COUNT-1M"]) == (
                str(n),
                str(n),
            )
        sim.clock.freeze(T0 + 10_500)  # past the calendar boundary: still the same window
        refused = await client.signed("POST", ORDER, _market("w6"))
        assert (refused.status, refused.code) == (429, -1015)
        assert refused.headers["Retry-After"] == "4"  # ceil(3.5 s)
        sim.clock.freeze(T0 + 14_000)
        r = await client.signed("POST", ORDER, _market("w7"))
        assert (r.headers["X-MBX-ORDER-COUNT-10S"], r.headers["X-MBX-ORDER-COUNT-1M"]) == ("1", "6")


async def test_windows_can_start_when_the_simulator_starts() -> None:
    """windows_start_at_boot=True: the offset is the server time when the simulator was made,
    so the first window starts then; it cannot be combined with an explicit offset."""
    before = int(time.time() * 1000) - 5
    async with Simulator(rate_limits=_limits(), windows_start_at_boot=True) as sim:
        after = int(time.time() * 1000) + 5
        boot = sim.rate_limits.window_offset_ms
        assert before <= boot <= after
        sim.clock.freeze(boot + 9_999)
        sim.preload_weight("127.0.0.1", 20)
        async with aiohttp.ClientSession() as session:
            client = RawClient(session, sim, None)
            refused = await client.public("GET", "/fapi/v1/ping")
            assert (refused.status, refused.headers["Retry-After"]) == (429, "1")
            sim.clock.freeze(boot + 10_000)
            ok = await client.public("GET", "/fapi/v1/ping")
            assert (ok.status, ok.headers[WEIGHT]) == (200, "1")
        assert set(sim.audit.max_weight_per_window()) == {("127.0.0.1", boot + 10_000)}
    with pytest.raises(ValueError, match="not both"):
        Simulator(rate_limits=_limits(500), windows_start_at_boot=True)
    with pytest.raises(ValueError, match="window_offset_ms"):
        RateLimitConfig(window_offset_ms=1.5)  # type: ignore[arg-type]


# -- delay_before_execute --------------------------------------------------------------------


async def test_a_held_request_within_its_recv_window_executes_late(
    sim: Simulator, client: RawClient
) -> None:
    """Held 0.3 s with recvWindow 1000: processed at ts + >=300 ms, executed, answered 200."""
    sim.inject_next("delay_before_execute", delay_s=0.3)
    timestamp = sim.clock.now_ms()
    started = time.monotonic()
    r = await client.signed("POST", ORDER, _market("held-1"), timestamp=timestamp, recv_window=1000)
    assert r.status == 200, r
    assert time.monotonic() - started >= 0.3
    (record,) = sim.audit.requests
    assert record.fault == "delay_before_execute" and record.status == 200
    assert record.server_time_ms - timestamp >= 300
    held = sim.order(client_order_id="held-1")
    assert held is not None and held.status == "FILLED" and sim.audit.accepted["held-1"] == 1
    again = await client.signed("POST", ORDER, _market("held-2"))  # the next one is not held
    assert again.status == 200 and sim.audit.requests[-1].fault is None


async def test_a_held_request_past_its_recv_window_is_refused(
    sim: Simulator, client: RawClient
) -> None:
    """Held 0.4 s with recvWindow 200: the timing rule at processing refuses it (-1021)."""
    sim.inject_next("delay_before_execute", delay_s=0.4)
    r = await client.signed("POST", ORDER, _market("late-1"), recv_window=200)
    assert (r.status, r.code) == (400, -1021)
    assert r.json["msg"] == "Timestamp for this request is outside of the recvWindow."
    assert sim.order(client_order_id="late-1") is None and sim.audit.accepted["late-1"] == 0


async def test_a_held_request_still_executes_after_the_client_gave_up(
    sim: Simulator, client: RawClient
) -> None:
    """The client times out at 0.1 s; the exchange processes the order at 0.5 s regardless."""
    sim.inject_next("delay_before_execute", delay_s=0.5)
    with pytest.raises(asyncio.TimeoutError):
        async with asyncio.timeout(0.1):
            await client.signed("POST", ORDER, _market("travel-1"), recv_window=1000)
    assert sim.order(client_order_id="travel-1") is None
    for _ in range(40):  # bounded: at most 2 s
        if sim.order(client_order_id="travel-1") is not None:
            break
        await asyncio.sleep(0.05)
    placed = sim.order(client_order_id="travel-1")
    assert placed is not None and placed.status == "FILLED"
    assert [r.fault for r in sim.audit.requests] == ["delay_before_execute"]


async def test_delay_before_execute_takes_its_turn_among_injections(
    sim: Simulator, client: RawClient
) -> None:
    """Injections on one endpoint apply in order, one fault per request; any endpoint works."""
    sim.inject_next("unknown_not_executed")
    sim.inject_next("delay_before_execute", delay_s=0.2)
    sim.inject_next("delay_before_execute", endpoint=("GET", "/fapi/v1/time"), delay_s=0.2)
    first = await client.signed("POST", ORDER, _market("turn-1"))
    second = await client.signed("POST", ORDER, _market("turn-2"))
    third = await client.signed("POST", ORDER, _market("turn-3"))
    started = time.monotonic()
    await client.public("GET", "/fapi/v1/time")
    assert time.monotonic() - started >= 0.2
    assert (first.code, second.status, third.status) == (-1000, 200, 200)
    assert [r.fault for r in sim.audit.requests] == [
        "unknown_not_executed",
        "delay_before_execute",
        None,
        "delay_before_execute",
    ]


# -- bogus serverTime ------------------------------------------------------------------------


async def test_time_outliers_shift_only_the_time_answers(sim: Simulator, client: RawClient) -> None:
    """The next two time answers are an hour ahead; other requests and later answers are not."""
    sim.clock.freeze(T0)
    sim.inject_time_outlier(3_600_000, count=2)
    first = await client.public("GET", "/fapi/v1/time")
    signed = await client.signed("GET", "/fapi/v1/openOrders", timestamp=T0)  # true clock
    second = await client.public("GET", "/fapi/v1/time")
    third = await client.public("GET", "/fapi/v1/time")
    assert [first.json, second.json, third.json] == [
        {"serverTime": T0 + 3_600_000},
        {"serverTime": T0 + 3_600_000},
        {"serverTime": T0},
    ]
    assert signed.status == 200
    assert [r.fault for r in sim.audit.requests] == ["time_outlier", None, "time_outlier", None]


async def test_a_time_outlier_can_wait_for_true_answers(sim: Simulator, client: RawClient) -> None:
    """after=1: one true answer, then the outlier (here behind); refusals consume nothing."""
    sim.clock.freeze(T0)
    sim.inject_time_outlier(-900, after=1)
    sim.inject_next("unavailable", endpoint=("GET", "/fapi/v1/time"))
    replies = [await client.public("GET", "/fapi/v1/time") for _ in range(4)]
    assert replies[0].status == 503
    assert [r.json for r in replies[1:]] == [
        {"serverTime": T0},
        {"serverTime": T0 - 900},
        {"serverTime": T0},
    ]
    with pytest.raises(ValueError, match="count"):
        sim.inject_time_outlier(1000, count=0)


# -- a trailing newline is not part of a valid value -------------------------------------------


@pytest.mark.parametrize(
    ("params", "code"),
    [
        (_market("nl-1\n"), -4015),
        ({**_market("nl-2"), "quantity": "0.01\n"}, -1100),
    ],
    ids=["client-order-id", "quantity"],
)
async def test_a_trailing_newline_is_refused(
    sim: Simulator, client: RawClient, params: dict[str, str], code: int
) -> None:
    """Values are matched whole: "nl-1\\n" is not a client order id, "0.01\\n" not a decimal."""
    r = await client.signed("POST", ORDER, params)
    assert (r.status, r.code) == (400, code)
    assert sim.audit.accepted == {}


async def test_a_trailing_newline_is_not_an_order_id(sim: Simulator, client: RawClient) -> None:
    """orderId "5000000001\\n" is refused -1100, not read as order 5000000001."""
    resting = {**_market("nl-3"), "type": "LIMIT", "price": "40000", "timeInForce": "GTC"}
    placed = await client.signed("POST", ORDER, resting)
    assert placed.status == 200, placed
    order_id = placed.json["orderId"]
    r = await client.signed("DELETE", ORDER, {"symbol": "BTCUSDT", "orderId": f"{order_id}\n"})
    assert (r.status, r.code) == (400, -1100)
    held = sim.order(order_id=order_id)
    assert held is not None and held.status == "NEW"
