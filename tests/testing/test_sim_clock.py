"""The simulator's clock, and the timing rule: ts < server + 1000 and server - ts <= recvWindow."""

from __future__ import annotations

import pytest

from binance_async.testing import SimClock, Simulator

T0 = 1_700_000_000_000


class FakeTime:
    """A manual monotonic clock in nanoseconds."""

    def __init__(self) -> None:
        self.ns = 0

    def monotonic_ns(self) -> int:
        return self.ns

    def advance_ms(self, ms: float) -> None:
        self.ns += int(ms * 1_000_000)


@pytest.fixture
def fake() -> FakeTime:
    """Manual time source."""
    return FakeTime()


@pytest.fixture
def clock(fake: FakeTime) -> SimClock:
    """A SimClock on manual time, starting at T0."""
    return SimClock(monotonic_ns=fake.monotonic_ns, wall_ns=lambda: T0 * 1_000_000)


def test_clock_follows_real_time_plus_offset(clock: SimClock, fake: FakeTime) -> None:
    """now = real time + offset; jump steps it either way."""
    assert clock.now_ms() == T0
    fake.advance_ms(250)
    assert clock.now_ms() == T0 + 250
    clock.set_offset_ms(-3000)
    assert clock.now_ms() == T0 + 250 - 3000
    clock.jump(5000)
    assert clock.now_ms() == T0 + 250 + 2000
    assert clock.offset_ms == pytest.approx(2000)


def test_drift_accumulates_from_when_it_is_set(clock: SimClock, fake: FakeTime) -> None:
    """A drift of +1000 ppm gains 1 ms per second from the moment it is set."""
    fake.advance_ms(10_000)
    clock.set_drift_ppm(1000)
    fake.advance_ms(60_000)
    assert clock.now_ms() == T0 + 70_000 + 60
    clock.set_drift_ppm(0)  # the gained 60 ms stay
    fake.advance_ms(1000)
    assert clock.now_ms() == T0 + 71_000 + 60


def test_freeze_holds_and_unfreeze_resumes(clock: SimClock, fake: FakeTime) -> None:
    """A frozen clock stands still (jump still steps it) and resumes from there."""
    clock.freeze(T0 + 5)
    fake.advance_ms(1000)
    assert clock.now_ms() == T0 + 5
    clock.jump(10)
    assert clock.now_ms() == T0 + 15
    clock.unfreeze()
    fake.advance_ms(7)
    assert clock.now_ms() == T0 + 22
    assert "frozen=False" in repr(clock)


async def test_server_time_endpoint_reads_the_clock(sim: Simulator, client) -> None:
    """GET /fapi/v1/time answers the simulator clock."""
    sim.clock.freeze(T0)
    reply = await client.public("GET", "/fapi/v1/time")
    assert reply.json == {"serverTime": T0}


@pytest.mark.parametrize(
    ("delta_ms", "recv_window", "accepted"),
    [
        (999, None, True),  # timestamp = server + 999: accepted
        (1000, None, False),  # server + 1000: rejected (strict <)
        (-5000, None, True),  # server - recvWindow: accepted (<=)
        (-5001, None, False),  # one more: rejected
        (-60_000, 60_000, True),
        (-60_001, 60_000, False),
        (-1, 0, False),
        (0, 0, True),
    ],
)
async def test_timing_rule_edges(
    sim: Simulator, client, delta_ms: int, recv_window: int | None, accepted: bool
) -> None:
    """The timing rule is exact at both edges, with the default and explicit recvWindow."""
    sim.clock.freeze(T0)
    reply = await client.signed(
        "GET", "/fapi/v1/openOrders", timestamp=T0 + delta_ms, recv_window=recv_window
    )
    if accepted:
        assert reply.status == 200, reply
    else:
        assert (reply.status, reply.code) == (400, -1021)
        ahead = "1000ms ahead of the server's time" in reply.json["msg"]
        assert ahead == (delta_ms >= 1000)


@pytest.mark.parametrize("recv_window", ["60001", "5000.5", "-1", "abc"])
async def test_bad_recv_window_refused(sim: Simulator, client, recv_window: str) -> None:
    """recvWindow above 60000 or not an integer is refused with -1130."""
    reply = await client.signed("GET", "/fapi/v1/openOrders", {"recvWindow": recv_window})
    assert (reply.status, reply.code) == (400, -1130)
    assert reply.json["msg"] == "Data sent for parameter 'recvWindow' is not valid."


async def test_offset_moves_the_window(sim: Simulator, client) -> None:
    """A server clock 10 s behind refuses a client stamping with true time."""
    import time

    sim.clock.set_offset_ms(-10_000)
    reply = await client.signed("GET", "/fapi/v1/openOrders", timestamp=int(time.time() * 1000))
    assert reply.code == -1021
    reply = await client.signed("GET", "/fapi/v1/openOrders")  # stamped from the sim clock
    assert reply.status == 200


async def test_latency_delays_the_server_check(sim: Simulator, client) -> None:
    """Request latency passes before the server stamps the request."""
    sim.set_latency(request_ms=120)
    before = sim.clock.now_ms()
    await client.public("GET", "/fapi/v1/ping")
    assert sim.audit.requests[-1].server_time_ms >= before + 120
