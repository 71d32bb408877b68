"""The limiter against the simulator: bursts never draw a 429, bans stop all traffic."""

from __future__ import annotations

import asyncio
from collections import Counter
from decimal import Decimal

import pytest

from binance_async import DeadlineExceeded, IPBanned, MemoryBudgetStore, UMFutures
from binance_async.testing import RateLimitConfig, Simulator

from .conftest import make_client

BIG_ORDERS = ((10**6, "SECOND", 10), (10**6, "MINUTE", 1))


async def test_burst_of_ten_budgets_from_200_tasks_draws_no_429() -> None:
    """Ten windows' worth of weight from 200 tasks: no 429/418, all done, no window over."""
    limits = RateLimitConfig(
        weight_limit=120, weight_interval="SECOND", weight_interval_num=1, order_limits=BIG_ORDERS
    )
    async with Simulator(rate_limits=limits) as sim:
        async with make_client(sim, sim.new_credentials("hmac")) as client:
            await client.exchange_info()
            assert "1S" in str(client.limits)
            done = Counter[str]()

            async def task(n: int) -> None:
                # Mixed weights: depth 100 costs 5, ticker of all symbols 2, ping 1.
                await client.depth("BTCUSDT", limit=100)
                await (client.ticker_price() if n % 2 else client.ping())
                done["tasks"] += 1

            # 200 tasks: 200 x 5 + 100 x 2 + 100 x 1 = 1300 weight, over ten 120-weight windows.
            async with asyncio.timeout(60):
                await asyncio.gather(*(task(n) for n in range(200)))
        assert done["tasks"] == 200
        assert sim.audit.status_count(429) == 0 and sim.audit.status_count(418) == 0
        per_window = sim.audit.max_weight_per_window()
        assert max(per_window.values()) <= 120
        # The budget was used, not wasted: most windows of the burst ran nearly full.
        full = [used for used in per_window.values() if used >= 110]
        assert len(full) >= 9, sorted(per_window.values())


async def test_weight_of_another_process_respected_from_first_header() -> None:
    """Weight pre-loaded at the exchange shows in the first header; the burst stays under."""
    limits = RateLimitConfig(
        weight_limit=300, weight_interval="SECOND", weight_interval_num=5, order_limits=BIG_ORDERS
    )
    async with Simulator(rate_limits=limits) as sim:
        async with make_client(sim, sim.new_credentials("hmac")) as client:
            await client.exchange_info()
            sim.preload_weight("127.0.0.1", 250)
            await client.ping()
            window = next(w for w in client.limits.windows if w.kind == "REQUEST_WEIGHT")
            assert window.used >= 251 and window.limit == 300
            async with asyncio.timeout(30):
                await asyncio.gather(*(client.ping() for _ in range(100)))
        assert sim.audit.status_count(429) == 0
        assert max(sim.audit.max_weight_per_window().values()) <= 300


async def test_429_holds_every_task_until_retry_after() -> None:
    """After a 429 no request is sent until Retry-After has passed; then every call finishes."""
    limits = RateLimitConfig(
        weight_limit=10_000,
        weight_interval="SECOND",
        weight_interval_num=2,
        order_limits=BIG_ORDERS,
    )
    async with (
        Simulator(rate_limits=limits) as sim,
        make_client(sim, sim.new_credentials("hmac")) as client,
    ):
        await client.exchange_info()
        sim.inject_next("http_429", endpoint=("GET", "/fapi/v1/ping"))
        first = asyncio.create_task(client.ping())
        async with asyncio.timeout(5):
            while client.limits.paused_until_ms is None:  # noqa: ASYNC110 (public state)
                await asyncio.sleep(0.001)
        async with asyncio.timeout(30):
            await asyncio.gather(first, *(client.ping() for _ in range(29)))
        assert client.stats.rate_limited == 1
    pings = [r for r in sim.audit.requests if r.path == "/fapi/v1/ping"]
    refused = [r for r in pings if r.status == 429]
    assert len(refused) == 1 and sim.audit.status_count(418) == 0
    assert len([r for r in pings if r.status == 200]) == 30
    # Retry-After: whole seconds to the end of the 2 s window; every later ping waited for it.
    window_end = refused[0].server_time_ms - refused[0].server_time_ms % 2000 + 2000
    after = pings[pings.index(refused[0]) + 1 :]
    assert len(after) == 30 and all(r.server_time_ms >= window_end for r in after)


async def test_418_raises_ip_banned_without_sending() -> None:
    """After a 418 every call raises IPBanned at once and nothing reaches the exchange."""
    limits = RateLimitConfig(ban_initial_s=2.0)
    async with Simulator(rate_limits=limits) as sim:
        async with make_client(sim, sim.new_credentials("hmac")) as client:
            sim.inject_next("http_418", endpoint=("GET", "/fapi/v1/ping"))
            with pytest.raises(IPBanned) as first:
                await client.ping()
            sent = len(sim.audit.requests)
            for call in (client.ping(), client.account(), client.open_orders("BTCUSDT")):
                with pytest.raises(IPBanned) as again:
                    await call
                assert again.value.until_ms == first.value.until_ms
            assert len(sim.audit.requests) == sent
            assert client.limits.banned_until_ms == {"default": first.value.until_ms}
            assert first.value.until_ms > sim.clock.now_ms()
            # The ban ends by itself.
            await asyncio.sleep((first.value.until_ms - sim.clock.now_ms()) / 1000 + 0.05)
            await client.ping()
            assert client.limits.banned_until_ms == {}
        assert sim.audit.status_count(418) == 1


async def test_urgent_orders_go_before_queued_new_risk() -> None:
    """With the order budget spent, a cancel and a reduce-only order go before queued new ones."""
    limits = RateLimitConfig(order_limits=((4, "SECOND", 2), (1000, "MINUTE", 1)))
    async with (
        Simulator(rate_limits=limits) as sim,
        make_client(sim, sim.new_credentials("hmac")) as client,
    ):
        await client.exchange_info()
        await client.new_order(symbol="ETHUSDT", side="BUY", type="MARKET", quantity=1)
        for n in range(3):
            await client.new_order(
                symbol="ETHUSDT",
                side="BUY",
                type="LIMIT",
                quantity=Decimal("0.01"),
                price=2000 + n,
                new_client_order_id=f"fill-{n}",
            )
        # The 2 s window's 4 orders are spent: these queue in the limiter.
        queued = [
            asyncio.create_task(
                client.new_order(
                    symbol="ETHUSDT",
                    side="BUY",
                    type="LIMIT",
                    quantity=Decimal("0.01"),
                    price=2100 + n,
                    new_client_order_id=f"new-{n}",
                )
            )
            for n in range(6)
        ]
        await asyncio.sleep(0.05)
        cancel = asyncio.create_task(
            client.cancel_order(symbol="ETHUSDT", orig_client_order_id="fill-0")
        )
        urgent = asyncio.create_task(
            client.new_order(
                symbol="ETHUSDT",
                side="SELL",
                type="MARKET",
                quantity=Decimal("0.5"),
                reduce_only=True,
                new_client_order_id="close-1",
            )
        )
        async with asyncio.timeout(20):
            await asyncio.gather(*queued, urgent, cancel)
        assert cancel.result().status == "CANCELED"
    requests = sim.audit.requests
    first_new = next(i for i, r in enumerate(requests) if b"newClientOrderId=new-" in r.body)
    cancelled = next(i for i, r in enumerate(requests) if r.method == "DELETE")
    closed = next(i for i, r in enumerate(requests) if b"newClientOrderId=close-1" in r.body)
    assert cancelled < first_new and closed < first_new
    assert sim.audit.status_count(429) == 0


async def test_addresses_each_have_their_own_weight_budget() -> None:
    """Two source addresses: each IP's weight stays under its limit, both carry traffic."""
    limits = RateLimitConfig(
        weight_limit=60, weight_interval="SECOND", weight_interval_num=3, order_limits=BIG_ORDERS
    )
    async with Simulator(rate_limits=limits) as sim:
        creds = sim.new_credentials("hmac")
        async with UMFutures(
            creds.api_key,
            creds.api_secret,
            base_url=sim.base_url,
            local_addresses=["127.0.0.2", "127.0.0.3"],
        ) as client:
            await client.exchange_info()
            async with asyncio.timeout(20):
                await asyncio.gather(*(client.ping() for _ in range(100)))
            addresses = {w.address for w in client.limits.windows if w.kind == "REQUEST_WEIGHT"}
            assert addresses == {"127.0.0.2", "127.0.0.3"}
        by_ip = Counter(r.ip for r in sim.audit.requests)
        assert set(by_ip) == {"127.0.0.2", "127.0.0.3"}
        assert min(by_ip.values()) >= 40
        assert sim.audit.status_count(429) == 0
        assert max(sim.audit.max_weight_per_window().values()) <= 60


async def test_deadline_while_waiting_for_budget_is_a_definite_error() -> None:
    """A call whose deadline passes in the limiter's queue raises DeadlineExceeded, unsent."""
    # 6 per hour: no window rollover can rescue the third ping within the test.
    limits = RateLimitConfig(weight_limit=6, weight_interval="HOUR", order_limits=BIG_ORDERS)
    async with Simulator(rate_limits=limits) as sim:
        creds = sim.new_credentials("hmac")
        async with UMFutures(
            creds.api_key, creds.api_secret, base_url=sim.base_url, call_deadline_s=0.3
        ) as client:
            await client.exchange_info()  # 3 samples + this: 4 of 6 used
            await client.ping()
            await client.ping()
            sent = len(sim.audit.requests)
            with pytest.raises(DeadlineExceeded) as info:
                await client.ping()
            assert info.value.sent is False and info.value.endpoint == "GET /fapi/v1/ping"
            assert len(sim.audit.requests) == sent
        assert sim.audit.status_count(429) == 0


async def test_clock_sample_refused_with_418_raises_ip_banned() -> None:
    """A ban met by the clock's own time request is IPBanned too, and bans every call."""
    async with Simulator(rate_limits=RateLimitConfig(ban_initial_s=2.0)) as sim:
        async with make_client(sim, sim.new_credentials("hmac")) as client:
            sim.inject_next("http_418", endpoint=("GET", "/fapi/v1/time"))
            with pytest.raises(IPBanned):
                await client.clock.resync()
            with pytest.raises(IPBanned):
                await client.ping()
        assert sim.audit.status_count(418) == 1


async def test_clients_sharing_a_budget_store_share_the_address_budget() -> None:
    """Two accounts on one address, one MemoryBudgetStore: their burst together never draws a
    429, where each alone would admit the whole budget before the other's use showed."""
    limits = RateLimitConfig(
        weight_limit=60, weight_interval="SECOND", weight_interval_num=1, order_limits=BIG_ORDERS
    )
    store = MemoryBudgetStore()
    async with Simulator(rate_limits=limits) as sim:
        one = make_client(sim, sim.new_credentials("hmac", account="a"), budget_store=store)
        two = make_client(sim, sim.new_credentials("hmac", account="b"), budget_store=store)
        async with one, two:
            await one.exchange_info()
            await two.exchange_info()
            sim.audit.clear()

            async def burst(client: UMFutures) -> None:
                await asyncio.gather(*(client.ping() for _ in range(90)))

            async with asyncio.timeout(30):
                await asyncio.gather(burst(one), burst(two))
        pings = [r for r in sim.audit.requests if r.path == "/fapi/v1/ping"]
        assert len(pings) == 180 and all(r.status == 200 for r in pings)
        assert sim.audit.status_count(429) == 0 and sim.audit.status_count(418) == 0
        assert max(sim.audit.max_weight_per_window().values()) <= 60


async def test_egress_address_names_the_budget_in_a_shared_store() -> None:
    """Hosts behind different public addresses name them: each is its own weight budget in
    the store; the same name shares one. A name that would break the store's keys, or one
    beside local_addresses, is refused before anything runs."""
    store = MemoryBudgetStore()
    async with Simulator() as sim:
        creds = sim.new_credentials("hmac")
        async with (
            make_client(sim, creds, budget_store=store, egress_address="198.51.100.7") as one,
            make_client(sim, creds, budget_store=store, egress_address="203.0.113.9") as two,
        ):
            await one.ping()
            await two.ping()
            assert {w.address for w in one.limits.windows if w.kind == "REQUEST_WEIGHT"} == {
                "198.51.100.7"
            }
        keys = {key for key, _ in store._counts}
        assert any(k.startswith("usdm|ip:198.51.100.7|REQUEST_WEIGHT") for k in keys)
        assert any(k.startswith("usdm|ip:203.0.113.9|REQUEST_WEIGHT") for k in keys)
        assert not any("ip:default" in k for k in keys)
        for bad in ("", "a|b", "two words"):
            with pytest.raises(ValueError, match="egress_address"):
                make_client(sim, creds, egress_address=bad)
        with pytest.raises(ValueError, match="local_addresses"):
            make_client(sim, creds, egress_address="x", local_addresses=["127.0.0.2"])
