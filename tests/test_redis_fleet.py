"""A fleet on one budget: four processes, 200 tasks each, one simulator, one Redis.

The simulator runs in the test's process; each worker is this module run as a program
(``python -m tests.test_redis_fleet <config>``): it opens a client on the simulator with a
``RedisBudgetStore`` on the test's own redis-server (over TCP, as another host would), with
clocks of its own (as on another host), says ``ready``, waits for ``go`` on its stdin,
bursts, and prints what it saw as JSON. The exchange must see no 429 and no 418, with
the budget used, while one worker is killed, or while Redis is stopped and started again.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 4
TASKS = 200
#: Weight and orders per one-second window: the burst (800 pings, 800 orders) spans ~5 of each.
LIMIT = 160
REQUEST_TIMEOUT_S = 2.0
LOG_FORMAT = "%(levelname)s %(name)s %(message)s"


# -- the worker (run as a program) -------------------------------------------------------------


class HostClock:
    """A worker's own clocks, as on a host of its own: monotonic time from another boot, and
    a wall clock ``wall_shift_s`` off. Windows follow the exchange's clock, so the fleet must
    agree on them all the same."""

    def __init__(self, index: int, wall_shift_s: float) -> None:
        self._mono_shift_ns = index * 10**15  # about 11 days apart
        self._wall_shift_ns = round(wall_shift_s * 1e9)

    def monotonic_ns(self) -> int:
        return time.monotonic_ns() + self._mono_shift_ns

    def wall_ns(self) -> int:
        return time.time_ns() + self._wall_shift_ns


async def _work(config: dict[str, Any]) -> dict[str, Any]:
    from binance_async import UMFutures
    from binance_async.redis import RedisBudgetStore

    index = config["index"]
    async with (
        RedisBudgetStore(
            config["redis"], namespace=config["namespace"], retry_interval_s=0.2, timeout_s=2.0
        ) as store,
        UMFutures(
            config["api_key"],
            config["api_secret"],
            base_url=config["base_url"],
            budget_store=store,
            request_timeout_s=REQUEST_TIMEOUT_S,
            call_deadline_s=60.0,
            time_source=HostClock(index, wall_shift_s=7.0 * index - 10.5),
        ) as client,
    ):
        await client.exchange_info()
        print("ready", flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if line.strip() != "go":
            return {"error": f"expected go, got {line!r}"}
        errors: Counter[str] = Counter()

        async def task(n: int) -> bool:
            try:
                await asyncio.gather(
                    client.ping(),
                    client.new_order(
                        symbol="ETHUSDT",
                        side="BUY" if n % 2 else "SELL",  # the position stays near flat
                        type="MARKET",
                        quantity=Decimal("0.01"),
                        new_client_order_id=f"{config['tag']}-{n}",
                    ),
                )
            except Exception as exc:
                errors[f"{type(exc).__name__}: {exc}"[:160]] += 1
                return False
            return True

        done = sum(await asyncio.gather(*(task(n) for n in range(config["tasks"]))))

        # Redis may still be away: wait (10 s at most) for it, and for the full budget, which
        # returns two retry intervals after Redis does.
        def limits() -> list[int]:  # of the weight and order windows the burst used
            windows = client.limits.windows
            return sorted(w.limit for w in windows if w.kind in ("REQUEST_WEIGHT", "ORDERS"))

        for _ in range(200):
            if "store=shared" in repr(client) and min(limits()) > 40:
                break
            await asyncio.sleep(0.05)
        return {
            "done": done,
            "errors": dict(errors),
            "shared": "store=shared" in repr(client),
            "limits": limits(),
        }


def main(argv: list[str]) -> int:
    """Run one worker: ``argv[1]`` is its JSON config."""
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format=LOG_FORMAT)
    logging.getLogger("binance_async.limits").setLevel(logging.INFO)
    print(json.dumps(asyncio.run(_work(json.loads(argv[1])))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))


# -- the tests ---------------------------------------------------------------------------------

import redis.asyncio as aioredis  # noqa: E402

from binance_async.testing import RateLimitConfig, Simulator  # noqa: E402

from .test_redis_store import RedisServer, redis_server_path  # noqa: E402


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server of this test's own (it may stop and start it)."""
    server = RedisServer(redis_server_path(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


class Fleet:
    """The worker processes: started, released together, killed, heard from."""

    def __init__(self, sim: Simulator, redis_url: str, workdir: Path) -> None:
        creds = sim.new_credentials("hmac")
        self.config = {
            "base_url": sim.base_url,
            "api_key": creds.api_key,
            "api_secret": creds.api_secret,
            "redis": redis_url,
            "namespace": f"fleet-{uuid.uuid4().hex[:8]}",
            "tasks": TASKS,
        }
        self.workdir = workdir
        self.processes: list[asyncio.subprocess.Process] = []
        self.killed: set[int] = set()

    def log(self, index: int) -> str:
        """What worker ``index`` logged."""
        return (self.workdir / f"worker-{index}.log").read_text()

    async def start(self) -> None:
        """Start the workers; return once every one is ready (30 s at most)."""
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        for index in range(WORKERS):
            config = json.dumps({**self.config, "tag": f"w{index}", "index": index})
            with (self.workdir / f"worker-{index}.log").open("wb") as log:
                self.processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        *("-m", "tests.test_redis_fleet", config),
                        stdin=asyncio.subprocess.PIPE,
                        stdout=asyncio.subprocess.PIPE,
                        stderr=log,
                        cwd=ROOT,
                        env=env,
                    )
                )
        async with asyncio.timeout(30):
            for index, process in enumerate(self.processes):
                assert process.stdout is not None
                line = await process.stdout.readline()
                assert line == b"ready\n", (line, self.log(index))

    async def go(self, sim: Simulator, at_ms: int) -> None:
        """Release every worker at once, ``at_ms`` into a one-second window of the
        exchange's clock (within a second from now)."""
        await asyncio.sleep((at_ms - sim.clock.now_ms() % 1000) % 1000 / 1000)
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(b"go\n")
        for process in self.processes:
            assert process.stdin is not None
            await process.stdin.drain()

    def kill(self, index: int) -> None:
        """SIGKILL worker ``index``."""
        self.killed.add(index)
        self.processes[index].send_signal(signal.SIGKILL)

    async def results(self) -> dict[int, dict[str, Any]]:
        """What each surviving worker reports (60 s at most)."""
        out = {}
        try:
            async with asyncio.timeout(60):
                for index, process in enumerate(self.processes):
                    assert process.stdout is not None
                    line = await process.stdout.readline()
                    await process.wait()
                    if index not in self.killed:
                        assert line, self.log(index)
                        out[index] = json.loads(line)
        except TimeoutError:
            logs = "\n".join(f"worker {i}: {self.log(i)[-2000:]}" for i in range(WORKERS))
            raise AssertionError(f"the workers did not finish in 60 s:\n{logs}") from None
        return out

    async def aclose(self) -> None:
        """Kill what still runs and reap it."""
        for process in self.processes:
            if process.returncode is None:
                process.kill()
            async with asyncio.timeout(10):
                await process.wait()


def _limits() -> RateLimitConfig:
    return RateLimitConfig(
        weight_limit=LIMIT,
        weight_interval="SECOND",
        weight_interval_num=1,
        order_limits=((LIMIT, "SECOND", 1), (3 * LIMIT, "SECOND", 2)),
    )


async def _orders_of(sim: Simulator, tag: str, count: int) -> None:
    """Wait until the exchange has accepted ``count`` orders of worker ``tag`` (bounded)."""
    for _ in range(3_000):  # 30 s at most
        if sum(cid.startswith(f"{tag}-") for cid in sim.audit.accepted) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"worker {tag} had fewer than {count} orders accepted in 30 s")


def _inner_use(sim: Simulator) -> tuple[list[int], list[int]]:
    """Share of the budget used over the windows strictly inside the burst (the first and
    the last are partly outside it): weight by the pings' windows, orders by the orders'."""

    def inner(path: str) -> list[int]:
        starts = {
            r.server_time_ms - r.server_time_ms % 1000
            for r in sim.audit.requests
            if r.path == path and r.status == 200
        }
        return list(range(min(starts) + 1000, max(starts), 1000))

    weight = {start: used for (_, start), used in sim.audit.max_weight_per_window().items()}
    orders = {
        start: count
        for (_, label, start), count in sim.audit.max_orders_per_window().items()
        if label == "1S"
    }
    ping_windows, order_windows = inner("/fapi/v1/ping"), inner("/fapi/v1/order")
    assert len(ping_windows) >= 2 and len(order_windows) >= 2
    return [weight.get(s, 0) for s in ping_windows], [orders.get(s, 0) for s in order_windows]


async def _hold_ends(url: str, namespace: str) -> list[float]:
    """When each live reservation of the fleet ends (exchange ms), read from Redis."""
    raw = aioredis.Redis.from_url(url)
    try:
        holds = await raw.zrange(f"binance_async:{{{namespace}}}:holds", 0, -1, withscores=True)
    finally:
        await raw.aclose()
    return [score for _, score in holds]


def _tag(body: bytes) -> str:
    """The client order id in an order's body, if any."""
    for part in body.decode(errors="replace").split("&"):
        if part.startswith("newClientOrderId="):
            return part.split("=", 1)[1]
    return ""


def _no_refusals(sim: Simulator, fleet: Fleet) -> None:
    refused = [r for r in sim.audit.requests if r.status in (429, 418)]
    if refused:
        first = refused[0].server_time_ms
        near = [
            f"{r.server_time_ms} {r.method} {r.path} {r.status} {r.code} {_tag(r.body)}"
            for r in sim.audit.requests
            if abs(r.server_time_ms - first) < 300
        ]
        logs = "\n".join(f"worker {i}: {fleet.log(i)[-3000:]}" for i in range(WORKERS))
        raise AssertionError(
            f"{len(refused)} refused; around the first:\n" + "\n".join(near) + "\n" + logs
        )
    assert max(sim.audit.max_weight_per_window().values()) <= LIMIT


async def test_four_processes_burst_inside_one_budget(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """4 processes x 200 tasks (a ping and an order each) on a 160/s weight and 160/s order
    budget, released together 20 ms into a window: no 429, no 418, every task done, and
    >= 95% of both budgets used over the windows the burst covered."""
    async with Simulator(rate_limits=_limits()) as sim:
        fleet = Fleet(sim, redis_server.url, tmp_path)
        try:
            await fleet.start()
            await fleet.go(sim, at_ms=20)
            results = await fleet.results()
        finally:
            await fleet.aclose()
        _no_refusals(sim, fleet)
        assert [r["done"] for r in results.values()] == [TASKS] * WORKERS, results
        weights, counts = _inner_use(sim)  # the maximum count of each window
        assert sum(weights) >= 0.95 * LIMIT * len(weights), weights
        assert sum(counts) >= 0.95 * LIMIT * len(counts), counts
        assert len(sim.audit.accepted) == WORKERS * TASKS and not sim.audit.duplicates()


async def test_a_worker_killed_mid_burst_leaves_the_others_inside_the_budget(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """A burst released 120 ms before a window ends (most of it lands in the next), and one
    worker SIGKILLed mid-burst: its reservations expire by themselves, the other three finish
    every task, and the exchange still sees no 429 and no 418."""
    async with Simulator(rate_limits=_limits()) as sim:
        fleet = Fleet(sim, redis_server.url, tmp_path)
        try:
            await fleet.start()
            await fleet.go(sim, at_ms=880)
            await _orders_of(sim, "w0", 60)  # 140 of its tasks still ahead
            fleet.kill(0)
            ends = await _hold_ends(redis_server.url, fleet.config["namespace"])
            read_at = sim.clock.now_ms()
            results = await fleet.results()
        finally:
            await fleet.aclose()
        _no_refusals(sim, fleet)
        # Every reservation live just after the kill, the dead worker's included, ends by
        # itself soon after its request's deadline: the request timeout (2 s) and 5 s from
        # when it was made (before the read; 100 ms for the workers' clock estimates).
        # (None may be live at the instant read: then there is nothing left to expire.)
        assert all(end <= read_at + (REQUEST_TIMEOUT_S + 5) * 1000 + 100 for end in ends), ends
        assert sorted(results) == [1, 2, 3]
        assert [r["done"] for r in results.values()] == [TASKS] * 3, results


async def test_redis_stopped_and_started_mid_burst(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    """Redis stopped mid-burst for 2.5 s, then started again (empty): no 429, no 418,
    every task done; each worker still bursting when Redis stopped warned once and shared
    again once Redis was back (one that won the race may have finished before)."""
    async with Simulator(rate_limits=_limits()) as sim:
        fleet = Fleet(sim, redis_server.url, tmp_path)
        try:
            await fleet.start()
            await fleet.go(sim, at_ms=880)
            # Every worker under way (a loaded machine may start one late). The budget goes
            # first come, first served: one worker may win its whole burst in the first
            # windows, before the outage; the others meet it.
            for index in range(WORKERS):
                await _orders_of(sim, f"w{index}", 5)
            await asyncio.to_thread(redis_server.stop)
            stopped_ms = sim.clock.now_ms()
            stopped_at = len(sim.audit.requests)
            await asyncio.sleep(2.5)  # windows pass on the local share
            during = len(sim.audit.requests) - stopped_at
            await asyncio.to_thread(redis_server.start)
            results = await fleet.results()
        finally:
            await fleet.aclose()
        _no_refusals(sim, fleet)
        assert during > 0  # the workers went on without Redis
        assert [r["done"] for r in results.values()] == [TASKS] * WORKERS, results
        # Who placed orders after Redis stopped admitted them with the store down.
        late = {
            _tag(r.body).split("-")[0]
            for r in sim.audit.requests
            if r.path == "/fapi/v1/order" and r.status == 200 and r.server_time_ms > stopped_ms
        }
        assert len(late) >= 2, late  # the outage came mid-burst for most of the fleet
        for index, result in results.items():
            log = fleet.log(index)
            if f"w{index}" in late:
                assert log.count("does not answer") == 1, log
                assert log.count("answers again") == 1, log
            else:  # its burst ended before the outage; it may have seen its start
                assert log.count("does not answer") <= 1, log
            assert result["shared"] and result["limits"] == [LIMIT, LIMIT, 3 * LIMIT], result
    raw = aioredis.Redis.from_url(redis_server.url)
    try:  # the restarted Redis holds the fleet's counts again
        keys = [
            k
            async for k in raw.scan_iter(match=f"binance_async:{{{fleet.config['namespace']}}}:c:*")
        ]
    finally:
        await raw.aclose()
    assert keys
